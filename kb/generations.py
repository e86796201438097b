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
RESULTS = 512  # finished search results kept per generation
KEPT_GENERATIONS = 2  # per process: the one being served, and the one before while threads move on


class BoundedCache:
    """A thread-safe map that forgets the least recently used entries beyond a size."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

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
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], object]):
        """The value kept under key, made (outside the lock) and kept if missing."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value


class Generation:
    """Caches for one generation of one index, shared by every thread of the process."""

    def __init__(self, key: Hashable):
        self.key = key
        self.docsets = BoundedCache(DOCSETS)
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
