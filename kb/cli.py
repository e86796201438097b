"""The `kb` command: a thin layer over the Python API that prints for people."""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import textwrap
from pathlib import Path

from kb import settings
from kb.errors import KBError

EXIT_FAILED = 1
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    """Run one kb command and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if not args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if args.home:
        os.environ["KB_HOME"] = args.home
    try:
        return args.run(args) or 0
    except KBError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted; the index keeps its last committed state", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Search anti-trafficking policy texts.")
    parser.add_argument("--home", help="data directory (default: $KB_HOME or ./var)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in (add_ingest, add_add, add_search, add_show, add_documents, add_remove, add_stats,
                     add_retag, add_eval_themes, add_serve):
        register(commands)
    from kb import cli_drafting, cli_export, cli_fetch

    cli_drafting.register(commands)
    cli_fetch.register(commands)
    cli_export.register(commands)
    return parser


# --- ingest and add -------------------------------------------------------

def add_ingest(commands) -> None:
    cmd = commands.add_parser("ingest", help="index the documents of one or more manifests")
    cmd.add_argument("manifests", nargs="*", metavar="MANIFEST", help="default: corpus/sources.toml")
    cmd.add_argument("--force", action="store_true", help="re-parse documents even if unchanged")
    cmd.add_argument("--procs", type=positive_int, default=None, metavar="N",
                     help="processes that read and tag documents (default: the number of cores)")
    cmd.set_defaults(run=run_ingest)


def run_ingest(args) -> int:
    from ingest.manifest import load_manifest

    paths = [Path(m) for m in args.manifests] or [Path(settings.get("KB_MANIFEST"))]
    entries, problems = [], []
    for path in paths:
        try:
            found, errors = load_manifest(path)
        except KBError as error:
            problems.append(error)
            continue
        entries += found
        problems += errors
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return _ingest_and_report(entries, args.force, args.procs) or (EXIT_FAILED if problems else 0)


def _ingest_and_report(entries, force: bool, procs: int | None = None) -> int:
    from ingest.parallel import default_procs
    from ingest.pipeline import ingest

    report = ingest(entries, settings.kb_home(), force=force, progress=ProgressBar(), on_wait=_say,
                    procs=procs or default_procs())
    for error in report.failed:
        print(f"error: {error}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return 0 if report.ok else EXIT_FAILED


class ProgressBar:
    """A progress bar on a terminal, one line per document elsewhere."""

    WIDTH = 24

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()

    def __call__(self, position: int, total: int, doc_id: str, outcome: str) -> None:
        if self.tty:
            done = self.WIDTH * position // max(total, 1)
            bar = "#" * done + "-" * (self.WIDTH - done)
            end = "\n" if position == total else ""
            self.stream.write(f"\r[{bar}] {position}/{total} {outcome:9} {doc_id[:40]:40}{end}")
        else:
            self.stream.write(f"[{position}/{total}] {outcome:9} {doc_id}\n")
        self.stream.flush()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def add_add(commands) -> None:
    cmd = commands.add_parser("add", help="index one file or URL with its metadata")
    cmd.add_argument("file", metavar="FILE", help="a path or an http(s) URL")
    cmd.add_argument("--title", required=True)
    cmd.add_argument("--issuer", required=True)
    cmd.add_argument("--doc-type", required=True, dest="doc_type")
    cmd.add_argument("--date", default="", help="YYYY, YYYY-MM or YYYY-MM-DD")
    cmd.add_argument("--id", default="", dest="doc_id", help="default: made from the file name")
    cmd.add_argument("--url", default="", help="a provenance link")
    cmd.add_argument("--place", default="")
    cmd.add_argument("--language", default="en")
    cmd.add_argument("--country", default="", help="the country a report concerns (default: read from a GRETA text)")
    cmd.add_argument("--round", default="", help="the evaluation round: 3 or third (default: read from a GRETA text)")
    cmd.set_defaults(run=run_add)


def run_add(args) -> int:
    from ingest.manifest import entry_from_table

    table = {
        "id": args.doc_id or slug_from_source(args.file), "title": args.title,
        "issuer": args.issuer, "doc_type": args.doc_type, "source": args.file,
        "date": args.date, "place": args.place, "language": args.language, "url": args.url,
        "country": args.country, "round": args.round,
    }
    try:
        entry = entry_from_table({k: v for k, v in table.items() if v}, Path.cwd())
    except ValueError as reason:
        raise KBError(str(reason), args.file) from None
    status = _ingest_and_report([entry], force=False)
    if status == 0:
        print(f"indexed as {entry.id}; see `kb show {entry.id}`", file=sys.stderr)
    return status


def slug_from_source(source: str) -> str:
    """Make a document id from a file name or URL."""
    stem = Path(source.split("?")[0].rstrip("/")).stem.lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:80] or "document"


# --- search, show, documents, stats ----------------------------------------

def add_search(commands) -> None:
    cmd = commands.add_parser("search", help="search passages", description=QUERY_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    cmd.add_argument("query", metavar="QUERY", help="words, \"phrases\", AND/OR/NOT, field:value, ranges, prefix*")
    cmd.add_argument("--filter", "-f", action="append", default=[], metavar="FIELD=VALUE",
                     help="keep matching passages only (FIELD!=VALUE excludes); repeatable")
    cmd.add_argument("--limit", "-n", type=int, default=10)
    cmd.add_argument("--offset", type=int, default=0)
    cmd.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")
    cmd.add_argument("--json", action="store_true", help="print JSON (see README)")
    cmd.set_defaults(run=run_search)


QUERY_HELP = """\
query syntax:
  compensation                  a word (stemmed: matches compensating too)
  "strategic priorities"        a phrase
  impunity AND NOT ukraine      AND, OR, NOT and (parentheses)
  doc_type:declaration          a field (year, issuer, role, verb, theme, ...)
  year:[2018 TO 2022]           a range
  referr*                       a prefix
  exact:"in a spirit of"        exact wording, no stemming
"""


def run_search(args) -> int:
    from kb.search import SearchRequest, parse_filter, search

    request = SearchRequest(
        query=args.query, filters=tuple(parse_filter(f) for f in args.filter),
        limit=args.limit, offset=args.offset, sort=args.sort,
    )
    result = search(request)
    if args.json:
        _print_json(result.to_json())
        return 0
    shown = f"{request.offset + 1}-{request.offset + len(result.hits)} of " if result.hits else ""
    print(f"{shown}{result.total} passages match {args.query!r}")
    for hit in result.hits:
        print()
        print(_hit_header(hit))
        print(textwrap.fill(hit["snippet"], width=100, initial_indent="    ", subsequent_indent="    "))
    return 0


def _hit_header(hit: dict) -> str:
    kind = f"recommendation: {hit['strength']}" if hit.get("kind") == "recommendation" else ""
    where = " ".join(x for x in (hit["number"] or f"passage {hit['seq']}", hit["role"], hit["verb"], kind) if x)
    return f"{hit['passage_id']}  [{where}]  {hit['title']} ({hit['date'] or 'undated'})"


def add_show(commands) -> None:
    cmd = commands.add_parser("show", help="print a document in reading order")
    cmd.add_argument("doc_id", metavar="DOC_ID")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(run=run_show)


def run_show(args) -> int:
    from kb.documents import show_document

    shown = show_document(args.doc_id)
    if args.json:
        _print_json(shown)
        return 0
    doc = shown["document"]
    print(doc["title"])
    print(" · ".join(x for x in (doc["issuer"], doc["place"], doc["date"], doc["doc_type"]) if x))
    if doc["themes"]:
        print("themes: " + ", ".join(f"{theme} {n}" for theme, n in doc["themes"].items()))
    for passage in shown["passages"]:
        depth = 1 + bool(passage["parent"])
        indent = "    " * depth
        label = " ".join(x for x in (passage["number"], f"[{passage['role']}]") if x)
        print()
        print(textwrap.fill(f"{label} {passage['text']}", width=100, initial_indent=indent, subsequent_indent=indent))
        for line in _tag_lines(passage):
            print(f"{indent}  {line}")
    return 0


def _tag_lines(passage: dict) -> list[str]:
    """Each theme with the words that triggered it, then the entities named."""
    lines = []
    for theme in passage["themes"]:
        words = dict.fromkeys(f'"{e["match"]}"' for e in passage["evidence"] if e["theme"] == theme)
        lines.append(f"theme {theme}: {', '.join(words)}")
    for field, label in (("orgs", "orgs"), ("places", "places"), ("instruments", "instruments")):
        if passage[field]:
            lines.append(f"{label}: {', '.join(passage[field])}")
    for item in passage.get("recommendations", []):
        lines.append(f"recommendation ({item['strength']}): {item['passage_id']}")
    for key, label in (("refers_to", "refers to"), ("referred_by", "in the conclusions")):
        if passage.get(key):
            lines.append(f"{label}: {', '.join(a['number'] or a['passage_id'] for a in passage[key])}")
    return lines


def add_documents(commands) -> None:
    cmd = commands.add_parser("documents", help="list indexed documents")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(run=run_documents)


def run_documents(args) -> int:
    from kb.documents import list_documents

    documents = list_documents()
    if args.json:
        _print_json({"documents": documents})
        return 0
    for doc in documents:
        print(f"{doc['id']:45} {doc['date'] or 'undated':10} {doc['doc_type']:12} {doc['passages']:5} {doc['title'][:60]}")
    return 0


def add_remove(commands) -> None:
    cmd = commands.add_parser("remove", help="remove a document from the index")
    cmd.add_argument("doc_id", metavar="DOC_ID")
    cmd.set_defaults(run=run_remove)


def run_remove(args) -> int:
    from kb.documents import remove_document

    remove_document(args.doc_id, settings.kb_home(), on_wait=_say)
    print(f"removed {args.doc_id}", file=sys.stderr)
    return 0


def add_stats(commands) -> None:
    cmd = commands.add_parser("stats", help="count what is indexed")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(run=run_stats)


def run_stats(args) -> int:
    from kb.documents import index_stats

    stats = index_stats()
    if args.json:
        _print_json(stats)
        return 0
    print(f"{stats['documents']} documents, {stats['passages']} passages, "
          f"index {stats['index_bytes'] / 1024:.0f} KiB in {stats['home']}")
    print("by type: " + ", ".join(f"{k} {v}" for k, v in stats["doc_types"].items()))
    print("by year: " + ", ".join(f"{k} {v}" for k, v in stats["years"].items()))
    return 0


def add_retag(commands) -> None:
    cmd = commands.add_parser("retag", help="tag stored passages again after a taxonomy change")
    cmd.set_defaults(run=run_retag)


def run_retag(args) -> int:
    from kb.index import retag

    report = retag(settings.kb_home(), on_wait=_say)
    for theme in sorted(set(report.gained) | set(report.lost)):
        print(f"{theme:22} +{report.gained.get(theme, 0):<5} -{report.lost.get(theme, 0)}")
    print(f"{report.passages} passages tagged again; {report.documents_changed} documents changed", file=sys.stderr)
    return 0


def add_eval_themes(commands) -> None:
    cmd = commands.add_parser("eval-themes", help="measure theme tagging against hand-labelled passages")
    cmd.add_argument("gold", nargs="?", metavar="GOLD", default=None,
                     help="JSON lines with text and themes (default: tests/data/themes_gold.jsonl)")
    cmd.add_argument("--errors", action="store_true", help="list the passages where tagging disagrees")
    cmd.set_defaults(run=run_eval_themes)


def run_eval_themes(args) -> int:
    from kb.evaluation import DEFAULT_GOLD, evaluate, load_gold

    result = evaluate(load_gold(Path(args.gold) if args.gold else DEFAULT_GOLD))
    print(f"{'theme':22} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    rows = sorted(result.themes.items(), key=lambda item: (-item[1].support, item[0]))
    for theme, score in rows + [("micro average", result.micro)]:
        print(f"{theme:22} {score.precision:9.3f} {score.recall:7.3f} {score.f1:6.3f} {score.support:8}")
    if args.errors:
        for error in result.errors:
            print(f"\n{error['id']}: extra {error['extra']}, missing {error['missing']}\n    {error['text'][:200]}")
    missed = result.shortfalls()
    for shortfall in missed:
        print(f"below target: {shortfall}", file=sys.stderr)
    return EXIT_FAILED if missed else 0


def add_serve(commands) -> None:
    cmd = commands.add_parser("serve", help="serve the web UI and JSON API")
    cmd.add_argument("--host", default=None, help="default: $KB_HOST or 127.0.0.1")
    cmd.add_argument("--port", type=int, default=None, help="default: $KB_PORT or 5000")
    cmd.add_argument("--workers", type=positive_int, default=None, metavar="N",
                     help="server processes sharing the port (default: the number of cores)")
    cmd.set_defaults(run=run_serve)


def run_serve(args) -> int:
    from kb import serving

    host = args.host or settings.get("KB_HOST")
    port = args.port or int(settings.get("KB_PORT"))
    workers = args.workers or serving.default_workers()
    print(f"serving {settings.kb_home()} on http://{host}:{port}/ with {workers} worker(s) "
          "(read-only; Ctrl-C stops)", file=sys.stderr)
    return serving.serve(host, port, workers)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    sys.exit(main())
