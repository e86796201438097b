"""How long the search page takes with all its facets, on the bundled corpus.

    python -m bench.page_render [--rounds N]

Prints p50 and p95 milliseconds per page, and, as the baseline in the same
run, the bare engine search for the same query without facets or rendering.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from ingest.manifest import load_manifest
from ingest.pipeline import ingest
from kb import engine, settings
from search_app import create_app

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("keyword", "/search?q=trafficking", "trafficking"),
    ("faceted", "/search?q=compensation&theme=compensation&year=2018", "compensation"),
    ("browse", "/search?theme=protection&not_year=2012", ""),
    ("document", "/doc/natc-see-2020-strategy-paper?q=impunity", None),
]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(function, rounds: int) -> list[float]:
    function()  # warm caches once, as a running server would have
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        entries, _ = load_manifest(ROOT / "corpus" / "sources.toml")
        ingest(entries, home)
        client = create_app({"KB_HOME": str(home)}).test_client()
        figures = {}
        for name, path, query in PAGES:
            page = timed(lambda: client.get(path), args.rounds)
            row = {"page_p50_ms": round(statistics.median(page), 2), "page_p95_ms": round(percentile(page, 0.95), 2)}
            if query is not None:
                def bare():
                    with engine.searching(settings.index_dir(home)) as searcher:
                        engine.search(searcher, query, [], limit=20, facets=())
                base = timed(bare, args.rounds)
                row["bare_search_p50_ms"] = round(statistics.median(base), 2)
                row["ratio_p50"] = round(row["page_p50_ms"] / max(row["bare_search_p50_ms"], 0.01), 1)
            figures[name] = row
            print(f"{name:9} {path:55} " + "  ".join(f"{k}={v}" for k, v in row.items()))
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
