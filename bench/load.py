"""Load: many clients at once against `kb serve`, over a mix of pages, API calls and exports.

    python -m bench.load [--clients 16] [--seconds 60] [--home DIR]

Without --home it ingests the bundled corpus into a temporary folder. Each
client sends its next request as soon as the last is answered, drawn from
/search, /api/search, /api/facets, /doc/<id> and /export. Prints requests/s,
p50/p95/p99 per route and the errors, then one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.corpus import ROOT
from bench.measure import percentiles
from bench.web import _get, served

WORDS = ("trafficking", "victims", "cooperation", "compensation", "identification", "impunity", "children",
         "labour", "migration", "prosecution", "awareness", "referral", '"human beings"', "referr*")
THEMES = ("compensation", "cooperation", "identification", "assistance", "protection")
# Route and its share of the requests: searches dominate, as they do for people.
MIX = (("/search", 3), ("/api/search", 3), ("/api/facets", 2), ("/doc/<id>", 2), ("/export", 1))


def bundled_home(folder: Path) -> Path:
    """Ingest the bundled corpus into a data directory under folder."""
    from ingest.manifest import load_manifest
    from ingest.pipeline import ingest

    home = folder / "home"
    entries, errors = load_manifest(ROOT / "corpus" / "sources.toml")
    report = ingest(entries, home)
    if errors or not report.ok:
        raise SystemExit(f"error: the bundled corpus did not ingest: {errors or report.failed}")
    return home


def document_ids(base: str) -> list[str]:
    with urllib.request.urlopen(f"{base}/api/documents", timeout=60) as answer:
        return [d["id"] for d in json.load(answer)["documents"]]


def request_url(route: str, chance: random.Random, doc_ids: list[str]) -> str:
    """One request of a route, with a query (and sometimes a filter) drawn at random."""
    if route == "/doc/<id>":
        return f"/doc/{urllib.parse.quote(chance.choice(doc_ids))}"
    params = [("q", chance.choice(WORDS))]
    if chance.random() < 0.4:
        params.append(("theme", chance.choice(THEMES)))
    if route == "/export":
        params.append(("format", chance.choice(("csv", "jsonl", "md"))))
    return f"{route}?{urllib.parse.urlencode(params)}"


def drive(base: str, seconds: float, clients: int, doc_ids: list[str]) -> dict[str, dict]:
    """Closed-loop clients for some seconds; latencies (ms) and errors per route."""
    routes = [route for route, share in MIX for _ in range(share)]
    latencies: dict[str, list[float]] = {route: [] for route, _ in MIX}
    errors = {route: 0 for route, _ in MIX}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        chance = random.Random(seed)
        while time.monotonic() < stop:
            route = chance.choice(routes)
            start = time.perf_counter()
            ok, _ = _get(base + request_url(route, chance, doc_ids))
            with lock:
                latencies[route].append((time.perf_counter() - start) * 1000)
                errors[route] += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = {route: {"requests": len(latencies[route]), "errors": errors[route], **percentiles(latencies[route])}
               for route, _ in MIX if latencies[route]}
    every = [sample for samples in latencies.values() for sample in samples]
    figures["all"] = {"requests": len(every), "errors": sum(errors.values()), **percentiles(every)}
    return figures


def summary(routes: dict[str, dict], seconds: float, clients: int) -> dict:
    overall = routes["all"]
    return {
        "clients": clients, "seconds": seconds, "requests": overall["requests"],
        "requests_per_s": round(overall["requests"] / seconds, 1), "errors": overall["errors"],
        "p50_ms": overall["p50"], "p95_ms": overall["p95"], "p99_ms": overall["p99"], "routes": routes,
        "cores": os.cpu_count(), "machine": platform.machine(), "date": time.strftime("%Y-%m-%d"),
    }


def run(home: Path, seconds: float, clients: int) -> dict:
    with served(home) as base:
        doc_ids = document_ids(base)
        drive(base, min(3.0, seconds), clients, doc_ids)  # warm each worker's searchers, as on a running server
        routes = drive(base, seconds, clients, doc_ids)
    return summary(routes, seconds, clients)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--home", type=Path, default=None, help="a data directory to serve (default: the bundled corpus)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="atkb-load-") as folder:
        home = args.home or bundled_home(Path(folder))
        report = run(home, args.seconds, args.clients)
    print(f"{args.clients} clients, {args.seconds:g} s: {report['requests_per_s']} requests/s, {report['errors']} errors")
    for route, figures in report["routes"].items():
        print(f"  {route:12} {figures['requests']:6} requests  p50/p95/p99 "
              f"{figures['p50']}/{figures['p95']}/{figures['p99']} ms  errors {figures['errors']}")
    print(json.dumps(report))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
