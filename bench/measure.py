"""atkb's side of the benchmark: ingest, queries, and the served app under load."""
from __future__ import annotations

import multiprocessing
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
from pathlib import Path

from bench.corpus import ROOT, generated_documents
from ingest.clean import clean_blocks
from ingest.parsers import parse
from ingest.parsers.text import parse_text
from ingest.segment import segment
from kb import engine, index, settings
from kb.search import SearchRequest, search
from kb.tagging import tag_passages

PDFS = sorted((ROOT / "tests" / "data" / "seeds").glob("*.pdf"))


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda share: round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)  # noqa: E731
    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99)}


def folder_mb(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def pdf_pages_per_second(rounds: int = 3) -> float:
    from pdfminer.pdfpage import PDFPage

    pages = sum(len(list(PDFPage.get_pages(open(p, "rb")))) for p in PDFS) * rounds
    start = time.perf_counter()
    for _ in range(rounds):
        for path in PDFS:
            parse(path.read_bytes(), "pdf", str(path))
    return round(pages / (time.perf_counter() - start), 1)


def segmented_and_tagged(item):
    document, text = item
    return document, tag_passages(segment(clean_blocks(parse_text(text)), document.id))


def ingest(passages: int, home: Path, procs: int) -> tuple[float, int]:
    """Segment, tag and index a generated corpus; return passages per second."""
    documents = generated_documents()
    count = 0
    start = time.perf_counter()
    with engine.writing(settings.index_dir(home), procs=procs) as writer:
        if procs == 1:
            results = map(segmented_and_tagged, documents)
        else:
            pool = multiprocessing.get_context("fork").Pool(procs)
            results = pool.imap(segmented_and_tagged, documents, chunksize=4)
        for document, tagged in results:
            tagged = tagged[: passages - count]
            writer.replace_document(document, tagged, index.fingerprint(document))
            count += len(tagged)
            if count >= passages:
                break
        if procs > 1:
            pool.terminate()
            pool.join()
    return round(count / (time.perf_counter() - start), 1), count


def atkb_query(searcher, home: Path, kind: str, item: dict) -> None:
    if kind == "faceted":
        search(SearchRequest(query=" ".join(item["words"]), limit=20), home)
        return
    if kind == "phrase":
        text = '"' + " ".join(item["phrase"]) + '"'
    elif kind == "field":
        first, last = item["years"]
        text = f"{' '.join(item['words'])} year:[{first} TO {last}]"
    else:
        text = " ".join(item["words"])
    filters = [("doc_type", item["doc_type"], False)] if kind == "field" else []
    engine.search(searcher, text, filters, limit=20, facets=())


def atkb_latencies(home: Path, kind: str, items: list[dict]) -> dict:
    samples = []
    with engine.searching(settings.index_dir(home)) as searcher:
        atkb_query(searcher, home, kind, items[0])  # warm caches, as a running server has
        for item in items:
            start = time.perf_counter()
            atkb_query(searcher, home, kind, item)
            samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def web_load(home: Path, seconds: float, clients: int) -> dict:
    """Serve the index with `kb serve` and hit it from many clients at once."""
    port = free_port()
    env = {**os.environ, "KB_HOME": str(home)}
    server = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
        return {path: _hammer(base, path, seconds, clients) for path in ("/api/search", "/search")}
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise RuntimeError("the server did not start")


def _hammer(base: str, path: str, seconds: float, clients: int) -> dict:
    words = ["trafficking", "victims", "cooperation", "compensation", "identification", "impunity",
             "children", "labour", "migration", "prosecution", "awareness", "referral"]
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        chance = random.Random(seed)
        while time.monotonic() < stop:
            query = urllib.parse.urlencode({"q": chance.choice(words)})
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{base}{path}?{query}", timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                ok = False
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                errors[0] += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = percentiles(latencies)
    return {"requests_per_s": round(len(latencies) / seconds, 1), "p95_ms": figures["p95"], "errors": errors[0]}
