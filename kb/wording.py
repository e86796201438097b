"""Wording as the drafting aids compare it: words, their compared forms, shingles."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Shingles are runs of four words. Three words in a row are shared by chance
# all the time in this field ("in human beings", "of the Network"); four much
# less often. And a clause with a word changed here and there still keeps most
# of its four-word runs, so light edits are still found.
SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\S+")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Word:
    """A word as printed, where it sits in its text, and the form that is compared."""

    surface: str
    norm: str
    start: int
    end: int


def normal_form(token: str) -> str:
    """Lower-case a token and drop its punctuation: "Network’s" → "networks", "2020-2024" → "20202024"."""
    return _NOT_WORD.sub("", token.casefold())


def words(text: str) -> list[Word]:
    """Split text into words; punctuation standing alone ("–", "·") sticks to the word before it."""
    found: list[Word] = []
    for match in _TOKEN.finditer(text):
        norm = normal_form(match.group())
        if norm:
            found.append(Word(match.group(), norm, match.start(), match.end()))
        elif found:
            last = found[-1]
            found[-1] = Word(text[last.start : match.end()], last.norm, last.start, match.end())
    return found


def norms(text: str) -> list[str]:
    return [word.norm for word in words(text)]


def shingle_hash(gram: list[str] | tuple[str, ...]) -> int:
    """Hash a run of compared words to a signed 64-bit integer, the same in every process.

    Python's own hash() is salted per process, so a stored table would not match
    a query; 64 bits fit an SQLite INTEGER, and a rare collision only costs one
    wasted alignment, never a wrong score.
    """
    digest = hashlib.blake2b(" ".join(gram).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def shingles(compared: list[str], size: int = SHINGLE_SIZE) -> list[int]:
    """The hash of every run of `size` words, in order (empty for shorter texts)."""
    return [shingle_hash(compared[i : i + size]) for i in range(len(compared) - size + 1)]
