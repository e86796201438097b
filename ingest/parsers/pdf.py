"""PDF: text lines read with pdfminer.six, rebuilt into headings, paragraphs and items."""
from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterator

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTContainer, LTPage, LTTextLine
from pdfminer.pdfdocument import PDFEncryptionError

from ingest.markers import SENTENCE_END
from ingest.parsers import parser
from ingest.parsers.pdf_marks import all_bold, line_text, note_roles, note_text, with_furniture
from kb.errors import EmptyDocument, ParseError
from kb.model import Block

log = logging.getLogger(__name__)

# pdfminer can loop for a long time on a pathological file; no policy text is longer.
MAX_PAGES = 2000
# A list marker opening a line, followed by a space or nothing at all.
LIST_MARKER = re.compile(
    r"""^(?:
        [•·▪◦●○■□►➢*\-–—]                     # a bullet or a dash
        | \d{1,3}[.)]                          # 1.  1)
        | \((?:\d{1,3}|[ivxlc]{1,6}|[a-z])\)   # (1)  (iv)  (a)
        | (?:[ivxlc]{1,6}|[a-z])\)              # iv)  a)
    )(?:\s|$)""",
    re.VERBOSE,
)
PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–]?\s*\d{1,3}\s*[-–]?(?:\s*(?:/|of)\s*\d{1,3})?$", re.I)
# Where a running header or footer carries the page number: "Page 3 of 9", "3 | ICMPD", "ICMPD - 3".
PAGE_COUNTER = re.compile(r"\d+\s*(?:/|of)\s*\d+|^\d+|\d+$", re.I)
STYLED_FONT = re.compile(r"bold|black|heavy|semibold|demi|italic|oblique", re.I)
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.I)
SAME_BASELINE = 0.25  # of the font size: lines this close in height share a baseline
PARAGRAPH_GAP = 1.3  # of the usual line pitch: a wider gap starts a new paragraph
SIZE_TOLERANCE = 0.5  # points: font sizes closer than this are the same size
HEADING_MAX_CHARS = 200  # text this long is a paragraph set large or in bold, not a heading
FURNITURE_LINES = 2  # running headers and footers sit in the first or last lines of a page


@dataclass(frozen=True)
class Line:
    """One line of text on a page, with what layout needs of its characters."""

    text: str
    page: int
    x0: float
    x1: float
    bottom: float
    size: float
    letters: int
    styled_letters: int  # letters set in a bold or italic face
    bold_letters: int = 0
    note: str = ""  # the superscript mark that opens a footnote on this line


@parser("pdf")
def parse_pdf(data: bytes, source: str) -> list[Block]:
    """Parse a PDF from its bytes into headings, paragraphs and list items."""
    pages = [page_lines(layout, number) for number, layout in enumerate(read_layout(data, source), 1)]
    if len(pages) == MAX_PAGES:
        log.warning("%s: stopped reading at the cap of %d pages", source, MAX_PAGES)
    kept = drop_page_furniture(pages)
    lines = [line for page in kept for line in page]
    if not any(line.letters for line in lines):
        raise EmptyDocument("no text found in the PDF (a scanned image?)", source)
    return with_furniture(build_blocks(lines), pages, kept)


def read_layout(data: bytes, source: str) -> Iterator[LTPage]:
    """Yield the laid-out pages of a PDF, turning pdfminer's failures into ParseError."""
    pages = extract_pages(io.BytesIO(data), laparams=LAParams(), maxpages=MAX_PAGES)
    while True:
        try:
            page = next(pages)
        except StopIteration:
            return
        except PDFEncryptionError:
            raise ParseError("encrypted PDF: it needs a password", source) from None
        except MemoryError:
            raise  # the parse budget reports it (ingest/budget.py)
        except Exception:
            # A damaged file fails deep inside pdfminer with any kind of error
            # (KeyError, struct.error, zlib.error, PSEOF...); none is worth a traceback
            # to the user, but it is kept in the debug log for whoever fixes the parser.
            log.debug("%s: pdfminer failed", source, exc_info=True)
            raise ParseError("not a readable PDF (corrupt or truncated)", source) from None
        yield page


def page_lines(page: LTPage, number: int) -> list[Line]:
    """Return a page's lines top to bottom, a marker joined to the text on its baseline."""
    lines = [line for line in (line_of(box, number) for box in text_lines(page)) if line.text or line.note]
    lines.sort(key=lambda line: (-line.bottom, line.x0))
    rows: list[list[Line]] = []
    for line in lines:
        if rows and rows[-1][0].bottom - line.bottom < SAME_BASELINE * line.size:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [merged for row in rows for merged in merge_row(sorted(row, key=lambda line: line.x0))]


def text_lines(item) -> Iterator[LTTextLine]:
    """Find the text lines anywhere inside a layout object."""
    if isinstance(item, LTTextLine):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from text_lines(child)


def line_of(box: LTTextLine, page: int) -> Line:
    """Describe one pdfminer text line."""
    chars = [c for c in box if isinstance(c, LTChar)]
    letters = [c for c in chars if c.get_text().isalnum()]
    sizes = Counter(round(c.size * 2) / 2 for c in chars)
    size = sizes.most_common(1)[0][0] if sizes else 0.0
    text, note = line_text(box, size)
    return Line(
        text=text,
        page=page,
        x0=box.x0,
        x1=box.x1,
        bottom=box.y0,
        size=size,
        letters=len(letters),
        styled_letters=sum(1 for c in letters if STYLED_FONT.search(c.fontname)),
        bold_letters=sum(1 for c in letters if BOLD_FONT.search(c.fontname)),
        note=note,
    )


def merge_row(row: list[Line]) -> list[Line]:
    """Join the pieces of one baseline: a list marker and its text, or a line split by wide spacing."""
    merged = [row[0]]
    for line in row[1:]:
        left = merged[-1]
        if LIST_MARKER.fullmatch(left.text) or not left.text or line.x0 - left.x1 < line.size:
            merged[-1] = Line(
                text=f"{left.text} {line.text}".strip(),
                page=left.page,
                x0=left.x0,
                x1=line.x1,
                bottom=min(left.bottom, line.bottom),
                size=max((left, line), key=lambda part: len(part.text)).size,
                letters=left.letters + line.letters,
                styled_letters=left.styled_letters + line.styled_letters,
                bold_letters=left.bold_letters + line.bold_letters,
                note=left.note,
            )
        else:
            merged.append(line)
    return merged


def drop_page_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop page numbers and the headers and footers repeated on most pages."""
    running = running_lines(pages)
    return [[line for line in page if not is_furniture(line, page, running)] for page in pages]


def is_furniture(line: Line, page: list[Line], running: set[tuple[str, int]]) -> bool:
    """Tell whether a line is a running header or footer, or a bare page number."""
    if line not in edge_lines(page):
        return False
    page_number = line in (page[0], page[-1]) and PAGE_NUMBER.match(line.text)
    return bool(page_number) or furniture_key(line) in running


def running_lines(pages: list[list[Line]]) -> set[tuple[str, int]]:
    """Find the lines that repeat at the same place on most pages."""
    counts = Counter(key for page in pages for key in {furniture_key(line) for line in edge_lines(page)})
    return {key for key, count in counts.items() if count >= 2 and count > len(pages) / 2}


def edge_lines(page: list[Line]) -> list[Line]:
    return page[:FURNITURE_LINES] + page[-FURNITURE_LINES:]


def furniture_key(line: Line) -> tuple[str, int]:
    """Name a line by its text, page number masked, and its height on the page."""
    return PAGE_COUNTER.sub("#", line.text.lower()), round(line.bottom / 4)


def build_blocks(lines: list[Line]) -> list[Block]:
    """Group lines into paragraphs, then name each a heading, an item or a paragraph."""
    groups = paragraphs(lines, line_pitch(lines))
    body_size = body_font_size(lines)
    notes = note_roles(groups, body_size)
    headings = [not note and is_heading(group, body_size) for group, note in zip(groups, notes)]
    heading_sizes = sorted({g[0].size for g, heading in zip(groups, headings) if heading}, reverse=True)
    indents = sorted({round(g[0].x0) for g, note in zip(groups, notes) if not note and LIST_MARKER.match(g[0].text)})
    blocks = []
    for group, heading, note in zip(groups, headings, notes):
        text, page = join_lines([line.text for line in group]), group[0].page
        # Type size and weight stay with the block: profiles tell notes and recommendations by them.
        extras = {"size": group[0].size, "bold": all_bold(group)}
        if note == "more":
            blocks[-1] = replace(blocks[-1], text=join_lines([blocks[-1].text, text]))
        elif note:
            mark, words = note_text(text, group[0].note)
            blocks.append(Block(words, kind="footnote", marker=mark, page=page, extras=extras))
        elif heading:
            level = heading_sizes.index(group[0].size) + 1  # the largest type is level 1
            blocks.append(Block(text, kind="heading", level=level, page=page, extras=extras))
        elif LIST_MARKER.match(text):
            depth = indents.index(round(group[0].x0))
            blocks.append(Block(text, kind="item", level=depth, page=page, extras=extras))
        else:
            blocks.append(Block(text, page=page, extras=extras))
    return blocks


def body_font_size(lines: list[Line]) -> float:
    """Return the font size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0]


def line_pitch(lines: list[Line]) -> float:
    """Return the usual distance between baselines, as a multiple of the font size."""
    ratios = Counter(
        round((above.bottom - below.bottom) / below.size, 2)
        for above, below in zip(lines, lines[1:])
        if above.page == below.page and abs(above.size - below.size) < SIZE_TOLERANCE and below.size
    )
    return ratios.most_common(1)[0][0] if ratios else 1.2  # single spacing, for one-line pages


def paragraphs(lines: list[Line], pitch: float) -> list[list[Line]]:
    """Rebuild paragraphs from wrapped lines."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups and not starts_paragraph(groups[-1][-1], line, pitch):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def starts_paragraph(previous: Line, line: Line, pitch: float) -> bool:
    """Tell whether a line opens a paragraph: it starts a page, follows a wide gap,
    sits beside the line before, changes the font size or begins with a list marker."""
    gap = previous.bottom - line.bottom
    size = max(previous.size, line.size)
    return (
        line.page != previous.page
        or not SAME_BASELINE * size <= gap <= PARAGRAPH_GAP * pitch * size
        or abs(line.size - previous.size) >= SIZE_TOLERANCE
        or bool(LIST_MARKER.match(line.text))
        or bool(line.note)
    )


def is_heading(group: list[Line], body_size: float) -> bool:
    """A paragraph in a larger font than the body, or short and all bold or italic."""
    text = join_lines([line.text for line in group])
    letters = sum(line.letters for line in group)
    if not letters or LIST_MARKER.match(text) or len(text) > HEADING_MAX_CHARS:
        return False
    if group[0].size >= body_size + SIZE_TOLERANCE:
        return True
    all_styled = letters == sum(line.styled_letters for line in group)
    return all_styled and not SENTENCE_END.search(text)


def join_lines(texts: list[str]) -> str:
    """Join wrapped lines with spaces.

    A hyphen at a line end is kept, as "non- punishment": cleaning knows the
    whole document and decides whether the word was split or is hyphenated.
    """
    joined = texts[0]
    for text in texts[1:]:
        if joined.endswith("\u00ad"):  # a typesetter's discretionary hyphen: one word
            joined = joined[:-1] + text
        else:
            joined = f"{joined} {text}"
    return joined
