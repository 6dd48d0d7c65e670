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
    # The first commit (1 March) already holds the 16 and 30 March sessions: --today keeps them in the past.
    result = CliRunner().invoke(main, ["build", str(repo), "--as-of", "2026-03-10", "--today", "2026-03-31"])
    assert result.exit_code == 0, result.output
    cd = (repo / "_book/clients/cd.html").read_text(encoding="utf-8")
    assert "As of 2026-03-10" in cd
    assert "1 → 3, target 5" in (repo / "_book/index.html").read_text(encoding="utf-8")
    after = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], check=True, capture_output=True, text=True).stdout
    assert after == before
    CliRunner().invoke(main, ["build", str(repo)])
    assert "1 → 3, target 4" in (repo / "_book/index.html").read_text(encoding="utf-8")


def test_as_of_a_date_is_the_book_as_it_was_that_day(make_practice):
    root = make_practice({
        "clients/ty/client.yaml": """\
            id: ty
            name: Tia Y.
            clinician: tc
            start_date: 2026-01-05
            status: active
            """,
        "clients/ty/sessions/2026-01-05.yaml": "date: 2026-01-05\nkind: intake\n",
    })
    (root / ".gitignore").write_text("_book/\n.goalbook-cache/\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Tia's intake", date="2026-01-05T18:00:00")
    (root / "clients/ty/sessions/2026-03-02.yaml").write_text("date: 2026-03-02\nkind: session\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Tia's session", date="2026-03-02T18:00:00")
    # Today (the practice's 31 Mar): last contact 2 Mar, 29 days ago, over the 28-day limit.
    assert CliRunner().invoke(main, ["build", str(root)]).exit_code == 0
    now = (root / "_book/index.html").read_text(encoding="utf-8")
    assert "as of 31 Mar 2026" in now and "No contact" in now
    # As of 1 Feb: the intake was 27 days before, and the book is dated that day.
    result = CliRunner().invoke(main, ["build", str(root), "--as-of", "2026-02-01"])
    assert result.exit_code == 0, result.output
    then = (root / "_book/index.html").read_text(encoding="utf-8")
    assert "Caseload <span class=\"subtitle\">as of 1 Feb 2026</span>" in then
    assert "No contact" not in then and "Nothing needs attention today." in then
    # --today still says otherwise when asked.
    result = CliRunner().invoke(main, ["build", str(root), "--as-of", "2026-02-01", "--today", "2026-03-31"])
    assert "No contact" in (root / "_book/index.html").read_text(encoding="utf-8")
