"""Wording lineage and boilerplate, worked out once, when the drafting store is built.

Both rest on versions. Two passages of different documents are versions of
one wording when one accounts for much of the other's wording (a precedent
score, see kb.alignment.overlap_score, of at least SAME_WORDING_SCORE) and they
are about the same length (the shorter at least LINEAGE_MIN_RATIO of the
longer). The length condition tells restating from quoting: a clause that
holds a whole priority of the Strategy Paper with as much again around it
quotes that priority, and a heading found inside a paragraph is not a version
of the paragraph.

Boilerplate is wording that recurs: a passage with versions in at least
BOILERPLATE_DOCUMENTS documents, its own included (thanks to the secretariat).

Lineage is a family tree. A passage descends from at most one version: the
best-scoring one from a document dated before its own. A lineage is one tree,
its passages in date order; the first, its root, is where the wording first
appeared. A tree rather than a cluster of all that is alike, so that a clause
belongs to the one family it follows most closely and families never merge.
"""
from __future__ import annotations

import sqlite3

from kb.reuse import best_matches
from kb.wording import words

SAME_WORDING_SCORE = 0.35  # about a third of a passage in one verbatim stretch, or more
BOILERPLATE_DOCUMENTS = 3
LINEAGE_MIN_RATIO = 0.6
# Passages aligned per passage when the store is built, of those sharing most
# shingles with it: a version shares far more than any stock phrase does, and
# every passage of the corpus is aligned this many times at each build.
VERSION_CANDIDATES = 20


def link_lineage_and_boilerplate(conn: sqlite3.Connection) -> None:
    """Store each passage's parent, each family's root and each boilerplate flag."""
    parents, boilerplate = {}, []
    for row in conn.execute("SELECT id, doc_id, date, length, text FROM passages").fetchall():
        versions = [match.row for match in same_wording_elsewhere(conn, row) if similar_length(row, match.row)]
        if len({version["doc_id"] for version in versions}) + 1 >= BOILERPLATE_DOCUMENTS:
            boilerplate.append((row["id"],))
        parent = next((version for version in versions if earlier(version, row)), None)
        if parent is not None:
            parents[row["id"]] = parent["id"]
    conn.executemany("UPDATE passages SET boilerplate = 1 WHERE id = ?", boilerplate)
    members = set(parents) | set(parents.values())
    conn.executemany(
        "UPDATE passages SET parent = ?, family = ? WHERE id = ?",
        [(parents.get(member), _root(member, parents), member) for member in members],
    )


def same_wording_elsewhere(conn: sqlite3.Connection, row: sqlite3.Row) -> list:
    """The passages of other documents that account for much of this one's wording, best first."""
    def elsewhere(other) -> bool:
        return other["doc_id"] != row["doc_id"]

    matches = best_matches(conn, words(row["text"]), limit=VERSION_CANDIDATES, keep=elsewhere,
                           candidates=VERSION_CANDIDATES)
    return [match for match in matches if match.score >= SAME_WORDING_SCORE]


def similar_length(one: sqlite3.Row, other: sqlite3.Row) -> bool:
    shorter, longer = sorted((one["length"], other["length"]))
    return shorter >= LINEAGE_MIN_RATIO * longer


def earlier(one: sqlite3.Row, other: sqlite3.Row) -> bool:
    """Is `one` from a document dated before `other`'s? Undated passages cannot say."""
    return bool(one["date"]) and bool(other["date"]) and one["date"] < other["date"]


def _root(member: int, parents: dict[int, int]) -> int:
    # Parents are always earlier, so the walk ends.
    while member in parents:
        member = parents[member]
    return member
