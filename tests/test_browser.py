"""The served app, driven in Debian's Chromium as a user would drive it."""
import json
import urllib.request
from pathlib import Path

import pytest

from search_app import create_app
from tests.browser import ARTIFACTS, served
from tests.conftest import home_with_document

HOSTILE = 'RECALLING that <script>alert("owned")</script> must stay text;\n'


@pytest.fixture(scope="module")
def home(corpus_home, tmp_path_factory) -> Path:
    """The corpus, plus a document whose text carries a script tag."""
    return home_with_document(corpus_home, tmp_path_factory.mktemp("browser"), HOSTILE,
                              id="hostile", title="Hostile <b>title</b>")


@pytest.fixture(scope="module")
def server(home):
    with served(create_app({"KB_HOME": str(home)})) as base:
        yield base


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def facet_link(page, facet: str, label: str):
    return page.locator(f'.facet-{facet} a.value:has(.label:text-is("{label}"))')


def test_a_search_shows_results(page, server):
    page.goto(server + "/")
    page.fill('input[name="q"]', '"strategic priorities for 2020-2024"')
    page.click('button[type="submit"]')
    page.wait_for_selector(".hit")
    assert "/search?q=" in page.url
    hits = page.locator(".hit").all_inner_texts()
    assert sum("REITERATE" in hit for hit in hits) == 2
    assert page.locator(".hit mark").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)


def test_clicking_a_facet_changes_counts_and_results(page, server):
    page.goto(server + "/search?q=trafficking")
    before_total = page.locator(".total").inner_text()
    before_roles = page.locator(".facet-role").inner_text()
    facet_link(page, "doc_type", "strategy").click()
    page.wait_for_url("**doc_type=strategy**")
    assert page.locator(".total").inner_text() != before_total
    assert page.locator(".facet-role").inner_text() != before_roles
    titles = set(page.locator(".hit .where").all_inner_texts())
    assert titles == {"Strategy Paper 2020-2024 of the Network of Anti-Trafficking Coordinators of South-East Europe"}
    page.go_back()
    page.wait_for_url(server + "/search?q=trafficking")
    assert page.locator(".total").inner_text() == before_total


def test_the_new_user_path_filter_open_and_cite(page, server):
    page.goto(server + "/")
    page.fill('input[name="q"]', "compensation")
    page.press('input[name="q"]', "Enter")
    page.wait_for_selector(".hit")
    facet_link(page, "theme", "Compensation").click()
    page.wait_for_url("**theme=compensation**")
    page.locator('.facet-year a.bar[title^="2018"]').click()
    page.wait_for_url("**year=2018**")
    assert page.locator(".total").inner_text() == "1 passage"
    page.locator(".hit .what a").first.click()
    page.wait_for_url("**/doc/natc-see-2018-brdo-declaration**#p-*")
    assert page.url.endswith("#p-26")
    target = page.locator("#p-26")
    assert target.evaluate("node => node.matches(':target')")
    assert target.is_visible() and "Continuing to explore avenues" in target.inner_text()
    assert target.locator("mark").first.inner_text().lower() == "compensation"
    target.locator("button.cite").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (
        "Joint Declaration of the Ministers of Interior of South-East Europe on Strengthening Regional Cooperation "
        "in SEE to Combat Trafficking in Human Beings, Ministers of Interior and Anti-Trafficking Coordinators of "
        "South-East Europe, Brdo pri Kranju, 16 March 2018, para. 6"
    )
    # The same filters on the API give the same hits.
    api = json.load(urllib.request.urlopen(server + "/api/search?q=compensation&theme=compensation&year=2018"))
    assert [(h["doc_id"], h["number"]) for h in api["hits"]] == [("natc-see-2018-brdo-declaration", "6)")]


def test_a_passage_with_a_script_tag_shows_it_as_text(page, server):
    page.goto(server + "/doc/hostile")
    passage = page.locator("#p-1")
    assert '<script>alert("owned")</script>' in passage.inner_text()
    assert page.locator("h1").inner_text() == "Hostile <b>title</b>"
    page.goto(server + "/search?q=owned")
    assert '<script>alert("owned")</script>' in page.locator(".hit").first.inner_text()
    assert page.dialogs == []


def test_bad_query_error_next_to_the_box(page, server):
    page.goto(server + "/search?q=%28impunity")
    assert page.locator(".error").inner_text().endswith("a parenthesis is not closed")
    assert page.locator('input[name="q"]').input_value() == "(impunity"


def test_long_facet_lists_get_a_filter_box(page, server):
    page.goto(server + "/search?q=trafficking")
    box = page.locator(".facet-org .facet-filter")
    assert box.count() == 1
    box.fill("GRE")
    visible = [t for t in page.locator(".facet-org li").all_inner_texts() if t]
    shown = page.locator(".facet-org li:visible").all_inner_texts()
    assert len(shown) < len(visible) and all("GRE" in s.upper() for s in shown)
