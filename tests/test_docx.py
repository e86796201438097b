"""The Word parser: headings, printed list numbers, tables, and refusal of bad files."""
import io
import zipfile
from pathlib import Path

import pytest

from ingest.parsers.docx import parse_docx
from kb.errors import EmptyDocument, ParseError

SEEDS = Path(__file__).parent / "data" / "seeds"
BRDO = SEEDS / "2018-03-16-brdo-ministerial-joint-declaration.docx"
STRATEGY = SEEDS / "2020-03-04-natc-see-strategy-paper-2020-2024.docx"
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
UNREADABLE = "not a readable Word document (corrupt or truncated)"


def make_docx(body: str, styles: str = "", numbering: str = "") -> bytes:
    """Build a minimal Word file around the given body XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", f"<w:document {NS}><w:body>{body}</w:body></w:document>")
        if styles:
            package.writestr("word/styles.xml", f"<w:styles {NS}>{styles}</w:styles>")
        if numbering:
            package.writestr("word/numbering.xml", f"<w:numbering {NS}>{numbering}</w:numbering>")
    return buffer.getvalue()


def para(text: str, props: str = "") -> str:
    return f'<w:p><w:pPr>{props}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def style(style_id: str, name: str, extra: str = "") -> str:
    return f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>{extra}</w:style>'


def listed(text: str, num_id: str, ilvl: int) -> str:
    return para(text, f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')


# A decimal outer level "1." with lower-case letters "(a)" beneath it.
OUTLINE = (
    '<w:abstractNum w:abstractNumId="1">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%2)"/></w:lvl>'
    '</w:abstractNum><w:num w:numId="7"><w:abstractNumId w:val="1"/></w:num>'
)


def test_numbered_clauses_of_the_2018_declaration_get_their_printed_numbers():
    items = [b for b in parse_docx(BRDO.read_bytes(), "brdo") if b.marker]
    assert [b.marker for b in items] == [f"{n})" for n in range(1, 10)]
    sixth = items[5]
    assert sixth.kind == "item"
    assert sixth.text.startswith("Continuing to explore avenues for setting up formal compensation")


def test_bullets_are_items_without_a_marker_and_empty_wrappers_give_nothing():
    blocks = parse_docx(BRDO.read_bytes(), "brdo")
    bullets = [b for b in blocks if b.kind == "item" and not b.marker]
    assert [b.text.split()[0] for b in bullets] == ["ensuring", "providing", "ensuring", "strengthening"]
    assert all(b.text for b in blocks)


def test_roman_numbers_follow_the_start_override_of_each_list():
    markers = [b.marker for b in parse_docx(STRATEGY.read_bytes(), "strategy") if b.marker]
    assert markers[:4] == ["(i)", "(ii)", "(iii)", "(iv)"]


def test_heading_levels_come_from_paragraph_styles():
    headings = [(b.text, b.level) for b in parse_docx(STRATEGY.read_bytes(), "strategy") if b.kind == "heading"]
    assert headings[:4] == [
        ("Strategy Paper 2020 – 2024", 1),
        ("Part 1: Introduction", 2),
        ("Part 2: The Added Value of the Network", 3),
        ("Part 3: Strategic Priorities for 2020-2024", 2),
    ]


def test_heading_style_ids_are_resolved_through_style_names_and_basedon():
    styles = (
        style("berschrift2", "heading 2")
        + style("Titel", "Title")
        + style("Custom", "Annex heading", '<w:basedOn w:val="berschrift2"/>')
    )
    body = (
        para("Declaration", '<w:pStyle w:val="Titel"/>')
        + para("Preamble", '<w:pStyle w:val="berschrift2"/>')
        + para("Annex", '<w:pStyle w:val="Custom"/>')
        + para("Body text.")
    )
    blocks = parse_docx(make_docx(body, styles), "doc")
    assert [(b.text, b.kind, b.level) for b in blocks] == [
        ("Declaration", "heading", 1),
        ("Preamble", "heading", 2),
        ("Annex", "heading", 2),
        ("Body text.", "paragraph", 0),
    ]


def test_a_shallower_level_restarts_the_counters_beneath_it():
    body = (
        listed("first", "7", 0) + listed("first a", "7", 1) + listed("first b", "7", 1)
        + listed("second", "7", 0) + listed("second a", "7", 1)
    )
    blocks = parse_docx(make_docx(body, numbering=OUTLINE), "doc")
    assert [(b.marker, b.level) for b in blocks] == [("1.", 0), ("(a)", 1), ("(b)", 1), ("2.", 0), ("(a)", 1)]


def test_list_numbering_can_come_from_the_paragraph_style():
    styles = style("ListNumber", "List Number", '<w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr>')
    body = para("one", '<w:pStyle w:val="ListNumber"/>') + para("two", '<w:pStyle w:val="ListNumber"/>')
    blocks = parse_docx(make_docx(body, styles, OUTLINE), "doc")
    assert [b.marker for b in blocks] == ["1.", "2."]


def test_text_leaves_out_deletions_and_field_codes_and_reads_tabs_and_breaks_as_spaces():
    body = (
        "<w:p><w:r><w:t>Kept</w:t></w:r>"
        "<w:del><w:r><w:delText> struck out</w:delText></w:r></w:del>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:tab/><w:t>link</w:t><w:br/><w:t>text</w:t></w:r></w:p>"
    )
    assert [b.text for b in parse_docx(make_docx(body), "doc")] == ["Kept link text"]


def test_a_table_row_becomes_one_block_with_its_cells_joined():
    row = "<w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr>".format(
        para("Goal") + para("one"), para(""), para("Measure")
    )
    blocks = parse_docx(make_docx(f"<w:tbl>{row}</w:tbl>"), "doc")
    assert [b.text for b in blocks] == ["Goal one | Measure"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        with package.open("word/document.xml", "w") as document:
            for _ in range(60):
                document.write(b" " * (1 << 20))
    assert len(buffer.getvalue()) < 1 << 20  # 60 MB packed into well under 1 MB
    with pytest.raises(ParseError) as error:
        parse_docx(buffer.getvalue(), "bomb.docx")
    assert str(error.value) == "bomb.docx: refused: the Word file unpacks to more than 50 MB (a zip bomb?)"


def zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, reason",
    [
        (BRDO.read_bytes()[:3000], UNREADABLE),
        (BRDO.read_bytes()[:-40], UNREADABLE),
        (b"PK\x03\x04 not really a zip", UNREADABLE),
        (zip_of("word/other.xml", "<a/>"), UNREADABLE),
        (zip_of("word/document.xml", f"<w:document {NS}><w:body>"), UNREADABLE),
        (
            zip_of("word/document.xml", '<!DOCTYPE d [<!ENTITY e "boom">]><w:document/>'),
            "refused: the Word file declares a DTD or entities",
        ),
    ],
    ids=["truncated", "tail-cut", "not-a-zip", "no-document", "bad-xml", "dtd"],
)
def test_bad_files_raise_a_parse_error_saying_why(data, reason):
    with pytest.raises(ParseError) as error:
        parse_docx(data, "bad.docx")
    assert str(error.value) == f"bad.docx: {reason}"


def test_a_document_without_text_is_empty():
    with pytest.raises(EmptyDocument) as error:
        parse_docx(make_docx(para("") + "<w:p/>"), "blank.docx")
    assert str(error.value) == "blank.docx: no text found in the Word document"
