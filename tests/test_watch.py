"""`goalbook watch`: rebuild on a save by rename, keep the last good book on a broken save, stop cleanly."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from goalbook.live.watch import Rebuilder, is_ignored, report_build, watch
from goalbook.problems import Problem

SETTINGS = """\
name: Test Practice
clinicians:
  - id: tc
    name: Test Clinician
today: 2026-03-31
"""
CLIENT = """\
id: ana-r
name: Ana R.
clinician: tc
start_date: 2025-10-06
status: active
"""
GOALS = """\
goals:
  - id: presentations
    title: {title}
    own_words: "I want to get through my slides."
    relevant: Her hope of leading the client project.
    status: active
    set_date: 2025-10-13
    target_date: 2026-06-30
    review_date: 2026-05-01
    measure: {{type: rating, label: Anxiety before presenting}}
    baseline: 8
    target: 4
    steps:
      - id: box-breathing
        action: Box breathing for five minutes
        times: 3
        per: week
"""
WAIT = 15.0  # generous: only a failure ever waits this long


@pytest.fixture
def practice(make_practice) -> Path:
    return make_practice({
        "goalbook.yaml": SETTINGS,
        "clients/ana-r/client.yaml": CLIENT,
        "clients/ana-r/goals.yaml": GOALS.format(title="Present at the weekly team meeting"),
    })


def save_by_rename(path: Path, text: str) -> None:
    """As editors do: write a temporary file beside it, then rename it over the original."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def book_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html")))


def wait_for(condition, timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class Watching:
    """``watch`` running in a thread, its build results in a queue."""

    def __init__(self, root: Path, out: Path, poll: bool) -> None:
        self.results: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watch, args=(root, out), kwargs={
            "poll": poll, "debounce": 0.1, "on_build": self.results.put, "stop_event": self.stop}, daemon=True)

    def __enter__(self) -> Watching:  # noqa: PYI034
        self.thread.start()
        return self

    def next_result(self):
        return self.results.get(timeout=WAIT)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "watch did not stop"


@pytest.mark.parametrize("poll", [False, True], ids=["observer", "polling"])
def test_an_edit_saved_by_rename_changes_the_page(practice, tmp_path, poll):
    out = tmp_path / "book"
    with Watching(practice, out, poll) as w:
        first = w.next_result()
        assert first.ok, first.problems
        assert "Present at the weekly team meeting" in book_text(out)
        save_by_rename(practice / "clients/ana-r/goals.yaml", GOALS.format(title="Present at the monthly all-hands"))
        assert wait_for(lambda: "Present at the monthly all-hands" in book_text(out))
        assert "Present at the weekly team meeting" not in book_text(out)


def test_a_broken_save_keeps_the_previous_book(practice, tmp_path):
    out = tmp_path / "book"
    with Watching(practice, out, poll=False) as w:
        assert w.next_result().ok
        before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        save_by_rename(practice / "clients/ana-r/goals.yaml", "goals:\n  - id: presentations\n    title: [oops\n")
        broken = w.next_result()
        assert not broken.ok
        assert any(p.path == "clients/ana-r/goals.yaml" and p.is_error for p in broken.problems)
        after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert after == before
        # and a repaired save is picked up again
        save_by_rename(practice / "clients/ana-r/goals.yaml", GOALS.format(title="Back on track"))
        assert wait_for(lambda: "Back on track" in book_text(out))


def test_a_broken_build_is_reported_like_check(practice):
    (practice / "clients/ana-r/goals.yaml").write_text("goals:\n  - id: presentations\n    title: [oops\n")

    class Failed:
        ok = False
        problems = (Problem("clients/ana-r/goals.yaml", 3, 12, "error", "syntax", "a bracket is not closed",
                            "close it with ]"),)

    stream = io.StringIO()
    report_build(Failed(), practice, stream=stream)
    text = stream.getvalue()
    assert "clients/ana-r/goals.yaml:3:12: error: a bracket is not closed" in text
    assert "hint: close it with ]" in text
    assert "the last good book is kept" in text


def test_changes_that_cannot_affect_the_book_are_ignored(tmp_path):
    root, out = tmp_path / "p", tmp_path / "p" / "_book"
    keep = [root / "clients/ana-r/goals.yaml", root / "goalbook.yaml", root / "clients/ana-r/sessions/2026-01-05.yaml"]
    skip = [out / "index.html", root / ".git/index", root / ".goalbook-cache/store.sqlite3",
            root / "._book.staging-x1/index.html", root / "clients/ana-r/.goals.yaml.swp",
            root / "clients/ana-r/goals.yaml~", root / "clients/ana-r/4913", root / "clients/ana-r/#goals.yaml#",
            tmp_path / "elsewhere.yaml"]
    assert [is_ignored(p, root, (out,)) for p in keep] == [False] * len(keep)
    assert [is_ignored(p, root, (out,)) for p in skip] == [True] * len(skip)


def test_saves_during_a_build_give_exactly_one_more_build():
    started, release, done = threading.Event(), threading.Event(), []

    def build_once():
        started.set()
        release.wait(WAIT)
        done.append(1)

    rebuilder = Rebuilder(build_once, debounce=0.01)
    rebuilder.start()
    rebuilder.request()
    assert started.wait(WAIT)
    for _ in range(5):  # a burst of saves while the first build runs
        rebuilder.request()
    release.set()
    assert wait_for(lambda: len(done) == 2)
    time.sleep(0.3)  # room for a wrong third build to show up
    rebuilder.stop()
    assert len(done) == 2


def test_ctrl_c_ends_watch_cleanly(practice, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "goalbook", "watch", str(practice), "-o", str(tmp_path / "book")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert wait_for(lambda: (tmp_path / "book").is_dir())
        time.sleep(0.3)  # into the idle loop
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped watching." in err


def test_a_save_during_the_first_build_is_built_right_after(practice, tmp_path):
    """The first build runs before the file watcher starts (so that it may use both cores); what
    is saved while it runs is caught by the full build that follows once the watcher runs."""
    from goalbook.build import build_book

    out = tmp_path / "book"
    goals = practice / "clients" / "ana-r" / "goals.yaml"
    builds = []

    texts = []

    def build(root, out, *, today=None):
        result = build_book(root, out, today=today)
        texts.append(book_text(out))  # the book as this build left it (the next may follow at once)
        if not builds:  # a save lands while the first build runs, before any watcher could see it
            save_by_rename(goals, goals.read_text(encoding="utf-8").replace(
                "Present at the weekly team meeting", "Saved during the first build"))
        builds.append(result)
        return result

    results: queue.Queue = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(practice, out), daemon=True, kwargs={
        "debounce": 0.1, "on_build": results.put, "stop_event": stop, "build": build})
    thread.start()
    try:
        first = results.get(timeout=WAIT)
        assert first.ok and "Saved during the first build" not in texts[0]
        second = results.get(timeout=WAIT)
        assert second.ok and "Saved during the first build" in texts[1]
    finally:
        stop.set()
        thread.join(WAIT)


def test_the_first_build_runs_before_any_thread_and_an_unchanged_catch_up_says_nothing(make_practice, tmp_path):
    """In its own process (no test threads): the first build of a practice the store does not know
    runs its clients in forked workers, and the full build that follows once the watcher runs
    finds nothing new and prints nothing."""
    root = tmp_path / "practice"
    script = f"""
import threading, sys
sys.path.insert(0, {str(Path(__file__).resolve().parent.parent / 'benchmarks')!r})
from make_practice import make_practice
from goalbook.incremental import parallel, session
from goalbook.live.watch import watch
make_practice({str(root)!r}, clients=3, sessions=3, seed=5)
session.PARALLEL_MIN = 1
real = parallel.forking_is_safe
def forking_is_safe(count, min_items):
    safe = real(count, min_items)
    print("threads", threading.active_count(), "forked", safe and count, flush=True)
    return safe
parallel.forking_is_safe = forking_is_safe
stop = threading.Event()
reports = []
def on_build(result):
    reports.append(result)
    print("report", result.ok, flush=True)
    threading.Timer(1.0, stop.set).start()  # time enough for a wrong second report to show
watch({str(root)!r}, {str(tmp_path / 'book')!r}, debounce=0.05, on_build=on_build, stop_event=stop)
print("reports", len(reports), flush=True)
"""
    env = {k: v for k, v in os.environ.items() if k != "GOALBOOK_NO_CACHE"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "threads 1 forked 3", done.stdout
    assert lines[-1] == "reports 1", done.stdout
