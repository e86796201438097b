"""Fetch a source, a local file or an http(s) URL, into a content-addressed cache.

Objects live at ``<cache>/objects/<sha[:2]>/<sha><suffix>``; each URL also has
a small JSON record under ``<cache>/urls/`` so the next fetch can ask the
server whether the copy we hold is still current.
"""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import logging
import mimetypes
import os
import re
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from email.message import Message
from functools import cache
from http import HTTPStatus
from importlib import metadata
from pathlib import Path, PurePosixPath

from ingest.pacing import HostPacer, retry_after
from kb.errors import FetchError

log = logging.getLogger(__name__)

# Seconds to wait before each retry of a transient failure; tests set zeros.
RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MEGABYTE = 1024 * 1024
CHUNK_SIZE = 64 * 1024
URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# Only short alphanumeric suffixes reach the cache's file names.
SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


@dataclass(frozen=True)
class Fetched:
    """A source's bytes, held in the cache under their SHA-256."""

    source: str
    name: str
    sha256: str
    path: Path
    # How this fetch went, not what it holds: "new", "updated" (other bytes than last time) or "unchanged".
    status: str = field(default="new", compare=False)

    def read_bytes(self) -> bytes:
        """Return the cached bytes of the source."""
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise FetchError(f"cannot read the cached copy: {_strerror(exc)}", self.source) from exc


def fetch(
    source: str,
    base_dir: Path,
    cache_dir: Path,
    *,
    timeout: float = 30.0,
    max_bytes: int = 200 * MEGABYTE,
    pacer: HostPacer | None = None,
    retry_timeouts: bool = False,
) -> Fetched:
    """Put the bytes of a local path or http(s) URL into the cache.

    A pacer spaces requests to the same host; retry_timeouts counts a timeout
    among the failures worth another attempt (for batch downloads).
    """
    match = URL_SCHEME.match(source)
    if match is None:
        return _fetch_file(source, Path(base_dir), Path(cache_dir))
    scheme = match.group(1).lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme '{scheme}'", source)
    return _fetch_url(source, Path(cache_dir), timeout, max_bytes, _Manners(pacer, retry_timeouts))


# --- local files -------------------------------------------------------------


def _fetch_file(source: str, base_dir: Path, cache_dir: Path) -> Fetched:
    # Joining keeps an absolute path as it is and anchors a relative one.
    path = base_dir / Path(source).expanduser()
    data = _read_local(path, source)
    known = _object_path(cache_dir, hashlib.sha256(data).hexdigest(), path.name).exists()
    digest, stored = _store(data, path.name, cache_dir, source)
    return Fetched(source=source, name=path.name, sha256=digest, path=stored, status="unchanged" if known else "new")


def _read_local(path: Path, source: str) -> bytes:
    # Checked first because some systems report a directory as "permission denied".
    if path.is_dir():
        raise FetchError("is a directory, not a file", source)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FetchError("file not found", source) from None
    except OSError as exc:
        raise FetchError(f"cannot read the file: {_strerror(exc)}", source) from exc
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise FetchError(f"not a usable file path ({exc})", source) from exc


# --- the cache -----------------------------------------------------------------


def _object_path(cache_dir: Path, digest: str, name: str) -> Path:
    suffix = Path(name).suffix.lower()
    if not SAFE_SUFFIX.match(suffix):
        suffix = ""
    return cache_dir / "objects" / digest[:2] / f"{digest}{suffix}"


def _store(data: bytes, name: str, cache_dir: Path, source: str) -> tuple[str, Path]:
    """Write bytes into the cache once and return their digest and path."""
    digest = hashlib.sha256(data).hexdigest()
    path = _object_path(cache_dir, digest, name)
    if not path.exists():
        try:
            _write_atomic(path, data)
        except OSError as exc:
            raise FetchError(f"cannot write to the cache: {_strerror(exc)}", source) from exc
    return digest, path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either nothing or all of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


# --- URLs ----------------------------------------------------------------------


@dataclass(frozen=True)
class _UrlRecord:
    """What we last learned about a URL: its validators and the object it gave."""

    etag: str | None
    last_modified: str | None
    sha256: str
    name: str


@dataclass(frozen=True)
class _Manners:
    """How politely to download: the pacer between requests, and whether timeouts are retried."""

    pacer: HostPacer | None = None
    retry_timeouts: bool = False


@dataclass(frozen=True)
class _Download:
    data: bytes
    headers: Message
    url: str  # after redirects


def _fetch_url(source: str, cache_dir: Path, timeout: float, max_bytes: int, manners: _Manners) -> Fetched:
    record_path = cache_dir / "urls" / f"{hashlib.sha256(source.encode()).hexdigest()}.json"
    record = _usable_record(record_path, cache_dir)
    request = _build_request(source, record)
    download = _download_with_retries(request, source, timeout, max_bytes, manners)
    if download is None:
        if record is None:
            raise FetchError("HTTP 304 Not Modified, but no copy is cached", source)
        log.debug("%s: not modified, using the cached copy", source)
        path = _object_path(cache_dir, record.sha256, record.name)
        return Fetched(source=source, name=record.name, sha256=record.sha256, path=path, status="unchanged")
    name = _name_for(download.url, download.headers)
    digest, path = _store(download.data, name, cache_dir, source)
    _save_record(record_path, download.headers, digest, name, source)
    log.debug("%s: downloaded %d bytes", source, len(download.data))
    status = "new" if record is None else "unchanged" if record.sha256 == digest else "updated"
    return Fetched(source=source, name=name, sha256=digest, path=path, status=status)


def _usable_record(record_path: Path, cache_dir: Path) -> _UrlRecord | None:
    """Return the URL's record if it and the object it names are intact."""
    try:
        record = _UrlRecord(**json.loads(record_path.read_text("utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        # The record is only a shortcut: without it we just download again.
        log.warning("ignoring unreadable URL record %s: %s", record_path, exc)
        return None
    if not _object_path(cache_dir, record.sha256, record.name).is_file():
        return None
    return record


def _save_record(record_path: Path, headers: Message, digest: str, name: str, source: str) -> None:
    record = _UrlRecord(headers.get("ETag"), headers.get("Last-Modified"), digest, name)
    try:
        _write_atomic(record_path, json.dumps(asdict(record), indent=1).encode("utf-8"))
    except OSError as exc:
        raise FetchError(f"cannot write to the cache: {_strerror(exc)}", source) from exc


def _build_request(source: str, record: _UrlRecord | None) -> urllib.request.Request:
    headers = {"User-Agent": user_agent()}
    if record is not None and record.etag:
        headers["If-None-Match"] = record.etag
    if record is not None and record.last_modified:
        headers["If-Modified-Since"] = record.last_modified
    try:
        return urllib.request.Request(source, headers=headers)
    except ValueError as exc:
        raise FetchError(f"malformed URL ({exc})", source) from exc


@cache
def user_agent() -> str:
    """Return the User-Agent atkb sends, naming itself and its version."""
    try:
        version = metadata.version("atkb")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"atkb/{version} (+research knowledge base)"


def _download_with_retries(
    request: urllib.request.Request, source: str, timeout: float, max_bytes: int, manners: _Manners
) -> _Download | None:
    """Download a URL, trying again after failures a server may recover from.

    Each retry waits longer than the last (RETRY_DELAYS), or as long as the
    server's Retry-After asks if that is longer.
    """
    for delay in (*RETRY_DELAYS, None):
        if manners.pacer is not None:
            manners.pacer.wait(source)
        try:
            return _download_once(request, source, timeout, max_bytes)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason, transient = _describe(exc, timeout)
            transient = transient or (manners.retry_timeouts and _is_timeout(exc))
            if not transient or delay is None:
                raise FetchError(reason, source) from exc
            if isinstance(exc, urllib.error.HTTPError):
                delay = max(delay, retry_after(exc.headers.get("Retry-After")))
            log.info("%s: %s, trying again in %gs", source, reason, delay)
            time.sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _download_once(
    request: urllib.request.Request, source: str, timeout: float, max_bytes: int
) -> _Download | None:
    """Return the body and headers, or None when the server says "not modified"."""
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the open connection
        if error.code == HTTPStatus.NOT_MODIFIED:
            return None
        raise
    with response:
        data = _read_capped(response, max_bytes, source)
        return _Download(data=data, headers=response.headers, url=response.url)


def _read_capped(response: http.client.HTTPResponse, max_bytes: int, source: str) -> bytes:
    too_big = FetchError(f"download larger than {_size_label(max_bytes)}, refused", source)
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks, total = [], 0
    while chunk := response.read(CHUNK_SIZE):
        total += len(chunk)
        if total > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _size_label(size: int) -> str:
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:g} MB"
    return f"{size} bytes"


def _describe(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """Return a short reason for people, and whether trying again may help."""
    if isinstance(exc, urllib.error.HTTPError):
        phrase = exc.reason or _status_phrase(exc.code)
        return f"HTTP {exc.code} {phrase}".rstrip(), exc.code in RETRY_STATUSES
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, str):
            return exc.reason, False
        exc = exc.reason
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused", False
    if isinstance(exc, socket.gaierror):
        return "host not found", False
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g}s", False
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering", True
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server", True
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed before the download finished", True
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted: {exc.verify_message}", False
    if isinstance(exc, http.client.HTTPException):
        return f"not a valid HTTP response ({type(exc).__name__})", False
    if isinstance(exc, OSError):
        return _strerror(exc), False
    return str(exc), False


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        exc = exc.reason
    return isinstance(exc, TimeoutError)


def _status_phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _name_for(url: str, headers: Message) -> str:
    """Pick a file name for format detection: the server's, the URL's, plus a type suffix."""
    name = _last_component(headers.get_filename() or urllib.parse.unquote(urllib.parse.urlsplit(url).path))
    if not Path(name).suffix and headers.get("Content-Type"):
        name += mimetypes.guess_extension(headers.get_content_type()) or ""
    return name


def _last_component(name: str) -> str:
    # A server-supplied name may carry directories; only the last part is a name.
    last = PurePosixPath(name.replace("\\", "/")).name.strip()
    return last if last not in ("", ".", "..") else "download"


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)
