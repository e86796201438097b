"""The four export formats, each a generator of byte chunks over hit dicts.

A writer never holds more than one passage and one chunk (about 64 KiB): the
web app streams the chunks as they come, the CLI writes them to a file.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from kb.citations import doc_type_label, permalink, pinpoint_label, readable_date
from kb.docx_stream import ChunkSink, DocxStream, Link, Run
from kb.taxonomy import current_taxonomy

CHUNK = 64 * 1024
CSV_COLUMNS = (
    "passage_id", "doc_id", "seq", "number", "citation", "permalink", "title", "issuer", "doc_type",
    "date", "year", "place", "language", "heading", "role", "verb", "themes", "orgs", "places",
    "instruments", "kind", "strength", "country", "round", "text",
)
# Spreadsheets run a cell that starts with one of these as a formula (=HYPERLINK(...)
# can leak data to a web site, =cmd|... can start programs), and some strip a leading
# tab or carriage return first. OWASP's advice: make such a cell start with a quote,
# which shows the text as written. Readers who load the CSV as data can strip it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MD_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~])")
MD_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])", re.M)
MD_LIST_MARK = re.compile(r"^(\s*)([-+=])", re.M)


@dataclass(frozen=True)
class ExportInfo:
    """What an export says about itself: its title, what was searched, where links point."""

    title: str = "atkb export"
    subtitle: str = ""
    base_url: str = ""
    notes: bool = False  # a basket export: each passage carries the user's note


def export_record(hit: dict, info: ExportInfo) -> dict:
    """A hit as exports carry it: every field of `kb search --json`, a permalink, and a note."""
    record = dict(hit)
    record["permalink"] = permalink(hit["doc_id"], hit["seq"], info.base_url)
    if info.notes:
        record["note"] = hit.get("note") or ""
    return record


def theme_labels(theme_ids: list[str]) -> list[str]:
    taxonomy = current_taxonomy()
    themes = [taxonomy.theme(t) if taxonomy else None for t in theme_ids]
    return [theme.label if theme else t for theme, t in zip(themes, theme_ids)]


def excerpt_heading(hit: dict) -> str:
    """Name an excerpt briefly: its document, the document's type and date, its place in the document."""
    date = readable_date(hit.get("date") or "") or "undated"
    kind = doc_type_label(hit.get("doc_type") or "")
    return f"{hit['title']} ({kind}, {date}), {pinpoint_label(hit.get('number') or '', hit['seq'])}"


def closing_line(count: int) -> str:
    return f"{count} passage{'' if count == 1 else 's'}, exported {dt.date.today().isoformat()} from atkb."


# --- CSV and JSON Lines ------------------------------------------------------

def neutralise(cell) -> str:
    """Make a CSV cell safe to open in a spreadsheet: a formula-like start gets a leading quote."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(hits: Iterable[dict], info: ExportInfo) -> Iterator[bytes]:
    """CSV in UTF-8 with a byte-order mark, which Excel needs to read accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = CSV_COLUMNS + (("note",) if info.notes else ())
    buffer.write("\ufeff")
    writer.writerow(columns)
    for hit in hits:
        record = export_record(hit, info)
        writer.writerow([neutralise(_cell(record.get(name))) for name in columns])
        if buffer.tell() >= CHUNK:
            yield _drain(buffer)
    yield _drain(buffer)


def _cell(value):
    return "; ".join(value) if isinstance(value, list) else value


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def jsonl_chunks(hits: Iterable[dict], info: ExportInfo) -> Iterator[bytes]:
    """One JSON object per line: the fields of a `kb search --json` hit and a permalink."""
    return batched(json.dumps(export_record(hit, info), ensure_ascii=False) + "\n" for hit in hits)


# --- Markdown and Word ------------------------------------------------------

def md_escape(text: str) -> str:
    """Escape Markdown so a passage shows as written, not as emphasis, links, lists or HTML."""
    text = MD_SPECIALS.sub(r"\\\1", str(text))
    return MD_LIST_MARK.sub(r"\1\\\2", MD_LIST_NUMBER.sub(r"\1\\\2", text))


def markdown_chunks(hits: Iterable[dict], info: ExportInfo) -> Iterator[bytes]:
    """A readable list of excerpts, each quoted, then its citation, themes, link and note."""
    return batched(_markdown_pieces(hits, info))


def _markdown_pieces(hits: Iterable[dict], info: ExportInfo) -> Iterator[str]:
    yield f"# {md_escape(info.title)}\n\n" + (f"{md_escape(info.subtitle)}\n\n" if info.subtitle else "")
    count = 0
    for count, hit in enumerate(hits, 1):
        record = export_record(hit, info)
        yield f"## {count}. {md_escape(excerpt_heading(record))}\n\n"
        yield markdown_quote(record["text"])
        yield markdown_source(record)
        if record.get("note"):
            yield f"**Note:** {md_escape(record['note'])}\n\n"
    yield f"---\n\n{closing_line(count)}\n"


def markdown_quote(text: str) -> str:
    return "".join(f"> {md_escape(line)}\n" for line in text.splitlines() or [""]) + "\n"


def markdown_source(record: dict) -> str:
    """The lines under a quoted passage: its citation, its themes and its permalink."""
    lines = [f"Citation: {md_escape(record['citation'])}"]
    if recommendation_label(record):
        lines.append(f"Recommendation: {md_escape(recommendation_label(record))}")
    if record["themes"]:
        lines.append(f"Themes: {md_escape(', '.join(theme_labels(record['themes'])))}")
    lines.append(f"Link: <{record['permalink']}>")
    return "  \n".join(lines) + "\n\n"  # two trailing spaces: a line break, not a new paragraph


def docx_chunks(hits: Iterable[dict], info: ExportInfo) -> Iterator[bytes]:
    """A Word document: a heading per excerpt, the text as a quote, then its source and note."""
    sink = ChunkSink()
    document = DocxStream(sink, info.title)
    document.heading(info.title, 0)
    if info.subtitle:
        document.paragraph(Run(info.subtitle, italic=True))
    count = 0
    for count, hit in enumerate(hits, 1):
        record = export_record(hit, info)
        document.heading(f"{count}. {excerpt_heading(record)}", 2)
        document.paragraph(record["text"], style="Quote")
        docx_source(document, record)
        if record.get("note"):
            document.paragraph(Run("Note: ", bold=True), record["note"])
        if sink.size() >= CHUNK:
            yield sink.drain()
    document.paragraph(Run(closing_line(count), italic=True))
    document.close()
    yield sink.drain()


def docx_source(document: DocxStream, record: dict) -> None:
    """The paragraph under a quoted passage: citation, permalink, then themes."""
    source = [record["citation"], " · ", Link(record["permalink"])]
    if recommendation_label(record):
        source.append("\nRecommendation: " + recommendation_label(record))
    if record["themes"]:
        source.append("\nThemes: " + ", ".join(theme_labels(record["themes"])))
    document.paragraph(*source, style="Source")


def recommendation_label(record: dict) -> str:
    """"urges · Slovenia · round 3" for a GRETA recommendation, "" for a passage."""
    if record.get("kind") != "recommendation":
        return ""
    parts = [record.get("strength") or "", record.get("country") or ""]
    parts.append(f"round {record['round']}" if record.get("round") else "")
    return " · ".join(p for p in parts if p)


def batched(pieces: Iterable[str]) -> Iterator[bytes]:
    """Join small strings into chunks of about CHUNK characters."""
    batch, size = [], 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(batch).encode("utf-8")
            batch, size = [], 0
    yield "".join(batch).encode("utf-8")
