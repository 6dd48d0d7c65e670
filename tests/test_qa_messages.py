"""A new user's mistakes, each shown inline, and the one clear message each must give.

Every case writes a small practice, breaks one thing, runs `goalbook check --format json` and
asserts the exact problems (code, file, line): one message per mistake, at the line to fix, in
words for a therapist. The commands' odd arguments are covered at the end.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from goalbook.cli import main

CLIENT = """\
id: ana-r
name: Ana R.
clinician: tc
start_date: 2026-01-05
status: active
hopes:
  - "To speak up in meetings without my heart racing."
focus_areas:
  - id: work-anxiety
    name: Managing anxiety at work
    priority: 1
"""
GOALS = """\
goals:
  - id: presentations
    title: Present at the weekly team meeting
    own_words: "I want to get through my slides."
    category: emotional-regulation
    focus_area: work-anxiety
    status: active
    set_date: 2026-01-12
    target_date: 2026-05-29
    review_date: 2026-04-20
    relevant: Her hope of speaking up in meetings.
    measure:
      type: rating
      label: Anxiety before presenting
    baseline: 8
    target: 50% lower
    steps:
      - id: box-breathing
        action: Box breathing for five minutes
        times: 3
        per: week
"""
S12 = """\
date: 2026-01-12
kind: intake
measurements:
  presentations: 8
"""
S26 = """\
date: 2026-01-26
kind: session
measurements:
  presentations: 6
homework:
  box-breathing: 2
notes: Practised the first two slides aloud.
"""
S09 = """\
date: 2026-02-09
kind: session
measurements:
  presentations: 5
homework:
  box-breathing: 3
"""
FILES = {
    "clients/ana-r/client.yaml": CLIENT,
    "clients/ana-r/goals.yaml": GOALS,
    "clients/ana-r/sessions/2026-01-12.yaml": S12,
    "clients/ana-r/sessions/2026-01-26.yaml": S26,
    "clients/ana-r/sessions/2026-02-09.yaml": S09,
}
GOALS_FILE = "clients/ana-r/goals.yaml"
CLIENT_FILE = "clients/ana-r/client.yaml"
SESSION = "clients/ana-r/sessions/2026-01-26.yaml"
# Words that belong to Python or JSON Schema, never to a message for a therapist.
FORBIDDEN = ("NoneType", "None", "null is", "is not of type", "datetime", "KeyError", "Traceback",
             "Additional properties", "was unexpected", "[]", "{}")


def check(root, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    problems = json.loads(result.stdout)
    for p in problems:
        p["path"] = p["path"][len(str(root)) + 1:]
        for word in FORBIDDEN:
            assert word not in p["message"] + p["hint"], p
    return result.exit_code, problems


def where(problems: list[dict]) -> list[tuple[str, str, str, int]]:
    return sorted((p["severity"], p["code"], p["path"], p["line"]) for p in problems)


def broken(make_practice, rel: str, old: str, new: str, files: dict | None = None):
    files = dict(files or FILES)
    text = textwrap.dedent(files[rel]) if rel in files else ""
    assert old in text, old
    files[rel] = text.replace(old, new, 1)
    return make_practice(files)


def test_the_practice_used_below_is_clean(make_practice):
    assert check(make_practice(FILES)) == (0, [])


# --- One mistake, one message, at the right line ----------------------------------------------

# (file, what was written, what the user wrote instead, expected (severity, code, line) list)
MISTAKES = {
    "misspelt required field": (GOALS_FILE, "    title:", "    titel:", [("error", "unknown-field", 3)]),
    "misspelt measure type key": (GOALS_FILE, "      type: rating", "      typ: rating", [("error", "unknown-field", 13)]),
    "misspelt session date key": (SESSION, "date:", "dat:", [("error", "unknown-field", 1)]),
    "status left empty": (CLIENT_FILE, "status: active", "status:", [("error", "bad-value", 5)]),
    "status as a list": (CLIENT_FILE, "status: active", "status: [active]", [("error", "wrong-type", 5)]),
    "date 2026-13-01": (GOALS_FILE, "set_date: 2026-01-12", "set_date: 2026-13-01", [("error", "bad-date", 8)]),
    "date 26-03-01": (GOALS_FILE, "target_date: 2026-05-29", "target_date: 26-03-01", [("error", "bad-date", 9)]),
    "date 1.3.2026": (GOALS_FILE, "target_date: 2026-05-29", "target_date: 1.3.2026", [("error", "bad-date", 9)]),
    "year 9999 as 'no date'": (GOALS_FILE, "target_date: 2026-05-29", "target_date: 9999-12-31", [("error", "bad-date", 9)]),
    "year 0001": (GOALS_FILE, "review_date: 2026-04-20", "review_date: 0001-04-20", [("error", "bad-date", 10)]),
    "huge count": (SESSION, "box-breathing: 2", "box-breathing: 20000000000000000000", [("error", "bad-value", 6)]),
    "400-digit decimal": (SESSION, "presentations: 6", "presentations: 1" + "0" * 400 + ".5", [("error", "bad-value", 4)]),
    "negative count": (SESSION, "box-breathing: 2", "box-breathing: -2", [("error", "bad-value", 6)]),
    "float where a whole number": (GOALS_FILE, "times: 3", "times: 2.5", [("error", "wrong-type", 20)]),
    "unquoted colon in notes": (SESSION, "notes: Practised the first two slides aloud.", "notes: Plan: call GP",
                                [("error", "syntax", 7)]),
    "unquoted colon in a hope": (CLIENT_FILE, '  - "To speak up in meetings without my heart racing."',
                                 "  - To speak up: in meetings", [("error", "wrong-type", 7)]),
    "field over-indented": (GOALS_FILE, "      label: Anxiety", "        label: Anxiety", [("error", "syntax", 14)]),
    "field indented under the one above": (SESSION, "notes:", "  notes:", [("error", "wrong-type", 7)]),
    "tab indentation": (GOALS_FILE, "        times: 3", "\ttimes: 3", [("error", "syntax", 20)]),
    "relative target off the scale": (GOALS_FILE, "target: 50% lower", "target: 150% lower",
                                      [("error", "measurement-out-of-range", 16)]),
    "rating min above max": (GOALS_FILE, "      label: Anxiety before presenting\n",
                             "      label: Anxiety before presenting\n      min: 10\n      max: 0\n",
                             [("error", "bad-scale", 15)]),
    "text after # lost": (SESSION, "notes: Practised the first two slides aloud.", "notes: Practised slide #2",
                          [("warning", "comment-in-text", 7)]),
    "whole value after # lost": (GOALS_FILE, "      label: Anxiety", "      label: #1 Anxiety",
                                 [("warning", "comment-in-text", 14)]),
    "goals: with nothing": (GOALS_FILE, GOALS, "goals:\n",
                            [("error", "unknown-goal", None), ("error", "unknown-step", None)]),
}


@pytest.mark.parametrize("name", MISTAKES)
def test_one_mistake_gives_one_clear_message(make_practice, name):
    rel, old, new, expected = MISTAKES[name]
    code, problems = check(broken(make_practice, rel, old, new))
    assert code == (1 if any(e[0] == "error" for e in expected) else 0)
    got = [(p["severity"], p["code"], p["line"]) for p in problems]
    if all(line is not None for _, _, line in expected):
        assert got == expected, problems
        assert {p["path"] for p in problems} == {rel}
    else:
        assert [g[:2] for g in got] == [e[:2] for e in expected], problems


def test_a_misspelt_field_is_named_with_its_correction(make_practice):
    _, [p] = check(broken(make_practice, GOALS_FILE, "    title:", "    titel:"))
    assert p["message"] == "unknown field 'titel' — did you mean 'title'?"


def test_an_empty_or_listed_choice_is_said_in_words(make_practice):
    _, [empty] = check(broken(make_practice, CLIENT_FILE, "status: active", "status:"))
    assert empty["message"] == "`status` is empty; use one of: referred, active, paused, discharged"
    _, [listed] = check(broken(make_practice, CLIENT_FILE, "status: active", "status: [active]"))
    assert listed["message"] == "expected one of: referred, active, paused, discharged; found a list"
    assert "`status: referred`" in listed["hint"]


def test_a_wrongly_cased_choice_suggests_the_right_one(make_practice):
    _, [p] = check(broken(make_practice, SESSION, "kind: session", "kind: Session"))
    assert (p["line"], p["hint"]) == (2, "did you mean 'session'?")


def test_an_implausible_year_says_so(make_practice):
    _, [p] = check(broken(make_practice, GOALS_FILE, "target_date: 2026-05-29", "target_date: 9999-12-31"))
    assert p["message"] == "`9999-12-31` is not a plausible date: the year 9999 is out of range"
    assert "leave the field empty" in p["hint"]


def test_a_huge_number_is_refused_once_without_printing_all_its_digits(make_practice):
    _, [p] = check(broken(make_practice, SESSION, "box-breathing: 2", "box-breathing: 2" + "0" * 30))
    assert (p["line"], p["column"]) == (6, 18)
    assert "31 digits" in p["message"] and "0" * 30 not in p["message"]


def test_unquoted_colon_in_text_shows_the_quoted_line(make_practice):
    _, [p] = check(broken(make_practice, SESSION, "notes: Practised the first two slides aloud.", "notes: Plan: call GP"))
    assert (p["line"], p["column"]) == (7, 12)
    assert p["message"] == "the text after `notes:` contains ': ', which YAML reads as the start of another field"
    assert p["hint"] == 'put the whole text in quotes: notes: "Plan: call GP"'


def test_the_quoted_line_leaves_a_trailing_comment_out(make_practice):
    # Scaffolded lines carry a comment: quoting it would make the comment part of the notes.
    _, [p] = check(broken(make_practice, SESSION, "notes: Practised the first two slides aloud.",
                          "notes: Plan: call GP   # what was agreed"))
    assert p["hint"] == 'put the whole text in quotes: notes: "Plan: call GP"'


def test_the_quoted_line_keeps_a_hash_that_belongs_to_the_text(make_practice):
    # `#2` with no space after it is meant as text (yamlload warns about it); ` # …` is a comment.
    _, problems = check(broken(make_practice, SESSION, "notes: Practised the first two slides aloud.",
                               "notes: Plan: call GP #2 # to do"))
    [p] = [p for p in problems if p["code"] != "comment-in-text"]
    assert p["hint"] == 'put the whole text in quotes: notes: "Plan: call GP #2"'


def test_a_quoted_list_item_leaves_its_comment_out():
    from goalbook.records.yaml_messages import stray_colon

    # YAML stumbles on the second colon (column 20); the item's text starts at column 5.
    data = b"hopes:\n  - To stand up: in: meetings  # her words\n"
    _, hint, column = stray_colon(data, 2, 20)
    assert hint == 'put the whole text in quotes: - "To stand up: in: meetings"'
    assert column == 5


def test_unquoted_colon_in_a_list_item_says_to_quote_it(make_practice):
    _, [p] = check(broken(make_practice, CLIENT_FILE, '  - "To speak up in meetings without my heart racing."',
                          "  - To speak up: in meetings"))
    assert p["message"] == "expected text, found a block of fields"
    assert "must be in quotes" in p["hint"]


def test_a_field_indented_into_the_block_above_says_so(make_practice):
    _, [p] = check(broken(make_practice, SESSION, "notes:", "  notes:"))
    assert p["message"] == ("expected times done or {times: N, minutes: M}, "
                            "found text 'Practised the first two slides aloud.'")
    assert p["hint"].startswith("`notes:` is indented, so it is read as part of `homework`")


def test_an_over_indented_field_names_the_line_above(make_practice):
    _, [p] = check(broken(make_practice, GOALS_FILE, "      label: Anxiety", "        label: Anxiety"))
    assert (p["line"], p["column"]) == (14, 9)
    assert p["message"].startswith("this line is indented further than line 13 above it")


def test_hash_comments_that_are_meant_are_left_alone(make_practice):
    root = broken(make_practice, SESSION, "notes: Practised the first two slides aloud.",
                  'notes: "Slide #2 went well"  # a comment\nprivate_notes: |\n  Raised #3 again.\n')
    path = root / GOALS_FILE
    path.write_text(path.read_text().replace("times: 3", "times: 3 #per week"))
    assert check(root) == (0, [])


def test_text_after_hash_warning_offers_the_quoted_text(make_practice):
    _, [p] = check(broken(make_practice, SESSION, "notes: Practised the first two slides aloud.",
                          "notes: Called GP #2"))
    assert (p["line"], p["column"]) == (7, 18)
    assert p["message"] == "`#2` is read as a comment, so it is left out of the text"
    assert p["hint"].startswith('to keep it, put the whole text in quotes: "Called GP #2"')


def test_a_deleted_goal_is_one_error_at_its_first_session(make_practice):
    # The second goal is deleted while three sessions still measure it.
    files = dict(FILES)
    files[GOALS_FILE] = GOALS.replace("presentations", "speaking-up").replace("box-breathing", "breathing")
    code, problems = check(make_practice(files))
    assert code == 1
    assert where(problems) == [
        ("error", "unknown-goal", "clients/ana-r/sessions/2026-01-12.yaml", 4),
        ("error", "unknown-step", "clients/ana-r/sessions/2026-01-26.yaml", 6),
    ]
    goal, step = sorted(problems, key=lambda p: p["code"])
    assert goal["message"].endswith("(2 later sessions too: 2026-01-26, 2026-02-09)")
    assert "this client's goals: speaking-up" in goal["hint"] and "status: discontinued" in goal["hint"]
    assert step["message"].endswith("(1 later session too: 2026-02-09)")


def test_a_broken_scale_is_one_error_not_one_per_session(make_practice):
    root = broken(make_practice, GOALS_FILE, "      label: Anxiety before presenting\n",
                  "      label: Anxiety before presenting\n      min: 10\n      max: 0\n")
    _, [p] = check(root)
    assert p["message"] == "this rating's scale runs from 10 to 0: its max must be above its min"


def test_a_relative_target_beyond_the_scale(make_practice):
    _, [p] = check(broken(make_practice, GOALS_FILE, "target: 50% lower", "target: 150% lower"))
    assert p["message"] == "the target 150% lower (of the baseline 8): -4 is outside this rating's scale 0–10"


def test_a_start_date_in_the_future_is_one_error(make_practice):
    _, problems = check(broken(make_practice, CLIENT_FILE, "start_date: 2026-01-05", "start_date: 2027-01-05"))
    assert where(problems) == [("error", "future-date", CLIENT_FILE, 4)]


def test_sessions_before_the_start_date_are_one_warning(make_practice):
    code, problems = check(broken(make_practice, CLIENT_FILE, "start_date: 2026-01-05", "start_date: 2026-02-01"))
    assert code == 0
    assert where(problems) == [("warning", "session-before-start", "clients/ana-r/sessions/2026-01-12.yaml", 1)]
    assert problems[0]["message"].endswith("(and 1 more session up to 2026-01-26)")


def test_a_wrong_today_setting_does_not_bring_the_clock_in(make_practice):
    # With the clock standing in for the unreadable `today:`, every date of 2026 could turn
    # "overdue" or "in the future"; only the setting itself is wrong.
    files = dict(FILES, **{"goalbook.yaml": "name: Test Practice\nclinicians:\n  - id: tc\n    name: T\n"
                                            "today: 2026-13-01\n"})
    files[GOALS_FILE] = GOALS.replace("target_date: 2026-05-29", "target_date: 2026-01-31")
    _, problems = check(make_practice(files))
    assert where(problems) == [("error", "bad-date", "goalbook.yaml", 5)]


def test_windows_line_endings_and_a_bom_keep_line_numbers(make_practice):
    files = {rel: ("\ufeff" + textwrap.dedent(text)).replace("\n", "\r\n").encode() for rel, text in FILES.items()}
    assert check(make_practice(files)) == (0, [])
    text = files[GOALS_FILE].replace(b"status: active", b"status: actve")
    _, [p] = check(make_practice({**files, GOALS_FILE: text}))
    assert (p["code"], p["line"], p["column"], p["hint"]) == ("bad-value", 7, 13, "did you mean 'active'?")


def test_unicode_names_just_work(make_practice, tmp_path):
    files = dict(FILES)
    files[CLIENT_FILE] = CLIENT.replace("name: Ana R.", "name: Zoë Ø. عائشة 😀").replace(
        '"To speak up in meetings without my heart racing."', '"Être à l\'aise — لا أخاف 🙂"')
    files[GOALS_FILE] = GOALS.replace("Box breathing for five minutes", "Respiração 🫁 ø")
    root = make_practice(files)
    assert check(root) == (0, [])
    result = CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "book")])
    assert result.exit_code == 0, result.output
    assert "Zoë Ø. عائشة 😀" in (tmp_path / "book" / "clients" / "ana-r.html").read_text(encoding="utf-8")


def test_a_version_hint_shows_the_example_quoted(make_practice):
    from goalbook.resources import data_dir

    text = (data_dir("instruments") / "gad7.yaml").read_text(encoding="utf-8")
    root = make_practice({**FILES, "instruments/sleep7.yaml": text.replace("id: gad7", "id: sleep7").replace(
        'version: "1.0"', "version: 1.0")})
    _, problems = check(root)
    [p] = [p for p in problems if p["path"] == "instruments/sleep7.yaml"]
    assert p["line"] == 5 and 'e.g. `version: "1.0"`' in p["hint"]


# --- Commands with odd arguments --------------------------------------------------------------


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_check_given_a_file_or_a_subfolder_says_which_folder_to_give(make_practice):
    root = make_practice(FILES)
    result = run("check", str(root / "goalbook.yaml"))
    assert result.exit_code == 2 and "is a file; `goalbook check` checks a whole practice folder" in result.output
    result = run("check", str(root / "clients" / "ana-r"))
    assert result.exit_code == 2 and "is a folder inside a practice" in result.output
    assert f"goalbook check {root}" in result.output or "goalbook check " in result.output


def test_new_and_build_on_a_broken_practice_print_what_check_prints(make_practice, monkeypatch):
    root = broken(make_practice, GOALS_FILE, "    status: active", "    status: actve")
    monkeypatch.chdir(root)
    checked = run("check")
    assert checked.exit_code == 1
    lines = [line for line in checked.stdout.splitlines() if line.strip()]
    assert lines[0] == ("clients/ana-r/goals.yaml:7:13: error: 'actve' is not a goal status; use one of: "
                        "proposed, active, achieved, paused, discontinued, revised")
    for command in (["new", "session", "ana-r", "--date", "2026-03-30"], ["new", "goal", "ana-r"], ["build"]):
        result = run(*command)
        assert result.exit_code in (1, 2), result.output
        for line in lines:  # the location, the source excerpt and the hint, exactly
            assert line in result.output, (command, line)
    assert not (root / "clients/ana-r/sessions/2026-03-30.yaml").exists()


def test_new_refuses_while_goalbook_yaml_has_errors(make_practice):
    root = make_practice({**FILES, "goalbook.yaml": "nmae: Test\nclinicians:\n  - id: tc\n    name: T\n"})
    result = run("new", "client", "ben-t", "--practice", str(root))
    assert result.exit_code == 2
    assert "goalbook.yaml has errors, so nothing was written" in result.output
    assert "goalbook.yaml:1:1: error: unknown field 'nmae' — did you mean 'name'?" in result.output
    assert not (root / "clients/ben-t").exists()


@pytest.mark.parametrize("given, suggested", [("Zoë", "e.g. zoe;"), ("Łukasz S", "e.g. lukasz-s;"), ("😀", "")])
def test_new_client_suggests_an_id_for_unicode_names(make_practice, given, suggested):
    result = run("new", "client", given, "--practice", str(make_practice(FILES)))
    assert result.exit_code == 2 and f"'{given}' is not a valid client id" in result.output
    assert suggested in result.output
    if not suggested:
        assert "e.g." not in result.output


@pytest.mark.parametrize("args, message", [
    (["gas", "--weights", "nan", "--", "1"], "weight 'nan' is not a number goalbook can use"),
    (["gas", "--weights", "inf", "--", "1"], "weight 'inf' is not a number goalbook can use"),
    (["phq9", "--change", "1e400", "10"], "FIRST '1e400' is not a number goalbook can use"),
    (["phq9", "1", "2", "0", "3", "1", "1", "2", "0", "1.5"], "answer '1.5' to item 9 is not a whole number"),
    (["phq9", "1", "2"], "PHQ-9 has 9 items; this lists 2 answers"),
])
def test_score_refuses_odd_numbers_in_words(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # outside any practice: built-in questionnaires only
    result = run("score", *args)
    assert result.exit_code == 2 and message in result.output and "nan" not in result.output.replace("'nan'", "")
    assert "Traceback" not in result.output


def test_no_color_and_json_never_carry_escape_codes(make_practice):
    root = broken(make_practice, GOALS_FILE, "    status: active", "    status: actve")
    for args in (["check", str(root)], ["check", str(root), "--format", "json"]):
        result = run(*args, env={"NO_COLOR": "1"})
        assert "\x1b[" not in result.output and result.exit_code == 1
