"""Facets as data: each knows its field and label, and gives every value the
links that select or exclude it, so facets work as plain links without JS."""
from __future__ import annotations

from dataclasses import dataclass, field
from kb.model import STRENGTHS
from kb.search import SearchResult
from kb.taxonomy import current_taxonomy
from search_app.params import PageState


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    excluded: bool
    toggle_url: str
    exclude_url: str
    children: list["FacetValue"] = field(default_factory=list)
    share: float = 0.0  # of the largest count, for histogram bars

    def to_json(self) -> dict:
        data = {k: getattr(self, k) for k in ("value", "label", "count", "selected", "excluded", "toggle_url", "exclude_url")}
        if self.children:
            data["children"] = [c.to_json() for c in self.children]
        return data


@dataclass
class FacetView:
    param: str
    label: str
    kind: str  # "list", "histogram" or "tree"
    values: list[FacetValue]

    def to_json(self) -> dict:
        return {"name": self.param, "label": self.label, "kind": self.kind, "values": [v.to_json() for v in self.values]}


class Facet:
    """A facet over one index field, shown as a list of values with counts."""

    kind = "list"

    def __init__(self, param: str, field: str, label: str):
        self.param, self.field, self.label = param, field, label

    def view(self, result: SearchResult, state: PageState) -> FacetView:
        counts = result.facets.get(self.field, {})
        values = [self.value(str(v), self.value_label(str(v)), n, state) for v, n in counts.items()]
        values += self.excluded_values(state, {v.value.lower() for v in values})
        return FacetView(self.param, self.label, self.kind, values)

    def value(self, value: str, label: str, count: int, state: PageState) -> FacetValue:
        return FacetValue(
            value=value, label=label, count=count,
            selected=state.has(self.param, value), excluded=state.has(self.param, value, True),
            toggle_url=state.links.url(self.param, value),
            exclude_url=state.links.url(self.param, value, negated=True),
        )

    def excluded_values(self, state: PageState, shown: set[str]) -> list[FacetValue]:
        """Excluded values have no matches left, but stay visible so they can be let back in."""
        return [
            self.value(v, self.value_label(v), 0, state)
            for n, v, negated in state.filters
            if n == self.param and negated and v.lower() not in shown
        ]

    def value_label(self, value: str) -> str:
        return value.replace("_", " ")


class YearFacet(Facet):
    """Years as a histogram whose bars are links."""

    kind = "histogram"

    def view(self, result: SearchResult, state: PageState) -> FacetView:
        view = super().view(result, state)
        view.values.sort(key=lambda v: v.value)
        top = max((v.count for v in view.values), default=0)
        for value in view.values:
            value.share = value.count / top if top else 0.0
        return view


class ThemeFacet(Facet):
    """Themes in two levels: the taxonomy's families, each with its themes."""

    kind = "tree"

    def view(self, result: SearchResult, state: PageState) -> FacetView:
        taxonomy = current_taxonomy()
        counts = result.facets.get(self.field, {})
        families = result.facets.get("theme_families", {})
        if taxonomy is None:
            return super().view(result, state)
        values = []
        for group in taxonomy.groups:
            if not families.get(group.id) and not state.has(self.param, group.id, True):
                continue
            family = self.value(group.id, group.label, families.get(group.id, 0), state)
            family.children = [
                self.value(t.id, t.label, counts[t.id], state)
                for t in sorted(taxonomy.children(group.id), key=lambda t: -counts.get(t.id, 0))
                if counts.get(t.id)
            ]
            values.append(family)
        return FacetView(self.param, self.label, self.kind, values)


class StrengthFacet(Facet):
    """Recommendation strengths in their order, strongest first: urges, should, invites."""

    def view(self, result: SearchResult, state: PageState) -> FacetView:
        view = super().view(result, state)
        view.values.sort(key=lambda v: STRENGTHS.index(v.value) if v.value in STRENGTHS else len(STRENGTHS))
        return view


class RoundFacet(Facet):
    """Evaluation rounds in their order."""

    def view(self, result: SearchResult, state: PageState) -> FacetView:
        view = super().view(result, state)
        view.values.sort(key=lambda v: int(v.value) if v.value.isascii() and v.value.isdigit() else 0)
        return view

    def value_label(self, value: str) -> str:
        return f"round {value}"


FACETS = (
    ThemeFacet("theme", "themes", "Theme"),
    Facet("doc_type", "doc_type", "Document type"),
    Facet("issuer", "issuer", "Issuer"),
    YearFacet("year", "year", "Year"),
    Facet("role", "role", "Role"),
    Facet("verb", "verb", "Operative verb"),
    Facet("org", "orgs", "Organisation"),
    Facet("region", "places", "Country or region named"),
    Facet("instrument", "instruments", "Instrument"),
    Facet("kind", "kind", "Item"),
    StrengthFacet("strength", "strength", "Recommendation strength"),
    Facet("country", "country", "Country evaluated"),
    RoundFacet("round", "round", "Evaluation round"),
)


def facet_views(result: SearchResult, state: PageState) -> list[FacetView]:
    """Every facet of a result, ready to render or serve as JSON."""
    return [facet.view(result, state) for facet in FACETS]
