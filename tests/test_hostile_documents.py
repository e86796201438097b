"""Hostile documents: parse budgets of time and memory, zip bombs, oversized and deeply nested pages."""
import io
import struct
import zipfile
import zlib

import pytest

from ingest.budget import within_budget
from ingest.detect import detect_format
from ingest.parsers.docx import parse_docx
from ingest.parsers.html import parse_html
from ingest.pipeline import parse_passages
from kb.errors import KBError, ParseError, UnsupportedFormat
from tests.conftest import ROOT, run_kb

GOOD_TEXT = ROOT / "corpus" / "documents" / "2022-10-18-joint-statement-ukraine.txt"


def pdf_with_content(content: bytes) -> bytes:
    """A well-formed one-page PDF whose page content stream is the given bytes, deflated."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# 300 MB of blanks deflate to 300 KB: pdfminer inflates the whole stream in memory.
PDF_BOMB = pdf_with_content(b" " * 300_000_000)
# Millions of graphics-state saves and restores keep pdfminer busy for long, in little memory.
SLOW_PDF = pdf_with_content(b"q Q\n" * 3_000_000)


def test_the_handmade_pdf_is_a_real_pdf():
    passages = parse_passages(pdf_with_content(b"BT /F1 12 Tf 72 700 Td (Victims of trafficking.) Tj ET"),
                              "pdf", "small.pdf", "small")
    assert [p.text for p in passages] == ["Victims of trafficking."]


def test_a_document_past_its_time_budget_is_skipped_in_one_line():
    with pytest.raises(ParseError) as error:
        within_budget(parse_passages, (SLOW_PDF, "pdf", "slow.pdf", "slow"), "slow.pdf", seconds=1)
    assert str(error.value) == "slow.pdf: parsing took longer than 1 s; skipped"


def test_a_document_past_its_memory_budget_is_skipped_in_one_line():
    with pytest.raises(ParseError) as error:
        within_budget(parse_passages, (PDF_BOMB, "pdf", "bomb.pdf", "bomb"), "bomb.pdf", megabytes=64)
    assert str(error.value) == "bomb.pdf: parsing needed more than 64 MB of memory; skipped"


def test_within_budget_a_good_document_parses_as_in_process():
    data = GOOD_TEXT.read_bytes()
    assert within_budget(parse_passages, (data, "text", "good.txt", "good"), "good.txt") == parse_passages(
        data, "text", "good.txt", "good")


def test_ingest_skips_documents_past_their_budgets_and_indexes_the_rest(tmp_path):
    (tmp_path / "bomb.pdf").write_bytes(PDF_BOMB)
    (tmp_path / "slow.pdf").write_bytes(SLOW_PDF)
    manifest = tmp_path / "hostile.toml"
    manifest.write_text("".join(
        f'[[document]]\nid = "{name}"\ntitle = "{name}"\nissuer = "Tester"\ndoc_type = "other"\nsource = "{source}"\n\n'
        for name, source in (("bomb", "bomb.pdf"), ("slow", "slow.pdf"), ("good", GOOD_TEXT))
    ))
    done = run_kb("ingest", str(manifest), home=tmp_path / "home",
                  env={"KB_PARSE_TIMEOUT": "2", "KB_PARSE_MEMORY_MB": "64"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: bomb.pdf: parsing needed more than 64 MB of memory; skipped",
        "error: slow.pdf: parsing took longer than 2 s; skipped",
    ]
    assert "1 added" in done.stderr
    assert run_kb("show", "good", home=tmp_path / "home").returncode == 0


@pytest.mark.parametrize("name, value, reason", [
    ("KB_PARSE_TIMEOUT", "soon", "not a number: 'soon'"),
    ("KB_PARSE_MEMORY_MB", "1.5", "not a whole number: '1.5'"),
    ("KB_PARSE_MEMORY_MB", "-3", "must not be negative: '-3'"),
])
def test_a_malformed_budget_setting_is_named_in_the_error(monkeypatch, name, value, reason):
    monkeypatch.setenv(name, value)
    with pytest.raises(KBError) as error:
        within_budget(parse_passages, (GOOD_TEXT.read_bytes(), "text", "good.txt", "good"), "good.txt")
    assert str(error.value) == f"{name}: {reason}"


def test_kb_add_reports_a_malformed_budget_setting_in_one_line(home_copy):
    done = run_kb("add", str(GOOD_TEXT), "--title", "T", "--issuer", "I", "--doc-type", "other",
                  home=home_copy, env={"KB_PARSE_TIMEOUT": "soon"})
    assert done.returncode == 1
    assert "error: KB_PARSE_TIMEOUT: not a number: 'soon'" in done.stderr.splitlines()
    assert "Traceback" not in done.stderr


def docx_of(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def lying_about_size(data: bytes, declared: int) -> bytes:
    """Rewrite both headers of a one-entry ZIP to declare a smaller unpacked size."""
    patched = bytearray(data)
    struct.pack_into("<I", patched, patched.find(b"PK\x03\x04") + 22, declared)
    struct.pack_into("<I", patched, patched.rfind(b"PK\x01\x02") + 24, declared)
    return bytes(patched)


@pytest.mark.parametrize("data, reason", [
    (docx_of({"word/document.xml": b" " * (10 << 20)}),
     "refused: word/document.xml of the Word file inflates more than 200 times (a zip bomb?)"),
    (docx_of({**{f"filler/{n}": b"" for n in range(5001)}, "word/document.xml": b"<a/>"}, zipfile.ZIP_STORED),
     "refused: the Word file holds more than 5000 parts (a zip bomb?)"),
    (lying_about_size(docx_of({"word/document.xml": b" " * (60 << 20)}), 1000),
     "not a readable Word document (corrupt or truncated)"),
], ids=["ratio", "many-parts", "lying-header"])
def test_a_docx_zip_bomb_is_refused_in_one_line(data, reason):
    with pytest.raises(ParseError) as error:
        parse_docx(data, "bomb.docx")
    assert str(error.value) == f"bomb.docx: {reason}"


def test_an_oversized_html_page_is_refused_before_parsing():
    page = b"<html><body>" + b"<p>impunity</p>" * (4 << 20) + b"</body></html>"
    with pytest.raises(ParseError) as error:
        parse_html(page, "huge.html")
    assert str(error.value) == "huge.html: refused: the HTML page is larger than 50 MB"


@pytest.mark.parametrize("opening, closing", [(b"<div>", b"</div>"), (b"<ul><li>", b"</li></ul>"), (b"<b>", b"")])
def test_html_nested_past_any_real_page_is_a_clean_error(opening, closing):
    page = b"<html><body>" + opening * 20_000 + b"deep text" + closing * 20_000 + b"</body></html>"
    with pytest.raises(ParseError) as error:
        parse_html(page, "deep.html")
    assert str(error.value) == "deep.html: refused: the HTML page nests elements too deeply"


def zip_with_a_name_that_is_not_utf8() -> bytes:
    """A ZIP flagged as naming its entries in UTF-8, with a name that is not (found by fuzzing)."""
    data = docx_of({"word/document.xml": b"<a/>", "word/\u00e9.xml": b"<a/>"})
    return data.replace("\u00e9".encode(), b"\xd0 ")


def test_a_zip_with_a_broken_entry_name_is_reported_not_crashed_on():
    data = zip_with_a_name_that_is_not_utf8()
    with pytest.raises(UnsupportedFormat) as error:
        detect_format(data, "broken.docx")
    assert str(error.value) == "broken.docx: a ZIP archive that is not a Word (.docx) document"
    with pytest.raises(ParseError) as error:
        parse_docx(data, "broken.docx")
    assert str(error.value) == "broken.docx: not a readable Word document (corrupt or truncated)"
