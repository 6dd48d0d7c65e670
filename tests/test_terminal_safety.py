"""Nothing goalbook prints can act on the therapist's terminal: control characters in commit
authors and messages, record text and file names are shown as escapes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J\x1b[H"  # clears the screen
REORDER = "\u202e"  # right-to-left override


def goalbook(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "goalbook", *args], cwd=root, capture_output=True, text=True,
                          check=False, timeout=120, env={**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg")})


def assert_harmless(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and REORDER not in text, repr(text)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_log_shows_a_hostile_author_and_message_as_escapes(small_practice):
    root = small_practice
    run = ["git", "-C", str(root), "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]
    subprocess.run([*run, "init", "-q"], check=True)
    subprocess.run([*run, "add", "."], check=True)
    subprocess.run([*run, "-c", f"user.name=Co Author{TITLE}", "-c", "user.email=co@example.invalid",
                    "commit", "-q", "-m", f"Tidy{CLEAR} up{REORDER}"], check=True)
    done = goalbook(root, "log", "ab")
    assert done.returncode == 0, done.stderr
    assert_harmless(done.stdout)
    assert "Co Author\\x1b]0;pwned" in done.stdout and "Tidy\\x1b[2J" in done.stdout


def test_check_shows_hostile_record_text_as_escapes(small_practice):
    goals = small_practice / "clients/ab/goals.yaml"
    text = goals.read_text()
    goals.write_text(text.replace("status: active", f"status: act{TITLE}ive", 1))
    done = goalbook(small_practice, "check")
    assert done.returncode != 0
    assert_harmless(done.stdout + done.stderr)
    assert "\\x1b]0;pwned" in done.stdout


def test_a_hostile_file_name_is_shown_as_escapes(small_practice):
    (small_practice / "clients" / f"zz{CLEAR}").mkdir()
    done = goalbook(small_practice, "check")
    assert_harmless(done.stdout + done.stderr)
    assert "zz\\x1b[2J" in done.stdout
