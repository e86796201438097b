"""Bring a drafting store up to date with the documents that commits since its build changed.

A document indexed again (added, replaced, tagged again) lands in a new index
segment, and the store notes the segment each document's record was in: the
documents in a segment it has not seen are dropped and inserted again. Then
the passages that were, or now are, versions of theirs get their lineage and
boilerplate flag worked out again, and every reference is resolved again
against the new set of documents. Adding one report to 100,000 passages so
costs seconds, where a build costs many minutes. A larger change (a quarter
of the documents or more) is left to a build.
"""
from __future__ import annotations

import sqlite3

from kb import drafting_store, engine, lineage
from kb.wording import norms, shingles

REBUILD_SHARE = 0.25


def changed_documents(conn: sqlite3.Connection, segments: dict[str, str]) -> tuple[list[str], list[str]]:
    """(documents to insert, documents to drop): new or indexed again, and gone or indexed again."""
    stored = dict(conn.execute("SELECT doc_id, segment FROM documents").fetchall())
    inserted = sorted(doc_id for doc_id, segment in segments.items() if stored.get(doc_id) != segment)
    dropped = sorted(doc_id for doc_id, segment in stored.items() if segments.get(doc_id) != segment)
    return inserted, dropped


def update(conn: sqlite3.Connection, searcher) -> bool:
    """Drop and insert the changed documents, then link and resolve again what they touch.

    Returns False, having changed nothing, when so much changed that a build is the better way.
    """
    segments = engine.document_segments(searcher)
    inserted, dropped = changed_documents(conn, segments)
    if len(set(inserted) | set(dropped)) >= REBUILD_SHARE * max(len(segments), 1):
        return False
    documents = engine.document_records(searcher)
    touched = _drop(conn, dropped)
    records = [record for doc_id in inserted for record in engine.passage_records(searcher, doc_id)]
    chosen = set(inserted)
    drafting_store.insert_documents(conn, [d for d in documents if d["doc_id"] in chosen], segments)
    drafting_store.insert_passages(conn, records)
    added = [row[0] for doc_id in inserted for row in conn.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
    for row in lineage.rows_of(conn, added):
        touched |= lineage.touched_by(conn, row)
    lineage.relink(conn, touched | set(added))
    _resolve_again(conn, searcher, documents, records)
    return True


def _drop(conn: sqlite3.Connection, doc_ids: list[str]) -> set[int]:
    """Delete documents with their passages; return the passages whose lineage they touched."""
    touched: set[int] = set()
    gone: list[int] = []
    for doc_id in doc_ids:
        rows = conn.execute("SELECT id, doc_id, date, length, text FROM passages WHERE doc_id = ?", (doc_id,)).fetchall()
        for row in rows:
            touched |= lineage.touched_by(conn, row)
        gone += [row["id"] for row in rows]
        for row in rows:
            # Shingles are keyed by (hash, passage): find them from the text, not by scanning.
            conn.executemany("DELETE FROM shingles WHERE hash = ? AND passage = ?",
                             [(h, row["id"]) for h in set(shingles(norms(row["text"])))])
        conn.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM refs WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
    children = _children_of(conn, gone)
    return (touched | children) - set(gone)


def _children_of(conn: sqlite3.Connection, ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found |= {r[0] for r in conn.execute(f"SELECT id FROM passages WHERE parent IN ({','.join('?' * len(chunk))})", chunk)}
    return found


def _resolve_again(conn: sqlite3.Connection, searcher, documents: list[dict], new_records: list[dict]) -> None:
    """Resolve every reference against the documents now indexed: one may name a document just added."""
    citing = [pid for (pid,) in conn.execute("SELECT DISTINCT passage_id FROM refs")]
    records = [r for r in (engine.passage_record(searcher, pid) for pid in citing) if r is not None]
    conn.executemany("DELETE FROM refs WHERE passage_id = ?", [(pid,) for pid in citing])
    conn.executemany("INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?)",
                     drafting_store.reference_rows(documents, records + new_records))
