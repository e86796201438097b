"""Snippets: the stretches of a passage around the words a query matched, those words marked **so**.

One regular expression finds the words of the passage and a lookup says
which the query matched; no analyzer runs over the whole text. Only the
page of hits shown gets snippets.
"""
from __future__ import annotations

import re
from typing import Callable

WORD = re.compile(r"\w+(?:\.?\w+)*")
MAX_CHARS = 300  # of one stretch
SURROUND = 60  # characters kept before the first and after the last matched word of a stretch
STRETCHES = 2
BETWEEN = " … "


def snippet(text: str, matched: Callable[[str], bool]) -> str:
    """The best stretches of text around matched words, in reading order; "" when no word matched."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text) if matched(m.group().lower())]
    if not words:
        return ""
    stretches = _stretches(words)
    best = sorted(stretches, key=lambda stretch: -len(stretch))[:STRETCHES]
    return BETWEEN.join(_marked(text, stretch) for stretch in sorted(best))


def _stretches(words: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Group matched words into stretches of at most MAX_CHARS from the first word's start."""
    groups = [[words[0]]]
    for word in words[1:]:
        if word[1] - groups[-1][0][0] <= MAX_CHARS - 2 * SURROUND:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def _marked(text: str, stretch: list[tuple[int, int]]) -> str:
    start = max(0, stretch[0][0] - SURROUND)
    end = min(len(text), stretch[-1][1] + SURROUND)
    # Whole words only at either end of a stretch.
    while 0 < start < stretch[0][0] and not text[start - 1].isspace():
        start += 1
    while stretch[-1][1] < end < len(text) and not text[end].isspace():
        end -= 1
    pieces, last = [], start
    for word_start, word_end in stretch:
        pieces += [text[last:word_start], "**", text[word_start:word_end], "**"]
        last = word_end
    pieces.append(text[last:end])
    return "".join(pieces)
