"""Matches as arrays: sets of document numbers, BM25F scores and the best k of them.

The engine reads each word's postings once per index generation into an
array of document numbers and an array of term frequencies. Combining the
words of a query, scoring every match and picking a page are then a few
vectorised passes instead of a Python call per match. The arithmetic is
Whoosh's BM25F step for step, in the same floating-point order, so the scores,
and with them the order of hits, are the ones Whoosh itself would give.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Whoosh's BM25F defaults, which the index has always been searched with.
K1 = 1.2
B = 0.75

NO_DOCS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Matches:
    """Sorted, distinct document numbers and, when the query scores, each one's score."""

    ids: np.ndarray
    scores: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + (self.scores.nbytes if self.scores is not None else 0)


def bm25(frequencies: np.ndarray, lengths: np.ndarray, idf: float, average_length: float) -> np.ndarray:
    """Whoosh's bm25(idf, tf, fl, avgfl, B, K1) for every posting at once."""
    return idf * ((frequencies * (K1 + 1)) / (frequencies + K1 * ((1 - B) + B * lengths / average_length)))


def mask_of(ids: np.ndarray, size: int) -> np.ndarray:
    """A boolean array of the given size, true at the given document numbers."""
    mask = np.zeros(size, dtype=bool)
    mask[ids] = True
    return mask


def intersection(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The document numbers in every part (each sorted and distinct), sorted."""
    parts = sorted(parts, key=len)
    found = parts[0]
    for other in parts[1:]:
        if not len(found):
            break
        found = found[mask_of(other, size)[found]]
    return found


def union(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The document numbers in any part, sorted."""
    mask = np.zeros(size, dtype=bool)
    for part in parts:
        mask[part] = True
    return np.flatnonzero(mask)


def difference(kept: np.ndarray, removed: np.ndarray, size: int) -> np.ndarray:
    """The document numbers of kept that are not in removed."""
    if not len(kept) or not len(removed):
        return kept
    return kept[~mask_of(removed, size)[kept]]


def spans(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Every position from each start up to its end, one span after another."""
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return NO_DOCS
    # Position i of the result lies in span k: i minus where span k begins in the result, plus its start.
    return np.arange(total) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)


def scores_at(matches: Matches, ids: np.ndarray) -> np.ndarray:
    """The scores of matches at ids, every one of which is among its document numbers."""
    return matches.scores[np.searchsorted(matches.ids, ids)]


def all_of(parts: list[Matches], size: int) -> Matches:
    """AND: the documents every part matches, scored by the sum of the parts' scores."""
    ids = intersection([part.ids for part in parts], size)
    total = scores_at(parts[0], ids)
    for part in parts[1:]:
        total = total + scores_at(part, ids)
    return Matches(ids, total)


def any_of(parts: list[Matches], size: int) -> Matches:
    """OR: the documents any part matches, scored by the sum of the parts that match."""
    ids = union([part.ids for part in parts], size)
    total = np.zeros(len(ids))
    for part in parts:
        total[np.searchsorted(ids, part.ids)] += part.scores
    return Matches(ids, total)


def best(ids: np.ndarray, scores: np.ndarray, count: int | None) -> np.ndarray:
    """The count best document numbers: highest score first, the lower number first on a tie.

    That is the order of Whoosh's top-N collector. With count None, all of them.
    """
    if count is not None and count < len(ids):
        if count <= 0:
            return NO_DOCS
        # Only what could be in the first count needs sorting: scores at or above the count-th best.
        threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
        keep = scores >= threshold
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))
    return ids[order[:count]] if count is not None else ids[order]
