"""Documents as users see them: metadata, passages in reading order, statistics."""
from __future__ import annotations

from pathlib import Path

from kb import engine, index, settings
from kb.errors import DocumentNotFound
from kb.doc_links import document_links
from kb.drafting_store import ensure_store
from kb.same_wording import passage_lineage_map
from kb.greta_links import with_greta_links
from kb.model import KINDS
from kb.search import hit_json

DOCUMENT_FIELDS = (
    "id", "title", "issuer", "doc_type", "date", "year", "place", "language",
    "url", "source", "format", "sha256", "passages", "themes", "country", "round",
)


def document_json(record: dict) -> dict:
    """Shape a stored document record as the JSON of a document."""
    data = {name: record.get(name) for name in DOCUMENT_FIELDS}
    data["id"] = record["doc_id"]
    data["themes"] = dict(record.get("theme_counts") or {})
    for name in ("date", "place", "language", "url", "source", "format", "sha256", "country"):
        data[name] = data[name] or ""
    data["round"] = int(data["round"]) if data["round"] else None
    return data


def list_documents(home: Path | None = None) -> list[dict]:
    """Return every indexed document, oldest first."""
    with engine.searching(settings.index_dir(home)) as searcher:
        records = engine.document_records(searcher)
    return sorted((document_json(r) for r in records), key=lambda d: (d["date"], d["id"]))


def show_document(doc_id: str, home: Path | None = None) -> dict:
    """Return a document's metadata and its passages in reading order."""
    with engine.searching(settings.index_dir(home)) as searcher:
        record = engine.document_record(searcher, doc_id)
        if record is None:
            raise DocumentNotFound("no document with this id is indexed (see `kb stats`)", doc_id)
        items = engine.passage_records(searcher, doc_id, KINDS)
    lineage = passage_lineage_map(home, doc_id)
    document = {**document_json(record), **document_links(doc_id, home)}
    passages = [{**hit_json(p), "lineage": lineage.get(p["passage_id"], [])} for p in items if p["kind"] == "passage"]
    recommendations = [hit_json(p) for p in items if p["kind"] == "recommendation"]
    return {"document": document, "passages": with_greta_links(passages, recommendations), "recommendations": recommendations}


def index_stats(home: Path | None = None) -> dict:
    """Count documents and passages, by type and year, and measure the index."""
    index_dir = settings.index_dir(home)
    with engine.searching(index_dir) as searcher:
        documents = [document_json(r) for r in engine.document_records(searcher)]
        passages = engine.count_passages(searcher)
    by_type: dict[str, int] = {}
    by_year: dict[str, int] = {}
    for doc in documents:
        by_type[doc["doc_type"]] = by_type.get(doc["doc_type"], 0) + 1
        year = str(doc["year"] or "undated")
        by_year[year] = by_year.get(year, 0) + 1
    size = sum(f.stat().st_size for f in index_dir.glob("*") if f.is_file())
    return {
        "home": str(settings.kb_home() if home is None else home),
        "documents": len(documents),
        "passages": passages,
        "doc_types": dict(sorted(by_type.items())),
        "years": dict(sorted(by_year.items())),
        "index_bytes": size,
    }


def remove_document(doc_id: str, home: Path, on_wait=None) -> None:
    """Remove a document and its passages from the index."""
    with index.writer_lock(home, on_wait=on_wait):
        with engine.searching(settings.index_dir(home)) as searcher:
            if engine.document_record(searcher, doc_id) is None:
                raise DocumentNotFound("no document with this id is indexed", doc_id)
        with index.writing(home) as writer:
            writer.delete_document(doc_id)
    ensure_store(home)
