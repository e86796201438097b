"""Bounds on what one query may ask: its length, its nesting, its wildcards and its time.

Each bound refuses with a BadQuery naming the query and the bound, so a
hostile or mistaken query costs little and says why it was refused.
"""
from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from typing import Iterable, Iterator

from kb import settings
from kb.errors import BadQuery, QueryTooSlow

# A wildcard needs this many letters before its first * or ?: "a*" would stand for a large part of the vocabulary.
MIN_WILDCARD_PREFIX = 2
SHOWN_CHARS = 80
QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'')
TERM = re.compile(r"\S+")
FIELD = re.compile(r"^[\w*]+:")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def shown(text: str) -> str:
    """A query as an error message names it: on one line, and cut short if it is long."""
    line = CONTROL.sub(" ", text)
    return line if len(line) <= SHOWN_CHARS else line[: SHOWN_CHARS - 1] + "…"


def check_size(text: str) -> None:
    """Refuse a query longer than the character and term bounds."""
    max_chars = settings.query_limit("KB_QUERY_MAX_CHARS")
    if len(text) > max_chars:
        raise BadQuery(f"the query is {len(text):,} characters long; the limit is {max_chars:,}", shown(text))
    max_terms = settings.query_limit("KB_QUERY_MAX_TERMS")
    terms = len(TERM.findall(text.replace("(", " ").replace(")", " ")))
    if terms > max_terms:
        raise BadQuery(f"the query has {terms:,} words and operators; the limit is {max_terms:,}", shown(text))


def check_depth(unquoted: str, text: str) -> None:
    """Refuse parentheses nested deeper than the bound."""
    max_depth = settings.query_limit("KB_QUERY_MAX_DEPTH")
    depth = deepest = 0
    for char in unquoted:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    if deepest > max_depth:
        raise BadQuery(f"parentheses are nested {deepest} deep; the limit is {max_depth}", shown(text))


def check_wildcards(unquoted: str, text: str) -> None:
    """Refuse a wildcard with too few letters before it (`a*`, `*`, `*:*`)."""
    for term in TERM.findall(unquoted.replace("(", " ").replace(")", " ")):
        if "*" not in term and "?" not in term:
            continue
        word = FIELD.sub("", term.lstrip("+-"))
        prefix = re.split(r"[*?]", word, maxsplit=1)[0]
        if len(re.findall(r"\w", prefix)) < MIN_WILDCARD_PREFIX:
            raise BadQuery(
                f"the wildcard {shown(term)!r} needs at least {MIN_WILDCARD_PREFIX} letters before * or ?", shown(text)
            )


def check_query_text(text: str) -> None:
    """Apply every bound that can be checked on the text alone."""
    check_size(text)
    unquoted = QUOTED.sub(" ", text)
    check_depth(unquoted, text)
    check_wildcards(unquoted, text)


def expansion_limit() -> int:
    return settings.query_limit("KB_WILDCARD_MAX_TERMS")


def check_expansion(pattern: str, count: int, text: str) -> None:
    """Refuse a wildcard or range that stands for more indexed words than the bound."""
    max_terms = expansion_limit()
    if count > max_terms:
        raise BadQuery(
            f"{pattern} stands for more than {max_terms:,} indexed words: type more letters before the *", shown(text)
        )


_budget = threading.local()


@contextmanager
def time_budget(text: str, seconds: float | None = None) -> Iterator[None]:
    """Let the searches of this thread run for a few seconds (KB_QUERY_TIMEOUT), then stop them.

    A deadline checked inside the matching loops, not a signal: signals
    reach only the main thread, and a served app searches in worker threads.
    """
    seconds = settings.query_timeout() if seconds is None else seconds
    outer = getattr(_budget, "current", None)
    _budget.current = (time.monotonic() + seconds, seconds, text)
    try:
        yield
    finally:
        _budget.current = outer


def check_time() -> None:
    """Stop the search if this thread's time budget is spent."""
    current = getattr(_budget, "current", None)
    if current is not None and time.monotonic() > current[0]:
        deadline, seconds, text = current
        raise QueryTooSlow(f"the search took longer than {seconds:g} s and was stopped: narrow the query", shown(text))


def within_budget(items: Iterable, every: int = 1024) -> Iterator:
    """Yield the items, checking the time budget every so many."""
    for count, item in enumerate(items):
        if count % every == 0:
            check_time()
        yield item
    check_time()


def limits() -> dict:
    """The bounds in force, for the help page."""
    return {
        "chars": f"{settings.query_limit('KB_QUERY_MAX_CHARS'):,}",
        "terms": f"{settings.query_limit('KB_QUERY_MAX_TERMS'):,}",
        "depth": settings.query_limit("KB_QUERY_MAX_DEPTH"), "prefix": MIN_WILDCARD_PREFIX,
        "expansion": f"{expansion_limit():,}", "seconds": f"{settings.query_timeout():g}",
    }
