"""Thematic views: the timeline and the theme × document matrix, as SVG and as CSV."""
import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from kb.chart_svg import matrix_svg, timeline_svg
from kb.charts import matrix_counts, matrix_csv, timeline_counts, timeline_csv
from kb.search import SearchRequest, iter_matches
from search_app import exports

SVG = "{http://www.w3.org/2000/svg}"
BRDO, STRATEGY = "natc-see-2018-brdo-declaration", "natc-see-2020-strategy-paper"


def compensation(corpus_home) -> list[dict]:
    return list(iter_matches(SearchRequest("theme:compensation"), corpus_home))


def marks(svg: str, kind: str = "mark") -> list[dict]:
    """The data-* attributes of every mark of a chart, read as XML (which also proves it parses)."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if kind in g.get("class", "").split()]
    return [{k[5:]: v for k, v in g.attrib.items() if k.startswith("data-")} for g in groups]


def test_the_timeline_has_a_mark_for_each_year_with_passages_on_the_theme(corpus_home):
    hits = compensation(corpus_home)
    years_with_passages = {str(hit["year"]) for hit in hits}
    found = [m for m in marks(timeline_svg(timeline_counts(hits))) if m["theme"] == "compensation"]
    assert {m["year"] for m in found} == years_with_passages == {"2018", "2020"}
    assert {m["year"]: m["count"] for m in found} == {"2018": "1", "2020": "2"}


def test_timeline_marks_have_tooltips_and_the_axis_names_every_year(corpus_home):
    svg = timeline_svg(timeline_counts(compensation(corpus_home)))
    assert "<title>Compensation, 2020: 2 passages</title>" in svg
    axis = re.findall(r'<text class="axis"[^>]*>(\d{4})</text>', svg)
    assert axis == ["2018", "2019", "2020"]  # years without passages keep their place
    assert "Compensation (3)" in svg


def test_the_timeline_shows_the_top_themes_only(corpus_home):
    counts = timeline_counts(iter_matches(SearchRequest(""), corpus_home))
    shown = {m["theme"] for m in marks(timeline_svg(counts, top=3))}
    assert shown == set(counts.themes(3)) and len(counts.themes()) > 3


def test_the_matrix_counts_passages_per_theme_and_document(corpus_home):
    cells = marks(matrix_svg(matrix_counts(compensation(corpus_home))), "cell")
    by_cell = {(c["theme"], c["doc"]): int(c["count"]) for c in cells}
    assert by_cell[("compensation", BRDO)] == 1 and by_cell[("compensation", STRATEGY)] == 2
    assert by_cell[("migration", BRDO)] == 0  # an empty cell is drawn, light


def test_the_csv_forms_hold_every_count_zeros_included(corpus_home):
    hits = compensation(corpus_home)
    timeline = list(csv.DictReader(io.StringIO(timeline_csv(timeline_counts(hits)).lstrip("\ufeff"))))
    rows = {(r["theme"], r["year"]): int(r["passages"]) for r in timeline}
    assert rows[("compensation", "2018")] == 1 and rows[("compensation", "2019")] == 0 and rows[("compensation", "2020")] == 2
    assert timeline[0] == {"theme": "compensation", "theme_label": "Compensation", "year": "2018", "passages": "1"}
    matrix = list(csv.DictReader(io.StringIO(matrix_csv(matrix_counts(hits)).lstrip("\ufeff"))))
    assert {(r["theme"], r["doc_id"]): int(r["passages"]) for r in matrix}[("compensation", STRATEGY)] == 2
    assert {r["date"] for r in matrix} == {"2018-03-16", "2020-03-04"}


HOSTILE = {
    "doc_id": "x", "seq": 1, "title": '=1+1 <script>alert("t")</script> & "Q"', "date": "2023-01-01", "year": 2023,
    "themes": ["compensation", '<b onload="x">'],
}


def test_charts_escape_every_text_that_comes_from_documents():
    for svg in (timeline_svg(timeline_counts([HOSTILE])), matrix_svg(matrix_counts([HOSTILE]))):
        ET.fromstring(svg)  # still well-formed XML
        assert "<script>" not in svg and "<b " not in svg
        assert "&lt;script&gt;" in svg or "&lt;b onload" in svg
    assert "'=1+1 <script>" in matrix_csv(matrix_counts([HOSTILE]))  # the CSV is neutralised too


def test_an_empty_search_draws_a_message_not_a_broken_chart():
    assert "No dated passages" in timeline_svg(timeline_counts([]))
    assert "No passages with themes" in matrix_svg(matrix_counts([]))


@pytest.fixture
def client(app):
    exports.init_app(app)
    return app.test_client()


@pytest.mark.parametrize("view, kind", [("timeline", "mark"), ("matrix", "cell")])
def test_the_pages_show_the_chart_inline_with_links_and_a_csv_download(client, view, kind):
    page = client.get(f"/{view}", query_string={"q": "compensation", "theme": "compensation"}).get_data(as_text=True)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert marks(svg, kind)
    assert f'href="/{view}.csv?q=compensation&amp;theme=compensation"' in page
    assert 'href="/search?q=compensation&amp;theme=compensation&amp;' in svg  # a mark opens its passages
    table = client.get(f"/{view}.csv", query_string={"q": "compensation", "theme": "compensation"})
    assert table.mimetype == "text/csv"
    assert table.headers["Content-Disposition"] == f'attachment; filename="atkb-{view}-compensation-theme-compensation.csv"'


def test_a_mark_links_to_the_search_narrowed_to_its_theme_and_year(client):
    page = client.get("/timeline", query_string={"theme": "compensation"}).get_data(as_text=True)
    assert '<a href="/search?theme=compensation&amp;year=2018"><g class="mark" data-theme="compensation" data-year="2018"' in page


def test_a_bad_query_on_a_chart_answers_400_with_the_message(client):
    page = client.get("/timeline", query_string={"q": "(impunity"})
    assert page.status_code == 400 and "a parenthesis is not closed" in page.get_data(as_text=True)
    table = client.get("/matrix.csv", query_string={"q": "(impunity"})
    assert table.status_code == 400 and table.get_data(as_text=True) == "error: (impunity: a parenthesis is not closed\n"
