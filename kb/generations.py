"""What the threads of one process share for one committed generation of an index.

Each thread keeps its own Whoosh searcher (a searcher reads files through
handles that are not safe to share), but what is worked out from a
generation - facet arrays, the matches of each query and filter, finished
results - is the same for every thread, so it is built once and shared.
A commit makes a new generation, and with it empty caches: nothing stale
is ever served.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

DOCSETS = 512  # matches of queries and filters kept per generation
DOCSETS_BYTES = 96 << 20  # and at most this much of them: a common word's matches fill about 1 MB per 100k passages
RESULTS = 512  # finished search results kept per generation
KEPT_GENERATIONS = 2  # per process: the one being served, and the one before while threads move on


class BoundedCache:
    """A thread-safe map that forgets the least recently used entries beyond a size.

    With a byte budget it also forgets them once the values' sizes (their
    `nbytes`, as numpy arrays give it) add up to more than the budget.
    """

    def __init__(self, size: int, budget: int | None = None):
        self.size = size
        self.budget = budget
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        self.bytes = 0

    def get(self, key: Hashable):
        """The value kept under key, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self.bytes -= _size(self._entries.pop(key, None))
            self._entries[key] = value
            self.bytes += _size(value)
            while len(self._entries) > self.size or (self.budget is not None and self.bytes > self.budget
                                                     and len(self._entries) > 1):
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= _size(dropped)

    def get_or_make(self, key: Hashable, make: Callable[[], object]):
        """The value kept under key, made (outside the lock) and kept if missing."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value


def _size(value) -> int:
    return getattr(value, "nbytes", 0)


class Generation:
    """Caches for one generation of one index, shared by every thread of the process."""

    def __init__(self, key: Hashable):
        self.key = key
        self.docsets = BoundedCache(DOCSETS, DOCSETS_BYTES)
        self.results = BoundedCache(RESULTS)
        self._facets = None
        self._facets_lock = threading.Lock()

    def facets(self, build: Callable[[], object]):
        """The facet table, built by the first thread that asks while the others wait."""
        if self._facets is None:
            with self._facets_lock:
                if self._facets is None:
                    self._facets = build()
        return self._facets


_known: OrderedDict[Hashable, Generation] = OrderedDict()
_known_lock = threading.Lock()


def shared(key: Hashable) -> Generation:
    """The one Generation of this process for a key (index folder, generation, stamp)."""
    with _known_lock:
        found = _known.get(key)
        if found is None:
            found = _known[key] = Generation(key)
            while len(_known) > KEPT_GENERATIONS:
                _known.popitem(last=False)
        return found
