"""The excerpt basket: passages picked from several searches, in the user's order, with notes.

The basket itself lives in the browser; the server only turns a list of
passage ids and notes into the passages to export, and checks the list.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.documents import show_document
from kb.errors import DocumentNotFound, ExportError, PassageNotFound

MAX_ITEMS = 500
MAX_NOTE = 4000
MAX_ID = 200


@dataclass(frozen=True)
class BasketItem:
    passage_id: str
    note: str = ""


def items_from_json(data) -> list[BasketItem]:
    """Read {"items": [{"passage_id": ..., "note": ...}, ...]}, or say what is wrong with it."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ExportError('the basket must be {"items": [{"passage_id": "DOC_ID:SEQ", "note": "..."}]} with one item or more')
    if len(items) > MAX_ITEMS:
        raise ExportError(f"a basket holds at most {MAX_ITEMS} passages; this one has {len(items)}")
    return [_item(position, item) for position, item in enumerate(items, 1)]


def _item(position: int, item) -> BasketItem:
    where = f"item {position}"
    if not isinstance(item, dict) or not isinstance(item.get("passage_id"), str):
        raise ExportError("each item needs a passage_id (DOC_ID:SEQ)", where)
    note = item.get("note") or ""
    if not isinstance(note, str):
        raise ExportError("a note must be text", where)
    if len(note) > MAX_NOTE or len(item["passage_id"]) > MAX_ID:
        raise ExportError(f"a note is at most {MAX_NOTE} characters and a passage id {MAX_ID}", where)
    return BasketItem(item["passage_id"].strip(), note.strip())


def split_passage_id(passage_id: str) -> tuple[str, int] | None:
    doc_id, _, seq = passage_id.rpartition(":")
    return (doc_id, int(seq)) if doc_id and seq.isascii() and seq.isdigit() else None


def basket_passages(items: list[BasketItem], home: Path | None = None) -> list[dict]:
    """The basket's passages as hit dicts, in the basket's order, each with its note.

    Every id is checked before anything is exported, so a basket saved before a
    document was re-ingested or removed fails with the list of ids that are gone.
    """
    wanted = {split_passage_id(item.passage_id) for item in items} - {None}
    found = _wanted_passages(wanted, home)
    missing = [item.passage_id for item in items if split_passage_id(item.passage_id) not in found]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise PassageNotFound(f"these passages are not indexed (any more): {shown}; remove them from the basket")
    return [{**found[split_passage_id(item.passage_id)], "note": item.note} for item in items]


def _wanted_passages(wanted: set[tuple[str, int]], home: Path | None) -> dict[tuple[str, int], dict]:
    """The wanted passages that are indexed, by (doc_id, seq), read a document at a time."""
    seqs_by_doc: dict[str, set[int]] = {}
    for doc_id, seq in wanted:
        seqs_by_doc.setdefault(doc_id, set()).add(seq)
    passages = {}
    for doc_id, seqs in sorted(seqs_by_doc.items()):
        try:
            shown = show_document(doc_id, home)
        except DocumentNotFound:
            continue
        items = shown["passages"] + shown.get("recommendations", [])
        passages.update({(doc_id, p["seq"]): p for p in items if p["seq"] in seqs})
    return passages
