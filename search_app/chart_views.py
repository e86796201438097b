"""Thematic views of a search: a timeline and a theme × document matrix, as SVG and as CSV.

Both count over all matches, not the page shown; every mark links to the
search narrowed to its theme and year (or document).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from kb.chart_svg import matrix_svg, timeline_svg
from kb.charts import ThemeCounts, matrix_counts, matrix_csv, timeline_counts, timeline_csv
from kb.errors import BadQuery, IndexMissing
from kb.export import describe_search, export_filename
from kb.search import SearchRequest, iter_matches
from search_app.exports import content_disposition
from search_app.params import PageState
from search_app.views import home_dir

bp = Blueprint("charts", __name__)


@dataclass(frozen=True)
class ChartView:
    name: str
    title: str
    column_param: str  # the URL filter a column stands for
    count: Callable
    draw: Callable
    table: Callable


VIEWS = {
    "timeline": ChartView("timeline", "Timeline: passages per theme per year", "year", timeline_counts, timeline_svg, timeline_csv),
    "matrix": ChartView("matrix", "Matrix: passages per theme per document", "doc_id", matrix_counts, matrix_svg, matrix_csv),
}


def init_app(app) -> None:
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)


def narrowed(state: PageState, **filters: str) -> str:
    """The search page for the same matches with these filters added."""
    extra = tuple((name, value, False) for name, value in filters.items() if not state.has(name, value))
    return state.changed(filters=state.filters + extra).url()


def mark_links(view: ChartView, state: PageState) -> Callable[[str, str], str]:
    """Link each mark to the search narrowed to its theme and its year (or document)."""
    def link(theme: str, column: str) -> str:
        return narrowed(state, theme=theme, **{view.column_param: column})
    return link


def counted(view: ChartView, state: PageState) -> ThemeCounts:
    return view.count(iter_matches(SearchRequest(state.q, state.filters, sort="oldest"), home_dir()))


def chart_page(view: ChartView):
    state, counts, svg, error, status = PageState(q=request.args.get("q", "")), None, None, None, 200
    try:
        state = PageState.from_args(request.args)
        counts = counted(view, state)
        svg = Markup(view.draw(counts, link=mark_links(view, state)))  # kb.chart_svg escapes every text
    except BadQuery as problem:
        error, status = str(problem), 400
    except IndexMissing as problem:
        error, status = str(problem), 503
    return render_template("export_views.html", view=view, views=VIEWS.values(), state=state, counts=counts, svg=svg,
                           error=error, description=describe_search(state.q, state.filters, state.sort)), status


def chart_csv(view: ChartView):
    try:
        state = PageState.from_args(request.args)
        table = view.table(counted(view, state))
    except BadQuery as problem:
        return Response(f"error: {problem}\n", status=400, mimetype="text/plain")
    filename = export_filename(state.q, state.filters, "csv", stem=f"atkb-{view.name}")
    return Response(table, mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition(filename)})


@bp.get("/timeline")
def timeline():
    return chart_page(VIEWS["timeline"])


@bp.get("/timeline.csv")
def timeline_table():
    return chart_csv(VIEWS["timeline"])


@bp.get("/matrix")
def matrix():
    return chart_page(VIEWS["matrix"])


@bp.get("/matrix.csv")
def matrix_table():
    return chart_csv(VIEWS["matrix"])
