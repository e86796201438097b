"""Search: one request in, one result out, rendered by the CLI, the app and exports."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb import engine, query_bounds, settings
from kb.errors import BadQuery
from kb.citations import pinpoint
from kb.same_wording import boilerplate_ids
from kb.taxonomy import current_entities, current_taxonomy

# Fields of a hit, in the order the JSON shows them.
HIT_FIELDS = (
    "doc_id", "passage_id", "seq", "number", "role", "verb", "heading", "parent",
    "page", "title", "issuer", "doc_type", "date", "year", "place", "language",
    "text", "snippet", "themes", "orgs", "places", "instruments", "evidence", "citation",
    "kind", "strength", "country", "round",
)
FILTER = re.compile(r"^\s*([A-Za-z_]+)\s*(!?=)\s*(.*?)\s*$")
BOILERPLATE = re.compile(r"(?<![\w:])boilerplate:(no|yes)\b", re.I)
MAX_LIMIT = 1000


@dataclass(frozen=True)
class SearchRequest:
    """What a user asked: a query, filters, a page and an order."""

    query: str = ""
    filters: tuple[tuple[str, str, bool], ...] = ()
    limit: int = 20
    offset: int = 0
    sort: str = "relevance"
    hide_boilerplate: bool = False


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[dict] = field(default_factory=list)
    facets: dict[str, dict] = field(default_factory=dict)
    cached: bool = False  # served from the results kept for this index generation

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
    """Run a search over the passages of the index.

    Facets are counted as analysts expect from OR within a facet: the counts
    of a facet with selected values ignore that facet's own selection, so the
    other values show what choosing them too would add.
    """
    if not 0 <= request.limit <= MAX_LIMIT:
        raise BadQuery(f"limit must be between 0 and {MAX_LIMIT}", str(request.limit))
    if request.offset < 0:
        raise BadQuery("offset must not be negative", str(request.offset))
    families = theme_families()
    with engine.searching(settings.index_dir(home)) as searcher, query_bounds.time_budget(request.query):
        # Finished results are kept per index generation, so a commit starts afresh.
        kept = engine.shared_caches(searcher).results
        key = (request, repr(families), vocabulary_stamp())
        result = kept.get(key)
        if result is not None:
            return replace(result, hits=list(result.hits), cached=True)
        result = _computed(searcher, request, families, home)
        kept.put(key, result)
    return replace(result, hits=list(result.hits))


def _computed(searcher, request: SearchRequest, families: dict, home: Path | None) -> SearchResult:
    """Search with facet counts, each facet with a selection counted without its own."""
    filters = expand_theme_families(list(request.filters), families)
    text, hidden = without_boilerplate(request, home)
    found = engine.search(
        searcher, text, filters, limit=request.limit, offset=request.offset,
        sort=request.sort, value_groups={"theme_families": families}, exclude_ids=hidden,
    )
    facets = dict(found.facets)
    selected = {engine.QUERY_FIELDS[name] for name, _, negated in filters if not negated}
    for field in sorted(selected & set(engine.FACET_FIELDS)):
        others = [f for f in filters if f[2] or engine.QUERY_FIELDS[f[0]] != field]
        groups = {"theme_families": families} if field == "themes" else None
        alone = engine.search(searcher, text, others, limit=0, facets=(field,), value_groups=groups,
                              exclude_ids=hidden)
        facets.update(alone.facets)
    hits = [hit_json(hit.fields, hit.snippet) for hit in found.hits]
    return SearchResult(request, found.total, hits, display_facets(facets))


def vocabulary_stamp() -> tuple[int, int]:
    """When the taxonomy and the entity registry last changed: both shape what a result shows."""
    stamps = []
    for path in (settings.themes_path(), settings.entities_path()):
        try:
            stamps.append(path.stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def iter_matches(request: SearchRequest, home: Path | None = None):
    """Yield every passage matching a request as hit JSON (no snippet), in order.

    For exports and views over all matches: memory stays flat however many match.
    """
    filters = expand_theme_families(list(request.filters))
    text, hidden = without_boilerplate(request, home)
    with engine.searching(settings.index_dir(home)) as searcher:
        records = engine.iter_matches(searcher, text, filters, sort=request.sort, exclude_ids=hidden)
        # The budget covers finding the matches, not the time a client takes to read them.
        with query_bounds.time_budget(request.query):
            first = next(records, None)
        if first is None:
            return
        yield hit_json(first)
        for record in records:
            yield hit_json(record)


def without_boilerplate(request: SearchRequest, home: Path | None) -> tuple[str, frozenset[str]]:
    """Take `boilerplate:no` out of the query; return the query and the passages to hide."""
    hide = request.hide_boilerplate
    for match in BOILERPLATE.finditer(request.query):
        hide = match.group(1).lower() == "no"
    text = BOILERPLATE.sub(" ", request.query).strip()
    return text, frozenset(boilerplate_ids(home)) if hide else frozenset()


def theme_families() -> dict[str, list[tuple[str, str]]]:
    """Each parent of the taxonomy with the theme values that belong to it."""
    taxonomy = current_taxonomy()
    return {group.id: [("themes", t.id) for t in taxonomy.children(group.id)] for group in taxonomy.groups} if taxonomy else {}


def expand_theme_families(
    filters: list[tuple[str, str, bool]], families: dict | None = None
) -> list[tuple[str, str, bool]]:
    """Let theme=protection stand for any theme of the protection family."""
    families = theme_families() if families is None else families
    expanded = []
    for name, value, negated in filters:
        if engine.QUERY_FIELDS.get(name) == "themes" and value in families:
            expanded += [(name, theme, negated) for _, theme in families[value]]
        else:
            expanded.append((name, value, negated))
    return expanded


def entity_names() -> dict[str, str]:
    """Map the lower-case form the index keeps to each entity's canonical name."""
    entities = current_entities()
    registry, names = _names
    if registry is not entities:  # the registry is read again only when its file changes
        names = {e.name.lower(): e.name for e in entities}
        _names[:] = [entities, names]
    return names


_names: list = [None, {}]  # the registry last seen and its names


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
        values = [v for v in (record.get(name) or "").split(",") if v]
        data[name] = values if name == "themes" else [names.get(v, v) for v in values]
    data["evidence"] = list(record.get("evidence") or [])
    data["citation"] = pinpoint(data, data)
    for name in ("number", "role", "verb", "heading", "parent", "place", "date", "strength", "country"):
        data[name] = data[name] or ""
    data["kind"] = data["kind"] or "passage"
    data["round"] = int(data["round"]) if data["round"] else None
    return data
