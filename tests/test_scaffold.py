"""`goalbook init` and `goalbook new client|goal|session`: never overwrite, files that check clean,
modelines that resolve, a git repository with a working pre-commit hook."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from goalbook import scaffold
from goalbook.cli import main
from goalbook.records.load import load_practice
from goalbook.resources import data_dir

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")
SCHEMAS = ("client", "goals", "instrument", "practice", "session")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    # A practice made by `init` has no `today:`; SOURCE_DATE_EPOCH fixes it (2026-03-31 12:00 UTC).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1774958400")


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (including .git) with its bytes and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def yaml_files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*.yaml")) if ".git" not in p.parts]


# --- init -------------------------------------------------------------------------------------


def test_init_writes_the_practice_skeleton(tmp_path):
    folder = tmp_path / "riverside-counselling"
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    for rel in ("goalbook.yaml", "clients/.gitkeep", "instruments/README.md", ".gitignore",
                ".vscode/settings.json", ".vscode/extensions.json"):
        assert (folder / rel).is_file(), rel
        assert f"wrote {rel}" in result.output
    assert 'name: "Riverside Counselling"' in (folder / "goalbook.yaml").read_text()
    for kind in SCHEMAS:  # byte-for-byte copies of goalbook's own schemas
        copy = folder / "schemas" / f"{kind}.schema.json"
        assert copy.read_bytes() == (data_dir("schemas") / f"{kind}.schema.json").read_bytes()
    ignored = (folder / ".gitignore").read_text().splitlines()
    assert "_book/" in ignored and ".goalbook-cache/" in ignored
    assert "next: " in result.output and "goalbook new client CLIENT-ID" in result.output


def test_init_editor_settings_map_every_schema_to_its_files(tmp_path):
    run("init", str(tmp_path / "p"))
    settings = json.loads((tmp_path / "p/.vscode/settings.json").read_text())["yaml.schemas"]
    assert settings == {
        "./schemas/practice.schema.json": ["goalbook.yaml"],
        "./schemas/client.schema.json": ["clients/*/client.yaml"],
        "./schemas/goals.schema.json": ["clients/*/goals.yaml"],
        "./schemas/session.schema.json": ["clients/*/sessions/*.yaml"],
        "./schemas/instrument.schema.json": ["instruments/*.yaml"],
    }
    for schema in settings:
        assert (tmp_path / "p" / schema).is_file()
    extensions = json.loads((tmp_path / "p/.vscode/extensions.json").read_text())
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]


def test_init_twice_changes_nothing(tmp_path):
    folder = tmp_path / "p"
    assert run("init", str(folder)).exit_code == 0
    before = snapshot(folder)
    second = run("init", str(folder))
    assert second.exit_code == 0, second.output
    assert snapshot(folder) == before  # same files, same bytes, same modification times
    assert "wrote" not in second.output
    assert "kept  goalbook.yaml" in second.output


def test_init_into_the_current_folder_by_default(tmp_path):
    folder = tmp_path / "here"
    folder.mkdir()
    result = run("init", cwd=folder)
    assert result.exit_code == 0, result.output
    assert (folder / "goalbook.yaml").is_file()
    # No `cd` needed; first the placeholder clinician, which every new client copies.
    assert ("next: put your name and initials (the clinician id, e.g. mk) in goalbook.yaml, "
            "then goalbook new client CLIENT-ID") in result.output


def test_init_never_overwrites_existing_files(tmp_path):
    folder = tmp_path / "p"
    mine = {
        "goalbook.yaml": b"name: My own settings\nclinicians: [{id: ab, name: A B}]\n",
        ".gitignore": b"secret/\n",
        "schemas/session.schema.json": b"{}\n",
        ".vscode/settings.json": b'{"editor.tabSize": 4}\n',
    }
    for rel, data in mine.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    for rel, data in mine.items():
        assert (folder / rel).read_bytes() == data
        assert f"kept  {rel}" in result.output
    assert (folder / "schemas/client.schema.json").is_file()  # the missing ones are still written


def test_init_refuses_a_file_as_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    result = run("init", str(tmp_path / "notes.txt"))
    assert result.exit_code == 2
    assert (tmp_path / "notes.txt").read_text() == "x"


@needs_git
def test_init_makes_a_repository_with_an_executable_hook(tmp_path):
    folder = tmp_path / "p"
    result = run("init", str(folder))
    assert (folder / ".git").is_dir()
    hook = folder / ".git/hooks/pre-commit"
    assert hook.is_file() and os.access(hook, os.X_OK)
    assert "goalbook check" in hook.read_text()
    assert "wrote .git/hooks/pre-commit" in result.output


@needs_git
def test_the_hook_blocks_a_commit_of_broken_records(tmp_path):
    folder = tmp_path / "p"
    run("init", str(folder))
    hook = folder / ".git/hooks/pre-commit"
    clean = subprocess.run([str(hook)], cwd=folder, capture_output=True, check=False)
    assert clean.returncode == 0, clean.stderr
    (folder / "goalbook.yaml").write_text("name: Broken\n")  # clinicians missing: an error
    subprocess.run(["git", "-C", str(folder), "add", "goalbook.yaml"], check=True)  # the hook checks the index
    broken = subprocess.run([str(hook)], cwd=folder, capture_output=True, check=False)
    assert broken.returncode == 1
    assert b"goalbook.yaml" in broken.stdout + broken.stderr


@needs_git
def test_init_no_hook(tmp_path):
    run("init", str(tmp_path / "p"), "--no-hook")
    assert (tmp_path / "p/.git").is_dir()
    assert not (tmp_path / "p/.git/hooks/pre-commit").exists()


@needs_git
def test_init_keeps_an_existing_hook_and_says_so(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    hook = folder / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    result = run("init", str(folder))
    assert result.exit_code == 0
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    assert "already exists and was left alone" in result.output


@needs_git
def test_init_inside_a_repository_adds_no_second_one(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    folder = tmp_path / "records" / "practice"
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    assert not (folder / ".git").exists()
    hook = (tmp_path / ".git/hooks/pre-commit").read_text()
    assert "practice=records/practice\n" in hook  # checked from the top of the repository


def test_init_without_git_skips_it_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(scaffold.shutil, "which", lambda name: None)
    result = run("init", str(tmp_path / "p"))
    assert result.exit_code == 0
    assert not (tmp_path / "p/.git").exists()
    assert "git is not installed" in result.output


def test_practice_name_from_folder():
    assert scaffold.practice_name(Path("riverside-counselling")) == "Riverside Counselling"
    assert scaffold.practice_name(Path("my_practice.2026")) == "My Practice 2026"


# --- new: a fresh practice end to end ------------------------------------------------------------


@pytest.fixture
def fresh(tmp_path) -> Path:
    folder = tmp_path / "p"
    assert run("init", str(folder), "--no-hook").exit_code == 0
    return folder


def test_init_then_new_client_goal_session_passes_check(fresh):
    for args in (("new", "client", "ana-r"), ("new", "goal", "ana-r"), ("new", "session", "ana-r")):
        result = run(*args, "--practice", str(fresh))
        assert result.exit_code == 0, result.output
        assert "wrote " in result.output and "next: " in result.output
    assert (fresh / "clients/ana-r/sessions/2026-03-31.yaml").is_file()
    check = run("check", str(fresh))
    assert check.exit_code == 0, check.output
    practice, _ = load_practice(fresh)
    client = practice.client("ana-r")
    assert [g.id for g in client.goals] == ["goal-1"]
    assert client.goals[0].status == "proposed"
    assert [(s.date, s.kind) for s in client.sessions] == [(date(2026, 3, 31), "intake")]


def test_every_written_yaml_file_has_a_modeline_that_resolves(fresh):
    run("new", "client", "ana-r", "--practice", str(fresh))
    run("new", "goal", "ana-r", "--practice", str(fresh))
    run("new", "session", "ana-r", "--practice", str(fresh))
    files = yaml_files(fresh)
    assert len(files) == 4  # goalbook.yaml, client.yaml, goals.yaml, one session
    for path in files:
        text = path.read_text()
        found = MODELINE.match(text)
        assert found, path
        target = (path.parent / found.group(1)).resolve()
        assert target.is_file(), (path, found.group(1))
        assert target.name == {"goalbook.yaml": "practice", "client.yaml": "client", "goals.yaml": "goals"}.get(
            path.name, "session") + ".schema.json"


def test_new_finds_the_practice_by_walking_up(fresh):
    (fresh / "clients").mkdir(exist_ok=True)
    result = run("new", "client", "ben-t", cwd=fresh / "clients")
    assert result.exit_code == 0, result.output
    assert (fresh / "clients/ben-t/client.yaml").is_file()


def test_new_outside_a_practice_says_how_to_start(tmp_path):
    result = run("new", "client", "ana-r", cwd=tmp_path)
    assert result.exit_code == 2
    assert "goalbook init" in result.output


@pytest.mark.parametrize("bad", ["Ana R", "ana_r", "../etc", "ana.r", "a" * 41, "ÄNA"])
def test_new_client_refuses_a_bad_id(fresh, bad):
    result = run("new", "client", bad, "--practice", str(fresh))
    assert result.exit_code == 2
    assert "is not a valid client id" in result.output
    assert [p.name for p in (fresh / "clients").iterdir()] == [".gitkeep"]  # nothing created


def test_bad_id_suggests_a_slug(fresh):
    result = run("new", "client", "Ana R", "--practice", str(fresh))
    assert "e.g. ana-r" in result.output


def test_new_client_never_overwrites(fresh):
    run("new", "client", "ana-r", "--practice", str(fresh))
    path = fresh / "clients/ana-r/client.yaml"
    path.write_text(path.read_text().replace('name: "ana-r"', 'name: "Ana R."'))
    before = snapshot(fresh / "clients")
    result = run("new", "client", "ana-r", "--practice", str(fresh))
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert snapshot(fresh / "clients") == before


def test_new_client_with_name_and_unknown_clinician(fresh):
    result = run("new", "client", "ana-r", "--name", 'Ana "R."', "--clinician", "zz", "--practice", str(fresh))
    assert result.exit_code == 2 and "no clinician 'zz'" in result.output
    result = run("new", "client", "ana-r", "--name", 'Ana "R."', "--practice", str(fresh))
    assert result.exit_code == 0
    practice, _ = load_practice(fresh)
    assert practice.client("ana-r").name == 'Ana "R."'  # quoted safely in the YAML
    assert practice.client("ana-r").clinician == "me"


# --- new goal ---------------------------------------------------------------------------------

SETTINGS = """\
name: Test Practice
clinicians:
  - id: tc
    name: Test Clinician
today: 2026-03-31
"""
CLIENT = """\
id: ana-r
name: Ana R.
clinician: tc
start_date: 2026-01-05
status: active
focus_areas:
  - {id: work-anxiety, name: Work anxiety, priority: 1}
questionnaires:
  - {instrument: gad7, every_weeks: 2}
  - {instrument: phq9, every_weeks: 4}
"""
GOALS = """\
# My own comment, kept exactly.
goals:
    # indented four, with a comment
    - id: presentations
      title: Present at the team meeting   # trailing comment
      status: active
      set_date: 2026-01-12
      measure: {type: rating, label: Anxiety, min: 0, max: 10}
      baseline: 8
      target: 50% lower
      steps:
        - {id: box-breathing, action: Box breathing, times: 3, per: week}
    - id: later
      title: A goal for later
      status: proposed
      set_date: 2026-03-02
      steps:
        - {id: journal, action: Journal, times: 1, per: day}
"""


@pytest.fixture
def practice(make_practice) -> Path:
    return make_practice({
        "goalbook.yaml": SETTINGS,
        "clients/ana-r/client.yaml": CLIENT,
        "clients/ana-r/goals.yaml": GOALS,
        # GAD-7 given 14 days before 2026-03-31 (due again: 14 ≥ 2 weeks); PHQ-9 too (not due: 14 < 28).
        "clients/ana-r/sessions/2026-03-17.yaml": """\
            date: 2026-03-17
            kind: session
            questionnaires:
              gad7: [1, 1, 1, 1, 1, 1, 1]
              phq9: [1, 1, 1, 1, 1, 1, 1, 0, 0]
            """,
        "clients/ana-r/sessions/2026-03-24.yaml": "date: 2026-03-24\nkind: did-not-attend\n",
    })


def test_new_goal_appends_without_touching_existing_text(practice):
    path = practice / "clients/ana-r/goals.yaml"
    old = path.read_bytes()
    result = run("new", "goal", "ana-r", "--id", "walking", "--title", "Walk: 30 minutes # daily",
                 "--practice", str(practice))
    assert result.exit_code == 0, result.output
    new = path.read_bytes()
    assert new.startswith(old)
    added = new[len(old):].decode()
    assert "\n    - id: walking\n" in added  # the list's own indentation
    loaded, problems = load_practice(practice)
    assert not [p for p in problems if p.is_error]
    goals = loaded.client("ana-r").goals
    assert [g.id for g in goals] == ["presentations", "later", "walking"]
    assert goals[-1].title == "Walk: 30 minutes # daily"
    assert goals[-1].status == "proposed" and goals[-1].set_date == date(2026, 3, 31)


def test_new_goal_numbers_ids_and_refuses_a_taken_one(practice):
    assert run("new", "goal", "ana-r", "--practice", str(practice)).exit_code == 0
    assert run("new", "goal", "ana-r", "--practice", str(practice)).exit_code == 0
    loaded, _ = load_practice(practice)
    assert [g.id for g in loaded.client("ana-r").goals][-2:] == ["goal-1", "goal-2"]
    before = (practice / "clients/ana-r/goals.yaml").read_bytes()
    result = run("new", "goal", "ana-r", "--id", "presentations", "--practice", str(practice))
    assert result.exit_code == 2 and "already has a goal 'presentations'" in result.output
    assert "goal-3" in result.output
    assert (practice / "clients/ana-r/goals.yaml").read_bytes() == before


def test_new_goal_creates_a_missing_goals_file(practice):
    (practice / "clients/ana-r/goals.yaml").unlink()
    assert run("new", "goal", "ana-r", "--practice", str(practice)).exit_code == 0
    text = (practice / "clients/ana-r/goals.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/goals.schema.json\n")
    loaded, _ = load_practice(practice)
    assert [g.id for g in loaded.client("ana-r").goals] == ["goal-1"]


def test_new_goal_after_an_empty_flow_list_changes_only_that_line(practice):
    path = practice / "clients/ana-r/goals.yaml"
    path.write_text("# first line\ngoals: []   # none yet\n")
    result = run("new", "goal", "ana-r", "--practice", str(practice))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith("# first line\ngoals:  # none yet\n")
    loaded, _ = load_practice(practice)
    assert [g.id for g in loaded.client("ana-r").goals] == ["goal-1"]


@pytest.mark.parametrize("old", [
    b"goals:\r\n  - {id: a, title: A, status: active, set_date: 2026-01-05}\r\n",  # Windows line ends
    b"goals:\n  - {id: a, title: A, status: active, set_date: 2026-01-05}",  # no newline at the end
    b"goals: []\r\n",
])
def test_new_goal_in_unusual_files(practice, old):
    path = practice / "clients/ana-r/goals.yaml"
    path.write_bytes(old)
    result = run("new", "goal", "ana-r", "--id", "new-one", "--practice", str(practice))
    assert result.exit_code == 0, result.output
    new = path.read_bytes()
    if b"[]" not in old:
        assert new.startswith(old)
    if b"\r\n" in old:
        assert new.count(b"\n") == new.count(b"\r\n")  # still Windows line ends throughout
    loaded, problems = load_practice(practice)
    assert not [p for p in problems if p.is_error]
    assert [g.id for g in loaded.client("ana-r").goals][-1] == "new-one"


def test_new_goal_refuses_when_appending_would_not_be_safe(practice):
    path = practice / "clients/ana-r/goals.yaml"
    path.write_text("goals: [{id: a, title: A, status: active, set_date: 2026-01-05}]\n")
    before = path.read_bytes()
    result = run("new", "goal", "ana-r", "--practice", str(practice))
    assert result.exit_code == 2
    assert path.read_bytes() == before


def test_new_goal_refuses_while_the_client_files_have_errors(practice):
    path = practice / "clients/ana-r/goals.yaml"
    path.write_text(GOALS.replace("status: proposed", "status: maybe"))
    before = path.read_bytes()
    result = run("new", "goal", "ana-r", "--practice", str(practice))
    assert result.exit_code == 2
    assert "clients/ana-r/goals.yaml:" in result.output and "nothing was written" in result.output
    assert path.read_bytes() == before


# --- new session ------------------------------------------------------------------------------


def test_new_session_lists_what_is_due(practice):
    result = run("new", "session", "ana-r", "--practice", str(practice))
    assert result.exit_code == 0, result.output
    text = (practice / "clients/ana-r/sessions/2026-03-31.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/session.schema.json\n")
    assert "\nkind: session " in text  # not the first session, so not an intake
    assert "# gad7: [~, ~, ~, ~, ~, ~, ~] " in text  # seven GAD-7 items
    assert "phq9:" not in text
    assert "# presentations: ~ " in text and "baseline 8, target 50% lower" in text
    assert "# box-breathing: ~ " in text and "3 times a week" in text
    assert "later:" not in text and "journal:" not in text  # a proposed goal is not measured yet
    # The did-not-attend on 24 March was no contact: homework counts since the 17th.
    assert "since the last contact (2026-03-17, 14 days ago)" in text


def test_a_filled_in_session_loads(practice):
    run("new", "session", "ana-r", "--practice", str(practice))
    path = practice / "clients/ana-r/sessions/2026-03-31.yaml"
    text = path.read_text()
    text = text.replace("# gad7: [~, ~, ~, ~, ~, ~, ~]", "gad7: [0, 1, 0, 1, 0, 1, 0]")
    text = text.replace("# presentations: ~", "presentations: 4").replace("# box-breathing: ~", "box-breathing: 3")
    text = text.replace("notes: |\n", "notes: |\n  Went well.\n", 1)
    path.write_text(text)
    assert run("check", str(practice)).exit_code == 0
    loaded, _ = load_practice(practice)
    session = loaded.client("ana-r").sessions[-1]
    assert session.administrations[0].answers == (0, 1, 0, 1, 0, 1, 0)
    assert session.measurements == {"presentations": 4}
    assert session.homework == {"box-breathing": 3}
    assert session.notes == "Went well.\n"


def test_questionnaires_due_rule():
    from goalbook.records.model import Administration, Client, Schedule, Session

    def given(day: str, instrument: str) -> Session:
        when = date.fromisoformat(day)
        return Session(when, "session", f"{day}.yaml", administrations=(Administration(instrument, when, total=5),))

    client = Client("x", "X", "tc", date(2026, 1, 1), "active", "clients/x",
                    questionnaires=(Schedule("gad7", 2), Schedule("phq9", 4), Schedule("core10", 1)))
    client.sessions = [given("2026-03-17", "gad7"), given("2026-03-04", "phq9"), given("2026-03-18", "gad7")]
    due = lambda on: [line.line.split(":")[0] for line in scaffold.questionnaires_due(client, {}, on)]
    # gad7 last given 03-18: due from 04-01 (14 days). phq9 last 03-04: due from 04-01 (28 days).
    # core10 never given: always due.
    assert due(date(2026, 3, 31)) == ["core10"]
    assert due(date(2026, 4, 1)) == ["gad7", "phq9", "core10"]
    # Looking back: on 03-17 only what had been given by then counts (03-17 itself included).
    assert due(date(2026, 3, 17)) == ["core10"]


def test_first_session_is_an_intake_and_dna_has_nothing_to_record(practice):
    for f in (practice / "clients/ana-r/sessions").iterdir():
        f.unlink()
    run("new", "session", "ana-r", "--date", "2026-01-05", "--practice", str(practice))
    assert "\nkind: intake " in (practice / "clients/ana-r/sessions/2026-01-05.yaml").read_text()
    run("new", "session", "ana-r", "--date", "2026-01-12", "--kind", "did-not-attend", "--practice", str(practice))
    text = (practice / "clients/ana-r/sessions/2026-01-12.yaml").read_text()
    assert "questionnaires:" not in text and "homework:" not in text
    assert run("check", str(practice)).exit_code == 0


def test_new_session_never_overwrites_and_offers_the_next_free_name(practice):
    path = practice / "clients/ana-r/sessions/2026-03-17.yaml"
    before = path.read_bytes()
    result = run("new", "session", "ana-r", "--date", "2026-03-17", "--kind", "check-in", "--practice", str(practice))
    assert result.exit_code == 2
    assert path.read_bytes() == before
    assert "--slug check-in" in result.output and "2026-03-17-check-in.yaml" in result.output
    result = run("new", "session", "ana-r", "--date", "2026-03-17", "--kind", "check-in", "--slug", "check-in",
                 "--practice", str(practice))
    assert result.exit_code == 0, result.output
    assert (practice / "clients/ana-r/sessions/2026-03-17-check-in.yaml").is_file()
    assert run("check", str(practice)).exit_code == 0


def test_next_free_slug_counts_up(tmp_path):
    (tmp_path / "2026-03-17.yaml").write_text("")
    (tmp_path / "2026-03-17-2.yaml").write_text("")
    assert scaffold.free_slug(tmp_path, date(2026, 3, 17), "session") == "3"


def test_new_session_refuses_a_future_date_and_an_unknown_client(practice):
    result = run("new", "session", "ana-r", "--date", "2026-04-01", "--practice", str(practice))
    assert result.exit_code == 2 and "after today" in result.output
    result = run("new", "session", "ana-s", "--practice", str(practice))
    assert result.exit_code == 2 and "did you mean ana-r?" in result.output
    result = run("new", "session", "ana-r", "--date", "31/03/2026", "--practice", str(practice))
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    assert sorted(p.name for p in (practice / "clients/ana-r/sessions").iterdir()) == [
        "2026-03-17.yaml", "2026-03-24.yaml"]


def test_example_practice_modelines_point_at_the_repository_schemas():
    example = Path(__file__).resolve().parent.parent / "example-practice"
    folder = example / "clients/ana-r/sessions"
    assert scaffold.schemas_ref(example, folder) == "../../../../schemas"


def test_yaml_text_quotes_safely():
    import yaml

    for value in ["no", "14:30", 'say "hi"', "a: b # c", "ünïcode", "back\\slash"]:
        assert yaml.safe_load(f"k: {scaffold.yaml_text(value)}") == {"k": value}


# --- Rough edges met by a first-time user -----------------------------------------------------


def test_init_asks_for_your_name_until_the_placeholder_is_replaced(tmp_path):
    folder = tmp_path / "p"
    first = run("init", str(folder))
    assert "put your name and initials" in first.output
    settings = folder / "goalbook.yaml"
    loaded, _ = load_practice(folder)
    assert loaded.clinicians["me"].name == scaffold.PLACEHOLDER_CLINICIAN  # the line the hint is about
    settings.write_text(settings.read_text().replace("id: me ", "id: mk ").replace('"Your name"', "Maya Keller"))
    again = run("init", str(folder))
    assert "put your name" not in again.output
    assert "goalbook new client CLIENT-ID" in again.output


def test_a_session_written_up_later_leaves_out_goals_set_after_it(practice):
    # `presentations` was set on 2026-01-12: a session on 2026-01-05 cannot have measured it.
    result = run("new", "session", "ana-r", "--date", "2026-01-05", "--practice", str(practice))
    assert result.exit_code == 0, result.output
    text = (practice / "clients/ana-r/sessions/2026-01-05.yaml").read_text()
    assert "presentations:" not in text and "box-breathing:" not in text
    assert "# no active goals" in text and "# none due on" not in text  # GAD-7 and PHQ-9 never given: due
    result = run("new", "session", "ana-r", "--date", "2026-01-12", "--practice", str(practice))
    text = (practice / "clients/ana-r/sessions/2026-01-12.yaml").read_text()
    assert "# presentations: ~ " in text  # set that day: measured from then on
    checked = run("check", str(practice))
    assert checked.exit_code == 0 and "only set on" not in checked.output


def test_new_session_says_the_date_and_days_since_the_last_contact(practice):
    # GAD-7 (every 2 weeks) and PHQ-9 (every 4) were given on 03-17: on 03-20 neither is due.
    run("new", "session", "ana-r", "--date", "2026-03-20", "--practice", str(practice))
    text = (practice / "clients/ana-r/sessions/2026-03-20.yaml").read_text()
    assert "# none due on 2026-03-20 (gad7 every 2 weeks, phq9 every 4 weeks)" in text
    assert "since the last contact (2026-03-17, 3 days ago)" in text
    assert "keep the # on a line you did not measure" in text


def test_new_session_for_a_referred_client_says_to_set_status_active(practice):
    path = practice / "clients/ana-r/client.yaml"
    path.write_text(path.read_text().replace("status: active", "status: referred"))
    result = run("new", "session", "ana-r", "--date", "2026-03-30", "--practice", str(practice))
    assert result.exit_code == 0, result.output
    assert "still `status: referred`" in result.output and "status: active" in result.output
    path.write_text(path.read_text().replace("status: referred", "status: active"))
    result = run("new", "session", "ana-r", "--date", "2026-03-31", "--practice", str(practice))
    assert "status: referred" not in result.output


# --- The hook checks what is being committed ------------------------------------------------------


def _commit(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=Robin Vale", "-c",
                           "user.email=robin@example.invalid", "-c", "commit.gpgsign=false", "commit", "-q", *args],
                          capture_output=True, text=True, check=False, env={**os.environ, **(env or {})})


@pytest.fixture
def committed(tmp_path):
    folder = tmp_path / "p"
    run("init", str(folder))
    subprocess.run(["git", "-C", str(folder), "add", "-A"], check=True)
    first = _commit(folder, "-m", "Start")
    assert first.returncode == 0, first.stderr
    return folder


@needs_git
def test_a_broken_file_staged_then_fixed_only_in_the_editor_is_refused(committed):
    settings = committed / "goalbook.yaml"
    good = settings.read_text()
    settings.write_text("name: Broken\n")  # clinicians missing: an error
    subprocess.run(["git", "-C", str(committed), "add", "goalbook.yaml"], check=True)
    settings.write_text(good)  # fixed in the editor, not staged: the broken one would be committed
    done = _commit(committed, "-m", "Broken settings")
    assert done.returncode != 0 and "goalbook.yaml" in done.stdout + done.stderr
    staged = subprocess.run(["git", "-C", str(committed), "diff", "--cached", "--name-only"],
                            capture_output=True, text=True, check=True).stdout
    assert "goalbook.yaml" in staged  # nothing was committed


@needs_git
def test_a_good_file_staged_while_the_editor_holds_a_broken_draft_is_committed(committed):
    settings = committed / "goalbook.yaml"
    settings.write_text(settings.read_text() + "# a comment\n")
    subprocess.run(["git", "-C", str(committed), "add", "goalbook.yaml"], check=True)
    settings.write_text("name: Broken\n")  # a draft in the editor, not staged
    done = _commit(committed, "-m", "A comment")
    assert done.returncode == 0, done.stdout + done.stderr
    assert settings.read_text() == "name: Broken\n"  # the draft is untouched
    assert list((committed / ".git").glob("goalbook-commit.*")) == []  # the index's copy is removed


@needs_git
def test_a_hook_whose_goalbook_is_gone_stops_the_commit_and_says_how_to_repair_it(committed, tmp_path):
    hook = committed / ".git/hooks/pre-commit"
    hook.write_text(hook.read_text().replace(sys.executable, str(tmp_path / "gone" / "python")))
    (committed / "clients" / "note.txt").write_text("x")
    subprocess.run(["git", "-C", str(committed), "add", "-A"], check=True)
    no_goalbook = {"PATH": os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                           if not (Path(p) / "goalbook").exists())}
    done = _commit(committed, "-m", "Unchecked", env=no_goalbook)
    assert done.returncode != 0
    assert "goalbook init" in done.stderr and "--no-verify" in done.stderr
    # `goalbook init` renews its own earlier hook
    result = run("init", str(committed))
    assert result.exit_code == 0 and "renewed" in result.output
    assert sys.executable in hook.read_text()


def test_new_goal_revises_an_existing_goal(practice):
    result = run("new", "goal", "ana-r", "--id", "smaller-meeting", "--revises", "presentations",
                 "--practice", str(practice))
    assert result.exit_code == 0, result.output
    assert "the goal 'presentations' it revises is still 'active'" in result.output
    loaded, problems = load_practice(practice)
    assert not [p for p in problems if p.is_error]
    assert loaded.client("ana-r").goal("smaller-meeting").revises == "presentations"
    # Without --revises the line is there, commented out, for the therapist to fill in.
    assert run("new", "goal", "ana-r", "--id", "plain", "--practice", str(practice)).exit_code == 0
    assert "    # revises: goal-id" in (practice / "clients/ana-r/goals.yaml").read_text()
    before = (practice / "clients/ana-r/goals.yaml").read_bytes()
    result = run("new", "goal", "ana-r", "--revises", "nothing-like-it", "--practice", str(practice))
    assert result.exit_code == 2 and "has no goal 'nothing-like-it'" in result.output
    assert (practice / "clients/ana-r/goals.yaml").read_bytes() == before


def test_new_session_shows_every_gas_level_in_words(practice):
    goals = practice / "clients/ana-r/goals.yaml"
    goals.write_text(goals.read_text() + """\
    - id: speak-up
      title: Speak up in the weekly meeting
      status: active
      set_date: 2026-03-02
      measure:
        type: gas
        levels:
          much_less: Says nothing all week
          less: Speaks once when asked
          expected: Offers one idea unasked
          more: Offers ideas in two meetings
          much_more: Leads an agenda item
      baseline: -1
""")
    assert run("new", "session", "ana-r", "--practice", str(practice)).exit_code == 0
    text = (practice / "clients/ana-r/sessions/2026-03-31.yaml").read_text()
    lines = [line.split("#")[-1].strip() for line in text.splitlines() if "speak-up" in line or "#   " in line]
    assert lines == ["GAS level, one of:", "+2 Leads an agenda item", "+1 Offers ideas in two meetings",
                     "0 Offers one idea unasked", "−1 Speaks once when asked", "−2 Says nothing all week"]
