"""Downloads: every match of a search in each export format, document references, the basket.

Exports stream: the response starts with the first passage and memory stays
flat however many match. The query is checked before the response starts,
so a bad one still answers 400 with a message.
"""
from __future__ import annotations

import datetime as dt
import re
from itertools import chain
from typing import Iterator

from flask import Blueprint, Response, jsonify, render_template, request, stream_with_context

from kb.basket import MAX_ITEMS, basket_passages, items_from_json
from kb.citations import bibtex, ris
from kb.documents import show_document
from kb.errors import BadQuery, DocumentNotFound, ExportError, IndexMissing, PassageNotFound
from kb.export import FORMATS, ExportInfo, describe_search, export_filename, export_format
from kb.search import SearchRequest, iter_matches
from search_app.params import PageState
from search_app.views import home_dir

bp = Blueprint("exports", __name__)
MAX_BASKET_BYTES = 512 * 1024
MAX_FILENAME = 100
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
CITATIONS = {
    "bib": (bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (ris, "application/x-research-info-systems; charset=utf-8"),
}


def init_app(app) -> None:
    """Add the export, basket and chart pages; calling it again changes nothing."""
    from search_app import chart_views

    if bp.name not in app.blueprints:
        app.register_blueprint(bp)
    # Templates show the export menu, basket buttons and reference links only where this is set.
    app.add_template_global(list(FORMATS.values()), "export_formats")
    chart_views.init_app(app)


def base_url() -> str:
    """Where this app is served, so exported permalinks open from anywhere."""
    return request.url_root.rstrip("/")


def safe_filename(name: str) -> str:
    """A download name of letters, digits, `.`, `-` and `_` only, not hidden, at most MAX_FILENAME long.

    Names are built from queries and titles: no quote, slash, CR or LF may reach the header.
    """
    stem, dot, extension = SAFE_NAME.sub("-", name).lstrip(".-").rpartition(".")
    if not dot:
        stem, extension = extension, ""
    extension = extension[:10]
    stem = stem[: MAX_FILENAME - len(extension) - 1].rstrip(".-") or "atkb-download"
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str) -> str:
    return f'attachment; filename="{safe_filename(filename)}"'


def attachment(chunks: Iterator[bytes], filename: str, mimetype: str) -> Response:
    response = Response(stream_with_context(chunks), content_type=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def started(items: Iterator[dict]) -> Iterator[dict]:
    """Take the first item now, so errors in the query surface before the response starts."""
    first = next(items, None)
    return items if first is None else chain([first], items)


@bp.get("/export")
def export():
    """Every passage matching the search in the URL, in ?format=csv|jsonl|md|docx."""
    state = PageState.from_args(request.args)
    fmt = export_format(request.args.get("format", ""))
    search = SearchRequest(state.q, state.filters, sort=state.sort)
    hits = started(iter_matches(search, home_dir()))
    info = ExportInfo(subtitle=describe_search(state.q, state.filters, state.sort), base_url=base_url())
    return attachment(fmt.chunks(hits, info), export_filename(state.q, state.filters, fmt.extension), fmt.mimetype)


@bp.get("/doc/<doc_id>/cite.<kind>")
def cite(doc_id: str, kind: str):
    """A document's reference as BibTeX (cite.bib) or RIS (cite.ris)."""
    if kind not in CITATIONS:
        raise ExportError("references come as cite.bib (BibTeX) or cite.ris (RIS)", kind)
    write, mimetype = CITATIONS[kind]
    document = show_document(doc_id, home_dir())["document"]
    filename = re.sub(r"[^A-Za-z0-9._-]", "-", doc_id) + f".{kind}"
    return attachment(iter([write(document, base_url()).encode("utf-8")]), filename, mimetype)


@bp.get("/basket")
def basket():
    return render_template("basket.html", formats=FORMATS.values(), max_items=MAX_ITEMS)


@bp.post("/basket/export")
def basket_export():
    """The basket sent as {"items": [{"passage_id", "note"}], "format"}, as a file in that format."""
    if (request.content_length or 0) > MAX_BASKET_BYTES:
        return jsonify(error=f"a basket is at most {MAX_BASKET_BYTES // 1024} KiB"), 413
    request.max_content_length = MAX_BASKET_BYTES
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ExportError("send the basket as JSON with Content-Type: application/json")
    fmt = export_format(str(data.get("format") or "csv"))
    passages = basket_passages(items_from_json(data), home_dir())
    info = ExportInfo(title="atkb excerpt basket", subtitle=f"{len(passages)} excerpts, in the order chosen, with notes",
                      base_url=base_url(), notes=True)
    filename = f"atkb-basket-{dt.date.today().isoformat()}.{fmt.extension}"
    return attachment(fmt.chunks(passages, info), filename, fmt.mimetype)


def problem(error: Exception, status: int):
    """Say what went wrong: as JSON to the basket's script, as a page to a person."""
    if request.path.startswith("/basket/"):
        return jsonify(error=str(error)), status
    return render_template("export_error.html", message=str(error)), status


@bp.errorhandler(BadQuery)
@bp.errorhandler(ExportError)
@bp.errorhandler(PassageNotFound)
def bad_request(error):
    return problem(error, 400)


@bp.errorhandler(DocumentNotFound)
def unknown_document(error):
    return problem(error, 404)


@bp.errorhandler(IndexMissing)
def no_index(error):
    return problem(error, 503)
