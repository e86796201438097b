"""`kb fetch`: polite downloads into the cache, from a server this module starts on 127.0.0.1."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.pacing import HostPacer, retry_after
from tests.conftest import run_kb

ETAG = '"greta-v1"'
LAST_MODIFIED = "Thu, 15 Jun 2023 09:00:00 GMT"
PAGES = {
    "/greta/slovenia.txt": "GRETA urges the Slovenian authorities to guarantee access to compensation.\n",
    "/greta/malta.txt": "GRETA invites the Maltese authorities to collect data on trafficking.\n",
    "/greta/cyprus.txt": "GRETA considers that the authorities should train labour inspectors.\n",
}


class FixtureServer(ThreadingHTTPServer):
    """Serves the fixture pages and records each request: path, headers and arrival time."""

    daemon_threads = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, dict, float]] = []
        self.busy_left = 1

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def arrivals(self, path: str | None = None) -> list[float]:
        return [at for p, _, at in self.requests if path in (None, p)]


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers), time.monotonic()))
        if self.path == "/busy-once.txt" and self.server.busy_left:
            self.server.busy_left -= 1
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/busy-once.txt":
            self.send_text("GRETA urges the authorities to act.\n")
        elif self.path not in PAGES:
            self.send_error(404)
        elif self.headers.get("If-None-Match") == ETAG and self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self.send_response(304)
            self.end_headers()
        else:
            self.send_text(PAGES[self.path], ETag=ETAG, **{"Last-Modified": LAST_MODIFIED})

    def send_text(self, text: str, **headers: str):
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = FixtureServer()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def kb_fetch(*args: str, home, interval: str = "0"):
    return run_kb("fetch", *args, home=home, env={"KB_FETCH_INTERVAL": interval, "NO_PROXY": "127.0.0.1",
                                                   "no_proxy": "127.0.0.1"})


def status_lines(stdout: str) -> list[list[str]]:
    return [line.split() for line in stdout.splitlines()]


def test_requests_to_one_host_are_spaced_by_the_interval(server, tmp_path):
    urls = [server.url(p) for p in PAGES]
    done = kb_fetch(*urls, home=tmp_path, interval="0.4")

    assert done.returncode == 0, done.stderr
    assert [line[0] for line in status_lines(done.stdout)] == ["new", "new", "new"]
    arrivals = server.arrivals()
    assert len(arrivals) == 3
    # The server sees the gaps; a little slack for when each request reaches it.
    assert all(later - earlier >= 0.35 for earlier, later in zip(arrivals, arrivals[1:]))


def test_a_503_is_retried_after_the_wait_the_server_asks_for(server, tmp_path):
    done = kb_fetch(server.url("/busy-once.txt"), home=tmp_path)

    assert done.returncode == 0, done.stderr
    first, second = server.arrivals("/busy-once.txt")
    assert second - first >= 0.9  # Retry-After: 1, longer than the first backoff step
    assert status_lines(done.stdout)[0][0] == "new"


def test_a_second_fetch_asks_conditionally_and_keeps_the_cached_copy(server, tmp_path):
    url = server.url("/greta/slovenia.txt")
    first = kb_fetch(url, home=tmp_path)
    again = kb_fetch(url, home=tmp_path)

    assert again.returncode == 0, again.stderr
    (new, path, _), (unchanged, same_path, _) = status_lines(first.stdout) + status_lines(again.stdout)
    assert (new, unchanged) == ("new", "unchanged") and path == same_path
    headers = server.requests[-1][1]
    assert headers["If-None-Match"] == ETAG and headers["If-Modified-Since"] == LAST_MODIFIED
    assert Path(path).read_text(encoding="utf-8") == PAGES["/greta/slovenia.txt"]


def test_the_user_agent_names_atkb(server, tmp_path):
    kb_fetch(server.url("/greta/malta.txt"), home=tmp_path)

    assert server.requests[0][1]["User-Agent"].startswith("atkb/")


def test_a_list_file_is_fetched_and_a_failing_url_does_not_stop_the_others(server, tmp_path):
    listing = tmp_path / "urls.txt"
    missing = server.url("/greta/nowhere.txt")
    listing.write_text(f"# GRETA pages\n{server.url('/greta/malta.txt')}\n\n{missing}\n{server.url('/greta/cyprus.txt')}\n")

    done = kb_fetch("--list", str(listing), home=tmp_path)

    assert done.returncode == 1
    assert [line[0] for line in status_lines(done.stdout)] == ["new", "failed", "new"]
    assert f"error: {missing}: HTTP 404 Not Found" in done.stderr.splitlines()
    assert "kb add" in done.stderr


def test_a_missing_list_file_is_one_line_error(tmp_path):
    done = kb_fetch("--list", str(tmp_path / "none.txt"), home=tmp_path)

    assert done.returncode == 1
    assert done.stderr.strip() == f"error: {tmp_path / 'none.txt'}: cannot read the list of URLs: No such file or directory"


def test_a_fetched_file_is_added_with_kb_add(server, tmp_path):
    url = server.url("/greta/slovenia.txt")
    path = status_lines(kb_fetch(url, home=tmp_path).stdout)[0][1]

    added = run_kb("add", path, "--id", "greta-slovenia-note", "--url", url, "--title", "Note on Slovenia",
                   "--issuer", "GRETA", "--doc-type", "greta_report", "--country", "Slovenia", "--round", "3",
                   home=tmp_path)
    assert added.returncode == 0, added.stderr
    found = json.loads(run_kb("search", "kind:recommendation country:Slovenia", "--json", home=tmp_path).stdout)
    assert [(h["doc_id"], h["strength"], h["round"]) for h in found["hits"]] == [("greta-slovenia-note", "urges", 3)]


def test_the_pacer_waits_only_for_the_same_host(monkeypatch):
    pauses = []
    monkeypatch.setattr("ingest.pacing.time.sleep", pauses.append)
    pacer = HostPacer(5)
    pacer.wait("http://a.example/1")
    pacer.wait("http://b.example/1")
    pacer.wait("http://a.example/2")
    assert len(pauses) == 1 and 4 < pauses[0] <= 5


@pytest.mark.parametrize("header, seconds", [
    ("3", 3.0), ("600", 60.0), (None, 0.0), ("soon", 0.0), ("Thu, 01 Jan 1970 00:00:10 GMT", 5.0),
])
def test_retry_after_reads_seconds_and_dates_within_a_cap(header, seconds):
    assert retry_after(header, now=5.0) == seconds
