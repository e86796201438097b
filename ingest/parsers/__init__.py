"""Parsers from raw bytes to layout blocks, chosen by format from a registry."""
from __future__ import annotations

from typing import Callable

from kb.errors import UnsupportedFormat
from kb.model import Block

Parser = Callable[[bytes, str], list[Block]]
PARSERS: dict[str, Parser] = {}


def parser(fmt: str) -> Callable[[Parser], Parser]:
    """Register a function as the parser of one format."""

    def register(function: Parser) -> Parser:
        PARSERS[fmt] = function
        return function

    return register


def parse(data: bytes, fmt: str, source: str) -> list[Block]:
    """Parse the bytes of a source with the parser registered for its format."""
    _load_parsers()
    try:
        return PARSERS[fmt](data, source)
    except KeyError:
        raise UnsupportedFormat(f"no parser for format {fmt!r}", source) from None


def _load_parsers() -> None:
    # Imported on first use, so that importing ingest stays cheap.
    from ingest.parsers import docx, html, pdf, text  # noqa: F401
