"""The served app under load, and how soon `kb add` makes a new document searchable.

The server is the real `kb serve` (waitress, one worker process per core by
default). Clients send searches drawn from a fixed pool of distinct requests
(words of the corpus, alone or in pairs, half of them with a facet filter,
some on a later page), so the server's result cache, kept per index
generation, helps only when a request repeats; each answer's X-Cache header
says whether it did, and the hits are counted.
"""
from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.corpus import ISSUERS, YEARS, corpus_sentences
from bench.queries import STOP, words_of
from kb.model import DOC_TYPES

POOL_SIZE = 2000
NEW_PASSAGES = 60
THEMES = ("compensation", "identification", "cooperation", "assistance", "children", "impunity", "referral",
          "awareness", "migration", "labour-exploitation", "prevention", "protection", "prosecution", "partnership")


def request_pool(size: int = POOL_SIZE, seed: int = 11) -> list[dict]:
    """Distinct search requests: one or two corpus words, a filter on half, a later page on some."""
    chance = random.Random(seed)
    vocabulary = sorted({w for s in corpus_sentences() for w in words_of(s) if w not in STOP and len(w) > 3})
    filters = [("theme", t) for t in THEMES] + [("doc_type", d) for d in DOC_TYPES] + \
              [("year", str(y)) for y in YEARS] + [("issuer", i) for i in ISSUERS]
    pool: dict[str, dict] = {}
    while len(pool) < size:
        words = chance.sample(vocabulary, 1 if chance.random() < 0.75 else 2)
        params = [("q", " ".join(words))]
        if chance.random() < 0.5:
            params.append(chance.choice(filters))
        if chance.random() < 0.15:
            params.append(("page", str(chance.randint(2, 3))))
        pool[urllib.parse.urlencode(params)] = params
    return [dict(query=query) for query in pool]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(home: Path, workers: int | None = None):
    """Run `kb serve` on a free port over an index; yield its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "kb.cli", "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env={**os.environ, "KB_HOME": str(home)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_up(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/search?q=trafficking", timeout=30).read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def warm(base: str, path: str, pool: list[dict], clients: int) -> None:
    """One request per worker thread, so each has its searcher open, as on a running server."""
    threads = [threading.Thread(target=_get, args=(f"{base}{path}?{item['query']}",))
               for item in pool[-clients:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _get(url: str) -> tuple[bool, bool]:
    """Fetch a URL; return (answered 200, served from the cache)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            answer.read()
            return answer.status == 200, answer.headers.get("X-Cache") == "hit"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False, False


def hammer(base: str, path: str, pool: list[dict], seconds: float, clients: int) -> dict:
    """Closed-loop clients, each sending its next request when the last is answered."""
    latencies, counts = [], {"errors": 0, "cache_hits": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        chance = random.Random(seed)
        while time.monotonic() < stop:
            url = f"{base}{path}?{chance.choice(pool)['query']}"
            start = time.perf_counter()
            ok, hit = _get(url)
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                counts["errors"] += not ok
                counts["cache_hits"] += hit

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    pick = lambda share: round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)  # noqa: E731
    return {"requests": len(latencies), "requests_per_s": round(len(latencies) / seconds, 1),
            "p50_ms": pick(0.5), "p95_ms": pick(0.95), "p99_ms": pick(0.99), **counts}


def web_load(home: Path, seconds: float, clients: int, workers: int | None = None) -> dict:
    """Serve the index with `kb serve` and hit /api/search, then /search, from many clients at once.

    Each path gets a server of its own, so neither finds results the other left in the cache.
    """
    pool = request_pool()
    results = {}
    for path in ("/api/search", "/search"):
        with served(home, workers) as base:
            warm(base, path, pool, clients)
            results[path] = hammer(base, path, pool, seconds, clients)
    return results


def new_document_text(word: str, passages: int = NEW_PASSAGES, seed: int = 5) -> str:
    """A document of numbered clauses from the corpus, each naming a word found nowhere else."""
    chance = random.Random(seed)
    sentences = corpus_sentences()
    clauses = [f"{n}. {' '.join(chance.sample(sentences, 2))} The {word} mechanism applies."
               for n in range(1, passages + 1)]
    return "\n\n".join(clauses) + "\n"


ADDED_WORDS = ("zephyrine", "quorvane", "blithemark")


def add_searchable_runs(home: Path, folder: Path, workers: int | None = None) -> list[float]:
    """add_searchable_seconds for a few new documents in turn, each naming a word of its own."""
    return [add_searchable_seconds(home, folder, word, workers) for word in ADDED_WORDS]


def add_searchable_seconds(home: Path, folder: Path, word: str = ADDED_WORDS[0], workers: int | None = None) -> float:
    """Seconds from starting `kb add` of a new document to /api/search returning one of its passages."""
    source = folder / f"new-document-{word}.txt"
    source.write_text(new_document_text(word), encoding="utf-8")
    env = {**os.environ, "KB_HOME": str(home)}
    with served(home, workers) as base:
        warm(base, "/api/search", request_pool(), 16)  # every worker has read this generation
        url = f"{base}/api/search?q={word}"
        start = time.perf_counter()
        adding = subprocess.Popen([sys.executable, "-m", "kb.cli", "add", str(source), "--title", "New document",
                                   "--issuer", "Issuer 00", "--doc-type", "report", "--date", "2024-05-01"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            while True:
                with urllib.request.urlopen(url, timeout=60) as answer:
                    if json.load(answer)["total"]:
                        return round(time.perf_counter() - start, 2)
                if adding.poll() not in (None, 0):
                    raise RuntimeError(f"kb add failed: {adding.stderr.read().strip()}")
                time.sleep(0.05)
        finally:
            # What is left of `kb add` (the drafting store) does not bear on search.
            adding.terminate()
            adding.wait(timeout=60)
