"""Budgets for reading one document: a time limit and a memory limit.

A pathological file can make a parser loop or allocate without end (pdfminer
is known to), and no check inside the parser can stop that. So the work runs
in a forked child process: the child caps its own address space and CPU time,
and the parent stops it when the wall-clock budget is spent. The child starts
with everything already imported, so the cost is one fork per document.
"""
from __future__ import annotations

import ctypes
import logging
import math
import multiprocessing
import os
import resource
import signal
from typing import Any, Callable

from kb import settings
from kb.errors import KBError, ParseError

log = logging.getLogger(__name__)

_FORK = multiprocessing.get_context("fork")
# The CPU limit is a backstop for a child whose parent was killed: it ends itself.
CPU_GRACE_SECONDS = 5
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def within_budget(work: Callable[..., Any], args: tuple, source: str,
                  seconds: float | None = None, megabytes: int | None = None) -> Any:
    """Return work(*args) computed in a child process, or raise a one-line KBError.

    A KBError raised by the work comes back as it was; running out of time or
    memory, or any other failure, becomes a ParseError naming the source.
    """
    seconds = settings.parse_timeout() if seconds is None else seconds
    megabytes = settings.parse_memory_mb() if megabytes is None else megabytes
    receiver, sender = _FORK.Pipe(duplex=False)
    child = _FORK.Process(target=_run_child, args=(receiver, sender, os.getpid(), work, args, seconds, megabytes),
                          daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise ParseError(f"parsing took longer than {seconds:g} s; skipped", source)
        outcome = receiver.recv()
    except EOFError:
        outcome = ("died",)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    return _result(outcome, child.exitcode, source, megabytes)


def _result(outcome: tuple, exitcode: int | None, source: str, megabytes: int) -> Any:
    """Turn what the child sent back into the value, or the error to raise."""
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "error":
        error_class, reason, error_source = outcome[1:]
        raise error_class(reason, error_source)
    if kind == "memory":
        raise ParseError(f"parsing needed more than {megabytes} MB of memory; skipped", source)
    if kind == "failed":
        raise ParseError(f"the parser failed ({outcome[1]}); skipped", source)
    raise ParseError(f"the parser stopped abruptly (exit status {exitcode}); skipped", source)


def _run_child(receiver, sender, parent: int, work: Callable[..., Any], args: tuple, seconds: float,
               megabytes: int) -> None:
    """Do the work under the limits and send back how it went."""
    # Without its own copy of the reading end, a send to a dead parent fails instead of blocking.
    receiver.close()
    end_with_parent(parent)
    _limit_resources(seconds, megabytes)
    try:
        outcome: tuple = ("ok", work(*args))
    except KBError as error:
        outcome = ("error", type(error), error.reason, error.source)
    except MemoryError:
        outcome = ("memory",)
    except Exception as error:  # a parser bug: report it, never crash the ingest
        log.debug("parser failure", exc_info=True)
        detail = " ".join(f"{type(error).__name__}: {error}".split())
        outcome = ("failed", detail[:200])
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("memory",))
    sender.close()
    # Leave at once: finalizers run short of memory would only print noise.
    os._exit(0)


def end_with_parent(parent: int) -> None:
    """End this forked process when its parent dies.

    A fork shares its parent's open files, the writer locks among them: were it
    to outlive a killed ingest, it would keep every later writer out.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _limit_resources(seconds: float, megabytes: int) -> None:
    """Cap the child's address space at what it has now plus the budget, and its CPU time."""
    address_space = _mapped_bytes() + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    cpu = math.ceil(seconds) + CPU_GRACE_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _mapped_bytes() -> int:
    """The address space this process already uses (a fork starts with its parent's)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")
