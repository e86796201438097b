"""Patterns for the marks that structure a text: clause numbers, bullets, sentence ends."""
import re

# A printed clause number or an inline bullet at the start of a text: "6) ", "(iv) ", "· ".
NUMBERED = re.compile(r"^(?:\d{1,3}[.)]|\((?:\d{1,3}|[ivxlc]{1,6}|[a-z])\)|[·•])\s")
# The end of a sentence or clause, allowing a closing quote or bracket.
SENTENCE_END = re.compile(r"[.;:!?][\"')\]]*$")

ROMAN_VALUES = [
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
]


def roman(value: int) -> str:
    """Write a positive number in lower-case Roman numerals."""
    numeral = ""
    for amount, symbol in ROMAN_VALUES:
        count, value = divmod(value, amount)
        numeral += symbol * count
    return numeral
