"""GRETA's recommendations as items of their own: strength, country, round, the
paragraph they stand in, the conclusions appendix, and the kind/strength/country/round
facets in the CLI, the JSON API and the web UI."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ingest.clean import clean_blocks
from ingest.manifest import entry_from_table, load_manifest
from ingest.parsers.text import parse_text
from ingest.pipeline import ingest
from ingest.segment import segment
from kb.greta_meta import detect_country, detect_round, parse_round
from kb.recommendations import find_recommendations, sentences, strength_of
from tests.conftest import run_kb

GRETA = Path(__file__).parent / "data" / "greta"
REPORT = GRETA / "greta-2023-slovenia-report.txt"
PRESS_RELEASE = GRETA / "greta-2023-slovenia-press-release.txt"
REPORT_ID = "greta-2023-slovenia"
RELEASE_ID = "greta-2023-slovenia-press"


def passages_of(path: Path, doc_id: str = "doc"):
    return segment(clean_blocks(parse_text(path.read_text(encoding="utf-8"))), doc_id)


def urges_sentences(path: Path) -> list[str]:
    """Every sentence of a fixture in which GRETA urges, as written."""
    lines = re.sub(r"\*\*", "", path.read_text(encoding="utf-8")).splitlines()
    found = [s for line in lines for s in re.split(r"(?<=\.)\s+", line)]
    return [s for s in found if re.search(r"\bGRETA (?:also )?urges\b", s)]


# --- finding them in text ---------------------------------------------------------


@pytest.mark.parametrize("path", [REPORT, PRESS_RELEASE], ids=["report", "press-release"])
def test_each_greta_urges_sentence_is_a_recommendation_with_strength_urges(path):
    found = find_recommendations(passages_of(path))
    urged = [r for r in found if r.strength == "urges"]
    wanted = [s for s in urges_sentences(path) if not s.rstrip().endswith(":") and "(paragraph" not in s]
    assert wanted
    for sentence in wanted:
        assert any(r.text == sentence.strip() for r in urged), sentence


def test_strengths_map_urges_should_and_invites():
    assert strength_of("GRETA urges the authorities to act.") == "urges"
    assert strength_of("GRETA once again urges the authorities to act.") == "urges"
    assert strength_of("GRETA considers that the Slovenian authorities should act.") == "should"
    assert strength_of("GRETA recommends that the authorities act.") == "should"
    assert strength_of("GRETA invites the authorities to act.") == "invites"
    assert strength_of("The authorities should act, GRETA notes.") == ""
    assert strength_of("GRETA considers that progress has been made.") == ""


def test_a_recommendation_keeps_its_paragraph_and_links_to_it():
    passages = passages_of(REPORT)
    by_id = {p.passage_id: p for p in passages}
    found = find_recommendations(passages)
    in_14 = [r for r in found if by_id[r.parent].number == "14."]
    assert [r.strength for r in in_14] == ["urges", "should"]
    for item in in_14:
        paragraph = by_id[item.parent]
        assert item.kind == "recommendation"
        assert item.text in paragraph.text
        assert (item.number, item.heading) == (paragraph.number, paragraph.heading)
        assert item.seq > max(p.seq for p in passages)  # an id of its own, after the passages
    assert "According to the information provided" not in in_14[0].text  # the sentence, not the paragraph


def test_each_item_of_an_urges_list_is_its_own_recommendation_with_the_lead():
    passages = passages_of(REPORT)
    by_id = {p.passage_id: p for p in passages}
    listed = [r for r in find_recommendations(passages) if by_id[r.parent].number in ("(a)", "(b)")]
    assert [by_id[r.parent].number for r in listed] == ["(a)", "(b)"]
    for item in listed:
        assert item.strength == "urges"
        assert item.text.startswith("GRETA urges the Slovenian authorities to: " + by_id[item.parent].number)


def test_an_inline_list_after_the_lead_is_split_into_items():
    from kb.model import Passage

    text = "GRETA urges the authorities to: (a) train judges on compensation; (b) set up a fund for victims."
    found = find_recommendations([Passage("doc", 1, text, number="20.")])
    assert [r.text for r in found] == [
        "GRETA urges the authorities to: (a) train judges on compensation;",
        "GRETA urges the authorities to: (b) set up a fund for victims.",
    ]


def test_appendix_entries_that_cite_a_paragraph_are_not_counted_twice():
    passages = passages_of(REPORT)
    appendix = {p.passage_id for p in passages if "conclusions and proposals" in p.heading}
    assert appendix
    assert not [r for r in find_recommendations(passages) if r.parent in appendix]


def test_sentences_stay_whole_across_abbreviations():
    assert sentences("See e.g. Slovenia (para. 12). GRETA urges the authorities to act.") == [
        "See e.g. Slovenia (para. 12).", "GRETA urges the authorities to act.",
    ]


# --- country and round --------------------------------------------------------------


@pytest.mark.parametrize("text, country", [
    ("Report concerning the implementation of the Council of Europe Convention on Action against "
     "Trafficking in Human Beings by Slovenia", "Slovenia"),
    ("... Trafficking in Human Beings by the Slovak Republic. Third evaluation round", "Slovak Republic"),
    ("GRETA publishes its second report on Bosnia and Herzegovina", "Bosnia and Herzegovina"),
    ("Evaluation Report Turkey", "Türkiye"),
    ("GRETA visited Ljubljana.", ""),
])
def test_country_is_read_from_the_wording(text, country):
    assert detect_country(text) == country


@pytest.mark.parametrize("text, number", [
    ("Third evaluation round", 3), ("in the second evaluation round", 2), ("its first report on Malta", 1),
    ("GRETA(2023)08", None),
])
def test_round_is_read_from_the_wording(text, number):
    assert detect_round(text) == number


def test_round_accepts_numbers_and_ordinals_and_refuses_the_rest():
    assert [parse_round(v) for v in ("3", 3, "third", "2nd")] == [3, 3, 3, 2]
    with pytest.raises(ValueError, match="round 'latest' must be a number from 1 to 9"):
        parse_round("latest")


def test_manifest_takes_country_and_round(tmp_path):
    manifest = tmp_path / "sources.toml"
    manifest.write_text(
        '[[document]]\nid = "a"\ntitle = "A"\nissuer = "GRETA"\ndoc_type = "greta_report"\nsource = "a.txt"\n'
        'country = "Slovakia"\nround = "second"\n'
        '[[document]]\nid = "b"\ntitle = "B"\nissuer = "GRETA"\ndoc_type = "greta_report"\nsource = "b.txt"\nround = "soon"\n',
        encoding="utf-8",
    )
    entries, errors = load_manifest(manifest)
    assert [(e.country, e.round) for e in entries] == [("Slovak Republic", 2)]
    assert [str(e) for e in errors] == [
        f"{manifest} [document 2, id 'b']: round 'soon' must be a number from 1 to 9 or a word such as 'third'"
    ]


# --- indexed: search, facets, API, web ----------------------------------------------


@pytest.fixture(scope="module")
def greta_home(corpus_home, tmp_path_factory) -> Path:
    """The corpus with the GRETA report and press release added (no country or round given)."""
    home = tmp_path_factory.mktemp("greta") / "home"
    shutil.copytree(corpus_home, home)
    entries = [
        entry_from_table({"id": REPORT_ID, "title": "Evaluation Report Slovenia", "issuer": "GRETA",
                          "doc_type": "greta_report", "date": "2023-06-15", "source": str(REPORT)}, GRETA),
        entry_from_table({"id": RELEASE_ID, "title": "GRETA publishes its third report on Slovenia",
                          "issuer": "Council of Europe", "doc_type": "other", "date": "2023-06-15",
                          "source": str(PRESS_RELEASE)}, GRETA),
    ]
    assert ingest(entries, home).ok
    return home


def search_json(home: Path, query: str, *filters: str) -> dict:
    args = ["search", query, "--json", "--limit", "100"] + [a for f in filters for a in ("--filter", f)]
    done = run_kb(*args, home=home)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_kind_strength_and_theme_query_lists_recommendations_only(greta_home):
    found = search_json(greta_home, "kind:recommendation strength:urges theme:compensation")
    assert found["total"] == len(found["hits"]) >= 2
    assert {h["doc_id"] for h in found["hits"]} == {REPORT_ID, RELEASE_ID}
    for hit in found["hits"]:
        assert (hit["kind"], hit["strength"], hit["country"], hit["round"]) == ("recommendation", "urges", "Slovenia", 3)
        assert "compensation" in hit["themes"] and "GRETA" in hit["text"] and "urges" in hit["text"]
        assert hit["parent"].startswith(hit["doc_id"] + ":")


def test_a_strength_finds_that_strength_alone(greta_home):
    should = search_json(greta_home, "strength:should")
    assert should["total"] >= 3
    assert {h["strength"] for h in should["hits"]} == {"should"}
    assert search_json(greta_home, "", "strength!=urges", "kind=recommendation")["facets"]["strength"].keys() == {"should", "invites"}


def test_passages_are_kind_passage_and_facets_count_both_kinds(greta_home):
    shown = json.loads(run_kb("show", REPORT_ID, "--json", home=greta_home).stdout)
    found = search_json(greta_home, "", f"doc_id={REPORT_ID}")
    assert found["facets"]["kind"] == {"passage": len(shown["passages"]), "recommendation": len(shown["recommendations"])}
    assert found["facets"]["strength"] == {"urges": 3, "should": 2, "invites": 1}
    assert found["facets"]["country"] == {"Slovenia": found["total"]}
    assert found["facets"]["round"] == {"3": found["total"]}
    passages = search_json(greta_home, "kind:passage compensation")
    assert passages["hits"] and {h["kind"] for h in passages["hits"]} == {"passage"}
    assert {h["strength"] for h in passages["hits"]} == {""}


def test_show_links_recommendations_and_the_conclusions_to_their_paragraphs(greta_home):
    shown = json.loads(run_kb("show", REPORT_ID, "--json", home=greta_home).stdout)
    assert (shown["document"]["country"], shown["document"]["round"]) == ("Slovenia", 3)
    by_number = {p["number"]: p for p in shown["passages"] if p["number"]}
    assert [r["strength"] for r in by_number["14."]["recommendations"]] == ["urges", "should"]
    cited = [p for p in shown["passages"] if p["refers_to"]]
    assert [[a["number"] for a in p["refers_to"]] for p in cited] == [["14."], ["14."], ["15."], ["16.", "17."]]
    assert len(by_number["14."]["referred_by"]) == 2
    assert {r["parent"] for r in shown["recommendations"]} <= {p["passage_id"] for p in shown["passages"]}


def test_recommendations_stay_out_of_precedents(greta_home):
    from kb.drafting import precedents

    sentence = "GRETA urges the Slovenian authorities to take further steps to guarantee effective access to compensation"
    results = precedents(sentence, greta_home)
    shown = json.loads(run_kb("show", REPORT_ID, "--json", home=greta_home).stdout)
    recommendation_ids = {r["passage_id"] for r in shown["recommendations"]}
    assert results and not recommendation_ids & {r["passage_id"] for r in results}


@pytest.fixture(scope="module")
def greta_client(greta_home):
    from search_app import create_app

    return create_app({"TESTING": True, "KB_HOME": str(greta_home)}).test_client()


def test_api_returns_the_new_fields_and_takes_them_as_parameters(greta_client):
    answer = greta_client.get("/api/search", query_string={"q": "compensation", "kind": "recommendation", "round": "3"})
    assert answer.status_code == 200
    hits = answer.json["hits"]
    assert hits and all(h["kind"] == "recommendation" and h["round"] == 3 and h["country"] == "Slovenia" for h in hits)
    assert all(h["strength"] in ("urges", "should", "invites") for h in hits)
    bad = greta_client.get("/api/search", query_string={"q": "round:third"})
    assert bad.status_code == 400 and "round takes a number" in bad.json["error"]


def test_web_facet_links_toggle_strength_and_kind(greta_client):
    facets = greta_client.get("/api/facets", query_string={"q": "compensation"}).json["facets"]
    strength = next(f for f in facets if f["name"] == "strength")
    assert [v["value"] for v in strength["values"]] == ["urges", "should", "invites"]
    urges = strength["values"][0]
    assert parse_qs(urlparse(urges["toggle_url"]).query)["strength"] == ["urges"]
    page = greta_client.get(urges["toggle_url"]).get_data(as_text=True)
    assert "recommendation: urges" in page and "recommendation: should" not in page
    after = greta_client.get("/api/facets?" + urlparse(urges["toggle_url"]).query).json["facets"]
    selected = next(f for f in after if f["name"] == "strength")["values"][0]
    assert selected["selected"] and "strength=" not in selected["toggle_url"]
    kinds = {v["value"]: v["count"] for v in next(f for f in facets if f["name"] == "kind")["values"]}
    assert kinds["recommendation"] >= 4 and kinds["passage"] >= 4


def test_document_page_shows_recommendations_and_conclusion_links(greta_client):
    page = greta_client.get(f"/doc/{REPORT_ID}").get_data(as_text=True)
    shown = greta_client.get(f"/api/documents/{REPORT_ID}").json
    for item in shown["recommendations"]:
        assert f'id="p-{item["seq"]}"' in page
    assert "paragraph 14</a>" in page and "In GRETA's conclusions and proposals for action" in page
    assert "evaluation round 3" in page and "Slovenia" in page


def test_retag_keeps_recommendations(greta_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(greta_home, home)
    before = search_json(home, "kind:recommendation")["total"]
    assert run_kb("retag", home=home).returncode == 0
    assert search_json(home, "kind:recommendation")["total"] == before > 0


def test_export_carries_the_recommendation_columns(greta_home, tmp_path):
    out = tmp_path / "recs.csv"
    done = run_kb("export", "kind:recommendation strength:invites", "-o", str(out), home=greta_home)
    assert done.returncode == 0, done.stderr
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    assert {"kind", "strength", "country", "round"} <= set(header)
    assert len(rows) == 3 and all(",recommendation,invites,Slovenia,3," in row for row in rows[1:])


def test_a_recommendation_can_go_into_the_basket(greta_client):
    shown = greta_client.get(f"/api/documents/{REPORT_ID}").json
    item = shown["recommendations"][0]
    answer = greta_client.post("/basket/export", json={"items": [{"passage_id": item["passage_id"], "note": "follow up"}],
                                                       "format": "jsonl"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    exported = json.loads(answer.get_data(as_text=True).splitlines()[0])
    assert (exported["text"], exported["kind"], exported["note"]) == (item["text"], "recommendation", "follow up")
