"""Numbered reports (GRETA evaluations, UN documents): parts and sections as headings,
numbered paragraphs as passages, their lettered items below them, and notes kept apart."""
from __future__ import annotations

import re
from ingest.markers import SENTENCE_END
from ingest.segment import Piece, footnote_number, mark_title, parents_around_notes, read_number
from kb.model import Block, Passage, passage_id

PARAGRAPH = re.compile(r"^(\d{1,4})\.\s+(?=\S)")
# "I. Introduction", "A. International obligations", "Part II", "Appendix – List of ..."
NUMBERED_HEADING = re.compile(r"^(?:([IVXLC]{1,6})|([A-Z]))\.\s+(?=\S)")
STRUCTURAL = re.compile(r"^(?:Part|Chapter|Section|Appendix|Annex)\b", re.I)
NOTES = re.compile(r"^(?:notes|end\s?notes|foot\s?notes)$", re.I)
HEADING_MAX_CHARS = 160
PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)


def segment_report(blocks: list[Block], doc_id: str) -> list[Passage]:
    """Segment a report whose paragraphs carry running numbers (its furniture already dropped)."""
    pieces = join_page_breaks(classify(blocks))
    mark_title(pieces)
    paths = heading_paths(pieces)
    parents = parents_around_notes(pieces)
    return [
        Passage(
            doc_id=doc_id,
            seq=i + 1,
            text=piece.text,
            number=piece.number,
            role=role_of(piece),
            heading=paths[i],
            parent=passage_id(doc_id, parents[i] + 1) if parents[i] is not None else "",
            page=piece.page,
        )
        for i, piece in enumerate(pieces)
    ]


def classify(blocks: list[Block]) -> list[Piece]:
    """Tell headings, numbered paragraphs, their items and notes apart."""
    pieces: list[Piece] = []
    expected = 1  # the paragraph number that comes next
    for block in blocks:
        text = f"{block.marker} {block.text}" if block.marker and block.kind != "footnote" else block.text
        paragraph = PARAGRAPH.match(text)
        if block.kind == "footnote":
            pieces.append(Piece(block.text, "footnote", 0, block.page, number=footnote_number(block.marker)))
        elif block.kind == "heading":
            pieces.append(Piece(text, "heading", block.level, block.page, marker_class=heading_style(text)))
        elif paragraph and not (is_heading_like(text) and int(paragraph.group(1)) != expected):
            expected = int(paragraph.group(1)) + 1
            pieces.append(Piece(text[paragraph.end():], "paragraph", 0, block.page, number=paragraph.group(0).strip()))
        elif (paragraph or NUMBERED_HEADING.match(text)) and is_heading_like(text):
            pieces.append(Piece(text, "heading", 0, block.page, marker_class=heading_style(text)))
        else:
            piece = Piece(text, "item" if block.kind == "item" else "paragraph", block.level, block.page)
            read_number(piece)
            pieces.append(piece)
    return pieces


def is_heading_like(text: str) -> bool:
    """Short, and not ending as a sentence or a clause does."""
    return len(text) <= HEADING_MAX_CHARS and not SENTENCE_END.search(text) and not text.endswith(",")


def heading_style(text: str) -> str:
    """Name how a heading is numbered: "roman", "alpha", "decimal", "structural" or ""."""
    numbered = NUMBERED_HEADING.match(text)
    if numbered:
        return "roman" if numbered.group(1) else "alpha"
    if PARAGRAPH.match(text):
        return "decimal"
    return "structural" if STRUCTURAL.match(text) else ""


def join_page_breaks(pieces: list[Piece]) -> list[Piece]:
    """Join an unnumbered paragraph that opens a page to the numbered paragraph the break cut."""
    joined: list[Piece] = []
    for piece in pieces:
        body = [p for p in joined if p.kind != "footnote"]
        last = body[-1] if body else None
        if (
            last is not None
            and piece.kind == "paragraph"
            and not piece.number
            and not piece.marker_class
            and (last.number or last.marker_class)
            and last.kind != "heading"
            and piece.page is not None
            and last.page is not None
            and piece.page > last.page
            and starts_page(joined, piece)
        ):
            last.text = f"{last.text} {piece.text}"
            continue
        joined.append(piece)
    return joined


def starts_page(joined: list[Piece], piece: Piece) -> bool:
    """Nothing of the body stands above a piece on its page."""
    return not any(p.page == piece.page and p.kind != "footnote" for p in joined)


def heading_paths(pieces: list[Piece]) -> list[str]:
    """Give each passage its path of headings, leaving out the title page."""
    started = False
    levels: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    paths = []
    for piece in pieces:
        if piece.kind == "heading" and NOTES.match(piece.text):
            stack = []
            paths.append("")
            stack.append((0, piece.text))
            continue
        if piece.kind == "heading":
            started = started or bool(piece.marker_class)
            if started:
                level = heading_level(piece, levels, stack)
                stack = [(lvl, text) for lvl, text in stack if lvl < level]
                paths.append(" › ".join(text for _, text in stack))
                stack.append((level, piece.text))
                continue
        elif piece.number and piece.kind == "paragraph":
            started = True
        paths.append(" › ".join(text for _, text in stack))
    return paths


def heading_level(piece: Piece, levels: dict[str, int], stack: list[tuple[int, str]]) -> int:
    """A heading's depth: its type size where the layout gave one, else the depth its numbering first had."""
    if piece.level:
        if piece.marker_class:
            levels.setdefault(piece.marker_class, piece.level)
        return piece.level
    deepest = max((lvl for lvl, _ in stack), default=0)
    return levels.setdefault(piece.marker_class, deepest + 1)


def role_of(piece: Piece) -> str:
    """Headings, notes, list items and body paragraphs."""
    if piece.kind in ("heading", "footnote"):
        return piece.kind
    return "list_item" if piece.marker_class else "body"


def is_page_number(block: Block) -> bool:
    return bool(PAGE_NUMBER.match(block.text))
