"""The passage index: one writer at a time, all-or-nothing commits, derived data."""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from kb import engine, settings
from kb.errors import IndexBusy, IndexMissing
from kb.model import Document

log = logging.getLogger(__name__)

# Bump when parsing, cleaning or segmentation change what a source yields, so
# that the next ingest redoes documents whose bytes did not change.
PIPELINE_VERSION = "1"


def fingerprint(document: Document) -> str:
    """Hash what a document's passages depend on: its bytes, metadata and the pipeline."""
    payload = json.dumps([PIPELINE_VERSION, document.to_json()], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@contextmanager
def writer_lock(home: Path, wait: float | None = None, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the one writer lock of a data directory, waiting a while for it.

    The operating system releases the lock when its holder dies, so a killed
    ingest never leaves a stale lock behind.
    """
    home.mkdir(parents=True, exist_ok=True)
    path = home / "writer.lock"
    wait = settings.lock_wait() if wait is None else wait
    with open(path, "a+") as handle:
        if not _try_lock(handle):
            holder = _holder(path)
            if on_wait:
                on_wait(f"another kb process{holder} is writing the index; waiting up to {wait:g}s")
            deadline = time.monotonic() + wait
            while not _try_lock(handle):
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"another kb process{holder} is still writing the index; try again when it ends", str(home))
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(path: Path) -> str:
    pid = path.read_text().strip()
    return f" (pid {pid})" if pid.isdigit() else ""


def stored_fingerprints(home: Path) -> dict[str, str]:
    """Return the fingerprint of every indexed document, by id."""
    try:
        with engine.searching(settings.index_dir(home)) as searcher:
            return {r["doc_id"]: r.get("fingerprint", "") for r in engine.document_records(searcher)}
    except IndexMissing:
        return {}


def writing(home: Path):
    """Open the index writer of a data directory (see engine.writing)."""
    return engine.writing(settings.index_dir(home))
