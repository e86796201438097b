"""Word (.docx) parsing with the standard library: paragraphs, tables, headings, lists.

A .docx file is a ZIP archive of XML parts. The text is in word/document.xml;
word/styles.xml names the paragraph styles (which tells headings apart) and
word/numbering.xml says how list paragraphs are numbered, because Word prints
list numbers from counters instead of keeping them in the text.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, replace
from typing import Iterator
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from ingest.markers import roman
from ingest.parsers.package import check_part_count, read_parts_capped
from ingest.parsers import parser
from kb.errors import EmptyDocument, ParseError
from kb.model import Block

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
DOCUMENT, STYLES, NUMBERING = "word/document.xml", "word/styles.xml", "word/numbering.xml"
UNREADABLE = "not a readable Word document (corrupt or truncated)"
# Word never writes a DTD; one in a part can only be there to expand entities.
FORBIDDEN_MARKUP = [
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
]
HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.I)
PLACEHOLDER = re.compile(r"%([1-9])")
# Deleted and moved-away text, field codes and alternative renderings are not
# what the reader sees; paragraph properties hold tab stops that are not tabs.
SKIPPED = {W + "del", W + "moveFrom", W + "delText", W + "instrText", W + "pPr", MC_FALLBACK}
SPACES = {W + "tab", W + "ptab", W + "br", W + "cr"}
# Content controls and custom XML wrap paragraphs, rows and cells without changing them.
WRAPPERS = {W + "sdt", W + "sdtContent", W + "customXml"}


@parser("docx")
def parse_docx(data: bytes, source: str) -> list[Block]:
    """Parse a Word document from its bytes."""
    parts = read_parts(data, source)
    body = parts[DOCUMENT].find(W + "body")
    if body is None:
        raise ParseError(UNREADABLE, source)
    reader = Reader(Styles(parts.get(STYLES)), Numbering(parts.get(NUMBERING)))
    try:
        blocks = list(reader.blocks(body))
    except RecursionError:
        raise ParseError("refused: the Word document nests content too deeply", source) from None
    if not blocks:
        raise EmptyDocument("no text found in the Word document", source)
    return blocks


def read_parts(data: bytes, source: str) -> dict[str, Element]:
    """Unpack and parse the XML parts the parser reads, refusing zip bombs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_part_count(package, source)
            present = set(package.namelist())
            names = [n for n in (DOCUMENT, STYLES, NUMBERING) if n in present]
            if DOCUMENT not in names:
                raise ParseError(UNREADABLE, source)
            unpacked = read_parts_capped(package, names, source)
            return {name: parse_xml(part, source) for name, part in unpacked.items()}
    # ValueError: a damaged archive can hold a name that is not UTF-8, or a bad header field.
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise ParseError(UNREADABLE, source) from None


def parse_xml(data: bytes, source: str) -> Element:
    """Parse one XML part of the package, refusing any DTD."""
    if any(mark in data for mark in FORBIDDEN_MARKUP):
        raise ParseError("refused: the Word file declares a DTD or entities", source)
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise ParseError(UNREADABLE, source) from None


class Reader:
    """Turns the body of a document into blocks, numbering lists as it goes."""

    def __init__(self, styles: Styles, numbering: Numbering):
        self.styles = styles
        self.numbering = numbering

    def blocks(self, body: Element) -> Iterator[Block]:
        """Yield the blocks of the body's paragraphs and table rows in reading order."""
        for element in content(body, {W + "p", W + "tbl"}):
            if element.tag == W + "tbl":
                yield from self.table_rows(element)
            else:
                block = self.paragraph(element)
                if block:
                    yield block

    def paragraph(self, paragraph: Element) -> Block | None:
        """Return the block of one paragraph, or None if it holds no text."""
        props = paragraph.find(W + "pPr")
        style_id = child_value(props, "pStyle")
        reference = self.list_reference(props, style_id)
        # Counted before the text is looked at: Word numbers empty items too.
        marker = self.numbering.marker(*reference) if reference else None
        text = paragraph_text(paragraph)
        if not text:
            return None
        heading_level = self.styles.heading_level(style_id)
        if heading_level:
            return Block(f"{marker} {text}" if marker else text, kind="heading", level=heading_level)
        if marker is not None:
            return Block(text, kind="item", level=reference[1], marker=marker)
        return Block(text)

    def list_reference(self, props: Element | None, style_id: str | None) -> tuple[str, int] | None:
        """Return the (numId, level) a paragraph is numbered with, by itself or its style."""
        inherited_id, inherited_level = self.styles.list_reference(style_id) or ("", 0)
        own = props.find(W + "numPr") if props is not None else None
        num_id = child_value(own, "numId") or inherited_id
        level = int_value(child_value(own, "ilvl"), inherited_level)
        if not num_id or num_id == "0":  # numId 0 takes a styled paragraph out of its list
            return None
        return num_id, min(max(level, 0), 8)

    def table_rows(self, table: Element) -> Iterator[Block]:
        """Yield one block per table row, its cells joined with " | "."""
        for row in content(table, {W + "tr"}):
            cells = [self.cell_text(cell) for cell in content(row, {W + "tc"})]
            text = " | ".join(cell for cell in cells if cell)
            if text:
                yield Block(text)

    def cell_text(self, cell: Element) -> str:
        """Return the text of a cell's paragraphs, each with its printed list number."""
        texts = []
        for paragraph in cell.iter(W + "p"):
            block = self.paragraph(paragraph)
            if block:
                texts.append(f"{block.marker} {block.text}" if block.marker else block.text)
        return " ".join(texts)


def content(element: Element, tags: set[str]) -> Iterator[Element]:
    """Yield the children with the given tags, looking through content controls."""
    for child in element:
        if child.tag in tags:
            yield child
        elif child.tag in WRAPPERS:
            yield from content(child, tags)


def paragraph_text(paragraph: Element) -> str:
    """Return the visible text of a paragraph with its whitespace collapsed."""
    hidden = {id(node) for top in paragraph.iter() if top.tag in SKIPPED for node in top.iter()}
    pieces = []
    for node in paragraph.iter():
        if id(node) in hidden:
            continue
        if node.tag == W + "t":
            pieces.append(node.text or "")
        elif node.tag in SPACES:
            pieces.append(" ")
        elif node.tag == W + "noBreakHyphen":
            pieces.append("-")
    return " ".join("".join(pieces).split())


def child_value(element: Element | None, name: str) -> str | None:
    """Return the w:val of a child element, if both exist."""
    child = element.find(W + name) if element is not None else None
    return child.get(W + "val") if child is not None else None


def int_value(value: str | None, default: int) -> int:
    """Read a number attribute, falling back to a default when absent or malformed."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Style:
    """What the parser needs of a paragraph style."""

    name: str
    based_on: str | None
    list_reference: tuple[str, int] | None


class Styles:
    """The paragraph styles of a document, followed through their basedOn chains."""

    def __init__(self, root: Element | None):
        self.by_id: dict[str, Style] = {}
        for style in root.iter(W + "style") if root is not None else ():
            if style.get(W + "type") in (None, "paragraph"):
                self.by_id[style.get(W + "styleId", "")] = read_style(style)

    def chain(self, style_id: str | None) -> Iterator[tuple[str, Style]]:
        """Yield a style and those it is based on, stopping at loops."""
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id.get(style_id, Style("", None, None))
            yield style_id, style
            style_id = style.based_on

    def heading_level(self, style_id: str | None) -> int:
        """Return the heading level a style gives (Title counts as 1), or 0."""
        for ident, style in self.chain(style_id):
            for name in (style.name, ident):
                match = HEADING_NAME.match(name)
                if match:
                    return int(match.group(1))
                if name.lower() == "title":
                    return 1
        return 0

    def list_reference(self, style_id: str | None) -> tuple[str, int] | None:
        """Return the (numId, level) a style numbers its paragraphs with, if any."""
        return next((s.list_reference for _, s in self.chain(style_id) if s.list_reference), None)


def read_style(style: Element) -> Style:
    """Read a style's name, parent style and list numbering."""
    num_pr = style.find(f"{W}pPr/{W}numPr")
    num_id = child_value(num_pr, "numId")
    reference = (num_id, int_value(child_value(num_pr, "ilvl"), 0)) if num_id else None
    return Style(child_value(style, "name") or "", child_value(style, "basedOn"), reference)


@dataclass(frozen=True)
class Level:
    """How one level of a list prints its number: format, template and first value."""

    fmt: str
    text: str
    start: int


class Numbering:
    """The list definitions of a document and the counters Word keeps while printing it."""

    def __init__(self, root: Element | None):
        self.levels = read_numbering(root) if root is not None else {}
        self.counters: dict[tuple[str, int], int] = {}

    def marker(self, num_id: str, ilvl: int) -> str | None:
        """Count one paragraph of a list and return its printed marker.

        "" stands for a bullet; None means the paragraph shows no list mark.
        """
        level = self.levels.get(num_id, {}).get(ilvl)
        if level is None or level.fmt == "none":
            return None
        key = (num_id, ilvl)
        self.counters[key] = self.counters[key] + 1 if key in self.counters else level.start
        for deeper in range(ilvl + 1, 9):
            self.counters.pop((num_id, deeper), None)
        if level.fmt == "bullet":
            return ""
        return PLACEHOLDER.sub(lambda m: self.printed(num_id, int(m.group(1)) - 1), level.text).strip()

    def printed(self, num_id: str, ilvl: int) -> str:
        """Return the current number of one level of a list, as the document prints it."""
        level = self.levels[num_id].get(ilvl)
        if level is None:
            return ""
        return format_number(self.counters.get((num_id, ilvl), level.start), level.fmt)


def read_numbering(root: Element) -> dict[str, dict[int, Level]]:
    """Resolve every list (w:num) to its levels, overrides applied."""
    abstracts = {a.get(W + "abstractNumId"): read_levels(a) for a in root.iter(W + "abstractNum")}
    lists = {}
    for num in root.iter(W + "num"):
        levels = dict(abstracts.get(child_value(num, "abstractNumId"), {}))
        for override in num.iter(W + "lvlOverride"):
            ilvl = int_value(override.get(W + "ilvl"), 0)
            if override.find(W + "lvl") is not None:
                levels[ilvl] = read_level(override.find(W + "lvl"))
            start = child_value(override, "startOverride")
            if start is not None and ilvl in levels:
                levels[ilvl] = replace(levels[ilvl], start=int_value(start, levels[ilvl].start))
        lists[num.get(W + "numId")] = levels
    return lists


def read_levels(abstract: Element) -> dict[int, Level]:
    """Read the levels of one list definition (w:abstractNum) by their ilvl."""
    return {int_value(lvl.get(W + "ilvl"), 0): read_level(lvl) for lvl in abstract.iter(W + "lvl")}


def read_level(lvl: Element) -> Level:
    """Read one list level; without w:start it begins at 0, as the standard says."""
    return Level(
        fmt=child_value(lvl, "numFmt") or "decimal",
        text=child_value(lvl, "lvlText") or "",
        start=int_value(child_value(lvl, "start"), 0),
    )


def format_number(value: int, fmt: str) -> str:
    """Print a list counter in a Word number format ("lowerRoman" 4 is "iv")."""
    if fmt in ("lowerRoman", "upperRoman") and value > 0:
        numeral = roman(value)
        return numeral if fmt == "lowerRoman" else numeral.upper()
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        letter = letters(value)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def letters(value: int) -> str:
    """Write a positive number as Word list letters: a..z, then aa, bb, ..., zz."""
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
