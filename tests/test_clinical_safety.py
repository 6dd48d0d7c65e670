"""Risk is never left in a table cell: critical items at any contact and status, a critical item left
unanswered, and data recorded at a contact that did not take place. Hand-worked cases."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from goalbook.checks import check_practice
from goalbook.cli import main
from goalbook.clinical import progress
from goalbook.views import book_views

CLIENT = """\
id: ef
name: Eli F.
clinician: tc
start_date: 2026-01-05
status: {status}
{end}questionnaires:
  - instrument: phq9
    every_weeks: 2
"""

GOALS = """\
goals:
  - id: walk
    title: Walk to the park
    status: {goal_status}
    set_date: 2026-01-05
    measure: {{type: count, label: Walks, per: week}}
    baseline: 0
    target: 3
    steps:
      - id: walk-out
        action: Walk to the park
        times: 3
        per: week
"""


def _practice(make_practice, sessions: dict[str, str], status: str = "active"):
    end = "end_date: 2026-03-02\n" if status == "discharged" else ""
    files = {
        "clients/ef/client.yaml": CLIENT.format(status=status, end=end),
        "clients/ef/goals.yaml": GOALS.format(goal_status="active" if status == "active" else "achieved"),
    }
    files.update({f"clients/ef/sessions/{name}.yaml": text for name, text in sessions.items()})
    root = make_practice(files)
    practice, problems = check_practice(root)
    assert practice is not None and not [p for p in problems if p.is_error], problems
    return practice, problems


def _view(practice):
    return book_views.client_view(practice, practice.client("ef"))


# --- 1. A critical item endorsed at any kind of contact, whatever the client's status, alerts -----

DISCHARGE_WITH_ITEM_9 = """\
date: 2026-03-02
kind: discharge
questionnaires:
  phq9: [1, 1, 1, 1, 0, 0, 0, 0, 1]
"""


def test_item_9_at_a_discharge_contact_of_a_discharged_client_alerts(make_practice):
    # PHQ-9 item 9 answered 1 > 0 at the discharge contact on 2026-03-02; today 2026-03-31, 29 days later.
    practice, _ = _practice(make_practice, {"2026-01-05": "date: 2026-01-05\nkind: intake\n",
                                            "2026-03-02": DISCHARGE_WITH_ITEM_9}, status="discharged")
    view = _view(practice)
    assert [(a.kind, a.when) for a in view.alerts] == [("critical-item", date(2026, 3, 2))]
    assert "item 9 answered 1" in view.alerts[0].why
    caseload = book_views.practice_view(practice, [view])
    assert [a.client_id for a in caseload.alerts] == ["ef"]  # on the caseload too


def test_discharged_client_still_has_no_other_alerts(make_practice):
    # Nothing endorsed: the discharged client's overdue questionnaire and old contact do not alert.
    practice, _ = _practice(make_practice, {"2026-01-05": "date: 2026-01-05\nkind: intake\n"},
                            status="discharged")
    assert _view(practice).alerts == []


def test_item_9_at_a_cancelled_contact_alerts(make_practice):
    # A cancelled contact holding a PHQ-9 with item 9 = 2: still an alert (and `check` warns about the kind).
    cancelled = "date: 2026-03-23\nkind: cancelled\nquestionnaires:\n  phq9: [0, 0, 0, 0, 0, 0, 0, 0, 2]\n"
    practice, problems = _practice(make_practice, {"2026-01-05": "date: 2026-01-05\nkind: intake\n",
                                                   "2026-03-23": cancelled}, status="paused")
    assert [a.kind for a in _view(practice).alerts] == ["critical-item"]
    assert [p.code for p in problems if p.code == "data-without-contact"] == ["data-without-contact"]


# --- 2. A critical item left unanswered (prorated over) is said ----------------------------------

CORE10_ITEM_6_EMPTY = """\
date: 2026-03-16
kind: session
questionnaires:
  core10: [2, 2, 2, 2, 2, null, 2, 2, 2, 2]
"""


def test_prorated_core10_without_its_risk_item_says_so_on_the_row(make_practice):
    # CORE-10 items 2 and 3 reversed: 4 − 2 = 2 each, so 9 answered items each score 2; item 6 missing.
    # Prorated: mean 18 / 9 = 2 × 10 items = 20.
    practice, _ = _practice(make_practice, {"2026-03-16": CORE10_ITEM_6_EMPTY})
    core = next(iv for iv in _view(practice).instruments if iv.id == "core10")
    row = core.rows[0]
    assert row.total == 20 and row.prorated
    assert row.risk_note == "risk item 6 not answered: the total is prorated without it"
    share = book_views.client_view(practice, practice.client("ef"), audience="client")
    assert all(not r.risk_note for iv in share.instruments for r in iv.rows)  # clinician only


def test_total_only_entry_says_the_risk_item_was_not_answered(make_practice):
    total = "date: 2026-03-16\nkind: session\nquestionnaires:\n  phq9: {total: 12}\n"
    practice, _ = _practice(make_practice, {"2026-03-16": total})
    row = next(iv for iv in _view(practice).instruments if iv.id == "phq9").rows[0]
    assert row.risk_note == "risk item 9 not answered: only the total was recorded"


def test_book_pages_say_risk_item_not_answered(make_practice, tmp_path):
    root = make_practice({
        "clients/ef/client.yaml": CLIENT.format(status="active", end=""),
        "clients/ef/goals.yaml": GOALS.format(goal_status="active"),
        "clients/ef/sessions/2026-03-16.yaml": CORE10_ITEM_6_EMPTY,
    })
    result = CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "book")])
    assert result.exit_code == 0, result.output
    client_page = (tmp_path / "book" / "clients" / "ef.html").read_text()
    caseload = (tmp_path / "book" / "index.html").read_text()
    assert "risk item 6 not answered: the total is prorated without it" in client_page  # the score row
    assert client_page.count("risk item not answered") == 1  # beside the latest score
    assert "risk item not answered" in caseload


def test_cli_says_the_risk_item_was_not_answered():
    result = CliRunner().invoke(main, ["score", "core10", "2", "2", "2", "2", "2", "-", "2", "2", "2", "2"])
    assert result.exit_code == 0, result.output
    assert "FLAG risk item 6 not answered: the total is prorated without it" in result.output
    as_json = CliRunner().invoke(main, ["score", "core10", "--json", "2", "2", "2", "2", "2", "-", "2", "2", "2", "2"])
    assert '"critical_unanswered": [6]' in as_json.output


# --- 3. Data at a contact that did not take place: check warns, and the book uses it everywhere -----

DNA_WITH_DATA = """\
date: 2026-01-19
kind: did-not-attend
questionnaires:
  phq9: [2, 2, 2, 2, 2, 0, 0, 0, 0]
measurements:
  walk: 2
homework:
  walk-out: 3
"""


def test_check_warns_about_data_at_a_missed_contact(make_practice):
    _, problems = _practice(make_practice, {"2026-01-05": "date: 2026-01-05\nkind: intake\n",
                                            "2026-01-19": DNA_WITH_DATA})
    (warning,) = [p for p in problems if p.code == "data-without-contact"]
    assert warning.severity == "warning" and warning.path.endswith("2026-01-19.yaml") and warning.line == 2
    assert "1 questionnaire, 1 measurement and 1 homework report" in warning.message


def test_data_at_a_missed_contact_is_used_in_every_view(make_practice):
    practice, _ = _practice(make_practice, {"2026-01-05": "date: 2026-01-05\nkind: intake\n",
                                            "2026-01-19": DNA_WITH_DATA})
    view = _view(practice)
    phq = next(iv for iv in view.instruments if iv.id == "phq9")
    assert [r.total for r in phq.rows] == [10]  # 2 × 5 = 10
    walk = next(g for g in view.goals if g.id == "walk")
    assert [p.value for p in walk.points] == [2]
    client = practice.client("ef")
    step = client.steps()["walk-out"]
    reports = progress.step_reports(step, client.sessions, start=date(2026, 1, 5))
    # Covers 2026-01-06 … 2026-01-19 (14 days after the intake): asked 3/7 × 14 = 6, done 3 → 50 %.
    assert [(r.first_day, r.days, r.times, r.percent) for r in reports] == [(date(2026, 1, 6), 14, 3.0, 50.0)]


def test_a_missed_contact_without_data_is_no_report(make_practice):
    # The 2026-01-12 DNA holds nothing: the 2026-01-19 report still covers the days since the intake.
    practice, problems = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\n",
        "2026-01-12": "date: 2026-01-12\nkind: did-not-attend\n",
        "2026-01-19": "date: 2026-01-19\nkind: session\nhomework:\n  walk-out: 6\n",
    })
    assert not [p for p in problems if p.code == "data-without-contact"]
    client = practice.client("ef")
    reports = progress.step_reports(client.steps()["walk-out"], client.sessions, start=date(2026, 1, 5))
    assert [(r.first_day, r.days) for r in reports] == [(date(2026, 1, 6), 14)]
