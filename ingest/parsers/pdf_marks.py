"""What a PDF's type and page show and its text does not: superscript note marks, notes set
in small type, bold runs, and the running headers dropped from each page."""
from __future__ import annotations

import re
from typing import Iterable

from pdfminer.layout import LTChar

from kb.model import Block

NOTE_MARKS = set("0123456789*†‡")
SUPERSCRIPT_SIZE = 0.75  # of the line's type: a mark this small or smaller is set as a superscript
SUPERSCRIPT_RISE = 0.15  # of the line's type: how far a superscript sits above the baseline
SIZE_TOLERANCE = 0.5  # points, as in the layout
# A note set in small type with its number printed on the line: "12 See CEDAW/C/SVN/CO/7".
PLAIN_NOTE = re.compile(r"^(\d{1,3}|[*†‡])\s+(?=\S)")


def line_text(box: Iterable, size: float) -> tuple[str, str]:
    """Return a line's text without its superscript note references, and the mark that opens it.

    A superscript at the start of a line opens a footnote ("¹ See ..."); anywhere else it
    refers to one and is dropped, so that "review.¹ It is" reads "review. It is".
    """
    chars = list(box)
    baseline = min((c.y0 for c in chars if isinstance(c, LTChar) and abs(c.size - size) < SIZE_TOLERANCE), default=0.0)
    pieces: list[str] = []
    mark = ""
    for char in chars:
        text = char.get_text()
        if isinstance(char, LTChar) and is_superscript(char, size, baseline):
            if not any(piece.strip() for piece in pieces):
                mark += text
            continue
        pieces.append(text)
    return " ".join("".join(pieces).split()), mark


def is_superscript(char: LTChar, size: float, baseline: float) -> bool:
    """A note mark set small and raised above the line's baseline."""
    return (
        char.get_text() in NOTE_MARKS
        and char.size <= SUPERSCRIPT_SIZE * size
        and char.y0 >= baseline + SUPERSCRIPT_RISE * size
    )


def note_roles(groups: list[list], body_size: float) -> list[str]:
    """Name each paragraph group "note" (opens a footnote), "more" (carries one on) or ""."""
    roles: list[str] = []
    for i, group in enumerate(groups):
        small = group[0].size <= body_size - SIZE_TOLERANCE
        if group[0].note or (small and PLAIN_NOTE.match(group[0].text) and in_page_foot(groups, i, body_size)):
            roles.append("note")
        elif small and roles and roles[-1] in ("note", "more") and continues_note(groups[i - 1], group):
            roles.append("more")
        else:
            roles.append("")
    return roles


def in_page_foot(groups: list[list], index: int, body_size: float) -> bool:
    """Tell whether a group and everything after it on its page is set smaller than the body,
    but for a one-line footer closing the page ("GE.24-19950 (E)")."""
    page = groups[index][0].page
    after = [g for g in groups[index:] if g[0].page == page]
    if len(after) > 1 and len(after[-1]) == 1:
        after = after[:-1]
    return all(line.size <= body_size - SIZE_TOLERANCE for g in after for line in g)


def continues_note(previous: list, group: list) -> bool:
    """A small-type group right after a note, on its page or at the top of the next."""
    return group[0].page == previous[-1].page or group[0].page == previous[-1].page + 1


def note_text(group_text: str, mark: str) -> tuple[str, str]:
    """Split a footnote's text into its mark and its words."""
    if mark:
        return mark, group_text
    plain = PLAIN_NOTE.match(group_text)
    return (plain.group(1), group_text[plain.end():]) if plain else ("", group_text)


def all_bold(group: list) -> bool:
    letters = sum(line.letters for line in group)
    return bool(letters) and letters == sum(line.bold_letters for line in group)


def with_furniture(blocks: list[Block], pages: list[list], kept: list[list]) -> list[Block]:
    """Note on each block the running headers and footers dropped from its page."""
    dropped = {
        number: tuple(line.text for line in page if line not in kept_lines)
        for number, (page, kept_lines) in enumerate(zip(pages, kept), 1)
    }
    for block in blocks:
        block.extras["furniture"] = dropped.get(block.page, ())
    return blocks
