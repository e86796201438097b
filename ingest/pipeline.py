"""The ingest pipeline: fetch → detect → parse → clean → segment → tag → index."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ingest.clean import clean_blocks
from ingest.detect import detect_format
from ingest.fetch import fetch
from ingest.manifest import ManifestEntry
from ingest.parsers import parse
from ingest.segment import segment
from kb import index, settings
from kb.drafting_store import ensure_store
from kb.errors import EmptyDocument, KBError
from kb.tagging import tag_passages
from kb.model import Document, Passage

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest did, document by document."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[KBError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        total = len(self.added) + len(self.updated) + len(self.unchanged) + len(self.failed)
        return (
            f"{total} documents: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed"
        )


# Called after each document with (position, total, doc_id, outcome).
Progress = Callable[[int, int, str, str], None]


def read_source(entry: ManifestEntry, home: Path) -> tuple[Document, list[Passage]]:
    """Run a source through fetch, detect, parse, clean, segment and tag."""
    fetched = fetch(entry.source, entry.base_dir, settings.cache_dir(home), timeout=settings.fetch_timeout())
    data = fetched.read_bytes()
    fmt = detect_format(data, fetched.name, entry.source)
    blocks = clean_blocks(parse(data, fmt, entry.source))
    passages = segment(blocks, entry.id)
    if not passages:
        raise EmptyDocument("no text found", entry.source)
    return entry.document(sha256=fetched.sha256, fmt=fmt), tag_passages(passages)


def ingest(
    entries: list[ManifestEntry],
    home: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> IngestReport:
    """Index the entries in one all-or-nothing commit; a bad source fails alone."""
    report = IngestReport()
    with index.writer_lock(home, on_wait=on_wait):
        known = index.stored_fingerprints(home)
        with index.writing(home) as writer:
            for position, entry in enumerate(entries, 1):
                outcome = _ingest_one(entry, home, writer, known, force, report)
                if progress:
                    progress(position, len(entries), entry.id, outcome)
            if not report.added and not report.updated:
                writer.discard()
        # Wording lineage, boilerplate and cross-references follow the new generation.
        ensure_store(home)
    return report


def _ingest_one(entry, home, writer, known, force, report) -> str:
    try:
        document, passages = read_source(entry, home)
    except KBError as error:
        log.info("%s: failed: %s", entry.id, error)
        report.failed.append(error)
        return "failed"
    stamp = index.fingerprint(document)
    if not force and known.get(document.id) == stamp:
        report.unchanged.append(document.id)
        return "unchanged"
    writer.replace_document(document, passages, stamp)
    (report.updated if document.id in known else report.added).append(document.id)
    log.info("%s: %d passages indexed", document.id, len(passages))
    return "updated" if document.id in known else "added"
