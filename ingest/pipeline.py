"""The ingest pipeline: fetch → detect → parse → clean → segment → tag → index."""
from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ingest.budget import within_budget
from ingest.clean import clean_blocks
from ingest.detect import detect_format
from ingest.fetch import fetch
from ingest import parallel
from ingest.manifest import ManifestEntry
from ingest.parsers import docx, html, parse, pdf, text  # noqa: F401 (loaded once, before each fork)
from ingest.segment import segment
from kb import index, settings
from kb.drafting_store import ensure_store
from kb.errors import EmptyDocument, IndexMissing, KBError
from kb.greta_meta import with_country_and_round
from kb.recommendations import with_recommendations
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
    passages = within_budget(parse_passages, (data, fmt, entry.source, entry.id, entry.doc_type), entry.source)
    if not passages:
        raise EmptyDocument("no text found", entry.source)
    document = with_country_and_round(entry.document(sha256=fetched.sha256, fmt=fmt), passages)
    # Recommendations follow the passages they stand in, each tagged on its own wording.
    return document, with_recommendations(tag_passages(passages))


def parse_passages(data: bytes, fmt: str, source: str, doc_id: str, doc_type: str = "") -> list[Passage]:
    """Parse, clean and segment the bytes of one source (run within its budget)."""
    return segment(clean_blocks(parse(data, fmt, source)), doc_id, doc_type=doc_type)


def ingest(
    entries: list[ManifestEntry],
    home: Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
    on_wait: Callable[[str], None] | None = None,
    procs: int = 1,
    derive: bool = True,
) -> IngestReport:
    """Index the entries in one all-or-nothing commit; a bad source fails alone.

    With procs > 1, sources are read and tagged in that many worker processes
    while this one indexes them, in the same order. derive=False leaves the
    drafting store to be brought up to date when it is next read.
    """
    report = IngestReport()
    with index.writer_lock(home, on_wait=on_wait):
        known = index.stored_fingerprints(home)
        with index.writing(home, parallel.writer_procs(procs, len(entries))) as writer:
            sources = parallel.read_all(read_source, entries, home, procs)
            for position, (entry, read) in enumerate(sources, 1):
                outcome = _index_one(entry, read, writer, known, force, report)
                if progress:
                    progress(position, len(entries), entry.id, outcome)
            if not report.added and not report.updated:
                writer.discard()
        # Wording lineage, boilerplate and cross-references follow the new generation.
        if derive:
            with suppress(IndexMissing):  # nothing was ever committed: nothing to derive
                ensure_store(home)
    return report


def _index_one(entry, read, writer, known, force, report) -> str:
    """Index what was read from one entry, or record why it could not be read."""
    if isinstance(read, KBError):
        log.info("%s: failed: %s", entry.id, read)
        report.failed.append(read)
        return "failed"
    document, passages = read
    stamp = index.fingerprint(document)
    if not force and known.get(document.id) == stamp:
        report.unchanged.append(document.id)
        return "unchanged"
    writer.replace_document(document, passages, stamp)
    (report.updated if document.id in known else report.added).append(document.id)
    log.info("%s: %d passages indexed", document.id, len(passages))
    return "updated" if document.id in known else "added"
