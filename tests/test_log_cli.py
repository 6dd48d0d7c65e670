"""`goalbook log CLIENT` in the terminal: the audit trail in words, with author and date."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from test_audit import MAYA, commit, git, make_story, write

from goalbook.cli import main


@pytest.fixture
def story(tmp_path):
    return make_story(tmp_path)


def run(*args: str):
    return CliRunner().invoke(main, ["log", *args], catch_exceptions=False)


def test_log_says_each_change_in_words_with_author_and_date(story, monkeypatch):
    monkeypatch.chdir(story / "clients" / "ana-r")  # the practice is found by walking up
    result = run("ana-r")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2025-11-03 14:30  Jonas Brandt  Lower the presentation target  [" in out
    assert "\n    goal 'presentations': target 9 → 7\n" in out
    assert "2025-11-10 09:15  Maya Keller  Revise the presentation goal  [" in out
    assert "\n    goal 'presentations' revised into 'present-monthly': Present at the monthly all-hands meeting\n" in out
    assert "2025-11-17 16:00  Jonas Brandt  Remove a session entered twice  [" in out
    assert "\n    session 2025-10-20 removed\n" in out
    assert "\n    session 2025-10-13 moved to 2025-10-14 and edited: date 2025-10-13 → 2025-10-14\n" in out
    # newest first
    assert out.index("Repair the goals file") < out.index("Lower the presentation target") < out.index(
        "Start Ana's record")


def test_log_follows_a_renamed_client_folder(story):
    git(story, "mv", "clients/ana-r", "clients/ana-s")
    commit(story, "Rename Ana's folder", MAYA, "2025-12-08T10:00:00+00:00")
    out = run("ana-s", "--practice", str(story)).output
    assert "2025-12-08 10:00  Maya Keller  Rename Ana's folder" in out
    assert "\n    client folder renamed from 'ana-r' to 'ana-s'\n" in out
    assert "Start Ana's record" in out


def test_log_warns_about_uncommitted_changes_of_that_client(story):
    write(story, "clients/ana-r/sessions/2026-01-05.yaml", "date: 2026-01-05\nkind: session\n")
    out = run("ana-r", "--practice", str(story)).output
    assert "uncommitted changes (not yet in the audit trail): clients/ana-r/sessions/2026-01-05.yaml" in out
    assert "uncommitted" not in run("ben-t", "--practice", str(story)).output


def test_unknown_client_suggests_the_near_one(story):
    result = CliRunner().invoke(main, ["log", "ana-t", "--practice", str(story)])
    assert result.exit_code == 2
    assert "no client 'ana-t'" in result.output and "did you mean 'ana-r'" in result.output


def test_a_client_without_commits_yet(story):
    write(story, "clients/cara-m/client.yaml", "id: cara-m\n")
    result = CliRunner().invoke(main, ["log", "cara-m", "--practice", str(story)])
    assert result.exit_code == 1 and "no committed history yet" in result.output


def test_outside_git_says_there_is_no_audit_trail(make_practice, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_practice()
    result = CliRunner().invoke(main, ["log", "ab", "--practice", str(root)])
    assert result.exit_code == 1
    assert "not in a git repository, so there is no audit trail" in result.output
    assert "Traceback" not in result.output
