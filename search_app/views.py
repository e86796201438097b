"""Pages: search with facets, documents in reading order, and the query help."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup, escape

from kb import query_bounds
from kb.citations import readable_date
from kb.doc_links import link_details
from kb.documents import list_documents, show_document
from kb.errors import BadQuery, DocumentNotFound, IndexMissing
from kb.search import search
from kb.taxonomy import current_taxonomy
from search_app.facets import facet_views
from search_app.params import FILTER_PARAMS, PageState

bp = Blueprint("pages", __name__)
MARKED = re.compile(r"\*\*(.+?)\*\*")
QUERY_WORD = re.compile(r"(?<![\w:])([^\W\d_][\w'-]{1,})(?!:)", re.UNICODE)
OPERATORS = {"AND", "OR", "NOT", "TO"}


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(marked, "marked")
    app.add_template_filter(readable_date, "readable_date")
    app.add_template_global(theme_label, "theme_label")
    app.add_template_global(document_url, "document_url")


def home_dir() -> Path:
    return Path(current_app.config["KB_HOME"])


def marked(snippet: str) -> Markup:
    """Escape a snippet, then show its **matched words** highlighted."""
    return Markup(MARKED.sub(r"<mark>\1</mark>", str(escape(snippet))))


def theme_label(theme_id: str) -> str:
    # One look at the taxonomy file per request, however many themes a page names.
    if "taxonomy" not in g:
        g.taxonomy = current_taxonomy()
    theme = g.taxonomy.theme(theme_id) if g.taxonomy else None
    return theme.label if theme else theme_id


def document_url(doc_id: str, q: str = "") -> str:
    """The address of a document's page, with the words to mark; routed once per document and request."""
    known = g.setdefault("document_urls", {})
    if doc_id not in known:
        known[doc_id] = url_for("pages.document_page", doc_id=doc_id)
    return known[doc_id] + ("?" + urlencode({"q": q}) if q else "")


def query_terms(query: str) -> list[str]:
    """The plain words of a query, to highlight in a document (fields and operators left out)."""
    text = re.sub(r'\b\w+:("[^"]*"|\[[^\]]*\]|\S+)', " ", query)
    return [w for w in QUERY_WORD.findall(text.replace('"', " ")) if w not in OPERATORS]


def highlighted(text: str, terms: list[str]) -> Markup:
    """Escape a passage and mark the words that begin like a query term."""
    safe = str(escape(text))
    if terms:
        stems = sorted({re.escape(t.lower()[: max(4, len(t) - 2)]) for t in terms}, key=len, reverse=True)
        safe = re.sub(rf"\b((?:{'|'.join(stems)})\w*)", r"<mark>\1</mark>", safe, flags=re.I)
    return Markup(safe)


@bp.get("/")
def home():
    try:
        documents = list_documents(home_dir())
    except IndexMissing as problem:
        return render_template("home.html", documents=[], error=str(problem)), 503
    return render_template("home.html", documents=documents, error=None)


@bp.get("/search")
def search_page():
    state, result, facets, error, status = PageState(q=request.args.get("q", "")), None, [], None, 200
    try:
        state = PageState.from_args(request.args)
        result = search(state.request(), home_dir())
        facets = facet_views(result, state)
        if state.group:
            result.hits = grouped_by_document(result.hits)
    except BadQuery as problem:
        error, status = str(problem), 400
    except IndexMissing as problem:
        error, status = str(problem), 503
    return render_template(
        "search.html", state=state, result=result, facets=facets, error=error,
        chips=active_filters(state), pages=page_links(state, result),
    ), status, {"X-Cache": cache_status(result)}


def cache_status(result) -> str:
    """Say "hit" when the result was kept from an identical search of the same index generation."""
    return "hit" if result is not None and result.cached else "miss"


def grouped_by_document(hits: list[dict]) -> list[dict]:
    """Bring each document's hits together, documents in order of their best hit."""
    order = {doc_id: i for i, doc_id in reversed(list(enumerate(h["doc_id"] for h in hits)))}
    return sorted(hits, key=lambda h: order[h["doc_id"]])


def active_filters(state: PageState) -> list[dict]:
    """The filters in force, each with the link that removes it."""
    return [
        {"name": name, "value": value, "negated": negated,
         "label": theme_label(value) if name == "theme" else value,
         "remove_url": state.toggled(name, value, negated).url()}
        for name, value, negated in state.filters
    ]


def page_links(state: PageState, result) -> dict:
    if result is None:
        return {}
    last = max(1, -(-result.total // state.per_page))
    return {
        "current": state.page, "last": last,
        "previous": state.changed(page=state.page - 1).url() if state.page > 1 else None,
        "next": state.changed(page=state.page + 1).url() if state.page < last else None,
    }


@bp.get("/doc/<doc_id>")
def document_page(doc_id: str):
    try:
        shown = show_document(doc_id, home_dir())
    except DocumentNotFound:
        abort(404, description=f"No document with the id {doc_id!r} is indexed.")
    terms = query_terms(request.args.get("q", ""))
    for passage in shown["passages"]:
        passage["html"] = highlighted(passage["text"], terms)
    titles = {d["id"]: d["title"] for d in list_documents(home_dir())}
    return render_template("document.html", doc=shown["document"], passages=shown["passages"],
                           query=request.args.get("q", ""), links=link_details(doc_id, home_dir()), titles=titles)


@bp.get("/help")
def help_page():
    return render_template("help.html", filters=FILTER_PARAMS, limits=query_bounds.limits())


@bp.app_errorhandler(404)
def not_found(error):
    if request.path.startswith("/api/"):
        return {"error": getattr(error, "description", "not found")}, 404
    return render_template("error.html", message=error.description), 404
