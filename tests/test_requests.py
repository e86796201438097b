"""Hostile requests: sizes are limited, paths cannot climb out, download names are safe, the app only reads."""
from __future__ import annotations

import os
import re
import urllib.request
from pathlib import Path

import pytest

from search_app.guards import MAX_QUERY_STRING_BYTES

SAFE_DISPOSITION = re.compile(r'attachment; filename="[A-Za-z0-9][A-Za-z0-9._-]{0,99}"')
# Text of files outside the places the app serves from; none may come back.
OUTSIDE = ("[metadata]", "root:x:0", "import ", "[[document]]")


def test_a_body_over_the_limit_answers_413_as_json(client):
    response = client.post("/api/precedents", data=b'{"text": "' + b"x" * (2 * 1024 * 1024) + b'"}',
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"error": "a request body is at most 1,024 KiB"}


def test_a_basket_over_its_limit_answers_413(client):
    response = client.post("/basket/export", data=b"x" * (600 * 1024), content_type="application/json")
    assert response.status_code == 413
    assert "KiB" in response.get_json()["error"]


@pytest.mark.parametrize("path", ["/api/search", "/search"])
def test_a_query_string_over_the_limit_answers_414(client, path):
    response = client.get(path, query_string={"q": "victims " * (MAX_QUERY_STRING_BYTES // 8 + 1)})
    assert response.status_code == 414
    if path.startswith("/api/"):
        assert "query string is longer than 64 KiB" in response.get_json()["error"]
    else:
        assert "query string is longer than 64 KiB" in response.get_data(as_text=True)


@pytest.mark.parametrize("query_string", [
    "q=victims&q=children&page=1&page=2&sort=newest&sort=oldest",
    "q=%ff%fe%fd",
    "q=vict%00ims&theme=%00",
    "q=%C0%AF&doc_type=%E2%80%AE",
    "q=victims&not_year=%ff&year=2018&year=abc",
    "per_page=" + "9" * 5000,
    "page=-0&per_page=+5",
    "q=&&&=&==&theme",
    "sort=%00&group=%ff&boilerplate=" + "n" * 1000,
    "not_year=%C2%B2&round=%C2%B2&not_round=%C2%B3&page=%C2%B9",
])
@pytest.mark.parametrize("path", ["/api/search", "/api/facets", "/search", "/export", "/timeline", "/matrix.csv"])
def test_odd_parameters_never_cause_a_server_error(client, path, query_string):
    with client.get(path, query_string=query_string) as response:
        assert response.status_code in (200, 400), response.get_data()[:200]


@pytest.mark.parametrize("value, reason", [
    ("2147483648", "year takes a number between -2147483648 and 2147483647"),
    ("-2147483649", "year takes a number between -2147483648 and 2147483647"),
    ("²", "year takes a number, not '²'"),
    ("2018.0", "year takes a number, not '2018.0'"),
])
def test_odd_numeric_filters_answer_400(client, value, reason):
    response = client.get("/api/search", query_string={"year": value})
    assert response.status_code == 400
    assert response.get_json()["error"] == f"year={value}: {reason}"


@pytest.mark.parametrize("items", [
    [{"passage_id": "natc-see-2018-brdo-declaration:²"}], [{"passage_id": "../../etc/passwd:1"}],
    [{"passage_id": "\x00"}], [{"note": "no id"}], "not a list", [None], [{"passage_id": 12}],
])
def test_odd_basket_items_answer_400(client, items):
    response = client.post("/basket/export", json={"items": items, "format": "csv"})
    assert response.status_code == 400
    assert response.get_json()["error"]


@pytest.mark.parametrize("limit", ["0", "51", "-3", "²", "9" * 5000, "abc", ""])
def test_odd_limits_of_similar_answer_400(client, limit):
    response = client.get("/api/passages/natc-see-2018-brdo-declaration:27/similar", query_string={"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.get_json()["error"]


@pytest.mark.parametrize("body", [
    {"text": "to explore avenues for setting up formal compensation", "limit": 10**30},
    {"text": "to explore avenues for setting up formal compensation", "limit": "5"},
    {"text": "to explore avenues for setting up formal compensation", "boilerplate": "no"},
    {"text": ["a", "list"]}, {"text": "\x00" * 50}, [], "text", None, {"text": "x" * 20_001},
])
def test_odd_drafts_answer_400(client, body):
    response = client.post("/api/precedents", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]


TRAVERSALS = [
    "/doc/..%2f..%2fsetup.cfg", "/doc/%2e%2e", "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/doc/..%5c..%5csetup.cfg",
    "/doc/%2Fetc%2Fpasswd", "/doc/%00", "/doc/natc-see-2018-brdo-declaration%00", "/doc/..", "/doc/a..b",
    "/doc/..%2f..%2fsetup.cfg/cite.bib", "/doc/%2e%2e/cite.ris", "/doc/%5Cetc%5Cpasswd/cite.bib",
    "/api/documents/..%2f..%2fsetup.cfg", "/api/documents/%2e%2e", "/api/documents/..%5csetup.cfg",
    "/api/documents/%2Fetc%2Fpasswd", "/api/documents/%00",
    "/passage/..%2f..%2fsetup.cfg:1/similar", "/passage/%2e%2e:1/similar", "/passage/x%00:1/similar",
    "/api/passages/..%2fsetup.cfg:1/similar", "/api/passages/%2e%2e%3a1/similar", "/api/passages/a%5c..:1/similar",
    "/static/..%2f..%2fsetup.cfg", "/static/%2e%2e/%2e%2e/setup.cfg", "/static/..%5c__init__.py",
    "/static/%2Fetc%2Fpasswd", "/static/atkb.css%00.py", "/static/../__init__.py", "/static//etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_never_climb_out(client, path):
    # Double slashes are merged by a redirect that stays under the same route.
    response = client.get(path, follow_redirects=True)
    assert response.status_code in (400, 404), path
    body = response.get_data(as_text=True)
    assert not any(text in body for text in OUTSIDE)


def test_real_ids_and_static_files_still_answer(client):
    assert client.get("/doc/natc-see-2018-brdo-declaration").status_code == 200
    assert client.get("/api/documents/natc-see-2018-brdo-declaration").status_code == 200
    assert client.get("/passage/natc-see-2018-brdo-declaration:27/similar").status_code == 200
    with client.get("/static/atkb.css") as response:
        assert response.status_code == 200


@pytest.mark.parametrize("query", [
    'x"; filename="evil.sh', "line\r\nSet-Cookie: a=b", "../../etc/passwd", "\\\\server\\share", "ü" * 300,
    "'\"<>|?*:", "",
])
@pytest.mark.parametrize("path, fmt", [("/export", "csv"), ("/export", "md"), ("/timeline.csv", ""), ("/matrix.csv", "")])
def test_download_names_are_sanitised(client, path, fmt, query):
    with client.get(path, query_string={"q": query, "theme": query or "compensation", "format": fmt}) as response:
        if response.status_code == 400:
            return  # the query itself was refused, so nothing is downloaded
        disposition = response.headers["Content-Disposition"]
    assert SAFE_DISPOSITION.fullmatch(disposition), disposition


def test_reference_download_names_are_sanitised(client):
    for kind in ("bib", "ris"):
        with client.get(f"/doc/natc-see-2018-brdo-declaration/cite.{kind}") as response:
            disposition = response.headers["Content-Disposition"]
        assert disposition == f'attachment; filename="natc-see-2018-brdo-declaration.{kind}"'


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/api/search", "/api/documents", "/api/documents/natc-see-2018-brdo-declaration"])
def test_the_api_refuses_writing_methods(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert "not allowed" in response.get_json()["error"]


def test_no_route_writes(app):
    """Only two routes take a POST, and both only read: a draft to compare, a basket to export."""
    writing = {
        (rule.rule, method) for rule in app.url_map.iter_rules()
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
    }
    assert writing == {("/api/precedents", "POST"), ("/basket/export", "POST")}


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def test_serving_every_route_leaves_the_data_directory_as_it_was(home_copy):
    """The served app reads the index and the drafting store that ingest built; it writes neither."""
    from search_app import create_app
    from tests.browser import served

    before = snapshot(home_copy)
    app = create_app({"TESTING": True, "KB_HOME": str(home_copy)})
    with served(app) as base:
        for path in ["/", "/search?q=victims&theme=compensation", "/api/search?q=victims", "/api/facets?q=a",
                     "/api/documents", "/doc/natc-see-2018-brdo-declaration", "/api/documents/natc-see-2012-ljubljana-declaration",
                     "/passage/natc-see-2018-brdo-declaration:27/similar", "/export?q=victims&format=jsonl",
                     "/timeline?q=victims", "/matrix.csv", "/help", "/precedents?text=formal+compensation+mechanisms+for+victims"]:
            with urllib.request.urlopen(base + path, timeout=60) as answer:
                assert answer.status == 200, path
        draft = urllib.request.Request(base + "/api/precedents", data=b'{"text": "formal compensation mechanisms for victims"}',
                                       headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(draft, timeout=60) as answer:
            assert answer.status == 200
    assert snapshot(home_copy) == before


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KB_SLOW_TESTS") != "1", reason="a load run: set KB_SLOW_TESTS=1")
def test_a_short_load_run_of_kb_serve_has_no_errors(corpus_home):
    from bench.load import run

    report = run(corpus_home, seconds=5, clients=16)
    assert report["errors"] == 0
    assert set(report["routes"]) == {"/search", "/api/search", "/api/facets", "/doc/<id>", "/export", "all"}
