"""Segmentation: cleaned blocks become numbered passages with roles and parents."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.markers import SENTENCE_END
from kb.model import Block, Passage, passage_id

# Participles that open the preamble of a declaration ("RECALLING the ...").
PREAMBLE_OPENERS = (
    "ACKNOWLEDGING", "AFFIRMING", "APPRECIATING", "AWARE", "BEARING IN MIND",
    "BUILDING", "COGNISANT", "COGNIZANT", "CONCERNED", "CONSCIOUS", "CONSIDERING",
    "CONVINCED", "DEEPLY CONCERNED", "DETERMINED", "EMPHASISING", "EMPHASIZING",
    "ENCOURAGING", "EXPRESSING", "GUIDED", "HAVING", "HIGHLIGHTING", "MINDFUL",
    "NOTING", "REAFFIRMING", "RECALLING", "RECOGNISING", "RECOGNIZING",
    "REFERRING", "REITERATING", "STRESSING", "TAKING INTO ACCOUNT",
    "TAKING NOTE", "THANKING", "UNDERLINING", "WELCOMING",
)
# Verbs that carry the operative clauses of a declaration ("COMMIT TO: ...").
OPERATIVE_VERBS = (
    "UNDERTAKE TO", "COMMIT TO", "CALL UPON", "CALL ON", "AGREE TO", "DECIDE TO",
    "ACKNOWLEDGE", "ADOPT", "AFFIRM", "AGREE", "APPEAL", "COMMIT", "CONDEMN",
    "DECIDE", "DECLARE", "EMPHASISE", "EMPHASIZE", "ENCOURAGE", "ENDORSE",
    "EXPRESS", "INVITE", "PLEDGE", "REAFFIRM", "RECOMMEND", "REITERATE",
    "REQUEST", "RESOLVE", "STRESS", "SUPPORT", "THANK", "UNDERLINE", "UNDERTAKE",
    "URGE", "WELCOME",
)


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


PREAMBLE = re.compile(rf"^(?:{_alternation(PREAMBLE_OPENERS)})\b(?!-)")
OPERATIVE = re.compile(rf"(?<![\w-])({_alternation(OPERATIVE_VERBS)})(?![\w-])")
OPERATIVE_LOWER = re.compile(rf"\bwe\s+(?:hereby\s+|shall\s+)?({_alternation(OPERATIVE_VERBS)})\b", re.I)
# Where one block holds several clauses: "...; WELCOMING the ...", "... countries. WELCOMING",
# "...; 1. REITERATE ..." (a number only when an operative verb follows, so dates stay whole)
# or "...: · Publicise ...".
INLINE_CLAUSE = re.compile(
    rf"(?<=[;:.])\s+(?=(?:{_alternation(PREAMBLE_OPENERS)})\s"
    rf"|\d{{1,3}}[.)]\s+(?:{_alternation(OPERATIVE_VERBS)})\b)"
)
INLINE_BULLET = re.compile(r"\s+[·•]\s+")
LEAD_BULLET = re.compile(r"^[·•▪◦\-–—*]\s+")

NUMBER_FORMS = [
    ("decimal", re.compile(r"^(\d{1,3})[.)](?=\s)")),
    ("decimal", re.compile(r"^\((\d{1,3})\)(?=\s)")),
    ("roman", re.compile(r"^\(([ivxlc]{1,6})\)(?=\s)")),
    ("roman", re.compile(r"^([ivxlc]{1,6})[.)](?=\s)")),
    ("upper-roman", re.compile(r"^\(?([IVXLC]{1,6})[.)](?=\s)")),
    ("alpha", re.compile(r"^\(([a-z])\)(?=\s)")),
    ("alpha", re.compile(r"^([a-z])\)(?=\s)")),
]
STRUCTURAL_HEADING = re.compile(r"^(Part|Chapter|Section|Title|Annex|Appendix)\s+\w+", re.I)
TITLE_MAX_CHARS = 300
FRONT_MATTER_ENDS_AT = 200  # a passage this long is body text, not a title page


@dataclass
class Piece:
    """A block on its way to becoming a passage."""

    text: str
    kind: str
    level: int
    page: int | None
    number: str = ""
    marker_class: str = ""  # "decimal", "roman", "alpha", "bullet" or ""


def segment(blocks: list[Block], doc_id: str, doc_type: str = "") -> list[Passage]:
    """Turn a document's cleaned blocks into passages in reading order, by the profile of its kind."""
    # Imported here: the profiles build on the general rules of this module.
    from ingest.profiles import profile_segmenter

    special = profile_segmenter(doc_type, blocks)
    return special(blocks, doc_id) if special else segment_general(blocks, doc_id)


def segment_general(blocks: list[Block], doc_id: str) -> list[Passage]:
    """Segment declarations, strategies and anything without a profile of its own."""
    pieces = [piece for block in blocks for piece in split_block(block)]
    mark_title(pieces)
    parents = parents_around_notes(pieces)
    headings = heading_paths(pieces)
    verbs = own_verbs(pieces)
    operative_started = False
    passages: list[Passage] = []
    for i, piece in enumerate(pieces):
        verb = verbs[i] or (verbs[parents[i]] if parents[i] is not None else "")
        if verb and not verbs[i] and parents[i] is not None:
            verbs[i] = verb  # grandchildren inherit through their parent
        role = passage_role(piece, verb, operative_started)
        operative_started = operative_started or role == "operative"
        passages.append(
            Passage(
                doc_id=doc_id,
                seq=i + 1,
                text=piece.text,
                number=piece.number,
                role=role,
                verb=verb,
                heading=headings[i],
                parent=passage_id(doc_id, parents[i] + 1) if parents[i] is not None else "",
                page=piece.page,
            )
        )
    return reclassify_early_items(passages, pieces)


def split_block(block: Block) -> list[Piece]:
    """Split a block holding several clauses or bullets, then read each one's number."""
    if block.kind == "heading":
        return [Piece(block.text, "heading", block.level, block.page)]
    if block.kind == "footnote":
        return [Piece(block.text, "footnote", 0, block.page, number=footnote_number(block.marker))]
    texts = INLINE_CLAUSE.split(block.text)
    pieces: list[Piece] = []
    for t_index, text in enumerate(texts):
        parts = INLINE_BULLET.split(text)
        for p_index, part in enumerate(parts):
            first = t_index == 0 and p_index == 0
            piece = Piece(part.strip(), block.kind if first else "paragraph", block.level, block.page)
            if first and block.marker:
                piece.number, piece.marker_class = block.marker, marker_class(block.marker)
            elif p_index > 0:
                piece.marker_class, piece.kind = "bullet", "item"
            read_number(piece)
            if piece.text:
                pieces.append(piece)
    return pieces


def marker_class(marker: str) -> str:
    """Name the numbering style of a printed marker ("6)" is decimal)."""
    for name, pattern in NUMBER_FORMS:
        if pattern.match(marker + " "):
            return name
    return "bullet"


def read_number(piece: Piece) -> None:
    """Move a printed number or bullet from the start of the text to the piece."""
    bullet = LEAD_BULLET.match(piece.text)
    if bullet:
        piece.text = piece.text[bullet.end():]
        piece.marker_class = piece.marker_class or "bullet"
    for name, pattern in NUMBER_FORMS:
        match = pattern.match(piece.text)
        if match and not piece.number:
            piece.number = match.group(0)
            piece.marker_class = name
            piece.text = piece.text[match.end():].strip()
            break
    if piece.kind == "item" and not piece.marker_class:
        piece.marker_class = "bullet"


def footnote_number(marker: str) -> str:
    """Number a footnote as citations name it: "fn. 12"."""
    return f"fn. {marker}" if marker else ""


def parents_around_notes(pieces: list[Piece]) -> list[int | None]:
    """Assign parents as if footnotes were not there: a page's notes do not end the list above them."""
    kept = [i for i, piece in enumerate(pieces) if piece.kind != "footnote"]
    parents: list[int | None] = [None] * len(pieces)
    for position, parent in enumerate(assign_parents([pieces[i] for i in kept])):
        parents[kept[position]] = kept[parent] if parent is not None else None
    return parents


def mark_title(pieces: list[Piece]) -> None:
    """Treat a short opening line without a full stop as the document's title."""
    if pieces and pieces[0].kind != "heading":
        first = pieces[0]
        if len(first.text) <= TITLE_MAX_CHARS and not SENTENCE_END.search(first.text) and not first.marker_class:
            first.kind, first.level = "heading", 1


def assign_parents(pieces: list[Piece]) -> list[int | None]:
    """Give list items the clause that introduces them (one ending in a colon)."""
    parents: list[int | None] = []
    open_clauses: list[list] = []  # [index, numbering style of its children]
    for i, piece in enumerate(pieces):
        parent = None
        if piece.kind == "heading":
            open_clauses = []
        elif piece.marker_class:
            while open_clauses and open_clauses[-1][1] not in ("", piece.marker_class):
                open_clauses.pop()
            if open_clauses:
                parent = open_clauses[-1][0]
                open_clauses[-1][1] = piece.marker_class
        else:
            open_clauses = []
        parents.append(parent)
        if piece.kind != "heading" and piece.text.rstrip().endswith(":"):
            open_clauses.append([i, ""])
    return parents


def own_verbs(pieces: list[Piece]) -> list[str]:
    """Find the operative verb a clause carries itself, if any."""
    verbs = []
    for piece in pieces:
        verb = ""
        if piece.kind not in ("heading", "footnote") and not PREAMBLE.match(piece.text):
            match = OPERATIVE.search(piece.text[:160]) or OPERATIVE_LOWER.search(piece.text[:400])
            if match and (match.re is OPERATIVE_LOWER or _is_leading_capitals(piece.text, match)):
                verb = " ".join(match.group(1).upper().split())
        verbs.append(verb)
    return verbs


def _is_leading_capitals(text: str, match: re.Match) -> bool:
    """An upper-case verb counts when it opens the clause or follows its lead-in."""
    before = text[: match.start()].rstrip()
    return not before or before.endswith(",") or before.upper() == before


def passage_role(piece: Piece, verb: str, operative_started: bool) -> str:
    """Name what a passage does in its document."""
    if piece.kind in ("heading", "footnote"):
        return piece.kind
    if PREAMBLE.match(piece.text):
        return "preamble"
    if verb:
        return "operative"
    if piece.marker_class:
        return "list_item"
    return "body"


def reclassify_early_items(passages: list[Passage], pieces: list[Piece]) -> list[Passage]:
    """In a declaration, "-ing" list items before the first operative clause are preamble."""
    first_operative = next((i for i, p in enumerate(passages) if p.role == "operative"), None)
    if first_operative is None:
        return passages
    result = []
    for i, passage in enumerate(passages):
        first_word = passage.text.split(" ", 1)[0]
        if i < first_operative and passage.role == "list_item" and first_word.lower().endswith("ing"):
            passage = replace(passage, role="preamble")
        result.append(passage)
    return result


def heading_paths(pieces: list[Piece]) -> list[str]:
    """Give each passage the path of headings above it, title page excluded."""
    front_matter = True
    levels_by_kind: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    paths = []
    for piece in pieces:
        if piece.kind == "heading":
            structural = STRUCTURAL_HEADING.match(piece.text)
            if structural:
                front_matter = False
                kind = structural.group(1).lower()
                level = levels_by_kind.setdefault(kind, piece.level)
            else:
                level = piece.level
            if not front_matter:
                stack = [(lvl, text) for lvl, text in stack if lvl < level]
                stack.append((level, piece.text))
                paths.append(" › ".join(text for _, text in stack[:-1]))
                continue
        elif piece.kind != "footnote" and (len(piece.text) >= FRONT_MATTER_ENDS_AT or piece.marker_class):
            front_matter = False
        paths.append(" › ".join(text for _, text in stack))
    return paths
