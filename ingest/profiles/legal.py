"""Legal instruments (conventions, protocols, directives): the preamble and its recitals,
parts and chapters, articles with their titles, and the paragraphs and points of each article.

Passages are numbered as lawyers cite them: "Recital (14)", "Art. 26", "Art. 8(1)", "Art. 4(a)".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.markers import SENTENCE_END
from ingest.segment import segment_general
from kb.model import Block, Passage, passage_id

ARTICLE = re.compile(r"^Article\s+(\d{1,3}[a-z]?)\b\.?\s*(?:[-–—:]\s*)?(.*)$")
DIVISION = re.compile(r"^(PART|Part|TITLE|Title|CHAPTER|Chapter|SECTION|Section)\s+([IVXLC]{1,6}|\d{1,2})\b\.?\s*(?:[-–—:]\s*)?(.*)$")
BARE_ROMAN = re.compile(r"^([IVXLC]{1,6})\.?$")
DIVISION_LEVELS = {"part": 1, "title": 1, "chapter": 2, "section": 3}
PREAMBLE = re.compile(r"^Preamble\b[.:]?\s*")
RECITAL = re.compile(r"^\((\d{1,3})\)\s+")
# Where one printed preamble holds many clauses: "...; Considering that ...", "..., Recalling ...".
CLAUSE_OPENERS = (
    "Considering", "Recalling", "Recognising", "Recognizing", "Bearing in mind", "Taking",
    "Noting", "Convinced", "Concerned", "Declaring", "Desiring", "Determined", "Aware",
    "Reaffirming", "Stressing", "Emphasising", "Emphasizing", "Welcoming", "Having regard",
    "Whereas", "Have agreed", "HAVE AGREED", "HAVE ADOPTED",
)
PREAMBLE_CLAUSE = re.compile(r"(?<=[;,:])\s+(?=(?:%s)\b)" % "|".join(CLAUSE_OPENERS))
TABLE_CELL = re.compile(r"^(\(?[0-9a-z]{1,5}[.)])\s*\|\s*")  # "(1) | Trafficking ..." from an HTML table row
CLOSING = re.compile(r"^(?:IN WITNESS WHEREOF|Done at|DONE at)\b")
PARAGRAPH = re.compile(r"^(?:(\d{1,3})[.)]|\((\d{1,3})\))\s+")
BARE_PARAGRAPH = re.compile(r"^(\d{1,3})\s+(?=[A-Z])")  # "1 Each Party shall ...", as the Council of Europe prints it
POINT = re.compile(r"^(?:\(([a-z])\)|([a-z])[.)])\s+")
SUBPOINT = re.compile(r"^(?:\(([ivx]{1,5})\)|([ivx]{1,5})[.)])\s+")
TITLE_MAX_CHARS = 200
MIN_ARTICLES = 3


@dataclass
class Draft:
    """A passage in the making."""

    text: str
    role: str
    number: str = ""
    heading: str = ""
    page: int | None = None
    parent: int | None = None


def segment_legal(blocks: list[Block], doc_id: str) -> list[Passage]:
    """Segment a convention, protocol or directive; a text with no articles is segmented the general way."""
    if not any(ARTICLE.match(marked_text(b)) and heading_like(marked_text(b), b) for b in blocks):
        return segment_general(blocks, doc_id)
    reader = LegalReader()
    texts = [marked_text(b) for b in blocks]
    i = 0
    while i < len(blocks):
        i += reader.read(blocks, texts, i)
    return [
        Passage(
            doc_id=doc_id, seq=n + 1, text=d.text, number=d.number, role=d.role, heading=d.heading,
            page=d.page, parent=passage_id(doc_id, d.parent + 1) if d.parent is not None else "",
        )
        for n, d in enumerate(reader.drafts)
    ]


def marked_text(block: Block) -> str:
    """A block's text with its list marker, and without the bar between table cells."""
    text = f"{block.marker} {block.text}" if block.marker else block.text
    return TABLE_CELL.sub(r"\1 ", text)


def heading_like(text: str, block: Block) -> bool:
    return block.kind == "heading" or (len(text) <= TITLE_MAX_CHARS and not SENTENCE_END.search(text))


def title_after(blocks: list[Block], texts: list[str], i: int) -> str:
    """The title printed on the line after an article or chapter number, if there is one."""
    if i + 1 >= len(blocks):
        return ""
    text, block = texts[i + 1], blocks[i + 1]
    starts_other = ARTICLE.match(text) or DIVISION.match(text) or PARAGRAPH.match(text) or POINT.match(text)
    if starts_other or not heading_like(text, block) or text.endswith(","):
        return ""
    return text


class LegalReader:
    """Reads the blocks of an instrument in order, keeping track of where it stands."""

    def __init__(self) -> None:
        self.drafts: list[Draft] = []
        self.divisions: list[tuple[int, str]] = []
        self.article = ""  # the article being read, "" before the first and after the last
        self.article_heading = ""
        self.paragraph = ""
        self.point = ""
        self.anchor: int | None = None  # the passage the points of a paragraph hang from
        self.point_index: int | None = None
        self.front = True  # still reading the title
        self.in_preamble = True
        self.preamble_heading = ""

    def read(self, blocks: list[Block], texts: list[str], i: int) -> int:
        """Read the block at i (and its title line, if any); return how many blocks were used."""
        text, block = texts[i], blocks[i]
        article = ARTICLE.match(text)
        division = DIVISION.match(text) or (BARE_ROMAN.match(text) if block.kind == "heading" else None)
        if article and heading_like(text, block):
            title = article.group(2) or title_after(blocks, texts, i)
            self.start_article(article.group(1), title, block.page)
            return 2 if title and not article.group(2) else 1
        if division and heading_like(text, block):
            title = (division.group(3) if division.re is DIVISION else "") or title_after(blocks, texts, i)
            self.start_division(division, title, block.page)
            return 2 if title and not (division.re is DIVISION and division.group(3)) else 1
        if self.in_preamble:
            self.read_preamble(text, block)
        else:
            self.read_body(text, block)
        return 1

    def path(self) -> str:
        return " › ".join(text for _, text in self.divisions)

    def add(self, draft: Draft) -> int:
        self.drafts.append(draft)
        return len(self.drafts) - 1

    def start_division(self, match: re.Match, title: str, page: int | None) -> None:
        """A part, chapter or section: a heading, and the head of the path below it."""
        if match.re is DIVISION:
            label, level = f"{match.group(1)} {match.group(2)}", DIVISION_LEVELS[match.group(1).lower()]
        else:
            label, level = f"{match.group(1)}.", DIVISION_LEVELS["chapter"]
        text = (f"{label} {title}" if label.endswith(".") else f"{label} – {title}") if title else label
        self.in_preamble, self.front, self.article = False, False, ""
        self.divisions = [(lvl, t) for lvl, t in self.divisions if lvl < level]
        self.add(Draft(text, "heading", heading=self.path(), page=page))
        self.divisions.append((level, text))

    def start_article(self, number: str, title: str, page: int | None) -> None:
        """An article: a heading numbered "Art. N" whose text carries the title."""
        self.in_preamble, self.front = False, False
        self.article, self.paragraph, self.point = number, "", ""
        self.article_heading = f"Article {number} – {title}" if title else f"Article {number}"
        self.anchor = self.add(Draft(self.article_heading, "heading", f"Art. {number}", self.path(), page))

    def read_preamble(self, text: str, block: Block) -> None:
        """The title, "Preamble", recitals "(1)" and the clauses of an unnumbered preamble."""
        opening = PREAMBLE.match(text)
        if opening:
            self.front, self.preamble_heading = False, "Preamble"
            self.add(Draft("Preamble", "heading", page=block.page))
            text = text[opening.end():]
            if not text:
                return
        title_line = self.front and not text.endswith((",", ";", ":")) and not RECITAL.match(text)
        if block.kind == "heading" or (title_line and heading_like(text, block)):
            self.add(Draft(text, "heading", page=block.page))
            return
        self.front = False
        recital = RECITAL.match(text)
        if recital:
            self.add(Draft(text[recital.end():], "preamble", f"Recital ({recital.group(1)})", self.preamble_heading, block.page))
            return
        for clause in PREAMBLE_CLAUSE.split(text):
            if clause.strip():
                self.add(Draft(clause.strip(), "preamble", heading=self.preamble_heading, page=block.page))

    def read_body(self, text: str, block: Block) -> None:
        """A paragraph, point or subparagraph of the article being read, or text between articles."""
        if CLOSING.match(text) or not self.article:
            self.article = "" if CLOSING.match(text) else self.article
            self.add(Draft(text, "body", heading="" if CLOSING.match(text) else self.path(), page=block.page))
            return
        heading = " › ".join(filter(None, (self.path(), self.article_heading)))
        paragraph = PARAGRAPH.match(text) or self.bare_paragraph(text)
        subpoint = SUBPOINT.match(text) if self.point and not self.is_next_letter(text) else None
        point = POINT.match(text)
        if paragraph:
            self.paragraph, self.point = paragraph.group(1) or paragraph.group(2), ""
            self.anchor = self.add(Draft(text[paragraph.end():], "body", self.cite(), heading, block.page))
        elif subpoint:
            number = self.cite(subpoint.group(1) or subpoint.group(2))
            self.add(Draft(text[subpoint.end():], "list_item", number, heading, block.page, self.point_index))
        elif point:
            self.point = point.group(1) or point.group(2)
            self.point_index = self.add(Draft(text[point.end():], "list_item", self.cite(), heading, block.page, self.anchor))
        else:
            self.point = ""
            self.anchor = self.add(Draft(text, "body", self.cite(), heading, block.page))

    def bare_paragraph(self, text: str) -> re.Match | None:
        """"2 Each Party ..." counts as paragraph 2 only right after paragraph 1."""
        match = BARE_PARAGRAPH.match(text)
        return match if match and int(match.group(1)) == int(self.paragraph or 0) + 1 else None

    def is_next_letter(self, text: str) -> bool:
        """"(i)" after "(h)" is a point, not a subpoint."""
        point = POINT.match(text)
        return bool(point) and ord(point.group(1) or point.group(2)) == ord(self.point) + 1

    def cite(self, subpoint: str = "") -> str:
        """The pinpoint of where the reader stands: "Art. 8(1)(a)(ii)"."""
        parts = [self.paragraph, self.point, subpoint]
        return f"Art. {self.article}" + "".join(f"({p})" for p in parts if p)


def looks_like(blocks: list[Block]) -> bool:
    """Several "Article N" headings."""
    articles = 0
    for block in blocks:
        text = marked_text(block)
        if ARTICLE.match(text) and heading_like(text, block):
            articles += 1
            if articles >= MIN_ARTICLES:
                return True
    return False
