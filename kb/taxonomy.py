"""The analyst-edited taxonomy: themes (corpus/themes.toml) and entities (corpus/entities.toml)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb import settings
from kb.errors import KBError

ENTITY_KINDS = ("org", "place", "instrument")


class TaxonomyError(KBError):
    """The theme or entity file cannot be used as it is."""


@dataclass(frozen=True)
class ThemeGroup:
    id: str
    label: str
    description: str


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    description: str
    parent: str
    patterns: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    in_titles: bool = False


@dataclass(frozen=True)
class Taxonomy:
    groups: tuple[ThemeGroup, ...]
    themes: tuple[Theme, ...]

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def children(self, group_id: str) -> list[Theme]:
        return [t for t in self.themes if t.parent == group_id]


@dataclass(frozen=True)
class Entity:
    kind: str  # "org", "place" or "instrument"
    name: str
    aliases: tuple[str, ...]


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError("file not found", str(path)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TaxonomyError(f"cannot read it: {error}", str(path)) from None


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check the theme taxonomy."""
    data = _read_toml(path)
    groups = tuple(ThemeGroup(g["id"], g.get("label", g["id"]), g.get("description", "")) for g in data.get("parent", []))
    group_ids = {g.id for g in groups}
    themes, seen = [], set()
    for position, table in enumerate(data.get("theme", []), 1):
        where = f"{path} [theme {position}]"
        theme_id = table.get("id", "")
        if not theme_id or theme_id in seen:
            raise TaxonomyError(f"theme id {theme_id!r} is missing or used twice", where)
        if table.get("parent") not in group_ids:
            raise TaxonomyError(f"parent {table.get('parent')!r} is not one of {sorted(group_ids)}", where)
        if not table.get("patterns"):
            raise TaxonomyError(f"theme {theme_id!r} has no patterns", where)
        seen.add(theme_id)
        themes.append(Theme(
            id=theme_id, label=table.get("label", theme_id), description=table.get("description", ""),
            parent=table["parent"], patterns=tuple(table["patterns"]),
            exclude=tuple(table.get("exclude", ())), in_titles=bool(table.get("in_titles", False)),
        ))
    return Taxonomy(groups, tuple(themes))


def load_entities(path: Path) -> list[Entity]:
    """Read the entity registry: canonical names and their aliases."""
    data = _read_toml(path)
    entities, seen = [], {}
    for kind in ENTITY_KINDS:
        for table in data.get(kind, []):
            name = table.get("name", "")
            aliases = tuple(table.get("aliases") or (name,))
            if not name:
                raise TaxonomyError(f"an [[{kind}]] has no name", str(path))
            for alias in aliases:
                if alias.lower() in seen:
                    raise TaxonomyError(f"alias {alias!r} names both {seen[alias.lower()]!r} and {name!r}", str(path))
                seen[alias.lower()] = name
            entities.append(Entity(kind, name, aliases))
    return entities


def current_taxonomy() -> Taxonomy | None:
    """The taxonomy in use (KB_THEMES), read once per version of the file; None if unreadable."""
    path = settings.themes_path()
    return _cached(load_taxonomy, str(path), _stamp(path))


def current_entities() -> list[Entity]:
    """The entity registry in use (KB_ENTITIES); empty if unreadable."""
    path = settings.entities_path()
    return _cached(load_entities, str(path), _stamp(path)) or []


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=8)
def _cached(loader, path: str, stamp: int):
    try:
        return loader(Path(path))
    except TaxonomyError:
        return None
