"""Which documents cite which: the cross-references of kb.crossrefs, read from the drafting store."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from kb.drafting_store import reading
from kb.errors import DocumentNotFound

# Linked documents in date order, undated last.
_BY_DATE = "ORDER BY d.date = '', d.date, d.doc_id"


def cites(doc_id: str, home: Path | None = None) -> list[str]:
    """The corpus documents this document refers to, oldest first."""
    return document_links(doc_id, home)["cites"]


def cited_by(doc_id: str, home: Path | None = None) -> list[str]:
    """The corpus documents that refer to this document, oldest first."""
    return document_links(doc_id, home)["cited_by"]


def document_links(doc_id: str, home: Path | None = None) -> dict[str, list[str]]:
    """{"cites": [doc_id, ...], "cited_by": [doc_id, ...]}, as `kb show --json` carries them."""
    with reading(home) as conn:
        _check_document(conn, doc_id)
        cited = conn.execute(
            f"SELECT DISTINCT d.doc_id FROM refs r JOIN documents d ON d.doc_id = r.target WHERE r.doc_id = ? {_BY_DATE}",
            (doc_id,),
        )
        citing = conn.execute(
            f"SELECT DISTINCT d.doc_id FROM refs r JOIN documents d ON d.doc_id = r.doc_id WHERE r.target = ? {_BY_DATE}",
            (doc_id,),
        )
        return {"cites": [row[0] for row in cited], "cited_by": [row[0] for row in citing]}


def link_details(doc_id: str, home: Path | None = None) -> dict[str, list[dict]]:
    """The references behind the links, for a document's page.

    cites: each corpus document this one names, with the passage and words that
    name it; cited_by: each passage elsewhere that names this document; unlinked:
    references to documents the corpus does not hold (COM(2017)728, "the Palermo
    Protocol"...). Entries of cites and cited_by have the other document's
    doc_id, title and date, and the citing passage's passage_id, seq and text
    (the words that name the document); unlinked entries have only the latter.
    """
    with reading(home) as conn:
        _check_document(conn, doc_id)
        select = "SELECT d.doc_id, d.title, d.date, r.passage_id, r.seq, r.text, r.kind FROM refs r"
        return {
            "cites": _dicts(conn, f"{select} JOIN documents d ON d.doc_id = r.target WHERE r.doc_id = ? "
                                  f"{_BY_DATE}, r.seq", doc_id),
            "cited_by": _dicts(conn, f"{select} JOIN documents d ON d.doc_id = r.doc_id WHERE r.target = ? "
                                     f"{_BY_DATE}, r.seq", doc_id),
            "unlinked": _dicts(conn, "SELECT r.passage_id, r.seq, r.text, r.kind FROM refs r "
                                     "WHERE r.doc_id = ? AND r.target IS NULL ORDER BY r.seq", doc_id),
        }


def _dicts(conn: sqlite3.Connection, sql: str, doc_id: str) -> list[dict]:
    return [dict(row) for row in conn.execute(sql, (doc_id,))]


def _check_document(conn: sqlite3.Connection, doc_id: str) -> None:
    if conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is None:
        raise DocumentNotFound("no document with this id is indexed (see `kb documents`)", doc_id)
