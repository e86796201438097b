"""GRETA's recommendations as items of their own.

Wherever GRETA "urges", "considers that ... should", "recommends" or "invites",
the sentence becomes a recommendation: it keeps the fields of the passage it
stands in (number, heading, page, role), links to it as its parent, is tagged
with themes on its own wording, and carries its strength.

A lead such as "GRETA urges the authorities to:" followed by items (a), (b) ...
gives one recommendation per item, each reading "lead + item": analysts search
and count the actions one by one, and an item about compensation should not
carry the themes of its neighbours.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kb.conclusions import conclusion_links, in_appendix
from kb.model import Passage
from kb.tagging import tag_passages

# "GRETA", "GRETA once again", "GRETA also", "GRETA, therefore," ...
SUBJECT = (
    r"\bGRETA(?:\s*,?\s+(?:once\s+again|again|also|further|therefore|thus|strongly|firmly"
    r"|moreover|furthermore|accordingly|consequently|nevertheless))*\s*,?\s+"
)
# Each strength with the wordings that carry it, strongest first.
WORDINGS = (
    ("urges", re.compile(SUBJECT + r"urges\b")),
    ("should", re.compile(SUBJECT + r"considers\s+(?:it\s+\w+\s+)?that\b.*?\bshould\b", re.S)),
    ("should", re.compile(SUBJECT + r"recommends\b")),
    ("invites", re.compile(SUBJECT + r"invites\b")),
)
ABBREVIATIONS = frozenset({"e.g", "i.e", "para", "paras", "no", "nos", "art", "arts", "cf", "etc", "vol", "p", "pp", "op", "cit"})
# A full stop (with any closing quote or bracket) before a capital: a sentence may end here.
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z])")
# An inline list item marker after the lead's colon: "(a) ", "(iv) ", "b) ".
INLINE_ITEM = re.compile(r"\s+(?=\(?(?:[a-z]|[ivx]{1,4})\)\s)")


def strength_of(sentence: str) -> str:
    """The strength of the recommendation a sentence makes, or "" if it makes none."""
    for strength, wording in WORDINGS:
        if wording.search(sentence):
            return strength
    return ""


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping "e.g. Slovenia" and "para. 12" whole."""
    found, start = [], 0
    for end in SENTENCE_END.finditer(text):
        words = text[start : end.start()].split()
        last = words[-1].lower().lstrip("(") if words else ""
        if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        found.append(text[start : end.end()].strip())
        start = end.end()
    found.append(text[start:].strip())
    return [s for s in found if s]


def with_recommendations(passages: list[Passage]) -> list[Passage]:
    """Return the passages followed by the recommendations found in them, tagged."""
    found = find_recommendations(passages)
    return passages + tag_passages(found) if found else passages


def find_recommendations(passages: list[Passage]) -> list[Passage]:
    """Make a recommendation item of every recommending sentence or list item."""
    children = _children(passages)
    linked = set(conclusion_links([_row(p) for p in passages]))
    next_seq = max((p.seq for p in passages), default=0) + 1
    items: list[Passage] = []
    for passage in passages:
        if passage.kind != "passage" or passage.role == "heading" or passage.passage_id in linked:
            continue  # an appendix entry citing a body paragraph repeats that paragraph's recommendation
        for text, source, strength in _recommendations_in(passage, children.get(passage.passage_id, [])):
            items.append(_item(source, text, strength, next_seq))
            next_seq += 1
    return items


def _recommendations_in(passage: Passage, children: list[Passage]) -> list[tuple[str, Passage, str]]:
    """(text, passage it stands in, strength) for each recommendation of a passage."""
    found = []
    parts = sentences(passage.text)
    for position, sentence in enumerate(parts):
        strength = strength_of(sentence)
        if not strength:
            continue
        is_lead = position == len(parts) - 1 and sentence.rstrip().endswith(":")
        inline = INLINE_ITEM.split(sentence)
        if is_lead and children:
            found += [(f"{sentence} {_item_text(child)}", child, strength) for child in children]
        elif len(inline) > 2 and inline[0].rstrip().endswith(":"):
            found += [(f"{inline[0]} {item.strip()}", passage, strength) for item in inline[1:]]
        else:
            found.append((sentence, passage, strength))
    return found


def _item_text(child: Passage) -> str:
    return f"{child.number} {child.text}".strip()


def _item(source: Passage, text: str, strength: str, seq: int) -> Passage:
    """A recommendation that keeps the fields of its passage, and links to it."""
    return replace(
        source, seq=seq, text=text, kind="recommendation", strength=strength, parent=source.passage_id,
        themes=(), orgs=(), places=(), instruments=(), evidence=(),
    )


def _children(passages: list[Passage]) -> dict[str, list[Passage]]:
    """The list items under each lead clause, in reading order."""
    children: dict[str, list[Passage]] = {}
    for passage in passages:
        if passage.parent and passage.kind == "passage" and not in_appendix(passage.heading):
            children.setdefault(passage.parent, []).append(passage)
    return children


def _row(passage: Passage) -> dict:
    return {"passage_id": passage.passage_id, "number": passage.number, "heading": passage.heading, "text": passage.text}
