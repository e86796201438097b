"""The HTML parser: only the page's text, in reading order, with list numbers as printed."""
import codecs
from pathlib import Path

import pytest

from ingest.parsers.html import decode_html, parse_html
from kb.errors import EmptyDocument

SEEDS = Path(__file__).parent / "data" / "seeds"


def blocks_of(body: str):
    return parse_html(f"<html><body>{body}</body></html>".encode(), "page.html")


def texts(body: str) -> list[str]:
    return [b.text for b in blocks_of(body)]


def test_scripts_embeds_and_event_handlers_never_reach_the_text():
    page = """
    <p onclick="steal()">Visible <a href="javascript:alert(2)" onmouseover="track()">text</a>.</p>
    <script>alert(1)</script><style>p { color: red }</style><noscript>enable scripts</noscript>
    <iframe src="https://ads.example">framed</iframe><object data="x.swf">plugin</object>
    <embed src="x.swf"><svg><text>drawn</text></svg><template>later</template>
    <form action="/search"><input name="q"><button onclick="go()">Search</button></form>
    <!-- a comment -->
    """
    text = " ".join(texts(page))
    assert text == "Visible text."


def test_navigation_page_header_footer_and_asides_are_dropped():
    page = """
    <header><h1>Ministry website</h1></header><nav><a href="/">Home</a></nav>
    <div role="navigation">Menu</div><aside>Related news</aside>
    <main><article><header><h1>Joint Declaration</h1></header><p>We declare.</p></article></main>
    <footer>Copyright</footer>
    """
    assert texts(page) == ["Joint Declaration", "We declare."]


def test_the_pandoc_title_block_header_is_dropped():
    blocks = parse_html((SEEDS / "2018-03-16-brdo-ministerial-joint-declaration.html").read_bytes(), "brdo")
    assert blocks[0].text == "BRDO PROCESS MINISTERIAL MEETING"
    assert not any("002_6232be3b162d5a13" in b.text for b in blocks)


def test_headings_keep_their_level_and_inline_tags_stay_inline():
    blocks = blocks_of("<h3>Part <em>2</em></h3><p>One<br>two <strong>bold</strong><u>under</u> <span>end</span></p>")
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("heading", 3, "Part 2"),
        ("paragraph", 0, "One two boldunder end"),
    ]


@pytest.mark.parametrize(
    "opening, markers",
    [
        ("<ol>", ["1.", "2.", "3."]),
        ('<ol start="6">', ["6.", "7.", "8."]),
        ('<ol type="i" start="4">', ["(iv)", "(v)", "(vi)"]),
        ('<ol type="I">', ["I.", "II.", "III."]),
        ('<ol type="a">', ["(a)", "(b)", "(c)"]),
        ('<ol type="A" start="26">', ["Z.", "AA.", "AB."]),
        ("<ol reversed>", ["3.", "2.", "1."]),
        ("<ul>", ["", "", ""]),
    ],
)
def test_list_items_carry_the_marker_the_browser_prints(opening, markers):
    closing = "</ul>" if opening == "<ul>" else "</ol>"
    blocks = blocks_of(f"{opening}<li>one</li><li>two</li><li>three</li>{closing}")
    assert [(b.kind, b.marker) for b in blocks] == [("item", m) for m in markers]


def test_a_value_attribute_renumbers_from_that_item_on():
    blocks = blocks_of('<ol><li>one</li><li value="10">ten</li><li>eleven</li></ol>')
    assert [b.marker for b in blocks] == ["1.", "10.", "11."]


def test_a_pandoc_wrapper_item_gives_only_the_numbered_item_inside_it():
    blocks = blocks_of('<ul><li><ol start="2" type="1"><li>Applying an approach to:</li></ol></li></ul>')
    assert [(b.text, b.kind, b.level, b.marker) for b in blocks] == [("Applying an approach to:", "item", 1, "2.")]


def test_an_item_with_its_own_text_comes_before_its_nested_items():
    blocks = blocks_of('<ol><li>Measures:<ol type="a"><li>first</li><li>second</li></ol></li><li>Next</li></ol>')
    assert [(b.text, b.level, b.marker) for b in blocks] == [
        ("Measures:", 0, "1."),
        ("first", 1, "(a)"),
        ("second", 1, "(b)"),
        ("Next", 0, "2."),
    ]


def test_unclosed_items_paragraphs_and_cells_end_where_html_implies():
    page = "<ol><li>one<li>two</ol><p>first<p>second<table><tr><td>a<td>b<tr><td>c</table>"
    assert texts(page) == ["one", "two", "first", "second", "a | b", "c"]


def test_a_long_page_of_unclosed_paragraphs_is_read_flat():
    blocks = blocks_of("<p>A paragraph." * 5000)
    assert len(blocks) == 5000


def test_table_rows_definitions_and_quotes_become_paragraphs():
    page = (
        "<table><tr><th>Goal</th><th>Measure</th></tr><tr><td>Prevent</td><td></td><td>Train</td></tr></table>"
        "<dl><dt>TRM</dt><dd>Transnational Referral Mechanism</dd></dl><blockquote>Quoted.</blockquote>"
    )
    assert texts(page) == ["Goal | Measure", "Prevent | Train", "TRM", "Transnational Referral Mechanism", "Quoted."]


def test_loose_text_in_a_div_becomes_its_own_paragraph():
    assert texts("<div>Lead text <em>here</em><p>Inner.</p>tail</div>") == ["Lead text here", "Inner.", "tail"]


CYRILLIC = '<meta charset="windows-1251"><p>Привет</p>'
LATIN_LABEL = '<meta charset="iso-8859-1"><p>“Café”</p>'  # read as Windows-1252, as browsers do


@pytest.mark.parametrize(
    "data, expected",
    [
        (codecs.BOM_UTF8 + "<p>“Café”</p>".encode(), "<p>“Café”</p>"),
        ("<p>Café</p>".encode("utf-16"), "<p>Café</p>"),
        (CYRILLIC.encode("cp1251"), CYRILLIC),
        (LATIN_LABEL.encode("cp1252"), LATIN_LABEL),
        ("<p>Café</p>".encode(), "<p>Café</p>"),
        ("<p>“Café”</p>".encode("cp1252"), "<p>“Café”</p>"),
    ],
    ids=["bom", "utf-16-bom", "meta", "latin-1-label", "utf-8", "cp1252-fallback"],
)
def test_bytes_are_decoded_by_bom_then_meta_then_utf8_then_cp1252(data, expected):
    assert decode_html(data) == expected


@pytest.mark.parametrize("page", [b"", b"<html><head><title>T</title></head><body> </body></html>", b"<script>x</script>"])
def test_a_page_without_text_is_empty(page):
    with pytest.raises(EmptyDocument) as error:
        parse_html(page, "blank.html")
    assert str(error.value) == "blank.html: no text found in the HTML page"
