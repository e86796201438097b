"""The country and evaluation round of a GRETA text, from its metadata or its wording."""
from __future__ import annotations

import re
from dataclasses import replace

from kb.model import Document, Passage

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
SHORT_ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th")

# The Parties to the Convention GRETA evaluates, under the names its reports use.
COUNTRIES = (
    "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Belarus", "Belgium",
    "Bosnia and Herzegovina", "Bulgaria", "Croatia", "Cyprus", "Czech Republic", "Denmark",
    "Estonia", "Finland", "France", "Georgia", "Germany", "Greece", "Hungary", "Iceland",
    "Ireland", "Israel", "Italy", "Latvia", "Liechtenstein", "Lithuania", "Luxembourg", "Malta",
    "Monaco", "Montenegro", "Netherlands", "North Macedonia", "Norway", "Poland", "Portugal",
    "Republic of Moldova", "Romania", "Russian Federation", "San Marino", "Serbia",
    "Slovak Republic", "Slovenia", "Spain", "Sweden", "Switzerland", "Türkiye", "Ukraine",
    "United Kingdom",
)
# Other names for the same countries, in older reports and press releases.
COUNTRY_ALIASES = {
    "Turkey": "Türkiye", "Slovakia": "Slovak Republic", "Moldova": "Republic of Moldova",
    "Czechia": "Czech Republic", "the former Yugoslav Republic of Macedonia": "North Macedonia",
    "Russia": "Russian Federation",
}
_NAMES = {name.lower(): name for name in COUNTRIES} | {a.lower(): n for a, n in COUNTRY_ALIASES.items()}
_COUNTRY = "(?:the\\s+)?(" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(_NAMES, key=len, reverse=True)) + r")\b"
# Strongest evidence first: the report's own title, then a cover or press-release wording.
COUNTRY_PATTERNS = (
    re.compile(r"Trafficking\s+in\s+Human\s+Beings\s+by\s+" + _COUNTRY, re.I),
    re.compile(r"\bEvaluation\s+Report\s+(?:on\s+)?" + _COUNTRY, re.I),
    re.compile(r"\breport\s+on\s+" + _COUNTRY, re.I),
)
_ORDINAL = "(" + "|".join(ORDINALS + SHORT_ORDINALS) + ")"
ROUND_PATTERNS = (
    re.compile(rf"\b{_ORDINAL}\s+evaluation\s+round\b", re.I),
    re.compile(rf"\b{_ORDINAL}\s+(?:evaluation\s+)?report\s+on\b", re.I),
    re.compile(rf"\b{_ORDINAL}\s+round\s+of\s+(?:monitoring|evaluation)\b", re.I),
)
# The opening passages hold the cover; later ones may recall earlier rounds.
OPENING_PASSAGES = 40


def parse_round(value) -> int:
    """Read a round given as 3, "3", "third" or "3rd"; ValueError says what is wrong."""
    text = str(value).strip().lower()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(ORDINALS):
        return int(text)
    for names in (ORDINALS, SHORT_ORDINALS):
        if text in names:
            return names.index(text) + 1
    raise ValueError(f"round {value!r} must be a number from 1 to {len(ORDINALS)} or a word such as 'third'")


def country_name(value: str) -> str:
    """The name atkb uses for a country ("Slovakia" becomes "Slovak Republic")."""
    text = " ".join(value.split())
    return _NAMES.get(text.lower().removeprefix("the "), text)


def detect_country(text: str) -> str:
    """The country a GRETA text concerns, or "" when its wording does not say."""
    for pattern in COUNTRY_PATTERNS:
        match = pattern.search(text)
        if match:
            return _NAMES[" ".join(match.group(1).lower().split())]
    return ""


def detect_round(text: str) -> int | None:
    """The evaluation round a GRETA text belongs to, or None when its wording does not say."""
    for pattern in ROUND_PATTERNS:
        match = pattern.search(text)
        if match:
            return parse_round(match.group(1))
    return None


def with_country_and_round(document: Document, passages: list[Passage]) -> Document:
    """Fill in the country and round the metadata leaves out, from a GRETA text's opening."""
    if document.country and document.round:
        return document
    opening = "\n".join(p.text for p in passages[:OPENING_PASSAGES])
    if "GRETA" not in opening:
        return document
    return replace(
        document,
        country=document.country or detect_country(opening),
        round=document.round or detect_round(opening),
    )
