"""A scaled corpus: passages recombined from the bundled documents by a seeded generator."""
from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

from ingest.clean import clean_blocks
from ingest.parsers.text import parse_text
from ingest.segment import segment
from kb.model import DOC_TYPES, Document

ROOT = Path(__file__).resolve().parent.parent
OPENERS = ["REITERATE", "ENCOURAGE", "INVITE", "UNDERTAKE TO", "RECALLING", "NOTING", "WELCOMING", ""]
ISSUERS = [f"Issuer {n:02d}" for n in range(30)]
YEARS = list(range(2000, 2025))
PASSAGES_PER_DOCUMENT = 40


def corpus_sentences() -> list[str]:
    """Every sentence of the bundled documents, cleaned of layout and markup."""
    sentences = []
    for path in sorted((ROOT / "corpus" / "documents").glob("*.txt")):
        for passage in segment(clean_blocks(parse_text(path.read_text(encoding="utf-8"))), "x"):
            sentences += [s.strip() for s in re.split(r"(?<=[.;])\s+", passage.text) if len(s.split()) >= 6]
    return sentences


def generated_documents(seed: int = 2026):
    """Yield (Document, text) pairs without end; the caller stops at the size it wants."""
    chance = random.Random(seed)
    sentences = corpus_sentences()
    for number in itertools.count():
        year = chance.choice(YEARS)
        document = Document(
            id=f"bench-{number:06d}", title=f"Generated document {number}",
            issuer=chance.choice(ISSUERS), doc_type=DOC_TYPES[number % len(DOC_TYPES)],
            source="generated", date=f"{year}-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}",
        )
        clauses = []
        for clause in range(1, PASSAGES_PER_DOCUMENT + 1):
            body = " ".join(chance.sample(sentences, chance.randint(1, 3)))
            opener = chance.choice(OPENERS)
            clauses.append(f"{clause}. {opener + ' ' if opener else ''}{body}")
        yield document, "\n\n".join(clauses) + "\n"
