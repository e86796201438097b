"""Fixed, seeded query sets of each kind, the same for atkb and for the FTS5 baseline."""
from __future__ import annotations

import random
import re

from bench.corpus import DOC_TYPES, YEARS, corpus_sentences

COUNT = 200
STOP = {"the", "and", "of", "to", "in", "a", "for", "on", "with", "as", "by", "that", "this", "its", "their", "be", "is", "are", "an", "or"}


def words_of(sentence: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", sentence.lower())


def phrase_from(chance: random.Random, sentences: list[str]) -> list[str]:
    """Two to four consecutive words of a sentence, at least one of them not a small word."""
    while True:
        words = words_of(chance.choice(sentences))
        start = chance.randrange(0, max(1, len(words) - 3))
        phrase = words[start : start + chance.randint(2, 4)]
        if len(phrase) >= 2 and any(w not in STOP for w in phrase):
            return phrase


def query_sets(seed: int = 7) -> dict[str, list[dict]]:
    chance = random.Random(seed)
    sentences = corpus_sentences()
    vocabulary = sorted({w for s in sentences for w in words_of(s) if w not in STOP and len(w) > 3})
    sets: dict[str, list[dict]] = {"keyword": [], "phrase": [], "field": [], "faceted": []}
    for _ in range(COUNT):
        sets["keyword"].append({"words": [chance.choice(vocabulary)]})
        # Phrases keep their common words ("trafficking in human beings"): Whoosh's slow path.
        sets["phrase"].append({"phrase": phrase_from(chance, sentences)})
        first, last = sorted(chance.sample(YEARS, 2))
        sets["field"].append({"words": [chance.choice(vocabulary)], "doc_type": chance.choice(DOC_TYPES), "years": (first, last)})
        sets["faceted"].append({"words": [chance.choice(vocabulary)]})
    return sets
