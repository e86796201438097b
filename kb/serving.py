"""`kb serve`: waitress in one process, or in several forked from a parent that binds once.

Whoosh and the page code are pure Python, so one process uses one core at a
time. With --workers N the parent binds the listening socket, forks N
children that each run waitress on that same socket (the kernel hands each
new connection to one of them), and forwards SIGTERM and SIGINT to them.
Before forking it reads the index's facet arrays and text lengths, so every
worker starts with them and no first search waits for them.
"""
from __future__ import annotations

import os
import signal
import socket
import sys

THREADS = 8


def default_workers() -> int:
    return os.cpu_count() or 1


def serve(host: str, port: int, workers: int) -> int:
    """Serve the app until stopped; return the exit status."""
    listener = bound_socket(host, port)
    # Bound first: a browser opened meanwhile waits in the backlog rather than being refused.
    warm_up()
    if workers <= 1:
        _run_waitress(sockets=[listener])
        return 0
    children = [_fork_worker(listener) for _ in range(workers)]
    listener.close()
    return _supervise(children)


def warm_up() -> None:
    """Read the index's facet arrays and lengths before serving, so no first search pays for them."""
    from kb import engine, settings
    from kb.errors import IndexMissing

    try:
        engine.warm(settings.index_dir())
    except IndexMissing:
        pass  # the pages say how to build the index


def bound_socket(host: str, port: int) -> socket.socket:
    """Bind and listen once, before forking, so every worker accepts on the same socket."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    listener.setblocking(False)
    return listener


def _fork_worker(listener: socket.socket) -> int:
    pid = os.fork()
    if pid:
        return pid
    # Only the parent answers Ctrl-C; it stops the workers with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    status = 1
    try:
        _run_waitress(sockets=[listener])
        status = 0
    finally:
        os._exit(status)


def _run_waitress(**where) -> None:
    import waitress

    from search_app import create_app

    # The app is created in each worker, after the fork: no searcher or file is shared.
    waitress.serve(create_app(), threads=THREADS, ident="atkb", **where)


def _supervise(children: list[int]) -> int:
    """Wait for the workers; on SIGTERM or SIGINT, or when one dies, stop them all."""
    stopping = []

    def stop(signum, frame) -> None:
        stopping.append(signum)
        _signal_all(children, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status, alive = 0, set(children)
    while alive:
        try:
            pid, code = os.wait()
        except ChildProcessError:
            break
        alive.discard(pid)
        if not stopping:
            print(f"error: kb serve: worker {pid} stopped ({_describe(code)}); stopping the others", file=sys.stderr)
            stopping.append(None)
            status = 1
            _signal_all(alive, signal.SIGTERM)
    return status


def _signal_all(pids, signum: int) -> None:
    for pid in list(pids):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def _describe(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"signal {os.WTERMSIG(code)}"
    return f"exit status {os.waitstatus_to_exitcode(code)}"
