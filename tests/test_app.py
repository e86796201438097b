"""The Flask application: pages, facets as links, the JSON API, escaping and headers."""
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from search_app import create_app
from search_app.params import FILTER_PARAMS, PageState
from tests.conftest import run_kb

BRDO = "natc-see-2018-brdo-declaration"


def html(response) -> str:
    return response.get_data(as_text=True)


def test_home_page_shows_an_empty_search_box_and_the_documents(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'name="q" value=""' in html(page)
    assert f'href="/doc/{BRDO}"' in html(page)


def test_search_page_lists_passages_with_highlights_and_metadata(client):
    page = html(client.get("/search", query_string={"q": "compensation"}))
    assert "3 passages" in page
    assert "<mark>compensation</mark>" in page
    assert "16 March 2018" in page and "Ministers of Interior and Anti-Trafficking Coordinators" in page
    assert f'href="/doc/{BRDO}?q=compensation#p-' in page
    assert 'class="theme-chip"' in page


def test_facets_show_counts_and_links_that_filter(client):
    page = html(client.get("/search", query_string={"q": "compensation"}))
    link = re.search(r'href="([^"]*theme=compensation[^"]*)" class="value', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlparse(link).query) == {"q": ["compensation"], "theme": ["compensation"]}
    filtered = html(client.get(link))
    assert "theme: Compensation" in filtered  # an active filter chip
    year = re.search(r'href="([^"]*year=2018[^"]*)" class="bar', filtered).group(1).replace("&amp;", "&")
    narrowed = html(client.get(year))
    assert "1 passage<" in narrowed and "Continuing to explore avenues" in narrowed


def test_values_of_one_facet_combine_with_or_and_facets_with_and(client):
    either = client.get("/api/search", query_string=[("q", "impunity"), ("year", "2020"), ("year", "2021")]).json
    assert {h["year"] for h in either["hits"]} == {2020, 2021}
    both = client.get("/api/search", query_string=[("q", "impunity"), ("year", "2021"), ("role", "operative")]).json
    assert {(h["year"], h["role"]) for h in both["hits"]} == {(2021, "operative")}
    excluded = client.get("/api/search", query_string=[("q", "impunity"), ("not_year", "2021")]).json
    assert 2021 not in {h["year"] for h in excluded["hits"]}


def test_a_selected_facet_still_counts_its_other_values(client):
    facets = client.get("/api/search", query_string={"q": "impunity", "year": "2021"}).json["facets"]
    assert set(facets["year"]) >= {"2020", "2021"}


def test_theme_family_filters_any_of_its_themes(client):
    hits = client.get("/api/search", query_string={"theme": "prosecution", "per_page": 100}).json["hits"]
    assert hits and all({"impunity", "criminal-justice"} & set(h["themes"]) for h in hits)


def test_active_filters_are_removable_chips(client):
    page = html(client.get("/search", query_string=[("q", "impunity"), ("year", "2021"), ("not_role", "preamble")]))
    chips = re.findall(r'class="chip[^"]*" href="([^"]+)"', page)
    assert len(chips) == 2
    removed = [parse_qs(urlparse(c.replace("&amp;", "&")).query) for c in chips]
    assert {"q": ["impunity"], "not_role": ["preamble"]} in removed
    assert {"q": ["impunity"], "year": ["2021"]} in removed


def test_page_state_round_trips_through_the_url():
    state = PageState(q="a b", filters=(("theme", "compensation", False), ("year", "2018", True)),
                      sort="newest", page=3, per_page=50, group="doc")
    query = parse_qs(urlparse(state.url()).query)
    assert PageState.from_args(MultiDict([(k, v) for k, vs in query.items() for v in vs])) == state
    assert all(name in __import__("kb.engine", fromlist=["QUERY_FIELDS"]).QUERY_FIELDS for name in FILTER_PARAMS)


def test_facet_links_add_or_remove_one_filter_and_keep_the_rest():
    state = PageState(q="a&b c", filters=(("issuer", "GRETA", False), ("year", "2018", True)),
                      sort="oldest", page=2, per_page=50, boilerplate="no")
    for name, value, negated in [("theme", "a b+c", False), ("theme", "x=y", True), ("issuer", "greta", False),
                                 ("issuer", "GRETA", True), ("year", 2018, True), ("year", "2019", False)]:
        link = state.links.url(name, value, negated)
        assert link == state.toggled(name, value, negated).url()
        query = parse_qs(urlparse(link).query)
        assert query["q"] == ["a&b c"] and query["sort"] == ["oldest"] and "page" not in query
        read = PageState.from_args(MultiDict([(k, v) for k, vs in query.items() for v in vs]))
        assert set(read.filters) == set(state.toggled(name, value, negated).filters)


def test_sort_paginate_and_group(client):
    first = client.get("/api/search", query_string={"q": "trafficking", "sort": "oldest", "per_page": 5}).json
    second = client.get("/api/search", query_string={"q": "trafficking", "sort": "oldest", "per_page": 5, "page": 2}).json
    dates = [h["date"] for h in first["hits"] + second["hits"]]
    assert dates == sorted(dates) and len(set(h["passage_id"] for h in first["hits"] + second["hits"])) == 10
    page = html(client.get("/search", query_string={"q": "trafficking", "per_page": 5, "page": 2}))
    assert "Page 2 of" in page and 'rel="prev"' in page and 'rel="next"' in page
    grouped = html(client.get("/search", query_string={"q": "compensation", "group": "doc"}))
    assert grouped.count('class="group-title"') == 2


@pytest.mark.parametrize(
    "args, message",
    [
        ({"q": '"unclosed'}, "a quotation mark is not closed"),
        ({"q": "impunity", "page": "two"}, "page must be a whole number"),
        ({"q": "impunity", "per_page": "100000"}, "per_page must be between 1 and 100"),
        ({"q": "impunity", "sort": "random"}, "sort must be relevance, newest or oldest"),
        ({"q": "impunity", "year": "recent"}, "year takes a number, not 'recent'"),
    ],
)
def test_bad_input_shows_its_error_next_to_the_box_and_in_the_api(client, args, message):
    page = client.get("/search", query_string=args)
    assert page.status_code == 400
    assert str(escape(message)) in html(page)
    api = client.get("/api/search", query_string=args)
    assert api.status_code == 400
    assert message in api.json["error"]


def test_query_text_is_escaped(client):
    page = html(client.get("/search", query_string={"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_api_search_returns_the_json_of_the_cli(client, corpus_home):
    api = client.get("/api/search", query_string=[("q", "compensation"), ("theme", "compensation"), ("year", "2018")]).json
    cli = json.loads(run_kb("search", "compensation", "--filter", "theme=compensation", "--filter", "year=2018",
                            "--json", home=corpus_home).stdout)
    assert api["hits"] == cli["hits"]
    assert (api["total"], api["filters"]) == (cli["total"], cli["filters"])
    assert json.loads(json.dumps(cli["facets"])) == api["facets"]
    assert [(h["doc_id"], h["number"]) for h in api["hits"]] == [(BRDO, "6)")]


def test_api_documents(client, corpus_home):
    listed = client.get("/api/documents").json["documents"]
    assert len(listed) == 5
    shown = client.get(f"/api/documents/{BRDO}").json
    assert shown == json.loads(run_kb("show", BRDO, "--json", home=corpus_home).stdout)
    missing = client.get("/api/documents/nope")
    assert missing.status_code == 404 and "nope" in missing.json["error"]


def test_api_facets_give_counts_and_links(client):
    facets = client.get("/api/facets", query_string={"q": "compensation"}).json["facets"]
    themes = next(f for f in facets if f["name"] == "theme")
    protection = next(v for v in themes["values"] if v["value"] == "protection")
    compensation = next(c for c in protection["children"] if c["value"] == "compensation")
    assert compensation["count"] == 3
    assert compensation["toggle_url"] == "/search?q=compensation&theme=compensation"
    assert [f["name"] for f in facets] == ["theme", "doc_type", "issuer", "year", "role", "verb", "org", "region", "instrument",
                                           "kind", "strength", "country", "round"]


def test_document_page_has_anchors_marks_and_citations(client):
    page = html(client.get(f"/doc/{BRDO}", query_string={"q": "compensation"}))
    assert 'id="p-26"' in page
    assert "<mark>compensation</mark> mechanisms" in page and "<mark>compensating</mark>" in page
    assert 'data-citation="Joint Declaration of the Ministers of Interior of South-East Europe on Strengthening Regional ' in page
    assert "Brdo pri Kranju, 16 March 2018, para. 6" in page
    assert 'class="entity org"' in page


def test_unknown_document_page_is_404(client):
    page = client.get("/doc/no-such-doc")
    assert page.status_code == 404 and "no-such-doc" in html(page)


def test_every_help_example_runs(client):
    page = html(client.get("/help"))
    examples = re.findall(r'href="(/search\?q=[^"]+)"', page)
    assert len(examples) >= 12
    for link in examples:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_security_headers_and_no_external_assets(client):
    for path in ("/", "/search?q=impunity", f"/doc/{BRDO}", "/api/search?q=impunity"):
        response = client.get(path)
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    page = html(client.get("/search?q=impunity"))
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script>" not in page and "style=" not in page


def test_without_an_index_the_page_says_how_to_build_one(tmp_path):
    client = create_app({"TESTING": True, "KB_HOME": str(tmp_path)}).test_client()
    page = client.get("/search", query_string={"q": "impunity"})
    assert page.status_code == 503
    assert "run `kb ingest` to build it" in html(page)
    assert client.get("/api/search?q=x").status_code == 503


def test_boilerplate_can_be_hidden_from_query_and_page(client):
    every = client.get("/api/search", query_string={"q": "secretariat", "per_page": 100}).json
    hidden = client.get("/api/search", query_string={"q": "secretariat boilerplate:no", "per_page": 100}).json
    toggled = client.get("/api/search", query_string={"q": "secretariat", "boilerplate": "no", "per_page": 100}).json
    thanks = [h["passage_id"] for h in every["hits"] if h["text"].startswith("THANK")]
    assert len(thanks) >= 2
    assert hidden["hits"] == toggled["hits"]
    assert hidden["total"] <= every["total"] - len(thanks)
    assert not set(thanks) & {h["passage_id"] for h in hidden["hits"]}
    page = html(client.get("/search", query_string={"q": "secretariat", "boilerplate": "no"}))
    assert 'name="boilerplate" value="no"' in page and "checked" in page


def test_document_page_lists_cites_cited_by_and_lineage(client):
    page = html(client.get("/doc/natc-see-2021-joint-statement"))
    assert "<strong>Cites</strong>" in page and 'href="/doc/natc-see-2020-strategy-paper"' in page
    paper = html(client.get("/doc/natc-see-2020-strategy-paper"))
    assert "<strong>Cited by</strong>" in paper and "natc-see-2022-joint-statement#p-" in paper
    assert 'class="lineage"' in page and "(first appearance)" in html(client.get("/doc/natc-see-2022-joint-statement"))
    assert "/passage/natc-see-2021-joint-statement:9/similar" in page
