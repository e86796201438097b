"""HTML parsing with beautifulsoup4: headings, paragraphs, list items and table rows."""
from __future__ import annotations

import codecs
import re
import warnings
from typing import Iterable, Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, PageElement, Tag
from bs4.element import PreformattedString

from ingest.parsers import parser
from ingest.markers import roman
from kb.errors import EmptyDocument, ParseError
from kb.model import Block

# Code, embedded objects and media, page furniture and form controls: never part of the text.
DROPPED = (
    "head", "title", "script", "style", "noscript", "template", "iframe", "object",
    "embed", "applet", "frame", "frameset", "canvas", "audio", "video", "svg", "nav",
    "footer", "aside", "button", "select", "textarea",
)
# Far past any policy text published as one page; bigger is refused before parsing.
MAX_HTML_BYTES = 50 * 1024 * 1024
SECTIONING = ("article", "main", "section")
CONTENT_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "table")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LISTS = {"ul", "ol", "menu"}
# Elements that start a new block; any other tag is inline and its text flows on.
BLOCK_TAGS = HEADINGS | LISTS | {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "html",
    "li", "main", "nav", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr",
}
BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# Labels browsers read otherwise: Latin-1 as Windows-1252, and UTF-16 without a
# byte-order mark (already ruled out) as UTF-8.
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",
}
# A start tag of these closes an open <p>, as HTML says.
CLOSES_PARAGRAPH = HEADINGS | LISTS | {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset",
    "figure", "footer", "form", "header", "hr", "li", "main", "nav", "p", "pre",
    "section", "table",
}
# ...and these close an open sibling of theirs: "<li>a<li>b" is two items.
CLOSES_SIBLING = {
    "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"}, "td": {"td", "th"}, "th": {"td", "th"},
}


class HTMLSoup(BeautifulSoup):
    """A soup that ends elements where HTML implies it.

    The standard library's parser nests "<p>a<p>b" and "<li>a<li>b", which would
    merge items and nest a long page of unclosed paragraphs too deep to walk.
    """

    def handle_starttag(self, name, *args, **kwargs):
        if name in CLOSES_PARAGRAPH and self.currentTag.name == "p":
            self.handle_endtag("p")
        while self.currentTag.name in CLOSES_SIBLING.get(name, ()):
            self.handle_endtag(self.currentTag.name)  # a new row closes a cell, then its row
        return super().handle_starttag(name, *args, **kwargs)


@parser("html")
def parse_html(data: bytes, source: str) -> list[Block]:
    """Parse an HTML page from its bytes."""
    if len(data) > MAX_HTML_BYTES:
        raise ParseError(f"refused: the HTML page is larger than {MAX_HTML_BYTES >> 20} MB", source)
    with warnings.catch_warnings():
        # bs4 warns when a short page looks like a file name or URL; ours are always pages.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = HTMLSoup(decode_html(data), "html.parser")
    try:
        drop_furniture(soup)
        blocks = list(flow_blocks((soup.body or soup).children, depth=0))
    except RecursionError:
        raise ParseError("refused: the HTML page nests elements too deeply", source) from None
    if not blocks:
        raise EmptyDocument("no text found in the HTML page", source)
    return blocks


def decode_html(data: bytes) -> str:
    """Decode by byte-order mark, then by <meta charset>, else UTF-8, else Windows-1252."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = META_CHARSET.search(data[:4096])
    candidates = ["utf-8"]
    if declared:
        label = declared.group(1).decode("ascii").lower()
        candidates.insert(0, CHARSET_ALIASES.get(label, label))
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def drop_furniture(soup: BeautifulSoup) -> None:
    """Remove code, embeds, navigation, page headers and footers, forms and hidden elements."""
    remove(soup.find_all(DROPPED))
    remove(soup.find_all(attrs={"role": "navigation"}) + soup.find_all(attrs={"hidden": True}))
    # The header of an article holds its title; only the page's banner goes.
    remove(h for h in soup.find_all("header") if not h.find_parent(SECTIONING))
    # Some sites wrap the whole page in one <form>; keep the text such a form holds.
    remove(f for f in soup.find_all("form") if not f.find(CONTENT_TAGS))


def remove(elements: Iterable[Tag]) -> None:
    for element in elements:
        if not element.decomposed:  # it may sit inside one removed before
            element.decompose()


def is_block(node: PageElement) -> bool:
    return isinstance(node, Tag) and node.name in BLOCK_TAGS


def flow_blocks(nodes: Iterable[PageElement], depth: int) -> Iterator[Block]:
    """Yield blocks for a run of sibling nodes: inline runs become paragraphs."""
    inline: list[PageElement] = []
    for node in nodes:
        if is_block(node):
            yield from paragraph(inline)
            inline = []
            yield from element_blocks(node, depth)
        else:
            inline.append(node)
    yield from paragraph(inline)


def element_blocks(element: Tag, depth: int) -> Iterator[Block]:
    """Yield the blocks of one block-level element."""
    if element.name in HEADINGS:
        text = inline_text([element])
        if text:
            yield Block(text, kind="heading", level=int(element.name[1]))
    elif element.name in LISTS:
        yield from list_blocks(element, depth)
    elif element.name == "table":
        yield from table_blocks(element)
    else:
        yield from flow_blocks(element.children, depth)


def paragraph(nodes: list[PageElement]) -> Iterator[Block]:
    """Yield a paragraph for a run of inline nodes, if it holds any text."""
    text = inline_text(nodes)
    if text:
        yield Block(text)


def inline_text(nodes: Iterable[PageElement]) -> str:
    """Return the text of nodes with <br> as a space and whitespace collapsed."""
    return " ".join("".join(text_pieces(nodes)).split())


def text_pieces(nodes: Iterable[PageElement]) -> Iterator[str]:
    """Yield the strings of nodes and their descendants in reading order."""
    for node in nodes:
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctypes
                yield str(node)
        elif node.name == "br":
            yield " "
        else:
            # Block tags met inside inline text still end a word.
            yield " " if is_block(node) else ""
            yield from text_pieces(node.children)
            yield " " if is_block(node) else ""


def list_blocks(element: Tag, depth: int) -> Iterator[Block]:
    """Yield the items of a list, numbering <ol> items as the browser prints them."""
    ordered = element.name == "ol"
    items = element.find_all("li", recursive=False)
    step = -1 if ordered and element.has_attr("reversed") else 1
    number = whole_number(element.get("start"), len(items) if step < 0 else 1)
    for item in items:
        number = whole_number(item.get("value"), number)
        marker = ol_marker(number, item.get("type") or element.get("type") or "1") if ordered else ""
        yield from item_blocks(item, depth, marker)
        number += step


def item_blocks(item: Tag, depth: int, marker: str) -> Iterator[Block]:
    """Yield a list item's own text, then its nested lists and anything after them."""
    children = list(item.children)
    first_list = next((i for i, c in enumerate(children) if isinstance(c, Tag) and c.name in LISTS), len(children))
    text = inline_text(children[:first_list])
    if text:
        yield Block(text, kind="item", level=depth, marker=marker)
    yield from flow_blocks(children[first_list:], depth + 1)


def table_blocks(table: Tag) -> Iterator[Block]:
    """Yield one paragraph per table row, its cells joined with " | "."""
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue  # a nested table's rows are read with the cell that holds it
        cells = [inline_text([cell]) for cell in row.find_all(["td", "th"], recursive=False)]
        text = " | ".join(cell for cell in cells if cell)
        if text:
            yield Block(text)


def whole_number(value: str | None, default: int) -> int:
    """Read a start or value attribute as the browser does, ignoring junk."""
    try:
        return int(str(value).strip()) if value is not None else default
    except ValueError:
        return default


def ol_marker(number: int, style: str) -> str:
    """Print an <ol> number as policy texts write it: "6.", "(iv)", "(a)", "IV.", "A."."""
    if number > 0 and style == "i":
        return f"({roman(number)})"
    if number > 0 and style == "I":
        return f"{roman(number).upper()}."
    if number > 0 and style == "a":
        return f"({alphabetic(number)})"
    if number > 0 and style == "A":
        return f"{alphabetic(number).upper()}."
    return f"{number}."


def alphabetic(number: int) -> str:
    """Write a positive number as browsers letter lists: a..z, then aa, ab, ..."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
