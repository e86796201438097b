"""Plain text and Markdown: headings, list items and paragraphs."""
from __future__ import annotations

import re

from ingest.markers import NUMBERED, SENTENCE_END
from ingest.parsers import parser
from kb.model import Block

# "## Title"; converters also write "####Title" with no space after two or more marks.
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$|^(#{2,6})(?=[^#\s])(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^(\s*)[-*+]\s+(.*)$")
# A line break inside a paragraph is kept only where a sentence ends and a new
# one starts; anything else is a wrapped line.
STARTS_NEW = re.compile(r"^[\"'(\[]?[A-Z0-9·•]")


@parser("text")
def parse_text_bytes(data: bytes, source: str) -> list[Block]:
    """Parse plain text or Markdown from its bytes."""
    return parse_text(decode_text(data))


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without a byte-order mark), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_text(data: str) -> list[Block]:
    """Split decoded text into heading, item and paragraph blocks."""
    blocks: list[Block] = []
    current: list[str] = []
    kind, level = "paragraph", 0

    def flush():
        nonlocal current
        if current:
            blocks.append(Block(" ".join(current), kind=kind, level=level))
        current = []

    for raw in data.splitlines():
        line = raw.strip()
        heading = HEADING.match(line)
        item = LIST_ITEM.match(raw)
        if not line:
            flush()
        elif heading:
            flush()
            marks, title = (heading.group(1), heading.group(2)) if heading.group(1) else heading.group(3, 4)
            blocks.append(Block(title, kind="heading", level=len(marks)))
        elif item:
            flush()
            kind, level = "item", len(item.group(1).expandtabs(4)) // 2
            current = [item.group(2).strip()]
        elif current and not NUMBERED.match(line) and not (
            SENTENCE_END.search(current[-1]) and STARTS_NEW.match(line)
        ):
            current.append(line)
        else:
            flush()
            kind, level = "paragraph", 0
            current = [line]
    flush()
    return blocks
