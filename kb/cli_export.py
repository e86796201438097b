"""The `kb export`, `kb cite` and `kb report` commands, added to the parser of kb/cli.py.

Files are written next to their destination under a temporary name and
renamed at the end, so a failed export never leaves half a file behind.
"""
from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from kb.errors import ExportError

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def register(commands) -> None:
    """Add export, cite and report to the subcommands of `kb`."""
    for add in (add_export, add_cite, add_report):
        add(commands)


def _base_url_option(cmd) -> None:
    cmd.add_argument("--base-url", default=DEFAULT_BASE_URL,
                     help=f"where the web UI is served, for permalinks (default: {DEFAULT_BASE_URL})")


def add_export(commands) -> None:
    from kb.export import FORMATS

    cmd = commands.add_parser("export", help="write every passage matching a search to a file")
    cmd.add_argument("query", metavar="QUERY", help='what `kb search` takes; "" for every passage')
    cmd.add_argument("--filter", "-f", action="append", default=[], metavar="FIELD=VALUE",
                     help="keep matching passages only (FIELD!=VALUE excludes); repeatable")
    cmd.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")
    cmd.add_argument("--format", dest="fmt", choices=tuple(FORMATS), default=None,
                     help="default: from the extension of FILE")
    cmd.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write, or - for standard output")
    _base_url_option(cmd)
    cmd.set_defaults(run=run_export)


def run_export(args) -> int:
    from kb.export import ExportInfo, describe_search, write_export
    from kb.search import SearchRequest, iter_matches, parse_filter

    fmt = args.fmt or _format_from_name(args.output)
    request = SearchRequest(query=args.query, filters=tuple(parse_filter(f) for f in args.filter), sort=args.sort)
    info = ExportInfo(subtitle=describe_search(request.query, request.filters, request.sort), base_url=args.base_url)
    with _output(args.output) as out:
        count = write_export(fmt, iter_matches(request), out, info)
    print(f"wrote {count} passages to {args.output}", file=sys.stderr)
    return 0


def _format_from_name(path: str) -> str:
    from kb.export import FORMATS

    extension = Path(path).suffix.lstrip(".").lower()
    if extension not in FORMATS:
        raise ExportError(f"say which format with --format ({', '.join(FORMATS)})", path)
    return extension


@contextmanager
def _output(path: str):
    """Yield a binary stream that becomes the file only if everything was written."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise ExportError("the folder to write into does not exist", path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def add_cite(commands) -> None:
    cmd = commands.add_parser("cite", help="print a document's reference for Zotero or EndNote")
    cmd.add_argument("doc_id", metavar="DOC_ID")
    cmd.add_argument("--format", dest="fmt", choices=("bibtex", "ris"), default="bibtex")
    cmd.add_argument("-o", "--output", default="-", metavar="FILE", help="default: standard output")
    _base_url_option(cmd)
    cmd.set_defaults(run=run_cite)


def run_cite(args) -> int:
    from kb.citations import bibtex, ris
    from kb.documents import show_document

    document = show_document(args.doc_id)["document"]
    text = (bibtex if args.fmt == "bibtex" else ris)(document, args.base_url)
    with _output(args.output) as out:
        out.write(text.encode("utf-8"))
    return 0


def add_report(commands) -> None:
    from kb.report import BRIEF_FORMATS

    cmd = commands.add_parser("report", help="write a brief on a theme: every passage, by year and document")
    cmd.add_argument("theme", metavar="THEME", help="a theme id (see `kb eval-themes` or corpus/themes.toml) or family")
    cmd.add_argument("--from", dest="year_from", type=int, default=None, metavar="YEAR")
    cmd.add_argument("--to", dest="year_to", type=int, default=None, metavar="YEAR")
    cmd.add_argument("--format", dest="fmt", choices=tuple(BRIEF_FORMATS), default=None,
                     help="default: from the extension of FILE")
    cmd.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write, or - for standard output")
    _base_url_option(cmd)
    cmd.set_defaults(run=run_report)


def run_report(args) -> int:
    from kb.report import BRIEF_FORMATS, brief_chunks

    fmt = args.fmt or Path(args.output).suffix.lstrip(".").lower()
    if fmt not in BRIEF_FORMATS:
        raise ExportError(f"say which format with --format ({' or '.join(BRIEF_FORMATS)})", args.output)
    chunks = brief_chunks(args.theme, fmt, args.year_from, args.year_to, base_url=args.base_url)
    with _output(args.output) as out:
        for chunk in chunks:
            out.write(chunk)
    print(f"wrote the brief on {args.theme} to {args.output}", file=sys.stderr)
    return 0
