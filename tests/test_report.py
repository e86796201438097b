"""The brief on a theme: a table of counts, then every passage by year and document, with citations."""
import io
import re

import docx
import pytest

from kb.errors import ExportError
from kb.report import brief_chunks, write_brief
from kb.search import SearchRequest, iter_matches

BRDO_TITLE = ("Joint Declaration of the Ministers of Interior of South-East Europe on Strengthening Regional "
              "Cooperation in SEE to Combat Trafficking in Human Beings")
STRATEGY_TITLE = "Strategy Paper 2020-2024 of the Network of Anti-Trafficking Coordinators of South-East Europe"


def brief(corpus_home, fmt: str, theme: str = "compensation", **years) -> bytes:
    out = io.BytesIO()
    write_brief(out, theme, fmt, home=corpus_home, base_url="http://127.0.0.1:5000", **years)
    return out.getvalue()


def on_theme(corpus_home, theme: str) -> list[dict]:
    return list(iter_matches(SearchRequest("", filters=(("theme", theme, False),)), corpus_home))


def test_the_markdown_brief_opens_with_counts_per_year_and_document_type(corpus_home):
    text = brief(corpus_home, "md").decode("utf-8")
    assert text.startswith("# Compensation: a brief\n\nEvery passage on Compensation in the atkb index "
                           "(theme compensation, all years), by year and document: 3 passages from 2 documents.")
    table = text[text.index("| Year"):text.index("\n\n", text.index("| Year"))]
    assert table.splitlines() == [
        "| Year | Declaration | Strategy | Total |", "|---|---|---|---|",
        "| 2018 | 1 | 0 | 1 |", "| 2020 | 0 | 2 | 2 |", "| Total | 1 | 2 | 3 |",
    ]


def test_the_markdown_brief_groups_every_passage_by_year_then_document_with_citations(corpus_home):
    text = brief(corpus_home, "md").decode("utf-8")
    headings = re.findall(r"^(##+) (.+)$", text, re.M)
    assert headings == [("##", "2018"), ("###", BRDO_TITLE), ("##", "2020"), ("###", STRATEGY_TITLE)]
    for hit in on_theme(corpus_home, "compensation"):
        assert f"> {hit['text']}\n" in text
        assert f"Citation: {hit['citation']}" in text
        assert f"Link: <http://127.0.0.1:5000/doc/{hit['doc_id']}#p-{hit['seq']}>" in text
    assert text.index("para. 6") < text.index("#p-31") < text.index("#p-40")  # reading order within a document


def test_the_word_brief_opens_with_python_docx_table_first(corpus_home):
    document = docx.Document(io.BytesIO(brief(corpus_home, "docx")))
    table = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert table == [["Year", "Declaration", "Strategy", "Total"], ["2018", "1", "0", "1"],
                     ["2020", "0", "2", "2"], ["Total", "1", "2", "3"]]
    outline = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert outline == [("Title", "Compensation: a brief"), ("Heading 1", "2018"), ("Heading 2", BRDO_TITLE),
                       ("Heading 1", "2020"), ("Heading 2", STRATEGY_TITLE)]
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    sources = " ".join(p.text for p in document.paragraphs if p.style.name == "Source")
    hits = on_theme(corpus_home, "compensation")
    assert sorted(quotes) == sorted(hit["text"] for hit in hits)
    assert all(hit["citation"] in sources for hit in hits)


def test_a_year_range_keeps_the_passages_of_those_years(corpus_home):
    text = brief(corpus_home, "md", year_from=2019, year_to=2022).decode("utf-8")
    assert "(theme compensation, 2019–2022)" in text and "2 passages from 1 document." in text
    assert "## 2018" not in text and "## 2020" in text
    assert "| 2018 |" not in text


def test_a_family_of_themes_makes_a_brief_too(corpus_home):
    text = brief(corpus_home, "md", theme="prosecution").decode("utf-8")
    assert text.startswith("# Prosecution: a brief")
    assert text.count("\nCitation: ") == len(on_theme(corpus_home, "prosecution"))


@pytest.mark.parametrize("theme, fmt, years, message", [
    ("compensations", "md", {}, "compensations: unknown theme (themes: assistance, awareness,"),
    ("compensation", "pdf", {}, "pdf: a brief is written as md or docx"),
    ("compensation", "md", {"year_from": 2022, "year_to": 2018}, "2022-2018: the first year comes after the last"),
])
def test_bad_briefs_say_what_is_wrong_before_writing_anything(corpus_home, theme, fmt, years, message):
    with pytest.raises(ExportError) as raised:
        brief_chunks(theme, fmt, home=corpus_home, **years)
    assert str(raised.value).startswith(message)
