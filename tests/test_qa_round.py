"""What a new user ran into trying goalbook end to end: each mistake one clear message, no traceback,
nothing half-written."""

from __future__ import annotations

from click.testing import CliRunner

from goalbook.cli import main

SETTINGS = """\
name: Test Practice
clinicians:
  - id: tc
    name: Test Clinician
today: 2026-03-31
safety_message: "If you are thinking of harming yourself, call your GP today, or 999 in an emergency."
"""
CLIENT = """\
id: ab
name: A. B.
clinician: tc
start_date: 2026-01-05
status: active
questionnaires:
  - instrument: gad7
    every_weeks: 2
"""
FIRST = """\
date: 2026-01-05
kind: intake
questionnaires:
  gad7: [3, 3, 2, 3, 2, 2, 3]
"""


def practice_with_a_client(make_practice, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return make_practice({"goalbook.yaml": SETTINGS, "clients/ab/client.yaml": CLIENT,
                          "clients/ab/sessions/2026-01-05.yaml": FIRST})


def run(root, *args):
    return CliRunner().invoke(main, [*args, "--practice", str(root)])


def test_form_into_a_missing_folder_is_refused_before_anything_is_issued(make_practice, tmp_path, monkeypatch):
    root = practice_with_a_client(make_practice, tmp_path, monkeypatch)
    target = tmp_path / "no-such-folder" / "form.html"
    result = run(root, "form", "ab", "--instrument", "gad7", "-o", str(target))
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert f"the folder {target.parent} does not exist" in result.output
    assert not (root / "forms" / "issued").exists() or not any((root / "forms" / "issued").iterdir())


def test_paper_form_into_a_missing_folder_is_one_clear_message(make_practice, tmp_path, monkeypatch):
    root = practice_with_a_client(make_practice, tmp_path, monkeypatch)
    target = tmp_path / "no-such-folder" / "paper.html"
    result = run(root, "form", "ab", "--print", "--instrument", "gad7", "-o", str(target))
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert f"the folder {target.parent} does not exist" in result.output


def test_nothing_due_says_when_the_next_questionnaire_is(make_practice, tmp_path, monkeypatch):
    # GAD-7 every 2 weeks, last given 2026-03-30 → next due 2026-04-13; today is 2026-03-31, so this
    # week runs to 2026-04-06.
    root = practice_with_a_client(make_practice, tmp_path, monkeypatch)
    (root / "clients/ab/sessions/2026-03-30.yaml").write_text(
        "date: 2026-03-30\nkind: session\nquestionnaires:\n  gad7: [1, 1, 1, 1, 1, 1, 1]\n")
    said = "nothing is due for ab this week (2026-03-31 to 2026-04-06) (next: GAD-7 on 2026-04-13)"
    for args in (("form", "ab"), ("form", "ab", "--print")):
        result = run(root, *args)
        assert result.exit_code == 2, result.output
        assert said in result.output


def test_form_takes_what_is_due_this_week_as_the_caseload_lists_it(make_practice, tmp_path, monkeypatch):
    # GAD-7 every 2 weeks, last given 2026-03-23 → due 2026-04-06: inside this week (2026-03-31 to
    # 2026-04-06), though not yet today, so the form takes it.
    root = practice_with_a_client(make_practice, tmp_path, monkeypatch)
    (root / "clients/ab/sessions/2026-03-23.yaml").write_text(
        "date: 2026-03-23\nkind: session\nquestionnaires:\n  gad7: [1, 1, 1, 1, 1, 1, 1]\n")
    result = run(root, "form", "ab")
    assert result.exit_code == 0, result.output
    assert "(gad7; form f-" in result.output
    printed = run(root, "form", "ab", "--print")
    assert printed.exit_code == 0 and "(GAD-7;" in printed.output, printed.output


def test_sessions_after_the_end_date_are_one_warning_at_the_first(make_practice, tmp_path, monkeypatch):
    import json

    discharged = CLIENT.replace("status: active", "status: discharged\nend_date: 2026-02-02\nend_reason: planned")
    root = make_practice({"goalbook.yaml": SETTINGS, "clients/ab/client.yaml": discharged,
                          "clients/ab/sessions/2026-01-05.yaml": FIRST,
                          "clients/ab/sessions/2026-03-02.yaml": "date: 2026-03-02\nkind: session\n",
                          "clients/ab/sessions/2026-03-09.yaml": "date: 2026-03-09\nkind: session\n"})
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    late = [p for p in json.loads(result.stdout) if p["code"] == "session-after-end"]
    assert [(p["severity"], p["path"][len(str(root)) + 1:], p["line"]) for p in late] == [
        ("warning", "clients/ab/sessions/2026-03-02.yaml", 1)]
    assert late[0]["message"] == ("this session (2026-03-02) is after the client's end date 2026-02-02 "
                                  "(and 1 more session up to 2026-03-09)")


def test_a_very_long_line_is_quoted_as_a_window_with_the_caret_under_the_column():
    from goalbook.records.yamlload import excerpt

    line = "notes: " + "a" * 300 + "X" + "b" * 300  # the X is at column 7 + 300 + 1 = 308
    shown, caret = excerpt(line.encode() + b"\n", 1, 308).splitlines()
    quoted = shown.split(" | ", 1)[1]
    assert len(quoted) <= 102 and quoted.startswith("…") and quoted.endswith("…")
    assert quoted[caret.split(" | ", 1)[1].index("^")] == "X"


def test_a_short_line_is_quoted_whole():
    from goalbook.records.yamlload import excerpt

    assert excerpt(b"kind: sesion\n", 1, 7) == "   1 | kind: sesion\n     |       ^"


def test_an_empty_goalbook_yaml_is_not_told_to_be_deleted(make_practice):
    root = make_practice({"goalbook.yaml": "# nothing yet\n"})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1
    assert "goalbook.yaml: error: this file is empty" in result.output
    assert "delete" not in result.output and "`clinicians:`" in result.output


def test_a_paper_form_for_a_discharged_client_says_why_nothing_is_due(make_practice, tmp_path, monkeypatch):
    root = practice_with_a_client(make_practice, tmp_path, monkeypatch)
    client = root / "clients/ab/client.yaml"
    client.write_text(client.read_text().replace("status: active", "status: discharged\nend_date: 2026-03-02"))
    result = run(root, "form", "ab", "--print")
    assert result.exit_code == 2, result.output
    assert "nothing is due for ab: they are discharged" in result.output
    assert run(root, "form", "ab", "--print", "--instrument", "gad7").exit_code == 0


def test_a_latest_discharge_contact_for_a_client_still_in_care_is_one_warning(make_practice):
    import json

    root = make_practice({"goalbook.yaml": SETTINGS, "clients/ab/client.yaml": CLIENT,
                          "clients/ab/sessions/2026-01-05.yaml": FIRST,
                          "clients/ab/sessions/2026-03-02.yaml": "date: 2026-03-02\nkind: discharge\n"})
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    found = [p for p in json.loads(result.stdout) if p["code"] == "discharge-not-recorded"]
    assert [(p["severity"], p["path"][len(str(root)) + 1:], p["line"]) for p in found] == [
        ("warning", "clients/ab/sessions/2026-03-02.yaml", 2)]
    assert found[0]["message"] == ("this discharge (2026-03-02) is the client's latest contact, but client.yaml "
                                   "still says `status: active`")
    # Recorded in client.yaml: nothing to say.
    client = root / "clients/ab/client.yaml"
    client.write_text(CLIENT.replace("status: active", "status: discharged\nend_date: 2026-03-02"))
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    assert [p for p in json.loads(result.stdout) if p["code"] == "discharge-not-recorded"] == []
