"""Adherence a client recognises: every weekly number is a report's own percent (a week two reports
share shows both), and action steps as prescribed — starting after their goal (`from:`) and with a
duration (`minutes:`). Hand-worked cases, arithmetic in comments."""

from __future__ import annotations

from datetime import date

import pytest

from goalbook.checks import check_practice
from goalbook.clinical import progress
from goalbook.records import model
from goalbook.views import book_views


def _session(day: str, **homework: int) -> model.Session:
    return model.Session(date.fromisoformat(day), "session", f"clients/x/sessions/{day}.yaml", homework=homework)


STEP = model.ActionStep("walk", "Walk", 3, "week", "g")


def test_a_week_split_between_two_reports_shows_both_never_the_blend():
    # Start Mon 5 Jan; contacts Wed 7 Jan (1 time) and Wed 14 Jan (3 times); 3 times a week = 3/7 a day.
    # Report 1 covers 5–7 Jan: asked 3/7 × 3 = 1.29, done 1 → 77.8 %; report 2 covers 8–14 Jan: asked
    # 3/7 × 7 = 3, done 3 → 100 %. The week of 5 Jan (5–11) holds days of both: the blend
    # (1 + 3 × 4/7) / 3 = 90.5 % is a number no report said, so the week shows 78 % and 100 %.
    sessions = [_session("2026-01-07", walk=1), _session("2026-01-14", walk=3)]
    weeks = progress.adherence(STEP, sessions, start=date(2026, 1, 5), end=date(2026, 1, 14))
    assert [w.start for w in weeks] == [date(2026, 1, 5), date(2026, 1, 12)]
    assert weeks[0].parts == pytest.approx((100 / 1.2857142857142858, 100.0))
    # The week of 12 Jan (12–14, inside report 2 only): report 2's own percent.
    assert weeks[1].parts == (100.0,) and weeks[1].percent == 100.0


def test_split_week_cell_and_met_in_the_book_view():
    from goalbook.views.goal_views import WeekView

    # Parts 33.3 % and 100 %: the cell says both; the aim is not met (one report fell short).
    week = WeekView(date(2026, 1, 5), "5 Jan", 3, 3, 1.3, True, parts=(100 / 3, 100.0))
    assert week.text == "33% / 100%" and not week.met
    assert WeekView(date(2026, 1, 5), "5 Jan", 3, 3, 3, True, parts=(100.0, 100.0)).met


GOALS = """\
goals:
  - id: move
    title: Move more
    status: active
    set_date: 2026-01-05
    target_date: 2026-06-30
    measure: {type: count, label: Walks, per: week}
    baseline: 0
    target: 5
    steps:
      - id: walk
        action: Brisk walk
        times: 5
        per: week
        minutes: 30
        from: 2026-01-19
"""

CLIENT = """\
id: ij
name: Iris J.
clinician: tc
start_date: 2026-01-05
status: active
"""


def _view(make_practice, sessions: dict[str, str]):
    files = {"clients/ij/client.yaml": CLIENT, "clients/ij/goals.yaml": GOALS}
    files.update({f"clients/ij/sessions/{d}.yaml": text for d, text in sessions.items()})
    practice, problems = check_practice(make_practice(files))
    assert practice is not None and not [p for p in problems if p.is_error], problems
    return book_views.client_view(practice, practice.client("ij")).goals[0].steps[0]


def test_a_step_from_a_later_day_is_measured_from_then(make_practice):
    # The goal was set 5 Jan; the walk starts Mon 19 Jan. Contacts 19 Jan and 2 Feb: the report of
    # 2 Feb covers 20 Jan – 2 Feb (14 days): asked 5/7 × 14 = 10, done 10 → 100 %.
    step = _view(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\n",
        "2026-01-19": "date: 2026-01-19\nkind: session\n",
        "2026-02-02": "date: 2026-02-02\nkind: session\nhomework:\n  walk: 10\n",
    })
    assert step.start == date(2026, 1, 19)
    assert step.weeks[0].start == date(2026, 1, 19)  # no weeks before the step started
    assert [(r.first_day, r.days, r.asked, r.percent) for r in step.reports] == \
        [(date(2026, 1, 20), 14, pytest.approx(10), pytest.approx(100))]
    assert step.frequency == "30 minutes, 5 times a week"


def test_minutes_are_measured_against_the_minutes_asked(make_practice):
    # 19 Jan → 26 Jan: 7 days, 5 times × 30 minutes asked = 150 minutes; reported 4 times, 110 minutes:
    # times 4 / 5 = 80 %, minutes 110 / 150 = 73.3 %.
    step = _view(make_practice, {
        "2026-01-19": "date: 2026-01-19\nkind: session\n",
        "2026-01-26": "date: 2026-01-26\nkind: session\nhomework:\n  walk: {times: 4, minutes: 110}\n",
    })
    (report,) = step.reports
    assert report.percent == pytest.approx(80) and report.minutes_percent == pytest.approx(110 / 150 * 100)
    assert (step.minutes_done, step.minutes_asked) == (110, pytest.approx(150))
    assert round(step.minutes_percent, 1) == 73.3


def test_minutes_show_in_the_book(make_practice, tmp_path):
    from click.testing import CliRunner

    from goalbook.cli import main

    files = {"clients/ij/client.yaml": CLIENT, "clients/ij/goals.yaml": GOALS,
             "clients/ij/sessions/2026-01-19.yaml": "date: 2026-01-19\nkind: session\n",
             "clients/ij/sessions/2026-01-26.yaml":
                 "date: 2026-01-26\nkind: session\nhomework:\n  walk: {times: 4, minutes: 110}\n"}
    root = make_practice(files)
    result = CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "book")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "book" / "clients" / "ij.html").read_text()
    assert "30 minutes, 5 times a week" in html
    assert "Minutes: <strong>73% of the aim</strong> (110 of 150 minutes" in html
    assert "Since 19 Jan 2026 (when this step started)" in html


def test_new_session_asks_for_minutes_and_not_for_a_step_not_started(make_practice):
    from goalbook.scaffold import session_prefill

    files = {"clients/ij/client.yaml": CLIENT, "clients/ij/goals.yaml": GOALS}
    practice, _ = check_practice(make_practice(files))
    client = practice.client("ij")
    # The walk starts on 19 Jan: not asked on 12 Jan; asked with its minutes on 26 Jan.
    assert session_prefill(client, practice.instruments, date(2026, 1, 12))["homework"] == []
    (line,) = session_prefill(client, practice.instruments, date(2026, 1, 26))["homework"]
    assert line.line == "walk: {times: ~, minutes: ~}" and "30 minutes, 5 times a week" in line.note
