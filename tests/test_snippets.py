"""Snippets show whole words around the matched ones, and mark only those."""
from kb.snippets import BETWEEN, snippet

LONG = (
    "Recalling the commitments made in Ljubljana in 2012 on transnational referral mechanisms, "
    "the coordinators reviewed the work of the regional network over many meetings and years, "
    "discussing budgets, staffing, training curricula, data protection and the exchange of practice "
    "between the national coordinators and the civil society organisations of the region; "
    "they finally agreed to set up formal compensation mechanisms for victims of trafficking."
)


def starts_with_ref(word: str) -> bool:
    return word.startswith("referr") or word.startswith("compensat")


def test_matched_words_are_marked_and_the_rest_left_alone():
    shown = snippet("Formal compensation mechanisms for victims.", lambda word: word == "compensation")
    assert shown == "Formal **compensation** mechanisms for victims."


def test_distant_matches_give_two_stretches_of_whole_words_in_reading_order():
    shown = snippet(LONG, starts_with_ref)
    first, second = shown.split(BETWEEN)
    assert "**referral**" in first and "**compensation**" in second
    for stretch in (first, second):
        assert stretch.split()[0] in LONG.split() and stretch.split()[-1] in LONG.split()
    assert len(shown) < len(LONG)


def test_no_matched_word_gives_no_snippet():
    assert snippet(LONG, lambda word: False) == ""
