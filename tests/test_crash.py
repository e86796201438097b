"""A killed ingest never leaves a half-written index; a second writer waits or refuses clearly."""
import json
import os
import random
import signal
import subprocess
import sys
import time

from kb import index
from tests.conftest import DATA, ROOT, run_kb

SEEDS = DATA / "seeds"


def big_manifest(folder, copies: int):
    """A manifest of many documents (real PDFs and texts) that takes seconds to ingest."""
    entries = []
    sources = sorted(SEEDS.glob("*.pdf")) + sorted((ROOT / "corpus" / "documents").glob("*.txt"))
    for n in range(copies):
        source = sources[n % len(sources)]
        entries.append(
            f'[[document]]\nid = "copy-{n}"\ntitle = "Copy {n}"\nissuer = "Copier"\n'
            f'doc_type = "report"\nsource = "{source}"\ndate = "2019"\n'
        )
    path = folder / "big.toml"
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def snapshot(home) -> tuple[int, list]:
    stats = json.loads(run_kb("stats", "--json", home=home).stdout)
    hits = json.loads(run_kb("search", "impunity", "--limit", "1000", "--json", home=home).stdout)
    return stats["documents"], sorted(h["passage_id"] for h in hits["hits"])


def start_ingest(home, manifest):
    env = {**os.environ, "KB_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "ingest", "--force", str(manifest)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_killing_an_ingest_leaves_the_index_before_or_after(home_copy, tmp_path):
    manifest = big_manifest(tmp_path, copies=30)
    before = snapshot(home_copy)
    # The state a finished ingest gives, built in a copy to compare with.
    finished_home = tmp_path / "finished"
    subprocess.run(["cp", "-r", str(home_copy), str(finished_home)], check=True)
    started = time.monotonic()
    assert run_kb("ingest", str(manifest), home=finished_home).returncode == 0
    duration = time.monotonic() - started
    after = snapshot(finished_home)
    assert after != before
    chance = random.Random(2026)
    for trial in range(4):
        process = start_ingest(home_copy, manifest)
        # Anywhere from start-up to the final commit.
        time.sleep(chance.uniform(0.3, 0.95) * duration)
        assert process.poll() is None, "the ingest ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert snapshot(home_copy) in (before, after), f"trial {trial}: index is half-way"
        before = snapshot(home_copy)


def test_a_second_writer_waits_then_refuses_without_a_traceback(home_copy):
    with index.writer_lock(home_copy):
        done = run_kb("ingest", home=home_copy, env={"KB_LOCK_WAIT": "1"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == f"another kb process (pid {os.getpid()}) is writing the index; waiting up to 1s"
    assert lines[-1] == (
        f"error: {home_copy}: another kb process (pid {os.getpid()}) is still writing the index; "
        "try again when it ends"
    )


def test_a_waiting_writer_goes_on_when_the_lock_is_freed(home_copy):
    env = {**os.environ, "KB_HOME": str(home_copy), "KB_LOCK_WAIT": "30"}
    with index.writer_lock(home_copy):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "ingest"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(1.5)
    _, stderr = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, stderr
    assert "waiting up to 30s" in stderr
    assert "5 unchanged" in stderr
