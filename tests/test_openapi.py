"""The served OpenAPI description matches the app, and the API holds to it under fuzzing.

Schemathesis generates requests from /api/openapi.json, valid ones and ones
that break the description, and sends them to the real app: none may answer
5xx, and every answer must have a documented status and match its schema.
KB_SLOW_TESTS=1 runs many more.
"""
from __future__ import annotations

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from tests.conftest import ROOT

EXAMPLES = 2000 if os.environ.get("KB_SLOW_TESTS") == "1" else 30
# Not negative_data_rejection: in a URL every value is text, so "an integer where the
# description says an array of text" reaches the app as valid text.
CHECKS = [
    checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Operations with parameters or a body that a request can get wrong.
NEGATIVE = {"GET /api/search", "GET /api/facets", "GET /api/passages/{passage_id}/similar", "POST /api/precedents"}
OPERATIONS = [
    "GET /api/search", "GET /api/facets", "GET /api/documents", "GET /api/documents/{doc_id}",
    "GET /api/passages/{passage_id}/similar", "POST /api/precedents", "GET /api/openapi.json",
]


@pytest.fixture(scope="module")
def schema(corpus_home):
    from search_app import create_app

    app = create_app({"TESTING": True, "KB_HOME": str(corpus_home)})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def operation(schema, label: str):
    return schema.find_operation_by_label(label)


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_every_api_route_is_described_and_nothing_else(app):
    served = app.test_client().get("/api/openapi.json").get_json()
    routes = {
        f"{method} {openapi_path(rule.rule)}"
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {f"{method.upper()} {path}" for path, methods in served["paths"].items() for method in methods}
    assert described == routes
    assert served["openapi"].startswith("3.")


def test_the_description_is_linked_from_help_and_readme(client):
    assert 'href="/api/openapi.json"' in client.get("/help").get_data(as_text=True)
    assert "/api/openapi.json" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_schemathesis_finds_every_operation(schema):
    assert sorted(operation(schema, label).label for label in OPERATIONS) == sorted(OPERATIONS)


FUZZED = [pytest.param(label, GenerationMode.POSITIVE, id=f"{label}-valid") for label in OPERATIONS] + [
    pytest.param(label, GenerationMode.NEGATIVE, id=f"{label}-invalid") for label in OPERATIONS if label in NEGATIVE
]


@pytest.mark.parametrize("label, mode", FUZZED)
def test_fuzzed_requests_get_documented_answers_and_no_server_error(schema, label, mode):
    @given(operation(schema, label).as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    def answers_as_described(case):
        case.call_and_validate(checks=CHECKS)

    answers_as_described()


@pytest.mark.parametrize("label, path_parameters, body", [
    ("GET /api/documents/{doc_id}", {"doc_id": "natc-see-2018-brdo-declaration"}, None),
    ("GET /api/passages/{passage_id}/similar", {"passage_id": "natc-see-2021-joint-statement:9"}, None),
    ("POST /api/precedents", {}, {"text": "to explore avenues for setting up formal compensation mechanisms"}),
])
def test_real_answers_match_their_schemas(schema, label, path_parameters, body):
    found = operation(schema, label)
    extra = {"body": body, "media_type": "application/json"} if body is not None else {}
    case = schema.make_case(operation=found, path_parameters=path_parameters, **extra)
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200
