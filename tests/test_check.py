"""The loader and the checks as a library: load_practice, check_practice, resolve_today.

Each test writes a small practice inline (``CLEAN`` plus the one change under test) and asserts
the problem's code, file and line. Expected lines are found in the test's own input text.
"""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from goalbook.checks import CODES, check_practice
from goalbook.records.load import load_practice
from goalbook.records.model import Target
from goalbook.records.today import resolve_today

CLIENT = """\
# yaml-language-server: $schema=../../schemas/client.schema.json
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
questionnaires:
  - instrument: gad7
    every_weeks: 2
"""

GOALS = """\
goals:
  - id: presentations
    title: Present at the weekly team meeting with manageable anxiety
    own_words: "I want to get through my slides without wanting to run out."
    category: emotional-regulation
    focus_area: work-anxiety
    status: active
    set_date: 2026-01-12
    target_date: 2026-05-29
    review_date: 2026-04-20
    achievable: She already presents to two colleagues without difficulty.
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

SESSION_1 = """\
date: 2026-01-12
kind: intake
questionnaires:
  gad7: [2, 2, 1, 3, 1, 0, 2]
measurements:
  presentations: 8
"""

SESSION_2 = """\
date: 2026-01-26
kind: session
questionnaires:
  gad7: [1, 2, 1, 2, 1, 0, 1]
measurements:
  presentations: 6
homework:
  box-breathing: 2
notes: Practised the first two slides aloud.
"""

C = "clients/ana-r"
CLEAN = {
    f"{C}/client.yaml": CLIENT,
    f"{C}/goals.yaml": GOALS,
    f"{C}/sessions/2026-01-12.yaml": SESSION_1,
    f"{C}/sessions/2026-01-26.yaml": SESSION_2,
}


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``text`` containing ``needle`` (the test's own count)."""
    hits = [i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line]
    return hits[nth - 1]


def with_changes(**changes: str) -> dict[str, str]:
    """CLEAN with some files replaced: keys are short names (client, goals, s1, s2)."""
    names = {"client": f"{C}/client.yaml", "goals": f"{C}/goals.yaml",
             "s1": f"{C}/sessions/2026-01-12.yaml", "s2": f"{C}/sessions/2026-01-26.yaml"}
    files = dict(CLEAN)
    for short, text in changes.items():
        files[names[short]] = text
    return files


def problems_of(make_practice, files, **kwargs):
    _, problems = check_practice(make_practice(files), **kwargs)
    return problems


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} in {[(p.code, p.path, p.line) for p in problems]}"
    return found


# --- today ------------------------------------------------------------------------------------


def test_today_order_cli_then_setting_then_epoch_then_clock():
    cli, setting = date(2026, 1, 2), date(2025, 5, 6)
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}  # 2023-11-14 22:13:20 UTC
    assert resolve_today(cli, setting, epoch) == (cli, True)
    assert resolve_today(None, setting, epoch) == (setting, True)
    assert resolve_today(None, None, epoch) == (date(2023, 11, 14), True)
    today, fixed = resolve_today(None, None, {})
    assert fixed is False and isinstance(today, date)
    # a malformed SOURCE_DATE_EPOCH is ignored rather than fatal
    assert resolve_today(None, None, {"SOURCE_DATE_EPOCH": "soon"})[1] is False


# --- loading into the model -------------------------------------------------------------------


def test_clean_practice_has_no_problems(make_practice):
    practice, problems = check_practice(make_practice(CLEAN))
    assert problems == []
    assert practice is not None and [c.id for c in practice.clients] == ["ana-r"]


def test_model_is_built_with_dates_targets_steps_and_sorted_sessions(make_practice):
    files = dict(CLEAN)
    # a second contact on one day, written as .yml, sorts after the first by time
    files[f"{C}/sessions/2026-01-26-phone.yml"] = "date: 2026-01-26\ntime: '18:00'\nkind: check-in\n"
    practice, problems = load_practice(make_practice(files))
    assert [p for p in problems if p.is_error] == []
    assert practice.today == date(2026, 3, 31) and practice.today_fixed
    client = practice.clients[0]
    assert client.start_date == date(2026, 1, 5)
    assert client.questionnaires[0].instrument == "gad7" and client.questionnaires[0].every_weeks == 2
    goal = client.goals[0]
    assert goal.set_date == date(2026, 1, 12) and goal.target_date == date(2026, 5, 29)
    assert goal.target == Target(text="50% lower", percent=50.0, relative="lower")
    assert goal.target.resolve(goal.baseline) == 4.0
    assert goal.steps[0].goal_id == "presentations" and goal.steps[0].times == 3
    assert goal.line == 2  # `- id: presentations` is line 2 of GOALS
    assert [s.file.rsplit("/", 1)[1] for s in client.sessions] == [
        "2026-01-12.yaml", "2026-01-26.yaml", "2026-01-26-phone.yml"]
    first = client.sessions[0].administrations[0]
    assert first.instrument == "gad7" and first.answers == (2, 2, 1, 3, 1, 0, 2)
    assert first.date == date(2026, 1, 12)


def test_gas_levels_are_numbers_and_total_only_administrations(make_practice):
    goals = GOALS + """\
  - id: speak-up
    title: Raise credit-taking in meetings
    status: active
    set_date: 2026-01-12
    measure:
      type: gas
      weight: 2
      levels:
        much_less: Says nothing
        less: Raises it afterwards by e-mail
        expected: Raises it calmly once
        more: Raises it twice
        much_more: Raises it whenever it happens
    baseline: -1
"""
    session = SESSION_2.replace("gad7: [1, 2, 1, 2, 1, 0, 1]", "gad7: {total: 8}")
    practice, _ = load_practice(make_practice(with_changes(goals=goals, s2=session)))
    gas = practice.clients[0].goal("speak-up").measure
    assert gas.type == "gas" and gas.weight == 2.0
    assert gas.levels == {-2: "Says nothing", -1: "Raises it afterwards by e-mail", 0: "Raises it calmly once",
                          1: "Raises it twice", 2: "Raises it whenever it happens"}
    administration = practice.clients[0].sessions[1].administrations[0]
    assert administration.total == 8 and administration.answers is None


def test_a_file_with_errors_is_left_out_but_the_rest_is_loaded(make_practice):
    broken = SESSION_2.replace("kind: session", "kind: sesion")
    practice, problems = load_practice(make_practice(with_changes(s2=broken)))
    assert [s.date for s in practice.clients[0].sessions] == [date(2026, 1, 12)]
    assert any(p.path == f"{C}/sessions/2026-01-26.yaml" and p.is_error for p in problems)


def test_no_practice_without_goalbook_yaml(tmp_path):
    practice, problems = load_practice(tmp_path)
    assert practice is None and [p.code for p in problems] == ["missing-file"]


def test_client_without_goals_file_is_fine(make_practice):
    files = {f"{C}/client.yaml": CLIENT, f"{C}/sessions/2026-01-12.yaml": "date: 2026-01-12\nkind: intake\n"}
    practice, problems = check_practice(make_practice(files))
    assert [p for p in problems if p.is_error] == []
    assert practice.clients[0].goals == []


# --- the folder layout ------------------------------------------------------------------------


def test_unknown_file_in_client_folder_suggests_the_right_name(make_practice):
    files = dict(CLEAN)
    files[f"{C}/goal.yaml"] = "goals: []\n"
    problem = only(problems_of(make_practice, files), "unknown-file")[0]
    assert problem.path == f"{C}/goal.yaml" and problem.severity == "warning"
    assert "goals.yaml" in problem.hint


def test_session_file_names(make_practice):
    files = dict(CLEAN)
    files[f"{C}/sessions/2026-1-19.yaml"] = SESSION_1
    files[f"{C}/sessions/2026-02-30.yaml"] = SESSION_1
    files[f"{C}/sessions/scan.pdf"] = b"%PDF-1.4"
    problems = problems_of(make_practice, files)
    bad = {p.path: p for p in only(problems, "bad-file-name")}
    assert set(bad) == {f"{C}/sessions/2026-1-19.yaml", f"{C}/sessions/2026-02-30.yaml"}
    assert "2026-01-19.yaml" in bad[f"{C}/sessions/2026-1-19.yaml"].hint
    assert "YYYY-MM-DD.yaml" in bad[f"{C}/sessions/2026-02-30.yaml"].hint
    assert only(problems, "unknown-file")[0].path == f"{C}/sessions/scan.pdf"


def test_same_date_and_slug_twice_is_an_error_but_same_date_twice_is_fine(make_practice):
    files = dict(CLEAN)
    files[f"{C}/sessions/2026-01-26-phone.yaml"] = "date: 2026-01-26\nkind: check-in\n"
    assert [p for p in problems_of(make_practice, files) if p.is_error] == []
    files[f"{C}/sessions/2026-01-26.yml"] = SESSION_2
    assert only(problems_of(make_practice, files), "duplicate-file")[0].path == f"{C}/sessions/2026-01-26.yml"


def test_client_folder_problems(make_practice):
    files = dict(CLEAN)
    files["clients/Ben T/client.yaml"] = CLIENT
    files["clients/cara/goals.yaml"] = "goals: []\n"
    files["clients/notes.txt"] = "a note"
    files["clients/.hidden/client.yaml"] = "not: [valid"  # hidden: ignored
    files["clients/_book/index.yaml"] = "x: 1"  # the output folder: ignored
    problems = problems_of(make_practice, files)
    assert only(problems, "bad-folder-name")[0].path == "clients/Ben T"
    assert "ben-t" in only(problems, "bad-folder-name")[0].hint
    assert only(problems, "missing-file")[0].path == "clients/cara"
    assert only(problems, "unknown-file")[0].path == "clients/notes.txt"
    assert not any(".hidden" in p.path or "_book" in p.path for p in problems)


# --- references -------------------------------------------------------------------------------


def test_client_id_must_equal_folder(make_practice):
    client = CLIENT.replace("id: ana-r", "id: ana")
    p = only(problems_of(make_practice, with_changes(client=client)), "client-id-mismatch")[0]
    assert (p.path, p.line) == (f"{C}/client.yaml", line_of(client, "id: ana"))


def test_unknown_clinician_with_did_you_mean(make_practice):
    client = CLIENT.replace("clinician: tc", "clinician: tx")
    p = only(problems_of(make_practice, with_changes(client=client)), "unknown-clinician")[0]
    assert p.line == line_of(client, "clinician: tx") and "tc" in p.hint


def test_duplicate_goal_and_step_ids_name_the_other_line(make_practice):
    goals = GOALS + GOALS.split("\n", 1)[1]  # the same goal twice
    problems = problems_of(make_practice, with_changes(goals=goals))
    goal = only(problems, "duplicate-goal-id")[0]
    assert goal.line == line_of(goals, "- id: presentations", 2)
    assert f"line {line_of(goals, '- id: presentations')}" in goal.message
    step = only(problems, "duplicate-step-id")[0]
    assert step.line == line_of(goals, "- id: box-breathing", 2)
    assert f"line {line_of(goals, '- id: box-breathing')}" in step.message


def test_focus_area_and_category_must_exist(make_practice):
    goals = GOALS.replace("focus_area: work-anxiety", "focus_area: work-anxeity").replace(
        "category: emotional-regulation", "category: emotion-regulation")
    problems = problems_of(make_practice, with_changes(goals=goals))
    area = only(problems, "unknown-focus-area")[0]
    assert area.line == line_of(goals, "focus_area:") and "work-anxiety" in area.hint
    category = only(problems, "unknown-category")[0]
    assert category.line == line_of(goals, "category:") and "emotional-regulation" in category.hint


def test_practice_categories_are_accepted(make_practice):
    files = with_changes(goals=GOALS.replace("category: emotional-regulation", "category: work-life"))
    files["goalbook.yaml"] = (
        "name: Test Practice\nclinicians:\n  - id: tc\n    name: Test Clinician\ntoday: 2026-03-31\n"
        "goal_categories:\n  - id: work-life\n    label: Work-life balance\n"
    )
    assert problems_of(make_practice, files) == []


def _revising(revises: str, old_status: str = "revised") -> str:
    old = GOALS.replace("status: active", f"status: {old_status}").replace("box-breathing", "old-breathing")
    new = GOALS.split("\n", 1)[1].replace("id: presentations", "id: presentations-2").replace(
        "    steps:", f"    revises: {revises}\n    steps:")
    return old + new


def test_revises_rules(make_practice):
    assert problems_of(make_practice, with_changes(goals=_revising("presentations"))) == []
    goals = _revising("presentation")
    p = only(problems_of(make_practice, with_changes(goals=goals)), "unknown-revised-goal")[0]
    assert p.line == line_of(goals, "revises:") and "presentations" in p.hint
    goals = _revising("presentations-2")
    assert only(problems_of(make_practice, with_changes(goals=goals)), "revises-itself")[0].line == line_of(
        goals, "revises:")
    goals = _revising("presentations", old_status="achieved")
    p = only(problems_of(make_practice, with_changes(goals=goals)), "revised-status")[0]
    assert p.severity == "warning" and p.line == line_of(goals, "status: achieved")


def test_revision_cycle_is_reported_once(make_practice):
    goals = _revising("presentations").replace(
        "    steps:\n      - id: old-breathing", "    revises: presentations-2\n    steps:\n      - id: old-breathing")
    cycles = only(problems_of(make_practice, with_changes(goals=goals)), "revision-cycle")
    assert len(cycles) == 1 and "presentations → presentations-2 → presentations" in cycles[0].message


def test_sessions_name_existing_goals_steps_and_instruments(make_practice):
    session = SESSION_2.replace("presentations: 6", "presentation: 6").replace(
        "box-breathing: 2", "box-breath: 2").replace("gad7:", "gad-7:")
    problems = problems_of(make_practice, with_changes(s2=session))
    goal = only(problems, "unknown-goal")[0]
    assert goal.line == line_of(session, "presentation: 6") and "presentations" in goal.hint
    assert only(problems, "unknown-step")[0].line == line_of(session, "box-breath:")
    instrument = only(problems, "unknown-instrument")[0]
    assert instrument.line == line_of(session, "gad-7:") and "gad7" in instrument.hint


def test_schedule_and_measure_instruments_must_exist(make_practice):
    client = CLIENT.replace("instrument: gad7", "instrument: gad8")
    goals = GOALS.replace("type: rating\n      label: Anxiety before presenting",
                          "type: questionnaire\n      instrument: phq99").replace("target: 50% lower", "target: 4")
    problems = only(problems_of(make_practice, with_changes(client=client, goals=goals)), "unknown-instrument")
    assert {(p.path, p.line) for p in problems} == {
        (f"{C}/client.yaml", line_of(client, "gad8")), (f"{C}/goals.yaml", line_of(goals, "phq99"))}


def test_session_date_must_equal_file_name(make_practice):
    session = SESSION_2.replace("date: 2026-01-26", "date: 2026-01-27")
    p = only(problems_of(make_practice, with_changes(s2=session)), "date-mismatch")[0]
    assert (p.path, p.line) == (f"{C}/sessions/2026-01-26.yaml", 1)
    assert "2026-01-27.yaml" in p.hint


def test_a_broken_goals_file_does_not_make_every_measurement_unknown(make_practice):
    problems = problems_of(make_practice, with_changes(goals=GOALS.replace("status: active", "status: actve")))
    assert not [p for p in problems if p.code in ("unknown-goal", "unknown-step")]


# --- clinical sense ---------------------------------------------------------------------------


def test_answer_out_of_range_points_at_the_answer(make_practice):
    session = SESSION_2.replace("[1, 2, 1, 2, 1, 0, 1]", "[1, 2, 1, 4, 1, 0, 1]")
    p = only(problems_of(make_practice, with_changes(s2=session)), "answer-out-of-range")[0]
    # the fourth answer, `4`, is at column 19 of `  gad7: [1, 2, 1, 4, 1, 0, 1]`
    assert (p.line, p.column) == (line_of(session, "gad7"), 19)
    assert "item 4" in p.message


def test_wrong_number_of_answers_and_too_many_missing(make_practice):
    short = SESSION_2.replace("[1, 2, 1, 2, 1, 0, 1]", "[1, 2, 1, 2, 1, 0]")
    p = only(problems_of(make_practice, with_changes(s2=short)), "wrong-answer-count")[0]
    assert p.line == line_of(short, "gad7") and "7 items" in p.message and "6 answers" in p.message
    # GAD-7 allows no missing item (Spitzer 2006 scores the sum of all seven)
    missing = SESSION_2.replace("[1, 2, 1, 2, 1, 0, 1]", "[1, null, 1, 2, 1, 0, 1]")
    assert only(problems_of(make_practice, with_changes(s2=missing)), "too-many-missing")[0].line == line_of(
        missing, "gad7")


def test_total_must_be_possible(make_practice):
    session = SESSION_2.replace("gad7: [1, 2, 1, 2, 1, 0, 1]", "gad7: {total: 22}")  # GAD-7 totals 0–21
    p = only(problems_of(make_practice, with_changes(s2=session)), "total-out-of-range")[0]
    assert p.line == line_of(session, "gad7") and "0 to 21" in p.message
    fine = SESSION_2.replace("gad7: [1, 2, 1, 2, 1, 0, 1]", "gad7: {total: 21}")
    assert problems_of(make_practice, with_changes(s2=fine)) == []


def test_dates_in_the_future(make_practice):
    files = with_changes(client=CLIENT.replace("start_date: 2026-01-05", "start_date: 2026-04-01"))
    files[f"{C}/sessions/2026-04-01.yaml"] = "date: 2026-04-01\nkind: session\n"
    problems = problems_of(make_practice, files)
    assert {p.path for p in only(problems, "future-date")} == {f"{C}/client.yaml", f"{C}/sessions/2026-04-01.yaml"}
    # with --today later, nothing is in the future (and the target date may always be ahead)
    later = [p for p in problems_of(make_practice, files, today=date(2026, 4, 2)) if p.code == "future-date"]
    assert later == []


def test_target_must_be_better_than_baseline(make_practice):
    goals = GOALS.replace("target: 50% lower", "target: 9\n    direction: decrease")
    p = only(problems_of(make_practice, with_changes(goals=goals)), "target-not-better")
    assert p[0].line == line_of(goals, "target: 9")
    # without a direction, an absolute target on a rating simply says which way the goal goes
    goals = GOALS.replace("target: 50% lower", "target: 9")
    assert problems_of(make_practice, with_changes(goals=goals)) == []
    # the direction comes from "% lower" when not written; "% higher" against `direction: decrease`
    goals = GOALS.replace("target: 50% lower", "target: 20% higher\n    direction: decrease")
    assert only(problems_of(make_practice, with_changes(goals=goals)), "target-not-better")
    goals = GOALS.replace("target: 50% lower", "target: 3\n    direction: decrease")
    assert not [p for p in problems_of(make_practice, with_changes(goals=goals)) if p.code == "target-not-better"]


def test_questionnaire_goal_direction_comes_from_the_instrument(make_practice):
    goals = GOALS.replace("type: rating\n      label: Anxiety before presenting",
                          "type: questionnaire\n      instrument: gad7").replace(
        "baseline: 8\n    target: 50% lower", "baseline: 12\n    target: 14")  # GAD-7: higher is worse
    p = only(problems_of(make_practice, with_changes(goals=goals)), "target-not-better")[0]
    assert "lower" in p.message


def test_target_date_after_set_date(make_practice):
    goals = GOALS.replace("target_date: 2026-05-29", "target_date: 2026-01-12")
    assert only(problems_of(make_practice, with_changes(goals=goals)), "target-before-start")[0].line == line_of(
        goals, "target_date")


def test_session_before_start_is_a_warning(make_practice):
    client = CLIENT.replace("start_date: 2026-01-05", "start_date: 2026-01-20")
    problems = problems_of(make_practice, with_changes(client=client))
    p = only(problems, "session-before-start")[0]
    assert p.severity == "warning" and p.path == f"{C}/sessions/2026-01-12.yaml" and p.line == 1


def test_measurements_must_fit_the_measure(make_practice):
    session = SESSION_2.replace("presentations: 6", "presentations: 11")  # the rating runs 0–10
    p = only(problems_of(make_practice, with_changes(s2=session)), "measurement-out-of-range")[0]
    assert p.line == line_of(session, "presentations: 11")
    goals = GOALS.replace("    baseline: 8\n    target: 50% lower\n",
                          "    baseline: -1\n").replace(
        "type: rating\n      label: Anxiety before presenting",
        "type: gas\n      levels: {much_less: a, less: b, expected: c, more: d, much_more: e}")
    session = SESSION_2.replace("presentations: 6", "presentations: 3")
    p = only(problems_of(make_practice, with_changes(goals=goals, s2=session)), "gas-level")
    # 8 (the old rating) and 3 are no GAS levels; −1, the baseline, is
    assert {(x.path, x.line) for x in p} == {
        (f"{C}/sessions/2026-01-12.yaml", line_of(SESSION_1, "presentations: 8")),
        (f"{C}/sessions/2026-01-26.yaml", line_of(session, "presentations: 3"))}


def test_discharged_without_end_date_and_end_before_start(make_practice):
    client = CLIENT.replace("status: active", "status: discharged")
    p = only(problems_of(make_practice, with_changes(client=client)), "no-end-date")[0]
    assert p.severity == "warning" and p.line == line_of(client, "status:")
    client = CLIENT + "end_date: 2026-01-01\n"
    assert only(problems_of(make_practice, with_changes(client=client)), "end-before-start")[0].line == line_of(
        client, "end_date")


def test_measurement_of_a_goal_not_yet_set_is_a_gentle_warning(make_practice):
    goals = GOALS.replace("set_date: 2026-01-12", "set_date: 2026-01-19")
    p = only(problems_of(make_practice, with_changes(goals=goals)), "measurement-inactive-goal")
    assert [(x.path, x.severity) for x in p] == [(f"{C}/sessions/2026-01-12.yaml", "warning")]


# --- SMART lint -------------------------------------------------------------------------------


def test_smart_lint_warns_about_each_missing_part(make_practice):
    goals = """\
goals:
  - id: bare
    title: Feel better
    status: active
    set_date: 2026-01-12
"""
    problems = problems_of(make_practice, with_changes(goals=goals, s1=SESSION_1.replace("measurements:\n  presentations: 8\n", ""),
                                                        s2="date: 2026-01-26\nkind: session\n"))
    codes = {p.code for p in problems}
    assert {"no-measure", "no-target-date", "no-action-step", "no-own-words", "no-relevant",
            "review-overdue"} <= codes
    assert all(p.severity == "warning" for p in problems)
    # review due 6 weeks after 2026-01-12 (the default review_every_weeks), i.e. 2026-02-23
    assert "2026-02-23" in only(problems, "review-overdue")[0].message


def test_smart_lint_measure_without_baseline_or_target_and_passed_dates(make_practice):
    goals = GOALS.replace("    baseline: 8\n    target: 50% lower\n", "").replace(
        "target_date: 2026-05-29", "target_date: 2026-03-01").replace("review_date: 2026-04-20", "review_date: 2026-03-30")
    problems = problems_of(make_practice, with_changes(goals=goals))
    assert {p.code for p in problems} == {"no-baseline", "no-target", "target-date-passed", "review-overdue"}
    assert only(problems, "target-date-passed")[0].line == line_of(goals, "target_date")
    assert only(problems, "review-overdue")[0].line == line_of(goals, "review_date")


def test_smart_lint_skips_closed_goals_and_paused_clients(make_practice):
    goals = GOALS.replace("target_date: 2026-05-29", "target_date: 2026-03-01")
    client = CLIENT.replace("status: active", "status: paused")
    assert problems_of(make_practice, with_changes(goals=goals, client=client)) == []
    assert problems_of(make_practice, with_changes(goals=goals.replace("status: active", "status: achieved"))) == []


def test_every_code_is_documented():
    # Every code says what it means (that each is reported somewhere: test_bad_corpus).
    assert all(CODES[c].strip() for c in CODES)


@pytest.mark.parametrize("settings", [
    "name: P\nclinicians:\n  - id: tc\n    name: T\ntoday: 2026-03-31\nbogus: 1\n",
])
def test_goalbook_yaml_with_errors_still_checks_the_rest(make_practice, settings):
    files = with_changes(s2=SESSION_2.replace("presentations: 6", "presentation: 6"))
    files["goalbook.yaml"] = settings
    practice, problems = check_practice(make_practice(files))
    assert practice is not None
    assert {p.path for p in problems if p.is_error} == {"goalbook.yaml", f"{C}/sessions/2026-01-26.yaml"}


def test_a_broken_practice_instrument_is_reported_once_not_at_every_use(make_practice, tmp_path):
    files = with_changes(s2=SESSION_2.replace("gad7: [1, 2, 1, 2, 1, 0, 1]", "mood: {total: 3}"))
    files["instruments/mood.yaml"] = "id: mood\nname: [unclosed\n"
    problems = problems_of(make_practice, files)
    assert {p.path for p in problems} == {"instruments/mood.yaml"}
    assert all(p.line >= 1 for p in problems)
    # and without a definition at all, the use is an unknown questionnaire
    del files["instruments/mood.yaml"]
    _, problems = check_practice(make_practice(files, root=tmp_path / "without-definition"))
    assert [p.code for p in problems] == ["unknown-instrument"]
