"""Fuzzing: PDF, HTML and Word seeds mutated byte by byte, through detect, parse, clean and segment.

Every mutant must give passages or a one-line KBError naming the file, within
the parse budget of time and memory. The default run is short and the same
every time; KB_FUZZ_EXAMPLES=N (or KB_SLOW_TESTS=1, for 1000) runs longer.
"""
import hashlib
import io
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ingest.budget import within_budget
from ingest.detect import detect_format
from ingest.pipeline import parse_passages
from kb.errors import KBError
from kb.model import Passage
from tests.conftest import DATA

SEEDS = DATA / "seeds"
EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES") or (1000 if os.environ.get("KB_SLOW_TESTS") == "1" else 40))
# Generous next to the fraction of a second a seed takes: only a runaway parser reaches them.
SECONDS, MEGABYTES = 30, 512
# Fragments of each format's syntax, spliced in to reach the parsers' rarer paths.
JUNK = {
    "pdf": [b"obj", b"endobj", b"stream\n", b"endstream", b"/Length 999999999", b"<<", b">>", b"[", b"]",
            b"xref\n0 9999\n", b"trailer", b"/Filter /FlateDecode", b"/Type /Page", b"(", b")", b"\\", b"%%EOF",
            b"BT /F1 999999 Tf (x) Tj ET", b"q 1 0 0 1 0 0 cm", b"/Encrypt 9 0 R", b"9 0 R"],
    "html": [b"<div>", b"</div>", b"<p>", b"<li>", b"<ol start=\"99999999999999999999\" type=\"i\">",
             b"<ol reversed start=\"-5\">", b"<table><tr><td>", b"</table>", b"<!--", b"-->", b"<![CDATA[",
             b"<script>", b"</script>", b"&#xFFFFFFFF;", b"&#0;", b"<meta charset=\"utf-16\">",
             b"<meta charset=\"x-unknown\">", b"<h7>", b"<br/>", b"<template>", b"\xff\xfe", b"\x00"],
    "docx": [b"<w:p>", b"</w:p>", b"<w:tbl><w:tr><w:tc>", b"</w:tc></w:tr></w:tbl>", b"<w:t>", b"</w:t>",
             b"<w:numPr><w:ilvl w:val=\"99\"/><w:numId w:val=\"1\"/></w:numPr>", b"<w:pStyle w:val=\"Heading9\"/>",
             b"</w:body>", b"&amp;", b"&#xD800;", b"<!DOCTYPE x>", b"<w:sdt><w:sdtContent>", b"\x00"],
}


def seeds(fmt: str) -> list:
    return sorted(SEEDS.glob(f"*.{fmt}"))


def flip_bytes(draw, data: bytearray) -> bytearray:
    for _ in range(draw(st.integers(1, 16))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return data


def truncate(draw, data: bytearray) -> bytearray:
    return data[: draw(st.integers(1, len(data)))]


def duplicate_chunk(draw, data: bytearray) -> bytearray:
    start = draw(st.integers(0, len(data) - 1))
    chunk = data[start : start + draw(st.integers(1, 4096))]
    at = draw(st.integers(0, len(data)))
    return data[:at] + chunk * draw(st.integers(1, 8)) + data[at:]


def splice_junk(draw, data: bytearray, junk: list[bytes]) -> bytearray:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.sampled_from(junk)) * draw(st.integers(1, 64)) + data[at:]


def mutate(draw, data: bytes, junk: list[bytes]) -> bytes:
    """One to three byte-level mutations of the data."""
    mutated = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(["flip", "truncate", "duplicate", "junk"]))
        if operation == "flip":
            mutated = flip_bytes(draw, mutated)
        elif operation == "truncate":
            mutated = truncate(draw, mutated)
        elif operation == "duplicate":
            mutated = duplicate_chunk(draw, mutated)
        else:
            mutated = splice_junk(draw, mutated, junk)
    return bytes(mutated)


def corrupt_entry(draw, data: bytes) -> bytes:
    """Mutate the XML of one part of a Word package and pack it again: the ZIP stays valid."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    name = draw(st.sampled_from(sorted(n for n in parts if n.startswith("word/"))))
    parts[name] = mutate(draw, parts[name], JUNK["docx"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for part, content in parts.items():
            package.writestr(part, content)
    return buffer.getvalue()


class Mutant:
    """A mutated seed; its repr stays short, as a report of a failing example should."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def __repr__(self) -> str:
        return f"Mutant({self.name!r}, {len(self.data)} bytes, sha256 {hashlib.sha256(self.data).hexdigest()[:12]})"


@st.composite
def mutants(draw, fmt: str) -> Mutant:
    """A seed of the format, mutated: in its bytes, or (Word) inside one of its parts."""
    seed = draw(st.sampled_from(seeds(fmt)))
    data = seed.read_bytes()
    if fmt == "docx" and draw(st.booleans()):
        return Mutant(seed.name, corrupt_entry(draw, data))
    return Mutant(seed.name, mutate(draw, data, JUNK[fmt]))


def read_document(data: bytes, name: str) -> list[Passage]:
    """What ingest does with a fetched file, up to tagging."""
    fmt = detect_format(data, name)
    return within_budget(parse_passages, (data, fmt, name, "fuzz"), name, seconds=SECONDS, megabytes=MEGABYTES)


def check_outcome(name: str, data: bytes) -> None:
    try:
        passages = read_document(data, name)
    except KBError as error:
        message = str(error)
        assert message.startswith(f"{name}: ") and "\n" not in message, message
        # These mean a parser crashed, ran away or ate memory: bugs to fix in the parser.
        for symptom in ("the parser failed", "the parser stopped", "parsing took longer", "parsing needed more"):
            assert symptom not in message, message
        return
    assert all(isinstance(p, Passage) and p.text.strip() for p in passages)


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx"])
def test_mutated_documents_give_passages_or_a_one_line_error(fmt):
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutants(fmt))
    def check(mutant):
        check_outcome(mutant.name, mutant.data)

    check()


@pytest.mark.parametrize("fmt", ["pdf", "html", "docx"])
def test_every_seed_reads_within_its_budget(fmt):
    for seed in seeds(fmt):
        assert read_document(seed.read_bytes(), seed.name), seed.name
