"""`watch` tells each build which paths changed: client folders without a reported change
are taken from memory, unread. Whatever is saved, renamed or removed, the book it leaves must be
byte for byte what a cold build of the same files writes."""

from __future__ import annotations

import os
import queue
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from goalbook.build import build_book
from goalbook.live.watch import watch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import make_practice

WAIT = 20.0


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the manifest as the files it records (its stats differ between copies)."""
    from goalbook.output import MARKER, Manifest

    found = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if MARKER in found:
        manifest = Manifest.from_bytes(found[MARKER])
        found[MARKER] = repr(sorted(manifest.files) if manifest else found[MARKER]).encode()
    return found


def cold(root: Path, out: Path, monkeypatch) -> dict[str, bytes]:
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        result = build_book(root, out)
    assert result.ok, [p for p in result.problems if p.is_error][:3]
    return tree(out)


def save_by_rename(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Watching:
    def __init__(self, root: Path, out: Path) -> None:
        self.results: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watch, args=(root, out), kwargs={
            "debounce": 0.05, "on_build": self.results.put, "stop_event": self.stop}, daemon=True)

    def __enter__(self) -> Watching:  # noqa: PYI034
        self.thread.start()
        return self

    def until_quiet(self) -> object:
        """The last build result once saves have stopped producing builds."""
        result = self.results.get(timeout=WAIT)
        while True:
            try:
                result = self.results.get(timeout=1.0)
            except queue.Empty:
                return result

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


@pytest.fixture
def practice(tmp_path) -> Path:
    return make_practice.make_practice(tmp_path / "practice", clients=4, sessions=5, seed=3)


def test_saves_renames_and_removals_in_watch_give_the_cold_book(practice, tmp_path, monkeypatch):
    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    out = tmp_path / "book"
    clients = sorted((practice / "clients").iterdir())
    with Watching(practice, out) as w:
        assert w.until_quiet().ok

        def settled(name: str) -> None:
            result = w.until_quiet()
            assert result.ok, (name, [p for p in result.problems if p.is_error][:3])
            assert tree(out) == cold(practice, tmp_path / f"{name}-cold", monkeypatch), name

        session = sorted((clients[0] / "sessions").glob("*.yaml"))[1]
        original = session.read_bytes()
        save_by_rename(session, original.replace(b"notes: |\n  ", b"notes: |\n  Saved in watch. ", 1))
        settled("edit")
        with session.open("r+b") as f:  # written in place, as some editors do
            f.write(original)
            f.truncate()
        settled("revert-in-place")
        max((clients[1] / "sessions").glob("*.yaml")).unlink()
        settled("delete-session")
        new = practice / "clients" / "new-client"
        shutil.copytree(clients[2], tmp_path / "staged")
        client_yaml = tmp_path / "staged" / "client.yaml"
        client_yaml.write_text(client_yaml.read_text(encoding="utf-8").replace(
            f"id: {clients[2].name}", "id: new-client"), encoding="utf-8")
        os.replace(tmp_path / "staged", new)  # a whole folder moved in at once
        settled("add-client")
        shutil.rmtree(clients[3])
        settled("delete-client")


def test_a_burst_of_saves_across_clients_gives_the_cold_book(practice, tmp_path, monkeypatch):
    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    out = tmp_path / "book"
    sessions = sorted(practice.glob("clients/*/sessions/*.yaml"))
    with Watching(practice, out) as w:
        assert w.until_quiet().ok
        for i, session in enumerate(sessions[::3]):
            save_by_rename(session, session.read_bytes().replace(b"notes: |\n  ", f"notes: |\n  Burst {i}. ".encode(), 1))
            time.sleep(0.02 * (i % 3))  # some saves land during a build
        result = w.until_quiet()
        assert result.ok
        assert tree(out) == cold(practice, tmp_path / "cold", monkeypatch)
