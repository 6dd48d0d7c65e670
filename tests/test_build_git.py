"""The book and git: the commit stamp, uncommitted-change warnings, History, and --as-of."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from goalbook.build import build_book
from goalbook.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root, *args, author="Robin Vale", date="2026-03-01T10:00:00"):
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "LC_ALL": "C"}
    subprocess.run(["git", "-C", str(root), "-c", f"user.name={author}", "-c", "user.email=robin@example.invalid",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(small_practice):
    (small_practice / ".gitignore").write_text("_book/\n.goalbook-cache/\n")
    git(small_practice, "init", "-q")
    git(small_practice, "add", ".")
    git(small_practice, "commit", "-q", "-m", "Start the record", date="2026-03-01T10:00:00")
    goals = small_practice / "clients/cd/goals.yaml"
    goals.write_text(goals.read_text().replace("target: 5", "target: 4"))
    git(small_practice, "commit", "-q", "-am", "Lower the walking target", author="Sam Reed",
        date="2026-03-20T10:00:00")
    return small_practice


def test_stamp_history_and_uncommitted_warning(repo):
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    session = repo / "clients/cd/sessions/2026-01-12.yaml"
    session.write_text(session.read_text() + "private_notes: edited, not committed\n")
    out = build_book(repo).out
    index = (out / "index.html").read_text(encoding="utf-8")
    cd = (out / "clients/cd.html").read_text(encoding="utf-8")
    ab = (out / "clients/ab.html").read_text(encoding="utf-8")
    assert f"built from commit <code>{head[:7]}</code> with uncommitted changes" in index
    assert "Uncommitted changes:" in index and "clients/cd/sessions/2026-01-12.yaml" in index
    assert "Uncommitted changes:" in cd and "Uncommitted changes:" not in ab
    # History in words, with author and date.
    assert "Lower the walking target" in cd and "Sam Reed" in cd and "Robin Vale" in cd
    assert "Not a git repository" not in cd


def test_as_of_an_earlier_commit_shows_the_earlier_target_and_leaves_git_clean(repo):
    before = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], check=True, capture_output=True, text=True).stdout
    result = CliRunner().invoke(main, ["build", str(repo), "--as-of", "2026-03-10"])
    assert result.exit_code == 0, result.output
    cd = (repo / "_book/clients/cd.html").read_text(encoding="utf-8")
    assert "As of 2026-03-10" in cd
    assert "1 → 3, target 5" in (repo / "_book/index.html").read_text(encoding="utf-8")
    after = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], check=True, capture_output=True, text=True).stdout
    assert after == before
    CliRunner().invoke(main, ["build", str(repo)])
    assert "1 → 3, target 4" in (repo / "_book/index.html").read_text(encoding="utf-8")
