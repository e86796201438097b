"""Reading sources in worker processes while the main process indexes.

Fetching, parsing, segmenting and tagging a document depend on nothing but
the document, so they run in a pool of forked workers; the main process
writes each result to the index as it arrives, in manifest order. The index
is therefore the same, document for document, as with one process.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from ingest.budget import end_with_parent
from kb.errors import KBError

Item = TypeVar("Item")
# Documents handed to the workers ahead of the one being indexed, per worker:
# enough to keep them busy, few enough to keep memory flat.
AHEAD_PER_WORKER = 4
# From this many documents on, the index is also written by several processes, each its own segment.
MANY_DOCUMENTS = 200


def default_procs() -> int:
    return os.cpu_count() or 1


def writer_procs(procs: int, documents: int) -> int:
    """Index writers for an ingest: several only for a large one, where they save more than they cost."""
    return procs if documents >= MANY_DOCUMENTS else 1


def read_all(read: Callable[[Item, Path], object], items: list[Item], home: Path, procs: int) -> Iterator[tuple[Item, object]]:
    """Yield (item, read(item, home)) in order; a KBError is yielded in place of its result.

    With procs > 1 the reads run in that many worker processes.
    """
    if procs <= 1 or len(items) < 2:
        for item in items:
            yield item, _outcome(read, item, home)
        return
    context = multiprocessing.get_context("fork")
    # Workers end with this process, so a killed ingest leaves no holder of its locks.
    with ProcessPoolExecutor(max_workers=procs, mp_context=context,
                             initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
        pending: deque = deque()
        upcoming = iter(items)
        for item in upcoming:
            pending.append((item, pool.submit(_sendable_outcome, read, item, home)))
            if len(pending) >= procs * AHEAD_PER_WORKER:
                break
        while pending:
            item, future = pending.popleft()
            following = next(upcoming, None)
            if following is not None:
                pending.append((following, pool.submit(_sendable_outcome, read, following, home)))
            yield item, _received(future.result())


def _outcome(read, item, home):
    try:
        return read(item, home)
    except KBError as error:
        return error


def _sendable_outcome(read, item, home):
    """Run read in a worker; an error travels back as its type, reason and source."""
    try:
        return ("ok", read(item, home))
    except KBError as error:
        return ("error", type(error), error.reason, error.source)


def _received(outcome: tuple):
    if outcome[0] == "ok":
        return outcome[1]
    error_class, reason, source = outcome[1:]
    return error_class(reason, source)
