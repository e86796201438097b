"""Patterns for the marks that structure a text: clause numbers, bullets, sentence ends."""
import re

# A printed clause number or an inline bullet at the start of a text: "6) ", "(iv) ", "· ".
NUMBERED = re.compile(r"^(?:\d{1,3}[.)]|\((?:\d{1,3}|[ivxlc]{1,6}|[a-z])\)|[·•])\s")
# The end of a sentence or clause, allowing a closing quote or bracket.
SENTENCE_END = re.compile(r"[.;:!?][\"')\]]*$")
