"""Pages: the search box and a list of matching passages."""
from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup, escape

from kb.errors import BadQuery, IndexMissing
from kb.search import SearchRequest, search

bp = Blueprint("pages", __name__)
MARKED = re.compile(r"\*\*(.+?)\*\*")
PAGE_SIZE = 20


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(marked, "marked")


def marked(snippet: str) -> Markup:
    """Escape a snippet, then show its **matched words** highlighted."""
    return Markup(MARKED.sub(r"<mark>\1</mark>", str(escape(snippet))))


@bp.get("/")
def home():
    return render_template("search.html", query="", result=None, error=None)


@bp.get("/search")
def search_page():
    query = request.args.get("q", "")
    result, error, status = None, None, 200
    try:
        result = search(SearchRequest(query=query, limit=PAGE_SIZE), Path(current_app.config["KB_HOME"]))
    except BadQuery as problem:
        error, status = str(problem), 400
    except IndexMissing as problem:
        error, status = str(problem), 503
    return render_template("search.html", query=query, result=result, error=error), status
