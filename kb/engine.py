"""The search engine: the only module that talks to Whoosh.

Schema, opening and creating the index, the writer that commits all or
nothing, query parsing and the searches the rest of atkb asks for.
"""
from __future__ import annotations

import errno
import re
import threading
import weakref
from bisect import bisect_left
from contextlib import contextmanager, suppress
from functools import cached_property, lru_cache
from itertools import islice
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from whoosh import analysis, collectors, fields, index, qparser, query, sorting
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, LockError
from whoosh.scoring import BM25F

from kb import generations, query_bounds, ranking, snippets
from kb.errors import BadQuery, DiskFull, IndexBusy, IndexMissing, IndexOutdated
from kb.model import KINDS, Document, Passage

_lowercase_id = analysis.IDTokenizer() | analysis.LowercaseFilter()
# Exact wording: every word kept, stop words included, nothing stemmed.
_exact = analysis.RegexTokenizer() | analysis.LowercaseFilter()
# Word pairs ("human beings", "in human"): a phrase becomes an AND of its pairs,
# which needs no positions and stays fast when the phrase has common words.
_pairs = analysis.RegexTokenizer() | analysis.LowercaseFilter() | analysis.ShingleFilter(size=2, sep=" ")


def _facet_id() -> fields.ID:
    return fields.ID(stored=True, sortable=True, analyzer=_lowercase_id)


def _tags() -> fields.KEYWORD:
    return fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True)


SCHEMA = fields.Schema(
    # "document", or the kind of an item: "passage" or "recommendation".
    kind=_facet_id(),
    passage_id=fields.ID(stored=True, unique=True),
    doc_id=fields.ID(stored=True, sortable=True),
    seq=fields.NUMERIC(stored=True, sortable=True),
    text=fields.TEXT(analyzer=analysis.StemmingAnalyzer(), stored=True),
    exact=fields.TEXT(analyzer=_exact, phrase=True),
    pairs=fields.TEXT(analyzer=_pairs, phrase=False),
    title=fields.TEXT(stored=True),
    issuer=_facet_id(),
    doc_type=_facet_id(),
    date=fields.ID(stored=True, sortable=True),
    year=fields.NUMERIC(stored=True, sortable=True),
    place=_facet_id(),
    language=_facet_id(),
    number=fields.ID(stored=True),
    heading=fields.TEXT(stored=True),
    role=_facet_id(),
    verb=_facet_id(),
    parent=fields.ID(stored=True),
    page=fields.NUMERIC(stored=True),
    themes=_tags(),
    orgs=_tags(),
    places=_tags(),
    instruments=_tags(),
    # GRETA: how firmly a recommendation asks, the country and the evaluation round.
    strength=_facet_id(),
    country=_facet_id(),
    round=_facet_id(),
    # Document records only: where the source came from and what it was.
    source=fields.STORED,
    url=fields.STORED,
    sha256=fields.STORED,
    format=fields.STORED,
    fingerprint=fields.STORED,
    passages=fields.STORED,
    theme_counts=fields.STORED,
    # Passage records: why each theme is there.
    evidence=fields.STORED,
)
TAG_FIELDS = ("themes", "orgs", "places", "instruments")
NUMERIC_FIELDS = ("year", "seq", "page")
# Names a user may type before a colon, and the field each one means.
QUERY_FIELDS = {
    "text": "text", "exact": "exact", "title": "title", "issuer": "issuer",
    "doc_type": "doc_type", "type": "doc_type", "date": "date", "year": "year",
    "place": "place", "language": "language", "lang": "language", "doc_id": "doc_id",
    "doc": "doc_id", "number": "number", "heading": "heading", "role": "role",
    "verb": "verb", "themes": "themes", "theme": "themes",
    "orgs": "orgs", "org": "orgs", "organisations": "orgs",
    "places": "places", "region": "places", "instruments": "instruments",
    "instrument": "instruments", "kind": "kind", "strength": "strength", "country": "country",
    "round": "round",
}
FACET_FIELDS = ("doc_type", "year", "issuer", "role", "verb") + TAG_FIELDS + ("kind", "strength", "country", "round")
# Every searchable item: passages and the recommendations found in them.
ITEMS = query.Or([query.Term("kind", kind) for kind in KINDS])
SORTS = {
    "relevance": None,
    "newest": [("date", True), ("seq", False)],
    "oldest": [("date", False), ("seq", False)],
}


@dataclass(frozen=True)
class EngineHit:
    fields: dict
    snippet: str


@dataclass(frozen=True)
class EngineResult:
    total: int
    hits: list[EngineHit]
    facets: dict[str, dict]


def create_or_open(path: Path):
    """Open the index at path, creating an empty one first if there is none."""
    path.mkdir(parents=True, exist_ok=True)
    if not index.exists_in(str(path)):
        return index.create_in(str(path), SCHEMA)
    return _same_schema(index.open_dir(str(path)), path)


def _same_schema(ix, path: Path):
    """Return ix, or refuse an index whose fields another version of atkb wrote."""
    if set(ix.schema.names()) != set(SCHEMA.names()):
        ix.close()
        raise IndexOutdated(
            "this index was built by another version of atkb: delete the folder and run `kb ingest`",
            str(path),
        )
    return ix


def open_existing(path: Path):
    """Open the index at path, or say clearly that there is none yet.

    Without memory maps: Whoosh would otherwise map each segment file and
    also copy its postings into memory, twice the size of the index per reader.
    """
    try:
        ix = FileStorage(str(path), supports_mmap=False).open_index()
    except (EmptyIndexError, FileNotFoundError, OSError):
        raise IndexMissing(
            "no index here yet: run `kb ingest` to build it", str(path)
        ) from None
    return _same_schema(ix, path)


class IndexWriter:
    """Adds and replaces documents; nothing is visible until commit."""

    def __init__(self, writer):
        self._writer = writer
        self.discarded = False

    def discard(self) -> None:
        """Commit nothing when the block ends: there was no change worth a new generation."""
        self.discarded = True

    def replace_document(self, document: Document, passages: list[Passage], fingerprint: str) -> None:
        """Index a document and its passages in place of any earlier version."""
        self.delete_document(document.id)
        self._writer.add_document(**_document_fields(document, fingerprint, passages))
        for passage in passages:
            self._writer.add_document(**_passage_fields(document, passage))

    def delete_document(self, doc_id: str) -> None:
        self._writer.delete_by_term("doc_id", doc_id)


@contextmanager
def writing(path: Path, procs: int = 1) -> Iterator[IndexWriter]:
    """Yield a writer that commits only if the block finishes without error.

    With procs > 1, Whoosh indexes in that many processes (for rebuilds).
    """
    ix = create_or_open(path)
    try:
        # Each process writes a segment of its own: no single-process merge at the end.
        writer = ix.writer(procs=procs, limitmb=256, multisegment=True) if procs > 1 else ix.writer()
    except LockError:
        raise IndexBusy("another process is writing the index", str(path)) from None
    index_writer = IndexWriter(writer)
    try:
        yield index_writer
        if index_writer.discarded:
            writer.cancel()
        else:
            # A commit writes new segment files and only then the table of
            # contents that names them, so a kill half-way leaves the
            # previous generation the one that opens.
            writer.commit()
    except OSError as error:
        _abandon(writer)
        if error.errno == errno.ENOSPC:
            raise DiskFull(
                f"the disk is full while writing the index ({error.strerror}); the previous index is unchanged",
                str(path),
            ) from None
        raise
    except BaseException:
        _abandon(writer)
        raise
    finally:
        ix.close()


def _abandon(writer) -> None:
    """Cancel a writer; when even that fails (a full disk), delete what it began writing."""
    try:
        writer.cancel()
    except OSError:
        segment = getattr(writer, "newsegment", None)
        prefix = segment.segment_id() if segment else None
        for name in list(writer.storage) if prefix else ():
            if name.startswith(prefix):
                with suppress(OSError):
                    writer.storage.delete_file(name)
        with suppress(OSError, AttributeError):
            writer.temp_storage().destroy()
        if getattr(writer, "writelock", None):
            writer.writelock.release()


def theme_counts(passages: list[Passage]) -> dict[str, int]:
    """Count the passages of a document that carry each theme."""
    counts: dict[str, int] = {}
    for passage in passages:
        for theme in passage.themes:
            counts[theme] = counts.get(theme, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _document_fields(document: Document, fingerprint: str, passages: list[Passage]) -> dict:
    return {
        "kind": "document",
        "passage_id": f"{document.id}:0",
        "doc_id": document.id,
        "seq": 0,
        **_metadata(document),
        "source": document.source,
        "url": document.url,
        "sha256": document.sha256,
        "format": document.format,
        "fingerprint": fingerprint,
        "passages": sum(1 for p in passages if p.kind == "passage"),
        "theme_counts": theme_counts([p for p in passages if p.kind == "passage"]),
    }


def _metadata(document: Document) -> dict:
    data = {
        "title": document.title,
        "issuer": document.issuer,
        "doc_type": document.doc_type,
        "date": document.date,
        "place": document.place,
        "language": document.language,
        "country": document.country,
        "round": str(document.round or ""),
    }
    if document.year is not None:
        data["year"] = document.year
    return data


def _passage_fields(document: Document, passage: Passage) -> dict:
    data = {
        "kind": passage.kind,
        "strength": passage.strength,
        "passage_id": passage.passage_id,
        "doc_id": passage.doc_id,
        "seq": passage.seq,
        "text": passage.text,
        "exact": passage.text,
        "pairs": passage.text,
        **_metadata(document),
        "number": passage.number,
        "heading": passage.heading,
        "role": passage.role,
        "verb": passage.verb,
        "parent": passage.parent,
    }
    if passage.page is not None:
        data["page"] = passage.page
    for name in TAG_FIELDS:
        data[name] = ",".join(getattr(passage, name))
    data["evidence"] = [asdict(e) for e in passage.evidence]
    return data


class _KeptLengths(BM25F):
    """BM25F whose scorers read each passage's field length from an array kept per segment.

    Whoosh reads the length from the segment file for every document it
    scores; the values are the same, only read once.
    """

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        segment = getattr(searcher.reader(), "segment", None)
        if getattr(scorer, "dfl", None) is not None and segment is not None:
            scorer.dfl = _segment_lengths(searcher, fieldname).item
        return scorer


def _segment_lengths(leaf, fieldname: str) -> np.ndarray:
    """The length of a field in every document of one segment, as its scorer reads them."""
    segment = getattr(leaf.reader(), "segment", None)
    if segment is None:
        return _read_lengths(leaf, fieldname)
    return _LENGTHS.get_or_make((segment().segment_id(), fieldname), lambda: _read_lengths(leaf, fieldname))


def _read_lengths(leaf, fieldname: str) -> np.ndarray:
    # Whoosh gives None for a document without the field; no word of the field matches it.
    lengths = (leaf.doc_field_length(docnum, fieldname, 1) or 0 for docnum in range(leaf.doc_count_all()))
    return np.fromiter(lengths, dtype=np.int64, count=leaf.doc_count_all())


_LENGTHS = generations.BoundedCache(256)  # segments never change once written


def searching(path: Path):
    """Yield a searcher over the last committed state of the index.

    Searchers are kept open between calls, one per thread, and refreshed when
    a new generation has been committed, so a served app sees new documents
    without a restart and never pays for opening the index per request.
    """
    return _held_searcher(path)


_held = threading.local()


class _Held(dict):
    """The searchers one thread keeps open, closed when the thread ends (or at exit)."""

    def __init__(self):
        super().__init__()
        self.entries: dict = {}
        weakref.finalize(self, _close_entries, self.entries)


def _close_entries(entries: dict) -> None:
    for ix, searcher in list(entries.values()):
        searcher.close()
        ix.close()
    entries.clear()


@contextmanager
def _held_searcher(path: Path, retry: bool = True):
    if getattr(_held, "searchers", None) is None:
        _held.searchers = _Held()
    held = _held.searchers.entries
    key = str(path.resolve())
    entry = held.get(key)
    if entry is None:
        ix = open_existing(path)
        entry = held[key] = [ix, ix.searcher(weighting=_KeptLengths())]
    ix, searcher = entry
    try:
        if not searcher.up_to_date():
            # Open afresh and close the old one: Whoosh's refresh() leaves all
            # but one reader of a multi-segment index open.
            fresh = ix.searcher(weighting=_KeptLengths())
            searcher.close()
            entry[1] = searcher = fresh
        _join_generation(searcher, path, key)
    except (OSError, EmptyIndexError):
        # The folder was replaced or removed: start again, once, from what is there now.
        held.pop(key, None)
        searcher.close()
        if not retry:
            raise IndexMissing("no committed index here yet: run `kb ingest` to build it", str(path)) from None
        with _held_searcher(path, retry=False) as fresh:
            yield fresh
        return
    yield searcher


def warm(path: Path) -> None:
    """Read now what every search of the current generation needs, then close the searcher.

    The facet arrays, the list of searchable items and the passages' text
    lengths: a server reads them before it forks its workers, which then
    start with them (shared, as the kernel copies memory only on writing).
    """
    with _held_searcher(path) as searcher:
        _facet_table(searcher)
        _docs_for(searcher, ITEMS)
        _lengths(searcher, "text")
    _close_entries(_held.searchers.entries)


def _join_generation(searcher, path: Path, folder: str) -> None:
    """Give a searcher the caches its process shares for the generation it reads.

    The key holds the table of contents' inode and time, not only the
    generation number, which starts again when the folder is rebuilt.
    """
    if getattr(searcher, "_atkb_generation", None) is None:
        number = searcher.reader().generation()
        toc = (path / f"_MAIN_{number}.toc").stat()
        searcher._atkb_generation = generations.shared((folder, number, toc.st_ino, toc.st_mtime_ns))


def shared_caches(searcher) -> generations.Generation:
    """The caches shared for a searcher's generation (its own, if it was opened elsewhere)."""
    found = getattr(searcher, "_atkb_generation", None)
    if found is None:
        found = searcher._atkb_generation = generations.Generation(id(searcher))
    return found


def document_records(searcher) -> list[dict]:
    """Return the stored record of every indexed document."""
    return [dict(fields) for fields in searcher.documents(kind="document")]


def document_segments(searcher) -> dict[str, str]:
    """The segment each document's record is in: a document indexed again lands in a new one."""
    found = {}
    for leaf, _ in searcher.leaf_searchers():
        segment = getattr(leaf.reader(), "segment", None)
        name = segment().segment_id() if segment is not None else ""
        found.update((fields["doc_id"], name) for fields in leaf.documents(kind="document"))
    return found


def passage_record(searcher, passage_id: str) -> dict | None:
    found = searcher.document(passage_id=passage_id)
    return dict(found) if found else None


def document_record(searcher, doc_id: str) -> dict | None:
    found = searcher.document(kind="document", doc_id=doc_id)
    return dict(found) if found else None


def passage_records(searcher, doc_id: str, kinds: tuple[str, ...] = ("passage",)) -> list[dict]:
    """Return a document's passages (or items of the given kinds) in reading order."""
    records = [dict(f) for f in searcher.documents(doc_id=doc_id) if f.get("kind") in kinds]
    return sorted(records, key=lambda r: r["seq"])


def iter_passage_records(searcher):
    """Yield the stored record of every passage, document by document, without sorting."""
    for fields in searcher.documents(kind="passage"):
        yield dict(fields)


def generation(path: Path) -> int:
    """The number of the last committed generation of the index (-1 if none)."""
    try:
        ix = index.open_dir(str(path))
    except (EmptyIndexError, FileNotFoundError, OSError):
        return -1
    try:
        return ix.latest_generation()
    finally:
        ix.close()


def iter_matches(
    searcher,
    text: str,
    filters: list[tuple[str, str, bool]] = (),
    *,
    sort: str = "relevance",
    exclude_ids: frozenset[str] = frozenset(),
):
    """Yield the stored record of every matching passage, in order, one at a time.

    Nothing is highlighted and no facet counted, so exports of any size stay small.
    """
    parsed = parse_query(searcher.schema, text)
    check_expansions(searcher, parsed, text)
    scoring, ranges = _split_ranges(parsed)
    matched = _allowed_matches(searcher, scoring, filters, ranges, exclude_ids)
    if not len(matched):
        return
    for docnum in _ordered(searcher, scoring, matched, None, _sort_facets(sort)):
        yield dict(searcher.stored_fields(int(docnum)))


def count_passages(searcher) -> int:
    return searcher.doc_frequency("kind", "passage")


def search(
    searcher,
    text: str,
    filters: list[tuple[str, str, bool]] = (),
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    facets: tuple[str, ...] = FACET_FIELDS,
    value_groups: dict[str, dict[str, list[tuple[str, str]]]] | None = None,
    exclude_ids: frozenset[str] = frozenset(),
) -> EngineResult:
    """Run a query with filters and return one page of hits with facet counts.

    Each filter is (field, value, negated); values of one field combine with
    OR, different fields with AND. value_groups counts named groups of values,
    such as theme families: {facet: {group: [(field, value), ...]}}.
    """
    parsed = parse_query(searcher.schema, text)
    check_expansions(searcher, parsed, text)
    scoring, ranges = _split_ranges(parsed)
    matched = _allowed_matches(searcher, scoring, filters, ranges, exclude_ids)
    # Only the page shown gets snippets; facet counts alone need no scoring.
    sortedby = _sort_facets(sort)
    page = _page(searcher, scoring, matched, offset, limit, sortedby) if limit and len(matched) else []
    marks = _matched_word(searcher, text, parsed) if page else None
    hits = [EngineHit(record, snippets.snippet(record.get("text") or "", marks)) for record in page]
    counting = _facet_table(searcher).counting(matched)
    counts = {name: _sorted_counts(counting.counts(name)) for name in facets}
    for name, members in (value_groups or {}).items():
        counts[name] = _sorted_counts(counting.group_counts(members))
    return EngineResult(total=len(matched), hits=hits, facets=counts)


def _page(searcher, scoring, matched: np.ndarray, offset: int, limit: int, sortedby) -> list[dict]:
    """The stored records of one page of the matches, best (or sorted) first."""
    chosen = _ordered(searcher, scoring, matched, offset + limit, sortedby)[offset:]
    return [dict(searcher.stored_fields(int(docnum))) for docnum in chosen]


def _ordered(searcher, scoring, matched: np.ndarray, count: int | None, sortedby):
    """The first count of the matches (all with None), best first or in the sort's order.

    Words joined by AND and OR are ranked from their scores kept as arrays;
    anything else, or a sort by date, by Whoosh's collector. matched must not be empty:
    Whoosh reads an empty filter as no filter at all.
    """
    wanted = scoring or ITEMS
    scored = _matches_for(searcher, wanted)
    if sortedby is None and scored.scores is not None:
        return ranking.best(matched, ranking.scores_at(scored, matched), count)
    options = {"limit": count, "sortedby": sortedby}
    if len(matched) == len(scored.ids):
        # Every match of the query is allowed: a filter would only cost a lookup per match.
        results = _search_within_budget(searcher, wanted, None, **options)
    elif len(matched) * 2 < len(scored.ids):
        results = _search_allowed(searcher, wanted, matched, **options)
    else:
        results = _search_within_budget(searcher, wanted, set(matched.tolist()), **options)
    return [docnum for _, docnum in results.top_n]


def _allowed_matches(searcher, parsed, filters, ranges, exclude_ids: frozenset[str]) -> np.ndarray:
    """The sorted numbers of the passages that match the query, its ranges and every filter.

    The query's matches and each filter's matches are remembered for the
    searcher's generation, so clicking through facets repeats little work.
    Ranges (year:[2018 TO 2022]) are read from the facet table, not from
    Whoosh's numeric terms, which are slow to enumerate; an excluding filter
    takes its matches away rather than listing everything else.
    """
    wanted, unwanted = [_docs_for(searcher, ITEMS)], []
    if parsed is not None:
        wanted.append(_docs_for(searcher, parsed))
    for restriction in _filter_queries(searcher.schema, filters):
        if type(restriction) is query.Not:
            unwanted.append(_docs_for(searcher, restriction.query))
        else:
            wanted.append(_docs_for(searcher, restriction))
    wanted += [_facet_table(searcher).docs_in_range(numeric) for numeric in ranges]
    if exclude_ids:
        unwanted.append(_docs_for(searcher, query.Or([query.Term("passage_id", pid) for pid in sorted(exclude_ids)])))
    size = searcher.doc_count_all()
    found = ranking.intersection(wanted, size)
    for removed in unwanted:
        found = ranking.difference(found, removed, size)
    return found


def _split_ranges(parsed):
    """Separate top-level numeric ranges, which only filter, from the words that score."""
    if isinstance(parsed, query.NumericRange) and parsed.fieldname in FACET_FIELDS:
        return None, [parsed]
    if not isinstance(parsed, query.And):
        return parsed, []
    ranges = [q for q in parsed.subqueries if isinstance(q, query.NumericRange) and q.fieldname in FACET_FIELDS]
    rest = [q for q in parsed.subqueries if q not in ranges]
    scoring = None if not rest else rest[0] if len(rest) == 1 else query.And(rest)
    return scoring, ranges


class _BudgetCollector(collectors.WrappingCollector):
    """Yields its child's matches until the thread's time budget is spent."""

    def matches(self):
        return query_bounds.within_budget(self.child.matches())


def _search_within_budget(searcher, q, filter, **options):
    """searcher.search(q, filter=filter, **options), stopped by the time budget (kb.query_bounds).

    The budget sits under the filter: a collector wrapped around Whoosh's
    filtering one would read the unfiltered matches.
    """
    collector = collectors.FilterCollector(_BudgetCollector(searcher.collector(**options)), allow=filter)
    searcher.search_with_collector(q, collector)
    return collector.results()


class _AllowedCollector(collectors.WrappingCollector):
    """Visits only the allowed documents, skipping the query's matcher to each in turn.

    The child scores and keeps them exactly as it would under a filter, but
    the matches the filter would drop are never stepped through.
    """

    def __init__(self, child, allowed: list[int]):
        super().__init__(child)
        self.allowed = allowed

    def matches(self):
        matcher = self.child.matcher
        first = bisect_left(self.allowed, self.offset)
        end = bisect_left(self.allowed, self.offset + self.subsearcher.doc_count_all())
        for docnum in query_bounds.within_budget(islice(self.allowed, first, end)):
            if not matcher.is_active():
                return
            wanted = docnum - self.offset
            if matcher.id() < wanted:
                matcher.skip_to(wanted)
            if matcher.is_active() and matcher.id() == wanted:
                yield wanted


def _search_allowed(searcher, q, allowed: np.ndarray, **options):
    """_search_within_budget(searcher, q, filter=allowed), faster when few of q's matches are allowed."""
    collector = _AllowedCollector(searcher.collector(**options), allowed.tolist())
    searcher.search_with_collector(q, collector)
    return collector.results()


def _docs_for(searcher, q) -> np.ndarray:
    """The sorted numbers of the documents q matches."""
    return _matches_for(searcher, q).ids


def _matches_for(searcher, q) -> ranking.Matches:
    """What q matches, with BM25F scores when q is words joined by AND and OR; kept per generation."""
    return shared_caches(searcher).docsets.get_or_make(repr(q), lambda: _read_matches(searcher, q))


def _read_matches(searcher, q) -> ranking.Matches:
    size = searcher.doc_count_all()
    if type(q) is query.Term and q.boost == 1.0:
        return _term_matches(searcher, q)
    if _plain_compound(q):
        # Each part is kept too, so two-word queries reuse one-word ones.
        parts = [_matches_for(searcher, part) for part in q.subqueries]
        if all(part.scores is not None for part in parts):
            return (ranking.all_of if type(q) is query.And else ranking.any_of)(parts, size)
        combine = ranking.intersection if type(q) is query.And else ranking.union
        return ranking.Matches(combine([part.ids for part in parts], size))
    if type(q) is query.Not:
        return ranking.Matches(ranking.difference(_live_docs(searcher), _docs_for(searcher, q.query), size))
    found = sorted(query_bounds.within_budget(searcher.docs_for_query(q)))
    return ranking.Matches(np.asarray(found, dtype=np.int64))


def _plain_compound(q) -> bool:
    """Whether q is an AND or an OR that scores as the plain sum of its parts."""
    if type(q) not in (query.And, query.Or) or not q.subqueries or q.boost != 1.0:
        return False
    return type(q) is query.And or (not q.minmatch and not q.scale)


def _term_matches(searcher, term) -> ranking.Matches:
    """A word's documents and their scores, as Whoosh's scorer for its field gives them."""
    field = searcher.schema[term.fieldname] if term.fieldname in searcher.schema else None
    try:
        text = field.to_bytes(term.text) if field is not None else None
    except ValueError:
        text = None
    if text is None or (term.fieldname, text) not in searcher.reader():
        return ranking.Matches(ranking.NO_DOCS, np.zeros(0))
    ids, frequencies = _postings(searcher, term.fieldname, text)
    if not field.scorable:
        return ranking.Matches(ids, frequencies)
    lengths = _lengths(searcher, term.fieldname)[ids]
    average = searcher.avg_field_length(term.fieldname) or 1
    return ranking.Matches(ids, ranking.bm25(frequencies, lengths, searcher.idf(term.fieldname, text), average))


def _postings(searcher, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A word's document numbers and frequencies in the whole index."""
    ids, frequencies = [ranking.NO_DOCS], [np.zeros(0)]
    for leaf, offset in searcher.leaf_searchers():
        local, weights = _segment_postings(leaf.reader(), fieldname, text)
        ids.append(local + offset)
        frequencies.append(weights)
    return np.concatenate(ids), np.concatenate(frequencies)


def _segment_postings(reader, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A word's postings in one segment, kept while the segment and its deletions stay as they are.

    A commit that adds a document leaves the other segments as they were, so
    the next generation reads only what it added.
    """
    segment = getattr(reader, "segment", None)
    if segment is None:
        return _read_segment_postings(reader, fieldname, text)
    key = (segment().segment_id(), segment().deleted_count(), fieldname, text)
    return _SEGMENT_POSTINGS.get_or_make(key, lambda: _read_segment_postings(reader, fieldname, text))


def _read_segment_postings(reader, fieldname: str, text: bytes) -> "_Postings":
    """Read a block of postings at a time rather than one by one."""
    if (fieldname, text) not in reader:
        return _NO_POSTINGS
    matcher = reader.postings(fieldname, text)
    if not isinstance(matcher, W3LeafMatcher):  # a segment with deletions
        pairs = list(query_bounds.within_budget(_each_posting(matcher)))
        return _Postings((np.asarray([docnum for docnum, _ in pairs], dtype=np.int64),
                          np.asarray([weight for _, weight in pairs], dtype=np.float64)))
    ids, frequencies = [ranking.NO_DOCS], [np.zeros(0)]
    while matcher.is_active():
        query_bounds.check_time()
        matcher.id(), matcher.weight()  # read the block's document numbers and frequencies
        ids.append(np.asarray(matcher._ids[matcher._i:], dtype=np.int64))
        frequencies.append(np.asarray(matcher._weights[matcher._i:], dtype=np.float64))
        matcher._next_block()
    return _Postings((np.concatenate(ids), np.concatenate(frequencies)))


class _Postings(tuple):
    """(document numbers, frequencies), with their size for the cache's budget."""

    @property
    def nbytes(self) -> int:
        return self[0].nbytes + self[1].nbytes


_NO_POSTINGS = _Postings((ranking.NO_DOCS, np.zeros(0)))
_SEGMENT_POSTINGS = generations.BoundedCache(4096, budget=64 << 20)


def _each_posting(matcher):
    while matcher.is_active():
        yield matcher.id(), matcher.weight()
        matcher.next()


def _lengths(searcher, fieldname: str) -> np.ndarray:
    """The length of a field in every document of the index, by document number."""
    def read():
        return np.concatenate([np.zeros(0, dtype=np.int64)] + [
            _segment_lengths(leaf, fieldname) for leaf, _ in searcher.leaf_searchers()])
    return shared_caches(searcher).docsets.get_or_make(("lengths", fieldname), read)


def _live_docs(searcher) -> np.ndarray:
    """The numbers of every document not deleted."""
    def read():
        return np.fromiter(searcher.reader().all_doc_ids(), dtype=np.int64)
    return shared_caches(searcher).docsets.get_or_make(("live",), read)


class FacetTable:
    """For each facet field, the (document number, value code) pairs of the index, by document.

    Counting a facet for a set of matches is then one vectorised pass
    (numpy's bincount over the pairs of matching documents) instead of
    Whoosh's per-document grouping in Python. Built once per generation.
    """

    def __init__(self, reader):
        self.reader = reader
        self.size = reader.doc_count_all()
        self.coded: dict[str, tuple] = {}
        self.starts: dict[str, np.ndarray] = {}  # where each document's pairs begin
        self.group_masks: dict[tuple, np.ndarray] = {}
        self.ranges: dict[tuple, np.ndarray] = {}

    def built(self) -> "FacetTable":
        """Read every facet field now and let go of the reader, so any thread may count."""
        for name in FACET_FIELDS:
            self._coded(name)
        self.reader = None
        return self

    def _coded(self, name: str) -> tuple:
        if name not in self.coded:
            parts = [(offset, _segment_coded(leaf, name)) for leaf, offset in self.reader.leaf_readers()]
            labels = sorted({label for _, (_, _, found) in parts for label in found}, key=str)
            code = {value: i for i, value in enumerate(labels)}
            docs = [np.zeros(0, dtype=np.int64)] + [local + offset for offset, (local, _, _) in parts]
            # Each segment's own codes, translated to the codes of the whole index.
            codes = [np.zeros(0, dtype=np.int64)] + [
                np.asarray([code[label] for label in found], dtype=np.int64)[own] for _, (_, own, found) in parts
            ]
            # Segments come in document order and each is sorted, and codes keep the order of labels:
            # the whole stays sorted by document, then value.
            docs, codes = np.concatenate(docs), np.concatenate(codes)
            self.coded[name] = (docs, codes, labels)
            self.starts[name] = np.concatenate([[0], np.cumsum(np.bincount(docs, minlength=self.size))])
        return self.coded[name]

    def counting(self, matched: np.ndarray) -> "FacetCounting":
        return FacetCounting(self, matched)

    def docs_in_range(self, numeric) -> np.ndarray:
        """The documents whose value of a numeric facet field lies in a range."""
        key = (numeric.fieldname, numeric.start, numeric.end, numeric.startexcl, numeric.endexcl)
        if key not in self.ranges:
            docs, codes, labels = self._coded(numeric.fieldname)
            values = np.asarray(labels, dtype=float)[codes] if labels else np.zeros(0)
            keep = np.ones(len(values), dtype=bool)
            if numeric.start is not None:
                keep &= values > numeric.start if numeric.startexcl else values >= numeric.start
            if numeric.end is not None:
                keep &= values < numeric.end if numeric.endexcl else values <= numeric.end
            self.ranges[key] = np.unique(docs[keep])
        return self.ranges[key]

    def group_mask(self, pairs: tuple) -> np.ndarray:
        if pairs not in self.group_masks:
            group = np.zeros(self.size, dtype=bool)
            members = set(pairs)
            for field in {f for f, _ in pairs}:
                docs, codes, labels = self._coded(field)
                wanted = [i for i, label in enumerate(labels) if (field, label) in members]
                group[docs[np.isin(codes, wanted)]] = True
            self.group_masks[pairs] = group
        return self.group_masks[pairs]


class FacetCounting:
    """The facet counts of one set of matches.

    A few matches are counted by their own pairs; many, by marking them and
    passing over all the pairs of the field, which is then the cheaper way.
    """

    def __init__(self, table: FacetTable, matched: np.ndarray):
        self.table, self.matched = table, matched

    @cached_property
    def mask(self) -> np.ndarray:
        return ranking.mask_of(self.matched, self.table.size)

    def counts(self, name: str) -> dict:
        docs, codes, labels = self.table._coded(name)
        if len(self.matched) * 4 < len(docs):
            starts = self.table.starts[name]
            picked = codes[ranking.spans(starts[self.matched], starts[self.matched + 1])]
        else:
            picked = codes[self.mask[docs]]
        tally = np.bincount(picked, minlength=len(labels))
        return {labels[i]: int(tally[i]) for i in np.flatnonzero(tally)}

    def group_counts(self, members: dict[str, list[tuple[str, str]]]) -> dict:
        """Count the matches having any of each group's values (e.g. a theme family)."""
        return {group: int(np.count_nonzero(self.table.group_mask(tuple(pairs))[self.matched]))
                for group, pairs in members.items()}


# Segments never change once written: each is read once per process, in whatever generations hold it.
_SEGMENT_CODES = generations.BoundedCache(4096)


def _segment_coded(leaf, name: str) -> tuple:
    """(document numbers within the segment, value codes, labels) of one facet field in one segment."""
    segment = getattr(leaf, "segment", None)
    if segment is None:
        return _read_segment_coded(leaf, name)
    return _SEGMENT_CODES.get_or_make((segment().segment_id(), name), lambda: _read_segment_coded(leaf, name))


def _read_segment_coded(leaf, name: str) -> tuple:
    pairs = _pairs_from_postings(leaf, name) if name in TAG_FIELDS else _pairs_from_columns(leaf, name)
    labels = sorted({value for _, value in pairs}, key=str)
    code = {value: i for i, value in enumerate(labels)}
    docs = np.fromiter((d for d, _ in pairs), dtype=np.int64, count=len(pairs))
    codes = np.fromiter((code[v] for _, v in pairs), dtype=np.int64, count=len(pairs))
    order = np.lexsort((codes, docs))  # by document, as the facet table keeps them
    return docs[order], codes[order], labels


def _pairs_from_columns(reader, name: str) -> list[tuple[int, object]]:
    """(document number, value) of a sortable field, across segments.

    A segment where no document had the field has no column at all.
    """
    pairs = []
    for leaf, offset in reader.leaf_readers():
        if leaf.has_column(name):
            column = leaf.column_reader(name)
            pairs += [(offset + i, v) for i, v in enumerate(column) if v not in ("", None)]
    return pairs


def _pairs_from_postings(reader, name: str) -> list[tuple[int, str]]:
    return [(docnum, term) for term in reader.field_terms(name) for docnum in reader.postings(name, term).all_ids()]


def _facet_table(searcher) -> FacetTable:
    return shared_caches(searcher).facets(lambda: FacetTable(searcher.reader()).built())


def _sort_facets(sort: str):
    if sort not in SORTS:
        raise BadQuery(f"unknown sort {sort!r} (use relevance, newest or oldest)", sort)
    keys = SORTS[sort]
    if keys is None:
        return None
    return sorting.MultiFacet([sorting.FieldFacet(name, reverse=rev) for name, rev in keys])


def _sorted_counts(groups: dict) -> dict:
    counts = {value: n for value, n in groups.items() if value not in ("", None)}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))))


def _filter_queries(schema, filters) -> list:
    by_field: dict[tuple[str, bool], list] = {}
    for name, value, negated in filters:
        field = QUERY_FIELDS.get(name)
        if field is None:
            raise BadQuery(f"unknown filter field {name!r} (fields: {', '.join(sorted(QUERY_FIELDS))})", f"{name}={value}")
        by_field.setdefault((field, negated), []).append(_value_query(schema, field, value))
    queries = []
    for (field, negated), alternatives in by_field.items():
        either = query.Or(alternatives) if len(alternatives) > 1 else alternatives[0]
        queries.append(query.Not(either) if negated else either)
    return queries


def _value_query(schema, field: str, value: str):
    if field in NUMERIC_FIELDS:
        try:
            number = int(value)
        except ValueError:
            raise BadQuery(f"{field} takes a number, not {value!r}", f"{field}={value}") from None
        if not -(2**31) <= number < 2**31:  # Whoosh stores 32-bit numbers
            raise BadQuery(f"{field} takes a number between -2147483648 and 2147483647", f"{field}={value}")
        return query.Term(field, schema[field].to_bytes(number))
    if field in ("text", "exact", "title", "heading"):
        return qparser.QueryParser(field, schema).parse(f'"{value}"')
    return _place_either_way(query.Term(field, value.lower() if field != "doc_id" else value))


FIELD_PREFIX = re.compile(r'(?<![\w"])([A-Za-z_]+):')
QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'')


def parse_query(schema, text: str):
    """Parse the query language, or raise BadQuery naming what is wrong.

    An empty query gives None: no condition on the text. Every index atkb
    opens has the fields of SCHEMA (others are refused), so parses are kept
    by their text.
    """
    if schema is SCHEMA or schema.names() == SCHEMA.names():
        return _kept_parse(text)
    return _parse(schema, text)


@lru_cache(maxsize=4096)
def _kept_parse(text: str):
    return _parse(SCHEMA, text)


def _parse(schema, text: str):
    text = text.strip()
    if not text:
        return None
    _check_syntax(text)
    prepared = _phrases_as_pairs(_outside_quotes(text, _canonical_field_names))
    parsed = _parsed(schema, "text", prepared, text)
    if parsed is query.NullQuery:
        # Only small words ("in a"): the exact-wording field keeps them.
        parsed = _parsed(schema, "exact", prepared, text)
    if parsed is query.NullQuery:
        raise BadQuery('nothing to search for: the words are too short or too common (try exact:"...")',
                       query_bounds.shown(text))
    _check_boosts(parsed, text)
    return parsed


# What Whoosh's parser raises on some odd operator sequences ("NOT" with nothing after it, for one).
PARSER_FAILURES = (IndexError, KeyError, TypeError, ValueError, AttributeError, RecursionError)


def _parsed(schema, default_field: str, prepared: str, text: str):
    try:
        return qparser.QueryParser(default_field, schema).parse(prepared).accept(_place_either_way)
    except PARSER_FAILURES:
        raise BadQuery("the query cannot be read: check its operators, quotes and parentheses",
                       query_bounds.shown(text)) from None


def _check_boosts(parsed, text: str) -> None:
    """Refuse a boost (word^N) that is not above zero: scores would divide by it."""
    nodes = [parsed]
    while nodes:
        node = nodes.pop()
        if not getattr(node, "boost", 1.0) > 0:
            raise BadQuery("a boost (word^N) must be above 0", query_bounds.shown(text))
        nodes.extend(node.children())


def check_expansions(searcher, parsed, text: str) -> None:
    """Refuse a wildcard or word range that stands for too many indexed words."""
    if parsed is None:
        return
    most = query_bounds.expansion_limit()
    reader = searcher.reader()
    for leaf in parsed.leaves():
        if isinstance(leaf, query.MultiTerm):
            count = sum(1 for _ in islice(leaf._btexts(reader), most + 1))
            query_bounds.check_expansion(str(leaf), count, text)


def _place_either_way(node):
    """place:X finds passages from documents issued at X or naming X."""
    if isinstance(node, query.Term) and node.fieldname == "place":
        return query.Or([node, query.Term("places", node.text)])
    return node


BARE_PHRASE = re.compile(r'(?<![\w:])"([^"]*)"')
PAIR_WORDS = re.compile(r"\w+")


def _phrases_as_pairs(text: str) -> str:
    """Turn each unfielded "phrase of words" into the AND of its word pairs."""

    def pairs(match: re.Match) -> str:
        words = PAIR_WORDS.findall(match.group(1).lower())
        if len(words) < 2:
            return match.group(0)
        return "(" + " AND ".join(f'pairs:"{a} {b}"' for a, b in zip(words, words[1:])) + ")"

    return BARE_PHRASE.sub(pairs, text)


def _matched_word(searcher, text: str, parsed):
    """A test of whether a word of a passage is one the query matched in its text (stem against stem)."""
    if parsed is None:
        return lambda word: False
    marked = highlight_query(searcher.schema, text, parsed)
    # Words as typed, and what prefixes and wildcards stand for in this index.
    wanted = marked.all_terms() | marked.existing_terms(searcher.reader(), expand=True)
    stems = {term.decode() if isinstance(term, bytes) else term for field, term in wanted if field == "text"}
    return lambda word: _stem(word) in stems


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A word as the text field indexes it ("" for a stop word)."""
    return next((token.text for token in SCHEMA["text"].analyzer(word, mode="query")), "")


def highlight_query(schema, text: str, parsed):
    """The query whose words are marked in snippets: phrases searched as word
    pairs are marked word by word in the text."""
    words = [w for m in BARE_PHRASE.finditer(text) for w in PAIR_WORDS.findall(m.group(1))]
    stems = [t.text for w in words for t in schema["text"].analyzer(w.lower(), mode="query")]
    if not stems:
        return parsed
    return query.Or([parsed, *(query.Term("text", stem) for stem in stems)])


def _outside_quotes(text: str, change) -> str:
    """Apply change to the parts of a query that are not quoted."""
    pieces, last = [], 0
    for match in QUOTED.finditer(text):
        pieces += [change(text[last : match.start()]), match.group(0)]
        last = match.end()
    return "".join(pieces + [change(text[last:])])


def _canonical_field_names(text: str) -> str:
    return FIELD_PREFIX.sub(lambda m: f"{QUERY_FIELDS[m.group(1).lower()]}:", text)


def _check_syntax(text: str) -> None:
    query_bounds.check_query_text(text)
    unquoted, text = QUOTED.sub(" ", text), query_bounds.shown(text)
    if unquoted.count('"') % 2:
        raise BadQuery('a quotation mark is not closed', text)
    depth = 0
    for char in unquoted:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise BadQuery("a closing parenthesis has no opening one", text)
    if depth:
        raise BadQuery("a parenthesis is not closed", text)
    if unquoted.count("[") != unquoted.count("]"):
        raise BadQuery("a range like year:[2018 TO 2022] is not closed", text)
    for match in FIELD_PREFIX.finditer(unquoted):
        name = match.group(1).lower()
        if name not in QUERY_FIELDS:
            raise BadQuery(f"unknown field {match.group(1)!r} (fields: {', '.join(sorted(set(QUERY_FIELDS.values())))})", text)
    for match in re.finditer(r"\b(year|round):([^\s\[\]()]+)", unquoted):
        if not match.group(2).isdigit():
            raise BadQuery(f"{match.group(1)} takes a number, not {match.group(2)!r}", text)

