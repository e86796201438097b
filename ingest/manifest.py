"""The sources manifest: one [[document]] table per document, checked entry by entry."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kb.errors import ManifestError
from kb.greta_meta import country_name, parse_round
from kb.model import DATE_PATTERN, DOC_TYPES, Document

REQUIRED = ("id", "title", "issuer", "doc_type", "source")
OPTIONAL = ("date", "place", "language", "url", "country", "round")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class ManifestEntry:
    """One document a manifest asks for, with the folder its paths are relative to."""

    id: str
    title: str
    issuer: str
    doc_type: str
    source: str
    base_dir: Path
    date: str = ""
    place: str = ""
    language: str = "en"
    url: str = ""
    country: str = ""
    round: int | None = None

    def document(self, sha256: str, fmt: str) -> Document:
        """Return the Document this entry describes, once its source is read."""
        return Document(
            id=self.id, title=self.title, issuer=self.issuer, doc_type=self.doc_type,
            source=self.source, date=self.date, place=self.place,
            language=self.language, url=self.url, sha256=sha256, format=fmt,
            country=self.country, round=self.round,
        )


def load_manifest(path: Path) -> tuple[list[ManifestEntry], list[ManifestError]]:
    """Read a manifest; return its good entries and an error for each bad one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError("manifest not found", str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"cannot read the manifest: {error}", str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"not valid TOML: {error}", str(path)) from None
    tables = data.get("document", [])
    if not isinstance(tables, list):
        raise ManifestError("expected [[document]] tables", str(path))
    entries, errors, seen = [], [], set()
    for position, table in enumerate(tables, 1):
        label = f"{path} [document {position}" + (f", id {table.get('id')!r}]" if isinstance(table, dict) and table.get("id") else "]")
        try:
            entry = entry_from_table(table, path.parent)
            if entry.id in seen:
                raise ValueError(f"id {entry.id!r} is used twice")
            seen.add(entry.id)
            entries.append(entry)
        except ValueError as reason:
            errors.append(ManifestError(str(reason), label))
    return entries, errors


def entry_from_table(table: dict, base_dir: Path) -> ManifestEntry:
    """Check one [[document]] table and build its entry; ValueError says what is wrong."""
    if not isinstance(table, dict):
        raise ValueError("each [[document]] must be a table")
    unknown = set(table) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
    missing = [name for name in REQUIRED if not str(table.get(name, "")).strip()]
    if missing:
        raise ValueError(f"missing required field {missing[0]!r}")
    values = {name: str(table.get(name, "")).strip() for name in REQUIRED + OPTIONAL if name in table}
    check_values(values)
    if values.get("country"):
        values["country"] = country_name(values["country"])
    if values.get("round"):
        values["round"] = parse_round(values["round"])
    return ManifestEntry(base_dir=base_dir, **values)


def check_values(values: dict) -> None:
    """Raise ValueError for the first field whose value is not allowed."""
    if not SLUG.match(values["id"]):
        raise ValueError(f"id {values['id']!r} must be a slug: lower-case letters, digits, '-', '.' or '_'")
    if values["doc_type"] not in DOC_TYPES:
        raise ValueError(f"unknown doc_type {values['doc_type']!r} (one of {', '.join(DOC_TYPES)})")
    if values.get("date"):
        check_date(values["date"])
    if values.get("language") and not LANGUAGE.match(values["language"]):
        raise ValueError(f"language {values['language']!r} must be a code such as 'en' or 'sl'")
    if values.get("url") and not values["url"].startswith(("http://", "https://")):
        raise ValueError(f"url {values['url']!r} must start with http:// or https://")


def check_date(date: str) -> None:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD naming a real day."""
    match = DATE_PATTERN.match(date)
    if not match:
        raise ValueError(f"bad date {date!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    if match.group(3):
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise ValueError(f"bad date {date!r}: no such day") from None
