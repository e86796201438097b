"""Theme and entity tagging: a blank English spaCy pipeline with atkb's own components.

The pipeline is the tokenizer, a sentencizer, the lookup lemmatizer of
spacy-lookups-data, and three components registered here: lemma norms, the
entity ruler (aliases to canonical names) and the theme matcher.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kb import settings
from kb.errors import KBError
from kb.model import Evidence, Passage
from kb.patterns import WordIndex, matcher_patterns, parse_pattern
from kb.taxonomy import TaxonomyError, load_entities, load_taxonomy

ENTITY_LABELS = {"org": "ORG", "place": "PLACE", "instrument": "INSTRUMENT"}
BATCH_SIZE = 256
if not Doc.has_extension("atkb_evidence"):
    Doc.set_extension("atkb_evidence", default=())

# Titles of documents cited by name: "the Joint Declaration on ...", "the Plan to ...".
TITLE_HEADS = {
    "declaration", "declarations", "strategy", "strategies", "convention", "directive",
    "protocol", "plan", "communication", "conference", "paper", "statement", "resolution",
    "programme", "program", "note", "charter", "agenda",
}
TITLE_LINKS = {"on", "of", "for", "towards", "toward", "against", "to", "entitled", "concerning", "regarding"}
TITLE_ENDS = {
    "adopted", "dated", "as", "which", "that", "by", "responsible", "signed", "endorsed",
    "held", "issued", "published", "was", "were", "is", "are", "under", "where", "when",
}


@Language.factory("atkb_norms")
def make_norms(nlp: Language, name: str):
    return LemmaNorms(nlp)


class LemmaNorms:
    """Set each token's norm to the lemma of its lower-case form, so patterns
    match any case and any inflection ("Mechanisms" → "mechanism")."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.table = None

    def __call__(self, doc: Doc) -> Doc:
        if self.table is None:
            self.table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
        for token in doc:
            token.norm_ = self.table.get(token.lower_, token.lower_)
        return doc


@Language.factory("atkb_entities", default_config={"path": ""})
def make_entity_ruler(nlp: Language, name: str, path: str):
    return EntityRuler(nlp, Path(path))


class EntityRuler:
    """Mark organisations, places and instruments, each under its canonical name."""

    def __init__(self, nlp: Language, path: Path):
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.loose = PhraseMatcher(nlp.vocab, attr="LOWER")
        for entity in load_entities(path):
            key = f"{entity.kind}\t{entity.name}"
            for alias in entity.aliases:
                # Aliases in capitals ("IOM", "SEE") match only in capitals.
                matcher = self.exact if alias.isupper() else self.loose
                matcher.add(key, [nlp.make_doc(alias)])

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in itertools.chain(self.exact(doc), self.loose(doc)):
            kind, name = doc.vocab.strings[match_id].split("\t")
            spans.append(Span(doc, start, end, label=ENTITY_LABELS[kind], kb_id=name))
        doc.ents = filter_spans(spans)
        return doc


@Language.factory("atkb_themes", default_config={"path": ""})
def make_theme_matcher(nlp: Language, name: str, path: str):
    return ThemeMatcher(nlp, Path(path))


class ThemeMatcher:
    """Find theme patterns, drop those cancelled by an exclusion or out of scope,
    and keep the words and pattern behind every theme as evidence."""

    def __init__(self, nlp: Language, path: Path):
        self.taxonomy = load_taxonomy(path)
        norm = _norm_function(nlp)
        self.finders = (PatternFinder(nlp), PatternFinder(nlp))  # themes, exclusions
        for theme in self.taxonomy.themes:
            for finder, patterns in zip(self.finders, (theme.patterns, theme.exclude)):
                for pattern in patterns:
                    try:
                        finder.add(f"{theme.id}\t{pattern}", parse_pattern(pattern, norm))
                    except ValueError as problem:
                        raise TaxonomyError(str(problem), str(path)) from None
        self.anywhere = {t.id for t in self.taxonomy.themes if t.in_titles}

    def __call__(self, doc: Doc) -> Doc:
        themes, exclusions = (finder.matches(doc) for finder in self.finders)
        excluded: dict[str, list[tuple[int, int]]] = {}
        for key, start, end in exclusions:
            excluded.setdefault(key.split("\t")[0], []).append((start, end))
        named = [(e.start, e.end) for e in doc.ents] + quoted_spans(doc)
        titles = title_spans(doc)
        evidence, seen = [], set()
        for key, start, end in sorted(themes, key=lambda m: (m[1], -m[2])):
            theme, pattern = key.split("\t")
            if _overlaps(excluded.get(theme, ()), start, end) or _within(named, start, end):
                continue
            if theme not in self.anywhere and _within(titles, start, end):
                continue
            if (theme, start) not in seen:
                seen.add((theme, start))
                evidence.append(Evidence(theme, doc[start:end].text, pattern))
        doc._.atkb_evidence = tuple(evidence)
        return doc


class PatternFinder:
    """Finds compiled patterns: one-word ones by lookup, longer ones with spaCy's Matcher."""

    def __init__(self, nlp: Language):
        self.words = WordIndex()
        self.matcher = Matcher(nlp.vocab)

    def add(self, key: str, variants: list[list]) -> None:
        for variant in variants:
            if len(variant) == 1:
                self.words.add(variant[0], key)
            else:
                self.matcher.add(key, matcher_patterns(variant))

    def matches(self, doc: Doc) -> list[tuple[str, int, int]]:
        found = self.words.matches(doc)
        found += [(doc.vocab.strings[m], start, end) for m, start, end in self.matcher(doc)]
        return found


def _overlaps(spans, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _within(spans, start: int, end: int) -> bool:
    """True when the match lies inside a longer span (a name, a quote, a title)."""
    return any(s <= start and end <= e and (e - s) > (end - start) for s, e in spans)


def quoted_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges between pairs of double quotes."""
    marks = [t.i for t in doc if t.text in ('"', "“", "”")]
    return [(marks[i], marks[i + 1] + 1) for i in range(0, len(marks) - 1, 2)]


def title_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of document titles cited by name, such as "the Joint
    Declaration on Enhancing Transnational Referral Mechanisms (TRM) and ...".

    A title starts at a capitalised head word (Declaration, Strategy, Plan...)
    followed by a linking word, and runs to punctuation, a bracketed year,
    or a word that starts the clause again ("adopted", "by", "as"...).
    """
    spans = []
    for token in doc[:-1]:
        if token.text[:1].isupper() and token.lower_ in TITLE_HEADS and doc[token.i + 1].lower_ in TITLE_LINKS:
            spans.append((token.i, _title_end(doc, token.i + 2)))
    return spans


def _title_end(doc: Doc, i: int) -> int:
    while i < len(doc):
        token = doc[i]
        if token.is_punct and token.text not in ("(", ")", "-", "–", "/") or token.lower_ in TITLE_ENDS:
            return i
        if token.text == "(" and i + 1 < len(doc) and re.fullmatch(r"\d{4}", doc[i + 1].text):
            # "... (2012) and on strengthening ...": a second title follows.
            after = i + 3
            if after + 1 < len(doc) and doc[after].lower_ == "and" and doc[after + 1].lower_ in TITLE_LINKS:
                i = after + 2
                continue
            return i
        i += 1
    return i


def _norm_function(nlp: Language):
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return lambda word: table.get(word.lower(), word.lower())


@lru_cache(maxsize=4)
def _pipeline(themes_path: str, entities_path: str, stamp: tuple) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.add_pipe("atkb_norms")
    nlp.add_pipe("atkb_entities", config={"path": entities_path})
    nlp.add_pipe("atkb_themes", config={"path": themes_path})
    return nlp


def pipeline(themes_path: Path | None = None, entities_path: Path | None = None) -> Language:
    """Return the tagging pipeline for a taxonomy, built once per version of its files."""
    themes = Path(themes_path or settings.themes_path())
    entities = Path(entities_path or settings.entities_path())
    stamp = tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in (themes, entities))
    return _pipeline(str(themes), str(entities), stamp)


def tag_passages(passages: list[Passage], nlp: Language | None = None) -> list[Passage]:
    """Return the passages with their themes, entities and evidence, tagged in batches."""
    nlp = nlp or pipeline()
    docs = nlp.pipe((p.text for p in passages), batch_size=BATCH_SIZE)
    return [tagged(passage, doc) for passage, doc in zip(passages, docs)]


def tagged(passage: Passage, doc: Doc) -> Passage:
    """Copy what the pipeline found in a doc onto its passage."""
    evidence = doc._.atkb_evidence
    names = {label: _unique(e.kb_id_ for e in doc.ents if e.label_ == label) for label in ENTITY_LABELS.values()}
    return replace(
        passage,
        themes=_unique(e.theme for e in evidence),
        orgs=names["ORG"], places=names["PLACE"], instruments=names["INSTRUMENT"],
        evidence=evidence,
    )


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
