"""Drafting aids: precedents of a draft, wording lineage, boilerplate, cross-references, more like this."""
import argparse
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest.manifest import entry_from_table
from ingest.pipeline import ingest
from kb import cli_drafting, engine, settings
from kb.crossrefs import find_references
from kb.doc_links import cites, cited_by, document_links, link_details
from kb.documents import show_document
from kb.drafting import find_precedents, find_similar, more_like_this, precedents
from kb.drafting_store import ensure_store, store_path
from kb.errors import BadDraft
from kb.lineage import BOILERPLATE_DOCUMENTS
from kb.model import Document, Passage
from kb.same_wording import boilerplate_ids, first_appearance, is_boilerplate, lineage_of, passage_lineage_map
from search_app import create_app
from search_app import drafting as drafting_pages

LJUBLJANA_2012 = "natc-see-2012-ljubljana-declaration"
BRDO_2018 = "natc-see-2018-brdo-declaration"
STRATEGY_2020 = "natc-see-2020-strategy-paper"
STATEMENT_2021 = "natc-see-2021-joint-statement"
STATEMENT_2022 = "natc-see-2022-joint-statement"
RESULT_FIELDS = {"passage_id", "doc_id", "number", "date", "score", "text", "diff", "title", "citation", "overlap"}


@pytest.fixture(scope="module")
def home(corpus_home, tmp_path_factory) -> Path:
    """A copy of the corpus data directory, so the store these tests build stays out of corpus_home."""
    copy = tmp_path_factory.mktemp("drafting") / "home"
    shutil.copytree(corpus_home, copy)
    return copy


def passage(home: Path, doc_id: str, *, number: str = "", containing: str = "") -> dict:
    """The passage of a document with this printed number, or containing these words."""
    for found in show_document(doc_id, home)["passages"]:
        if (number and found["number"] == number) or (containing and containing in found["text"]):
            return found
    raise LookupError(f"{doc_id}: no passage {number or containing!r}")


def kb(home: Path, monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    """Run a drafting command as `kb` will once it registers them, and return its status and output."""
    parser = argparse.ArgumentParser(prog="kb")
    cli_drafting.register(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setenv("KB_HOME", str(home))
    args = parser.parse_args(argv)
    return args.run(args), capsys.readouterr().out


def add_documents(home: Path, folder: Path, documents: list[dict]) -> None:
    """Ingest small text documents: each a dict of manifest fields plus its paragraphs."""
    entries = []
    for document in documents:
        table = {k: v for k, v in document.items() if k != "paragraphs"}
        (folder / table["source"]).write_text("\n\n".join(document["paragraphs"]) + "\n", encoding="utf-8")
        entries.append(entry_from_table({"issuer": "Test issuer", "doc_type": "report", **table}, folder))
    report = ingest(entries, home)
    assert report.ok, report.failed


def store_generation(home: Path) -> int:
    conn = sqlite3.connect(store_path(home))
    try:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    finally:
        conn.close()


# --- precedents: the done-when checks ------------------------------------

def test_kb_precedents_on_the_2022_clause_1_returns_the_2021_clause_1_first_with_a_redline(home, monkeypatch, capsys):
    clause = passage(home, STATEMENT_2022, number="1.")
    status, out = kb(home, monkeypatch, capsys, "precedents", clause["text"], "--json")
    assert status == 0
    results = json.loads(out)["results"]
    assert results[0]["passage_id"] == passage(home, STATEMENT_2021, number="1.")["passage_id"]
    assert set(results[0]) == RESULT_FIELDS
    ops = [op for op, _ in results[0]["diff"]]
    assert ops[0] == "=" and "-" in ops and "+" in ops
    assert results[0]["diff"][0][1].startswith("REITERATE the strategic priorities for 2020-2024")
    assert clause["passage_id"] not in {r["passage_id"] for r in results}  # the draft itself is left out


def test_the_human_redline_marks_what_the_draft_dropped_and_added(home, monkeypatch, capsys):
    clause = passage(home, STATEMENT_2022, number="1.")
    status, out = kb(home, monkeypatch, capsys, "precedents", clause["text"], "--limit", "1")
    assert status == 0
    assert f"your text is {clause['passage_id']} word for word" in out
    assert "para. 1" in out and "[-countering the culture of impunity" in out and "{+on protection" in out


def test_the_draft_can_come_from_a_file(home, monkeypatch, capsys, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(passage(home, STATEMENT_2021, containing="action messages")["text"], encoding="utf-8")
    status, out = kb(home, monkeypatch, capsys, "precedents", "--file", str(draft), "--json")
    assert status == 0
    assert json.loads(out)["results"][0]["passage_id"] == passage(home, STATEMENT_2022, containing="action messages")["passage_id"]


def test_an_unreadable_draft_file_is_a_one_line_error(home, monkeypatch, capsys, tmp_path):
    with pytest.raises(BadDraft, match="cannot read the draft"):
        kb(home, monkeypatch, capsys, "precedents", "--file", str(tmp_path / "missing.txt"))


LIGHT_EDITS = [
    (BRDO_2018, "Continuing to explore avenues",
     "Continuing to explore ways of setting up formal compensation schemes for trafficked persons within "
     "general systems for compensating victims of crime;"),
    (STATEMENT_2021, "ENCOURAGE the development",
     "ENCOURAGE the development of a strong criminal justice response to conduct effective investigations, "
     "raise prosecution rates, achieve a higher number of convictions and impose proportionate sentences;"),
    (LJUBLJANA_2012, "Calling on EU Member States",
     "Calling on all EU Member States to join and develop Transnational Referral Mechanisms as a tool that has "
     "proven useful in providing adequate protection and assistance to victims of trafficking and enhancing "
     "coordination among key actors by way of regular information in order to ensure coherence of actions "
     "inside and across borders and thus uphold uniform high standards;"),
]


@pytest.mark.parametrize("doc_id, opening, draft", LIGHT_EDITS)
def test_a_corpus_clause_pasted_with_a_few_words_changed_still_finds_its_source_first(home, doc_id, opening, draft):
    found = precedents(draft, home)
    assert found[0]["passage_id"] == passage(home, doc_id, containing=opening)["passage_id"]
    assert found[0]["score"] >= 0.45
    assert {"-", "+"} <= {op for op, _ in found[0]["diff"]}


REORDERED = [
    "Provide age-appropriate protection and support services. Register unaccompanied and separated children. "
    "Cooperate with other countries to identify, trace and reunite unaccompanied, separated or missing children "
    "with their family members.",
    "Ensure access to the labour market and to language and vocational courses that could be attended in parallel "
    "with the employment. Support the organisations that provide for the immediate and long-term needs of "
    "trafficked people.",
]


@pytest.mark.parametrize("draft", REORDERED)
def test_a_clause_with_its_sentences_swapped_still_finds_its_source_first(home, draft):
    found = find_precedents(draft, home).results
    source = passage(home, STATEMENT_2022, containing=draft.split(". ")[1][:30])
    assert found[0].passage["passage_id"] == source["passage_id"]
    assert found[0].score >= 0.6
    # Every word of the draft is in a shared run, in whatever order.
    assert sum(len(run.split()) for run in found[0].overlap) == len(draft.split())


def test_exact_reuse_of_part_of_a_passage_scores_one_and_marks_the_shared_words(home):
    sentence = "Support the organisations that provide for the immediate and long-term needs of trafficked people."
    best = find_precedents(sentence, home).results[0]
    assert best.score == 1.0
    assert best.overlap == [sentence]
    start, end = best.marks[0]
    assert best.passage["text"][start:end] == sentence


BAD_DRAFTS = [
    ("", "give the text of a draft to compare"),
    ("   ", "give the text of a draft to compare"),
    ("three words only", "three words only: give at least 4 words: shorter wording is shared by chance"),
    ("word " * 4001, "20,005 characters: a draft is at most 20,000 characters: compare passages, not a whole document"),
]


@pytest.mark.parametrize("text, message", BAD_DRAFTS)
def test_a_draft_that_cannot_be_compared_says_why(home, text, message):
    with pytest.raises(BadDraft) as raised:
        find_precedents(text, home)
    assert str(raised.value) == message


# --- more like this --------------------------------------------------------

def test_more_like_this_works_for_one_passage_and_leaves_it_out(home, monkeypatch, capsys):
    clause = passage(home, STATEMENT_2022, number="1.")
    similar = more_like_this(clause["passage_id"], home, limit=5)
    assert similar[0]["passage_id"] == passage(home, STATEMENT_2021, number="1.")["passage_id"]
    assert clause["passage_id"] not in {s["passage_id"] for s in similar}
    status, out = kb(home, monkeypatch, capsys, "similar", clause["passage_id"], "--json")
    assert status == 0 and json.loads(out)["results"] == more_like_this(clause["passage_id"], home)


def test_a_passage_too_short_to_compare_has_nothing_like_it(home):
    heading = passage(home, STRATEGY_2020, containing="Protection")
    assert len(heading["text"].split()) < 4
    assert find_similar(heading["passage_id"], home)[1].results == []


# --- wording lineage ---------------------------------------------------------

def test_clause_1_of_2021_and_2022_share_a_lineage_that_starts_in_2021(home):
    first = passage(home, STATEMENT_2021, number="1.")["passage_id"]
    second = passage(home, STATEMENT_2022, number="1.")["passage_id"]
    assert lineage_of(second, home) == lineage_of(first, home) == [first, second]
    assert first_appearance(second, home) == first


def test_a_clause_quoting_a_strategy_priority_is_not_a_version_of_it(home):
    # 2022's clause 1 quotes the Strategy Paper's first protection priority
    # whole, with as much again around it: a quotation, not a restatement.
    priority = passage(home, STRATEGY_2020, containing="Maintaining the focus")["passage_id"]
    assert priority not in lineage_of(passage(home, STATEMENT_2022, number="1.")["passage_id"], home)


def test_the_action_messages_of_2021_and_2022_share_a_lineage(home):
    earlier = passage(home, STATEMENT_2021, containing="action messages")["passage_id"]
    later = passage(home, STATEMENT_2022, containing="action messages")["passage_id"]
    assert lineage_of(later, home) == [earlier, later]


def test_the_lineage_map_gives_every_passage_of_a_document_its_lineage(home):
    lineages = passage_lineage_map(home, STATEMENT_2022)
    passages = show_document(STATEMENT_2022, home)["passages"]
    assert list(lineages) == [p["passage_id"] for p in passages]
    clause = passage(home, STATEMENT_2022, number="1.")["passage_id"]
    assert lineages[clause] == lineage_of(clause, home)
    assert lineages[passage(home, STATEMENT_2022, number="2.")["passage_id"]] == []


# --- boilerplate -------------------------------------------------------------

THANKS = ("We thank the Secretariat of the Regional Working Group on Labour Inspection for its tireless support "
          "in preparing this meeting and its documents.")
OWN_WORDS = [
    "Labour inspectors in agriculture shall receive training on indicators of forced labour before the harvest season.",
    "Shelters for men who were trafficked remain scarce, and the ministries shall open two by the end of next year.",
    "Prosecutors are asked to report each quarter on the confiscation of criminal assets in trafficking cases.",
    "The hotline will answer in Ukrainian, Russian and Romani, and its number will be printed on every leaflet.",
]


def meetings(count: int) -> list[dict]:
    """Records of meetings that each say something of their own, then thank the secretariat alike."""
    return [
        {"id": f"meeting-{n}", "title": f"Conclusions of meeting {n}", "source": f"meeting-{n}.txt",
         "date": f"2023-0{n + 1}-15", "paragraphs": [OWN_WORDS[n], THANKS]}
        for n in range(count)
    ]


def test_wording_that_recurs_in_enough_documents_is_boilerplate(home_copy, tmp_path):
    add_documents(home_copy, tmp_path, meetings(BOILERPLATE_DOCUMENTS + 1))
    flagged = boilerplate_ids(home_copy)
    for n in range(BOILERPLATE_DOCUMENTS + 1):
        records = show_document(f"meeting-{n}", home_copy)["passages"]
        thanks = next(p for p in records if p["text"] == THANKS)["passage_id"]
        own = next(p for p in records if p["text"] == OWN_WORDS[n])["passage_id"]
        assert thanks in flagged and is_boilerplate(thanks, home_copy)
        assert own not in flagged
    hidden = find_precedents(THANKS + " Thank you.", home_copy, hide_boilerplate=True).results
    assert not any(result.passage["text"] == THANKS for result in hidden)


def test_wording_in_fewer_documents_is_not_boilerplate(home_copy, tmp_path):
    add_documents(home_copy, tmp_path, meetings(BOILERPLATE_DOCUMENTS - 1))
    thanks = {p["passage_id"] for n in range(BOILERPLATE_DOCUMENTS - 1)
              for p in show_document(f"meeting-{n}", home_copy)["passages"] if p["text"] == THANKS}
    assert thanks and not thanks & boilerplate_ids(home_copy)


def test_the_thanks_to_the_secretariat_of_the_corpus_is_boilerplate_and_clause_1_is_not(home):
    flagged = boilerplate_ids(home)
    for doc_id, opening in ((BRDO_2018, "THANKING Slovenia"), (STATEMENT_2021, "THANK the Republic"),
                            (STATEMENT_2022, "THANK the Republic")):
        assert passage(home, doc_id, containing=opening)["passage_id"] in flagged
    assert passage(home, STATEMENT_2021, number="1.")["passage_id"] not in flagged


# --- cross-references ----------------------------------------------------------

def test_the_strategy_paper_is_cited_by_the_2021_and_2022_statements(home):
    assert cited_by(STRATEGY_2020, home) == [STATEMENT_2021, STATEMENT_2022]
    reference = next(r for r in link_details(STRATEGY_2020, home)["cited_by"] if r["doc_id"] == STATEMENT_2022)
    assert reference["text"].endswith("adopted on 4 March 2020")


def test_the_2018_declaration_cites_the_2012_declaration(home):
    assert cites(BRDO_2018, home) == [LJUBLJANA_2012]
    assert BRDO_2018 in cited_by(LJUBLJANA_2012, home)
    [reference] = link_details(BRDO_2018, home)["cites"]
    assert reference["text"].endswith("of 4 October 2012")


def test_references_to_documents_outside_the_corpus_are_kept_unlinked(home):
    unlinked = {r["text"] for r in link_details(BRDO_2018, home)["unlinked"]}
    assert "COM(2017)728" in unlinked
    assert any(text.startswith("Political Declaration") and text.endswith("28 September 2017") for text in unlinked)


def test_the_2021_statement_cites_both_declarations_it_dates_in_brackets_and_nothing_later(home):
    assert document_links(STATEMENT_2021, home) == {
        "cites": [LJUBLJANA_2012, BRDO_2018, STRATEGY_2020], "cited_by": [],
    }


RECOGNISED = [
    ("the Joint Declaration on Enhancing TRM of 4 October 2012;", [("dated", "2012-10-04")]),
    ("the Strategy Paper of the Network, adopted on 4 March 2020, particularly", [("dated", "2020-03-04")]),
    ("the Joint Declarations on A (2012) and on B (2018);", [("dated", "2012"), ("dated", "2018")]),
    ("The March 2018 Ministerial Declaration gave a boost", [("dated", "2018-03")]),
    ("as set out in COM(2017)728 and COM(2021) 171", [("com", "2017/728"), ("com", "2021/171")]),
    ("under Directive 2011/36/EU", [("act", "2011/36")]),
    ("Directive (EU) 2024/1712 amends it", [("act", "2024/1712")]),
    ("the work plan for 2020/2021 and the meeting of 4 March 2020", []),
    ("the Joint Declaration of 4 October 2012 and the EU Strategy (2021);", [("dated", "2012-10-04")]),
    ("the 2018 Declaration and the Strategy Paper (2020)", [("dated", "2018"), ("dated", "2020")]),
]


@pytest.mark.parametrize("text, expected", RECOGNISED)
def test_references_are_recognised_by_date_and_number(text, expected):
    assert [(r.kind, r.key) for r in find_references(text)] == expected


def test_named_instruments_link_to_the_corpus_documents_they_name(home_copy, tmp_path):
    add_documents(home_copy, tmp_path, [
        {"id": "un-palermo-protocol", "doc_type": "convention", "date": "2000-11-15", "source": "palermo.txt",
         "title": "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children",
         "paragraphs": ["Article 1. This Protocol supplements the Convention; the Palermo Protocol is its short name."]},
        {"id": "eu-directive-2011-36", "doc_type": "eu_directive", "date": "2011-04-05", "source": "directive.txt",
         "title": "Directive 2011/36/EU on preventing and combating trafficking in human beings",
         "paragraphs": ["Article 1. This Directive establishes minimum rules on offences and sanctions."]},
        {"id": "com-2017-728", "doc_type": "eu_strategy", "date": "2017-12-04", "source": "com.txt",
         "title": "Communication on the follow-up to the EU Strategy towards the Eradication of trafficking",
         "paragraphs": ["This Communication sets out further concrete actions against trafficking."]},
    ])
    assert {"un-palermo-protocol", "eu-directive-2011-36"} <= set(cites(STATEMENT_2021, home_copy))
    assert "com-2017-728" in cites(BRDO_2018, home_copy)
    assert "un-palermo-protocol" not in cited_by("un-palermo-protocol", home_copy)  # never itself


# --- the store: derived, rebuilt after each commit, swapped in whole ------------

NEW_PAPER = {"id": "new-paper", "title": "New paper", "source": "new.txt", "date": "2023-05-01",
             "paragraphs": ["Labour inspectors shall be trained to identify trafficking for forced labour in "
                            "agriculture and construction."]}


def test_the_store_is_rebuilt_after_a_new_commit(home_copy, tmp_path):
    path = ensure_store(home_copy)
    built = (path.stat().st_ino, store_generation(home_copy))
    add_documents(home_copy, tmp_path, [NEW_PAPER])
    generation = engine.generation(settings.index_dir(home_copy))
    assert built[1] < generation
    found = precedents("Labour inspectors shall be trained to identify trafficking for forced labour", home_copy)
    assert found[0]["doc_id"] == "new-paper"
    assert store_generation(home_copy) == generation
    assert path.stat().st_ino != built[0]  # a new file swapped in, not the old one edited
    assert not list(home_copy.glob(".drafting-*"))


# Whoosh leaves the files of a half-opened, damaged index to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_build_that_fails_leaves_the_old_store(home_copy, tmp_path):
    path = ensure_store(home_copy)
    old = (path.stat().st_ino, store_generation(home_copy), path.read_bytes())
    index_dir = settings.index_dir(home_copy)
    segments = set(index_dir.glob("*.seg"))
    # Commit straight to the index, as a crash before the store's own rebuild would leave it.
    with engine.writing(index_dir) as writer:
        writer.replace_document(
            Document(id="new-paper", title="New paper", issuer="I", doc_type="report", source="new.txt", date="2023"),
            [Passage("new-paper", 1, NEW_PAPER["paragraphs"][0])], "",
        )
    for segment in set(index_dir.glob("*.seg")) - segments:
        segment.unlink()  # the new commit's data is lost: the index can no longer be read
    with pytest.raises(Exception):
        ensure_store(home_copy)
    assert (path.stat().st_ino, store_generation(home_copy), path.read_bytes()) == old
    assert not list(home_copy.glob(".drafting-*"))


def test_the_store_works_under_a_relative_data_directory(home, monkeypatch):
    clause = passage(home, STATEMENT_2022, number="1.")["passage_id"]
    monkeypatch.chdir(home.parent)
    assert lineage_of(clause, Path(home.name)) == lineage_of(clause, home)


def test_a_damaged_store_is_built_again(home_copy):
    path = ensure_store(home_copy)
    path.write_bytes(b"not a database")
    ensure_store(home_copy)
    assert store_generation(home_copy) == engine.generation(settings.index_dir(home_copy))


# --- the web pages and the API -------------------------------------------------

@pytest.fixture(scope="module")
def client(home):
    app = create_app({"TESTING": True, "KB_HOME": str(home)})
    drafting_pages.init_app(app)
    drafting_pages.init_app(app)  # a second call does no harm
    return app.test_client()


def test_the_api_returns_precedents_as_json(client, home):
    text = passage(home, STATEMENT_2022, number="1.")["text"]
    answer = client.post("/api/precedents", json={"text": text, "limit": 3})
    assert answer.status_code == 200
    results = answer.json["results"]
    assert list(answer.json) == ["results"] and len(results) == 3
    assert results[0]["passage_id"] == passage(home, STATEMENT_2021, number="1.")["passage_id"]
    assert set(results[0]) == RESULT_FIELDS


API_ERRORS = [
    ({"json": {}}, "give the text of a draft to compare"),
    ({"json": {"text": "   "}}, "give the text of a draft to compare"),
    ({"json": {"text": 42}}, "give the text of a draft to compare"),
    ({"json": ["a list"]}, 'send a JSON object such as {"text": "..."}'),
    ({"data": "not json"}, 'send a JSON object such as {"text": "..."}'),
    ({"json": {"text": "x" * 20_001}}, "20,001 characters: a draft is at most 20,000 characters: compare passages, not a whole document"),
    ({"json": {"text": "a b c"}}, "a b c: give at least 4 words: shorter wording is shared by chance"),
    ({"json": {"text": "the Secretariat of the Network", "limit": 0}}, "0: limit must be between 1 and 50"),
    ({"json": {"text": "the Secretariat of the Network", "limit": "5"}}, "5: limit must be a whole number"),
]


@pytest.mark.parametrize("body, message", API_ERRORS)
def test_the_api_refuses_a_bad_draft_with_a_400_that_says_why(client, body, message):
    answer = client.post("/api/precedents", **body)
    assert answer.status_code == 400
    assert answer.json == {"error": message}


def test_the_precedents_page_marks_shared_words_and_shows_a_redline(client, home):
    source = passage(home, STATEMENT_2021, containing="action messages")
    page = client.get("/precedents", query_string={"text": passage(home, STATEMENT_2022, containing="action messages")["text"]})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/doc/{STATEMENT_2021}#p-{source["seq"]}"' in html
    assert "<mark>action messages developed under the initiative of the Government of Slovenia" in html
    assert "<del>informative</del> <ins>public</ins>" in html


def test_the_precedents_page_shows_a_draft_with_markup_as_text(client):
    draft = 'THANK the Republic of Slovenia <script>alert("x")</script> for its support as the Secretariat'
    html = client.get("/precedents", query_string={"text": draft}).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_the_precedents_page_says_what_is_wrong_with_a_draft(client):
    page = client.get("/precedents", query_string={"text": "too short"})
    assert page.status_code == 400
    assert "give at least 4 words" in page.get_data(as_text=True)


def test_the_similar_page_shows_the_lineage_with_its_first_appearance(client, home):
    clause = passage(home, STATEMENT_2022, number="1.")
    page = client.get(f"/passage/{clause['passage_id']}/similar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Same wording elsewhere" in html and "first appearance" in html
    assert html.index(f"/doc/{STATEMENT_2021}#p-") < html.index('<span class="this">this passage</span>')


def test_the_similar_api_and_unknown_passages(client, home):
    clause = passage(home, STATEMENT_2022, number="1.")["passage_id"]
    answer = client.get(f"/api/passages/{clause}/similar", query_string={"limit": 2})
    assert answer.json["passage_id"] == clause and len(answer.json["results"]) == 2
    assert client.get("/api/passages/no-such-doc:1/similar").status_code == 404
    assert client.get("/passage/no-such-doc:1/similar").status_code == 404
