"""Exports, the excerpt basket and the thematic views, driven in Debian's Chromium."""
import csv
import io
from pathlib import Path

import docx
import pytest

from search_app import create_app
from tests.browser import ARTIFACTS, served

BRDO_26 = "natc-see-2018-brdo-declaration:26"


@pytest.fixture(scope="module")
def server(corpus_home):
    with served(create_app({"KB_HOME": str(corpus_home)})) as base:
        yield base


@pytest.fixture
def page(browser, server):
    """A fresh browser profile (so an empty basket) that records script errors and CSP refusals."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def downloaded_csv(download) -> list[dict]:
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def add_to_basket(page, passage_id: str) -> None:
    button = page.locator(f'button.basket-add[data-passage-id="{passage_id}"]')
    button.click()
    assert button.inner_text() == "In basket ✓ (remove)"


def test_a_basket_of_passages_from_two_searches_reordered_annotated_and_exported(page, server):
    page.goto(server + "/search?q=compensation")
    add_to_basket(page, BRDO_26)
    page.goto(server + "/search?q=impunity")
    impunity = page.locator("button.basket-add").first.get_attribute("data-passage-id")
    add_to_basket(page, impunity)
    assert page.locator(".basket-count").first.inner_text() == "(2)"

    page.locator(".basket-link").first.click()
    page.wait_for_url("**/basket")
    items = page.locator(".basket-item")
    assert [items.nth(i).get_attribute("data-passage-id") for i in range(2)] == [BRDO_26, impunity]
    items.nth(0).locator("button.move-down").click()
    assert [items.nth(i).get_attribute("data-passage-id") for i in range(2)] == [impunity, BRDO_26]
    items.nth(1).locator("textarea").fill("=Compare with the 2020 strategy paper")
    page.reload()  # the basket, its order and its notes live in localStorage
    assert items.nth(1).locator("textarea").input_value() == "=Compare with the 2020 strategy paper"

    page.select_option(".basket-export select", "csv")
    with page.expect_download() as download:
        page.click("button.export-basket")
    assert download.value.suggested_filename.startswith("atkb-basket-")
    rows = downloaded_csv(download.value)
    assert [(r["passage_id"], r["note"]) for r in rows] == [(impunity, ""), (BRDO_26, "'=Compare with the 2020 strategy paper")]
    assert rows[1]["permalink"] == f"{server}/doc/natc-see-2018-brdo-declaration#p-26"
    assert page.locator(".basket-status").inner_text() == "Exported 2 passages."
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "basket.png"), full_page=True)
    assert page.problems == []


def test_a_basket_exports_as_word_from_a_document_page(page, server):
    page.goto(server + "/doc/natc-see-2018-brdo-declaration")
    add_to_basket(page, BRDO_26)
    page.goto(server + "/basket")
    page.select_option(".basket-export select", "docx")
    with page.expect_download() as download:
        page.click("button.export-basket")
    texts = [p.text for p in docx.Document(download.value.path()).paragraphs]
    assert any(text.startswith("Continuing to explore avenues for setting up formal compensation") for text in texts)
    assert page.problems == []


def test_the_export_menu_downloads_every_match_as_csv(page, server):
    page.goto(server + "/search?q=compensation&theme=compensation&per_page=1")
    page.click(".export-menu summary")
    with page.expect_download() as download:
        page.click('.export-menu a:text-is("CSV")')
    assert download.value.suggested_filename == "atkb-export-compensation-theme-compensation.csv"
    rows = downloaded_csv(download.value)
    assert len(rows) == 3  # all matches, not the one passage shown on the page
    assert BRDO_26 in {r["passage_id"] for r in rows}
    assert page.problems == []


def test_the_timeline_page_shows_an_inline_svg_whose_marks_open_the_passages(page, server):
    page.goto(server + "/search?q=compensation&theme=compensation")
    page.click('.result-tools a:text-is("Timeline")')
    page.wait_for_url("**/timeline?q=compensation&theme=compensation")
    chart = page.locator("main svg.chart")
    assert chart.is_visible()
    marks = page.locator('svg.chart g.mark[data-theme="compensation"]')
    assert sorted(marks.nth(i).get_attribute("data-year") for i in range(marks.count())) == ["2018", "2020"]
    page.screenshot(path=str(ARTIFACTS / "timeline.png"), full_page=True)
    page.locator('svg.chart g.mark[data-theme="compensation"][data-year="2018"]').click()
    page.wait_for_url("**/search?q=compensation&theme=compensation&year=2018")
    assert page.locator(".total").inner_text() == "1 passage"
    assert page.problems == []


def test_the_matrix_page_and_its_csv(page, server):
    page.goto(server + "/matrix?theme=compensation")
    cell = page.locator('svg.chart g.cell[data-theme="compensation"][data-doc="natc-see-2020-strategy-paper"]')
    assert cell.get_attribute("data-count") == "2"
    with page.expect_download() as download:
        page.click("a.download")
    assert download.value.suggested_filename == "atkb-matrix-theme-compensation.csv"
    assert page.problems == []


def test_a_document_page_links_its_bibtex_reference(page, server):
    page.goto(server + "/doc/natc-see-2018-brdo-declaration")
    with page.expect_download() as download:
        page.click("a.cite-bib")
    assert download.value.suggested_filename == "natc-see-2018-brdo-declaration.bib"
    assert Path(download.value.path()).read_text().startswith("@misc{natc-see-2018-brdo-declaration,")
