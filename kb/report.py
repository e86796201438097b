"""A brief on one theme: every passage on it, by year and document, each with its citation.

It opens with a table of passages per year and document type. The matches are
read twice (once to count, once to write), so a brief of any size is written in
flat memory.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from kb.citations import doc_type_label, permalink, readable_date
from kb.docx_stream import ChunkSink, DocxStream, Link, Run
from kb.errors import ExportError
from kb.export_formats import (CHUNK, ExportInfo, batched, docx_source, export_record, markdown_quote,
                               markdown_source, md_escape)
from kb.search import SearchRequest, iter_matches
from kb.taxonomy import current_taxonomy

BRIEF_FORMATS = {"md": "Markdown", "docx": "Word"}


@dataclass(frozen=True)
class BriefHeader:
    """What opens a brief: its title, a sentence on what it holds, and the table of counts."""

    title: str
    intro: str
    table: list[list[str]]


def theme_title(theme: str) -> tuple[str, str]:
    """The label and description of a theme or theme family, or an error listing the ids there are."""
    taxonomy = current_taxonomy()
    known = {t.id: (t.label, t.description) for t in (taxonomy.themes if taxonomy else ())}
    known.update({g.id: (g.label, g.description) for g in (taxonomy.groups if taxonomy else ())})
    if theme not in known:
        raise ExportError(f"unknown theme (themes: {', '.join(sorted(known))})", theme)
    return known[theme]


def brief_chunks(theme: str, fmt: str, year_from: int | None = None, year_to: int | None = None,
                 home: Path | None = None, base_url: str = "") -> Iterator[bytes]:
    """The brief as chunks of a Markdown or Word file; checks its arguments before the first chunk."""
    label, description = theme_title(theme)
    if fmt not in BRIEF_FORMATS:
        raise ExportError(f"a brief is written as {' or '.join(BRIEF_FORMATS)}", fmt)
    if year_from and year_to and year_from > year_to:
        raise ExportError("the first year comes after the last", f"{year_from}-{year_to}")

    def passages() -> Iterator[dict]:
        # Passages only: a GRETA recommendation repeats words of a passage already in the brief.
        request = SearchRequest("", filters=(("theme", theme, False), ("kind", "passage", False)), sort="oldest")
        hits = (h for h in iter_matches(request, home) if _in_years(h, year_from, year_to))
        return _documents_together(hits)

    table, documents = count_table(passages())
    passages_count = int(table[-1][-1])
    years = f"{year_from or 'first'}–{year_to or 'latest'}" if year_from or year_to else "all years"
    intro = (f"Every passage on {label} in the atkb index (theme {theme}, {years}), by year and document: "
             f"{_plural(passages_count, 'passage')} from {_plural(documents, 'document')}. {description}").strip()
    header = BriefHeader(f"{label}: a brief", intro, table)
    writer = _markdown if fmt == "md" else _docx
    return writer(passages(), header, ExportInfo(base_url=base_url))


def write_brief(out: BinaryIO, theme: str, fmt: str, **options) -> None:
    for chunk in brief_chunks(theme, fmt, **options):
        out.write(chunk)


def _in_years(hit: dict, year_from: int | None, year_to: int | None) -> bool:
    if not (year_from or year_to):
        return True
    year = hit.get("year")
    return bool(year) and (year_from or year) <= year <= (year_to or year)


def _documents_together(hits: Iterable[dict]) -> Iterator[dict]:
    """Keep each document's passages together: the index orders by date, then by passage
    number, so two documents of the same date would interleave; sort each date's batch."""
    batch: list[dict] = []
    for hit in hits:
        if batch and hit["date"] != batch[0]["date"]:
            yield from sorted(batch, key=lambda h: (h["doc_id"], h["seq"]))
            batch = []
        batch.append(hit)
    yield from sorted(batch, key=lambda h: (h["doc_id"], h["seq"]))


def year_label(hit: dict) -> str:
    return str(hit["year"]) if hit.get("year") else "Undated"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def count_table(hits: Iterable[dict]) -> tuple[list[list[str]], int]:
    """Passages per year (rows) and document type (columns), with totals; and how many documents."""
    cells, documents = Counter(), set()
    for hit in hits:
        cells[(year_label(hit), hit["doc_type"])] += 1
        documents.add(hit["doc_id"])
    years = sorted({y for y, _ in cells}, key=lambda y: (y == "Undated", y))
    kinds = sorted({k for _, k in cells})
    rows = [["Year", *(doc_type_label(k) for k in kinds), "Total"]]
    for year in years:
        row = [cells[(year, k)] for k in kinds]
        rows.append([year, *map(str, row), str(sum(row))])
    totals = [sum(cells[(y, k)] for y in years) for k in kinds]
    rows.append(["Total", *map(str, totals), str(sum(totals))])
    return rows, len(documents)


def _changes(hits: Iterable[dict]) -> Iterator[tuple[bool, bool, dict]]:
    """Each hit, saying whether it opens a new year and a new document."""
    year = doc = None
    for hit in hits:
        new_year, new_doc = year_label(hit) != year, hit["doc_id"] != doc or year_label(hit) != year
        year, doc = year_label(hit), hit["doc_id"]
        yield new_year, new_doc, hit


def document_line(hit: dict) -> str:
    date = readable_date(hit.get("date") or "") or "undated"
    return " · ".join(x for x in (hit["issuer"], hit.get("place"), date, doc_type_label(hit["doc_type"])) if x)


def _markdown(hits: Iterable[dict], header: BriefHeader, info: ExportInfo) -> Iterator[bytes]:
    def pieces() -> Iterator[str]:
        yield f"# {md_escape(header.title)}\n\n{md_escape(header.intro)}\n\n"
        names, *rows = header.table
        yield "| " + " | ".join(md_escape(c) for c in names) + " |\n" + "|---" * len(names) + "|\n"
        yield "".join("| " + " | ".join(md_escape(c) for c in row) + " |\n" for row in rows) + "\n"
        for new_year, new_doc, hit in _changes(hits):
            if new_year:
                yield f"## {year_label(hit)}\n\n"
            if new_doc:
                link = permalink(hit["doc_id"], base_url=info.base_url)
                yield f"### {md_escape(hit['title'])}\n\n{md_escape(document_line(hit))} · <{link}>\n\n"
            record = export_record(hit, info)
            yield markdown_quote(record["text"]) + markdown_source(record)
        yield f"---\n\nPrepared {dt.date.today().isoformat()} with atkb.\n"
    return batched(pieces())


def _docx(hits: Iterable[dict], header: BriefHeader, info: ExportInfo) -> Iterator[bytes]:
    sink = ChunkSink()
    document = DocxStream(sink, header.title)
    document.heading(header.title, 0)
    document.paragraph(Run(header.intro, italic=True))
    document.table(header.table)
    for new_year, new_doc, hit in _changes(hits):
        if new_year:
            document.heading(year_label(hit), 1)
        if new_doc:
            document.heading(hit["title"], 2)
            document.paragraph(document_line(hit), " · ", Link(permalink(hit["doc_id"], base_url=info.base_url)), style="Source")
        record = export_record(hit, info)
        document.paragraph(record["text"], style="Quote")
        docx_source(document, record)
        if sink.size() >= CHUNK:
            yield sink.drain()
    document.paragraph(Run(f"Prepared {dt.date.today().isoformat()} with atkb.", italic=True))
    document.close()
    yield sink.drain()
