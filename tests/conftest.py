"""Shared fixtures: a real index built from the bundled corpus, the app, the CLI."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).parent / "data"


def pytest_collection_modifyitems(config, items):
    """Skip the long soak and fuzz runs unless KB_SLOW_TESTS=1 asks for them."""
    if os.environ.get("KB_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="a long run: set KB_SLOW_TESTS=1 to include it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def run_kb(*args: str, home: Path, cwd: Path = ROOT, env: dict | None = None, timeout: float = 180):
    """Run the real `kb` command in a subprocess and return what it did."""
    environment = {**os.environ, "KB_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory) -> Path:
    """A data directory holding the index of the bundled corpus (read-only in tests)."""
    from ingest.manifest import load_manifest
    from ingest.pipeline import ingest

    home = tmp_path_factory.mktemp("corpus-home")
    entries, errors = load_manifest(CORPUS / "sources.toml")
    assert not errors
    report = ingest(entries, home)
    assert report.ok, report.failed
    return home


@pytest.fixture
def home_copy(corpus_home, tmp_path) -> Path:
    """A writable copy of the corpus data directory."""
    copy = tmp_path / "home"
    shutil.copytree(corpus_home, copy)
    return copy


@pytest.fixture
def app(corpus_home):
    from search_app import create_app

    return create_app({"TESTING": True, "KB_HOME": str(corpus_home)})


@pytest.fixture
def client(app):
    return app.test_client()


def home_with_document(corpus_home: Path, folder: Path, text: str, **metadata) -> Path:
    """A copy of the corpus data directory with one more document, ingested from text."""
    from ingest.manifest import entry_from_table
    from ingest.pipeline import ingest

    home = folder / "home"
    shutil.copytree(corpus_home, home)
    source = folder / f"{metadata['id']}.txt"
    source.write_text(text, encoding="utf-8")
    entry = entry_from_table({"issuer": "Tester", "doc_type": "other", **metadata, "source": str(source)}, folder)
    assert ingest([entry], home).ok
    return home


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (tests/browser.py)."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched
