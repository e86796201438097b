"""The PDF parser: pages, paragraphs, headings, page furniture and unreadable files."""
from pathlib import Path

import pytest

from ingest.parsers import pdf
from ingest.parsers.pdf import parse_pdf
from kb.errors import EmptyDocument, ParseError
from tests.data.profiles.make_pdfs import pdf_bytes

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
# Both encrypted fixtures use the standard security handler (RC4, 40-bit key):
# encrypted.pdf has the user password "secret", encrypted-empty-password.pdf an
# empty one (it opens without asking, like many "protected" PDFs).
NEEDS_PASSWORD = DATA / "encrypted.pdf"
EMPTY_PASSWORD = DATA / "encrypted-empty-password.pdf"
DECLARATION_2018 = SEEDS / "2018-03-16-brdo-ministerial-joint-declaration.pdf"
STRATEGY_2020 = SEEDS / "2020-03-04-natc-see-strategy-paper-2020-2024.pdf"
STATEMENT_2021 = SEEDS / "2021-10-18-joint-statement-eu-anti-trafficking-day.pdf"


def blocks_of(path: Path):
    return parse_pdf(path.read_bytes(), path.name)


def block_starting(blocks, start: str):
    return next(b for b in blocks if b.text.startswith(start))


def make_pdf(*pages: bytes) -> bytes:
    """Write an uncompressed PDF whose pages hold the given content streams."""
    return pdf_bytes(list(pages), [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"], 612, 792)


def text_at(*lines: tuple[int, int, str]) -> bytes:
    """A content stream writing each (x, y, text) line in 11-point Helvetica."""
    return b"".join(
        b"BT /F1 11 Tf %d %d Td (%s) Tj ET\n" % (x, y, text.encode("latin-1")) for x, y, text in lines
    )


def test_blocks_keep_the_page_they_start_on():
    blocks = blocks_of(DECLARATION_2018)
    assert blocks[0].page == 1
    assert [b.page for b in blocks] == sorted(b.page for b in blocks)
    assert block_starting(blocks, "RECOGNISING the need").page == 2
    assert block_starting(blocks, "5) Highlighting").page == 3


def test_a_paragraph_wrapped_over_lines_comes_back_whole():
    recalling = block_starting(blocks_of(DECLARATION_2018), "RECALLING")
    assert recalling.text == (
        "RECALLING the commitments made by the SEE Anti-Trafficking Coordinators, as stated in the"
        " Joint Declaration on Enhancing Transnational Referral Mechanisms (TRM) and Strengthening"
        " Cooperation in Cases of Human Trafficking of 4 October 2012;"
    )
    assert recalling.kind == "paragraph"


def test_a_hyphen_at_a_line_end_is_kept_for_cleaning_to_judge():
    invite = block_starting(blocks_of(STATEMENT_2021), "4.")
    assert invite.text.endswith("on Combatting Trafficking in Human Beings 2021- 2025,")


def test_a_marker_joins_the_text_on_its_baseline():
    # "4." and "INVITE ..." are separate runs of text at x=84 and x=108 on one baseline.
    invite = block_starting(blocks_of(STATEMENT_2021), "4.")
    assert invite.text.startswith("4. INVITE the European Union")
    dash = block_starting(blocks_of(DECLARATION_2018), "– ensuring effective prosecution")
    assert (dash.kind, dash.text) == ("item", "– ensuring effective prosecution of perpetrators;")


def test_headings_by_font_size_and_by_bold_or_italic_type():
    blocks = blocks_of(STRATEGY_2020)
    headings = {b.text: b.level for b in blocks if b.kind == "heading"}
    assert headings["Strategy Paper 2020 – 2024"] == 1  # 16 pt
    assert headings["Part 1: Introduction"] == 2  # 14 pt
    assert headings["Part 2: The Added Value of the Network"] == 3  # bold, body size
    assert headings["Prevention"] == 3  # italic, body size
    assert "The following measures are proposed:" not in headings


def test_running_headers_footers_and_page_numbers_are_dropped():
    pages = [
        text_at(
            (72, 760, "Network of Anti-Trafficking Coordinators"),
            (72, 700, f"Paragraph on page {n} of the statement."),
            (72, 60, f"Joint Statement 2022 - page {n} of 3"),
            (300, 40, str(n)),
        )
        for n in (1, 2, 3)
    ]
    blocks = parse_pdf(make_pdf(*pages), "three-pages.pdf")
    assert [(b.text, b.page) for b in blocks] == [
        (f"Paragraph on page {n} of the statement.", n) for n in (1, 2, 3)
    ]


def test_a_bare_page_number_is_dropped_even_on_a_single_page():
    page = text_at((300, 760, "- 1 -"), (72, 700, "WELCOMING the adoption of the EU Strategy;"))
    blocks = parse_pdf(make_pdf(page), "one-page.pdf")
    assert [b.text for b in blocks] == ["WELCOMING the adoption of the EU Strategy;"]


def test_reading_stops_at_the_page_cap(monkeypatch, caplog):
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    pages = [text_at((72, 700, f"Text of page {n}.")) for n in (1, 2, 3)]
    blocks = parse_pdf(make_pdf(*pages), "long.pdf")
    assert [b.text for b in blocks] == ["Text of page 1.", "Text of page 2."]
    assert "long.pdf: stopped reading at the cap of 2 pages" in caplog.messages


def test_an_encrypted_pdf_with_an_empty_user_password_is_read():
    assert b"RECALLING" not in EMPTY_PASSWORD.read_bytes()  # the text is really encrypted
    blocks = blocks_of(EMPTY_PASSWORD)
    assert [b.text for b in blocks] == ["RECALLING the commitments made in Ljubljana in 2012;"]


def test_a_pdf_without_text_is_an_empty_document():
    # An inline 2x2 grey image stands in for a scanned page.
    image = b"q 200 0 0 200 72 500 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
    with pytest.raises(EmptyDocument) as error:
        parse_pdf(make_pdf(image, b""), "scan.pdf")
    assert str(error.value) == "scan.pdf: no text found in the PDF (a scanned image?)"


ENCRYPTED = "encrypted PDF: it needs a password"
UNREADABLE = "not a readable PDF (corrupt or truncated)"


@pytest.mark.parametrize(
    "data, reason",
    [
        (NEEDS_PASSWORD.read_bytes(), ENCRYPTED),
        (STATEMENT_2021.read_bytes()[:5000], UNREADABLE),
        (STATEMENT_2021.read_bytes()[:-200], UNREADABLE),
        (b"", UNREADABLE),
        (b"%PDF-1.7\n", UNREADABLE),
        (b"<html><body>Not a PDF</body></html>", UNREADABLE),
    ],
    ids=["needs-password", "truncated-early", "truncated-late", "empty", "header-only", "not-a-pdf"],
)
def test_unreadable_pdfs_give_one_clear_error(data, reason):
    with pytest.raises(ParseError) as error:
        parse_pdf(data, "bad.pdf")
    assert type(error.value) is ParseError
    assert str(error.value) == f"bad.pdf: {reason}"
    assert error.value.__cause__ is None and error.value.__suppress_context__


def parsed_or_error(data: bytes):
    try:
        return parse_pdf(data, "damaged.pdf")
    except ParseError as error:
        return error


def test_damaged_bytes_never_let_a_pdfminer_error_escape():
    original = STATEMENT_2021.read_bytes()
    step = len(original) // 40
    damaged = [original[:at] + b"\x00)]>>" + original[at + 5:] for at in range(300, len(original), step)]
    outcomes = [parsed_or_error(data) for data in damaged]  # any other exception fails here
    assert all(isinstance(outcome, (list, ParseError)) for outcome in outcomes)
    assert any(isinstance(outcome, ParseError) for outcome in outcomes)
