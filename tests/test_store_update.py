"""The drafting store follows commits document by document, and ends as a build would leave it."""
import logging
import sqlite3

import pytest

from kb import engine, settings
from kb.documents import remove_document, show_document
from kb.drafting_store import build, ensure_store, store_path
from tests.test_drafting import BRDO_2018, STATEMENT_2022, THANKS, add_documents

STATEMENT_2021 = "natc-see-2021-joint-statement"


def contents(path) -> dict:
    """What a store holds, with row ids replaced by passage ids (a build and an update number rows apart)."""
    conn = sqlite3.connect(path)
    try:
        ids = dict(conn.execute("SELECT id, passage_id FROM passages"))
        passages = {
            row[0]: (*row[1:-2], ids.get(row[-2]), ids.get(row[-1]))
            for row in conn.execute("SELECT passage_id, doc_id, seq, number, role, date, text, length, boilerplate, "
                                    "parent, family FROM passages")
        }
        return {
            "passages": passages,
            "shingles": sorted((h, ids[p]) for h, p in conn.execute("SELECT hash, passage FROM shingles")),
            "refs": sorted(conn.execute("SELECT * FROM refs"), key=repr),
            "documents": sorted(conn.execute("SELECT doc_id, title, issuer, place, date, doc_type FROM documents")),
        }
    finally:
        conn.close()


def as_built(home, folder) -> dict:
    fresh = folder / "fresh.sqlite"
    fresh.unlink(missing_ok=True)
    build(fresh, home, engine.generation(settings.index_dir(home)))
    return contents(fresh)


def clause(home, doc_id: str, number: str) -> str:
    return next(p["text"] for p in show_document(doc_id, home)["passages"] if p["number"] == number)


@pytest.fixture
def home(home_copy):
    ensure_store(home_copy)
    return home_copy


def test_adding_replacing_and_removing_documents_update_the_store_as_a_build_would(home, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kb.drafting_store")
    restated = clause(home, STATEMENT_2022, "1.")
    first_seen = clause(home, BRDO_2018, "1)")
    steps = [
        # A later restatement of the 2022 clause and the thanks; an earlier text that 2018 now follows.
        lambda: add_documents(home, tmp_path, [
            {"id": "later", "title": "Later statement", "source": "later.txt", "date": "2024-10-18",
             "paragraphs": [restated, THANKS]},
        ]),
        lambda: add_documents(home, tmp_path, [
            {"id": "earlier", "title": "Earlier declaration", "source": "earlier.txt", "date": "2011-01-10",
             "paragraphs": [first_seen]},
        ]),
        lambda: add_documents(home, tmp_path, [
            {"id": "later", "title": "Later statement", "source": "later-2.txt", "date": "2024-10-18",
             "paragraphs": [THANKS, "Labour inspectors shall be trained to identify forced labour."]},
        ]),
        lambda: remove_document(STATEMENT_2021, home),
    ]
    for step in steps:
        caplog.clear()
        step()
        ensure_store(home)
        assert any("drafting store updated" in r.getMessage() for r in caplog.records)
        assert contents(store_path(home)) == as_built(home, tmp_path)


def test_an_update_links_what_the_new_document_touches(home, tmp_path):
    restated = clause(home, STATEMENT_2022, "1.")
    add_documents(home, tmp_path, [{"id": "later", "title": "Later", "source": "later.txt", "date": "2024-10-18",
                                    "paragraphs": [restated]}])
    stored = contents(store_path(home))["passages"]
    later = next(pid for pid, row in stored.items() if row[0] == "later")
    ours = next(pid for pid, row in stored.items() if row[0] == STATEMENT_2022 and row[2] == "1.")
    # The new clause descends from the 2022 one, in the family that starts in 2021.
    assert stored[later][-2] == ours
    assert stored[later][-1] == stored[ours][-1] == next(
        pid for pid, row in stored.items() if row[0] == STATEMENT_2021 and row[2] == "1.")


def test_a_large_change_is_built_afresh(home, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="kb.drafting_store")
    add_documents(home, tmp_path, [
        {"id": f"note-{n}", "title": f"Note {n}", "source": f"note-{n}.txt", "date": f"202{n}",
         "paragraphs": [f"Note number {n} on the referral of presumed victims to assistance services."]}
        for n in range(4)
    ])
    assert any("drafting store built" in r.getMessage() for r in caplog.records)
    assert contents(store_path(home)) == as_built(home, tmp_path)
