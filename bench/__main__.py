"""The benchmark suite: atkb against an SQLite FTS5 baseline on the same scaled corpus.

    python -m bench [--passages N] [--quick] [--web-seconds S]

Without --passages it measures 10k, 50k and 100k passages. --quick is 10k
passages, one ingest (2 processes) and no web load: under a minute. The last line printed is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bench import measure, web
from bench.fts5 import Fts5Baseline
from bench.queries import query_sets


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def run_size(passages: int, web_seconds: float, folder: Path, procs_runs: tuple[int, ...] = (1, 2)) -> dict:
    home = folder / f"atkb-{passages}"
    queries = query_sets()
    print(f"\n== {passages:,} passages")
    report: dict = {"passages": passages}
    report["pdf_pages_per_s"] = measure.pdf_pages_per_second()
    print(f"parse PDF: {report['pdf_pages_per_s']} pages/s   peak RSS {peak_rss_mb()} MB")
    entries = measure.write_sources(passages, folder / f"sources-{passages}")
    for procs in procs_runs:
        target = home if procs == procs_runs[0] else folder / f"atkb-{passages}-p{procs}"
        rate, count = measure.ingest(entries, target, procs)
        report[f"ingest_passages_per_s_{procs}p"] = rate
        report[f"rebuild_s_{procs}p"] = round(count / rate, 1)
        print(f"kb ingest from scratch (fetch+parse+segment+tag+index), --procs {procs}: "
              f"{rate} passages/s, {report[f'rebuild_s_{procs}p']} s ({count} passages)   peak RSS {peak_rss_mb()} MB")
    report["ingest_passages_per_s"] = max(report[f"ingest_passages_per_s_{procs}p"] for procs in procs_runs)
    report["rebuild_s"] = min(report[f"rebuild_s_{procs}p"] for procs in procs_runs)
    report["index_mb"] = measure.folder_mb(home / "index")
    baseline = Fts5Baseline(folder / f"fts5-{passages}.sqlite")
    baseline.load(home)
    report["fts5_mb"] = baseline.size_mb()
    print(f"index size: atkb {report['index_mb']} MB, FTS5 {report['fts5_mb']} MB")
    report["latency_ms"], report["fts5_latency_ms"] = {}, {}
    for kind, items in queries.items():
        ours = measure.atkb_latencies(home, kind, items)
        theirs = baseline.latencies(kind, items)
        report["latency_ms"][kind], report["fts5_latency_ms"][kind] = ours, theirs
        ratio = round(ours["p95"] / max(theirs["p95"], 0.001), 2)
        print(f"{kind:8} atkb p50/p95/p99 {ours['p50']}/{ours['p95']}/{ours['p99']} ms   "
              f"FTS5 {theirs['p50']}/{theirs['p95']}/{theirs['p99']} ms   ratio p95 {ratio}   peak RSS {peak_rss_mb()} MB")
    if web_seconds:
        report["web"] = web.web_load(home, seconds=web_seconds, clients=16)
        for path, figures in report["web"].items():
            print(f"web {path:12} {figures['requests_per_s']} req/s  p50/p95/p99 {figures['p50_ms']}/"
                  f"{figures['p95_ms']}/{figures['p99_ms']} ms  errors {figures['errors']}  "
                  f"cache hits {figures['cache_hits']} of {figures['requests']}")
        # Last: it adds documents to the index measured above.
        runs = web.add_searchable_runs(home, folder)
        report["add_searchable_s"], report["add_searchable_max_s"] = statistics.median(runs), max(runs)
        print(f"kb add of a {web.NEW_PASSAGES}-passage document, searchable through /api/search after "
              f"{', '.join(f'{s} s' for s in runs)} ({len(runs)} documents in turn; median {report['add_searchable_s']} s)")
    report["peak_rss_mb"] = peak_rss_mb()
    return report


def summary(report: dict) -> dict:
    kinds = ("keyword", "phrase", "faceted", "field")
    ours = {k: report["latency_ms"][k]["p95"] for k in kinds}
    theirs = {k: report["fts5_latency_ms"][k]["p95"] for k in kinds}
    web = report.get("web", {})
    return {
        "passages": report["passages"],
        "ingest_passages_per_s": report["ingest_passages_per_s"],
        "p95_ms": ours,
        "fts5_p95_ms": theirs,
        "ratio_p95": {k: round(ours[k] / max(theirs[k], 0.001), 2) for k in kinds},
        "rebuild_s": report["rebuild_s"],
        "web_p95_ms": max((w["p95_ms"] for w in web.values()), default=None),
        "web_errors": sum(w["errors"] for w in web.values()) if web else None,
        "web_cache_hits": sum(w["cache_hits"] for w in web.values()) if web else None,
        "web_requests": sum(w["requests"] for w in web.values()) if web else None,
        "add_searchable_s": report.get("add_searchable_s"),
        "add_searchable_max_s": report.get("add_searchable_max_s"),
        "peak_rss_mb": report["peak_rss_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--quick", action="store_true", help="10k passages, no web load")
    parser.add_argument("--web-seconds", type=float, default=30.0)
    args = parser.parse_args()
    sizes = [10_000] if args.quick else (args.passages or [10_000, 50_000, 100_000])
    web_seconds = 0 if args.quick else args.web_seconds
    print(f"atkb benchmark · {platform.node()} · {platform.machine()} · "
          f"{platform.python_implementation()} {platform.python_version()} · {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory(prefix="atkb-bench-") as folder:
        # --quick times the ingest once, with the two processes `kb ingest` uses by default here.
        procs_runs = (2,) if args.quick else (1, 2)
        reports = [run_size(n, web_seconds, Path(folder), procs_runs) for n in sizes]
    print(json.dumps(summary(reports[-1])))


if __name__ == "__main__":
    main()
