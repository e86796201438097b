"""Settings: one table, read from the environment, each with a default and help."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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
    Setting("KB_THEMES", "corpus/themes.toml", "Theme taxonomy: ids, labels, parents and patterns."),
    Setting("KB_ENTITIES", "corpus/entities.toml", "Organisations, places and instruments with their aliases."),
    Setting("KB_HOST", "127.0.0.1", "Address `kb serve` listens on."),
    Setting("KB_PORT", "5000", "Port `kb serve` listens on."),
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


def lock_wait() -> float:
    return float(get("KB_LOCK_WAIT"))


def fetch_timeout() -> float:
    return float(get("KB_FETCH_TIMEOUT"))
