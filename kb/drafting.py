"""Drafting aids: a draft's precedents, and the passages like a passage ("more like this").

Everything here reads the drafting store (kb.drafting_store), which is built
from the index on first use after each commit. Wording lineage and boilerplate
are in kb.same_wording, cross-references between documents in kb.doc_links.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.alignment import redline
from kb.citations import pinpoint
from kb.drafting_store import no_such_passage, reading
from kb.errors import BadDraft
from kb.reuse import PASSAGE_COLUMNS, Match, best_matches, order_key
from kb.wording import SHINGLE_SIZE, Word, words

MAX_DRAFT_CHARS = 20_000  # about 3,000 words: a passage or a few, not a whole document
MAX_LIMIT = 50


@dataclass
class Precedent:
    """An earlier passage whose wording a draft shares, aligned with the draft."""

    passage: dict  # the stored passage, with its document's title, issuer and place
    score: float
    overlap: list[str]  # the shared runs of words, in the passage's order
    marks: list[tuple[int, int]]  # where those runs are in the passage's text
    diff: list[list[str]]  # see kb.alignment.redline: "-" dropped from the passage, "+" added by the draft

    def to_json(self) -> dict:
        p = self.passage
        return {
            "passage_id": p["passage_id"], "doc_id": p["doc_id"], "number": p["number"], "date": p["date"],
            "score": round(self.score, 3), "text": p["text"], "diff": self.diff,
            "title": p["title"], "citation": pinpoint(p, p), "overlap": self.overlap,
        }


@dataclass
class Precedents:
    """A draft's precedents, best first; same_as names the stored passage the draft is, word for word."""

    results: list[Precedent]
    same_as: str | None = None

    def to_json(self) -> dict:
        return {"results": [result.to_json() for result in self.results]}


def check_draft(text) -> str:
    """Return the draft if it can be compared, or raise BadDraft saying why not."""
    if not isinstance(text, str) or not text.strip():
        raise BadDraft("give the text of a draft to compare")
    if len(text) > MAX_DRAFT_CHARS:
        raise BadDraft(f"a draft is at most {MAX_DRAFT_CHARS:,} characters: compare passages, not a whole document",
                       f"{len(text):,} characters")
    if len(words(text)) < SHINGLE_SIZE:
        raise BadDraft(f"give at least {SHINGLE_SIZE} words: shorter wording is shared by chance", text.strip())
    return text


def find_precedents(text: str, home: Path | None = None, limit: int = 10, *, hide_boilerplate: bool = False) -> Precedents:
    """The passages that share most wording with a draft, best first.

    A draft that is word for word a stored passage is taken to be that passage
    (the latest, if several are alike): it is left out and named in same_as,
    and its earlier copies show as exact reuse.
    """
    check_draft(text)
    _check_limit(limit)
    draft = words(text)
    matches = _matches(draft, home, limit + 1, exclude=None, hide_boilerplate=hide_boilerplate)
    same_as = _draft_itself(matches, draft)
    kept = [m for m in matches if m.row["passage_id"] != same_as][:limit]
    return Precedents([_precedent(m, draft) for m in kept], same_as)


def precedents(text: str, home: Path | None = None, limit: int = 10) -> list[dict]:
    """find_precedents as the JSON results of `kb precedents --json` and POST /api/precedents."""
    return find_precedents(text, home, limit).to_json()["results"]


def find_similar(passage_id: str, home: Path | None = None, limit: int = 10, *,
                 hide_boilerplate: bool = False) -> tuple[dict, Precedents]:
    """A stored passage and the other passages that share most of its wording ("more like this")."""
    _check_limit(limit)
    passage = passage_record(passage_id, home)
    draft = words(passage["text"])
    matches = _matches(draft, home, limit, exclude=passage_id, hide_boilerplate=hide_boilerplate)
    return passage, Precedents([_precedent(m, draft) for m in matches])


def more_like_this(passage_id: str, home: Path | None = None, limit: int = 10) -> list[dict]:
    return find_similar(passage_id, home, limit)[1].to_json()["results"]


def passage_record(passage_id: str, home: Path | None = None) -> dict:
    """A stored passage with its document's title, issuer and place."""
    return passage_records([passage_id], home)[0]


def passage_records(passage_ids: list[str], home: Path | None = None) -> list[dict]:
    """Stored passages, in the order asked for; PassageNotFound names the first that is not stored."""
    with reading(home) as conn:
        rows = {
            row["passage_id"]: dict(row) for passage_id in passage_ids for row in conn.execute(
                f"SELECT {PASSAGE_COLUMNS} FROM passages p JOIN documents d USING (doc_id) WHERE p.passage_id = ?",
                (passage_id,),
            )
        }
    for passage_id in passage_ids:
        if passage_id not in rows:
            raise no_such_passage(passage_id)
    return [rows[passage_id] for passage_id in passage_ids]


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise BadDraft(f"limit must be between 1 and {MAX_LIMIT}", str(limit))


def _matches(draft: list[Word], home, limit: int, *, exclude: str | None, hide_boilerplate: bool) -> list[Match]:
    def keep(row) -> bool:
        return row["passage_id"] != exclude and not (hide_boilerplate and row["boilerplate"])

    with reading(home) as conn:
        return best_matches(conn, draft, limit=limit, keep=keep)


def _draft_itself(matches: list[Match], draft: list[Word]) -> str | None:
    wanted = [word.norm for word in draft]
    alike = [m.row for m in matches if [word.norm for word in m.words] == wanted]
    return max(alike, key=order_key)["passage_id"] if alike else None


def _precedent(match: Match, draft: list[Word]) -> Precedent:
    runs = sorted(match.runs, key=lambda run: run.precedent_at)
    spans = [match.words[run.precedent_at : run.precedent_at + run.length] for run in runs]
    return Precedent(
        passage=dict(match.row),
        score=match.score,
        overlap=[" ".join(word.surface for word in span) for span in spans],
        marks=[(span[0].start, span[-1].end) for span in spans],
        diff=redline(match.words, draft),
    )
