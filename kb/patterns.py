"""The theme pattern language (see the header of corpus/themes.toml), compiled for matching.

A pattern is a sequence of word tests and gaps. Patterns of one word are looked
up in dictionaries, token by token, which costs a few hash lookups however many
patterns there are; longer patterns go to spaCy's Matcher, whose predicates
are cheap set lookups on lemma norms and lower-case forms, plus one regex per
prefix test at the first position only.
"""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from spacy.tokens import Doc

GAP = re.compile(r"~(\d)")


@dataclass(frozen=True)
class WordTest:
    """What one word position accepts: lemma norms, exact forms, or prefixes."""

    norms: frozenset[str] = frozenset()
    lowers: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def accepts(self, norm: str, lower: str) -> bool:
        return norm in self.norms or lower in self.lowers or (bool(self.prefixes) and norm.startswith(self.prefixes))

    def specs(self) -> list[dict]:
        """The spaCy token patterns that together accept what this test accepts."""
        specs = []
        if self.norms:
            specs.append({"NORM": {"IN": sorted(self.norms)}})
        if self.lowers:
            specs.append({"LOWER": {"IN": sorted(self.lowers)}})
        if self.prefixes:
            specs.append({"NORM": {"REGEX": "^(?:" + "|".join(map(re.escape, self.prefixes)) + ")"}})
        return specs


def word_test(word: str, norm: Callable[[str], str]) -> WordTest:
    """Read one position: "word", "word*", "=word" or alternatives joined by "|"."""
    norms, lowers, prefixes = set(), set(), []
    for option in word.split("|"):
        if option.startswith("="):
            lowers.add(option[1:].lower())
        elif option.endswith("*"):
            prefixes.append(option[:-1].lower())
        else:
            norms.add(norm(option))
    return WordTest(frozenset(norms), frozenset(lowers), tuple(prefixes))


def parse_pattern(pattern: str, norm: Callable[[str], str]) -> list[list]:
    """Return the variants of a pattern, each a list of WordTests and gap sizes.

    A hyphenated word gives three variants: "non-punishment", "non punishment"
    and "nonpunishment". Raises ValueError when a pattern starts or ends with a gap.
    """
    positions: list[list[list]] = []
    for word in pattern.split():
        gap = GAP.fullmatch(word)
        if gap:
            positions.append([[int(gap.group(1))]])
        elif "-" in word.strip("-") and not word.startswith("="):
            parts = word.split("-")
            tests = [word_test(p, norm) for p in parts]
            hyphen = WordTest(lowers=frozenset({"-"}))
            spaced = [x for t in tests for x in (t, hyphen)][:-1]
            positions.append([spaced, tests, [word_test("".join(parts), norm)]])
        else:
            positions.append([[word_test(word, norm)]])
    if not positions or isinstance(positions[0][0][0], int) or isinstance(positions[-1][0][0], int):
        raise ValueError(f"pattern {pattern!r} must start and end with a word")
    return [sum(choice, []) for choice in itertools.product(*positions)]


def matcher_patterns(variant: list) -> list[list[dict]]:
    """spaCy Matcher patterns for one variant of two or more positions."""
    choices = [[{"OP": f"{{,{item}}}"}] if isinstance(item, int) else item.specs() for item in variant]
    return [list(combination) for combination in itertools.product(*choices)]


class WordIndex:
    """One-word patterns, found by dictionary lookups for each token."""

    def __init__(self):
        self.by_norm: dict[str, list[str]] = defaultdict(list)
        self.by_lower: dict[str, list[str]] = defaultdict(list)
        self.by_prefix: dict[str, list[str]] = defaultdict(list)
        self.prefix_lengths: set[int] = set()

    def add(self, test: WordTest, key: str) -> None:
        for value in test.norms:
            self.by_norm[value].append(key)
        for value in test.lowers:
            self.by_lower[value].append(key)
        for value in test.prefixes:
            self.by_prefix[value].append(key)
            self.prefix_lengths.add(len(value))

    def matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        found = []
        lengths = sorted(self.prefix_lengths)
        for token in doc:
            norm, lower = token.norm_, token.lower_
            keys = self.by_norm.get(norm, []) + self.by_lower.get(lower, [])
            for length in lengths:
                if length <= len(norm):
                    keys += self.by_prefix.get(norm[:length], [])
            found += [(key, token.i, token.i + 1) for key in dict.fromkeys(keys)]
        return found
