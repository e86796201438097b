"""Source profiles: legal instruments, GRETA reports and UN documents keep their own structure."""
import json
from pathlib import Path

import pytest

from ingest.clean import clean_blocks
from ingest.parsers import parse
from ingest.profiles import choose_profile
from ingest.segment import segment, segment_general
from kb.citations import pinpoint, pinpoint_label
from tests.conftest import CORPUS, DATA, run_kb

PROFILES = DATA / "profiles"
FORMATS = {".pdf": "pdf", ".html": "html", ".txt": "text"}


def blocks_of(name: str):
    path = PROFILES / name
    return clean_blocks(parse(path.read_bytes(), FORMATS[path.suffix], str(path)))


def passages_of(name: str, doc_type: str):
    return segment(blocks_of(name), "doc", doc_type=doc_type)


def by_number(passages, number: str, role: str | None = None):
    return next(p for p in passages if p.number == number and (role is None or p.role == role))


def body_of(passages):
    return [p for p in passages if p.role in ("body", "list_item", "preamble")]


@pytest.mark.parametrize(
    "name, doc_type, profile",
    [
        ("directive.html", "eu_directive", "legal"),
        ("convention.txt", "convention", "legal"),
        ("greta-report.pdf", "greta_report", "greta"),
        ("un-report.pdf", "un_document", "un"),
        # A doc_type that does not settle it: the text does.
        ("directive.html", "other", "legal"),
        ("convention.txt", "report", "legal"),
        ("greta-report.pdf", "other", "greta"),
        ("un-report.pdf", "other", "un"),
        # The doc_type wins over what the text looks like.
        ("un-report.pdf", "declaration", "general"),
    ],
)
def test_the_profile_comes_from_the_doc_type_or_the_text(name, doc_type, profile):
    assert choose_profile(doc_type, blocks_of(name)) == profile


@pytest.mark.parametrize("path", sorted(CORPUS.glob("documents/*.txt")))
def test_the_bundled_declarations_keep_the_general_profile(path):
    blocks = clean_blocks(parse(path.read_bytes(), "text", str(path)))
    assert choose_profile("other", blocks) == "general"


# --- legal instruments --------------------------------------------------------

def test_directive_recitals_articles_paragraphs_and_points():
    passages = passages_of("directive.html", "eu_directive")
    recital = by_number(passages, "Recital (1)")
    assert recital.role == "preamble"
    assert recital.text.startswith("Victims of trafficking should be protected")
    assert by_number(passages, "Recital (2)").text.startswith("Member States should give victims")
    article = by_number(passages, "Art. 2", role="heading")
    assert article.text == "Article 2 – Assistance and support"
    first = by_number(passages, "Art. 2(1)")
    assert first.text.startswith("Member States shall ensure that assistance")
    assert first.heading == "Article 2 – Assistance and support"
    lead = by_number(passages, "Art. 2(2)")
    point = by_number(passages, "Art. 2(2)(b)")
    assert point.text == "medical treatment and psychological assistance."
    assert point.role == "list_item" and point.parent == lead.passage_id
    assert by_number(passages, "Art. 3", role="body").heading == "Article 3 – Non-punishment of victims"
    closing = next(p for p in passages if p.text.startswith("Done at Brussels"))
    assert closing.number == "" and closing.heading == ""


def test_convention_preamble_chapters_and_article_titles_in_every_form():
    passages = passages_of("convention.txt", "convention")
    preamble = [p for p in passages if p.role == "preamble"]
    assert [p.text.split()[0] for p in preamble] == ["The", "Considering", "Recalling", "Bearing", "Have"]
    assert all(p.heading == "Preamble" for p in preamble)
    headings = [p.text for p in passages if p.role == "heading" and p.number.startswith("Art.")]
    # "–", "—", "-" and a title on the line below all give the same form.
    assert headings == [
        "Article 1 – Purpose", "Article 2 – Definitions",
        "Article 3 – Non-punishment provision", "Article 4 – Assistance",
    ]
    non_punishment = by_number(passages, "Art. 3", role="body")
    assert non_punishment.heading == "Chapter II – Protection of victims › Article 3 – Non-punishment provision"
    assert non_punishment.text.startswith("Each Party shall provide for the possibility")


def test_convention_paragraph_numbers_in_council_of_europe_style_and_nested_points():
    passages = passages_of("convention.txt", "convention")
    assert by_number(passages, "Art. 1(2)").text == "This Convention sets up a mechanism to monitor its implementation."
    assert by_number(passages, "Art. 2(b)").text.startswith('"child" means')
    item = by_number(passages, "Art. 4(2)(b)(ii)")
    assert item.text == "interpretation."
    assert item.parent == by_number(passages, "Art. 4(2)(b)").passage_id
    assert by_number(passages, "Art. 4(2)(b)").parent == by_number(passages, "Art. 4(2)").passage_id
    assert passages[-1].text.startswith("IN WITNESS WHEREOF") and passages[-1].number == ""


def test_pinpoint_citations_use_the_article_form():
    passages = passages_of("convention.txt", "convention")
    document = {"title": "Model Convention", "issuer": "Example Council", "date": "2005-05-16"}
    cited = by_number(passages, "Art. 4(2)(a)").to_json()
    assert pinpoint(document, cited) == "Model Convention, Example Council, 16 May 2005, Art. 4(2)(a)"
    assert pinpoint_label("Recital (14)", 3) == "Recital (14)"
    assert pinpoint_label("fn. 12", 40) == "fn. 12"
    assert pinpoint_label("6)", 9) == "para. 6"


# --- GRETA reports --------------------------------------------------------------

def test_greta_numbered_paragraphs_under_their_sections():
    passages = passages_of("greta-report.pdf", "greta_report")
    numbered = [p.number for p in passages if p.role == "body" and p.number]
    assert numbered == ["1.", "2.", "3.", "4.", "5.", "6.", "7."]
    assert by_number(passages, "1.").heading == "I. Introduction"
    assert by_number(passages, "3.").heading == "II. Access to justice and effective remedies › 1. Right to information"
    assert [p.text for p in passages if p.role == "heading"][:2] == ["Evaluation Report on Ruritania", "I. Introduction"]


def test_greta_footnotes_stand_apart_from_the_body():
    passages = passages_of("greta-report.pdf", "greta_report")
    notes = [p for p in passages if p.role == "footnote"]
    assert [(n.number, n.text) for n in notes] == [
        ("fn. 1", "Law on Criminal Procedure, Official Gazette No. 45/2019, Article 65."),
        ("fn. 2", "Information provided by the Labour Inspectorate in April 2024."),
    ]
    # The reference mark is gone from the sentence it was attached to.
    assert "as the Law on Criminal Procedure requires. Leaflets exist" in by_number(passages, "3.").text
    assert by_number(passages, "7.").text.endswith("on 14 occasions in 2023.")
    for passage in body_of(passages):
        assert "Official Gazette" not in passage.text and "Labour Inspectorate" not in passage.text


def test_greta_running_header_footer_and_page_numbers_are_dropped():
    passages = passages_of("greta-report.pdf", "greta_report")
    for passage in passages:
        assert "GRETA(2024)99" not in passage.text
        assert "Third evaluation round - Ruritania" not in passage.text
        assert passage.text not in ("1", "2")


def test_greta_paragraph_cut_by_a_page_break_comes_back_whole_past_its_footnote():
    passages = passages_of("greta-report.pdf", "greta_report")
    fifth = by_number(passages, "5.")
    assert fifth.text.endswith("the courts award small amounts when they are brought, as the statistics supplied to GRETA show.")
    assert (fifth.page, by_number(passages, "fn. 1").page) == (1, 1)


def test_greta_recommendation_points_hang_from_their_paragraph():
    passages = passages_of("greta-report.pdf", "greta_report")
    lead = by_number(passages, "6.")
    assert lead.text == "GRETA urges the Ruritanian authorities to:"
    points = [p for p in passages if p.parent == lead.passage_id]
    assert [(p.number, p.role) for p in points] == [("(a)", "list_item"), ("(b)", "list_item")]


def test_footnotes_are_kept_apart_by_the_general_profile_too():
    passages = segment_general(blocks_of("greta-report.pdf"), "doc")
    assert [p.number for p in passages if p.role == "footnote"] == ["fn. 1", "fn. 2"]


# --- UN documents ---------------------------------------------------------------

def test_un_symbol_first_then_numbered_paragraphs_and_headings():
    passages = passages_of("un-report.pdf", "un_document")
    assert (passages[0].text, passages[0].role) == ("A/HRC/WG.6/99/RUR/1", "heading")
    assert [p.number for p in passages if p.role == "body" and p.number] == ["1.", "2.", "3.", "4."]
    headings = [p.text for p in passages if p.role == "heading"]
    assert "A. Legal framework" in headings and "1. Trafficking in persons" in headings
    assert by_number(passages, "2.").heading == "I. Introduction › A. Legal framework › 1. Trafficking in persons"


def test_un_running_headers_and_note_marks_stay_out_of_the_body():
    passages = passages_of("un-report.pdf", "un_document")
    assert sum(p.text == "A/HRC/WG.6/99/RUR/1" for p in passages) == 1
    for passage in passages:
        assert not passage.text.startswith("GE.25-01234")
    first = by_number(passages, "1.")
    assert "Commission on Human Rights after consultations" in first.text  # no "Rights1 after"
    notes = [(p.number, p.text) for p in passages if p.role == "footnote"]
    assert notes == [
        ("fn. 1", "Established by Government decision of 12 May 2019."),
        ("fn. 2", "Criminal Code, Article 113."),
        ("fn. 3", "Available from the website of the national rapporteur."),
    ]
    for passage in body_of(passages):
        assert "Criminal Code, Article 113" not in passage.text


# --- end to end -----------------------------------------------------------------

def test_kb_add_then_show_prints_articles_by_their_pinpoint(tmp_path):
    added = run_kb("add", str(PROFILES / "convention.txt"), "--title", "Model Convention", "--issuer", "Example Council",
                   "--doc-type", "convention", "--id", "model-convention", home=tmp_path)
    assert added.returncode == 0, added.stderr
    added = run_kb("add", str(PROFILES / "un-report.pdf"), "--title", "National report", "--issuer", "Ruritania",
                   "--doc-type", "un_document", "--id", "un-report", home=tmp_path)
    assert added.returncode == 0, added.stderr
    shown = run_kb("show", "model-convention", home=tmp_path).stdout
    assert "Art. 3 [heading] Article 3 – Non-punishment provision" in shown
    assert "Art. 3 [body] Each Party shall provide for the possibility" in shown
    report = json.loads(run_kb("show", "un-report", "--json", home=tmp_path).stdout)
    paragraphs = [p for p in report["passages"] if p["role"] == "body" and p["number"]]
    assert [p["number"] for p in paragraphs] == ["1.", "2.", "3.", "4."]
    assert all("Criminal Code, Article 113" not in p["text"] for p in paragraphs)
    found = json.loads(run_kb("search", "interpretation", "--filter", "doc_id=model-convention", "--json", home=tmp_path).stdout)
    assert found["hits"][0]["number"] == "Art. 4(2)(b)(ii)"
    assert found["hits"][0]["citation"].endswith("Art. 4(2)(b)(ii)")
