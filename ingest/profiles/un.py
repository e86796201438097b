"""UN documents (UPR compilations, national reports): the symbol kept as the first passage,
numbered paragraphs, notes apart, running headers ("A/HRC/...", "GE.24-...") dropped."""
from __future__ import annotations

import re

from ingest.profiles.reports import is_page_number, segment_report
from kb.model import Block, Passage

# A document symbol standing alone: "A/HRC/WG.6/48/SVN/1", "CEDAW/C/SVN/CO/7", "E/CN.4/2004/1".
SYMBOL = re.compile(r"^(?:[AES]|[A-Z]{2,8}/C)/(?:[A-Z0-9][A-Za-z0-9.\-]*/)*[A-Za-z0-9.\-]*\d[A-Za-z0-9.\-]*$")
# The job number printed at the foot of each page: "GE.24-19779 (E) 061124 061124".
JOB_NUMBER = re.compile(r"^GE\.\d{2}-\d{4,6}\b")
LOOKS_AT_BLOCKS = 15  # the masthead of the first page


def segment_un(blocks: list[Block], doc_id: str) -> list[Passage]:
    """Segment a UN document, its symbol first."""
    symbol = symbol_of(blocks)
    kept = [b for b in blocks if not is_furniture(b, symbol)]
    if symbol:
        first_page = min((b.page for b in blocks if b.page is not None), default=None)
        kept.insert(0, Block(symbol, kind="heading", page=first_page))
    return segment_report(kept, doc_id)


def is_furniture(block: Block, symbol: str) -> bool:
    """The symbol repeated as a running header, the job number and page numbers."""
    text = block.text.strip()
    return (bool(symbol) and text == symbol) or bool(JOB_NUMBER.match(text)) or is_page_number(block)


def symbol_of(blocks: list[Block]) -> str:
    """Find the document symbol in the masthead, or in the running headers a PDF dropped."""
    for block in blocks[:LOOKS_AT_BLOCKS]:
        for text in (block.text, *block.extras.get("furniture", ())):
            if SYMBOL.match(text.strip()):
                return text.strip()
    return ""


def looks_like(blocks: list[Block]) -> bool:
    return bool(symbol_of(blocks))
