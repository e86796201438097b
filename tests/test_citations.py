"""References of documents for Zotero and EndNote: BibTeX and RIS, from the API and the app."""
import pytest

from kb.citations import bibtex, bibtex_escape, permalink, ris
from kb.documents import show_document
from search_app import exports

BRDO = "natc-see-2018-brdo-declaration"
BASE = "http://127.0.0.1:5000"
STRATEGY = {
    "id": "greta-2023-report_x", "title": "Evaluation report: 50% of cases & {costs}", "issuer": "GRETA",
    "doc_type": "greta_report", "date": "2023-05", "place": "Strasbourg", "language": "en",
    "url": "https://rm.coe.int/report?id=1&x={y}",
}


@pytest.fixture
def brdo(corpus_home) -> dict:
    return show_document(BRDO, corpus_home)["document"]


def test_bibtex_of_a_declaration(brdo):
    assert bibtex(brdo, BASE) == (
        "@misc{natc-see-2018-brdo-declaration,\n"
        "  title = {Joint Declaration of the Ministers of Interior of South-East Europe on Strengthening Regional "
        "Cooperation in SEE to Combat Trafficking in Human Beings},\n"
        "  author = {{Ministers of Interior and Anti-Trafficking Coordinators of South-East Europe}},\n"
        "  organization = {Ministers of Interior and Anti-Trafficking Coordinators of South-East Europe},\n"
        "  note = {Declaration},\n"
        "  year = {2018},\n"
        "  month = mar,\n"
        "  date = {2018-03-16},\n"
        "  address = {Brdo pri Kranju},\n"
        "  language = {en},\n"
        f"  url = {{{BASE}/doc/natc-see-2018-brdo-declaration}}\n"
        "}\n"
    )


def test_bibtex_of_a_report_names_its_institution_and_escapes_tex():
    entry = bibtex(STRATEGY, BASE)
    assert entry.startswith("@techreport{greta-2023-report_x,\n")
    assert r"title = {Evaluation report: 50\% of cases \& \{costs\}}" in entry
    assert "institution = {GRETA}" in entry and "type = {GRETA report}" in entry
    assert "month = may" in entry and "date = {2023-05}" in entry
    assert "url = {https://rm.coe.int/report?id=1&x=%7By%7D}" in entry  # the source link, braces encoded
    assert entry.count("{") == entry.count("}")


@pytest.mark.parametrize("text, escaped", [
    ("A & B", r"A \& B"), ("50%", r"50\%"), ("$5", r"\$5"), ("#1", r"\#1"), ("a_b", r"a\_b"),
    ("{x}", r"\{x\}"), ("~", r"\~{}"), ("^", r"\^{}"), ("back\\slash", r"back\textbackslash{}slash"),
    ("two\nlines", "two lines"), ("Ljubljana – Brdo", "Ljubljana – Brdo"),
])
def test_bibtex_escapes_what_tex_would_read_as_commands(text, escaped):
    assert bibtex_escape(text) == escaped


def test_ris_of_a_declaration(brdo):
    record = ris(brdo, BASE)
    lines = record.split("\r\n")
    assert lines[0] == "TY  - GOVDOC"
    assert "TI  - Joint Declaration of the Ministers of Interior of South-East Europe on Strengthening Regional " \
           "Cooperation in SEE to Combat Trafficking in Human Beings" in lines
    assert "AU  - Ministers of Interior and Anti-Trafficking Coordinators of South-East Europe" in lines
    assert {"PY  - 2018", "DA  - 2018/03/16/", "CY  - Brdo pri Kranju", "M3  - Declaration", f"ID  - {BRDO}",
            f"UR  - {BASE}/doc/{BRDO}"} <= set(lines)
    assert record.endswith("ER  - \r\n")


def test_ris_types_and_dates_of_other_documents():
    lines = ris({**STRATEGY, "title": "Two\nlines"}, BASE).split("\r\n")
    assert lines[0] == "TY  - RPRT"
    assert "TI  - Two lines" in lines and "DA  - 2023/05//" in lines and "UR  - https://rm.coe.int/report?id=1&x={y}" in lines
    assert ris({**STRATEGY, "doc_type": "eu_directive"}).startswith("TY  - LEGAL\r\n")
    assert ris({**STRATEGY, "doc_type": "other", "date": ""}).startswith("TY  - GEN\r\n")
    assert not any(line.startswith(("PY", "DA")) for line in ris({**STRATEGY, "date": ""}).split("\r\n"))


def test_permalinks_point_at_a_document_or_a_passage():
    assert permalink(BRDO) == f"/doc/{BRDO}"
    assert permalink(BRDO, 26, BASE + "/") == f"{BASE}/doc/{BRDO}#p-26"
    assert permalink("a b/c", 1) == "/doc/a%20b%2Fc#p-1"


@pytest.fixture
def client(app):
    exports.init_app(app)
    return app.test_client()


@pytest.mark.parametrize("kind, mimetype, first_line", [
    ("bib", "application/x-bibtex", f"@misc{{{BRDO},"),
    ("ris", "application/x-research-info-systems", "TY  - GOVDOC"),
])
def test_a_document_page_offers_its_reference_as_a_download(client, kind, mimetype, first_line):
    page = client.get(f"/doc/{BRDO}").get_data(as_text=True)
    assert f'href="/doc/{BRDO}/cite.{kind}"' in page
    response = client.get(f"/doc/{BRDO}/cite.{kind}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{BRDO}.{kind}"'
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == first_line
    assert "http://localhost/doc/" in text  # permalinks point at the server that answered


def test_references_of_unknown_documents_and_formats(client):
    missing = client.get("/doc/nope/cite.bib")
    assert missing.status_code == 404 and "nope: no document with this id is indexed" in missing.get_data(as_text=True)
    wrong = client.get(f"/doc/{BRDO}/cite.pdf")
    assert wrong.status_code == 400 and "references come as cite.bib (BibTeX) or cite.ris (RIS)" in wrong.get_data(as_text=True)
