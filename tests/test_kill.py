"""Nothing left behind: goalbook killed hard (SIGKILL) or with Ctrl-C at any moment of `build`,
`build --as-of`, `watch` or `serve` leaves no process running, no temporary folder of records or
pages in the practice or the temp folder, nothing `git add -A` would pick up, and a next build
byte for byte the one a build without any store writes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import make_practice

from goalbook.output import MARKER, Manifest

CLIENTS = 60  # enough for the clients to run in forked workers


def tree(folder: Path) -> dict[str, bytes]:
    found = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if MARKER in found:
        manifest = Manifest.from_bytes(found[MARKER])
        found[MARKER] = repr(sorted(manifest.files) if manifest else found[MARKER]).encode()
    return found


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test Clinician", "GIT_AUTHOR_EMAIL": "tc@example.org",
           "GIT_COMMITTER_NAME": "Test Clinician", "GIT_COMMITTER_EMAIL": "tc@example.org"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def practice(tmp_path_factory) -> Path:
    root = make_practice.make_practice(tmp_path_factory.mktemp("kill") / "practice", clients=CLIENTS, sessions=3,
                                       seed=3)
    shutil.copy(REPO / "templates" / "new" / "gitignore", root / ".gitignore")  # as `goalbook init` writes it
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Records")
    return root


@pytest.fixture(scope="module")
def clean(practice, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("clean") / "book"
    done = subprocess.run([sys.executable, "-m", "goalbook", "build", str(practice), "-o", str(out), "-q"],
                          env={**os.environ, "GOALBOOK_NO_CACHE": "1"}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return tree(out)


def start(args: list[str], practice: Path, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("GOALBOOK_NO_CACHE", None)
    return subprocess.Popen([sys.executable, "-m", "goalbook", *args], cwd=practice, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def group_alive(pgid: int) -> list[int]:
    """Processes of the group that still run (a zombie has finished: it only waits to be reaped)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


def settled(pgid: int) -> None:
    deadline = time.monotonic() + 20
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not group_alive(pgid), "a goalbook process outlived the one that was killed"


def leftovers(practice: Path, tmp: Path) -> list[str]:
    beside = [p.name for p in practice.iterdir() if p.name.startswith("._book.")]
    return beside + [p.name for p in tmp.iterdir()]


def assert_nothing_left(practice: Path, tmp: Path, clean: dict[str, bytes]) -> None:
    assert leftovers(practice, tmp) == []
    assert git(practice, "status", "--porcelain", "--untracked-files=all") == ""
    done = subprocess.run([sys.executable, "-m", "goalbook", "build", str(practice), "-q"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert tree(practice / "_book") == clean


def cold(practice: Path) -> None:
    shutil.rmtree(practice / "_book", ignore_errors=True)
    shutil.rmtree(practice / ".goalbook-cache", ignore_errors=True)


@pytest.fixture(scope="module")
def seconds(practice, tmp_path_factory) -> float:
    """How long a cold build takes here and now: the kills are timed as fractions of it."""
    cold(practice)
    began = time.monotonic()
    proc = start(["build", "-q"], practice, tmp_path_factory.mktemp("tmp"))
    assert proc.wait(timeout=300) == 0
    return time.monotonic() - began


@pytest.fixture
def tmp(tmp_path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("fraction", [0.15, 0.5, pytest.param(0.8, marks=pytest.mark.slow),
                                      pytest.param(0.95, marks=pytest.mark.slow)])
def test_build_killed_hard(practice, tmp, clean, seconds, fraction):
    cold(practice)
    proc = start(["build", "-q"], practice, tmp)
    time.sleep(seconds * fraction)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    settled(proc.pid)
    assert_nothing_left(practice, tmp, clean)


def test_build_as_of_killed_hard(practice, tmp, clean, seconds):
    proc = start(["build", "-q", "--as-of", "HEAD"], practice, tmp)
    time.sleep(seconds * 0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    settled(proc.pid)
    assert_nothing_left(practice, tmp, clean)


def test_build_stopped_with_ctrl_c(practice, tmp, clean, seconds):
    cold(practice)
    proc = start(["build", "-q"], practice, tmp)
    time.sleep(seconds * 0.5)
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole group
    proc.wait(timeout=60)
    _, err = proc.communicate()
    assert b"Traceback" not in err, err
    settled(proc.pid)
    assert_nothing_left(practice, tmp, clean)


@pytest.mark.parametrize("command", ["watch", "serve"])
def test_a_live_mode_killed_hard_during_a_rebuild(practice, tmp, clean, command):
    cold(practice)
    proc = start([command] + (["--port", "0"] if command == "serve" else []), practice, tmp)
    deadline = time.monotonic() + 120
    while not (practice / "_book" / "index.html").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    session = min(practice.glob("clients/*/sessions/*.yaml"))
    original = session.read_bytes()
    try:
        session.write_bytes(original.replace(b"notes: |\n  ", b"notes: |\n  Saved. ", 1))
        time.sleep(0.15)  # the save is being built
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        settled(proc.pid)
    finally:
        session.write_bytes(original)
    assert_nothing_left(practice, tmp, clean)


def test_a_janitor_removes_the_staging_folder_of_a_build_killed_while_writing(tmp_path):
    """Deterministic: the process is killed while its staging folder exists."""
    book = tmp_path / "_book"
    script = f"""
import os, sys, time
from pathlib import Path
from goalbook import janitor
book = Path({str(book)!r})
with janitor.watching(None, *((book.parent, p) for p in janitor.leftover_prefixes(book))):
    staging = book.parent / ".{book.name}.staging-x1y2"
    staging.mkdir()
    (staging / "index.html").write_text("a page")
    print("written", flush=True)
    time.sleep(60)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout.readline() == "written\n"
    assert (tmp_path / "._book.staging-x1y2").is_dir()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    settled(proc.pid)
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_an_older_goalbook_are_removed_by_the_next_build(small_practice):
    from goalbook.build import build_book

    for kind in ("pages", "staging", "old"):
        folder = small_practice / f"._book.{kind}-abc123"
        folder.mkdir()
        (folder / "ab.html").write_text("a page of an interrupted build")
    assert build_book(small_practice).ok
    assert not [p for p in small_practice.iterdir() if p.name.startswith("._book.")]
