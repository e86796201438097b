"""The passage index: one writer at a time, all-or-nothing commits, derived data."""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from kb import engine, settings
from kb.errors import IndexBusy, IndexMissing
from kb.model import KINDS, Document, Evidence, Passage
from kb.drafting_store import ensure_store
from kb.tagging import tag_passages

log = logging.getLogger(__name__)

# Bump when parsing, cleaning or segmentation change what a source yields, so
# that the next ingest redoes documents whose bytes did not change.
PIPELINE_VERSION = "3"


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
        with suppress(OSError):  # the pid only informs other writers; a full disk must not stop us here
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


def writing(home: Path, procs: int = 1):
    """Open the index writer of a data directory (see engine.writing)."""
    return engine.writing(settings.index_dir(home), procs=procs)


@dataclass
class RetagReport:
    """What re-tagging changed: passages that gained or lost each theme."""

    passages: int = 0
    documents_changed: int = 0
    gained: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)


def document_from_record(record: dict) -> Document:
    """Rebuild a Document from its stored index record."""
    return Document(
        id=record["doc_id"], title=record.get("title", ""), issuer=record.get("issuer", ""),
        doc_type=record.get("doc_type", ""), source=record.get("source", ""),
        date=record.get("date", ""), place=record.get("place", ""),
        language=record.get("language", "en"), url=record.get("url", ""),
        sha256=record.get("sha256", ""), format=record.get("format", ""),
        country=record.get("country", ""), round=int(record["round"]) if record.get("round") else None,
    )


def passage_from_record(record: dict) -> Passage:
    """Rebuild a Passage, with its tags, from its stored index record."""
    def tags(name: str) -> tuple[str, ...]:
        return tuple(v for v in (record.get(name) or "").split(",") if v)

    return Passage(
        doc_id=record["doc_id"], seq=record["seq"], text=record.get("text", ""),
        number=record.get("number", ""), role=record.get("role", "body"), verb=record.get("verb", ""),
        heading=record.get("heading", ""), parent=record.get("parent", ""), page=record.get("page"),
        themes=tags("themes"), orgs=tags("orgs"), places=tags("places"), instruments=tags("instruments"),
        evidence=tuple(Evidence(**e) for e in record.get("evidence") or ()),
        kind=record.get("kind", "passage"), strength=record.get("strength", ""),
    )


def retag(home: Path, on_wait: Callable[[str], None] | None = None) -> RetagReport:
    """Tag every stored passage again with the current taxonomy, without re-parsing."""
    report = RetagReport()
    with writer_lock(home, on_wait=on_wait):
        with engine.searching(settings.index_dir(home)) as searcher:
            stored = [
                (record, [passage_from_record(p) for p in engine.passage_records(searcher, record["doc_id"], KINDS)])
                for record in engine.document_records(searcher)
            ]
        with writing(home) as writer:
            for record, passages in stored:
                retagged = tag_passages(passages)
                report.passages += sum(1 for p in passages if p.kind == "passage")
                _count_changes(passages, retagged, report)
                if retagged != passages:
                    report.documents_changed += 1
                    writer.replace_document(document_from_record(record), retagged, record.get("fingerprint", ""))
            if not report.documents_changed:
                writer.discard()
        ensure_store(home)
    return report


def _count_changes(before: list[Passage], after: list[Passage], report: RetagReport) -> None:
    for old, new in zip(before, after):
        if old.kind != "passage":
            continue  # recommendations are re-tagged too, but the report counts passages
        for theme in set(new.themes) - set(old.themes):
            report.gained[theme] = report.gained.get(theme, 0) + 1
        for theme in set(old.themes) - set(new.themes):
            report.lost[theme] = report.lost.get(theme, 0) + 1
