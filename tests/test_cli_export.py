"""`kb export`, `kb cite` and `kb report` end to end, through the real command."""
import csv
import io
import json

import docx
import pytest

from kb.export import FORMATS
from tests.conftest import run_kb

BRDO = "natc-see-2018-brdo-declaration"


@pytest.fixture(scope="module")
def hits(corpus_home) -> list[dict]:
    done = run_kb("search", "theme:compensation", "--json", "--limit", "1000", home=corpus_home)
    return json.loads(done.stdout)["hits"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_kb_export_writes_every_match_in_each_format(corpus_home, tmp_path, hits, fmt):
    target = tmp_path / f"compensation.{fmt}"
    done = run_kb("export", "theme:compensation", "--format", fmt, "-o", str(target), home=corpus_home)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == f"wrote {len(hits)} passages to {target}"
    data = target.read_bytes()
    if fmt == "docx":
        texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
        assert all(hit["text"] in texts for hit in hits)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert [r["citation"] for r in rows] == [h["citation"] for h in hits]
    elif fmt == "jsonl":
        records = [json.loads(line) for line in data.decode().splitlines()]
        assert [{k: v for k, v in r.items() if k != "permalink"} for r in records] == hits
        assert records[0]["permalink"].startswith("http://127.0.0.1:5000/doc/")
    else:
        assert all(f"#p-{h['seq']}>" in data.decode() for h in hits)


def test_kb_export_takes_filters_the_format_from_the_name_and_a_base_url(corpus_home, tmp_path):
    target = tmp_path / "out.jsonl"
    done = run_kb("export", "compensation", "--filter", "year=2018", "-o", str(target),
                  "--base-url", "https://atkb.example.org/", home=corpus_home)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["permalink"] for r in records] == [f"https://atkb.example.org/doc/{BRDO}#p-26"]


@pytest.mark.parametrize("args, message", [
    (["(compensation", "-o", "{dir}/x.csv"], "error: (compensation: a parenthesis is not closed"),
    (["compensation", "-o", "{dir}/x.pdf"], "error: {dir}/x.pdf: say which format with --format (csv, jsonl, md, docx)"),
    (["compensation", "-o", "{dir}/missing/x.csv"], "error: {dir}/missing/x.csv: the folder to write into does not exist"),
    (["compensation", "--filter", "colour=red", "-o", "{dir}/x.csv"], "error: colour=red: unknown filter field 'colour'"),
])
def test_kb_export_errors_are_one_line_and_leave_no_file(corpus_home, tmp_path, args, message):
    done = run_kb("export", *[a.format(dir=tmp_path) for a in args], home=corpus_home)
    assert done.returncode == 1
    assert done.stderr.strip() == message.format(dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt, first_line", [("bibtex", f"@misc{{{BRDO},"), ("ris", "TY  - GOVDOC")])
def test_kb_cite_prints_a_reference(corpus_home, fmt, first_line):
    done = run_kb("cite", BRDO, "--format", fmt, home=corpus_home)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == first_line


def test_kb_cite_of_an_unknown_document(corpus_home):
    done = run_kb("cite", "nope", home=corpus_home)
    assert (done.returncode, done.stderr.strip()) == (1, "error: nope: no document with this id is indexed (see `kb stats`)")


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_kb_report_writes_a_brief(corpus_home, tmp_path, fmt):
    target = tmp_path / f"brief.{fmt}"
    done = run_kb("report", "compensation", "--from", "2018", "--to", "2020", "-o", str(target), home=corpus_home)
    assert done.returncode == 0, done.stderr
    if fmt == "md":
        assert target.read_text().startswith("# Compensation: a brief")
    else:
        assert docx.Document(str(target)).tables[0].rows[-1].cells[-1].text == "3"


def test_kb_report_of_an_unknown_theme(corpus_home, tmp_path):
    done = run_kb("report", "compensations", "-o", str(tmp_path / "b.md"), home=corpus_home)
    assert done.returncode == 1 and done.stderr.startswith("error: compensations: unknown theme (themes: ")
    assert list(tmp_path.iterdir()) == []
