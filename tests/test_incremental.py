"""The speed seam (src/goalbook/incremental/): a build that reuses what its store and session
remember writes exactly the book that a build without them writes, and any damage to the store
only costs time — never a traceback, a hang, or anything in the book that is not in the records."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from goalbook import build
from goalbook.build import BuildRequest, build_book
from goalbook.incremental import parallel, session, signatures
from goalbook.incremental.session import Session
from goalbook.incremental.store import CACHE_DIR, FILE
from goalbook.records import load

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import make_practice


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the manifest as the files it records (its stats differ between copies)."""
    from goalbook.output import MARKER, Manifest

    found = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if MARKER in found:
        manifest = Manifest.from_bytes(found[MARKER])
        found[MARKER] = repr(sorted(manifest.files) if manifest else found[MARKER]).encode()
    return found


def clean_book(root: Path, out: Path, monkeypatch) -> dict[str, bytes]:
    """The book a build without any store writes."""
    with monkeypatch.context() as m:
        m.setenv("GOALBOOK_NO_CACHE", "1")
        result = build_book(root, out)
    assert result.ok, [p for p in result.problems if p.is_error][:3]
    return tree(out)


def built(root: Path, out: Path, **kw) -> dict[str, bytes]:
    result = build_book(root, out, **kw)
    assert result.ok, [p for p in result.problems if p.is_error][:3]
    return tree(out)


@pytest.fixture
def practice(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    return make_practice.make_practice(tmp_path / "practice", clients=4, sessions=4, seed=3)


@pytest.fixture
def trusting(monkeypatch):
    """Stamps count as old at once (else every file written by a test is too fresh to trust)."""
    monkeypatch.setattr(signatures, "RACY_NS", 0)


def sessions_of(root: Path) -> list[Path]:
    return sorted(root.glob("clients/*/sessions/*.yaml"))


def edit(path: Path, note: str) -> None:
    data = path.read_bytes()
    assert b"notes: |\n  " in data
    path.write_bytes(data.replace(b"notes: |\n  ", f"notes: |\n  {note} ".encode(), 1))


def store_rows(root: Path) -> list[str]:
    with sqlite3.connect(root / CACHE_DIR / FILE) as db:
        return sorted(r[0] for r in db.execute("SELECT folder FROM clients"))


# --- The memo gives the book a build without it gives ------------------------------------------------


def test_edits_additions_and_removals_give_the_book_of_a_build_without_store(practice, tmp_path, monkeypatch):
    out = tmp_path / "book"
    assert built(practice, out) == clean_book(practice, tmp_path / "clean0", monkeypatch)
    clients = sorted((practice / "clients").iterdir())
    edit(sessions_of(practice)[1], "Edited.")
    assert built(practice, out) == clean_book(practice, tmp_path / "clean1", monkeypatch)
    new = clients[1] / "sessions" / "2026-03-30.yaml"
    new.write_bytes(max((clients[1] / "sessions").glob("*.yaml")).read_bytes().replace(b"date: ", b"date: 2026-03-30 #", 1))
    assert built(practice, out) == clean_book(practice, tmp_path / "clean2", monkeypatch)
    import shutil

    shutil.rmtree(clients[3])
    assert built(practice, out) == clean_book(practice, tmp_path / "clean3", monkeypatch)
    # an erased client does not linger in the store
    assert store_rows(practice) == [f"clients/{c.name}" for c in clients[:3]]


def test_nothing_changed_reads_no_record(practice, tmp_path, monkeypatch, trusting):
    out = tmp_path / "book"
    first = built(practice, out)

    real = load.load_file

    def refuse(path, display, *rest):
        assert not display.startswith("clients/"), f"{display} was read although nothing changed"
        return real(path, display, *rest)  # goalbook.yaml is read on every build

    monkeypatch.setattr(load, "load_file", refuse)
    result = build_book(practice, out)
    assert result.ok and result.written == 0
    assert tree(out) == first


def test_an_in_place_edit_that_keeps_size_mtime_and_folder_is_seen(practice, tmp_path, monkeypatch, trusting):
    out = tmp_path / "book"
    built(practice, out)
    path = sessions_of(practice)[2]
    st = os.stat(path)
    folder = os.stat(path.parent)
    data = path.read_bytes()
    changed = data.replace(b"notes: |\n  ", b"notes: |\n  X", 1)[:-1]  # same size
    assert len(changed) == len(data) and changed != data
    with path.open("r+b") as f:  # in place: the folder's mtime does not move
        f.write(changed)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path.parent).st_mtime_ns == folder.st_mtime_ns
    assert built(practice, out) == clean_book(practice, tmp_path / "clean", monkeypatch)


def test_a_fresh_stamp_is_hashed_again_on_a_clock_too_coarse_to_move(practice, tmp_path, monkeypatch):
    """On a file system whose stat would not move for an edit in the same tick (simulated: every
    signature compares equal), a file stamped within 2 s of being read is hashed again."""
    monkeypatch.setattr(session, "_files_unchanged", lambda root, listing, sigs: True)
    out = tmp_path / "book"
    built(practice, out)  # the files were just written: too fresh to trust
    edit(sessions_of(practice)[0], "Same tick.")
    assert built(practice, out) == clean_book(practice, tmp_path / "clean", monkeypatch)
    # The rule is what catches it: without it the edit goes unseen.
    monkeypatch.setattr(signatures, "RACY_NS", 0)
    built(practice, out)
    edit(sessions_of(practice)[0], "Unseen.")
    assert built(practice, out) != clean_book(practice, tmp_path / "clean2", monkeypatch)


def test_signature_rules():
    st = os.stat(__file__)
    assert signatures.file_signature(st, now_ns=max(st.st_mtime_ns, st.st_ctime_ns) + 1) is None
    old = signatures.file_signature(st, now_ns=max(st.st_mtime_ns, st.st_ctime_ns) + signatures.RACY_NS)
    assert old == [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    assert signatures.file_signature(st, st.st_size + 1) is None  # changed while it was read


def test_a_session_trusts_what_the_watcher_did_not_report(practice, tmp_path, monkeypatch, trusting):
    out = tmp_path / "book"
    kept = Session(practice)
    first = build_book(BuildRequest(practice, out), session=kept)
    assert first.ok
    a, b = sessions_of(practice)[0], sessions_of(practice)[-1]
    edit(a, "Not reported.")
    edit(b, "Reported.")
    result = build_book(BuildRequest(practice, out, changed=frozenset({str(b)})), session=kept)
    assert result.ok
    assert "Reported." in (out / f"clients/{b.parts[-3]}.html").read_text()
    assert "Not reported." not in (out / f"clients/{a.parts[-3]}.html").read_text()  # trusted, unread
    assert built(practice, out, session=kept) == clean_book(practice, tmp_path / "clean", monkeypatch)
    kept.close()


@pytest.mark.parametrize("clients", [pytest.param(6, id="small"), pytest.param(60, id="large", marks=pytest.mark.slow)])
def test_clients_run_in_forked_workers_give_the_same_book(tmp_path, monkeypatch, clients):
    root = make_practice.make_practice(tmp_path / "practice", clients=clients, sessions=3, seed=11)
    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    monkeypatch.setattr(session, "PARALLEL_MIN", 1)
    forked = []
    real = parallel.forking_is_safe
    monkeypatch.setattr(parallel, "forking_is_safe", lambda n, m: forked.append(real(n, m)) or forked[-1])
    book = built(root, tmp_path / "book")
    assert forked == [True]
    assert book == clean_book(root, tmp_path / "clean", monkeypatch)
    assert checks_equal(root)


def checks_equal(root: Path) -> bool:
    from goalbook import checks

    return checks.run_checks(root).problems == checks.check_practice(root)[1]


def test_check_and_build_share_the_memo_and_report_the_same_problems(example_copy, monkeypatch):
    from goalbook import checks

    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    _, expected = checks.check_practice(example_copy)
    assert expected  # the example has warnings
    assert checks.run_checks(example_copy).problems == expected
    assert build_book(example_copy).problems == expected
    assert checks.run_checks(example_copy).problems == expected  # from the store


# --- Damage to the store costs time only --------------------------------------------------------------


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00not a database" * 100)


def _foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE clients (folder TEXT, state TEXT)")
        db.execute("INSERT INTO clients VALUES ('clients/x', '{}')")


def _rows(text: str):
    def damage(path: Path) -> None:
        with sqlite3.connect(path) as db:
            db.execute("UPDATE clients SET state = ?", (text,))
    return damage


def _wrong_types(path: Path) -> None:
    with sqlite3.connect(path) as db:
        for folder, state in db.execute("SELECT folder, state FROM clients").fetchall():
            value = json.loads(state)
            value["checked"][3] = [["x", "1", 2, "error", "c", "m", "h"]]
            value["listing"] = [[1, 2, 3]]
            db.execute("UPDATE clients SET state = ? WHERE folder = ?", (json.dumps(value), folder))


def _other_goalbook(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'another goalbook' WHERE name = 'fingerprint'")


def _injected_row(path: Path) -> None:
    """Rows kept but with a caseload line that no record holds: the keys no longer match."""
    with sqlite3.connect(path) as db:
        for folder, state in db.execute("SELECT folder, state FROM clients").fetchall():
            value = json.loads(state)
            for record in value.get("pages", {}).values():
                record[3][1] = "<tr><td>Not in the records</td></tr>"
            value["checked"][0] = "0" * 32
            db.execute("UPDATE clients SET state = ? WHERE folder = ?", (json.dumps(value), folder))


def _link(path: Path) -> None:
    target = path.parent.parent.parent / "elsewhere.db"
    target.write_bytes(b"someone else's file")
    path.unlink()
    path.symlink_to(target)


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "x").write_text("x")


def _side_link(path: Path) -> None:
    target = path.parent.parent.parent / "elsewhere-wal"
    target.write_bytes(b"")
    Path(str(path) + "-wal").symlink_to(target)


DAMAGE = {
    "garbage": _garbage, "foreign-database": _foreign, "bad-json": _rows("{not json"),
    "deep-json": _rows("[" * 100_000 + "]" * 100_000), "wrong-shape": _rows("[1, 2, 3]"),
    "wrong-types": _wrong_types, "other-goalbook": _other_goalbook, "injected-row": _injected_row,
    "symlink": _link, "fifo": _fifo, "folder": _folder, "linked-side-file": _side_link,
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_store_gives_the_book_of_no_store(practice, tmp_path, monkeypatch, kind):
    out = tmp_path / "book"
    built(practice, out)
    edit(sessions_of(practice)[0], "After the damage.")
    DAMAGE[kind](practice / CACHE_DIR / FILE)
    code = ("import sys; from pathlib import Path; from goalbook.build import build_book; "
            "r = build_book(Path(sys.argv[1]), Path(sys.argv[2])); sys.exit(0 if r.ok else 1)")
    done = subprocess.run([sys.executable, "-c", code, str(practice), str(out)], capture_output=True, text=True,
                          timeout=120, check=False)  # its own process: a hang fails, not blocks
    assert done.returncode == 0 and not done.stderr, done.stderr
    assert tree(out) == clean_book(practice, tmp_path / "clean", monkeypatch)
    for name in ("elsewhere.db", "elsewhere-wal"):
        outside = tmp_path / name
        if outside.exists():
            assert outside.read_bytes() in (b"someone else's file", b"")  # never written through
    assert built(practice, out) == tree(out)  # and the store works again


def test_what_earlier_goalbooks_kept_in_the_cache_folder_is_removed(practice, tmp_path):
    folder = practice / CACHE_DIR
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "gone-client.json").write_text('{"entries": {"clients/gone-client/client.yaml": 1}}')
    for name in ("checks.json", "outcomes.json", "book-0123abcd.json"):
        (folder / name).write_text('{"clients": {"clients/gone-client": 1}}')
    (folder / "history.json").write_text("{}")  # the audit trail's own, now a table of the store
    assert build_book(practice, tmp_path / "book").ok
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(FILE)) == ["book.lock"]


def test_a_cache_folder_that_is_a_link_is_never_written_through(practice, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (practice / CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    assert built(practice, tmp_path / "book") == clean_book(practice, tmp_path / "clean", monkeypatch)
    assert list(elsewhere.iterdir()) == []


def test_two_builds_at_once(practice, tmp_path, monkeypatch):
    code = ("import sys; from pathlib import Path; from goalbook.build import build_book; "
            "r = build_book(Path(sys.argv[1]), Path(sys.argv[2])); sys.exit(0 if r.ok else 1)")
    for round_ in range(2):
        edit(sessions_of(practice)[round_], f"Round {round_}.")
        runs = [subprocess.Popen([sys.executable, "-c", code, str(practice), str(tmp_path / "book")],
                                 stderr=subprocess.PIPE) for _ in range(2)]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0 and not err, err
        assert tree(tmp_path / "book") == clean_book(practice, tmp_path / f"clean{round_}", monkeypatch)


# --- One parallel map ------------------------------------------------------------------------------------


def test_an_error_in_a_worker_is_raised_here_and_no_worker_is_left(monkeypatch):
    monkeypatch.setattr(parallel, "forking_is_safe", lambda n, m: True)

    def work(x: int) -> int:
        if x == 37:
            raise ValueError("thirty-seven")
        return x * 2

    forked = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    with pytest.raises(ValueError, match="thirty-seven"):
        list(parallel.parallel_map(work, list(range(100))))
    assert len(forked) == 2
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # every worker was reaped
    assert list(parallel.parallel_map(lambda x: x + 1, list(range(50)))) == list(range(1, 51))


def test_workers_die_with_a_parent_killed_hard(tmp_path):
    script = """
import os, sys, time
from goalbook.incremental import parallel
parallel.forking_is_safe = lambda n, m: True
def work(x):
    os.write(1, f"{os.getpid()}\\n".encode())  # one write: the lines of two workers never mix
    time.sleep(60)
for _ in parallel.parallel_map(work, list(range(20))):
    pass
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = {int(proc.stdout.readline()) for _ in range(2)}
    proc.kill()
    proc.wait()
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_the_fingerprint_covers_every_file_of_the_package(monkeypatch):
    """Computed from the files, not a hand-kept list: a change to any module moves it."""
    from goalbook.incremental import fingerprint

    fingerprint.code_fingerprint.cache_clear()
    before = fingerprint.code_fingerprint()
    real = Path.read_bytes
    for name in ("records/yamlload.py", "fastschema.py", "views/book_views.py"):
        target = Path(build.__file__).parent / name
        monkeypatch.setattr(Path, "read_bytes", lambda self, t=target: real(self) + (b"#" if self == t else b""))
        fingerprint.code_fingerprint.cache_clear()
        assert fingerprint.code_fingerprint() != before, name
    monkeypatch.setattr(Path, "read_bytes", real)
    fingerprint.code_fingerprint.cache_clear()
    assert fingerprint.code_fingerprint() == before


def test_reading_checking_statistics_views_rendering_and_history_never_import_the_speed_layer():
    """The seam: only the build steps, the live modes and the commands reach into incremental/."""
    import ast

    package = Path(__file__).resolve().parent.parent / "src" / "goalbook"
    offenders = []
    for layer in ("records", "checks", "clinical", "views", "render", "history", "export", "forms"):
        for path in sorted((package / layer).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                         else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
                if any(n == "goalbook.incremental" or n.startswith("goalbook.incremental.") for n in names):
                    offenders.append(f"{layer}/{path.name}")
    assert offenders == []
