"""The manifest is checked entry by entry, with messages naming the entry."""
from pathlib import Path

import pytest

from ingest.manifest import load_manifest
from kb.errors import ManifestError

ROOT = Path(__file__).resolve().parent.parent
GOOD = """
[[document]]
id = "good"
title = "A good one"
issuer = "Someone"
doc_type = "declaration"
source = "good.txt"
date = "2018-03"
"""


def write(tmp_path, body: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(GOOD + body, encoding="utf-8")
    return path


def test_bundled_manifest_is_valid_and_complete():
    entries, errors = load_manifest(ROOT / "corpus" / "sources.toml")
    assert errors == []
    assert len(entries) == 5
    assert all((entry.base_dir / entry.source).is_file() for entry in entries)
    assert {e.date[:4] for e in entries} == {"2012", "2018", "2020", "2021", "2022"}


@pytest.mark.parametrize(
    "table, message",
    [
        ('id = "b"\ntitle = "T"\nissuer = "I"\ndoc_type = "memo"\nsource = "b.txt"',
         "unknown doc_type 'memo' (one of declaration, strategy, greta_report, eu_strategy, "
         "eu_directive, convention, guidance, un_document, report, other)"),
        ('id = "b"\ntitle = "T"\nissuer = "I"\ndoc_type = "report"\nsource = "b.txt"\ndate = "2018-13-01"',
         "bad date '2018-13-01' (use YYYY, YYYY-MM or YYYY-MM-DD)"),
        ('id = "b"\ntitle = "T"\nissuer = "I"\ndoc_type = "report"\nsource = "b.txt"\ndate = "2019-02-30"',
         "bad date '2019-02-30': no such day"),
        ('id = "b"\ntitle = "T"\ndoc_type = "report"\nsource = "b.txt"', "missing required field 'issuer'"),
        ('id = "B C"\ntitle = "T"\nissuer = "I"\ndoc_type = "report"\nsource = "b.txt"',
         "id 'B C' must be a slug: lower-case letters, digits, '-', '.' or '_'"),
        ('id = "good"\ntitle = "T"\nissuer = "I"\ndoc_type = "report"\nsource = "b.txt"', "id 'good' is used twice"),
        ('id = "b"\ntitle = "T"\nissuer = "I"\ndoc_type = "report"\nsource = "b.txt"\nauthor = "x"',
         "unknown field 'author'"),
    ],
)
def test_a_bad_entry_is_reported_and_the_others_kept(tmp_path, table, message):
    path = write(tmp_path, "\n[[document]]\n" + table + "\n")
    entries, errors = load_manifest(path)
    assert [e.id for e in entries] == ["good"]
    assert len(errors) == 1
    assert str(errors[0]).startswith(f"{path} [document 2")
    assert str(errors[0]).endswith(f"]: {message}")


def test_a_manifest_that_is_not_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[[document]\nid = ", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"broken.toml: not valid TOML"):
        load_manifest(path)


def test_a_missing_manifest(tmp_path):
    with pytest.raises(ManifestError, match=r"nowhere.toml: manifest not found"):
        load_manifest(tmp_path / "nowhere.toml")
