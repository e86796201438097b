"""Faults around writing: a busy writer lock, a full disk, and a rebuild under a serving app."""
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from kb import index
from kb.documents import list_documents
from tests.conftest import ROOT, run_kb
from tests.test_crash import big_manifest

GOOD_TEXT = ROOT / "corpus" / "documents" / "2022-10-18-joint-statement-ukraine.txt"
WRITERS = {
    "ingest": ["ingest"],
    "add": ["add", str(GOOD_TEXT), "--title", "T", "--issuer", "I", "--doc-type", "other", "--id", "extra"],
    "retag": ["retag"],
    "remove": ["remove", "natc-see-2018-brdo-declaration"],
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_each_writing_command_waits_then_refuses_in_one_line(home_copy, command):
    with index.writer_lock(home_copy):
        done = run_kb(*WRITERS[command], home=home_copy, env={"KB_LOCK_WAIT": "0.5"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "LockError" not in done.stderr
    holder = f"another kb process (pid {os.getpid()})"
    assert done.stderr.splitlines() == [
        f"{holder} is writing the index; waiting up to 0.5s",
        f"error: {home_copy}: {holder} is still writing the index; try again when it ends",
    ]
    assert "natc-see-2018-brdo-declaration" in {d["id"] for d in list_documents(home_copy)}


def can_mount_a_private_tmpfs() -> str | None:
    """None if a private size-limited tmpfs can be mounted here, else the reason it cannot."""
    try:
        probe = subprocess.run(unshare("mount -t tmpfs -o size=1m tmpfs /mnt"), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unshare is not available: {error}"
    return None if probe.returncode == 0 else f"cannot mount a private tmpfs: {probe.stderr.strip()}"


def unshare(script: str) -> list[str]:
    """Run a shell script in a mount namespace of its own (as root, or as root of a user namespace)."""
    as_user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return ["unshare", *as_user, "--mount", "sh", "-c", script]


def test_a_full_disk_during_a_commit_is_one_line_and_the_old_index_stands(corpus_home, tmp_path):
    reason = can_mount_a_private_tmpfs()
    if reason:
        pytest.skip(reason)
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    kb = f"{shlex.quote(sys.executable)} -m kb.cli"
    search = f"{kb} search impunity --limit 1000 --json"
    qdisk, qout = shlex.quote(str(disk)), shlex.quote(str(out))
    script = f"""
        mount -t tmpfs -o size=24m tmpfs {qdisk} || exit 99
        cp -r {shlex.quote(str(corpus_home))} {qdisk}/home && export KB_HOME={qdisk}/home
        {search} > {qout}/before.json
        # Fill the disk, then free 200 KiB: room to start, none for a new segment.
        dd if=/dev/zero of={qdisk}/filler bs=64k 2>/dev/null; truncate -s -200K {qdisk}/filler
        {kb} ingest --force 2> {qout}/ingest.err; echo $? > {qout}/ingest.rc
        {search} > {qout}/after.json 2> {qout}/after.err
        rm {qdisk}/filler
        {kb} ingest --force 2> {qout}/again.err; echo $? > {qout}/again.rc
    """
    done = subprocess.run(unshare(script), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    errors = (out / "ingest.err").read_text()
    assert (out / "ingest.rc").read_text().strip() == "1"
    assert "Traceback" not in errors
    assert errors.splitlines()[-1] == (
        f"error: {disk}/home/index: the disk is full while writing the index (No space left on device); "
        "the previous index is unchanged"
    )
    assert json.loads((out / "after.json").read_text()) == json.loads((out / "before.json").read_text())
    # With space again, nothing the failure left behind stands in the way.
    assert (out / "again.rc").read_text().strip() == "0", (out / "again.err").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


class SearchLoad:
    """Threads that search the served app without pause, keeping every failure."""

    PATHS = ("/api/search?q=trafficking", "/search?q=impunity&theme=impunity", "/api/documents")

    def __init__(self, base: str, threads: int = 3):
        self.base, self.stop, self.errors, self.requests = base, threading.Event(), [], 0
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(threads)]

    def run(self, n: int) -> None:
        while not self.stop.is_set():
            path = self.PATHS[(self.requests + n) % len(self.PATHS)]
            try:
                with urllib.request.urlopen(self.base + path, timeout=30) as response:
                    response.read()
            except (urllib.error.URLError, OSError) as error:
                self.errors.append(f"{path}: {error}")
            self.requests += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def start_server(home, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env={**os.environ, "KB_HOME": str(home)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get_json(f"http://127.0.0.1:{port}/api/documents")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("kb serve did not start")


def wait_until_holding_lock(process, home) -> None:
    """Wait until the process has written its pid into the writer lock file."""
    while process.poll() is None and (home / "writer.lock").read_text().strip() != str(process.pid):
        time.sleep(0.05)


def test_the_served_app_answers_through_a_rebuild_and_then_shows_new_passages(home_copy, tmp_path):
    unique = tmp_path / "quokka.txt"
    unique.write_text("The quokkaregister tracks compensation paid to survivors of trafficking.\n", encoding="utf-8")
    manifest = big_manifest(tmp_path, copies=8)
    with open(manifest, "a", encoding="utf-8") as toml:
        toml.write(f'\n[[document]]\nid = "quokka"\ntitle = "Q"\nissuer = "Tester"\ndoc_type = "other"\nsource = "{unique}"\n')
    port = free_port()
    server = start_server(home_copy, port)
    base = f"http://127.0.0.1:{port}"
    try:
        assert get_json(base + "/api/search?q=quokkaregister")["total"] == 0
        with SearchLoad(base) as load:
            ingest = subprocess.Popen(
                [sys.executable, "-m", "kb.cli", "ingest", "--force", str(manifest)], cwd=ROOT,
                env={**os.environ, "KB_HOME": str(home_copy)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            )
            wait_until_holding_lock(ingest, home_copy)
            # A second writer meanwhile is told who holds the index, in one line.
            second = run_kb(*WRITERS["add"], home=home_copy, env={"KB_LOCK_WAIT": "0.2"})
            _, ingest_errors = ingest.communicate(timeout=300)
            assert ingest.returncode == 0, ingest_errors
            found = get_json(base + "/api/search?q=quokkaregister")
        assert found["total"] == 1 and found["hits"][0]["doc_id"] == "quokka"
        assert server.poll() is None, "the server restarted or died"
        assert load.errors == [] and load.requests > 10
        assert second.returncode == 1 and "Traceback" not in second.stderr
        assert second.stderr.splitlines()[-1] == (
            f"error: {home_copy}: another kb process (pid {ingest.pid}) is still writing the index; try again when it ends"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
