"""Same wording elsewhere: the lineage of each stored passage, and which passages are boilerplate.

How families and boilerplate are worked out is explained in kb.lineage; this
module reads the result from the drafting store.
"""
from __future__ import annotations

from pathlib import Path

from kb.drafting_store import no_such_passage, reading
from kb.reuse import order_key


def lineage_of(passage_id: str, home: Path | None = None) -> list[str]:
    """The passages sharing this one's wording across the corpus, itself included, in date order.

    The first is the wording's first appearance (see kb.lineage); the list is
    empty when no other passage shares it.
    """
    with reading(home) as conn:
        row = conn.execute("SELECT family FROM passages WHERE passage_id = ?", (passage_id,)).fetchone()
        if row is None:
            raise no_such_passage(passage_id)
        if row["family"] is None:
            return []
        members = conn.execute("SELECT passage_id, doc_id, seq, date FROM passages WHERE family = ?", (row["family"],))
        return [member["passage_id"] for member in sorted(members, key=order_key)]


def first_appearance(passage_id: str, home: Path | None = None) -> str | None:
    """Where this passage's wording first appeared (maybe itself); None if no other passage shares it."""
    lineage = lineage_of(passage_id, home)
    return lineage[0] if lineage else None


def passage_lineage_map(home: Path | None = None, doc_id: str | None = None) -> dict[str, list[str]]:
    """Every passage's lineage (empty lists included), for one document or the whole corpus."""
    with reading(home) as conn:
        rows = conn.execute("SELECT passage_id, doc_id, seq, date, family FROM passages").fetchall()
    families: dict[int, list] = {}
    for row in sorted(rows, key=order_key):
        if row["family"] is not None:
            families.setdefault(row["family"], []).append(row["passage_id"])
    return {
        row["passage_id"]: list(families.get(row["family"], []))
        for row in sorted(rows, key=lambda r: (r["doc_id"], r["seq"]))
        if doc_id is None or row["doc_id"] == doc_id
    }


def boilerplate_ids(home: Path | None = None) -> set[str]:
    """The passages whose wording recurs in BOILERPLATE_DOCUMENTS documents or more (see kb.lineage)."""
    with reading(home) as conn:
        return {pid for (pid,) in conn.execute("SELECT passage_id FROM passages WHERE boilerplate = 1")}


def is_boilerplate(passage_id: str, home: Path | None = None) -> bool:
    with reading(home) as conn:
        row = conn.execute("SELECT boilerplate FROM passages WHERE passage_id = ?", (passage_id,)).fetchone()
    if row is None:
        raise no_such_passage(passage_id)
    return bool(row["boilerplate"])
