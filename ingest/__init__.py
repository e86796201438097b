"""Ingest: fetch, detect, parse, clean and segment sources into passages."""
