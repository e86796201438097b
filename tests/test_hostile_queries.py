"""Hostile queries: every query either answers or is refused in one line, and costly ones are bounded.

Hypothesis writes queries from a grammar of fields, operators, quotes,
parentheses, ranges, wildcards, unicode and control characters. KB_SLOW_TESTS=1
writes many more.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.engine import QUERY_FIELDS
from kb.errors import BadQuery, QueryTooSlow
from kb.search import SearchRequest, search
from tests.conftest import run_kb

EXAMPLES = 3000 if os.environ.get("KB_SLOW_TESTS") == "1" else 150
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

WORDS = st.sampled_from(["trafficking", "victims", "compensation", "referr", "greta", "2018", "in", "a", "the",
                         "non-punishment", "ukraine", "TRM", "co"])
FIELDS = st.sampled_from(sorted(QUERY_FIELDS) + ["unknown", "pairs", "kind", "seq", "*", "Year", "TEXT"])
ODD_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
CONTROL = st.sampled_from(["\x00", "\t", "\n", "\r", "\x1b", "\u2028", "\u200b", "\ufeff", "\x7f"])


@st.composite
def words(draw) -> str:
    """A word, a wildcard, a boost, a fuzzy mark, odd unicode or a control character."""
    base = draw(WORDS)
    return draw(st.sampled_from([
        base, base[: max(0, len(base) - 2)] + draw(st.sampled_from(["*", "?", "*?"])),
        f"{base}^{draw(st.integers(-5, 10**12))}", base + "~", draw(ODD_TEXT), draw(CONTROL),
    ]))


@st.composite
def atoms(draw, depth: int) -> str:
    """A word, a fielded word, a phrase, a range, a group or a negation (these two nest)."""
    kind = draw(st.sampled_from(["word", "field", "phrase", "range"] + (["group", "not"] if depth else [])))
    if kind == "word":
        return draw(words())
    if kind == "field":
        return f"{draw(FIELDS)}:{draw(words())}"
    if kind == "phrase":
        quote = draw(st.sampled_from(['"', "'"]))
        return quote + " ".join(draw(st.lists(words(), max_size=4))) + quote
    if kind == "range":
        close = draw(st.sampled_from(["]", "}", ""]))
        return f"{draw(FIELDS)}:[{draw(WORDS)} TO {draw(WORDS)}{close}"
    inner = draw(queries(depth - 1))
    return f"NOT {inner}" if kind == "not" else f"({inner}{draw(st.sampled_from([')', '', '))']))}"


@st.composite
def queries(draw, depth: int = 3) -> str:
    """Atoms joined by spaces, operators or oddities."""
    glue = draw(st.sampled_from([" ", " AND ", " OR ", " AND NOT ", "", " OR OR ", ":", "  "]))
    return glue.join(draw(st.lists(atoms(depth), min_size=1, max_size=5)))


QUERIES = queries()


def answers_or_refuses(query: str, home) -> None:
    """Search; a refusal must be a BadQuery on one line that names the query's start."""
    try:
        result = search(SearchRequest(query=query, limit=5), home)
    except BadQuery as refusal:
        message = str(refusal)
        assert "\n" not in message and "\r" not in message
        assert refusal.reason and len(message) < 400
        return
    assert result.total >= len(result.hits)


@FUZZ
@given(query=QUERIES)
def test_every_generated_query_answers_or_is_refused_in_one_line(corpus_home, query):
    answers_or_refuses(query, corpus_home)


@FUZZ
@given(query=st.one_of(QUERIES, st.text(max_size=60)))
def test_the_api_never_fails_with_a_server_error(client, query):
    response = client.get("/api/search", query_string={"q": query, "per_page": 5})
    assert response.status_code in (200, 400), response.get_data()[:300]
    if response.status_code == 400:
        assert set(response.get_json()) == {"error"}


@pytest.mark.parametrize("query, reason", [
    ("(" * 30 + "victims" + ")" * 30, "parentheses are nested 30 deep; the limit is 20"),
    (" ".join(["victims"] * 10_000), "the query is 79,999 characters long; the limit is 10,000"),
    (" ".join(["ab"] * 1001), "the query has 1,001 words and operators; the limit is 1,000"),
    ("a*", "the wildcard 'a*' needs at least 2 letters before * or ?"),
    ("*", "the wildcard '*' needs at least 2 letters before * or ?"),
    ("*:*", "the wildcard '*:*' needs at least 2 letters before * or ?"),
    ("victims title:?", "the wildcard 'title:?' needs at least 2 letters before * or ?"),
])
def test_costly_queries_are_refused_saying_which_limit(corpus_home, query, reason):
    with pytest.raises(BadQuery) as refusal:
        search(SearchRequest(query=query), corpus_home)
    assert refusal.value.reason == reason
    assert len(refusal.value.source) <= 80 and "\n" not in refusal.value.source
    assert query.startswith(refusal.value.source.rstrip("…"))


def test_a_long_prefix_and_nesting_within_the_limit_still_answer(corpus_home):
    assert search(SearchRequest(query="referr*"), corpus_home).total > 0
    assert search(SearchRequest(query="(" * 20 + "victims" + ")" * 20), corpus_home).total > 0


@pytest.mark.parametrize("setting, tight, loose, query, refusal, message", [
    # A wildcard standing for too many indexed words.
    ("KB_WILDCARD_MAX_TERMS", "3", "1000", "co*", BadQuery, r"stands for more than 3 indexed words: type more letters"),
    # A search past its time budget.
    ("KB_QUERY_TIMEOUT", "0.000001", "5", "victims OR referr*", QueryTooSlow,
     r"victims OR referr\*: the search took longer than 1e-06 s and was stopped"),
])
def test_a_limit_refuses_with_a_message_and_a_looser_one_answers(corpus_home, monkeypatch, setting, tight, loose,
                                                                   query, refusal, message):
    monkeypatch.setenv(setting, tight)
    with pytest.raises(refusal, match=message):
        search(SearchRequest(query=query), corpus_home)
    monkeypatch.setenv(setting, loose)
    assert search(SearchRequest(query=query), corpus_home).total > 0


def test_the_time_budget_works_in_the_threads_of_a_served_app(app, monkeypatch):
    """A signal-based limit would fail outside the main thread; the deadline does not."""
    import json
    import urllib.error
    import urllib.request

    from tests.browser import served

    url = "/api/search?q=identif*+OR+compensat*+OR+traffick*"  # asked nowhere else, so never answered from a cache
    monkeypatch.setenv("KB_QUERY_TIMEOUT", "0.000001")
    with served(app) as base:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + url, timeout=30)
        assert refused.value.code == 400
        assert "the search took longer than" in json.load(refused.value)["error"]
        monkeypatch.setenv("KB_QUERY_TIMEOUT", "5")
        with urllib.request.urlopen(base + url, timeout=30) as answer:
            assert json.load(answer)["total"] > 0


@pytest.mark.parametrize("url", ["/api/search?q=a*", "/api/facets?q=a*", "/api/search?q=" + "(" * 25 + "x" + ")" * 25])
def test_the_api_refuses_with_400_and_the_reason(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "limit" in response.get_json()["error"] or "wildcard" in response.get_json()["error"]


def test_the_search_page_shows_the_refusal(client):
    response = client.get("/search", query_string={"q": "a*"})
    assert response.status_code == 400
    assert "needs at least 2 letters before * or ?" in response.get_data(as_text=True)


def test_the_cli_prints_one_line_and_fails(corpus_home):
    done = run_kb("search", "(" * 40 + "x" + ")" * 40, home=corpus_home)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: ((((") and "parentheses are nested 40 deep; the limit is 20" in done.stderr


@pytest.mark.parametrize("page", ["0", "-1", "1001", "99999999999999999999", "9" * 5000, "1e3", "abc", "1.5"])
def test_out_of_range_or_odd_page_numbers_answer_400(client, page):
    for name in ("page", "per_page"):
        response = client.get("/api/search", query_string={"q": "victims", name: page})
        assert response.status_code == 400, (name, page)
        assert name in response.get_json()["error"]
