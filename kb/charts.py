"""Thematic views of a search: passages per theme per year, and per theme per document.

The counts are made in one pass over all the matches (flat memory however
many there are) and rendered two ways: as SVG (kb/chart_svg.py) and as CSV.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from kb.export_formats import neutralise, theme_labels


@dataclass
class ThemeCounts:
    """Passages per theme and per column (a year, or a document) over the matches of a search."""

    cells: Counter = field(default_factory=Counter)  # (theme, column key) -> passages
    columns: dict[str, dict] = field(default_factory=dict)  # key -> {"label", ...}, in display order
    passages: int = 0
    left_out: int = 0  # passages with no place on the axis (undated ones on a timeline)

    def count(self, theme: str, column: str) -> int:
        return self.cells.get((theme, column), 0)

    def themes(self, top: int | None = None) -> list[str]:
        """Theme ids with passages, most passages first (then by id, so the order is stable)."""
        totals = Counter()
        for (theme, _), n in self.cells.items():
            totals[theme] += n
        ranked = sorted(totals, key=lambda theme: (-totals[theme], theme))
        return ranked[:top] if top else ranked

    def theme_total(self, theme: str) -> int:
        return sum(n for (t, _), n in self.cells.items() if t == theme)

    def column_total(self, column: str) -> int:
        return sum(n for (_, c), n in self.cells.items() if c == column)


def timeline_counts(hits: Iterable[dict]) -> ThemeCounts:
    """Count passages per theme per year; every year between the first and last gets a column."""
    counts = ThemeCounts()
    for hit in hits:
        counts.passages += 1
        if not hit.get("year"):
            counts.left_out += 1
            continue
        for theme in hit["themes"]:
            counts.cells[(theme, str(hit["year"]))] += 1
    years = sorted({int(year) for _, year in counts.cells})
    if years:
        counts.columns = {str(y): {"label": str(y)} for y in range(years[0], years[-1] + 1)}
    return counts


def matrix_counts(hits: Iterable[dict]) -> ThemeCounts:
    """Count passages per theme per document; documents in date order."""
    counts = ThemeCounts()
    documents = {}
    for hit in hits:
        counts.passages += 1
        documents.setdefault(hit["doc_id"], {"label": hit["title"], "date": hit.get("date") or "", "year": hit.get("year")})
        for theme in hit["themes"]:
            counts.cells[(theme, hit["doc_id"])] += 1
    order = sorted(documents, key=lambda doc_id: (documents[doc_id]["date"], doc_id))
    counts.columns = {doc_id: documents[doc_id] for doc_id in order}
    return counts


def timeline_csv(counts: ThemeCounts) -> str:
    """One row per theme and year, zeros included, so the table is complete."""
    return _table(["theme", "theme_label", "year", "passages"], (
        [theme, label, year, counts.count(theme, year)]
        for theme, label in _labelled(counts) for year in counts.columns
    ))


def matrix_csv(counts: ThemeCounts) -> str:
    """One row per theme and document, zeros included."""
    return _table(["theme", "theme_label", "doc_id", "title", "date", "passages"], (
        [theme, label, doc_id, column["label"], column["date"], counts.count(theme, doc_id)]
        for theme, label in _labelled(counts) for doc_id, column in counts.columns.items()
    ))


def _labelled(counts: ThemeCounts) -> list[tuple[str, str]]:
    themes = counts.themes()
    return list(zip(themes, theme_labels(themes)))


def _table(header: list[str], rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # as in exports: Excel needs the mark to read accents in titles
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()
