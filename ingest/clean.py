"""Cleaning: remove conversion debris and mend text broken by layout."""
from __future__ import annotations

import re
from dataclasses import replace

from ingest.markers import NUMBERED, SENTENCE_END
from kb.model import Block

DEBRIS = [
    re.compile(r"\[bookmark:[^\]]*\]"),
    re.compile(r"</?(?:u|b|i|em|strong|span|br)\b[^>]*>", re.I),
    re.compile(r"\*+(?=\S)|(?<=\S)\*+"),  # Markdown emphasis
]
QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# "non- punishment": a word split by a line break or by markup round its parts.
SPLIT_WORD = re.compile(r"(\w+)- (\w+)")
# "gender- and child-sensitive" keeps its hyphen: the word after is a conjunction.
SUSPENDED_HYPHEN_NEXT = {"and", "or", "nor", "to", "as", "but"}
# Captions of logos that converters leave as lines of their own.
LOGO_CAPTIONS = {"chair", "secretariat"}
LONE_MARKS = re.compile(r"^[·•\-–—*▪◦o]$")
CONTINUING_WORDS = {
    "a", "an", "the", "of", "on", "in", "to", "for", "and", "or", "with", "by",
    "from", "at", "as", "that", "which", "its", "their", "our",
}
TITLE_CONNECTORS = {"of", "on", "by", "for", "and"}
LETTERED = re.compile(r"^[a-z]\)\s")  # "c) To promote ...": a point of its own after "...; and"


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Return blocks with debris removed, words mended and split paragraphs joined."""
    blocks = [replace(b, text=clean_text(b.text)) for b in blocks]
    blocks = [b for b in blocks if b.text and not is_debris_block(b)]
    texts = [b.text.lower() for b in blocks]
    # Words as spelt whole, and hyphenated compounds ("anti-trafficking") whole too.
    vocabulary = {w for t in texts for w in re.findall(r"\w+(?:-\w+)*", t)}
    vocabulary |= {w for t in texts for w in re.findall(r"\w+", t)}
    blocks = [replace(b, text=mend_split_words(b.text, vocabulary)) for b in blocks]
    return join_continuations(join_title_connectors(blocks))


def clean_text(text: str) -> str:
    """Remove debris and normalise quotes and whitespace in one block of text."""
    for pattern in DEBRIS:
        text = pattern.sub("", text)
    text = text.translate(QUOTES).replace("\u00ad", "")
    return SPACES.sub(" ", text.replace("\n", " ")).strip()


def is_debris_block(block: Block) -> bool:
    """Tell whether a block is a logo caption or a lone list mark."""
    return block.text.lower() in LOGO_CAPTIONS or bool(LONE_MARKS.match(block.text))


def mend_split_words(text: str, vocabulary: set[str]) -> str:
    """Join "non- punishment" into one word, dropping the hyphen only when the
    document elsewhere spells the word without one, and never with one."""

    def mend(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        if right.lower() in SUSPENDED_HYPHEN_NEXT:
            return match.group(0)
        if (left + right).lower() in vocabulary and f"{left}-{right}".lower() not in vocabulary:
            return left + right
        return f"{left}-{right}"

    return SPLIT_WORD.sub(mend, text)


def continues(previous: Block, block: Block) -> bool:
    """Tell whether a block carries on the sentence a page or column break cut."""
    if previous.kind == "heading" or block.kind == "heading" or block.marker:
        return False
    if SENTENCE_END.search(previous.text) or NUMBERED.match(block.text) or LETTERED.match(block.text):
        return False
    last_word = previous.text.rsplit(" ", 1)[-1].lower()
    return block.text[:1].islower() or last_word in CONTINUING_WORDS


def join_continuations(blocks: list[Block]) -> list[Block]:
    """Join blocks that a page break split in the middle of a sentence.

    Footnotes at the foot of the page stand between the two halves; they stay where they are.
    """
    joined: list[Block] = []
    for block in blocks:
        last = last_of_body(joined)
        if last is not None and block.kind != "footnote" and continues(joined[last], block):
            joined[last] = replace(joined[last], text=f"{joined[last].text} {block.text}")
        else:
            joined.append(block)
    return joined


def last_of_body(blocks: list[Block]) -> int | None:
    """The index of the last block that is not a footnote."""
    for index in range(len(blocks) - 1, -1, -1):
        if blocks[index].kind != "footnote":
            return index
    return None


def join_title_connectors(blocks: list[Block]) -> list[Block]:
    """Join title lines set apart by a lone "of" or "on" into one heading."""
    joined: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if (
            joined
            and i + 1 < len(blocks)
            and block.text.lower() in TITLE_CONNECTORS
        ):
            title = f"{joined[-1].text} {block.text} {blocks[i + 1].text}"
            joined[-1] = replace(joined[-1], text=title, kind="heading", level=joined[-1].level or 1)
            i += 2
            continue
        joined.append(block)
        i += 1
    return joined
