"""The one data model shared by ingest, the index, the app and exports."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

DOC_TYPES = (
    "declaration",
    "strategy",
    "greta_report",
    "eu_strategy",
    "eu_directive",
    "convention",
    "guidance",
    "un_document",
    "report",
    "other",
)

ROLES = ("heading", "preamble", "operative", "list_item", "body", "footnote")
# What an indexed item is: a passage of the text, or a recommendation found in one.
KINDS = ("passage", "recommendation")
# How firmly GRETA asks, strongest first: "urges", "considers that ... should"
# or "recommends", "invites".
STRENGTHS = ("urges", "should", "invites")

DATE_PATTERN = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass(frozen=True)
class Document:
    """A source document and the metadata analysts filter on."""

    id: str
    title: str
    issuer: str
    doc_type: str
    source: str
    date: str = ""
    place: str = ""
    language: str = "en"
    url: str = ""
    sha256: str = ""
    format: str = ""
    country: str = ""  # the country a report concerns (GRETA evaluates one country at a time)
    round: int | None = None  # the evaluation round, 1 for the first

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def to_json(self) -> dict:
        data = asdict(self)
        data["year"] = self.year
        return data


@dataclass(frozen=True)
class Evidence:
    """Why a passage carries a theme: the words that matched and the pattern that fired."""

    theme: str
    match: str
    pattern: str


@dataclass(frozen=True)
class Passage:
    """One paragraph, numbered clause or list item of a document."""

    doc_id: str
    seq: int
    text: str
    number: str = ""
    role: str = "body"
    verb: str = ""
    heading: str = ""
    parent: str = ""
    page: int | None = None
    themes: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    kind: str = "passage"  # or "recommendation", whose parent is the passage it stands in
    strength: str = ""  # of a recommendation: one of STRENGTHS

    @property
    def passage_id(self) -> str:
        return passage_id(self.doc_id, self.seq)

    def to_json(self) -> dict:
        data = asdict(self)
        data["passage_id"] = self.passage_id
        for name in ("themes", "orgs", "places", "instruments", "evidence"):
            data[name] = list(data[name])
        return data


def passage_id(doc_id: str, seq: int) -> str:
    """Return the stable id of the seq-th passage of a document."""
    return f"{doc_id}:{seq}"


@dataclass(frozen=True)
class Block:
    """A unit of layout a parser found: a heading, a paragraph or a list item.

    Parsers produce blocks; cleaning and segmentation turn them into passages.
    """

    text: str
    kind: str = "paragraph"  # "heading", "paragraph" or "item"
    level: int = 0  # heading level, or list depth for items
    marker: str = ""  # printed list marker, when the format keeps it apart
    page: int | None = None
    extras: dict = field(default_factory=dict, compare=False, hash=False)
