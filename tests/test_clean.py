"""Cleaning mends text broken by conversion and layout."""
import pytest

from ingest.clean import clean_blocks, clean_text
from kb.model import Block


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("1. [bookmark: _GoBack]REITERATE the", "1. REITERATE the"),
        ("**formal compensation mechanisms**", "formal compensation mechanisms"),
        ("Raising <u>public awareness</u> and", "Raising public awareness and"),
        ("the Network’s “members-only club”", "the Network's \"members-only club\""),
        ("two   spaces\u00a0and\ttabs", "two spaces and tabs"),
        ("EU *acquis*.", "EU acquis."),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


def texts(blocks):
    return [b.text for b in clean_blocks(blocks)]


def test_line_break_hyphenation_is_undone():
    assert texts([Block("ensure non- punishment of trafficked persons.")]) == [
        "ensure non-punishment of trafficked persons."
    ]


def test_hyphen_dropped_where_the_document_spells_the_word_whole():
    blocks = [Block("an effective traf- ficking response."), Block("trafficking is a crime.")]
    assert texts(blocks)[0] == "an effective trafficking response."


def test_suspended_hyphen_is_kept():
    assert texts([Block("gender- and child-sensitive approach.")]) == ["gender- and child-sensitive approach."]


def test_a_sentence_cut_by_a_page_break_is_joined():
    blocks = [Block("This has led to an increased number"), Block("of bilateral agreements.")]
    assert texts(blocks) == ["This has led to an increased number of bilateral agreements."]


def test_a_numbered_clause_is_never_joined_to_the_line_before():
    blocks = [Block("as provided for in the Strategy 2021-2025,"), Block("5. UNDERTAKE TO act:")]
    assert len(texts(blocks)) == 2


def test_logo_captions_and_lone_bullets_are_dropped():
    blocks = [Block("Chair"), Block("Secretariat"), Block("•"), Block("Part 1: Introduction", kind="heading")]
    assert texts(blocks) == ["Part 1: Introduction"]
