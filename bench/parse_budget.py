"""What the parse budget costs: each seed document parsed in process and in a budgeted child.

    python -m bench.parse_budget [--rounds N]

Prints, per round, the time to parse, clean and segment the PDF, HTML and
Word seeds and the bundled texts both ways, and the overhead per document.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ingest.budget import within_budget
from ingest.detect import detect_format
from ingest.pipeline import parse_passages

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "tests" / "data" / "seeds").glob("*")) + sorted((ROOT / "corpus" / "documents").glob("*"))


def parse_all(sources: list[tuple[bytes, str, str]], budgeted: bool) -> float:
    """Seconds to read every source once."""
    start = time.perf_counter()
    for data, fmt, name in sources:
        if budgeted:
            within_budget(parse_passages, (data, fmt, name, "bench"), name)
        else:
            parse_passages(data, fmt, name, "bench")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sources = []
    for path in SOURCES:
        data = path.read_bytes()
        sources.append((data, detect_format(data, path.name), path.name))
    parse_all(sources, budgeted=False)  # warm imports and caches once
    overheads = []
    for _ in range(args.rounds):
        plain, budgeted = parse_all(sources, False), parse_all(sources, True)
        overheads.append((budgeted - plain) / len(sources) * 1000)
        print(f"{len(sources)} documents: in process {plain:.3f} s, within budget {budgeted:.3f} s")
    print(f"overhead per document: median {statistics.median(overheads):.1f} ms")


if __name__ == "__main__":
    main()
