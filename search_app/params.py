"""The state of a search page, read from and written to its URL, so every view is a link."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from urllib.parse import quote_plus, urlencode

from kb.engine import SORTS
from kb.errors import BadQuery
from kb.search import SearchRequest

# URL parameters that filter; each also has a not_<name> form that excludes.
FILTER_PARAMS = (
    "theme", "doc_type", "issuer", "year", "role", "verb", "org", "region", "instrument",
    "place", "doc_id", "language", "kind", "strength", "country", "round",
)
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1000


@dataclass(frozen=True)
class PageState:
    """Everything a search view shows depends on these, and they all live in the URL."""

    q: str = ""
    filters: tuple[tuple[str, str, bool], ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    group: str = ""
    boilerplate: str = ""  # "no" hides wording that recurs across many documents

    @classmethod
    def from_args(cls, args) -> "PageState":
        """Read the state from request arguments, or raise BadQuery saying which is wrong."""
        filters = []
        for name in FILTER_PARAMS:
            filters += [(name, v, False) for v in args.getlist(name) if v.strip()]
            filters += [(name, v, True) for v in args.getlist(f"not_{name}") if v.strip()]
        sort = args.get("sort", "relevance") or "relevance"
        if sort not in SORTS:
            raise BadQuery("sort must be relevance, newest or oldest", sort)
        return cls(
            q=args.get("q", ""),
            filters=tuple(filters),
            sort=sort,
            page=_whole_number(args.get("page"), "page", 1, MAX_PAGE, 1),
            per_page=_whole_number(args.get("per_page"), "per_page", 1, MAX_PER_PAGE, PER_PAGE),
            group="doc" if args.get("group") == "doc" else "",
            boilerplate="no" if args.get("boilerplate") == "no" else "",
        )

    def request(self) -> SearchRequest:
        return SearchRequest(
            query=self.q, filters=self.filters, limit=self.per_page,
            offset=(self.page - 1) * self.per_page, sort=self.sort,
            hide_boilerplate=self.boilerplate == "no",
        )

    def params(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q)] if self.q else []
        pairs += [(f"not_{n}" if negated else n, v) for n, v, negated in self.filters]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.group:
            pairs.append(("group", self.group))
        if self.boilerplate:
            pairs.append(("boilerplate", self.boilerplate))
        if self.per_page != PER_PAGE:
            pairs.append(("per_page", str(self.per_page)))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def url(self, path: str = "/search") -> str:
        query = urlencode(self.params())
        return f"{path}?{query}" if query else path

    def view_url(self, path: str, **extra: str) -> str:
        """A link to another view of all the same matches (an export, a chart): no page, no layout."""
        pairs = [(k, v) for k, v in self.params() if k not in ("page", "per_page", "group")]
        query = urlencode(pairs + list(extra.items()))
        return f"{path}?{query}" if query else path

    def changed(self, **changes) -> "PageState":
        """The same state with some parts changed; back to page 1 unless a page is given."""
        return replace(self, **{"page": 1, **changes})

    def has(self, name: str, value: str, negated: bool = False) -> bool:
        return any(n == name and v.lower() == str(value).lower() and neg == negated for n, v, neg in self.filters)

    @cached_property
    def links(self) -> ToggleLinks:
        """Links that toggle one filter each, for the many values of the facets."""
        return ToggleLinks(self)

    def toggled(self, name: str, value: str, negated: bool = False) -> "PageState":
        """Add the filter, or remove it if it is there (also dropping its opposite)."""
        value = str(value)
        kept = tuple(f for f in self.filters if not (f[0] == name and f[1].lower() == value.lower()))
        if self.has(name, value, negated):
            return self.changed(filters=kept)
        return self.changed(filters=kept + ((name, value, negated),))


class ToggleLinks:
    """The links that add a filter to one state, with what they share encoded once.

    A page links every facet value twice (select, exclude), some 280 links:
    only the added filter is encoded for each.
    """

    def __init__(self, state: PageState):
        self.state = state
        first = state.changed()
        pairs = first.params()
        shared = (1 if first.q else 0) + len(first.filters)
        self.head = urlencode(pairs[:shared])
        self.tail = urlencode(pairs[shared:])
        self.present = {(name, value.lower()) for name, value, _ in state.filters}

    def url(self, name: str, value: str, negated: bool = False) -> str:
        """state.toggled(name, value, negated).url(), without re-encoding the state."""
        value = str(value)
        if (name, value.lower()) in self.present:
            return self.state.toggled(name, value, negated).url()
        added = f"{quote_plus('not_' + name if negated else name)}={quote_plus(value)}"
        return "/search?" + "&".join(part for part in (self.head, added, self.tail) if part)


def _whole_number(raw: str | None, name: str, low: int, high: int, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        number = int(raw)
    except ValueError:
        raise BadQuery(f"{name} must be a whole number", raw) from None
    if not low <= number <= high:
        raise BadQuery(f"{name} must be between {low} and {high}", raw)
    return number
