"""Exports of passages as CSV, JSON Lines, Markdown and Word: the registry and the entry points.

Every format is a generator of byte chunks over hit dicts (all the matches of
a search from `kb.search.iter_matches`, or a basket's passages with notes),
so exports of any size stream in flat memory: the web app sends the chunks as
they come, `write_export` writes them to a file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Iterator

from kb.errors import ExportError
from kb.export_formats import ExportInfo, csv_chunks, docx_chunks, jsonl_chunks, markdown_chunks, neutralise

__all__ = ["FORMATS", "ExportFormat", "ExportInfo", "export_format", "write_export", "neutralise",
           "describe_search", "export_filename"]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    extension: str
    mimetype: str
    chunks: Callable[[Iterable[dict], ExportInfo], Iterator[bytes]]


FORMATS = {
    f.name: f for f in (
        ExportFormat("csv", "CSV", "csv", "text/csv; charset=utf-8", csv_chunks),
        ExportFormat("jsonl", "JSON Lines", "jsonl", "application/x-ndjson; charset=utf-8", jsonl_chunks),
        ExportFormat("md", "Markdown", "md", "text/markdown; charset=utf-8", markdown_chunks),
        ExportFormat("docx", "Word", "docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx_chunks),
    )
}


def export_format(name: str) -> ExportFormat:
    """The format with this name, or an error that lists the formats there are."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown export format (use {', '.join(FORMATS)})", name) from None


def write_export(name: str, hits: Iterable[dict], out: BinaryIO, info: ExportInfo = ExportInfo()) -> int:
    """Write hits to a binary stream as they come; return how many passages were written."""
    counter = _Counter(hits)
    for chunk in export_format(name).chunks(counter, info):
        out.write(chunk)
    return counter.count


class _Counter:
    """Pass items through, counting them."""

    def __init__(self, items: Iterable[dict]):
        self._items, self.count = items, 0

    def __iter__(self):
        for item in self._items:
            self.count += 1
            yield item


def describe_search(query: str, filters: Iterable[tuple[str, str, bool]], sort: str = "relevance") -> str:
    """Say in one line what a search asked for, to head an export."""
    parts = [f"Search: {query}" if query else "All passages"]
    shown = [f"{'not ' if negated else ''}{name}={value}" for name, value, negated in filters]
    if shown:
        parts.append("filters: " + ", ".join(shown))
    parts.append(f"sorted by {sort}")
    return "; ".join(parts)


def export_filename(query: str, filters: Iterable[tuple[str, str, bool]], extension: str, stem: str = "atkb-export") -> str:
    """A file name safe everywhere that says what was exported: atkb-export-theme-compensation.csv."""
    words = [query] + [f"{'not-' if negated else ''}{name}-{value}" for name, value, negated in filters]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(words).lower()).strip("-")[:60].strip("-") or "all"
    return f"{stem}-{slug}.{extension}"
