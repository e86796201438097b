"""The drafting store: shingles, lineage, boilerplate and cross-references, derived from the index.

It lives beside the index, at <KB_HOME>/drafting.sqlite, and records the index
generation it was built from: ensure_store() brings it up to date whenever the
index has moved on, with the documents that changed (kb.store_update) or, after
large changes, by building it again. Like the index it is derived data;
deleting it only costs a build.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import shutil
import sqlite3
import tempfile
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

from kb import crossrefs, engine, lineage, settings, store_update
from kb.errors import DiskFull, IndexMissing, PassageNotFound, StoreMissing
from kb.taxonomy import current_entities
from kb.wording import norms, shingles

log = logging.getLogger(__name__)

STORE_NAME = "drafting.sqlite"
# Bump when what is stored, or how it is worked out, changes: older stores are then rebuilt.
STORE_VERSION = "2"
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT, issuer TEXT, place TEXT, date TEXT, doc_type TEXT,
    segment TEXT  -- the index segment of the document's record when it was stored
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY, passage_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL, seq INTEGER NOT NULL,
    number TEXT, role TEXT, date TEXT, text TEXT NOT NULL, length INTEGER NOT NULL,
    boilerplate INTEGER NOT NULL DEFAULT 0, parent INTEGER, family INTEGER
);
CREATE TABLE shingles (hash INTEGER NOT NULL, passage INTEGER NOT NULL, PRIMARY KEY (hash, passage)) WITHOUT ROWID;
CREATE TABLE refs (doc_id TEXT NOT NULL, passage_id TEXT NOT NULL, seq INTEGER, kind TEXT, text TEXT, target TEXT);
CREATE INDEX passages_by_doc ON passages (doc_id, seq);
CREATE INDEX passages_by_family ON passages (family);
CREATE INDEX refs_by_doc ON refs (doc_id);
CREATE INDEX refs_by_target ON refs (target);
"""


# The served app reads what the CLI built and never writes: it turns builds off for its requests.
builds_on_read: ContextVar[bool] = ContextVar("builds_on_read", default=True)


def no_such_passage(passage_id: str) -> PassageNotFound:
    return PassageNotFound("no passage with this id is indexed (ids read DOC_ID:SEQ)", passage_id)


def store_path(home: Path) -> Path:
    return home / STORE_NAME


def ensure_store(home: Path | None = None) -> Path:
    """Return the store's path, building it first if it is missing or older than the index."""
    home = home or settings.kb_home()
    path = store_path(home)
    built = _built_from(path)
    if built == (STORE_VERSION, _index_generation(home)):
        return path
    if not builds_on_read.get():
        return _as_last_built(path, built)
    with _build_lock(home):
        # Read the generation before building: should a commit land meanwhile,
        # the store says it is older than it is and is brought up to date again
        # next time, rather than passing off stale contents as current.
        generation = _index_generation(home)
        built = _built_from(path)
        if built != (STORE_VERSION, generation):
            _replace(home, path, generation, updating=built is not None and built[0] == STORE_VERSION)
    return path


def _as_last_built(path: Path, built: tuple[str, int] | None) -> Path:
    """The store as the last ingest left it, even a generation behind; refuse only a missing one."""
    if built is None or built[0] != STORE_VERSION:
        raise StoreMissing("the drafting store has not been built for this index: run `kb ingest`", str(path))
    return path


@contextmanager
def reading(home: Path | None = None) -> Iterator[sqlite3.Connection]:
    """Yield a read-only connection to an up-to-date store."""
    conn = _read_only(ensure_store(home))
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def _read_only(path: Path) -> sqlite3.Connection:
    # A read-only connection cannot create an empty store where there is none.
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def _index_generation(home: Path) -> int:
    generation = engine.generation(settings.index_dir(home))
    if generation < 0:
        raise IndexMissing("no index here yet: run `kb ingest` to build it", str(settings.index_dir(home)))
    return generation


def _built_from(path: Path) -> tuple[str, int] | None:
    """The store version and index generation a store was built from; None if there is none."""
    if not path.exists():
        return None
    conn = _read_only(path)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        return meta.get("version"), int(meta.get("generation", "-1"))
    except (sqlite3.DatabaseError, ValueError):
        return None  # a damaged store is simply built again
    finally:
        conn.close()


@contextmanager
def _build_lock(home: Path) -> Iterator[None]:
    """Let one process or thread build at a time: web threads, a CLI and an ingest may all find it stale."""
    with open(home / "drafting.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(home: Path, path: Path, generation: int, updating: bool) -> None:
    """Update a copy of the store, or build a new one, beside it, then swap it in: readers never see half a store."""
    for leftover in home.glob(".drafting-*.sqlite"):  # left by a build that was killed; we hold the lock
        with suppress(FileNotFoundError):
            leftover.unlink()
    handle, temporary = tempfile.mkstemp(dir=home, prefix=".drafting-", suffix=".sqlite")
    os.close(handle)
    try:
        how = "updated"
        if not (updating and _updated(path, Path(temporary), home, generation)):
            os.truncate(temporary, 0)  # whatever a declined update copied there
            build(Path(temporary), home, generation)
            how = "built"
        os.replace(temporary, path)
    except BaseException as error:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        if _disk_full(error):
            raise DiskFull(
                f"the disk is full while building the drafting store ({error}); the previous store is unchanged",
                str(path),
            ) from None
        raise
    log.info("drafting store %s for index generation %d", how, generation)


def _disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno == errno.ENOSPC
    # SQLite says "database or disk is full" (SQLITE_FULL).
    return isinstance(error, sqlite3.OperationalError) and "full" in str(error)


def build(path: Path, home: Path, generation: int) -> None:
    """Fill an empty SQLite file from the passages of the index; the meta rows go in last."""
    with engine.searching(settings.index_dir(home)) as searcher:
        documents, segments = engine.document_records(searcher), engine.document_segments(searcher)
        passages = sorted(engine.iter_passage_records(searcher), key=lambda r: (r["doc_id"], r["seq"]))
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        conn.executescript(SCHEMA)
        insert_documents(conn, documents, segments)
        insert_passages(conn, passages)
        lineage.link_lineage_and_boilerplate(conn)
        conn.executemany("INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?)", reference_rows(documents, passages))
        _stamp(conn, generation)
        conn.commit()
    finally:
        conn.close()


def _updated(current: Path, copy: Path, home: Path, generation: int) -> bool:
    """Bring a copy of the store up to date with the index; False when a build is the better way."""
    shutil.copyfile(current, copy)
    conn = sqlite3.connect(copy)
    conn.row_factory = sqlite3.Row
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("entities") != _entities_stamp():
            return False  # references by name follow the entity registry, for every passage
        with engine.searching(settings.index_dir(home)) as searcher:
            if not store_update.update(conn, searcher):
                return False
        conn.execute("DELETE FROM meta")
        _stamp(conn, generation)
        conn.commit()
        return True
    finally:
        conn.close()


def _stamp(conn: sqlite3.Connection, generation: int) -> None:
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("version", STORE_VERSION), ("generation", str(generation)), ("entities", _entities_stamp()),
    ])


def _entities_stamp() -> str:
    """A digest of the entity registry the references were resolved with."""
    try:
        return hashlib.sha256(settings.entities_path().read_bytes()).hexdigest()
    except OSError:
        return ""


def insert_documents(conn: sqlite3.Connection, documents: list[dict], segments: dict[str, str]) -> None:
    conn.executemany(
        "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(d["doc_id"], d.get("title") or "", d.get("issuer") or "", d.get("place") or "", d.get("date") or "",
          d.get("doc_type") or "", segments.get(d["doc_id"], "")) for d in documents],
    )


def insert_passages(conn: sqlite3.Connection, passages: list[dict]) -> None:
    for record in passages:
        compared = norms(record.get("text") or "")
        cursor = conn.execute(
            "INSERT INTO passages (passage_id, doc_id, seq, number, role, date, text, length) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (record["passage_id"], record["doc_id"], record["seq"], record.get("number") or "",
             record.get("role") or "", record.get("date") or "", record.get("text") or "", len(compared)),
        )
        hashes = set(shingles(compared))
        conn.executemany("INSERT INTO shingles VALUES (?, ?)", [(h, cursor.lastrowid) for h in hashes])


def reference_rows(documents: list[dict], passages: list[dict]) -> list[tuple]:
    """One row per reference and corpus document it names; a reference naming none has target NULL."""
    aliases = {e.name.lower(): (e.name, *e.aliases) for e in current_entities() if e.kind == "instrument"}
    corpus = [crossrefs.citable(record, aliases) for record in documents]
    by_id = {doc.doc_id: doc for doc in corpus}
    rows: dict[tuple, tuple] = {}
    for record in passages:
        citing, text = by_id.get(record["doc_id"]), record.get("text") or ""
        if citing is None:
            continue
        tagged = [name for name in (record.get("instruments") or "").split(",") if name]
        for ref in crossrefs.find_references(text) + crossrefs.instrument_references(text, tagged, aliases):
            for target in crossrefs.targets(ref, citing, corpus) or [None]:
                # One row per passage and document named, however many ways it is named.
                key = (record["passage_id"], target or ref.text)
                rows.setdefault(key, (record["doc_id"], record["passage_id"], record["seq"], ref.kind, ref.text, target))
    return list(rows.values())
