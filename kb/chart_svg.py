"""Draw theme counts as SVG on the server: no script, no external files, every text escaped.

Each mark carries data-* attributes and a <title> tooltip, so the charts can be
read by a screen reader, hovered in a browser, and checked by tests.
"""
from __future__ import annotations

import math
from typing import Callable
from xml.sax.saxutils import escape

from kb.charts import ThemeCounts
from kb.docx_stream import NOT_XML
from kb.export_formats import theme_labels
from kb.taxonomy import current_taxonomy

# One colour per family of the taxonomy, the rest grey.
FAMILY_COLOURS = {"prevention": "#2a7f62", "protection": "#1f4e99", "prosecution": "#a23b3b",
                  "partnership": "#7a5aa6", "context": "#9a6a12"}
HEAT = ("#dbe6f5", "#a9c2e6", "#6f98d2", "#3d6fb8", "#1f4e99")  # light to dark
EMPTY = "#f3f4f7"
FONT = 'font-family="system-ui, sans-serif" font-size="12" fill="#1d1d1f"'
LABEL_WIDTH = 210
Link = Callable[[str, str], str]  # (theme, column key) -> URL of the matching search


def text(value) -> str:
    return escape(NOT_XML.sub("", str(value)))


def attr(value) -> str:
    return escape(NOT_XML.sub("", str(value)), {'"': "&quot;"})


def shorten(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


def theme_colour(theme_id: str) -> str:
    taxonomy = current_taxonomy()
    theme = taxonomy.theme(theme_id) if taxonomy else None
    return FAMILY_COLOURS.get(theme.parent if theme else "", "#5b5b66")


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" {FONT}><title>{text(title)}</title>{"".join(body)}</svg>')


def _linked(mark: str, link: Link | None, theme: str, column: str) -> str:
    return f'<a href="{attr(link(theme, column))}">{mark}</a>' if link else mark


def _empty(message: str) -> str:
    return _svg(480, 40, message, [f'<text x="10" y="25">{text(message)}</text>'])


def timeline_svg(counts: ThemeCounts, top: int = 8, link: Link | None = None) -> str:
    """A row per theme (the top ones), a column per year, a circle sized by passages."""
    themes, years = counts.themes(top), list(counts.columns)
    if not themes or not years:
        return _empty("No dated passages with themes match this search.")
    step = min(56.0, max(30.0, 720 / len(years)))
    row, top_margin = 38, 12
    width, height = LABEL_WIDTH + step * len(years) + 16, top_margin + row * len(themes) + 34
    most = max(counts.count(t, y) for t in themes for y in years)
    body = []
    for j, year in enumerate(years):
        x = LABEL_WIDTH + step * (j + 0.5)
        body.append(f'<line x1="{x:.1f}" y1="{top_margin}" x2="{x:.1f}" y2="{height - 28}" stroke="#ececf0"/>'
                    f'<text class="axis" x="{x:.1f}" y="{height - 12}" text-anchor="middle">{text(year)}</text>')
    for i, (theme, label) in enumerate(zip(themes, theme_labels(themes))):
        y = top_margin + row * (i + 0.5)
        body.append(f'<text class="axis" x="{LABEL_WIDTH - 12}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{text(shorten(label, 26))} ({counts.theme_total(theme)})</text>'
                    f'<line x1="{LABEL_WIDTH}" y1="{y:.1f}" x2="{width - 8:.0f}" y2="{y:.1f}" stroke="#dedee3"/>')
        for j, year in enumerate(years):
            n = counts.count(theme, year)
            if n:
                mark = _bubble(LABEL_WIDTH + step * (j + 0.5), y, 3 + (row / 2 - 5) * math.sqrt(n / most),
                               theme_colour(theme), f"{label}, {year}: {n} passage{'' if n == 1 else 's'}",
                               {"theme": theme, "year": year, "count": n}, n)
                body.append(_linked(mark, link, theme, year))
    return _svg(width, height, "Passages per theme per year", body)


def _bubble(x: float, y: float, radius: float, colour: str, tooltip: str, data: dict, n: int) -> str:
    attributes = " ".join(f'data-{name}="{attr(value)}"' for name, value in data.items())
    label = (f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="10" fill="#fff">{n}</text>'
             if radius >= 9 else "")
    return (f'<g class="mark" {attributes}><title>{text(tooltip)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}" fill-opacity="0.85"/>{label}</g>')


def matrix_svg(counts: ThemeCounts, max_documents: int = 60, link: Link | None = None) -> str:
    """A heatmap: a row per theme, a column per document (the ones with most passages, by date)."""
    themes = counts.themes()
    kept = sorted(counts.columns, key=lambda d: -counts.column_total(d))[:max_documents]
    documents = [d for d in counts.columns if d in kept]
    if not themes or not documents:
        return _empty("No passages with themes match this search.")
    cell, header = 24, 180
    width, height = LABEL_WIDTH + cell * len(documents) + 130, header + cell * len(themes) + 10
    most = max(counts.count(t, d) for t in themes for d in documents)
    body = []
    for j, doc_id in enumerate(documents):
        column = counts.columns[doc_id]
        x, name = LABEL_WIDTH + cell * (j + 0.5), f"{column['year'] or 'undated'} {column['label']}"
        body.append(f'<text class="axis" x="{x + 4:.1f}" y="{header - 8}" transform="rotate(-55 {x + 4:.1f} {header - 8})">'
                    f'<title>{text(name)}</title>{text(shorten(name, 34))}</text>')
    for i, (theme, label) in enumerate(zip(themes, theme_labels(themes))):
        y = header + cell * i
        body.append(f'<text class="axis" x="{LABEL_WIDTH - 10}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">{text(shorten(label, 26))}</text>')
        for j, doc_id in enumerate(documents):
            n = counts.count(theme, doc_id)
            mark = _cell(LABEL_WIDTH + cell * j, y, cell, n, most, f"{label} in {counts.columns[doc_id]['label']}: {n} passage{'' if n == 1 else 's'}",
                         {"theme": theme, "doc": doc_id, "count": n})
            body.append(_linked(mark, link, theme, doc_id) if n else mark)
    return _svg(width, height, "Passages per theme per document", body)


def _cell(x: float, y: float, size: int, n: int, most: int, tooltip: str, data: dict) -> str:
    attributes = " ".join(f'data-{name}="{attr(value)}"' for name, value in data.items())
    shade = HEAT[min(len(HEAT) - 1, int(len(HEAT) * n / most - 1e-9))] if n else EMPTY
    label = (f'<text x="{x + (size - 2) / 2:.1f}" y="{y + size / 2 + 3:.1f}" text-anchor="middle" font-size="10" '
             f'fill="{"#fff" if shade in HEAT[3:] else "#1d1d1f"}">{n}</text>') if n else ""
    return (f'<g class="cell{"" if n else " empty"}" {attributes}><title>{text(tooltip)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{size - 2}" height="{size - 2}" fill="{shade}"/>{label}</g>')
