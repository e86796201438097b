"""The drafting commands of `kb`: precedents of a draft, and passages like a passage."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from kb import settings
from kb.errors import BadDraft

# How a redline reads in a terminal, as `git diff --word-diff` writes it.
REDLINE_MARKS = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}


def register(commands) -> None:
    """Add the drafting commands to the subcommands of `kb`."""
    add_precedents(commands)
    add_similar(commands)


def add_precedents(commands) -> None:
    cmd = commands.add_parser("precedents", help="find where a draft's wording was used before")
    source = cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", metavar="TEXT", help="the draft: a sentence or a paragraph")
    source.add_argument("--file", metavar="F", help="read the draft from a UTF-8 text file (- for stdin)")
    cmd.add_argument("--limit", "-n", type=int, default=10)
    cmd.add_argument("--no-boilerplate", action="store_true", help="leave out passages flagged as boilerplate")
    cmd.add_argument("--json", action="store_true", help="print JSON (see README)")
    cmd.set_defaults(run=run_precedents)


def run_precedents(args) -> int:
    from kb.drafting import find_precedents

    found = find_precedents(_draft(args), settings.kb_home(), args.limit, hide_boilerplate=args.no_boilerplate)
    if args.json:
        _print_json(found.to_json())
        return 0
    if found.same_as:
        print(f"your text is {found.same_as} word for word; showing the other passages")
    _print_results(found.results)
    return 0


def _draft(args) -> str:
    if args.file is None:
        return args.text
    if args.file == "-":
        return sys.stdin.read()
    try:
        return Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadDraft(f"cannot read the draft: {getattr(error, 'strerror', None) or error}", args.file) from None


def add_similar(commands) -> None:
    cmd = commands.add_parser("similar", help="list the passages that share most wording with one passage")
    cmd.add_argument("passage_id", metavar="PASSAGE_ID", help="DOC_ID:SEQ, as `kb search` shows it")
    cmd.add_argument("--limit", "-n", type=int, default=10)
    cmd.add_argument("--no-boilerplate", action="store_true", help="leave out passages flagged as boilerplate")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(run=run_similar)


def run_similar(args) -> int:
    from kb.drafting import find_similar

    passage, found = find_similar(args.passage_id, settings.kb_home(), args.limit,
                                  hide_boilerplate=args.no_boilerplate)
    if args.json:
        _print_json({"passage_id": passage["passage_id"], **found.to_json()})
        return 0
    print(f"passages like {passage['passage_id']}:")
    _print_results(found.results)
    return 0


def _print_results(results) -> None:
    if not results:
        print("no passage shares four words in a row with this text")
    for result in results:
        shown = result.to_json()
        print()
        print(f"{shown['score']:.2f}  {shown['passage_id']}  {shown['citation']}")
        print(textwrap.fill(redline_text(shown["diff"]), width=100, initial_indent="    ", subsequent_indent="    ",
                            break_on_hyphens=False, break_long_words=False))


def redline_text(diff: list[list[str]]) -> str:
    """Write a redline for a terminal: [-dropped from the earlier passage-]{+added by the draft+}."""
    return " ".join(REDLINE_MARKS[op].format(words) for op, words in diff)


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
