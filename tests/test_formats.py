"""The same document as PDF, DOCX, HTML and text gives the same passages."""
from pathlib import Path

import pytest

from ingest.clean import clean_blocks
from ingest.parsers import parse
from ingest.segment import segment

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(__file__).parent / "data" / "seeds"
CORPUS = ROOT / "corpus" / "documents"
NAMES = sorted(p.stem for p in CORPUS.glob("*.txt"))


def passages_of(path: Path, fmt: str):
    return segment(clean_blocks(parse(path.read_bytes(), fmt, str(path))), "doc")


def squashed(text: str) -> str:
    return "".join(text.split())


def plain_number(number: str) -> str:
    return "".join(ch for ch in number if ch.isalnum()).lower()


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
@pytest.mark.parametrize("name", NAMES)
def test_every_format_gives_the_passages_of_the_text(name, fmt):
    expected = passages_of(CORPUS / f"{name}.txt", "text")
    found = passages_of(SEEDS / f"{name}.{fmt}", fmt)
    assert [squashed(p.text) for p in found] == [squashed(p.text) for p in expected]
    assert [plain_number(p.number) for p in found] == [plain_number(p.number) for p in expected]
    assert [p.role for p in found] == [p.role for p in expected]
    assert [p.parent for p in found] == [p.parent for p in expected]
    assert [p.verb for p in found] == [p.verb for p in expected]


@pytest.mark.parametrize("name", NAMES)
def test_pdf_passages_keep_their_page(name):
    found = passages_of(SEEDS / f"{name}.pdf", "pdf")
    assert found[0].page == 1
    assert all(p.page for p in found)
    assert [p.page for p in found] == sorted(p.page for p in found)
