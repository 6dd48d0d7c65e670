"""The per-file cache (cache.py) must never change what goalbook reads: whatever happened to the
practice or to the cache, the book is byte for byte what a cold build (no cache) produces, and
`check` reports the same problems.

Each scenario builds once (filling the cache), changes something, builds again — both in the same
process (the in-memory cache a `watch` keeps) and as a new process would (disk cache only) — and
compares the whole book with a cold build of the same files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
import time
from pathlib import Path

import pytest

from goalbook import cache, fastschema, resources
from goalbook.load import load_practice
from goalbook.records import validate

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import make_practice

build = pytest.importorskip("goalbook.build")


@pytest.fixture(autouse=True, params=["fresh", "trusted"])
def timestamps(request, monkeypatch):
    """Every test twice. "fresh": files written a moment ago are always read and hashed again
    (the racy-timestamp rule), so the content hashes are what is tested; "trusted": stat
    signatures are trusted at once, so the stat shortcuts (and clients.index, which lets an
    unchanged client go unread) are what is tested."""
    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    if request.param == "trusted":
        monkeypatch.setattr(cache, "RACY_NS", 0)
    cache.forget()
    yield request.param
    cache.forget()


@pytest.fixture
def practice(tmp_path) -> Path:
    return make_practice.make_practice(tmp_path / "practice", clients=4, sessions=6, seed=11)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the manifest as the files it records (its stats differ between copies)."""
    from goalbook.output import MARKER, Manifest

    found = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if MARKER in found:
        manifest = Manifest.from_bytes(found[MARKER])
        found[MARKER] = repr(sorted(manifest.files) if manifest else found[MARKER]).encode()
    return found


def book(root: Path, out: Path) -> dict[str, bytes]:
    result = build.build_book(root, out)
    assert result.ok, [p for p in result.problems if p.is_error][:3]
    settle()
    return tree(out)


def cold(root: Path, out: Path, monkeypatch) -> dict[str, bytes]:
    """The book built with no cache at all (neither in memory nor on disk)."""
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        return book(root, out)


def check_both_ways(root: Path, tmp_path: Path, monkeypatch, name: str) -> None:
    """The book from the warm in-memory cache and from the disk cache both equal a cold build."""
    expected = cold(root, tmp_path / f"{name}-cold", monkeypatch)
    assert book(root, tmp_path / f"{name}-memory") == expected
    cache.forget()  # as a new process: only what is on disk
    assert book(root, tmp_path / f"{name}-disk") == expected


def sessions_of(root: Path) -> list[Path]:
    return sorted(root.glob("clients/*/sessions/*.yaml"))


def same_size_edit(data: bytes) -> bytes:
    """Another session time, same number of bytes: 14:00 → 08:00 (or 07:00)."""
    text = data.decode("utf-8")
    hour = text.split('time: "')[1][:2]
    other = "08" if hour != "08" else "07"
    return text.replace(f'time: "{hour}', f'time: "{other}', 1).encode("utf-8")


def cache_files(root: Path) -> list[Path]:
    return sorted((root / cache.CACHE_DIR / cache.FILES_DIR).glob("*.json"))


def test_unchanged_practice_is_served_from_the_cache(practice, tmp_path, monkeypatch):
    book(practice, tmp_path / "first")
    assert cache_files(practice), "the first build leaves a cache inside the practice"
    cache.forget()
    load_practice(practice)
    files = cache._caches[os.path.abspath(practice)]
    assert files.misses == 0 and files.hits == 1 + 4 * (2 + 6)
    check_both_ways(practice, tmp_path, monkeypatch, "same")


def test_edit_then_revert(practice, tmp_path, monkeypatch):
    book(practice, tmp_path / "first")
    settle()
    session = sessions_of(practice)[3]
    original = session.read_bytes()
    session.write_bytes(original.replace(b"kind: ", b"clinician: jd\nkind: ", 1))
    check_both_ways(practice, tmp_path, monkeypatch, "edit")
    session.write_bytes(original)
    check_both_ways(practice, tmp_path, monkeypatch, "revert")


def settle(timestamps: str = "") -> None:
    if cache.RACY_NS == 0:
        time.sleep(0.03)  # past the file system's timestamp granularity


def test_edit_keeping_size_and_timestamps(practice, tmp_path, monkeypatch):
    """Same size, mtime put back (``touch -r``): no one can set a file's ctime back, and the
    stat signature includes it, so the file is read again. (Were the signature only size and
    mtime, this edit could not be seen: see the racy test below for what protects then.)"""
    book(practice, tmp_path / "first")
    settle()
    session = sessions_of(practice)[5]
    before = session.stat()
    session.write_bytes(same_size_edit(session.read_bytes()))
    os.utime(session, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert session.stat().st_size == before.st_size and session.stat().st_mtime_ns == before.st_mtime_ns
    assert session.stat().st_ctime_ns != before.st_ctime_ns, "the premise: ctime moved"
    check_both_ways(practice, tmp_path, monkeypatch, "same-size")


def test_racy_timestamps_on_a_coarse_file_system(practice, tmp_path, monkeypatch, timestamps):
    """git's "racy" problem: on a file system with coarse timestamps (FAT, some network drives:
    whole seconds, no usable ctime) an edit in the same tick as the last read keeps size and
    stat signature. The racy rule covers it: a file stamped less than RACY_NS before it was
    read gets no trusted signature, so it is hashed again next time. With the rule switched
    off ("trusted", RACY_NS = 0) such an edit cannot be seen, which is why the rule exists."""
    if timestamps == "trusted":
        pytest.skip("with the racy rule off, a same-tick edit is invisible by construction")
    monkeypatch.setattr(cache, "signature", lambda st: [st.st_size, st.st_mtime_ns // 10**9 * 10**9, 0, 0])
    out = tmp_path / "book"
    session = sessions_of(practice)[5]
    session.write_bytes(session.read_bytes())  # stamped now: within RACY_NS of the build
    book(practice, out)
    before = session.stat()
    session.write_bytes(same_size_edit(session.read_bytes()))
    os.utime(session, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cache.signature(session.stat()) == cache.signature(before), "the premise: same coarse signature"
    check_both_ways(practice, tmp_path, monkeypatch, "racy")
    cache.forget()
    assert book(practice, out) == cold(practice, tmp_path / "racy-again", monkeypatch)


def test_rename_a_session_to_another_date(practice, tmp_path, monkeypatch):
    book(practice, tmp_path / "first")
    session = sessions_of(practice)[2]
    old_date = session.stem
    new_date = old_date[:-2] + ("28" if old_date[-2:] != "28" else "27")
    if (session.parent / f"{new_date}.yaml").exists():
        pytest.skip("the synthetic practice already has a session on that date")
    text = session.read_text(encoding="utf-8").replace(f"date: {old_date}", f"date: {new_date}")
    session.unlink()
    (session.parent / f"{new_date}.yaml").write_text(text, encoding="utf-8")
    check_both_ways(practice, tmp_path, monkeypatch, "rename")


def test_rename_without_changing_content_is_an_error_in_both(practice, tmp_path, monkeypatch):
    """The date no longer matches the file name: the cached entry must not hide that."""
    book(practice, tmp_path / "first")
    session = sessions_of(practice)[2]
    session.rename(session.with_name("2020-01-01.yaml"))
    warm = build.build_book(practice, tmp_path / "warm")
    cache.forget()
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        cold_result = build.build_book(practice, tmp_path / "cold")
    assert not warm.ok and warm.problems == cold_result.problems


def test_delete_a_session_and_a_client(practice, tmp_path, monkeypatch):
    book(practice, tmp_path / "first")
    sessions_of(practice)[-1].unlink()
    check_both_ways(practice, tmp_path, monkeypatch, "delete-session")
    client = min((practice / "clients").iterdir())
    shard = cache.FileCache(practice)._shard_path(f"clients/{client.name}")
    assert shard.exists()
    shutil.rmtree(client)
    check_both_ways(practice, tmp_path, monkeypatch, "delete-client")
    assert not shard.exists(), "the cache of a deleted client is removed"


def test_copy_with_old_timestamps(practice, tmp_path, monkeypatch):
    """`cp -p`: the copy carries the cache; an edit in the copy that keeps size and mtime is seen."""
    book(practice, tmp_path / "first")
    settle()
    copy = tmp_path / "copy"
    shutil.copytree(practice, copy, copy_function=shutil.copy2, ignore=shutil.ignore_patterns("_book"))
    assert cache_files(copy)
    session = sessions_of(copy)[1]
    before = session.stat()
    session.write_bytes(same_size_edit(session.read_bytes()))
    os.utime(session, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert session.stat().st_size == before.st_size and session.stat().st_mtime_ns == before.st_mtime_ns
    cache.forget()
    expected = cold(copy, tmp_path / "copy-cold", monkeypatch)
    cache.forget()
    assert book(copy, tmp_path / "copy-warm") == expected
    # the original practice and its book are untouched by the copy
    cache.forget()
    assert book(practice, tmp_path / "orig-again") == cold(practice, tmp_path / "orig-cold", monkeypatch)


@pytest.mark.parametrize("damage", [
    b"", b"{", b"\x00\x01binary", b"[]", b'{"format": 1}', b'{"format": 1, "fingerprint": "x", "entries": {}}',
    "garbled-entries", "wrong-data",
])
def test_corrupt_or_foreign_cache_is_ignored(practice, tmp_path, monkeypatch, damage):
    book(practice, tmp_path / "first")
    for path in cache_files(practice):
        if damage == "garbled-entries":  # right envelope, entries of the wrong shape
            raw = json.loads(path.read_bytes())
            raw["entries"] = {k: ["session", 5, None] for k in raw["entries"]}
            path.write_text(json.dumps(raw))
        elif damage == "wrong-data":
            # right shape, but not what these files hold: the digest no longer matches, so unused
            raw = json.loads(path.read_bytes())
            for entry in raw["entries"].values():
                entry[1] = "0" * 32
                entry[2] = None
                entry[3] = {"date": "1999-01-01", "kind": "session"}
            path.write_text(json.dumps(raw))
        else:
            path.write_bytes(damage)
    cache.forget()
    assert book(practice, tmp_path / "after") == cold(practice, tmp_path / "cold", monkeypatch)
    # and the damaged cache has been replaced by a good one
    cache.forget()
    load_practice(practice)
    assert cache._caches[os.path.abspath(practice)].misses == 0


def test_a_changed_instrument_definition(practice, tmp_path, monkeypatch):
    book(practice, tmp_path / "first")
    definition = resources.data_dir("instruments") / "phq9.yaml"
    text = definition.read_text(encoding="utf-8")
    assert "Moderately severe" in text or "moderately severe" in text
    (practice / "instruments").mkdir()
    (practice / "instruments" / "phq9.yaml").write_text(
        text.replace("oderately severe", "oderately severe (practice wording)"), encoding="utf-8")
    check_both_ways(practice, tmp_path, monkeypatch, "instrument")


def test_a_changed_schema_invalidates_every_entry(practice, tmp_path, monkeypatch):
    """A schema that now refuses what it accepted: the cached "valid" must not survive it."""
    book(practice, tmp_path / "first")
    schemas = tmp_path / "schemas"
    shutil.copytree(resources.data_dir("schemas"), schemas)
    session_schema = json.loads((schemas / "session.schema.json").read_text(encoding="utf-8"))
    session_schema["properties"]["notes"]["maxLength"] = 10
    (schemas / "session.schema.json").write_text(json.dumps(session_schema), encoding="utf-8")
    real = resources.data_dir

    def patched(name: str) -> Path:
        return schemas if name == "schemas" else real(name)

    monkeypatch.setattr(resources, "data_dir", patched)
    for memo in (cache.fingerprint, validate._validator):
        memo.cache_clear()
    fastschema.checker.cache_clear()
    try:
        cache.forget()
        warm = build.build_book(practice, tmp_path / "warm")
        cache.forget()
        with monkeypatch.context() as m:
            m.setenv("GOALBOOK_NO_CACHE", "1")
            cold_result = build.build_book(practice, tmp_path / "cold")
        assert not cold_result.ok
        assert warm.problems == cold_result.problems
    finally:
        monkeypatch.undo()
        for memo in (cache.fingerprint, validate._validator):
            memo.cache_clear()
        fastschema.checker.cache_clear()


def test_problems_come_back_from_the_cache_unchanged(practice, monkeypatch):
    goals = min(practice.glob("clients/*/goals.yaml"))
    goals.write_text(goals.read_text(encoding="utf-8").replace("    status: ", "    statsu: ", 1), encoding="utf-8")
    session = sessions_of(practice)[0]
    session.write_text(session.read_text(encoding="utf-8") + "kind: session\n", encoding="utf-8")  # duplicate key
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        expected = load_practice(practice)
    first = load_practice(practice)
    cache.forget()
    second = load_practice(practice)
    assert expected[1] and first[1] == expected[1] and second[1] == expected[1]
    assert first[0] == expected[0] and second[0] == expected[0]


def test_goal_lines_follow_an_edit_that_moves_them(practice, monkeypatch):
    goals = min(practice.glob("clients/*/goals.yaml"))
    load_practice(practice)
    settle()
    goals.write_text("# a comment\n# and another\n" + goals.read_text(encoding="utf-8"), encoding="utf-8")
    warm, _ = load_practice(practice)
    cache.forget()
    disk, _ = load_practice(practice)
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        expected, _ = load_practice(practice)
    lines = [g.line for c in expected.clients for g in c.goals]
    assert lines[0] == 5  # two comments, the modeline, `goals:`, then the first goal
    assert [g.line for c in warm.clients for g in c.goals] == lines
    assert [g.line for c in disk.clients for g in c.goals] == lines


def test_owner_only_json_never_pickle(practice):
    load_practice(practice)
    folder = practice / cache.CACHE_DIR
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / cache.FILES_DIR).stat().st_mode) == 0o700
    for path in cache_files(practice):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        raw = json.loads(path.read_bytes())  # plain JSON
        assert raw["format"] == cache.FORMAT and isinstance(raw["entries"], dict)
    leftovers = [p for p in folder.rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_a_cache_folder_that_is_a_link_is_never_used(practice, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (practice / cache.CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    load_practice(practice)
    assert list(elsewhere.rglob("*")) == []
    assert not cache._caches[os.path.abspath(practice)].usable


def test_switched_off_by_environment(practice, monkeypatch):
    monkeypatch.setenv("GOALBOOK_NO_CACHE", "1")
    load_practice(practice)
    assert not (practice / cache.CACHE_DIR / cache.FILES_DIR).exists()


def test_storable_refuses_what_json_would_change():
    assert cache.storable({"a": [1, 2.5, None, True, "x"]})
    assert not cache.storable({1: "int key"})
    assert not cache.storable({"t": (1, 2)})
    assert not cache.storable({"f": float("nan")})


def test_a_number_too_large_for_json_is_not_cached_but_still_read(practice, monkeypatch):
    session = sessions_of(practice)[0]
    huge = "9" * 400 + ".0"  # a plain float to the strict loader, infinite to Python
    session.write_text(session.read_text(encoding="utf-8").replace("kind: ", f"weight: {huge}\nkind: ", 1),
                       encoding="utf-8")
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        expected = load_practice(practice)
    assert load_practice(practice) == expected
    cache.forget()
    assert load_practice(practice) == expected
    for path in cache_files(practice):
        json.loads(path.read_bytes())  # still valid JSON (no Infinity)


# --- the pages: unchanged clients are kept, everything else is rebuilt


def inodes(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*.html")}


def test_only_the_edited_client_is_rendered_again(practice, tmp_path, monkeypatch):
    out = tmp_path / "book"
    book(practice, out)
    before = inodes(out)
    session = sessions_of(practice)[0]  # the first client's
    edited_client = session.parent.parent.name
    session.write_bytes(session.read_bytes().replace(b"notes: |\n  ", b"notes: |\n  Edited today. ", 1))
    from goalbook.render import pages

    rendered = []
    real = pages.render_client
    monkeypatch.setattr(pages, "render_client", lambda view, **kw: rendered.append(view.id) or real(view, **kw))
    result = build.build_book(practice, out)
    monkeypatch.setattr(pages, "render_client", real)
    assert rendered == [edited_client]
    after = inodes(out)
    unchanged = {rel for rel in before if before[rel] == after.get(rel)}
    assert set(before) - unchanged <= {f"clients/{edited_client}.html", "index.html"}
    assert f"clients/{edited_client}.html" not in unchanged
    assert result.pages == len(before) and 1 <= result.written <= 2
    assert tree(out) == cold(practice, tmp_path / "cold", monkeypatch)


def test_a_page_changed_or_removed_in_the_book_is_built_again(practice, tmp_path, monkeypatch):
    out = tmp_path / "book"
    book(practice, out)
    pages = sorted((out / "clients").glob("*.html"))
    pages[0].write_bytes(b"<p>scribbled on</p>")
    pages[1].unlink()
    cache.forget()
    # A page changed by hand is no longer the file goalbook wrote: never overwritten, the build refuses.
    from goalbook import output

    with pytest.raises(output.OutputError, match="changed since goalbook wrote it"):
        build.build_book(practice, out)
    assert pages[0].read_bytes() == b"<p>scribbled on</p>"
    pages[0].unlink()
    assert book(practice, out) == cold(practice, tmp_path / "cold", monkeypatch)


def test_two_books_of_one_practice_in_turn(practice, tmp_path, monkeypatch):
    one, two = tmp_path / "one", tmp_path / "two"
    book(practice, one)
    book(practice, two)
    session = sessions_of(practice)[4]
    session.write_bytes(session.read_bytes().replace(b"kind: ", b"clinician: jd\nkind: ", 1))
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    assert book(practice, one) == expected
    assert book(practice, two) == expected


def test_a_changed_practice_setting_reaches_every_page(practice, tmp_path, monkeypatch):
    out = tmp_path / "book"
    book(practice, out)
    settings = practice / "goalbook.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("name: ", "name: Renamed ", 1)
                        .replace("name: Renamed \"", "name: \"Renamed "), encoding="utf-8")
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    assert all(b"Renamed" in page for rel, page in expected.items() if rel.endswith(".html"))
    assert book(practice, out) == expected


def test_in_git_the_stamp_and_uncommitted_changes_stay_right(practice, tmp_path, monkeypatch):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    import subprocess

    def run(*args: str) -> None:
        subprocess.run([git, "-C", str(practice), "-c", "user.name=Test Clinician", "-c", "user.email=tc@example.org",
                        *args], check=True, capture_output=True)

    run("init", "-q")
    run("add", "-A")
    run("commit", "-q", "-m", "start")
    out = tmp_path / "book"
    book(practice, out)
    session = sessions_of(practice)[2]
    session.write_bytes(session.read_bytes().replace(b"kind: ", b"clinician: jd\nkind: ", 1))
    expected = cold(practice, tmp_path / "cold-dirty", monkeypatch)
    assert b"Uncommitted changes" in expected[f"clients/{session.parent.parent.name}.html"]
    assert book(practice, out) == expected
    run("commit", "-q", "-am", "a clinician covered")
    expected = cold(practice, tmp_path / "cold-committed", monkeypatch)
    assert book(practice, out) == expected


def test_checks_follow_a_changed_instrument_and_today(practice, tmp_path, monkeypatch):
    """The problems found per client are reused only while the instruments and "today" stay."""
    from goalbook.checks import check_practice

    def cold_problems(**kw):
        with monkeypatch.context() as m:
            m.setenv("GOALBOOK_NO_CACHE", "1")
            return check_practice(practice, **kw)[1]

    check_practice(practice)
    text = (resources.data_dir("instruments") / "gad7.yaml").read_text(encoding="utf-8")
    (practice / "instruments").mkdir()
    (practice / "instruments" / "gad7.yaml").write_text(
        text.replace('  - {value: 3, label: "Nearly every day"}\n', ""), encoding="utf-8")
    expected = cold_problems()
    assert any(p.is_error for p in expected), "answers of 3 are now out of range"
    assert check_practice(practice)[1] == expected
    cache.forget()
    assert check_practice(practice)[1] == expected
    (practice / "instruments" / "gad7.yaml").unlink()
    later = __import__("datetime").date(2027, 6, 1)  # goals' target dates have passed by then
    expected = cold_problems(today=later)
    assert expected and check_practice(practice, today=later)[1] == expected
    assert check_practice(practice)[1] == cold_problems()


def test_a_new_process_renders_nothing_when_nothing_changed(practice, tmp_path, monkeypatch):
    from goalbook.render import pages

    out = tmp_path / "book"
    first = book(practice, out)
    cache.forget()  # a new process: only the disk cache is left
    rendered = []
    real = pages.render_client
    monkeypatch.setattr(pages, "render_client", lambda view, **kw: rendered.append(view.id) or real(view, **kw))
    assert book(practice, out) == first
    assert rendered == []


def test_watch_builds_the_model_only_for_the_edited_client(practice, monkeypatch):
    from goalbook import load

    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust stat signatures at once (the racy rule is tested above)
    expected_first = load_practice(practice)
    time.sleep(0.05)
    session = sessions_of(practice)[-1]
    session.write_bytes(session.read_bytes().replace(b"notes: |\n  ", b"notes: |\n  Edited today. ", 1))
    built = []
    real = load._load_client
    monkeypatch.setattr(load, "_load_client", lambda folder: built.append(folder.name) or real(folder))
    warm = load_practice(practice)
    assert built == [session.parent.parent.name]
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        assert warm == load_practice(practice)
    assert warm != expected_first


def test_two_processes_render_the_same_book_as_one(practice, tmp_path, monkeypatch):
    import threading

    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        pytest.skip("rendering in parallel needs fork, two cores and no other threads")
    from goalbook.render import pages

    monkeypatch.setattr(build, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(build, "PARALLEL_CHUNK", 1)
    here = []
    real = pages.render_client
    monkeypatch.setattr(pages, "render_client", lambda view, **kw: here.append(view.id) or real(view, **kw))
    parallel = cold(practice, tmp_path / "parallel", monkeypatch)
    assert here == [], "the pages were rendered by the worker processes"
    monkeypatch.setattr(build, "PARALLEL_MIN_PAGES", 10**6)
    assert cold(practice, tmp_path / "serial", monkeypatch) == parallel
    assert book(practice, tmp_path / "cached") == parallel  # and with the page cache (rows kept)


def test_a_new_process_reads_no_client_when_nothing_changed(practice, tmp_path, monkeypatch, timestamps):
    """With trusted timestamps, clients.index lets an unchanged client go unread: no model is built."""
    from goalbook import load

    if timestamps != "trusted":
        pytest.skip("fresh files are always read again")
    out = tmp_path / "book"
    first = book(practice, out)
    cache.forget()
    built = []
    real = load._load_client
    monkeypatch.setattr(load, "_load_client", lambda folder: built.append(folder.name) or real(folder))
    assert book(practice, out) == first
    assert built == []
    # and once one session changes, only that client is read
    settle()
    session = sessions_of(practice)[7]
    session.write_bytes(session.read_bytes().replace(b"notes: |\n  ", b"notes: |\n  Edited today. ", 1))
    cache.forget()
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    built.clear()
    assert book(practice, out) == expected
    assert built == [session.parent.parent.name]


# --- in-place edits, `watch`'s in-memory state, writing only what changed


def test_an_in_place_edit_that_leaves_the_folder_mtime_alone_is_seen(practice, tmp_path, monkeypatch):
    """Editors that write in place (truncate and write, as VS Code does) change the file's stat
    but not its folder's mtime: every file is stat-ed, no folder-level shortcut may hide this."""
    out = tmp_path / "book"
    book(practice, out)
    settle()
    session = sessions_of(practice)[9]
    folder_before = session.parent.stat()
    edited = session.read_bytes().replace(b"notes: |\n  ", b"notes: |\n  Written in place. ", 1)
    with session.open("r+b") as f:  # same inode, no rename: the folder is not touched
        f.write(edited)
        f.truncate()
    os.utime(session.parent, ns=(folder_before.st_atime_ns, folder_before.st_mtime_ns))
    assert session.parent.stat().st_mtime_ns == folder_before.st_mtime_ns
    cache.forget()  # a new process
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    assert b"Written in place." in expected[f"clients/{session.parent.parent.name}.html"]
    assert book(practice, out) == expected


def watch_build(root: Path, out: Path, changed: list[Path]) -> dict[str, bytes]:
    """A build as `watch` runs it: told which paths its file watcher saw change."""
    result = build.build_book(root, out, changed=[str(p) for p in changed])
    assert result.ok, [p for p in result.problems if p.is_error][:3]
    settle()
    return tree(out)


def test_watch_builds_told_what_changed_equal_a_cold_build(practice, tmp_path, monkeypatch):
    """Edit, revert, delete and add a session, rename, delete and add a client folder, change a
    setting: after each, the build that trusts the watcher's list is byte for byte a cold build."""
    out = tmp_path / "book"
    book(practice, out)
    clients = sorted((practice / "clients").iterdir())
    session = sorted((clients[1] / "sessions").glob("*.yaml"))[2]
    original = session.read_bytes()

    def step(name: str, changed: list[Path]) -> None:
        expected = cold(practice, tmp_path / f"{name}-cold", monkeypatch)
        assert watch_build(practice, out, changed) == expected, name

    session.write_bytes(original.replace(b"notes: |\n  ", b"notes: |\n  Edited in watch. ", 1))
    step("edit", [session])
    session.write_bytes(original)
    step("revert", [session])
    session.unlink()
    step("delete-session", [session])
    session.write_bytes(original)
    step("add-session", [session])
    renamed = clients[2].with_name("zz-" + clients[2].name)
    clients[2].rename(renamed)
    client_yaml = renamed / "client.yaml"
    client_yaml.write_text(client_yaml.read_text(encoding="utf-8").replace(
        f"id: {clients[2].name}", f"id: {renamed.name}"), encoding="utf-8")
    step("rename-client", [clients[2], renamed])
    shutil.copytree(renamed, clients[2])
    shutil.rmtree(renamed)
    moved_back = clients[2] / "client.yaml"
    moved_back.write_text(moved_back.read_text(encoding="utf-8").replace(
        f"id: {renamed.name}", f"id: {clients[2].name}"), encoding="utf-8")
    step("move-back", [clients[2], renamed])
    shutil.rmtree(clients[3])
    step("delete-client", [clients[3]])
    settings = practice / "goalbook.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("name: ", "name: Watched ", 1)
                        .replace("name: Watched \"", "name: \"Watched "), encoding="utf-8")
    step("settings", [settings])


def test_a_watch_build_with_a_broken_save_writes_nothing_and_recovers(practice, tmp_path, monkeypatch):
    out = tmp_path / "book"
    first = book(practice, out)
    session = sessions_of(practice)[4]
    original = session.read_bytes()
    session.write_bytes(original + b"kind: session\n")  # a duplicated key: an error
    broken = build.build_book(practice, out, changed=[str(session)])
    assert not broken.ok and any(p.path.endswith(session.name) for p in broken.problems)
    assert tree(out) == first
    session.write_bytes(original.replace(b"notes: |\n  ", b"notes: |\n  Fixed. ", 1))
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    assert watch_build(practice, out, [session]) == expected


def test_a_path_outside_one_client_folder_means_reading_everything(practice, tmp_path, monkeypatch):
    """Told only that clients/ itself changed, the build cannot know which client moved."""
    from goalbook import load

    out = tmp_path / "book"
    book(practice, out)
    session = sessions_of(practice)[1]
    session.write_bytes(session.read_bytes().replace(b"notes: |\n  ", b"notes: |\n  Unreported. ", 1))
    looked = []  # folders listed again, or whose stat was compared with their last listing's
    real_scan, real_recall = load._scan_client_folder, load._recalled_listing
    monkeypatch.setattr(load, "_scan_client_folder", lambda path, display: looked.append(display) or real_scan(path, display))
    monkeypatch.setattr(load, "_recalled_listing",
                        lambda root, path, display: looked.append(display) or real_recall(root, path, display))
    expected_pages = cold(practice, tmp_path / "cold", monkeypatch)
    looked.clear()
    assert watch_build(practice, out, [practice / "clients"]) == expected_pages
    assert sorted(set(looked)) == sorted(f"clients/{p.name}" for p in (practice / "clients").iterdir())
    looked.clear()
    watch_build(practice, out, [session])
    assert set(looked) == {f"clients/{session.parent.parent.name}"}, "only the reported client is looked at again"


def test_nothing_changed_writes_nothing_and_one_edit_writes_in_place(practice, tmp_path, monkeypatch):
    out = tmp_path / "book"
    book(practice, out)
    folder_inode = out.stat().st_ino
    before = inodes(out)
    result = build.build_book(practice, out)
    assert result.ok and result.written == 0
    assert inodes(out) == before and out.stat().st_ino == folder_inode
    assert [p.name for p in out.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name] == []
    session = sessions_of(practice)[0]
    session.write_bytes(session.read_bytes().replace(b"notes: |\n  ", b"notes: |\n  In place. ", 1))
    result = build.build_book(practice, out)
    assert result.ok and result.written == 1  # the client's page (its caseload row did not change)
    assert out.stat().st_ino == folder_inode, "updated in place, not swapped"
    after = inodes(out)
    page = f"clients/{session.parent.parent.name}.html"
    assert {rel for rel in after if after[rel] != before.get(rel)} == {page}
    assert tree(out) == cold(practice, tmp_path / "cold", monkeypatch)
    assert stat.S_IMODE((out / page).stat().st_mode) == 0o600


def test_a_book_without_its_marker_is_never_updated_in_place(practice, tmp_path):
    """Without the marker the folder is not known to be ours: refused."""
    from goalbook import output

    out = tmp_path / "book"
    book(practice, out)
    (out / output.MARKER).unlink()
    before = tree(out)
    with pytest.raises(output.OutputError):
        build.build_book(practice, out)
    assert tree(out) == before


def test_caseload_alert_order_is_the_same_with_kept_and_new_blocks(make_practice, tmp_path, monkeypatch):
    """Two clients whose most urgent alerts tie (the same goal review overdue by the same days) are
    ordered by their next alert, then by name — whether their blocks come from the page cache or are
    rendered anew (the cache once compared names before the next alert)."""
    from goalbook.build import build_book

    def client(cid: str, name: str, target_passed: bool) -> dict[str, str]:
        goal = ("goals:\n  - id: g\n    title: A goal\n    status: active\n    set_date: 2025-10-01\n"
                "    review_date: 2025-11-01\n")
        if target_passed:  # a second reason, ranked after the overdue review and before no contact
            goal += "    target_date: 2026-01-01\n"
        return {
            f"clients/{cid}/client.yaml": (
                f"id: {cid}\nname: {name}\nclinician: tc\nstart_date: 2025-10-01\nstatus: active\n"),
            f"clients/{cid}/goals.yaml": goal,
            f"clients/{cid}/sessions/2025-10-01.yaml": "date: 2025-10-01\nkind: intake\n",
        }

    root = make_practice({**client("zed-a", "Zed A.", True), **client("amy-b", "Amy B.", False)})
    cold = tmp_path / "cold"
    monkeypatch.setenv("GOALBOOK_NO_CACHE", "1")
    assert build_book(root, cold).ok
    monkeypatch.delenv("GOALBOOK_NO_CACHE")
    warm = tmp_path / "warm"
    assert build_book(root, warm).ok  # fills the cache
    assert build_book(root, warm).ok  # kept blocks
    page = (cold / "index.html").read_text()
    # Zed has a further reason (target date passed), so Zed's block comes first despite the name.
    assert page.index("Zed A.") < page.index("Amy B.")
    assert (warm / "index.html").read_bytes() == (cold / "index.html").read_bytes()


# --- clients.index, one line per client


def index_lines(root: Path) -> list[bytes]:
    return (root / cache.CACHE_DIR / cache.FILES_DIR / cache.INDEX_FILE).read_bytes().splitlines()


@pytest.mark.parametrize("damage", ["garbled line", "old one-object layout", "wrong shape"])
def test_a_damaged_clients_index_costs_time_only(practice, tmp_path, monkeypatch, damage, timestamps):
    """A client line that does not decode (or an index of another layout) means that client is
    read again; the book is still byte for byte a cold build's, and the index is written whole again."""
    from goalbook import load

    if timestamps != "trusted":
        pytest.skip("fresh files are never recalled from clients.index")
    out = tmp_path / "book"
    book(practice, out)
    path = practice / cache.CACHE_DIR / cache.FILES_DIR / cache.INDEX_FILE
    lines = index_lines(practice)
    assert len(lines) == 1 + 4  # a header and one line per client
    victim = json.loads(lines[2])[0].split("/")[1]
    if damage == "garbled line":
        lines[2] = lines[2][: len(lines[2]) // 2]
    elif damage == "wrong shape":
        lines[2] = json.dumps([victim, ["not", "an", "entry"]]).encode()
    else:  # what the third pass wrote: one JSON object holding every client
        header = json.loads(lines[0])
        lines = [json.dumps({"format": header["format"], "fingerprint": header["fingerprint"],
                             "clients": dict(json.loads(line) for line in lines[1:])}).encode()]
    path.write_bytes(b"\n".join(lines) + b"\n")
    cache.forget()
    built = []
    real = load._load_client
    monkeypatch.setattr(load, "_load_client", lambda folder: built.append(folder.name) or real(folder))
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    cache.forget()
    built.clear()
    assert book(practice, out) == expected
    assert built == (sorted(p.name for p in (practice / "clients").iterdir()) if damage == "old one-object layout"
                     else [victim])
    repaired = index_lines(practice)
    assert len(repaired) == 5 and all(json.loads(line)[1]["files"] for line in repaired[1:])


def test_an_edit_rewrites_one_line_of_clients_index_and_a_deleted_client_leaves_it(practice, tmp_path, monkeypatch,
                                                                                    timestamps):
    if timestamps != "trusted":
        pytest.skip("fresh files are not listed in clients.index")
    out = tmp_path / "book"
    book(practice, out)
    before = index_lines(practice)
    session = sessions_of(practice)[7]
    edited_client = session.parent.parent.name
    session.write_bytes(session.read_bytes().replace(b"notes: |\n  ", b"notes: |\n  Edited today. ", 1))
    cache.forget()
    book(practice, out)
    after = index_lines(practice)
    changed = [json.loads(a)[0] for a, b in zip(after, before) if a != b]
    assert changed == [f"clients/{edited_client}"]
    gone = min((practice / "clients").iterdir())
    shutil.rmtree(gone)
    cache.forget()
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    cache.forget()
    assert book(practice, tmp_path / "book2") == expected
    folders = [json.loads(line)[0] for line in index_lines(practice)[1:]]
    assert folders == sorted(f"clients/{p.name}" for p in (practice / "clients").iterdir())
    assert f"clients/{gone.name}" not in folders


def test_a_practice_given_as_a_relative_folder_is_cached_too(practice, tmp_path, monkeypatch):
    """`build_book(Path("."))` from inside the practice used the cache not at all (every file
    parsed again on every build); now it fills and uses the same cache as an absolute path."""
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    monkeypatch.chdir(practice)
    assert book(Path("."), tmp_path / "book") == expected
    assert cache_files(practice)  # the shards were written
    cache.forget()  # a new process: only what is on disk
    assert book(Path("."), tmp_path / "book2") == expected
    assert cache._caches[str(practice.resolve())].hits > 0


# --- folder listings kept in clients.index, the book's records one per line


def test_an_unchanged_folder_is_not_listed_again_and_any_new_entry_is_seen(practice, tmp_path, monkeypatch,
                                                                          timestamps):
    """clients.index keeps each client folder's file names with the stat of the folder and of its
    sessions/; while both are the same nothing was added, removed or renamed, so the names are
    taken from there. Adding, renaming or removing any entry moves the folder's mtime: it is
    listed again, and the book is a cold build's."""
    from goalbook import load

    if timestamps != "trusted":
        pytest.skip("a folder changed a moment ago is always listed again (the racy rule)")
    out = tmp_path / "book"
    book(practice, out)
    listed = []
    real = load._scan_client_folder
    monkeypatch.setattr(load, "_scan_client_folder", lambda path, display: listed.append(display) or real(path, display))
    cache.forget()
    load._scans.clear()
    book(practice, out)
    assert listed == [], "no client folder is listed when none changed"

    clients = sorted(p for p in (practice / "clients").iterdir())
    first, second, third = clients[0], clients[1], clients[2]
    last = max((first / "sessions").glob("*.yaml"))
    new_session = first / "sessions" / "2026-03-31.yaml"  # added (a copy of the last, dated today)
    assert not new_session.exists()
    new_session.write_text(re.sub(r"(?m)^date: .*$", "date: 2026-03-31", last.read_text(), count=1))
    renamed = min((second / "sessions").glob("*.yaml"))  # renamed to another date
    renamed.rename(renamed.with_name("2025-01-02.yaml"))
    (third / "notes.txt").write_text("a stray file: warned about")  # unknown entry
    settle()
    cache.forget()
    load._scans.clear()
    listed.clear()
    expected_problems = None
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        expected = build.build_book(practice, tmp_path / "cold")
        expected_problems = expected.problems
    cache.forget()
    load._scans.clear()
    listed.clear()
    result = build.build_book(practice, out)
    assert result.problems == expected_problems
    assert sorted(listed) == sorted(f"clients/{c.name}" for c in (first, second, third))
    if expected.ok:
        assert tree(out) == tree(tmp_path / "cold")
    # a folder with a problem is listed every time, so the problem is reported every time
    cache.forget()
    load._scans.clear()
    listed.clear()
    assert build.build_book(practice, out).problems == expected_problems
    assert f"clients/{third.name}" in listed


@pytest.mark.parametrize("damage", ["garbled line", "wrong shape", "other layout"])
def test_a_damaged_book_record_costs_time_only(practice, tmp_path, monkeypatch, damage):
    """The book's records are one JSON line per client: a damaged line means that page is built
    again (a damaged header: every page), and the book is still a cold build's."""
    from goalbook.render import pages

    out = tmp_path / "book"
    book(practice, out)
    [path] = sorted((practice / cache.CACHE_DIR).glob("book-*.json"))
    lines = path.read_bytes().rstrip(b"\n").split(b"\n")
    assert len(lines) == 1 + 4
    victim = json.loads(lines[3])[0]
    if damage == "garbled line":
        lines[3] = lines[3][: len(lines[3]) // 2]
    elif damage == "wrong shape":
        lines[3] = json.dumps([victim, {"not": "a record"}]).encode()
    else:
        lines[0] = lines[0].replace(b'"layout":"lines"', b'"layout":"one object"')
    path.write_bytes(b"\n".join(lines) + b"\n")
    cache.forget()
    rendered = []
    real = pages.render_client
    monkeypatch.setattr(pages, "render_client", lambda view, **kw: rendered.append(view.id) or real(view, **kw))
    expected = cold(practice, tmp_path / "cold", monkeypatch)
    cache.forget()
    rendered.clear()
    assert book(practice, out) == expected
    assert sorted(rendered) == (sorted({json.loads(l)[0] for l in lines[1:] if l.startswith(b'["')} | {victim})
                                if damage == "other layout" else [victim])
    again = path.read_bytes().rstrip(b"\n").split(b"\n")
    assert len(again) == 5 and all(Record_ok(json.loads(line)) for line in again[1:])


def Record_ok(pair) -> bool:
    from goalbook.pagecache import Record

    return isinstance(pair, list) and len(pair) == 2 and Record.from_json(pair[1]) is not None
