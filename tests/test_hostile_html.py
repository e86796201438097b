"""HTML carrying scripts, frames, embeds, forms and event handlers ends up inert text.

The page is parsed to plain passages, indexed, served over HTTP and opened in
Chromium: no markup of it reaches a served page as markup, and nothing of it runs.
"""
import json
import shutil
import urllib.request

import pytest
from bs4 import BeautifulSoup

from ingest.manifest import entry_from_table
from ingest.parsers.html import parse_html
from ingest.pipeline import ingest
from search_app import create_app
from tests.browser import served

ESCAPED_SCRIPT = """<script>window.__pwned='escaped';alert("escaped")</script>"""
HOSTILE_PAGE = """<!DOCTYPE html>
<html><head><title>Hostile</title>
<meta http-equiv="refresh" content="0;url=javascript:alert('refresh')">
<base href="javascript:alert('base')//">
<style>body { background: url("javascript:alert('css')") }</style>
<script>window.__pwned = "script"; alert("script")</script>
</head>
<body onload="window.__pwned='onload'">
<h1 onclick="alert('h1')">Hostile declaration on impunity</h1>
<p>The Parties shall end impunity for traffickers. <img src="x" onerror="window.__pwned='img';alert('img')">Victims are not punished.</p>
<p><a href="javascript:alert('link')" onmouseover="alert('hover')">Read the annex</a> on compensation for survivors.</p>
<iframe src="javascript:alert('iframe')">Fallback text of the frame</iframe>
<object data="x.swf"><embed src="x.swf">Object fallback</object>
<svg onload="alert('svg')"><text>svg text</text></svg>
<form action="http://127.0.0.1:9/steal"><input name="a" value="steal"><p>Form paragraph on referral.</p></form>
<p>Quoted markup stays text: <b>&lt;script&gt;window.__pwned='escaped';alert("escaped")&lt;/script&gt;</b>
and &lt;img src=x onerror=alert(1)&gt;.</p>
<p hidden>Hidden paragraph</p>
<noscript><p>Noscript text</p></noscript>
<template><p>Template text</p></template>
</body></html>
"""
EXPECTED_TEXT = [
    "Hostile declaration on impunity",
    "The Parties shall end impunity for traffickers. Victims are not punished.",
    "Read the annex on compensation for survivors.",
    "Form paragraph on referral.",
    f"Quoted markup stays text: {ESCAPED_SCRIPT} and <img src=x onerror=alert(1)>.",
]


def test_a_hostile_page_parses_to_its_visible_text_only():
    assert [block.text for block in parse_html(HOSTILE_PAGE.encode(), "hostile.html")] == EXPECTED_TEXT


@pytest.fixture(scope="module")
def hostile_home(corpus_home, tmp_path_factory):
    """The corpus plus the hostile page, indexed."""
    folder = tmp_path_factory.mktemp("hostile-html")
    home = folder / "home"
    shutil.copytree(corpus_home, home)
    (folder / "hostile.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    entry = entry_from_table({"id": "hostile", "title": "Hostile <i onmouseover=alert('title')>page</i>",
                              "issuer": "<script>alert('issuer')</script>", "doc_type": "other",
                              "source": "hostile.html"}, folder)
    assert ingest([entry], home).ok
    return home


@pytest.fixture(scope="module")
def server(hostile_home):
    with served(create_app({"KB_HOME": str(hostile_home)})) as base:
        yield base


PAGES = ["/doc/hostile", "/doc/hostile?q=script", "/search?q=script", "/search?q=impunity&doc_id=hostile",
         "/search?q=escaped&group=doc", "/passage/hostile:5/similar"]


def fetch(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers.get_content_type(), response.read().decode()


def active_markup(page: str) -> list[str]:
    """What in a served page could run: scripts, handlers, frames, embeds, javascript: URLs."""
    soup = BeautifulSoup(page, "html.parser")
    found = [f"<script>{s.string}" for s in soup.find_all("script") if "alert" in (s.string or "")]
    found += [tag.name for tag in soup.find_all(["iframe", "object", "embed", "frame", "base"])]
    found += [str(tag) for tag in soup.find_all(["form", "input", "img"]) if "steal" in str(tag) or tag.get("src") == "x"]
    found += [tag.name for tag in soup.find_all("meta", attrs={"http-equiv": True})]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on") or text.strip().lower().startswith("javascript:"):
                found.append(f"{tag.name} {name}={text}")
    return found


def test_the_check_finds_each_kind_of_active_markup_in_the_raw_page():
    found = " ".join(active_markup(HOSTILE_PAGE))
    for kind in ("<script>", "iframe", "object", "embed", "base", "meta", "body onload", "img onerror",
                 "a href=javascript:", "a onmouseover", "svg onload", "steal"):
        assert kind in found, kind


@pytest.mark.parametrize("path", PAGES)
def test_served_pages_show_the_hostile_text_and_carry_none_of_its_markup(server, path):
    content_type, page = fetch(server + path)
    assert content_type == "text/html"
    assert active_markup(page) == []
    if "q=script" in path or "escaped" in path:
        assert ESCAPED_SCRIPT in BeautifulSoup(page, "html.parser").get_text()


def test_the_api_returns_the_hostile_text_as_json_text(server):
    content_type, body = fetch(server + "/api/documents/hostile")
    assert content_type == "application/json"
    texts = [passage["text"] for passage in json.loads(body)["passages"]]
    assert texts == EXPECTED_TEXT


def test_nothing_of_the_hostile_page_runs_in_a_browser(browser, server):
    context = browser.new_context()
    page = context.new_page()
    events = []
    page.on("dialog", lambda dialog: (events.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: events.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: events.append(f"error {error}"))
    page.on("request", lambda request: events.append(f"request {request.url}")
            if not request.url.startswith(server) else None)
    try:
        for path in PAGES:
            page.goto(server + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__pwned") is None, path
            page.mouse.move(10, 10)
            page.hover("body")
        assert events == []
    finally:
        context.close()
