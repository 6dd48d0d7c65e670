"""Records goalbook must not take at face value: links to places outside the practice, named
pipes and devices where a file should be, records git ignores. `check` says so (without echoing
what the link points at), nothing hangs, and the commit stamp never calls such records committed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "SECRET-OUTSIDE-LINE: not a record of this practice"


def goalbook(root: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "goalbook", *args], cwd=root, capture_output=True, text=True,
                          check=False, timeout=timeout,
                          env={**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg")})


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Robin Vale", "-c", "user.email=robin@example.invalid",
                    "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args],
                   check=True, capture_output=True, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"})


def test_a_client_folder_linked_from_outside_is_an_error(small_practice, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "ef"
    shutil.copytree(small_practice / "clients" / "cd", elsewhere)
    client = elsewhere / "client.yaml"
    client.write_text(client.read_text().replace("id: cd", "id: ef"))
    (small_practice / "clients" / "ef").symlink_to(elsewhere)
    done = goalbook(small_practice, "check")
    assert done.returncode != 0
    assert "clients/ef" in done.stdout and "outside the practice" in done.stdout
    assert goalbook(small_practice, "build").returncode != 0


def test_a_session_linked_from_outside_is_an_error_and_its_content_is_not_shown(small_practice, tmp_path):
    outside = tmp_path / "private.txt"
    outside.write_text(SECRET + "\n  : [ not yaml\n")
    (small_practice / "clients" / "ab" / "sessions" / "2026-03-31.yaml").symlink_to(outside)
    done = goalbook(small_practice, "check")
    assert done.returncode != 0
    assert "clients/ab/sessions/2026-03-31.yaml" in done.stdout and "outside the practice" in done.stdout
    assert "SECRET" not in done.stdout + done.stderr


def test_a_link_inside_the_practice_is_read(small_practice):
    session = small_practice / "clients" / "ab" / "sessions" / "2026-03-16.yaml"
    kept = small_practice / "clients" / "ab" / "kept.yaml"
    session.rename(kept)
    session.symlink_to(Path("..") / "kept.yaml")
    done = goalbook(small_practice, "check")
    assert "outside the practice" not in done.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("where", ["instruments/mine.yaml", "clients/ab/sessions/2026-03-31.yaml",
                                   "clients/ab/goals.yaml"])
def test_a_named_pipe_is_skipped_with_a_message_never_a_hang(small_practice, where):
    path = small_practice / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    done = goalbook(small_practice, "check", timeout=60)
    assert where in done.stdout and "named pipe" in done.stdout, done.stdout


def test_an_endless_device_is_skipped(small_practice):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    (small_practice / "instruments").mkdir()
    (small_practice / "instruments" / "zero.yaml").symlink_to("/dev/zero")
    done = goalbook(small_practice, "check", timeout=60)
    assert "instruments/zero.yaml" in done.stdout and "a device" in done.stdout, done.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_stamp_never_calls_an_ignored_record_committed(small_practice):
    (small_practice / ".gitignore").write_text("_book/\n.goalbook-cache/\nclients/ab/sessions/2026-03-30.yaml\n")
    git(small_practice, "init", "-q")
    git(small_practice, "add", ".")
    git(small_practice, "commit", "-q", "-m", "Start the record")
    assert goalbook(small_practice, "build").returncode == 0
    index = (small_practice / "_book" / "index.html").read_text()
    assert "with uncommitted changes" in index


def test_an_unreadable_client_folder_is_reported_as_unreadable(small_practice, tmp_path):
    """Not as "has no client.yaml". As root every folder is readable, so the check runs as the
    unprivileged user `nobody` there (skipped where that is not possible)."""
    import stat
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="goalbook-unreadable-"))
    try:
        os.chmod(shared, 0o755)
        practice = shared / "p"
        shutil.copytree(small_practice, practice)
        for path in [practice, *practice.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(practice / "clients" / "cd", 0)
        command = [sys.executable, "-m", "goalbook", "check", str(practice)]
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("needs setpriv to run as another user")
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        env = {**os.environ, "XDG_CACHE_HOME": str(shared / "xdg"), "GOALBOOK_NO_CACHE": "1"}
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120, env=env)
        if "No module named" in done.stderr or "Permission denied" in done.stderr and "Traceback" in done.stderr:
            pytest.skip("this machine's Python cannot run as another user")
        assert "clients/cd: error: this client folder cannot be read" in done.stdout, done.stdout + done.stderr
        assert "has no client.yaml" not in done.stdout
    finally:
        os.chmod(shared / "p" / "clients" / "cd", stat.S_IRWXU)
        shutil.rmtree(shared, ignore_errors=True)


def test_a_questionnaire_definition_linked_from_outside_is_an_error(small_practice, tmp_path):
    outside = tmp_path / "shared-drive" / "mine.yaml"
    outside.parent.mkdir()
    outside.write_text("id: mine\n")
    (small_practice / "instruments").mkdir()
    (small_practice / "instruments" / "mine.yaml").symlink_to(outside)
    done = goalbook(small_practice, "check")
    assert done.returncode != 0 and "instruments/mine.yaml" in done.stdout and "outside the practice" in done.stdout
