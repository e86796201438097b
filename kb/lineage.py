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

from kb.alignment import overlap_score, shared_runs
from kb.reuse import CANDIDATES, best_matches
from kb.wording import norms, words

SAME_WORDING_SCORE = 0.35  # about a third of a passage in one verbatim stretch, or more
BOILERPLATE_DOCUMENTS = 3
LINEAGE_MIN_RATIO = 0.6
# Passages aligned per passage when the store is built, of those sharing most
# shingles with it: a version shares far more than any stock phrase does, and
# every passage of the corpus is aligned this many times at each build.
VERSION_CANDIDATES = 20
# Passages looked at, when one is added or dropped, for those it is a version of.
NEIGHBOURS = CANDIDATES


def link_lineage_and_boilerplate(conn: sqlite3.Connection) -> None:
    """Store each passage's parent, each family's root and each boilerplate flag."""
    relink(conn, [row["id"] for row in conn.execute("SELECT id FROM passages")])


def relink(conn: sqlite3.Connection, ids) -> None:
    """Work out again the parent and boilerplate flag of the given passages, then every family's root."""
    updates = []
    for row in rows_of(conn, sorted(ids)):
        versions = [match.row for match in same_wording_elsewhere(conn, row) if similar_length(row, match.row)]
        boilerplate = len({version["doc_id"] for version in versions}) + 1 >= BOILERPLATE_DOCUMENTS
        parent = next((version for version in versions if earlier(version, row)), None)
        updates.append((int(boilerplate), parent["id"] if parent is not None else None, row["id"]))
    conn.executemany("UPDATE passages SET boilerplate = ?, parent = ? WHERE id = ?", updates)
    _link_families(conn)


def rows_of(conn: sqlite3.Connection, ids: list[int]) -> list[sqlite3.Row]:
    """The passages with these row ids, as lineage compares them."""
    rows = []
    for start in range(0, len(ids), 500):  # SQLite caps the parameters of one statement
        chunk = ids[start : start + 500]
        rows += conn.execute(f"SELECT id, doc_id, date, length, text FROM passages WHERE id IN "
                             f"({','.join('?' * len(chunk))}) ORDER BY id", chunk).fetchall()
    return rows


def _link_families(conn: sqlite3.Connection) -> None:
    """Give every passage with a parent or a child the root of its tree as its family."""
    parents = dict(conn.execute("SELECT id, parent FROM passages WHERE parent IS NOT NULL").fetchall())
    conn.execute("UPDATE passages SET family = NULL WHERE family IS NOT NULL")
    members = set(parents) | set(parents.values())
    conn.executemany("UPDATE passages SET family = ? WHERE id = ?", [(_root(m, parents), m) for m in members])


def touched_by(conn: sqlite3.Connection, row) -> set[int]:
    """The passages of other documents of which this one is, or was, a version.

    Adding or dropping this passage can change their lineage and boilerplate
    flag; they are found among the passages sharing most wording with it.
    """
    found = set()
    own = norms(row["text"])
    for match in best_matches(conn, words(row["text"]), limit=NEIGHBOURS, candidates=NEIGHBOURS,
                              keep=lambda other: other["doc_id"] != row["doc_id"]):
        theirs = [word.norm for word in match.words]
        if similar_length(row, match.row) and overlap_score(shared_runs(theirs, own), len(theirs)) >= SAME_WORDING_SCORE:
            found.add(match.row["id"])
    return found


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
