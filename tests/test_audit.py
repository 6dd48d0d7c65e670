"""The audit trail, on real temporary git repositories with two fictional authors."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from goalbook.history import audit, audit_words, gitrepo
from goalbook.incremental.session import KeptInStore

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

MAYA = ("Maya Keller", "maya@example.org")
JONAS = ("Jonas Brandt", "jonas@example.org")

SETTINGS = """\
name: Test Practice
clinicians:
  - id: mk
    name: Maya Keller
  - id: jb
    name: Jonas Brandt
today: 2026-03-31
"""

CLIENT = """\
id: {id}
name: Ana R.
clinician: mk
start_date: 2025-10-06
status: active
hopes:
  - "To stand up in meetings without my heart racing."
"""

GOALS_V1 = """\
goals:
  - id: presentations
    title: Present at the weekly team meeting
    status: active
    set_date: 2025-10-13
    review_date: 2025-12-01
    measure: {type: rating, label: Anxiety before presenting}
    baseline: 10
    target: 9
    steps:
      - id: box-breathing
        action: Box breathing for five minutes
        times: 3
        per: week
"""

SESSION = """\
date: {date}
kind: session
measurements:
  presentations: 8
homework:
  box-breathing: 2
notes: |
  Practised the first two slides aloud.
  Talked about what helps before a meeting.
  Agreed to try box breathing before the next one.
"""


def git(root: Path, *args: str, author: tuple[str, str] = MAYA, when: str = "2025-10-13T10:00:00+00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(root), "-c", f"user.name={author[0]}", "-c", f"user.email={author[1]}",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          check=True, capture_output=True, text=True, env=env)
    return done.stdout


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def commit(root: Path, message: str, author: tuple[str, str], when: str) -> None:
    git(root, "add", "-A", author=author, when=when)
    git(root, "commit", "-q", "-m", message, author=author, when=when)


@pytest.fixture
def story(tmp_path) -> Path:
    return make_story(tmp_path)


def make_story(tmp_path: Path) -> Path:
    """A practice inside a sub-folder of its repository, with one client's record over seven weeks."""
    repo = tmp_path / "repo"
    root = repo / "practice"
    git(tmp_path, "init", "-q", str(repo))
    write(root, "goalbook.yaml", SETTINGS)
    write(root, ".gitignore", "_book/\n.goalbook-cache/\n")  # as `goalbook init` writes it
    write(root, "clients/ana-r/client.yaml", CLIENT.format(id="ana-r"))
    write(root, "clients/ana-r/goals.yaml", GOALS_V1)
    write(root, "clients/ana-r/sessions/2025-10-13.yaml", SESSION.format(date="2025-10-13"))
    write(root, "clients/ana-r/sessions/2025-10-20.yaml", SESSION.format(date="2025-10-20"))
    write(root, "clients/ben-t/client.yaml", CLIENT.format(id="ben-t").replace("Ana R.", "Ben T."))
    commit(root, "Start Ana's record", MAYA, "2025-10-13T10:00:00+00:00")

    goals = (GOALS_V1.replace("target: 9", "target: 7").replace("review_date: 2025-12-01", "review_date: 2026-01-15")
             .replace("times: 3", "times: 4"))
    write(root, "clients/ana-r/goals.yaml", goals)
    commit(root, "Lower the presentation target", JONAS, "2025-11-03T14:30:00+00:00")

    revised = goals.replace("status: active", "status: revised") + (
        "  - id: present-monthly\n"
        "    title: Present at the monthly all-hands meeting\n"
        "    status: active\n"
        "    set_date: 2025-11-10\n"
        "    revises: presentations\n"
    )
    write(root, "clients/ana-r/goals.yaml", revised)
    commit(root, "Revise the presentation goal", MAYA, "2025-11-10T09:15:00+00:00")

    (root / "clients/ana-r/sessions/2025-10-20.yaml").unlink()
    commit(root, "Remove a session entered twice", JONAS, "2025-11-17T16:00:00+00:00")

    git(root, "mv", "clients/ana-r/sessions/2025-10-13.yaml", "clients/ana-r/sessions/2025-10-14.yaml")
    write(root, "clients/ana-r/sessions/2025-10-14.yaml", SESSION.format(date="2025-10-14"))
    commit(root, "The first session was on the 14th", MAYA, "2025-11-24T11:00:00+00:00")

    write(root, "clients/ana-r/goals.yaml", "goals:\n  - id: [unclosed\n")
    commit(root, "Work in progress", JONAS, "2025-12-01T08:00:00+00:00")
    write(root, "clients/ana-r/goals.yaml", revised)
    commit(root, "Repair the goals file", JONAS, "2025-12-01T08:05:00+00:00")
    return root


def by_subject(entries):
    return {e.message: e for e in entries}


def test_history_is_newest_first_with_author_date_and_subject(story):
    entries = audit.client_history(story, "ana-r")
    assert [e.message for e in entries] == [
        "Repair the goals file", "Work in progress", "The first session was on the 14th",
        "Remove a session entered twice", "Revise the presentation goal", "Lower the presentation target",
        "Start Ana's record",
    ]
    lowered = by_subject(entries)["Lower the presentation target"]
    assert (lowered.author, lowered.date) == ("Jonas Brandt", "2025-11-03 14:30")
    start = by_subject(entries)["Start Ana's record"]
    assert (start.author, start.date) == ("Maya Keller", "2025-10-13 10:00")
    assert len(start.commit) == 40 and start.short == start.commit[:7]


def test_goal_changes_are_said_field_by_field(story):
    changes = by_subject(audit.client_history(story, "ana-r"))["Lower the presentation target"].changes
    assert changes == (
        "goal 'presentations': target 9 → 7",
        "goal 'presentations': review date moved to 2026-01-15",
        "goal 'presentations': box-breathing: 3 → 4 times a week",
    )


def test_a_revision_is_said_as_such(story):
    changes = by_subject(audit.client_history(story, "ana-r"))["Revise the presentation goal"].changes
    assert "goal 'presentations' revised into 'present-monthly': Present at the monthly all-hands meeting" in changes
    assert "goal 'presentations': status active → revised" in changes
    assert not any("added" in c for c in changes)


def test_sessions_added_removed_and_moved(story):
    entries = by_subject(audit.client_history(story, "ana-r"))
    start = entries["Start Ana's record"].changes
    assert "session 2025-10-13 added" in start and "session 2025-10-20 added" in start
    assert "client record created" in start
    assert "goal 'presentations' added: Present at the weekly team meeting" in start
    assert entries["Remove a session entered twice"].changes == ("session 2025-10-20 removed",)
    assert entries["The first session was on the 14th"].changes == (
        "session 2025-10-13 moved to 2025-10-14 and edited: date 2025-10-13 → 2025-10-14",
    )


def test_an_unreadable_old_version_is_said_not_raised(story):
    entries = by_subject(audit.client_history(story, "ana-r"))
    assert entries["Work in progress"].changes == ("goals.yaml could not be read in this version",)
    assert entries["Repair the goals file"].changes == (
        "goals.yaml can be read again (the version before could not be read)",)


def test_clients_are_kept_apart(story):
    ben = audit.client_history(story, "ben-t")
    assert [(e.message, e.changes) for e in ben] == [("Start Ana's record", ("client record created",))]
    assert audit.client_history(story, "nobody") == []


def test_a_renamed_client_folder_keeps_its_history(story):
    git(story, "mv", "clients/ana-r", "clients/ana-s")
    write(story, "clients/ana-s/client.yaml", CLIENT.format(id="ana-s").replace("status: active", "status: paused"))
    commit(story, "Rename Ana's folder", MAYA, "2025-12-08T10:00:00+00:00")
    entries = audit.client_history(story, "ana-s")
    assert entries[0].changes == ("client folder renamed from 'ana-r' to 'ana-s'", "status active → paused")
    assert entries[-1].message == "Start Ana's record"
    assert len(entries) == 8
    # the old id keeps only what happened under it, which is all of it, up to the rename
    assert audit.client_history(story, "ana-r") == []


def test_client_profile_changes(story):
    text = CLIENT.format(id="ana-r").replace("status: active", "status: discharged").replace(
        "clinician: mk", "clinician: jb") + 'end_date: 2026-02-20\nfocus_areas:\n  - id: work\n    name: Work\n'
    text = text.replace('  - "To stand up in meetings without my heart racing."',
                        '  - "To enjoy team lunches again."')
    write(story, "clients/ana-r/client.yaml", text)
    commit(story, "Discharge", JONAS, "2026-02-20T12:00:00+00:00")
    assert audit.client_history(story, "ana-r")[0].changes == (
        "status active → discharged",
        "clinician mk → jb",
        "end date set to 2026-02-20",
        "hope added: 'To enjoy team lunches again.'",
        "hope removed: 'To stand up in meetings without my heart racing.'",
        "focus area 'work' added: Work",
    )


def test_history_as_of_an_earlier_commit(story):
    entries = audit.client_history(story, "ana-r")
    older = by_subject(entries)["Lower the presentation target"].commit
    assert [e.message for e in audit.client_history(story, "ana-r", rev=older)] == [
        "Lower the presentation target", "Start Ana's record"]


def test_a_new_process_reads_the_audit_from_the_one_store(story):
    first = audit.client_history(story, "ana-r", trail=audit.AuditTrail(KeptInStore()))
    folder = story / ".goalbook-cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "store.sqlite3").stat().st_mode) == 0o600
    assert not (folder / "history.json").exists()  # no second file of its own
    # Another process, where reading any version of a file fails: the words come from the store.
    code = textwrap.dedent("""
        import sys
        from goalbook.history import audit, gitrepo
        from goalbook.incremental.session import KeptInStore
        def no_reading(*args, **kwargs):
            raise AssertionError("read blobs although every commit is kept in the store")
        gitrepo.read_blobs = no_reading
        for e in audit.client_history(sys.argv[1], "ana-r", trail=audit.AuditTrail(KeptInStore())):
            print(e.message, "|", "; ".join(e.changes))
    """)
    run = subprocess.run([sys.executable, "-c", code, str(story)], check=False, capture_output=True, text=True,
                         env={**os.environ, "GOALBOOK_NO_CACHE": ""})
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [f"{e.message} | {'; '.join(e.changes)}" for e in first]
    assert "Remove a session entered twice | session 2025-10-20 removed" in run.stdout.splitlines()


def test_the_old_history_json_is_removed(story):
    folder = story / ".goalbook-cache"
    folder.mkdir(mode=0o700, exist_ok=True)
    (folder / "history.json").write_text('{"version": 2, "commits": {}}', encoding="utf-8")
    audit.client_history(story, "ana-r", trail=audit.AuditTrail(KeptInStore()))
    assert not (folder / "history.json").exists()


@pytest.mark.parametrize("damage", ["garbage", "foreign rows", "not a file"])
def test_a_damaged_store_gives_the_same_history(story, damage):
    fresh = audit.client_history(story, "ana-r", trail=audit.AuditTrail(KeptInStore()))
    store = story / ".goalbook-cache" / "store.sqlite3"
    if damage == "garbage":
        store.write_bytes(b"SQLite format 3\x00" + b"\xff" * 300)
    elif damage == "foreign rows":
        db = sqlite3.connect(store)
        db.execute("UPDATE audit SET state = ?", (json.dumps({"clients": {"ana-r": "not a list"}, "renames": []}),))
        db.execute("INSERT OR REPLACE INTO audit VALUES ('practice/', 'abc', '[[[[')")
        db.commit()
        db.close()
    else:
        store.unlink()
        store.mkdir()
    assert audit.client_history(story, "ana-r", trail=audit.AuditTrail(KeptInStore())) == fresh


def test_repo_state_lists_uncommitted_files_practice_relative(story):
    state = audit.repo_state(story)
    assert state.is_repo and state.dirty == () and len(state.commit) == 40
    write(story, "clients/ana-r/goals.yaml", GOALS_V1)
    write(story, "clients/ana-r/sessions/2026-01-05.yaml", SESSION.format(date="2026-01-05"))
    write(story, "_book/index.html", "<p>built</p>")
    write(story.parent, "outside.txt", "not the practice")
    state = audit.repo_state(story)
    assert state.dirty == ("clients/ana-r/goals.yaml", "clients/ana-r/sessions/2026-01-05.yaml")
    assert audit.client_dirty(state, "ana-r") == state.dirty
    assert audit.client_dirty(state, "ben-t") == ()


def test_outside_git_there_is_no_trail_and_no_error(make_practice, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_practice({"clients/ab/client.yaml": CLIENT.format(id="ab")})
    assert audit.repo_state(root) == audit.RepoState(is_repo=False)
    assert audit.client_history(root, "ab") == []
    assert "not in a git repository" in gitrepo.why_not_repo(root)


def test_git_missing_is_no_repository(make_practice, monkeypatch):
    root = make_practice()
    monkeypatch.setenv("PATH", "/nonexistent")
    assert audit.repo_state(root).is_repo is False
    assert "git is not installed" in gitrepo.why_not_repo(root)


def test_a_repository_without_commits(tmp_path):
    git(tmp_path, "init", "-q", str(tmp_path / "p"))
    write(tmp_path / "p", "goalbook.yaml", SETTINGS)
    state = audit.repo_state(tmp_path / "p")
    assert state.is_repo and state.commit is None and state.dirty == ("goalbook.yaml",)
    assert audit.client_history(tmp_path / "p", "ana-r") == []


def test_goal_words_for_every_field_kind():
    old = {"goals": [{"id": "g", "title": "Old", "status": "active", "target": "50% lower", "baseline": 8,
                      "target_date": "2026-01-31", "measure": {"type": "rating"},
                      "steps": [{"id": "walk", "action": "Walk", "times": 5, "per": "week"},
                                {"id": "gone", "action": "x", "times": 1, "per": "day"}]},
                     {"id": "dropped", "title": "Dropped"}]}
    new = {"goals": [{"id": "g", "title": "New", "status": "achieved", "target": "60% lower", "baseline": 8.0,
                      "measure": {"type": "questionnaire", "instrument": "gad7"}, "own_words": "mine",
                      "steps": [{"id": "walk", "action": "Walk", "times": 1, "per": "day"},
                                {"id": "journal", "action": "Write three lines", "times": 1, "per": "day"}]}]}
    assert audit_words.goal_changes(old, new) == [
        "goal 'dropped' removed",
        "goal 'g': title changed to 'New'",
        "goal 'g': status active → achieved",
        "goal 'g': target 50% lower → 60% lower",
        "goal 'g': target date removed",
        "goal 'g': measure rating → questionnaire",
        "goal 'g': own words added",
        "goal 'g': step 'journal' added: Write three lines (1 time a day)",
        "goal 'g': step 'gone' removed",
        "goal 'g': walk: 5 times a week → 1 time a day",
    ]


def test_many_sessions_added_in_one_commit_read_as_one_line():
    from goalbook.history.audit import summarise_sessions

    words = ["client record created"] + [f"session 2025-10-{d:02d} added" for d in (6, 13, 20, 27)]
    assert summarise_sessions(words) == ["client record created", "4 sessions added (2025-10-06 to 2025-10-27)"]
    # three or fewer stay listed one by one
    assert summarise_sessions(words[:4]) == words[:4]


def test_dot_files_are_not_records_in_the_history(tmp_path):
    # `goalbook new client` writes sessions/.gitkeep so git keeps the empty folder; an editor may
    # leave a swap file. Neither is part of the record: the trail says nothing about them.
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    write(repo, "goalbook.yaml", SETTINGS)
    write(repo, "clients/ana-r/client.yaml", CLIENT.format(id="ana-r"))
    write(repo, "clients/ana-r/sessions/.gitkeep", "")
    commit(repo, "New client Ana", MAYA, "2025-10-06T09:00:00+00:00")
    write(repo, "clients/ana-r/sessions/.2025-10-13.yaml.swp", "date: 2025-10-13\n")
    commit(repo, "Editor leftovers", JONAS, "2025-10-13T09:00:00+00:00")
    (repo / "clients/ana-r/sessions/.2025-10-13.yaml.swp").unlink()
    (repo / "clients/ana-r/sessions/.gitkeep").unlink()
    write(repo, "clients/ana-r/sessions/2025-10-13.yaml", SESSION.format(date="2025-10-13"))
    commit(repo, "First session", MAYA, "2025-10-13T18:00:00+00:00")
    entries = audit.client_history(repo, "ana-r")
    assert [(e.message, e.changes) for e in entries] == [
        ("First session", ("session 2025-10-13 added",)),
        ("New client Ana", ("client record created",)),
    ]


def test_a_dot_file_renamed_to_a_session_reads_as_the_session_added():
    assert audit_words.describe_file("sessions/.draft.yaml", "sessions/2025-10-13.yaml", None, None,
                                     unchanged=True) == ["session 2025-10-13 added"]
    assert audit_words.describe_file("sessions/2025-10-13.yaml", "sessions/.old.yaml", None, None,
                                     unchanged=True) == ["session 2025-10-13 removed"]
    assert audit_words.describe_file(None, "sessions/.gitkeep", None, None) == []
    assert not audit_words.is_record("clients/ana-r/sessions/.2025-10-13.yaml")


def test_a_session_keeps_what_commits_meant_between_builds(story, monkeypatch):
    from goalbook.build import audit_state
    from goalbook.incremental.session import Session

    session = Session(story)
    try:
        _, first = audit_state(story, "HEAD", False, session)
        assert len(first("ana-r")) == 7
        write(story, "clients/ana-r/sessions/2025-12-08.yaml", SESSION.format(date="2025-12-08"))
        commit(story, "Session of 8 December", MAYA, "2025-12-08T18:00:00+00:00")

        def no_store(*args, **kwargs):
            raise AssertionError("read the store again although the session keeps what it read")

        monkeypatch.setattr(KeptInStore, "load", no_store)
        _, second = audit_state(story, "HEAD", False, session)
        assert [e.message for e in second("ana-r")][:1] == ["Session of 8 December"]
        assert second("ana-r")[0].changes == ("session 2025-12-08 added",)
        assert len(second("ana-r")) == 8
    finally:
        session.close()
