"""GRETA evaluation reports: parts, sections and numbered paragraphs; footnotes apart;
running headers ("GRETA(2023)08"), footers and page numbers dropped."""
from __future__ import annotations

import re

from ingest.profiles.reports import PARAGRAPH, is_page_number, segment_report
from kb.model import Block, Passage

# The report's reference as a running header, alone or with the country: "GRETA(2023)08 – Slovenia".
RUNNING_HEADER = re.compile(r"^GRETA\s*\(\d{4}\)\s*\d+(?:\s*[-–—:|]\s*[^.]{0,80})?$")
# The report's reference on its cover: "GRETA(2023)08".
REFERENCE = re.compile(r"\bGRETA\s*\(\d{4}\)\s*\d+")
LOOKS_AT_BLOCKS = 40  # the title page and the start of the introduction
MIN_PARAGRAPHS = 5


def segment_greta(blocks: list[Block], doc_id: str) -> list[Passage]:
    """Segment a GRETA report."""
    first_page = min((b.page for b in blocks if b.page is not None), default=None)
    return segment_report([b for b in blocks if not is_furniture(b, first_page)], doc_id)


def is_furniture(block: Block, first_page: int | None) -> bool:
    """Running headers after the title page, and page numbers."""
    header = RUNNING_HEADER.match(block.text) and block.page != first_page
    return bool(header) or is_page_number(block)


def looks_like(blocks: list[Block]) -> bool:
    """A GRETA reference near the start, and paragraphs numbered 1., 2., 3. ..."""
    named = any(REFERENCE.search(text) for b in blocks[:LOOKS_AT_BLOCKS] for text in (b.text, *b.extras.get("furniture", ())))
    numbered = sum(1 for b in blocks if PARAGRAPH.match(f"{b.marker} {b.text}".strip()))
    return named and numbered >= MIN_PARAGRAPHS
