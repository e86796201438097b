"""Peak memory and speed of exporting every passage of a large index, in each format.

    python -m bench.export_memory [--passages 100000] [--home DIR] [--keep]

Builds an index of realistic passages (sentences of the bundled corpus
recombined by a seeded generator, tagged with themes of the taxonomy, spread
over years, issuers and document types) unless --home names one, then
exports all of them in each format, each in a process of its own, and prints
that process's peak resident memory and throughput. The baseline, measured
the same way in the same run, is a process that only reads the matches.
One line per format, then one JSON line. Not run by pytest.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kb import engine, settings
from kb.model import DOC_TYPES, ROLES, Document, Evidence, Passage
from kb.taxonomy import current_taxonomy

ROOT = Path(__file__).resolve().parent.parent
PASSAGES_PER_DOCUMENT = 250
LIMIT_MB = 200
ISSUERS = ["GRETA", "European Commission", "NATC SEE", "UNODC", "OSCE", "Council of Europe", "IOM", "ILO"]
PLACES = ["Ljubljana", "Brussels", "Vienna", "Strasbourg", "Geneva", "Sarajevo", "Belgrade", "Skopje", ""]
VERBS = ["REITERATE", "ENCOURAGE", "INVITE", "UNDERTAKE TO", "COMMIT TO", "DECLARE"]


def corpus_sentences() -> list[str]:
    sentences = []
    for path in sorted((ROOT / "corpus" / "documents").glob("*.txt")):
        text = " ".join(path.read_text(encoding="utf-8").split())
        sentences += [s for s in re.split(r"(?<=[.;])\s+", text) if len(s.split()) >= 6]
    return sentences


def generated(passages: int, seed: int = 2026):
    """Yield (Document, passages) pairs adding up to the number of passages asked for."""
    chance, sentences = random.Random(seed), corpus_sentences()
    themes = [t.id for t in current_taxonomy().themes]
    for number in range(-(-passages // PASSAGES_PER_DOCUMENT)):
        year = chance.randint(2005, 2024)
        document = Document(
            id=f"bench-{number:05d}", title=f"{chance.choice(sentences)[:90].rstrip(' ,;.')} ({number})",
            issuer=chance.choice(ISSUERS), doc_type=chance.choice(DOC_TYPES), source="generated",
            date=f"{year}-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}", place=chance.choice(PLACES),
        )
        count = min(PASSAGES_PER_DOCUMENT, passages - number * PASSAGES_PER_DOCUMENT)
        yield document, [_passage(document.id, seq, chance, sentences, themes) for seq in range(1, count + 1)]


def _passage(doc_id: str, seq: int, chance: random.Random, sentences: list[str], themes: list[str]) -> Passage:
    tagged = tuple(chance.sample(themes, chance.choice((0, 1, 1, 2, 3))))
    role = chance.choice(ROLES)
    return Passage(
        doc_id=doc_id, seq=seq, text=" ".join(chance.sample(sentences, chance.randint(1, 3))),
        number=f"{seq}." if role in ("operative", "list_item") else "", role=role,
        verb=chance.choice(VERBS) if role == "operative" else "", heading=f"Part {seq // 50 + 1}",
        themes=tagged, evidence=tuple(Evidence(t, t.split("-")[0], f"{t.split('-')[0]}*") for t in tagged),
    )


def build_index(home: Path, passages: int) -> float:
    start = time.perf_counter()
    with engine.writing(settings.index_dir(home)) as writer:
        for document, items in generated(passages):
            writer.replace_document(document, items, fingerprint=document.id)
    return time.perf_counter() - start


def child(mode: str, home: Path, out: Path) -> None:
    """In a process of its own: export every passage (or, for "iterate", only read them)."""
    from kb.export import ExportInfo, write_export
    from kb.search import SearchRequest, iter_matches

    start = time.perf_counter()
    matches = iter_matches(SearchRequest(""), home)
    if mode == "iterate":
        count = sum(1 for _ in matches)
    else:
        with open(out, "wb") as stream:
            count = write_export(mode, matches, stream, ExportInfo(base_url="http://127.0.0.1:5000"))
    print(json.dumps({"passages": count, "seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's own peak resident memory.

    VmHWM belongs to the process's address space, which exec starts afresh;
    getrusage's ru_maxrss would also count the parent's memory at the fork,
    and the parent holds the index it has just built.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return round(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024, 1)
    except (OSError, AttributeError):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measured(mode: str, home: Path, out: Path) -> dict:
    """Export in a child process and return its figures."""
    done = subprocess.run([sys.executable, "-m", "bench.export_memory", "--child", mode, "--home", str(home),
                           "--out", str(out)], stdout=subprocess.PIPE, cwd=ROOT, check=True)
    row = json.loads(done.stdout)
    row["bytes"] = out.stat().st_size if out.exists() else 0
    row["passages_per_s"] = round(row["passages"] / row["seconds"])
    row["seconds"] = round(row["seconds"], 1)
    return row


def docx_check(path: Path) -> int:
    """Open the streamed .docx with python-docx (in a child: it needs a lot of memory) and count quotes."""
    code = f"import docx; print(sum(p.style.name == 'Quote' for p in docx.Document({str(path)!r}).paragraphs))"
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def run(home: Path, folder: Path, check_docx: bool) -> dict:
    figures = {"iterate": measured("iterate", home, folder / "none")}
    base = figures["iterate"]["peak_rss_mb"]
    print(f"{'iterate':8} {figures['iterate']['passages']:7} passages {figures['iterate']['seconds']:6.1f} s "
          f"{figures['iterate']['passages_per_s']:6}/s  peak RSS {base:6.1f} MB (baseline: read only)")
    for mode in ("csv", "jsonl", "md", "docx"):
        row = figures[mode] = measured(mode, home, folder / f"export.{mode}")
        row["over_baseline_mb"] = round(row["peak_rss_mb"] - base, 1)
        print(f"{mode:8} {row['passages']:7} passages {row['seconds']:6.1f} s {row['passages_per_s']:6}/s  "
              f"peak RSS {row['peak_rss_mb']:6.1f} MB (+{row['over_baseline_mb']} over baseline)  file {row['bytes'] / 1e6:.1f} MB")
    if check_docx:
        figures["docx"]["python_docx_quotes"] = quotes = docx_check(folder / "export.docx")
        print(f"python-docx opens the .docx and finds {quotes} quoted passages")
    formats = ("csv", "jsonl", "md", "docx")
    figures["within_limit"] = all(figures[m]["peak_rss_mb"] <= LIMIT_MB for m in formats)
    figures["writers_max_over_baseline_mb"] = max(figures[m]["over_baseline_mb"] for m in formats)
    if not figures["within_limit"] and base > LIMIT_MB:
        print(f"over {LIMIT_MB} MB, but reading the matches alone takes {base} MB: the cost is in opening and "
              f"reading the index, the writers add at most {figures['writers_max_over_baseline_mb']} MB")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="an existing data directory to export from (no index is built)")
    parser.add_argument("--keep", action="store_true", help="keep the built index and the exported files")
    parser.add_argument("--no-docx-check", dest="check_docx", action="store_false")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.home, args.out)
    folder = Path(tempfile.mkdtemp(prefix="atkb-export-bench-"))
    try:
        home = args.home
        if home is None:
            home = folder / "home"
            print(f"built an index of {args.passages} passages in {build_index(home, args.passages):.0f} s", file=sys.stderr)
        figures = run(home, folder, args.check_docx)
        print(json.dumps(figures))
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
