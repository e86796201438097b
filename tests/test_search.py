"""Search over the bundled corpus: the query language, filters, facets, order, pages."""
import pytest

from kb.errors import BadQuery
from kb.search import SearchRequest, parse_filter, search


def run(home, query="", *filters, **options):
    request = SearchRequest(query=query, filters=tuple(parse_filter(f) for f in filters), **options)
    return search(request, home)


def test_phrase_finds_clause_1_of_both_joint_statements(corpus_home):
    result = run(corpus_home, '"strategic priorities for 2020-2024"', limit=50)
    clause_1 = {(h["doc_id"], h["number"]) for h in result.hits if h["number"] == "1."}
    assert clause_1 == {("natc-see-2021-joint-statement", "1."), ("natc-see-2022-joint-statement", "1.")}
    assert all(h["verb"] == "REITERATE" for h in result.hits if h["number"] == "1.")


def test_compensation_in_declarations_finds_item_6_of_2018(corpus_home):
    result = run(corpus_home, "compensation", "doc_type=declaration")
    assert [(h["doc_id"], h["number"], h["verb"]) for h in result.hits] == [
        ("natc-see-2018-brdo-declaration", "6)", "COMMIT TO")
    ]
    assert "**compensation**" in result.hits[0]["snippet"].lower()


def test_hits_carry_document_metadata(corpus_home):
    hit = run(corpus_home, "compensation", "doc_type=declaration").hits[0]
    assert hit["title"].startswith("Joint Declaration of the Ministers of Interior")
    assert (hit["date"], hit["year"], hit["place"]) == ("2018-03-16", 2018, "Brdo pri Kranju")
    assert hit["passage_id"] == f"natc-see-2018-brdo-declaration:{hit['seq']}"
    assert "compensation" in hit["themes"]


def test_facets_count_all_matches(corpus_home):
    result = run(corpus_home, "compensation", limit=1)
    assert result.total == sum(result.facets["doc_type"].values()) > 1
    assert result.facets["doc_type"] == {"declaration": 1, "strategy": 2}
    assert result.facets["year"] == {2020: 2, 2018: 1}
    assert len(result.hits) == 1


def test_filter_that_leaves_no_match_shows_no_hits(corpus_home):
    assert run(corpus_home, "compensation").total > 0
    for filters in (["year=1900"], ["doc_type=declaration", "year=2020"]):
        result = run(corpus_home, "compensation", *filters)
        assert (result.total, result.hits) == (0, [])


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_narrow_filter_keeps_the_order_of_the_unfiltered_search(corpus_home, sort):
    everything = run(corpus_home, "trafficking", limit=1000, sort=sort).hits
    narrowed = run(corpus_home, "trafficking", "year=2018", limit=1000, sort=sort)
    kept = [h["passage_id"] for h in narrowed.hits]
    assert 0 < len(kept) == narrowed.total < len(everything) / 2
    assert kept == [h["passage_id"] for h in everything if h["year"] == 2018]


def test_stemming_matches_other_forms(corpus_home):
    texts = [h["text"] for h in run(corpus_home, "compensating", limit=50).hits]
    assert any("compensation mechanisms" in t for t in texts)


@pytest.mark.parametrize(
    "query, check",
    [
        ("impunity AND NOT declare", lambda h: "impunity" in h["text"].lower() and not h["verb"] == "DECLARE"),
        ("ukraine OR impunity", lambda h: "ukrain" in h["text"].lower() or "impunity" in h["text"].lower()),
        ("role:operative impunity", lambda h: h["role"] == "operative"),
        ('verb:"commit to" compensation', lambda h: h["verb"] == "COMMIT TO"),
        ("year:[2021 TO 2022] impunity", lambda h: h["year"] in (2021, 2022)),
        ("year:2012", lambda h: h["year"] == 2012),
        ("doc_type:Strategy compensation", lambda h: h["doc_type"] == "strategy"),
        ("referr*", lambda h: "referr" in h["text"].lower()),
        ('exact:"in a spirit of"', lambda h: "in a spirit of" in h["text"].lower()),
    ],
)
def test_query_syntax(corpus_home, query, check):
    result = run(corpus_home, query, limit=100)
    assert result.total > 0
    assert all(check(h) for h in result.hits)


def test_not_excludes(corpus_home):
    with_ukraine = run(corpus_home, "trafficking", limit=0).total
    without = run(corpus_home, "trafficking AND NOT ukraine", limit=0).total
    assert 0 < without < with_ukraine


def test_filters_or_within_a_field_and_across_fields(corpus_home):
    both_years = run(corpus_home, "impunity", "year=2021", "year=2020", limit=100)
    assert {h["year"] for h in both_years.hits} == {2020, 2021}
    narrowed = run(corpus_home, "impunity", "year=2021", "year=2020", "role=operative", limit=100)
    assert {h["year"] for h in narrowed.hits} == {2021}
    excluded = run(corpus_home, "impunity", "year!=2021", limit=100)
    assert 2021 not in {h["year"] for h in excluded.hits}


def test_sort_by_date_and_paginate(corpus_home):
    newest = run(corpus_home, "trafficking", sort="newest", limit=200)
    dates = [h["date"] for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    oldest = run(corpus_home, "trafficking", sort="oldest", limit=5, offset=5)
    assert [h["passage_id"] for h in oldest.hits] == [
        h["passage_id"] for h in run(corpus_home, "trafficking", sort="oldest", limit=10).hits[5:]
    ]


def test_empty_query_with_filter_lists_passages(corpus_home):
    result = run(corpus_home, "", "doc_id=natc-see-2021-joint-statement", limit=100, sort="oldest")
    assert [h["seq"] for h in result.hits] == list(range(1, result.total + 1))


@pytest.mark.parametrize(
    "query, message",
    [
        ('"unclosed phrase', "a quotation mark is not closed"),
        ("(impunity OR", "a parenthesis is not closed"),
        ("impunity)", "a closing parenthesis has no opening one"),
        ("colour:red", "unknown field 'colour'"),
        ("year:recent", "year takes a number, not 'recent'"),
        ("year:[2018 TO", "a range like year:[2018 TO 2022] is not closed"),
    ],
)
def test_bad_queries_say_what_is_wrong(corpus_home, query, message):
    with pytest.raises(BadQuery) as raised:
        run(corpus_home, query)
    assert message in str(raised.value)
    assert str(raised.value).startswith(query)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("spec", ["year", "colour=red", "role="])
def test_bad_filters(spec):
    with pytest.raises(BadQuery):
        parse_filter(spec)
