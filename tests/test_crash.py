"""A killed ingest never leaves a half-written index or drafting store; a waiting writer goes on.

Each trial kills `kb ingest` with SIGKILL at a random moment of one phase:
start-up, parsing, the commit of the index, or the build of the drafting
store. The default run has ten trials; KB_SLOW_TESTS=1 runs thirty. A trial
whose ingest ends before its kill lands is tried again, up to three times.
"""
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
PHASES = ("start-up", "parsing", "commit", "drafting store")
TRIALS = 30 if os.environ.get("KB_SLOW_TESTS") == "1" else 10
ATTEMPTS = 3
# Wording of the Brdo declaration: its precedents come from the drafting store.
DRAFT = "NOTING that the perpetrators of trafficking in human beings take advantage of people in vulnerable situations"
SNAPSHOT = f"""
import json
from kb.documents import index_stats
from kb.drafting import precedents
from kb.search import SearchRequest, search
hits = search(SearchRequest(query="impunity", limit=1000)).hits
print(json.dumps([
    index_stats()["documents"],
    sorted(h["passage_id"] for h in hits),
    sorted(p["passage_id"] for p in precedents({DRAFT!r}, limit=50)),
]))
"""


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


def snapshot(home) -> list:
    """What the index and the drafting store answer: documents, search hits, precedents."""
    done = subprocess.run([sys.executable, "-c", SNAPSHOT], cwd=ROOT, env={**os.environ, "KB_HOME": str(home)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def start_ingest(home, manifest):
    env = {**os.environ, "KB_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "ingest", "--force", str(manifest)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def wait_for_new_file(process, folder, pattern: str, before: set) -> bool:
    """Wait until a file matching pattern that was not there before appears, or the process ends."""
    while process.poll() is None:
        if {p.name for p in folder.glob(pattern)} - before:
            return True
        time.sleep(0.002)
    return False


def kill_during(phase: str, process, home, duration: float, chance: random.Random) -> bool:
    """Kill the ingest at a random moment of one phase; False if it ended first."""
    if phase == "start-up":
        time.sleep(chance.uniform(0.0, 0.25) * duration)
    elif phase == "parsing":
        time.sleep(chance.uniform(0.25, 0.8) * duration)
    elif phase == "commit":
        # The new segment's stored fields are written when the commit begins.
        if not wait_for_new_file(process, home / "index", "*.col", {p.name for p in (home / "index").glob("*.col")}):
            return False
        time.sleep(chance.uniform(0.0, 0.05))
    else:
        if not wait_for_new_file(process, home, ".drafting-*.sqlite", set()):
            return False
        time.sleep(chance.uniform(0.0, 0.2))
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait()
    return True


def test_killing_an_ingest_leaves_the_index_and_store_before_or_after(home_copy, tmp_path):
    manifest = big_manifest(tmp_path, copies=8)
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
    killed = []
    for trial in range(TRIALS):
        phase = PHASES[trial % len(PHASES)]
        for _ in range(ATTEMPTS):
            landed = kill_during(phase, start_ingest(home_copy, manifest), home_copy, duration, chance)
            state = snapshot(home_copy)
            assert state in (before, after), f"trial {trial} ({phase}): the index or the store is half-way"
            assert not list(home_copy.glob(".drafting-*.sqlite")), "a killed build's temporary store was left behind"
            before = state
            if landed:
                killed.append(phase)
                break
    assert len(killed) == TRIALS, f"only these kills landed: {killed}"
    # Nothing a kill left behind (locks, partial files) stops the next ingest.
    assert run_kb("ingest", "--force", str(manifest), home=home_copy).returncode == 0
    assert snapshot(home_copy) == after


def test_a_waiting_writer_goes_on_when_the_lock_is_freed(home_copy):
    env = {**os.environ, "KB_HOME": str(home_copy), "KB_LOCK_WAIT": "30"}
    with index.writer_lock(home_copy):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "ingest"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        said = waiting.stderr.readline()  # the lock is freed once the writer says it waits
    _, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert said.strip() == f"another kb process (pid {os.getpid()}) is writing the index; waiting up to 30s"
    assert "5 unchanged" in stderr

