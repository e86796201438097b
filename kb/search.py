"""Search: one request in, one result out, rendered by the CLI, the app and exports."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb import engine, settings
from kb.errors import BadQuery, KBError
from kb.taxonomy import load_entities

# Fields of a hit, in the order the JSON shows them.
HIT_FIELDS = (
    "doc_id", "passage_id", "seq", "number", "role", "verb", "heading", "parent",
    "page", "title", "issuer", "doc_type", "date", "year", "place", "language",
    "text", "snippet", "themes", "orgs", "places", "instruments", "evidence",
)
FILTER = re.compile(r"^\s*([A-Za-z_]+)\s*(!?=)\s*(.*?)\s*$")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked: a query, filters, a page and an order."""

    query: str = ""
    filters: tuple[tuple[str, str, bool], ...] = ()
    limit: int = 20
    offset: int = 0
    sort: str = "relevance"


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[dict] = field(default_factory=list)
    facets: dict[str, dict] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "query": self.request.query,
            "filters": [_filter_label(f) for f in self.request.filters],
            "total": self.total,
            "offset": self.request.offset,
            "limit": self.request.limit,
            "sort": self.request.sort,
            "hits": self.hits,
            "facets": self.facets,
        }


def parse_filter(spec: str) -> tuple[str, str, bool]:
    """Read FIELD=VALUE (or FIELD!=VALUE to exclude) into a filter."""
    match = FILTER.match(spec)
    if not match or not match.group(3):
        raise BadQuery("a filter reads FIELD=VALUE or FIELD!=VALUE", spec)
    name, op, value = match.groups()
    if name.lower() not in engine.QUERY_FIELDS:
        raise BadQuery(f"unknown filter field {name!r}", spec)
    return name.lower(), value, op == "!="


def _filter_label(spec: tuple[str, str, bool]) -> str:
    name, value, negated = spec
    return f"{name}{'!=' if negated else '='}{value}"


def search(request: SearchRequest, home: Path | None = None) -> SearchResult:
    """Run a search over the passages of the index."""
    if not 0 <= request.limit <= MAX_LIMIT:
        raise BadQuery(f"limit must be between 0 and {MAX_LIMIT}", str(request.limit))
    if request.offset < 0:
        raise BadQuery("offset must not be negative", str(request.offset))
    with engine.searching(settings.index_dir(home)) as searcher:
        found = engine.search(
            searcher, request.query, list(request.filters),
            limit=request.limit, offset=request.offset, sort=request.sort,
        )
    hits = [hit_json(hit.fields, hit.snippet) for hit in found.hits]
    return SearchResult(request, found.total, hits, display_facets(found.facets))


def entity_names() -> dict[str, str]:
    """Map the lower-case form the index keeps to each entity's canonical name."""
    return _entity_names(str(settings.entities_path()))


@lru_cache(maxsize=2)
def _entity_names(path: str) -> dict[str, str]:
    try:
        return {e.name.lower(): e.name for e in load_entities(Path(path))}
    except KBError:
        return {}


def display_facets(facets: dict[str, dict]) -> dict[str, dict]:
    """Show entity facet values under their canonical names ("GRETA", not "greta")."""
    names = entity_names()
    shown = dict(facets)
    for field in ("orgs", "places", "instruments"):
        if field in shown:
            shown[field] = {names.get(value, value): n for value, n in shown[field].items()}
    return shown


def hit_json(record: dict, snippet: str = "") -> dict:
    """Shape a stored passage record as the JSON of a hit."""
    data = {name: record.get(name) for name in HIT_FIELDS}
    data["snippet"] = snippet or record.get("text", "")
    names = entity_names()
    for name in engine.TAG_FIELDS:
        data[name] = [names.get(v, v) for v in (record.get(name) or "").split(",") if v]
    data["evidence"] = list(record.get("evidence") or [])
    for name in ("number", "role", "verb", "heading", "parent", "place", "date"):
        data[name] = data[name] or ""
    return data
