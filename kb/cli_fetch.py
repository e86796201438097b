"""The `kb fetch` command: download sources into the cache, politely, to add them later."""
from __future__ import annotations

import sys
from pathlib import Path

from kb import settings
from kb.errors import FetchError, KBError

EXIT_FAILED = 1


def register(commands) -> None:
    """Add fetch to the subcommands of `kb`."""
    cmd = commands.add_parser("fetch", help="download sources into the cache, politely")
    cmd.add_argument("urls", nargs="*", metavar="URL", help="http(s) URLs to download")
    cmd.add_argument("--list", dest="url_list", metavar="FILE",
                     help="a file of URLs, one a line; blank lines and lines starting with # are skipped")
    cmd.set_defaults(run=run_fetch)


def run_fetch(args) -> int:
    from ingest.pacing import HostPacer

    urls = list(args.urls) + (read_url_list(Path(args.url_list)) if args.url_list else [])
    if not urls:
        raise KBError("give one or more URLs, or --list FILE", "kb fetch")
    pacer = HostPacer(settings.fetch_interval())
    fetched = [fetch_one(url, pacer) for url in urls]
    done = [f for f in fetched if f is not None]
    if done:
        print(f"add one with: kb add {done[0].path} --url {done[0].source} "
              '--title "..." --issuer "..." --doc-type ...  (or name the path as `source` in a manifest)',
              file=sys.stderr)
    return EXIT_FAILED if len(done) < len(urls) else 0


def read_url_list(path: Path) -> list[str]:
    """The URLs of a list file, one a line, without blanks and # comments."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise FetchError(f"cannot read the list of URLs: {error.strerror or error}", str(path)) from None
    except UnicodeDecodeError:
        raise FetchError("the list of URLs is not UTF-8 text", str(path)) from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def fetch_one(url: str, pacer):
    """Download one URL into the cache and print one line; None if it failed."""
    from ingest.fetch import URL_SCHEME, fetch

    try:
        if not URL_SCHEME.match(url):
            raise FetchError("not an http(s) URL", url)
        result = fetch(url, Path.cwd(), settings.cache_dir(), timeout=settings.fetch_timeout(),
                       pacer=pacer, retry_timeouts=True)
    except KBError as error:
        print(f"{'failed':10} {error}", flush=True)
        print(f"error: {error}", file=sys.stderr, flush=True)
        return None
    print(f"{result.status:10} {result.path}  {url}", flush=True)
    return result
