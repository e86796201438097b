"""Find the stored passages that reuse a text's wording: shared shingles, then alignment."""
from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from kb.alignment import Run, overlap_score, shared_runs
from kb.wording import Word, shingles, words

# Passages aligned per search: those sharing the most shingles with the text.
# Alignment is the costly step; the shingle count already puts a passage that
# reuses the wording far ahead of those sharing a stock phrase or two.
CANDIDATES = 60
# SQLite caps the number of parameters of one statement.
_CHUNK = 500
# What ranking and filtering candidates need, and what showing a match needs.
SORT_COLUMNS = "p.id, p.passage_id, p.doc_id, p.seq, p.date, p.length, p.boilerplate"
PASSAGE_COLUMNS = f"{SORT_COLUMNS}, p.number, p.role, p.text, d.title, d.issuer, d.place"


@dataclass
class Match:
    """A stored passage aligned with a text: its row, its words, the shared runs, the score."""

    row: sqlite3.Row
    words: list[Word]
    runs: list[Run]
    score: float


def order_key(row) -> tuple:
    """Date order, undated last; then document and reading order."""
    return (row["date"] == "", row["date"], row["doc_id"], row["seq"])


def best_matches(
    conn: sqlite3.Connection,
    draft: list[Word],
    *,
    limit: int,
    keep: Callable[[sqlite3.Row], bool] | None = None,
    candidates: int = CANDIDATES,
) -> list[Match]:
    """The passages that share the most wording with the draft, best first.

    keep sees each candidate's passage_id, doc_id, seq, date, length and
    boilerplate flag, and says whether it may be a match.
    """
    compared = [word.norm for word in draft]
    counts = _shared_shingle_counts(conn, shingles(compared))
    allowed = [row for row in _rows(conn, list(counts), SORT_COLUMNS) if keep is None or keep(row)]
    allowed.sort(key=lambda row: (-counts[row["id"]], order_key(row)))
    matches = []
    for row in _rows(conn, [row["id"] for row in allowed[: max(candidates, limit)]], PASSAGE_COLUMNS):
        passage = words(row["text"])
        runs = shared_runs(compared, [word.norm for word in passage])
        if runs:
            matches.append(Match(row, passage, runs, overlap_score(runs, len(compared))))
    matches.sort(key=lambda match: (-match.score, order_key(match.row)))
    return matches[:limit]


def _shared_shingle_counts(conn: sqlite3.Connection, hashes: list[int]) -> Counter:
    """How many of the given shingles each stored passage has."""
    counts: Counter = Counter()
    unique = list(set(hashes))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for (passage,) in conn.execute(f"SELECT passage FROM shingles WHERE hash IN ({marks})", chunk):
            counts[passage] += 1
    return counts


def _rows(conn: sqlite3.Connection, ids: list[int], columns: str) -> list[sqlite3.Row]:
    """The stored passages with these row ids, joined with their documents."""
    rows = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows += conn.execute(
            f"SELECT {columns} FROM passages p JOIN documents d USING (doc_id) WHERE p.id IN ({marks})", chunk,
        ).fetchall()
    return rows
