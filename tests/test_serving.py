"""`kb serve --workers N`, and the results kept per index generation."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT, home_with_document


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.add(int(entry))
            except OSError:
                continue
    return found


def test_serve_with_two_workers_answers_and_stops_cleanly_on_sigterm(corpus_home):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT, env={**os.environ, "KB_HOME": str(corpus_home)}, stderr=subprocess.PIPE, text=True,
    )
    try:
        answer = json.loads(wait_for(f"http://127.0.0.1:{port}/api/search?q=compensation"))
        assert answer["total"] == 3
        workers = children_of(server.pid)
        assert len(workers) == 2
        server.send_signal(signal.SIGTERM)
        _, said = server.communicate(timeout=30)
        assert server.returncode == 0, said
        assert "with 2 worker(s)" in said
        assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()


def test_serve_refuses_zero_workers(corpus_home):
    done = subprocess.run([sys.executable, "-m", "kb.cli", "serve", "--workers", "0"], cwd=ROOT,
                          env={**os.environ, "KB_HOME": str(corpus_home)}, capture_output=True, text=True)
    assert done.returncode == 2
    assert "--workers: '0' is not a whole number of at least 1" in done.stderr


def test_a_repeated_search_is_served_from_the_results_kept_for_the_generation(tmp_path, corpus_home):
    from ingest.manifest import entry_from_table
    from ingest.pipeline import ingest
    from search_app import create_app

    home = home_with_document(corpus_home, tmp_path, "1. The zephyrine clause applies.\n", id="first", title="First")
    client = create_app({"TESTING": True, "KB_HOME": str(home)}).test_client()
    first = client.get("/api/search?q=zephyrine")
    again = client.get("/api/search?q=zephyrine")
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    assert again.json == first.json and first.json["total"] == 1

    source = tmp_path / "second.txt"
    source.write_text("1. A second zephyrine clause.\n", encoding="utf-8")
    entry = entry_from_table({"id": "second", "title": "Second", "issuer": "Tester", "doc_type": "other",
                              "source": str(source)}, tmp_path)
    assert ingest([entry], home).ok

    after = client.get("/api/search?q=zephyrine")
    assert after.headers["X-Cache"] == "miss"
    assert after.json["total"] == 2
    assert after.json["facets"]["doc_type"] == {"other": 2}
    page = client.get("/search?q=zephyrine")
    assert "2 passages" in page.get_data(as_text=True)


def test_workers_forked_after_warming_start_with_the_generations_arrays(home_copy):
    from kb import engine, settings

    path = settings.index_dir(home_copy)
    engine.warm(path)
    assert not engine._held.searchers.entries  # no open file for the workers to inherit
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker: what it finds ready before its first search
        with engine.searching(path) as searcher:
            caches = engine.shared_caches(searcher)
            ready = caches._facets is not None and caches.docsets.get(repr(engine.ITEMS)) is not None
        os.write(writing, b"ready" if ready else b"cold")
        os._exit(0)
    os.close(writing)
    said = os.read(reading, 16)
    os.waitpid(pid, 0)
    assert said == b"ready"
