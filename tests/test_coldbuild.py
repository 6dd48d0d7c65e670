"""A cold build done on both cores (coldbuild.py) must give exactly what a build in one process
gives: the same book byte for byte, the same problems, and a cache from which the next build
renders and reads nothing."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from goalbook import build, cache, checks, coldbuild, load
from goalbook.render import pages

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import make_practice

if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
    pytest.skip("the cold build's workers need fork, two cores and no other threads", allow_module_level=True)


@pytest.fixture(autouse=True, params=["fresh", "trusted"])
def timestamps(request, monkeypatch):
    """"fresh": files written a moment ago get no trusted stat signature (the racy rule), so the
    workers' clients cannot go into clients.index and the build reads them again from their cache
    files; "trusted": signatures are trusted at once, so the ordinary build reads no client."""
    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    if request.param == "trusted":
        monkeypatch.setattr(cache, "RACY_NS", 0)
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 1)  # small practices go through the workers too
    monkeypatch.setattr(coldbuild, "CHUNK", 1)  # and both workers take part
    cache.forget()
    yield request.param
    cache.forget()


@pytest.fixture
def practice(tmp_path) -> Path:
    root = make_practice.make_practice(tmp_path / "practice", clients=6, sessions=5, seed=3)
    time.sleep(0.03)
    return root


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the manifest as the files it records (its stats differ between copies)."""
    from goalbook.output import MARKER, Manifest

    found = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if MARKER in found:
        manifest = Manifest.from_bytes(found[MARKER])
        found[MARKER] = repr(sorted(manifest.files) if manifest else found[MARKER]).encode()
    return found


def one_process(root: Path, out: Path, monkeypatch) -> build.BuildResult:
    """The reference: no cache, no workers at all."""
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        m.setattr(build, "PARALLEL_MIN_PAGES", 10**6)
        return build.build_book(root, out)


@pytest.fixture
def rendered_here(monkeypatch) -> list[str]:
    """Ids of the pages rendered in this process (a worker's renders are not seen here)."""
    seen: list[str] = []
    real = pages.render_client
    monkeypatch.setattr(pages, "render_client", lambda view, **kw: seen.append(view.id) or real(view, **kw))
    return seen


def test_the_workers_build_the_same_book_as_one_process(practice, tmp_path, monkeypatch, rendered_here):
    expected = one_process(practice, tmp_path / "one", monkeypatch)
    assert expected.ok
    rendered_here.clear()
    result = build.build_book(practice, tmp_path / "two")
    assert result.ok and result.problems == expected.problems
    assert rendered_here == [], "every client page was rendered by a worker"
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one", "practice", "two"], "no folder left behind"
    for page in (tmp_path / "two" / "clients").iterdir():
        assert page.stat().st_mode & 0o777 == 0o600


def test_without_a_folder_beside_the_book_the_pages_come_back_through_the_pipe(practice, tmp_path, monkeypatch):
    expected = one_process(practice, tmp_path / "one", monkeypatch)
    out = tmp_path / "not" / "yet" / "there"  # its parent does not exist before the build
    result = build.build_book(practice, out)
    assert result.ok and result.problems == expected.problems
    assert tree(out) == tree(tmp_path / "one")


def test_after_a_cold_build_a_new_process_renders_nothing(practice, tmp_path, monkeypatch, rendered_here, timestamps):
    out = tmp_path / "book"
    assert build.build_book(practice, out).ok
    first = tree(out)
    cache.forget()  # a new process
    read = []
    real = load._load_client
    monkeypatch.setattr(load, "_load_client", lambda folder: read.append(folder.name) or real(folder))
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 10**6)  # the ordinary build alone
    result = build.build_book(practice, out)
    assert result.ok and result.written == 0 and tree(out) == first
    assert rendered_here == []
    if timestamps == "trusted":
        assert read == [], "every client is known from clients.index"


def test_the_example_practice_with_its_warnings_and_alerts(tmp_path, monkeypatch):
    root = tmp_path / "example"
    shutil.copytree(REPO / "example-practice", root, ignore=shutil.ignore_patterns("_book", ".goalbook-cache"))
    time.sleep(0.03)
    expected = one_process(root, tmp_path / "one", monkeypatch)
    assert expected.ok and expected.problems, "the example has warnings"
    result = build.build_book(root, tmp_path / "two")
    assert result.problems == expected.problems
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    # and `check` afterwards, from what the workers left in the cache, says the same
    cache.forget()
    assert checks.run_checks(root).problems == expected.problems


def test_errors_found_by_a_worker_stop_the_build_as_they_would_in_one_process(practice, tmp_path, monkeypatch):
    clients = sorted((practice / "clients").iterdir())
    session = sorted((clients[2] / "sessions").glob("*.yaml"))[1]
    session.write_text(session.read_text().replace("kind: ", "kind: tea-party\nignored: ", 1))
    goals = clients[4] / "goals.yaml"
    goals.write_text(goals.read_text() + "  - title: [unclosed\n")
    (clients[0] / "client.yaml").write_text("id: x\n")  # a client that cannot be built at all
    time.sleep(0.03)
    expected = one_process(practice, tmp_path / "one", monkeypatch)
    assert not expected.ok and any(p.is_error for p in expected.problems)
    result = build.build_book(practice, tmp_path / "two")
    assert not result.ok and not (tmp_path / "two").exists()
    assert not list(tmp_path.glob(".two.*")), "the pages the workers wrote are gone with the build"
    assert result.problems == expected.problems
    cache.forget()
    assert checks.run_checks(practice).problems == expected.problems


@pytest.mark.parametrize("into", ["second", "first"])  # a new book; the same book, updated in place
def test_only_the_clients_the_cache_does_not_know_go_to_the_workers(practice, tmp_path, monkeypatch, timestamps,
                                                                    into):
    if timestamps != "trusted":
        pytest.skip("fresh files never go into clients.index")
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 10**6)
    assert build.build_book(practice, tmp_path / "first").ok  # fills the cache, in this process
    for n in range(3):  # three new clients, copies of existing ones under new names
        shutil.copytree(practice / "clients" / sorted(os.listdir(practice / "clients"))[n],
                        practice / "clients" / f"zz-new-{n}")
        client_file = practice / "clients" / f"zz-new-{n}" / "client.yaml"
        text = client_file.read_text()
        old_id = text.split("id: ", 1)[1].split("\n", 1)[0]
        client_file.write_text(text.replace(f"id: {old_id}", f"id: zz-new-{n}", 1))
    time.sleep(0.03)
    cache.forget()
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 3)
    warmed = []
    real = coldbuild.warm_up
    monkeypatch.setattr(coldbuild, "warm_up", lambda *a, **k: warmed.append(real(*a, **k)) or warmed[-1])
    result = build.build_book(practice, tmp_path / into)
    assert result.ok
    assert warmed[0] is not None and sorted(warmed[0].pages) == ["zz-new-0", "zz-new-1", "zz-new-2"]
    assert tree(tmp_path / into) == tree(one_process_book(practice, tmp_path / "one", monkeypatch))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def one_process_book(root: Path, out: Path, monkeypatch) -> Path:
    assert one_process(root, out, monkeypatch).ok
    return out


def test_progress_only_moves_forward_and_ends_at_the_total(practice, tmp_path):
    seen: list[tuple[int, int]] = []
    assert build.build_book(practice, tmp_path / "book", progress=lambda d, t: seen.append((d, t))).ok
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and seen[-1] == (7, 7)  # 6 clients and the caseload
    assert {total for _, total in seen} == {7}, "the bar's length does not change on the way"


def test_nothing_happens_in_the_workers_below_the_threshold_or_without_the_cache(practice, tmp_path, monkeypatch):
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 7)
    assert coldbuild.warm_up(practice, tmp_path / "book", today=None, as_of=None, history_root=None, history_rev="HEAD") is None
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 6)
    monkeypatch.setenv("GOALBOOK_NO_CACHE", "1")
    assert coldbuild.warm_up(practice, tmp_path / "book", today=None, as_of=None, history_root=None, history_rev="HEAD") is None
    monkeypatch.delenv("GOALBOOK_NO_CACHE")
    warmed = coldbuild.warm_up(practice, tmp_path / "book", today=None, as_of=None, history_root=None, history_rev="HEAD")
    assert warmed is not None and warmed.clients == 6 and len(warmed.pages) == 6


def test_a_copied_practice_is_hashed_on_both_cores_and_builds_the_same_book(practice, tmp_path, monkeypatch,
                                                                            timestamps):
    """A copy (``cp -p``: new inodes and ctimes, its cache inside) knows every client, so the
    workers above do not run; its files are read and hashed again on both cores (cache.prefetch),
    found unchanged, and the book is the one-process book."""
    assert build.build_book(practice, tmp_path / "first").ok
    copy = tmp_path / "copy"
    shutil.copytree(practice, copy, copy_function=shutil.copy2)
    time.sleep(0.03)
    monkeypatch.setattr(cache, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(cache, "PARALLEL_CHUNK", 2)
    hashed_here = []
    real = cache.digest
    monkeypatch.setattr(cache, "digest", lambda data: hashed_here.append(len(data)) or real(data))
    cache.forget()
    result = build.build_book(copy, tmp_path / "second")
    assert result.ok
    if timestamps == "trusted":  # (fresh files get no trusted stat, so they are hashed again here)
        assert len(hashed_here) <= 1, "every client file was hashed in the worker processes"
    assert tree(tmp_path / "second") == tree(one_process_book(copy, tmp_path / "one", monkeypatch))


def test_gc_is_paused_during_a_build_and_what_it_leaves_can_still_be_collected(practice, tmp_path):
    import gc

    from goalbook import gcpause

    states = []
    real = pages.render_caseload
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pages, "render_caseload", lambda *a, **k: states.append(gc.isenabled()) or real(*a, **k))
        assert build.build_book(practice, tmp_path / "book").ok
    assert states == [False] and gc.isenabled()
    assert gc.get_freeze_count() > 0, "what the build left is out of the young generations"
    gcpause.tidy()
    assert gc.get_freeze_count() == 0


def test_a_rebuild_stats_the_files_in_two_processes_and_sees_every_edit(practice, tmp_path, monkeypatch, timestamps):
    """cache.listed_unchanged splits the stat calls of a rebuild between this process and a forked
    one; an edit in either half is seen, and the book is the one-process book."""
    if timestamps != "trusted":
        pytest.skip("fresh files are never recalled from clients.index")
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 10**6)
    out = tmp_path / "book"
    assert build.build_book(practice, out).ok
    time.sleep(0.03)
    clients = sorted((practice / "clients").iterdir())
    edited = [clients[0], clients[-1]]  # one in this process's half, one in the forked one's
    for client in edited:
        session = max((client / "sessions").glob("*.yaml"))
        session.write_text(session.read_text().replace("notes: |\n  ", "notes: |\n  Edited today. ", 1))
    monkeypatch.setattr(cache, "PARALLEL_STAT_MIN", 1)
    verdicts = []
    real = cache.listed_unchanged
    monkeypatch.setattr(cache, "listed_unchanged", lambda *a: verdicts.append(real(*a)) or verdicts[-1])
    read = []
    real_load = load._load_client
    monkeypatch.setattr(load, "_load_client", lambda folder: read.append(folder.name) or real_load(folder))
    cache.forget()
    result = build.build_book(practice, out)
    assert result.ok
    assert verdicts[0] == {f"clients/{c.name}" for c in clients[1:-1]}
    assert sorted(read) == sorted(c.name for c in edited)
    assert tree(out) == tree(one_process_book(practice, tmp_path / "one", monkeypatch))
