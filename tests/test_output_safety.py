"""The book folder, as unlucky users meet it: a copy of the book in a folder of their own, a book
folder that is a symbolic link, a full or read-only disk, a build killed half-way. The rule: a
build never deletes or overwrites a file it did not write there itself, and a failed build leaves
the previous book whole."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from goalbook.output import MARKER


def goalbook(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command as a therapist runs it: a process of its own."""
    return subprocess.run([sys.executable, "-m", "goalbook", *args], capture_output=True, text=True,
                          check=False, cwd=cwd, env={**os.environ, **(env or {})}, timeout=300)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pages(folder: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in tree(folder).items() if rel != MARKER}


def edit_session(practice: Path, words: str) -> None:
    session = practice / "clients/ab/sessions/2026-03-16.yaml"
    text = session.read_text()
    assert "\nnotes: |\n" in text
    session.write_text(text.replace("\nnotes: |\n", f"\nnotes: |\n  {words}\n", 1))


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


# --- A build never deletes a file it did not write --------------------------------------------


def test_building_into_a_copy_of_the_book_keeps_the_users_own_files(small_practice, tmp_path):
    """`cp -a _book/. ~/Cloud/` once, then `build -o ~/Cloud`: the marker travelled with the copy,
    the user's other files must not go."""
    assert goalbook("build", str(small_practice)).returncode == 0
    cloud = tmp_path / "Cloud"
    cloud.mkdir()
    (cloud / "tax-return-2025.pdf").write_bytes(b"%PDF- the user's own")
    subprocess.run(["cp", "-a", f"{small_practice / '_book'}/.", f"{cloud}/"], check=True)
    before = tree(cloud)
    done = goalbook("build", str(small_practice), "-o", str(cloud))
    assert done.returncode != 0
    assert "tax-return-2025.pdf" in done.stderr and "did not write" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert tree(cloud) == before


def test_a_plain_copy_of_the_book_can_be_built_into(small_practice, tmp_path):
    """A copy holding nothing but the book's own files is accounted for by their contents."""
    assert goalbook("build", str(small_practice)).returncode == 0
    copy = tmp_path / "usb"
    shutil.copytree(small_practice / "_book", copy)
    edit_session(small_practice, "A new line.")
    done = goalbook("build", str(small_practice), "-o", str(copy))
    assert done.returncode == 0, done.stderr
    assert b"A new line." in (copy / "clients/ab.html").read_bytes()
    assert pages(copy).keys() == pages(small_practice / "_book").keys()


def _as_an_earlier_version_wrote_it(book: Path) -> None:
    """Rewrite the manifest with the 32-digit BLAKE2b hashes goalbook recorded before SHA-256."""
    import hashlib
    import json

    raw = json.loads((book / MARKER).read_bytes())
    for rel, entry in raw["files"].items():
        entry["hash"] = [hashlib.blake2b((book / rel).read_bytes(), digest_size=16).hexdigest()]
    (book / MARKER).write_text(json.dumps(raw))


def test_a_copy_of_a_book_written_by_an_earlier_version_is_still_accounted_for(small_practice, tmp_path):
    assert goalbook("build", str(small_practice)).returncode == 0
    copy = tmp_path / "usb"
    shutil.copytree(small_practice / "_book", copy)
    _as_an_earlier_version_wrote_it(copy)
    edit_session(small_practice, "A newer line.")
    done = goalbook("build", str(small_practice), "-o", str(copy))
    assert done.returncode == 0, done.stderr
    assert b"A newer line." in (copy / "clients/ab.html").read_bytes()


def test_a_page_changed_in_a_copy_written_by_an_earlier_version_is_refused(small_practice, tmp_path):
    assert goalbook("build", str(small_practice)).returncode == 0
    copy = tmp_path / "usb"
    shutil.copytree(small_practice / "_book", copy)
    _as_an_earlier_version_wrote_it(copy)
    page = copy / "clients/ab.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>my own remark</p></body>"))
    before = tree(copy)
    done = goalbook("build", str(small_practice), "-o", str(copy))
    assert done.returncode != 0 and "clients/ab.html" in done.stderr and "changed since" in done.stderr
    assert tree(copy) == before


def test_a_file_of_the_users_in_the_book_folder_survives_a_small_rebuild(small_practice):
    """A one-page rebuild updates the book in place; it once removed everything it did not expect."""
    assert goalbook("build", str(small_practice)).returncode == 0
    notes = small_practice / "_book" / "clients" / "my-notes.txt"
    notes.write_text("what I want to say to Alex next time")
    edit_session(small_practice, "Edited after the first build.")
    done = goalbook("build", str(small_practice))
    assert done.returncode != 0 and "clients/my-notes.txt" in done.stderr
    assert notes.read_text() == "what I want to say to Alex next time"
    notes.unlink()
    assert goalbook("build", str(small_practice)).returncode == 0


def test_a_copied_marker_alone_is_not_enough(small_practice, tmp_path):
    """The manifest copied into a folder of the user's with files of the same names: refused."""
    assert goalbook("build", str(small_practice)).returncode == 0
    theirs = tmp_path / "website"
    (theirs / "clients").mkdir(parents=True)
    (theirs / "index.html").write_text("<h1>My own home page</h1>")
    shutil.copy2(small_practice / "_book" / MARKER, theirs / MARKER)
    done = goalbook("build", str(small_practice), "-o", str(theirs))
    assert done.returncode != 0 and "index.html" in done.stderr
    assert (theirs / "index.html").read_text() == "<h1>My own home page</h1>"


def test_a_build_killed_half_way_through_an_update_leaves_a_book_the_next_build_takes(small_practice):
    """A real SIGKILL between two renames of an in-place update: the next build finishes the job."""
    assert goalbook("build", str(small_practice)).returncode == 0
    book = small_practice / "_book"
    settings = small_practice / "goalbook.yaml"
    settings.write_text(settings.read_text().replace("name:", "name: Renamed", 1))  # every page changes
    killer = textwrap.dedent(f"""
        import os, signal, sys
        real = os.replace
        def replace(src, dst, *a, **k):
            real(src, dst, *a, **k)
            if str(dst).endswith(".html"):
                os.kill(os.getpid(), signal.SIGKILL)
        os.replace = replace
        from goalbook.cli import main
        sys.argv = ["goalbook", "build", {str(small_practice)!r}]
        main()
    """)
    killed = subprocess.run([sys.executable, "-c", killer], capture_output=True, text=True, timeout=300,
                            check=False)
    assert killed.returncode == -signal.SIGKILL
    done = goalbook("build", str(small_practice))
    assert done.returncode == 0, done.stderr
    fresh = small_practice / "fresh"
    assert goalbook("build", str(small_practice), "-o", str(fresh)).returncode == 0
    assert pages(book) == pages(fresh)


# --- A book folder that is a symbolic link ------------------------------------------------------


def test_a_linked_book_folder_stays_where_the_link_points(small_practice, tmp_path):
    encrypted = tmp_path / "Encrypted" / "book"
    encrypted.parent.mkdir()
    link = small_practice / "_book"
    link.symlink_to(encrypted)
    for step in ("first", "small", "large"):
        if step == "small":
            edit_session(small_practice, "One more line.")
        if step == "large":
            monkey = {"GOALBOOK_NO_CACHE": "1"}  # no page cache: the book is written whole and swapped
        done = goalbook("build", str(small_practice), env=monkey if step == "large" else None)
        assert done.returncode == 0, (step, done.stderr)
        assert link.is_symlink() and os.readlink(link) == str(encrypted), step
        assert (encrypted / "index.html").is_file() and (encrypted / "clients" / "ab.html").is_file(), step
    assert [p.name for p in small_practice.iterdir() if p.name.startswith("._book")] == []


def test_a_link_to_a_drive_that_is_not_there_is_refused(small_practice, tmp_path):
    link = small_practice / "_book"
    link.symlink_to(tmp_path / "NotMounted" / "book")
    done = goalbook("build", str(small_practice))
    assert done.returncode != 0 and "does not exist" in done.stderr and "mount" in done.stderr
    assert not (tmp_path / "NotMounted").exists() and link.is_symlink()


# --- Disk full, read-only --------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 512 KB tmpfs (root only; skipped elsewhere)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    where = tmp_path / "disk"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(where)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("this machine cannot mount a tmpfs")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` until only about ``leave`` bytes are free."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("cache", ["in place", "swapped whole"])
def test_a_full_disk_says_so_and_leaves_the_previous_book_whole(small_practice, small_disk, cache):
    out = small_disk / "book"
    env = {"GOALBOOK_NO_CACHE": "1"} if cache == "swapped whole" else None
    assert goalbook("build", str(small_practice), "-o", str(out), env=env).returncode == 0
    before = tree(out)
    settings = small_practice / "goalbook.yaml"  # every page changes: several files to write
    settings.write_text(settings.read_text().replace("name:", "name: " + "Very " * 20, 1))
    fill(small_disk, 4096)
    done = goalbook("build", str(small_practice), "-o", str(out), env=env)
    assert done.returncode not in (0, 3), done.stderr
    assert "disk is full" in done.stderr and str(out) in done.stderr and "free some space" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert tree(out) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["book", "filler"]


def test_a_read_only_disk_says_so(small_practice, small_disk):
    out = small_disk / "book"
    assert goalbook("build", str(small_practice), "-o", str(out)).returncode == 0
    before = tree(out)
    edit_session(small_practice, "Written while the disk was read-only.")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = goalbook("build", str(small_practice), "-o", str(out))
    assert done.returncode not in (0, 3), done.stderr
    assert "read-only" in done.stderr and "internal error" not in done.stderr
    assert tree(out) == before


# --- An erased client ------------------------------------------------------------------------------


@pytest.mark.parametrize("cache", ["page cache", "no cache"])
def test_a_full_build_removes_the_pages_and_share_file_of_a_client_who_is_gone(small_practice, cache):
    """An erasure request: the client's folder is removed; nothing of theirs may stay in the book."""
    env = {"GOALBOOK_NO_CACHE": "1"} if cache == "no cache" else None
    assert goalbook("build", str(small_practice), env=env).returncode == 0
    assert goalbook("build", str(small_practice), "--client", "ab", "--share", env=env).returncode == 0
    assert goalbook("build", str(small_practice), "--client", "cd", "--share", env=env).returncode == 0
    assert goalbook("build", str(small_practice), "--client", "cd", env=env).returncode == 0  # shares kept
    book = small_practice / "_book"
    assert (book / "for-client-ab.html").is_file()
    shutil.rmtree(small_practice / "clients" / "ab")
    done = goalbook("build", str(small_practice), env=env)
    assert done.returncode == 0, done.stderr
    left = sorted(tree(book))
    assert {"index.html", "clients/cd.html", "for-client-cd.html"} <= set(left)
    assert [rel for rel in left if "ab" in rel.replace(".goalbook-book", "")] == []
    assert not any(b"Alex" in data for data in pages(book).values())


# --- A share page names nothing it does not show -----------------------------------------------------


def test_a_share_page_does_not_name_a_goal_it_leaves_out(small_practice):
    """A current goal that replaces a revised one: the share page (past goals hidden by default)
    neither links to the old goal nor says its title."""
    goals = small_practice / "clients/ab/goals.yaml"
    text = goals.read_text()
    old = ("  - id: old-sleep\n    title: Sleep eight hours HIDDEN-OLD-GOAL\n    category: daily-routine\n"
           "    focus_area: sleep\n    status: revised\n    set_date: 2026-03-02\n"
           "    measure:\n      type: rating\n      label: Hours slept\n")
    text = text.replace("goals:\n", "goals:\n" + old, 1)
    text = text.replace("    status: active\n    set_date: 2026-03-02\n",
                        "    status: active\n    revises: old-sleep\n    set_date: 2026-03-02\n", 1)
    goals.write_text(text)
    done = goalbook("build", str(small_practice), "--client", "ab", "--share")
    assert done.returncode == 0, done.stdout + done.stderr
    share = (small_practice / "_book" / "for-client-ab.html").read_text()
    assert "HIDDEN-OLD-GOAL" not in share and "old-sleep" not in share
    assert goalbook("build", str(small_practice)).returncode == 0
    assert "HIDDEN-OLD-GOAL" in (small_practice / "_book" / "clients" / "ab.html").read_text()


# --- Disk errors in the other commands ----------------------------------------------------------------


def test_init_on_a_full_disk_says_so_and_leaves_no_half_written_file(small_disk):
    fill(small_disk, 0)
    practice = small_disk / "p"
    done = goalbook("init", str(practice), "--no-hook")
    assert done.returncode == 1, done.stderr
    assert "disk is full" in done.stderr and "internal error" not in done.stderr
    written = [p for p in practice.rglob("*") if p.is_file()] if practice.exists() else []
    assert all(p.stat().st_size > 0 for p in written), written  # nothing truncated to be kept later
    (small_disk / "filler").unlink()
    again = goalbook("init", str(practice), "--no-hook")
    assert again.returncode == 0, again.stderr
    assert "clinicians:" in (practice / "goalbook.yaml").read_text()  # written whole this time


def test_new_client_on_a_read_only_disk_says_so(small_disk):
    practice = small_disk / "p"
    assert goalbook("init", str(practice), "--no-hook").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = goalbook("new", "client", "ana-r", "--practice", str(practice))
    assert done.returncode == 1 and "read-only" in done.stderr and "internal error" not in done.stderr
