"""The baseline: the same passages and queries in SQLite FTS5 (the standard library's sqlite3)."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench.measure import percentiles
from kb import engine, settings

TAGS = ("themes", "orgs", "places", "instruments")
COLUMNS = ("doc_type", "year", "issuer", "role", "verb")


class Fts5Baseline:
    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path)

    def load(self, home: Path) -> None:
        """Copy every passage of an atkb index into FTS5 with its metadata and tags."""
        db = self.db
        db.execute("CREATE VIRTUAL TABLE fts USING fts5(text, tokenize='porter unicode61')")
        db.execute("CREATE TABLE meta (rowid INTEGER PRIMARY KEY, doc_type, year, issuer, role, verb)")
        db.execute("CREATE TABLE tags (rowid INTEGER, field, value)")
        with engine.searching(settings.index_dir(home)) as searcher:
            for rowid, record in enumerate(engine.iter_passage_records(searcher), 1):
                db.execute("INSERT INTO fts (rowid, text) VALUES (?, ?)", (rowid, record["text"]))
                db.execute("INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?)", (rowid, *[record.get(c) for c in COLUMNS]))
                for field in TAGS:
                    for value in filter(None, (record.get(field) or "").split(",")):
                        db.execute("INSERT INTO tags VALUES (?, ?, ?)", (rowid, field, value))
        for statement in ("CREATE INDEX meta_doc_type ON meta (doc_type, year)", "CREATE INDEX tags_rowid ON tags (rowid, field)"):
            db.execute(statement)
        db.commit()

    def size_mb(self) -> float:
        return round(self.path.stat().st_size / 2**20, 1)

    def query(self, kind: str, item: dict) -> None:
        db = self.db
        if kind == "phrase":
            match = '"' + " ".join(item["phrase"]) + '"'
        else:
            match = " ".join(item["words"])
        if kind == "field":
            first, last = item["years"]
            where = "fts MATCH ? AND m.doc_type = ? AND m.year BETWEEN ? AND ?"
            args = (match, item["doc_type"], first, last)
        else:
            where, args = "fts MATCH ?", (match,)
        join = "FROM fts JOIN meta m ON m.rowid = fts.rowid"
        db.execute(f"SELECT fts.rowid, snippet(fts, 0, '**', '**', '…', 12) {join} WHERE {where} ORDER BY rank LIMIT 20", args).fetchall()
        db.execute(f"SELECT count(*) {join} WHERE {where}", args).fetchall()
        if kind == "faceted":
            for column in COLUMNS:
                db.execute(f"SELECT m.{column}, count(*) {join} WHERE {where} GROUP BY m.{column}", args).fetchall()
            for field in TAGS:
                db.execute(
                    f"SELECT t.value, count(*) {join} JOIN tags t ON t.rowid = fts.rowid AND t.field = ? "
                    f"WHERE {where} GROUP BY t.value", (field, *args),
                ).fetchall()

    def latencies(self, kind: str, items: list[dict]) -> dict:
        self.query(kind, items[0])
        samples = []
        for item in items:
            start = time.perf_counter()
            self.query(kind, item)
            samples.append((time.perf_counter() - start) * 1000)
        return percentiles(samples)
