"""Ingest with several processes indexes exactly what one process indexes."""
from __future__ import annotations

import shutil

from kb import engine, settings
from tests.conftest import CORPUS, run_kb


def stored_items(home) -> list[dict]:
    """Every stored record of an index, documents and passages, in a fixed order."""
    with engine.searching(settings.index_dir(home)) as searcher:
        records = [dict(fields) for fields in searcher.all_stored_fields()]
    return sorted(records, key=lambda r: (r["passage_id"], r.get("kind", "")))


def test_two_processes_index_the_same_passages_and_tags_as_one(corpus_home, tmp_path):
    manifest = tmp_path / "sources.toml"
    shutil.copytree(CORPUS / "documents", tmp_path / "documents")
    broken = '\n[[document]]\nid = "missing"\ntitle = "Missing"\nissuer = "Nobody"\ndoc_type = "other"\nsource = "documents/none.txt"\n'
    manifest.write_text((CORPUS / "sources.toml").read_text(encoding="utf-8") + broken, encoding="utf-8")

    done = run_kb("ingest", "--procs", "2", str(manifest), home=tmp_path / "home")

    assert done.returncode == 1, done.stderr
    assert "none.txt" in done.stderr and "5 added" in done.stderr and "1 failed" in done.stderr
    one, two = stored_items(corpus_home), stored_items(tmp_path / "home")
    assert [r["passage_id"] for r in two] == [r["passage_id"] for r in one]
    for expected, found in zip(one, two):
        for name in ("text", "themes", "orgs", "places", "instruments", "evidence", "role", "verb", "number", "kind"):
            assert found.get(name) == expected.get(name), (expected["passage_id"], name)


def test_a_large_ingest_written_by_two_processes_holds_the_same_passages(corpus_home, tmp_path, monkeypatch):
    from ingest import parallel
    from ingest.manifest import load_manifest
    from ingest.pipeline import ingest

    # Treat the bundled corpus as large, so that two processes also write the index.
    monkeypatch.setattr(parallel, "MANY_DOCUMENTS", 2)
    entries, errors = load_manifest(CORPUS / "sources.toml")
    assert not errors and ingest(entries, tmp_path / "home", procs=2).ok

    one, two = stored_items(corpus_home), stored_items(tmp_path / "home")
    assert [(r["passage_id"], r.get("themes"), r.get("evidence")) for r in two] == \
        [(r["passage_id"], r.get("themes"), r.get("evidence")) for r in one]
