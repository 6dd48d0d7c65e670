"""`--as-of`: the practice as it stood at a commit or a date, read from git without touching anything."""

from __future__ import annotations

import hashlib
import re
import subprocess

import pytest
from click.testing import CliRunner
from test_audit import JONAS, MAYA, commit, git, make_story, write

from goalbook.cli import main
from goalbook.errors import GoalbookError
from goalbook.history import snapshot
from goalbook.records.load import load_practice


@pytest.fixture
def story(tmp_path):
    return make_story(tmp_path)


def target_then(root, when):
    with snapshot.checkout_as_of(root, when) as folder:
        practice, problems = load_practice(folder)
        assert practice is not None, problems
        goal = practice.client("ana-r").goal("presentations")
        return goal.target.value, folder


def commit_of(root, subject):
    return git(root, "log", "--format=%H", f"--grep={subject}", "--fixed-strings").split()[0]


def git_state(root):
    repo = root.parent
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    head = (repo / ".git" / "HEAD").read_text()
    return status, index, head


def test_as_of_an_earlier_commit_shows_the_earlier_target_and_leaves_git_alone(story):
    # Work in progress: an unstaged edit, a staged one and an untracked file must all survive.
    write(story, "clients/ana-r/goals.yaml", (story / "clients/ana-r/goals.yaml").read_text().replace(
        "target: 7", "target: 5"))
    write(story, "clients/ben-t/goals.yaml", "goals: []\n")
    git(story, "add", "clients/ben-t/goals.yaml")
    write(story, "clients/ana-r/sessions/2026-01-05.yaml", "date: 2026-01-05\nkind: session\n")
    before = git_state(story)

    earlier = commit_of(story, "Start Ana's record")
    target, folder = target_then(story, earlier)
    assert target == 9
    assert not folder.exists()  # the temporary copy is gone afterwards
    assert target_then(story, earlier[:8])[0] == 9
    assert target_then(story, "HEAD")[0] == 7  # HEAD, not the uncommitted 5
    assert git_state(story) == before


def page_text(out):
    html = (out / "clients" / "ana-r.html").read_text(encoding="utf-8")
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_build_as_of_an_earlier_commit_shows_the_earlier_target(story, tmp_path):
    write(story, "clients/ana-r/sessions/2026-01-05.yaml", "date: 2026-01-05\nkind: session\n")  # uncommitted
    before = git_state(story)
    earlier = commit_of(story, "Start Ana's record")
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(story), "--as-of", earlier, "-o", str(tmp_path / "then")])
    assert result.exit_code == 0, result.output
    then = page_text(tmp_path / "then")
    assert "baseline 10; target 9" in then and "target 7" not in then
    assert "target 9 → 7" not in then  # the history, too, ends at that commit
    assert git_state(story) == before
    result = runner.invoke(main, ["build", str(story), "-o", str(tmp_path / "now")])
    assert result.exit_code == 0, result.output
    now = page_text(tmp_path / "now")
    assert "baseline 10; target 7" in now
    # the History section says each change in words, with author and date
    assert "2025-11-03 14:30 Jonas Brandt Lower the presentation target goal 'presentations': target 9 → 7" in (
        now.replace("&#39;", "'"))
    assert "2025-11-17 16:00 Jonas Brandt Remove a session entered twice session 2025-10-20 removed" in now
    assert "uncommitted changes" in now.lower() and "2026-01-05.yaml" in now


def test_as_of_a_date_takes_the_last_commit_of_that_day(story):
    assert target_then(story, "2025-11-02")[0] == 9
    assert target_then(story, "2025-11-03")[0] == 7  # committed that afternoon: end of day counts
    assert target_then(story, "2026-06-30")[0] == 7


def test_the_snapshot_holds_the_files_as_they_were(story):
    with snapshot.checkout_as_of(story, commit_of(story, "Lower the presentation target")) as folder:
        sessions = sorted(p.name for p in (folder / "clients/ana-r/sessions").iterdir())
        assert sessions == ["2025-10-13.yaml", "2025-10-20.yaml"]
        assert not (folder / "practice").exists()  # practice-relative, though the practice is a sub-folder
        assert (folder / "goalbook.yaml").read_bytes() == (story / "goalbook.yaml").read_bytes()


@pytest.mark.parametrize("when, message", [
    ("2025-10-12", "nothing was recorded on or before 2025-10-12"),
    ("2025-02-30", "no such day"),
    ("not-a-commit", "neither a date"),
    ("--output=x", "neither a date"),
])
def test_clear_errors_for_what_cannot_be_found(story, when, message):
    with pytest.raises(GoalbookError, match=message), snapshot.checkout_as_of(story, when):
        pass


def test_before_the_practice_existed(tmp_path):
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    write(repo, "README.md", "notes\n")
    commit(repo, "Start", MAYA, "2025-01-01T10:00:00+00:00")
    first = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "practice/goalbook.yaml", "name: P\n")
    commit(repo, "Add practice", JONAS, "2025-02-01T10:00:00+00:00")
    with pytest.raises(GoalbookError, match="did not exist yet"), snapshot.checkout_as_of(repo / "practice", first):
        pass


def test_outside_git_as_of_is_refused_clearly(make_practice, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_practice()
    with pytest.raises(GoalbookError, match="not in a git repository"), snapshot.checkout_as_of(root, "2025-01-01"):
        pass
