"""How the bundled documents divide into passages: numbers, parents, roles, verbs, headings."""
from pathlib import Path

import pytest

from ingest.clean import clean_blocks
from ingest.parsers import parse
from ingest.segment import segment

DOCS = Path(__file__).resolve().parent.parent / "corpus" / "documents"


def passages(stem: str):
    path = DOCS / f"{stem}.txt"
    return segment(clean_blocks(parse(path.read_bytes(), "text", str(path))), "doc")


def find(found, start: str):
    matches = [p for p in found if p.text.startswith(start)]
    assert len(matches) == 1, f"{start!r} found {len(matches)} times"
    return matches[0]


@pytest.fixture(scope="module")
def brdo():
    return passages("2018-03-16-brdo-ministerial-joint-declaration")


@pytest.fixture(scope="module")
def statement_2021():
    return passages("2021-10-18-joint-statement-eu-anti-trafficking-day")


@pytest.fixture(scope="module")
def strategy():
    return passages("2020-03-04-natc-see-strategy-paper-2020-2024")


def test_numbered_items_under_commit_to_belong_to_it(brdo):
    commit = find(brdo, "In a spirit of mutual trust and resolve, COMMIT TO:")
    item = find(brdo, "Continuing to explore avenues for setting up formal compensation")
    assert (commit.role, commit.verb) == ("operative", "COMMIT TO")
    assert item.number == "6)"
    assert item.parent == commit.passage_id
    assert (item.role, item.verb) == ("operative", "COMMIT TO")


def test_bullets_under_a_numbered_item_belong_to_that_item(brdo):
    applying = find(brdo, "Applying a multidisciplinary")
    bullet = find(brdo, "ensuring effective prosecution of perpetrators;")
    following = find(brdo, "Promoting activities that raise public awareness")
    assert bullet.parent == applying.passage_id
    assert following.parent == applying.parent
    assert following.number == "3)"


def test_bullets_under_undertake_to_belong_to_clause_5(statement_2021):
    clause = find(statement_2021, "UNDERTAKE TO, in a spirit of common resolve:")
    bullets = [p for p in statement_2021 if p.parent == clause.passage_id]
    assert clause.number == "5."
    assert [b.text.split()[0] for b in bullets] == ["Publicise", "Step", "Continue", "Promote"]
    assert {b.verb for b in bullets} == {"UNDERTAKE TO"}
    assert find(statement_2021, "THANK the Republic").parent == ""


def test_preamble_and_operative_roles(statement_2021):
    roles = {p.text.split()[0]: p.role for p in statement_2021}
    assert roles["RECALLING"] == roles["WELCOMING"] == roles["ACKNOWLEDGING"] == "preamble"
    assert roles["REITERATE"] == roles["DECLARE"] == roles["THANK"] == "operative"
    assert find(statement_2021, "DECLARE that").verb == "DECLARE"


def test_sentence_case_preamble_items_before_the_commitments():
    found = passages("2012-10-04-ljubljana-joint-declaration-trm")
    assert find(found, "Bearing in mind the").role == "preamble"
    commit = find(found, "in a spirit of mutual trust")
    assert commit.verb == "COMMIT TO"
    item = find(found, "Supporting the establishment of new partnerships")
    assert (item.parent, item.role) == (commit.passage_id, "operative")


def test_heading_path_and_list_items_of_the_strategy_paper(strategy):
    item = find(strategy, "Continue exploring modalities for establishing compensation mechanisms")
    assert item.heading == "Part 3: Strategic Priorities for 2020-2024 › Protection"
    assert (item.number, item.role, item.verb) == ("(ii)", "list_item", "")
    assert find(strategy, "This year marks").heading == "Part 1: Introduction"
    # "Part 2" is marked up one level deeper than "Part 1" but is its sibling.
    assert find(strategy, "The cooperation of ATCs").heading == "Part 2: The Added Value of the Network"


def test_a_paragraph_cut_by_a_page_break_is_one_passage(strategy):
    passage = find(strategy, "The work of the Network has been pivotal")
    assert "led to an increased number of bilateral agreements" in passage.text


def test_conversion_debris_is_gone():
    found = passages("2022-10-18-joint-statement-ukraine")
    text = " ".join(p.text for p in found)
    assert "[bookmark" not in text and "**" not in text
    assert find(found, "REITERATE the strategic priorities").number == "1."


def test_logo_captions_and_markup_are_dropped(strategy):
    texts = [p.text for p in strategy]
    assert "Chair" not in texts and "Secretariat" not in texts
    assert not any("<u>" in t for t in texts)
    assert "ensure non-punishment of trafficked persons" in find(strategy, "Taking account of the efforts").text


def test_title_lines_joined_around_of_and_on(brdo):
    title = brdo[3]
    assert title.role == "heading"
    assert title.text.startswith("JOINT DECLARATION of the Ministers of Interior of South-East Europe on Strengthening")


def test_markdown_headings_without_a_space_after_the_marks():
    from ingest.parsers.text import parse_text

    blocks = parse_text("####Non-punishment provision\n\nEach Party shall provide.\n\n#hashtag line\n")
    assert [(b.kind, b.level, b.text) for b in blocks] == [
        ("heading", 4, "Non-punishment provision"),
        ("paragraph", 0, "Each Party shall provide."),
        ("paragraph", 0, "#hashtag line"),
    ]
