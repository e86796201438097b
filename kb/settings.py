"""Settings: one table, read from the environment, each with a default and help."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KBError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS = (
    Setting("KB_HOME", "./var", "Data directory: the index, the source cache and the writer lock."),
    Setting("KB_MANIFEST", "corpus/sources.toml", "Manifest that `kb ingest` reads when given none."),
    Setting("KB_LOCK_WAIT", "30", "Seconds a second writer waits for the index lock before giving up."),
    Setting("KB_FETCH_TIMEOUT", "30", "Seconds before a download of a source times out."),
    Setting("KB_FETCH_INTERVAL", "1", "Seconds `kb fetch` waits between two requests to the same host."),
    Setting("KB_PARSE_TIMEOUT", "120", "Seconds one document may take to parse before it is skipped."),
    Setting("KB_PARSE_MEMORY_MB", "1024", "Megabytes of memory one document may use while it is parsed."),
    Setting("KB_THEMES", "corpus/themes.toml", "Theme taxonomy: ids, labels, parents and patterns."),
    Setting("KB_ENTITIES", "corpus/entities.toml", "Organisations, places and instruments with their aliases."),
    Setting("KB_HOST", "127.0.0.1", "Address `kb serve` listens on."),
    Setting("KB_PORT", "5000", "Port `kb serve` listens on."),
    Setting("KB_QUERY_TIMEOUT", "5", "Seconds a search may run before it is stopped with a message."),
    Setting("KB_QUERY_MAX_CHARS", "10000", "Longest query, in characters."),
    Setting("KB_QUERY_MAX_TERMS", "1000", "Most words and operators in one query."),
    Setting("KB_QUERY_MAX_DEPTH", "20", "Deepest nesting of parentheses in a query."),
    Setting("KB_WILDCARD_MAX_TERMS", "1000", "Most indexed words one wildcard (`referr*`) may stand for."),
)
_DEFAULTS = {s.name: s.default for s in SETTINGS}


def get(name: str) -> str:
    """Return a setting from the environment, or its default."""
    return os.environ.get(name) or _DEFAULTS[name]


def kb_home() -> Path:
    return Path(get("KB_HOME")).expanduser()


def index_dir(home: Path | None = None) -> Path:
    return (home or kb_home()) / "index"


def cache_dir(home: Path | None = None) -> Path:
    return (home or kb_home()) / "cache"


# The bundled taxonomy files, found next to the package when run from a checkout.
_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def themes_path() -> Path:
    return Path(os.environ["KB_THEMES"]) if os.environ.get("KB_THEMES") else _CORPUS / "themes.toml"


def entities_path() -> Path:
    return Path(os.environ["KB_ENTITIES"]) if os.environ.get("KB_ENTITIES") else _CORPUS / "entities.toml"


def number(name: str, kind: type = float) -> float:
    """Read a numeric setting, or say in one line which setting is not a number."""
    try:
        value = kind(get(name))
    except ValueError:
        raise KBError(f"not a {'whole ' if kind is int else ''}number: {get(name)!r}", name) from None
    if value < 0:
        raise KBError(f"must not be negative: {get(name)!r}", name)
    return value


def lock_wait() -> float:
    return number("KB_LOCK_WAIT")


def fetch_timeout() -> float:
    return number("KB_FETCH_TIMEOUT")


def fetch_interval() -> float:
    return number("KB_FETCH_INTERVAL")


def parse_timeout() -> float:
    return number("KB_PARSE_TIMEOUT")


def parse_memory_mb() -> int:
    return number("KB_PARSE_MEMORY_MB", int)


def query_timeout() -> float:
    return number("KB_QUERY_TIMEOUT")


def query_limit(name: str) -> int:
    """One of the KB_QUERY_MAX_* or KB_WILDCARD_MAX_TERMS bounds, as a number."""
    return number(name, int)
