"""GRETA's appendix "List of GRETA's conclusions and proposals for action",
linked to the body paragraphs each entry refers to ("(paragraph 123)")."""
from __future__ import annotations

import re

APPENDIX = re.compile(r"conclusions\s+and\s+proposals\s+for\s+action", re.I)
# "(paragraph 14)", "(see paragraph 45)", "(paragraphs 16-17)", "(see paras 12, 14 and 20)"
REFERENCE = re.compile(r"\((?:see\s+(?:also\s+)?)?(?:paragraphs?|paras?\.?)\s+([\d\s,;–-]+(?:and\s+\d+)?)\)", re.I)
NUMBER_OR_RANGE = re.compile(r"(\d{1,4})(?:\s*[-–]\s*(\d{1,4}))?")
PARAGRAPH_NUMBER = re.compile(r"^\(?(\d{1,4})[.)]?$")
LONGEST_RANGE = 30  # a wider "range" is a misreading, not a reference


def in_appendix(heading: str) -> bool:
    """Whether a passage stands under the conclusions appendix."""
    return bool(APPENDIX.search(heading or ""))


def referenced_numbers(text: str) -> list[int]:
    """The body paragraph numbers an appendix entry refers to, in order."""
    numbers: list[int] = []
    for reference in REFERENCE.finditer(text):
        for match in NUMBER_OR_RANGE.finditer(reference.group(1)):
            first = int(match.group(1))
            last = int(match.group(2) or first)
            span = range(first, last + 1) if 0 <= last - first <= LONGEST_RANGE else (first, last)
            numbers += [n for n in span if n not in numbers]
    return numbers


def conclusion_links(passages: list[dict]) -> dict[str, list[str]]:
    """Map each appendix entry's passage id to the ids of the body paragraphs it cites.

    Each passage is a dict with passage_id, number, heading and text.
    """
    body = {}
    for passage in passages:
        number = PARAGRAPH_NUMBER.match(passage.get("number") or "")
        if number and not in_appendix(passage.get("heading", "")):
            body.setdefault(int(number.group(1)), passage["passage_id"])
    links = {}
    for passage in passages:
        if in_appendix(passage.get("heading", "")):
            cited = [body[n] for n in referenced_numbers(passage.get("text", "")) if n in body]
            if cited:
                links[passage["passage_id"]] = cited
    return links


def referred_by(links: dict[str, list[str]]) -> dict[str, list[str]]:
    """Turn the links around: each body paragraph with the appendix entries citing it."""
    back: dict[str, list[str]] = {}
    for entry, cited in links.items():
        for passage_id in cited:
            back.setdefault(passage_id, []).append(entry)
    return back
