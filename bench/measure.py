"""atkb's side of the benchmark: ingest and queries (the served app is in bench.web)."""
from __future__ import annotations

import time
from pathlib import Path

from bench.corpus import ROOT, generated_documents
from ingest import pipeline
from ingest.detect import detect_format
from ingest.manifest import entry_from_table
from ingest.parsers import parse
from kb import engine, settings
from kb.search import SearchRequest, search

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


def write_sources(passages: int, folder: Path) -> list:
    """Write generated documents holding the given number of passages as text files; return their entries."""
    folder.mkdir(parents=True, exist_ok=True)
    entries, count = [], 0
    for document, text in generated_documents():
        source = folder / f"{document.id}.txt"
        source.write_text(text, encoding="utf-8")
        entries.append(entry_from_table({**_table(document), "source": str(source)}, folder))
        data = text.encode("utf-8")
        fmt = detect_format(data, source.name, str(source))
        count += len(pipeline.parse_passages(data, fmt, str(source), document.id, document.doc_type))
        if count >= passages:
            return entries
    return entries


def _table(document) -> dict:
    return {"id": document.id, "title": document.title, "issuer": document.issuer,
            "doc_type": document.doc_type, "date": document.date}


def ingest(entries: list, home: Path, procs: int) -> tuple[float, int]:
    """Run `kb ingest`'s pipeline (fetch, parse, segment, tag, index) from scratch.

    The drafting store is left out: on this generated corpus, where every
    passage reuses sentences of a few documents, its lineage is a worst case.
    Returns the passages per second of the rebuild and the passages indexed.
    """
    start = time.perf_counter()
    report = pipeline.ingest(entries, home, procs=procs, derive=False)
    seconds = time.perf_counter() - start
    if not report.ok:
        raise RuntimeError(f"ingest failed: {report.failed[0]}")
    with engine.searching(settings.index_dir(home)) as searcher:
        count = engine.count_passages(searcher)
    return round(count / seconds, 1), count


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
