"""The JSON API: the same searches and documents as the pages and the CLI."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from kb.documents import list_documents, show_document
from kb.errors import BadDraft, BadQuery, DocumentNotFound, IndexMissing, PassageNotFound
from kb.search import search
from search_app.facets import facet_views
from search_app.params import PageState
from search_app.views import cache_status, home_dir

bp = Blueprint("api", __name__, url_prefix="/api")
# The status each kind of error answers with, on every JSON route.
ERROR_STATUS = (
    (BadQuery, 400), (BadDraft, 400), (DocumentNotFound, 404), (PassageNotFound, 404), (IndexMissing, 503),
)


def answer_errors_as_json(blueprint: Blueprint) -> None:
    """Turn atkb's errors on a blueprint's routes into {"error": ...} with their status."""
    for error_type, status in ERROR_STATUS:
        blueprint.register_error_handler(error_type, lambda error, status=status: (jsonify(error=str(error)), status))


answer_errors_as_json(bp)


def init_app(app) -> None:
    app.register_blueprint(bp)


@bp.get("/search")
def api_search():
    """Passages matching the page's parameters, as `kb search --json` prints them."""
    state = PageState.from_args(request.args)
    result = search(state.request(), home_dir())
    return jsonify(result.to_json()), {"X-Cache": cache_status(result)}


@bp.get("/facets")
def api_facets():
    """Facets with counts and the links that toggle each value."""
    state = PageState.from_args(request.args)
    result = search(state.changed(per_page=1).request(), home_dir())
    return jsonify(query=state.q, total=result.total, facets=[f.to_json() for f in facet_views(result, state)])


@bp.get("/documents")
def api_documents():
    return jsonify(documents=list_documents(home_dir()))


@bp.get("/documents/<doc_id>")
def api_document(doc_id: str):
    """A document and its passages, as `kb show --json` prints them."""
    return jsonify(show_document(doc_id, home_dir()))
