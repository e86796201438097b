"""The kb command end to end: ingest, add, search, show, stats, and its errors."""
import json
import random
import socket
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT, run_kb

SEEDS = DATA / "seeds"
BRDO_PDF = SEEDS / "2018-03-16-brdo-ministerial-joint-declaration.pdf"
ENTRY = """
[[document]]
id = "{id}"
title = "{id}"
issuer = "Test issuer"
doc_type = "{doc_type}"
source = "{source}"
date = "{date}"
"""


def manifest(folder: Path, *entries: dict) -> Path:
    body = "".join(
        ENTRY.format(**{"doc_type": "report", "date": "2020", **entry}) for entry in entries
    )
    path = folder / "sources.toml"
    path.write_text(body, encoding="utf-8")
    return path


def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/report.pdf"


@pytest.fixture
def bad_sources(tmp_path) -> tuple[Path, dict]:
    """A manifest of bad sources, one good new one, and the line each bad one must give."""
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "truncated.pdf").write_bytes(BRDO_PDF.read_bytes()[:1500])
    (folder / "encrypted.pdf").write_bytes((DATA / "encrypted.pdf").read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(random.Random(7).randbytes(4096))
    (folder / "good.txt").write_text("RECALLING our duties;\n\n1. COMMIT TO compensate every victim.\n")
    url = refused_url()
    path = manifest(
        folder,
        {"id": "truncated", "source": "truncated.pdf"},
        {"id": "encrypted", "source": "encrypted.pdf"},
        {"id": "empty", "source": "empty.txt"},
        {"id": "junk", "source": "junk.txt"},
        {"id": "missing", "source": "missing.pdf"},
        {"id": "bad-date", "source": "good.txt", "date": "2018-02-31"},
        {"id": "bad-type", "source": "good.txt", "doc_type": "memo"},
        {"id": "refused", "source": url},
        {"id": "good", "source": "good.txt"},
    )
    expected = {
        "truncated": "error: truncated.pdf: not a readable PDF (corrupt or truncated)",
        "encrypted": "error: encrypted.pdf: encrypted PDF: it needs a password",
        "empty": "error: empty.txt: the file is empty",
        "junk": "error: junk.txt: binary data, not text",
        "missing": "error: missing.pdf: file not found",
        "bad-date": f"error: {path} [document 6, id 'bad-date']: bad date '2018-02-31': no such day",
        "bad-type": f"error: {path} [document 7, id 'bad-type']: unknown doc_type 'memo'",
        "refused": f"error: {url}: connection refused",
    }
    return path, expected


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_each_bad_source_gives_one_clear_line_and_the_rest_is_indexed(home_copy, bad_sources):
    path, expected = bad_sources
    before = run_kb("search", "compensation", "--json", home=home_copy)
    done = run_kb("ingest", str(path), home=home_copy)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = error_lines(done.stderr)
    assert len(lines) == len(expected), done.stderr
    for entry_id, line in expected.items():
        assert any(l.startswith(line) for l in lines), f"{entry_id}: {line!r} not in {lines}"
    assert "1 added" in done.stderr
    # The good new document is there, and so is everything indexed before.
    new = json.loads(run_kb("search", "compensate", "--filter", "doc_id=good", "--json", home=home_copy).stdout)
    assert [h["number"] for h in new["hits"]] == ["1."]
    after = run_kb("search", "compensation", "--filter", "doc_id!=good", "--json", home=home_copy)
    assert json.loads(after.stdout)["hits"] == json.loads(before.stdout)["hits"]
    stats = json.loads(run_kb("stats", "--json", home=home_copy).stdout)
    assert stats["documents"] == 6


def test_reingesting_unchanged_sources_does_no_work(home_copy):
    index = home_copy / "index"
    generations = sorted(p.name for p in index.glob("*.toc"))
    done = run_kb("ingest", home=home_copy)
    assert done.returncode == 0, done.stderr
    assert "5 documents: 0 added, 0 updated, 5 unchanged, 0 failed" in done.stderr
    assert sorted(p.name for p in index.glob("*.toc")) == generations


def test_changed_source_is_reindexed(home_copy, tmp_path):
    source = tmp_path / "statement.txt"
    source.write_text("1. DECLARE that impunity is unacceptable.\n")
    path = manifest(tmp_path, {"id": "statement", "source": "statement.txt"})
    assert "1 added" in run_kb("ingest", str(path), home=home_copy).stderr
    source.write_text("1. DECLARE that impunity is unacceptable.\n2. THANK the hosts.\n")
    assert "1 updated" in run_kb("ingest", str(path), home=home_copy).stderr
    shown = json.loads(run_kb("show", "statement", "--json", home=home_copy).stdout)
    assert [p["verb"] for p in shown["passages"]] == ["DECLARE", "THANK"]


def test_add_a_pdf_then_show_it(tmp_path):
    home = tmp_path / "home"
    done = run_kb(
        "add", str(BRDO_PDF), "--title", "Brdo declaration", "--issuer", "Ministers",
        "--doc-type", "declaration", "--date", "2018-03-16", "--id", "brdo-pdf", home=home,
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(run_kb("show", "brdo-pdf", "--json", home=home).stdout)
    assert shown["document"]["format"] == "pdf"
    assert shown["document"]["year"] == 2018
    item = next(p for p in shown["passages"] if p["text"].startswith("Continuing to explore avenues"))
    assert (item["number"], item["verb"], item["page"]) == ("6)", "COMMIT TO", 3)


def test_add_refuses_bad_metadata_in_one_line(tmp_path):
    done = run_kb("add", str(BRDO_PDF), "--title", "T", "--issuer", "I", "--doc-type", "memo", home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {BRDO_PDF}: unknown doc_type 'memo' (one of declaration, strategy, greta_report, "
        "eu_strategy, eu_directive, convention, guidance, un_document, report, other)"
    ]


def test_search_json_shape(corpus_home):
    done = run_kb("search", "compensation", "--filter", "doc_type=declaration", "--json", home=corpus_home)
    data = json.loads(done.stdout)
    assert set(data) >= {"query", "total", "hits", "facets"}
    assert set(data["hits"][0]) >= {
        "doc_id", "passage_id", "number", "role", "verb", "heading", "title", "issuer",
        "doc_type", "date", "text", "snippet", "themes",
    }
    assert set(data["facets"]) >= {"doc_type", "year", "issuer", "role", "themes"}
    assert (data["hits"][0]["number"], data["hits"][0]["verb"]) == ("6)", "COMMIT TO")


def test_search_prints_readable_hits(corpus_home):
    done = run_kb("search", '"strategic priorities for 2020-2024"', home=corpus_home)
    assert done.returncode == 0
    assert "passages match" in done.stdout
    assert "natc-see-2021-joint-statement:" in done.stdout and "REITERATE" in done.stdout


def test_a_bad_query_is_one_line(corpus_home):
    done = run_kb("search", '"unclosed', home=corpus_home)
    assert done.returncode == 1
    assert done.stderr.splitlines() == ['error: "unclosed: a quotation mark is not closed']


def test_show_json_lists_passages_in_reading_order(corpus_home):
    shown = json.loads(run_kb("show", "natc-see-2021-joint-statement", "--json", home=corpus_home).stdout)
    assert shown["document"]["date"] == "2021-10-18"
    assert [p["seq"] for p in shown["passages"]] == list(range(1, len(shown["passages"]) + 1))
    assert shown["document"]["passages"] == len(shown["passages"])


def test_show_unknown_document(corpus_home):
    done = run_kb("show", "no-such-doc", home=corpus_home)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no-such-doc: no document with this id is indexed")


def test_search_before_any_ingest(tmp_path):
    done = run_kb("search", "impunity", home=tmp_path / "empty")
    assert done.returncode == 1
    assert "no index here yet: run `kb ingest` to build it" in done.stderr
    assert "Traceback" not in done.stderr


def test_stats(corpus_home):
    stats = json.loads(run_kb("stats", "--json", home=corpus_home).stdout)
    assert stats["documents"] == 5
    assert stats["doc_types"] == {"declaration": 4, "strategy": 1}
    assert stats["passages"] > 100 and stats["index_bytes"] > 0


def test_remove(home_copy):
    assert run_kb("remove", "natc-see-2022-joint-statement", home=home_copy).returncode == 0
    assert json.loads(run_kb("stats", "--json", home=home_copy).stdout)["documents"] == 4
    hits = json.loads(run_kb("search", "ukraine", "--json", home=home_copy).stdout)["hits"]
    assert all(h["doc_id"] != "natc-see-2022-joint-statement" for h in hits)


def test_ingest_a_source_from_a_url(tmp_path):
    import functools
    import http.server
    import threading

    served = tmp_path / "site"
    served.mkdir()
    (served / "statement.html").write_text(
        "<html><body><nav>Home | About</nav><p>RECALLING our duties;</p>"
        "<ol><li>DECLARE that impunity is unacceptable;</li><li>THANK the hosts.</li></ol>"
        "<script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/statement.html"
        path = manifest(tmp_path, {"id": "web-statement", "source": url})
        home = tmp_path / "home"
        done = run_kb("ingest", str(path), home=home)
        again = run_kb("ingest", str(path), home=home)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert "1 unchanged" in again.stderr
    shown = json.loads(run_kb("show", "web-statement", "--json", home=home).stdout)
    assert shown["document"]["format"] == "html"
    assert [(p["number"], p["role"], p["verb"]) for p in shown["passages"]] == [
        ("", "preamble", ""), ("1.", "operative", "DECLARE"), ("2.", "operative", "THANK"),
    ]
    assert not any("alert" in p["text"] or "Home" in p["text"] for p in shown["passages"])
