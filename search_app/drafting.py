"""Drafting pages and API: a draft's precedents, and the passages like a passage."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from markupsafe import Markup, escape

from kb.citations import pinpoint
from kb.drafting import MAX_DRAFT_CHARS, find_precedents, find_similar, passage_records
from kb.errors import BadDraft, IndexMissing, PassageNotFound
from kb.same_wording import lineage_of
from search_app.api import answer_errors_as_json
from search_app.views import home_dir

bp = Blueprint("drafting", __name__)
PAGE_LIMIT = 10
REDLINE_TAGS = {"-": "del", "+": "ins"}


def init_app(app) -> None:
    # Registering twice would raise: let a factory that already wired this in call it again.
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)


answer_errors_as_json(bp)


@bp.get("/precedents")
def precedents_page():
    text, hide = request.args.get("text", ""), request.args.get("boilerplate") == "no"
    found, error, status = None, None, 200
    if text:
        try:
            found = find_precedents(text, home_dir(), PAGE_LIMIT, hide_boilerplate=hide)
        except BadDraft as problem:
            error, status = str(problem), 400
        except IndexMissing as problem:
            error, status = str(problem), 503
    return render_template(
        "precedents.html", text=text, hide_boilerplate=hide, found=found, error=error,
        results=[result_view(r) for r in found.results] if found else [], max_chars=MAX_DRAFT_CHARS,
    ), status


@bp.post("/api/precedents")
def api_precedents():
    """{"text": "...", "limit": 10, "boilerplate": false} in; the precedents as `kb precedents --json` out."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise BadDraft('send a JSON object such as {"text": "..."}')
    limit = body.get("limit", PAGE_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise BadDraft("limit must be a whole number", str(limit))
    if not isinstance(body.get("boilerplate", True), bool):
        raise BadDraft("boilerplate must be true or false", str(body.get("boilerplate")))
    hide = body.get("boilerplate", True) is False
    return jsonify(find_precedents(body.get("text"), home_dir(), limit, hide_boilerplate=hide).to_json())


@bp.get("/passage/<passage_id>/similar")
def similar_page(passage_id: str):
    hide = request.args.get("boilerplate") == "no"
    try:
        passage, found = find_similar(passage_id, home_dir(), PAGE_LIMIT, hide_boilerplate=hide)
        lineage = passage_records(lineage_of(passage_id, home_dir()), home_dir())
    except PassageNotFound:
        abort(404, description=f"No passage with the id {passage_id!r} is indexed.")
    except IndexMissing as problem:
        return render_template("similar.html", passage=None, error=str(problem), results=[], lineage=[]), 503
    return render_template(
        "similar.html", passage=passage_view(passage), hide_boilerplate=hide,
        results=[result_view(r) for r in found.results], lineage=[passage_view(p) for p in lineage],
    )


@bp.get("/api/passages/<passage_id>/similar")
def api_similar(passage_id: str):
    """The passages that share most wording with one passage ("more like this")."""
    limit = request.args.get("limit", str(PAGE_LIMIT))
    if not (limit.isascii() and limit.isdigit()) or len(limit) > 9:
        raise BadDraft("limit must be a whole number", limit)
    hide = request.args.get("boilerplate") == "no"
    passage, found = find_similar(passage_id, home_dir(), int(limit), hide_boilerplate=hide)
    return jsonify(passage_id=passage["passage_id"], **found.to_json())


def passage_view(passage: dict) -> dict:
    """A stored passage as the pages show it: its citation and the links to it."""
    return {
        **passage,
        "citation": pinpoint(passage, passage),
        "url": url_for("pages.document_page", doc_id=passage["doc_id"], _anchor=f"p-{passage['seq']}"),
        "similar_url": url_for("drafting.similar_page", passage_id=passage["passage_id"]),
    }


def result_view(result) -> dict:
    """A precedent as the pages show it: shared words marked, the redline in <del> and <ins>."""
    return {
        **passage_view(result.passage),
        "score": result.score,
        "text_html": marked_runs(result.passage["text"], result.marks),
        "redline_html": redline_html(result.diff),
    }


def marked_runs(text: str, marks: list[tuple[int, int]]) -> Markup:
    """Escape a passage and wrap each shared run of words in <mark>."""
    pieces, last = [], 0
    for start, end in marks:
        pieces += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        last = end
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def redline_html(diff: list[list[str]]) -> Markup:
    """Escape each step of a redline; words dropped go in <del>, words added in <ins>."""
    shown = []
    for op, words in diff:
        tag = REDLINE_TAGS.get(op)
        shown.append(Markup(f"<{tag}>{escape(words)}</{tag}>") if tag else escape(words))
    return Markup(" ").join(shown)
