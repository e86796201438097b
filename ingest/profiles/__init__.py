"""Source profiles: the structure each kind of document is segmented by.

A profile is chosen by the document's doc_type, or, for types that do not settle
it, detected from the text. Declarations and strategies, and anything no profile
claims, keep the general segmentation of ingest.segment.
"""
from __future__ import annotations

from typing import Callable

from ingest.profiles import greta, legal, un
from kb.model import Block, Passage

Segmenter = Callable[[list[Block], str], list[Passage]]

GENERAL = "general"
PROFILE_OF_DOC_TYPE = {
    "convention": "legal",
    "eu_directive": "legal",
    "greta_report": "greta",
    "un_document": "un",
    "declaration": GENERAL,
    "strategy": GENERAL,
    "eu_strategy": GENERAL,
}


def choose_profile(doc_type: str, blocks: list[Block]) -> str:
    """Name the profile for a document: by its doc_type, else by what its text looks like."""
    return PROFILE_OF_DOC_TYPE.get(doc_type) or detect_profile(blocks)


def detect_profile(blocks: list[Block]) -> str:
    """Recognise a UN document by its symbol, a legal instrument by its articles, a GRETA report by its name."""
    if un.looks_like(blocks):
        return "un"
    if legal.looks_like(blocks):
        return "legal"
    if greta.looks_like(blocks):
        return "greta"
    return GENERAL


def segmenters() -> dict[str, Segmenter]:
    """The segmenting function of each profile but the general one."""
    return {"legal": legal.segment_legal, "greta": greta.segment_greta, "un": un.segment_un}


def profile_segmenter(doc_type: str, blocks: list[Block]) -> Segmenter | None:
    """Return the segmenter of the document's profile, or None for the general one."""
    return segmenters().get(choose_profile(doc_type, blocks))
