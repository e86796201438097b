"""The OpenAPI 3 description of the JSON API, served at /api/openapi.json.

Written by hand next to the routes it describes; tests/test_openapi.py checks
that every /api route is here and fuzzes each one against it.
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from kb.drafting import MAX_LIMIT as MAX_SIMILAR
from kb.engine import SORTS
from search_app.params import FILTER_PARAMS, MAX_PAGE, MAX_PER_PAGE, PER_PAGE

bp = Blueprint("openapi", __name__)
BOILERPLATE = "`no` leaves out boilerplate; other values are ignored."


def init_app(app) -> None:
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)


@bp.get("/api/openapi.json")
def openapi_json():
    return jsonify(describe())


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def text(**extra) -> dict:
    return {"type": "string", **extra}


def listed(items: dict) -> dict:
    return {"type": "array", "items": items}


def obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    """An object with these properties; later versions may add more."""
    return {"type": "object", "properties": properties, "required": list(required)}


def answer(schema: dict, description: str, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": schema}}}


def failure(description: str) -> dict:
    return answer(ref("Error"), description)


def query_param(name: str, schema: dict, description: str, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}


def whole_or_empty(low: int, high: int) -> dict:
    """A whole number in a range, or nothing (the default)."""
    return {"anyOf": [{"type": "integer", "minimum": low, "maximum": high}, {"type": "string", "maxLength": 0}]}


def search_params() -> list[dict]:
    """The parameters the search page, the API and exports share (search_app.params)."""
    params = [
        query_param("q", text(), "The query, in the query language of /help."),
        query_param("sort", {"type": "string", "enum": [*SORTS, ""]}, "Order of the hits (empty: relevance)."),
        query_param("page", whole_or_empty(1, MAX_PAGE), "Page number, from 1 (empty: 1)."),
        query_param("per_page", whole_or_empty(1, MAX_PER_PAGE), f"Hits per page (empty: {PER_PAGE})."),
        query_param("group", text(), "`doc` brings each document's hits together; other values are ignored."),
        query_param("boilerplate", text(), BOILERPLATE),
    ]
    for name in FILTER_PARAMS:
        many = {"style": "form", "explode": True}
        params.append(query_param(name, listed(text()), f"Keep passages whose {name} is one of these.", **many))
        params.append(query_param(f"not_{name}", listed(text()), f"Leave out passages whose {name} is one of these.",
                                  **many))
    return params


def path_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": text(), "description": description}


HIT = obj({
    "doc_id": text(), "passage_id": text(), "seq": {"type": "integer"}, "number": text(), "role": text(),
    "verb": text(), "heading": text(), "parent": text(), "page": {"type": "integer", "nullable": True},
    "title": text(), "issuer": text(), "doc_type": text(), "date": text(),
    "year": {"type": "integer", "nullable": True}, "place": text(), "language": text(), "text": text(),
    "snippet": text(), "themes": listed(text()), "orgs": listed(text()), "places": listed(text()),
    "instruments": listed(text()), "evidence": listed({"type": "object"}), "citation": text(),
}, ("doc_id", "passage_id", "seq", "number", "text", "snippet", "themes", "citation"))

COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}

FACET_VALUE = obj({
    "value": text(), "label": text(), "count": {"type": "integer"}, "selected": {"type": "boolean"},
    "excluded": {"type": "boolean"}, "toggle_url": text(), "exclude_url": text(),
    "children": listed({"type": "object"}),
}, ("value", "label", "count", "selected", "excluded", "toggle_url", "exclude_url"))

DOCUMENT = obj({
    "id": text(), "title": text(), "issuer": text(), "doc_type": text(), "date": text(),
    "year": {"type": "integer", "nullable": True}, "place": text(), "language": text(), "url": text(),
    "source": text(), "format": text(), "sha256": text(), "passages": {"type": "integer"}, "themes": COUNTS,
}, ("id", "title", "issuer", "doc_type", "date", "passages"))

PRECEDENT = obj({
    "passage_id": text(), "doc_id": text(), "number": text(), "date": text(), "score": {"type": "number"},
    "text": text(), "diff": listed(listed(text())), "title": text(), "citation": text(), "overlap": listed(text()),
}, ("passage_id", "doc_id", "score", "text", "diff"))

SCHEMAS = {
    "Error": obj({"error": text()}, ("error",)),
    "Hit": HIT,
    "SearchResult": obj({
        "query": text(), "filters": listed(text()), "total": {"type": "integer"}, "offset": {"type": "integer"},
        "limit": {"type": "integer"}, "sort": text(), "hits": listed(ref("Hit")),
        "facets": {"type": "object", "additionalProperties": COUNTS},
    }, ("query", "filters", "total", "offset", "limit", "sort", "hits", "facets")),
    "FacetValue": FACET_VALUE,
    "Facets": obj({
        "query": text(), "total": {"type": "integer"},
        "facets": listed(obj({"name": text(), "label": text(), "kind": text(), "values": listed(ref("FacetValue"))},
                             ("name", "label", "kind", "values"))),
    }, ("query", "total", "facets")),
    "Document": DOCUMENT,
    "Documents": obj({"documents": listed(ref("Document"))}, ("documents",)),
    "DocumentWithPassages": obj({
        "document": {"allOf": [ref("Document"), obj({"cites": listed(text()), "cited_by": listed(text())})]},
        "passages": listed({"allOf": [ref("Hit"), obj({"lineage": listed(text())}, ("lineage",))]}),
    }, ("document", "passages")),
    "Precedent": PRECEDENT,
    "Precedents": obj({"results": listed(ref("Precedent"))}, ("results",)),
    "Similar": obj({"passage_id": text(), "results": listed(ref("Precedent"))}, ("passage_id", "results")),
    "Draft": obj({
        "text": text(description="The draft wording: a sentence or a paragraph."),
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_SIMILAR, "default": 10},
        "boilerplate": {"type": "boolean", "description": "false leaves out boilerplate."},
    }, ("text",)),
}

NO_INDEX = failure("No index has been built yet (`kb ingest`).")


def search_operation(summary: str, schema: str) -> dict:
    return {"get": {
        "summary": summary, "parameters": search_params(),
        "responses": {"200": answer(ref(schema), summary), "400": failure("A bad query or parameter."),
                      "414": failure("The query string is too long."), "503": NO_INDEX},
    }}


def paths() -> dict:
    return {
        "/api/search": search_operation("Passages matching a search, one page, with facet counts.", "SearchResult"),
        "/api/facets": search_operation("Facets of a search, each value with its count and links.", "Facets"),
        "/api/documents": {"get": {
            "summary": "Every indexed document, oldest first.",
            "responses": {"200": answer(ref("Documents"), "The documents."), "503": NO_INDEX},
        }},
        "/api/documents/{doc_id}": {"get": {
            "summary": "A document and its passages in reading order.",
            "parameters": [path_param("doc_id", "The document's id.")],
            "responses": {"200": answer(ref("DocumentWithPassages"), "The document."),
                          "404": failure("No document with this id."), "503": NO_INDEX},
        }},
        "/api/passages/{passage_id}/similar": {"get": {
            "summary": "The passages sharing most wording with one passage.",
            "parameters": [
                path_param("passage_id", "The passage's id, DOC_ID:SEQ."),
                query_param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_SIMILAR}, "How many."),
                query_param("boilerplate", text(), BOILERPLATE),
            ],
            "responses": {"200": answer(ref("Similar"), "The similar passages."), "400": failure("A bad limit."),
                          "404": failure("No passage with this id."), "503": NO_INDEX},
        }},
        "/api/precedents": {"post": {
            "summary": "Where a draft's wording was used before, with a word-level redline.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Draft")}}},
            "responses": {"200": answer(ref("Precedents"), "The precedents, best first."),
                          "400": failure("The draft is missing, too short or too long."),
                          "413": failure("The body is too large."), "503": NO_INDEX},
        }},
        "/api/openapi.json": {"get": {
            "summary": "This description.",
            "responses": {"200": answer({"type": "object"}, "The OpenAPI document.")},
        }},
    }


def describe() -> dict:
    """The OpenAPI document of atkb's JSON API."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "atkb",
            "version": "1",
            "description": "Search anti-trafficking policy texts passage by passage. Read-only: "
                           "ingest is a command-line operation. Errors answer {\"error\": \"...\"}.",
        },
        "paths": paths(),
        "components": {"schemas": SCHEMAS},
    }
