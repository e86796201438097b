"""Hits come in the order Whoosh's own BM25F search gives them, and facets count exactly what matched.

atkb scores words joined by AND and OR from arrays kept per index
generation; these tests hold it to what Whoosh computes match by match, on
the bundled corpus and on an index of several segments with deleted documents.
"""
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from whoosh import query
from whoosh.scoring import bm25

from kb import engine, ranking, settings
from tests.conftest import CORPUS, run_kb

QUERIES = [
    "trafficking", "victims", "victims trafficking", "victims OR compensation", "cooperation AND regional",
    "place:Serbia", '"human beings"', '"in the region"', "themes:compensation victims", "labour exploitation",
    "trafficking NOT children", "protect*", "shall", "(identification OR referral) victims",
]
FILTERS = [
    [], [("doc_type", "strategy", False)], [("year", "2018", False)], [("doc_type", "declaration", True)],
    [("themes", "children", False), ("doc_type", "strategy", False)],
]


def whoosh_order(searcher, text: str, filters) -> list[str]:
    """Passage ids in the order of Whoosh's own scored search, filters applied as a Whoosh filter."""
    scoring, _ = engine._split_ranges(engine.parse_query(searcher.schema, text))
    allowed = query.And([engine.ITEMS, *engine._filter_queries(searcher.schema, filters)])
    return [hit["passage_id"] for hit in searcher.search(scoring, filter=allowed, limit=None)]


def atkb_order(searcher, text: str, filters, limit=1000) -> list[str]:
    found = engine.search(searcher, text, filters, limit=limit)
    return [hit.fields["passage_id"] for hit in found.hits]


def stored_counts(searcher, text: str, filters, field: str) -> Counter:
    """A facet counted the slow way: from the stored record of every match."""
    counts = Counter()
    for record in engine.iter_matches(searcher, text, filters):
        values = record.get(field)
        # Tags are indexed in lower case, as facets show them before display names are put back.
        values = values.lower().split(",") if field in engine.TAG_FIELDS else [values]
        counts.update(v for v in values if v not in ("", None))
    return counts


@pytest.mark.parametrize("text", QUERIES)
def test_hits_are_in_whooshs_order(corpus_home, text):
    with engine.searching(settings.index_dir(corpus_home)) as searcher:
        for filters in FILTERS:
            expected = whoosh_order(searcher, text, filters)
            assert atkb_order(searcher, text, filters) == expected, (text, filters)
            assert [r["passage_id"] for r in engine.iter_matches(searcher, text, filters)] == expected


def test_later_pages_continue_the_first(corpus_home):
    with engine.searching(settings.index_dir(corpus_home)) as searcher:
        everything = atkb_order(searcher, "trafficking OR victims", [])
        pages = [engine.search(searcher, "trafficking OR victims", [], limit=7, offset=start).hits
                 for start in range(0, len(everything), 7)]
        assert [hit.fields["passage_id"] for page in pages for hit in page] == everything
        assert len(everything) > 20


@pytest.mark.parametrize("text", ["trafficking", "compensation", "victims OR children", ""])
def test_facet_counts_equal_the_stored_values_of_the_matches(corpus_home, text):
    with engine.searching(settings.index_dir(corpus_home)) as searcher:
        for filters in FILTERS:
            found = engine.search(searcher, text, filters, limit=0)
            for field in ("doc_type", "year", "themes", "places", "role"):
                assert Counter(found.facets[field]) == stored_counts(searcher, text, filters, field), (text, field)


@pytest.fixture
def segmented_home(home_copy, tmp_path) -> Path:
    """The corpus index after a document was added and a seed declaration replaced: several segments, deletions."""
    extra = tmp_path / "extra.txt"
    extra.write_text("1. Victims of trafficking shall receive compensation and assistance.\n\n"
                     "2. Trafficking in human beings for labour exploitation is to be prosecuted.\n", encoding="utf-8")
    added = run_kb("add", str(extra), "--title", "Extra", "--issuer", "Test", "--doc-type", "other",
                   "--date", "2023", home=home_copy)
    assert added.returncode == 0, added.stderr
    changed = tmp_path / "brdo.txt"
    original = (CORPUS / "documents" / "2018-03-16-brdo-ministerial-joint-declaration.txt").read_text(encoding="utf-8")
    changed.write_text(original + "\n\n12) Trafficking victims in the region deserve compensation.\n", encoding="utf-8")
    replaced = run_kb("add", str(changed), "--id", "natc-see-2018-brdo-declaration", "--title", "Brdo",
                      "--issuer", "NATC SEE", "--doc-type", "declaration", "--date", "2018-03-16", home=home_copy)
    assert replaced.returncode == 0, replaced.stderr
    return home_copy


def test_order_holds_across_segments_with_deleted_documents(segmented_home):
    with engine.searching(settings.index_dir(segmented_home)) as searcher:
        leaves = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
        assert len(leaves) > 1 and any(reader.has_deletions() for reader in leaves)
        for text in QUERIES:
            for filters in FILTERS[:3]:
                assert atkb_order(searcher, text, filters) == whoosh_order(searcher, text, filters), (text, filters)
        found = engine.search(searcher, "compensation", [("doc_id", "natc-see-2018-brdo-declaration", False)])
        assert found.total == sum(found.facets["doc_type"].values())
        assert Counter(found.facets["year"]) == stored_counts(
            searcher, "compensation", [("doc_id", "natc-see-2018-brdo-declaration", False)], "year")


def test_bm25_is_whooshs_formula_to_the_last_bit():
    frequencies = np.array([1.0, 2.0, 3.0, 7.0, 1.0])
    lengths = np.array([12, 40, 3, 200, 1])
    scores = ranking.bm25(frequencies, lengths, idf=2.718, average_length=37.5)
    expected = [bm25(2.718, tf, int(fl), 37.5, ranking.B, ranking.K1) for tf, fl in zip(frequencies, lengths)]
    assert scores.tolist() == expected


def test_best_breaks_ties_by_the_lower_document_number():
    ids = np.array([3, 5, 8, 9, 12, 20])
    scores = np.array([1.0, 2.0, 2.0, 0.5, 2.0, 1.0])
    assert ranking.best(ids, scores, 2).tolist() == [5, 8]
    assert ranking.best(ids, scores, 4).tolist() == [5, 8, 12, 3]
    assert ranking.best(ids, scores, None).tolist() == [5, 8, 12, 3, 20, 9]
    assert ranking.best(ids, scores, 0).tolist() == []


def test_spans_lists_every_position_of_each_span():
    starts, ends = np.array([0, 4, 4, 9]), np.array([2, 4, 7, 10])
    assert ranking.spans(starts, ends).tolist() == [0, 1, 4, 5, 6, 9]
    assert ranking.spans(np.array([3]), np.array([3])).tolist() == []
