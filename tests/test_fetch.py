"""Fetching sources into the content-addressed cache, from disk and over HTTP.

HTTP tests talk only to a server this module starts on 127.0.0.1.
"""
from __future__ import annotations

import hashlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest import fetch as fetch_module
from ingest.fetch import fetch
from kb.errors import FetchError

REPORT = b"Article 3: trafficking in persons shall mean the recruitment...\n"
ETAG = '"report-v1"'
LAST_MODIFIED = "Wed, 01 May 2024 10:00:00 GMT"


class LocalServer(ThreadingHTTPServer):
    """A test server that remembers what it was asked and answered."""

    # Joined on close, so no handler outlives its test.
    daemon_threads = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.not_modified = 0
        self.flaky_failures_left = 1
        self.drops_left = 1
        self.release = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for requested, _ in self.requests if requested == path)


class Handler(BaseHTTPRequestHandler):
    server: LocalServer

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        route = {
            "/report.txt": self.report,
            "/missing": self.missing,
            "/slow": self.slow,
            "/flaky": self.flaky,
            "/always-busy": self.always_busy,
            "/drops-once": self.drops_once,
            "/big": self.big,
            "/download?id=7": self.attachment,
            "/page": self.page,
        }.get(self.path, self.missing)
        route()

    def report(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.server.not_modified += 1
            self.send_response(304)
            self.end_headers()
            return
        self.send_body(REPORT, "text/plain", ETag=ETAG, **{"Last-Modified": LAST_MODIFIED})

    def missing(self) -> None:
        self.send_error(404)

    def slow(self) -> None:
        # Answers nothing until the test is over; the client gives up first.
        self.server.release.wait(timeout=10)

    def flaky(self) -> None:
        if self.server.flaky_failures_left > 0:
            self.server.flaky_failures_left -= 1
            self.send_error(503)
            return
        self.send_body(b"back again\n", "text/plain")

    def always_busy(self) -> None:
        self.send_error(503)

    def drops_once(self) -> None:
        if self.server.drops_left > 0:
            self.server.drops_left -= 1
            self.close_connection = True  # hang up without a word
            return
        self.send_body(b"steady now\n", "text/plain")

    def big(self) -> None:
        self.send_body(b"x" * 4096, "text/plain")

    def attachment(self) -> None:
        self.send_body(b"%PDF-1.4\n", "application/pdf",
                       **{"Content-Disposition": 'attachment; filename="../annual report.pdf"'})

    def page(self) -> None:
        self.send_body(b"<!doctype html><p>Hi</p>", "text/html; charset=utf-8")

    def send_body(self, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


@pytest.fixture
def server():
    """A running LocalServer, shut down and joined after the test."""
    httpd = LocalServer()
    # A short poll interval keeps shutdown, and so each test, quick.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        yield httpd
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def no_proxies_no_waiting(monkeypatch):
    """Talk to 127.0.0.1 directly and retry without sleeping."""
    for variable in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(fetch_module, "RETRY_DELAYS", (0.0, 0.0))


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def objects(cache: Path) -> list[Path]:
    return sorted(path for path in (cache / "objects").rglob("*") if path.is_file())


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- local files -----------------------------------------------------------------


def test_local_file_is_copied_to_its_sha_named_path(tmp_path, cache):
    source = tmp_path / "protocol.txt"
    source.write_bytes(REPORT)
    digest = hashlib.sha256(REPORT).hexdigest()

    fetched = fetch(str(source), tmp_path, cache)

    assert fetched.sha256 == digest
    assert fetched.name == "protocol.txt"
    assert fetched.source == str(source)
    assert fetched.path == cache / "objects" / digest[:2] / f"{digest}.txt"
    assert fetched.read_bytes() == REPORT
    assert objects(cache) == [fetched.path]


def test_same_content_fetched_twice_is_stored_once(tmp_path, cache):
    source = tmp_path / "protocol.txt"
    source.write_bytes(REPORT)

    first = fetch(str(source), tmp_path, cache)
    first_written = first.path.stat().st_mtime_ns
    second = fetch(str(source), tmp_path, cache)

    assert second == first
    assert objects(cache) == [first.path]
    assert first.path.stat().st_mtime_ns == first_written


def test_relative_path_resolves_against_the_manifest_folder(tmp_path, cache):
    folder = tmp_path / "manifests" / "texts"
    folder.mkdir(parents=True)
    (folder / "act.md").write_bytes(b"# Act\n")

    fetched = fetch("texts/act.md", tmp_path / "manifests", cache)

    assert fetched.source == "texts/act.md"
    assert fetched.name == "act.md"
    assert fetched.read_bytes() == b"# Act\n"


def test_no_temporary_files_are_left_in_the_cache(tmp_path, cache):
    (tmp_path / "a.txt").write_bytes(b"a")

    fetch("a.txt", tmp_path, cache)

    assert [path.name for path in objects(cache) if path.name.startswith(".")] == []


@pytest.mark.parametrize(
    "make, source, message",
    [
        (lambda base: None, "nowhere.pdf", "nowhere.pdf: file not found"),
        (lambda base: (base / "folder").mkdir(), "folder", "folder: is a directory, not a file"),
        (lambda base: (base / "plain.txt").write_text("x"), "plain.txt/inner.txt",
         "plain.txt/inner.txt: cannot read the file: Not a directory"),
        (lambda base: None, "ftp://example.org/a.pdf", "ftp://example.org/a.pdf: unsupported URL scheme 'ftp'"),
        (lambda base: None, "file:///etc/hosts", "file:///etc/hosts: unsupported URL scheme 'file'"),
    ],
)
def test_unusable_sources_give_exact_messages(tmp_path, cache, make, source, message):
    make(tmp_path)

    with pytest.raises(FetchError) as caught:
        fetch(source, tmp_path, cache)

    assert str(caught.value) == message
    assert not (cache / "objects").exists()


# --- URLs ------------------------------------------------------------------------


def test_url_is_downloaded_into_the_cache_with_a_record(server, tmp_path, cache):
    url = server.url("/report.txt")

    fetched = fetch(url, tmp_path, cache)

    assert fetched.source == url
    assert fetched.name == "report.txt"
    assert fetched.read_bytes() == REPORT
    assert fetched.sha256 == hashlib.sha256(REPORT).hexdigest()
    [record_file] = (cache / "urls").iterdir()
    assert record_file.name == hashlib.sha256(url.encode()).hexdigest() + ".json"
    record = json.loads(record_file.read_text())
    assert record == {"etag": ETAG, "last_modified": LAST_MODIFIED,
                      "sha256": fetched.sha256, "name": "report.txt"}


def test_second_fetch_is_conditional_and_reuses_the_cached_object(server, tmp_path, cache):
    url = server.url("/report.txt")
    first = fetch(url, tmp_path, cache)

    second = fetch(url, tmp_path, cache)

    assert second == first
    assert server.hits("/report.txt") == 2
    assert server.not_modified == 1
    _, headers = server.requests[-1]
    assert headers["If-None-Match"] == ETAG
    assert headers["If-Modified-Since"] == LAST_MODIFIED
    assert objects(cache) == [first.path]


def test_a_lost_object_is_downloaded_again_unconditionally(server, tmp_path, cache):
    url = server.url("/report.txt")
    fetch(url, tmp_path, cache).path.unlink()

    again = fetch(url, tmp_path, cache)

    assert again.read_bytes() == REPORT
    assert server.not_modified == 0
    assert "If-None-Match" not in server.requests[-1][1]


def test_user_agent_names_atkb(server, tmp_path, cache):
    fetch(server.url("/report.txt"), tmp_path, cache)

    _, headers = server.requests[0]
    assert headers["User-Agent"].startswith("atkb/")
    assert headers["User-Agent"].endswith(" (+research knowledge base)")


def test_http_error_status_is_reported(server, tmp_path, cache):
    url = server.url("/missing")

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path, cache)

    assert str(caught.value) == f"{url}: HTTP 404 Not Found"
    assert server.hits("/missing") == 1


def test_connection_refused_is_reported(tmp_path, cache):
    url = f"http://127.0.0.1:{free_port()}/x"

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path, cache)

    assert str(caught.value) == f"{url}: connection refused"


def test_unknown_host_is_reported(monkeypatch, tmp_path, cache):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # Stands in for the resolver so the test needs no network.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)

    with pytest.raises(FetchError) as caught:
        fetch("https://no-such-host.invalid/a.pdf", tmp_path, cache)

    assert str(caught.value) == "https://no-such-host.invalid/a.pdf: host not found"


def test_slow_server_times_out(server, tmp_path, cache):
    url = server.url("/slow")

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path, cache, timeout=0.2)

    assert str(caught.value) == f"{url}: timed out after 0.2s"
    assert server.hits("/slow") == 1


def test_service_unavailable_is_retried(server, tmp_path, cache):
    fetched = fetch(server.url("/flaky"), tmp_path, cache)

    assert fetched.read_bytes() == b"back again\n"
    assert server.hits("/flaky") == 2


def test_dropped_connection_is_retried(server, tmp_path, cache):
    fetched = fetch(server.url("/drops-once"), tmp_path, cache)

    assert fetched.read_bytes() == b"steady now\n"
    assert server.hits("/drops-once") == 2


def test_retries_stop_after_two_more_attempts(server, tmp_path, cache):
    url = server.url("/always-busy")

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path, cache)

    assert str(caught.value) == f"{url}: HTTP 503 Service Unavailable"
    assert server.hits("/always-busy") == 3


def test_retries_wait_the_configured_delays(server, tmp_path, cache, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(fetch_module, "RETRY_DELAYS", (0.5, 1.0))
    monkeypatch.setattr(fetch_module.time, "sleep", waits.append)

    with pytest.raises(FetchError):
        fetch(server.url("/always-busy"), tmp_path, cache)

    assert waits == [0.5, 1.0]


@pytest.mark.parametrize("max_bytes, label", [(1000, "1000 bytes"), (0, "0 bytes")])
def test_oversized_download_is_refused(server, tmp_path, cache, max_bytes, label):
    url = server.url("/big")

    with pytest.raises(FetchError) as caught:
        fetch(url, tmp_path, cache, max_bytes=max_bytes)

    assert str(caught.value) == f"{url}: download larger than {label}, refused"
    assert not (cache / "objects").exists()


def test_size_limit_is_stated_in_megabytes():
    assert fetch_module._size_label(200 * 1024 * 1024) == "200 MB"


def test_name_comes_from_content_disposition_without_its_folders(server, tmp_path, cache):
    fetched = fetch(server.url("/download?id=7"), tmp_path, cache)

    assert fetched.name == "annual report.pdf"
    assert fetched.path.suffix == ".pdf"


def test_name_without_suffix_gets_one_from_content_type(server, tmp_path, cache):
    fetched = fetch(server.url("/page"), tmp_path, cache)

    assert fetched.name == "page.html"
