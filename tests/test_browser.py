"""The served app, driven in Debian's Chromium."""
import threading

import pytest
from werkzeug.serving import make_server

from search_app import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def server(corpus_home):
    app = create_app({"KB_HOME": str(corpus_home)})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()
    http.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_search_from_the_box(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.fill('input[name="q"]', '"strategic priorities for 2020-2024"')
    page.click('button[type="submit"]')
    page.wait_for_selector(".hit")
    assert "/search?q=" in page.url
    assert page.locator(".total").inner_text().endswith("passages")
    hits = page.locator(".hit").all_inner_texts()
    assert sum("REITERATE" in hit for hit in hits) == 2
    assert page.locator(".hit mark").count() >= 2
    page.close()


def test_bad_query_error_next_to_the_box(server, browser):
    page = browser.new_page()
    page.goto(server + "/search?q=%28impunity")
    assert page.locator(".error").inner_text().endswith("a parenthesis is not closed")
    assert page.locator('input[name="q"]').input_value() == "(impunity"
    page.close()
