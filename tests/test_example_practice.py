"""The example practice tells every story the product has to show, and `goalbook check` passes on it.

Clinical expectations use the published rules (see /work/shared/instruments.md), applied here by
hand to the answers as written, not goalbook's own scoring: PHQ-9 and GAD-7 totals are plain sums;
NHS Talking Therapies caseness is PHQ-9 ≥ 10 or GAD-7 ≥ 8, recovery is PHQ-9 ≤ 9 and GAD-7 ≤ 7 at
the end, reliable deterioration is PHQ-9 up by ≥ 6 or GAD-7 up by ≥ 4 (first → latest).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from goalbook.cli import main
from goalbook.records.load import load_practice
from goalbook.records.model import Client, Practice

EXAMPLE = Path(__file__).resolve().parent.parent / "example-practice"
TODAY = date(2026, 3, 31)
# Item count and highest answer of each form, from the published questionnaires.
FORMS = {"phq9": (9, 3), "gad7": (7, 3), "pcl5": (20, 4), "core10": (10, 4), "who5": (5, 5), "dass21": (21, 3)}


@pytest.fixture(scope="module")
def practice(example_practice) -> Practice:
    loaded, problems = load_practice(example_practice)
    assert loaded is not None
    assert [p for p in problems if p.is_error] == []
    return loaded


def totals(client: Client, instrument: str) -> list[int]:
    """Plain sums of the item answers, in date order (PHQ-9 and GAD-7 have no reversed items)."""
    return [sum(a.answers) for a in client.administrations(instrument) if a.answers]


def contacts(client: Client) -> list[date]:
    return [s.date for s in client.sessions if s.kind not in ("did-not-attend", "cancelled")]


def test_check_passes_on_the_example(example_practice):
    result = CliRunner().invoke(main, ["check", str(example_practice)])
    assert result.exit_code == 0, result.output


def test_every_file_has_a_modeline_that_resolves_in_this_repository():
    files = sorted(EXAMPLE.rglob("*.yaml"))
    assert len(files) > 60
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert found, path
        assert (path.parent / found.group(1)).resolve().is_file(), path


def test_settings(practice):
    assert len(practice.clinicians) == 2
    assert practice.today == TODAY and practice.today_fixed
    assert "work-life-balance" in practice.categories
    assert "fixes" in (EXAMPLE / "goalbook.yaml").read_text() or "Fixed" in (EXAMPLE / "goalbook.yaml").read_text()


def test_clients_have_hopes_focus_areas_schedules_and_months_of_sessions(practice):
    assert len(practice.clients) >= 6
    assert {c.clinician for c in practice.clients} == set(practice.clinicians)
    long_running = 0
    for client in practice.clients:
        assert client.hopes and client.focus_areas and client.questionnaires, client.id
        assert [f.priority for f in client.focus_areas] == sorted(f.priority for f in client.focus_areas)
        dates = [s.date for s in client.sessions]
        assert all(date(2025, 10, 1) <= d <= TODAY for d in dates), client.id
        if dates and (dates[-1] - dates[0]).days >= 90:
            long_running += 1
    assert long_running >= 5


def test_goals_carry_every_smart_field(practice):
    goals = [g for c in practice.clients for g in c.goals]
    assert len(goals) >= 12
    for g in goals:
        assert g.title and g.own_words and g.category and g.focus_area, g.id
        assert g.achievable and g.relevant and g.measure and g.target_date and g.review_date, g.id
        assert g.steps, g.id
        if g.measure.type != "gas":
            assert g.baseline is not None and g.target is not None, g.id
        assert g.category in practice.categories


def test_sessions_have_markdown_notes_and_some_private_notes(practice):
    sessions = [s for c in practice.clients for s in c.sessions]
    assert all(s.notes.strip() for s in sessions)
    assert any(re.search(r"\*\*|\*[^*]+\*|^\s*(- |1\. )", s.notes, re.MULTILINE) for s in sessions)
    assert sum(bool(s.private_notes) for s in sessions) >= 5


def test_answers_are_valid_for_each_instrument(practice):
    seen = set()
    for client in practice.clients:
        for a in client.administrations():
            if a.answers is None:
                continue
            items, highest = FORMS[a.instrument]
            assert len(a.answers) == items, (client.id, a.instrument, a.date)
            assert all(isinstance(x, int) and 0 <= x <= highest for x in a.answers), (client.id, a.date)
            seen.add(a.instrument)
    assert {"phq9", "gad7", "pcl5", "dass21"} <= seen and seen & {"core10", "who5"}


# --- The required stories ---------------------------------------------------------------------


def test_anxiety_at_work_presentations(practice):
    client = next(c for c in practice.clients if "gad7" in {q.instrument for q in c.questionnaires}
                  and any(g.target and g.target.relative == "lower" for g in c.goals))
    goal = next(g for g in client.goals if g.target and g.target.relative)
    assert goal.measure.type == "rating" and (goal.measure.min, goal.measure.max) == (0, 10)
    assert (goal.target.percent, goal.target.relative) == (50, "lower")
    assert goal.target.resolve(goal.baseline) == goal.baseline / 2
    step = next(s for s in goal.steps if "breathing" in s.action.lower())
    assert (step.times, step.per) == (3, "week")
    # Homework is counted at every session after the step was set.
    later = [s for s in client.sessions if s.date > goal.set_date and s.kind in ("session", "review")]
    assert len(later) >= 10 and all(step.id in s.homework for s in later)


def test_low_mood_walking_and_sleep(practice):
    client = next(c for c in practice.clients if any(
        s.times == 5 and s.per == "week" and "walk" in s.action.lower() for g in c.goals for s in g.steps))
    assert "phq9" in {q.instrument for q in client.questionnaires}
    assert any("sleep" in (g.id + g.title).lower() for g in client.goals)


def test_assertiveness_count_and_weighted_gas(practice):
    goals = [g for c in practice.clients for g in c.goals]
    count = next(g for g in goals if g.category == "communication-skills" and g.measure.type == "count")
    assert count.measure.per == "week" and count.target.value == 2
    gas = next(g for g in goals if g.measure.type == "gas")
    assert sorted(gas.measure.levels) == [-2, -1, 0, 1, 2]
    assert all(text.strip() for text in gas.measure.levels.values())
    assert gas.measure.weight != 1


def test_trauma_with_a_revised_goal(practice):
    client = next(c for c in practice.clients if "pcl5" in {q.instrument for q in c.questionnaires})
    assert len(client.administrations("pcl5")) >= 3
    new = next(g for g in client.goals if g.revises)
    old = client.goal(new.revises)
    assert old is not None and old.status == "revised" and new.set_date > old.set_date


def test_gratitude_journal_three_a_day(practice):
    assert any(s.times == 3 and s.per == "day" and "journal" in s.action.lower()
               for c in practice.clients for g in c.goals for s in g.steps)


def test_risk_item_endorsed_with_a_private_follow_up_note(practice):
    found = [(c, a) for c in practice.clients for a in c.administrations("phq9") if a.answers and a.answers[8] > 0]
    assert found
    client, administration = found[0]
    same_day = [s for s in client.sessions if s.date == administration.date]
    notes = " ".join(s.private_notes.lower() for s in same_day)
    assert "safety plan" in notes and ("phoned" in notes or "contacted" in notes)


def test_reliable_deterioration(practice):
    def deteriorated(c: Client) -> bool:
        phq, gad = totals(c, "phq9"), totals(c, "gad7")
        return (len(phq) > 1 and phq[-1] - phq[0] >= 6) or (len(gad) > 1 and gad[-1] - gad[0] >= 4)

    assert [c.id for c in practice.clients if deteriorated(c)]


def test_discharged_client_with_goals_achieved(practice):
    client = next(c for c in practice.clients if c.status == "discharged")
    assert client.end_date is not None
    assert client.sessions[-1].kind == "discharge" and client.sessions[-1].date == client.end_date
    assert client.goals and all(g.status == "achieved" for g in client.goals)


def test_paired_phq9_and_gad7_with_one_recovery(practice):
    paired = [c for c in practice.clients if len(totals(c, "phq9")) > 1 and len(totals(c, "gad7")) > 1]
    assert len(paired) >= 2

    def recovered(c: Client) -> bool:
        phq, gad = totals(c, "phq9"), totals(c, "gad7")
        return (phq[0] >= 10 or gad[0] >= 8) and phq[-1] <= 9 and gad[-1] <= 7

    assert any(recovered(c) for c in paired)


def test_the_smaller_cases(practice):
    sessions = [(c, s) for c in practice.clients for s in c.sessions]
    assert any(a.total is not None and a.answers is None for _, s in sessions for a in s.administrations)
    assert any(s.kind == "check-in" and re.search(r"\d{4}-\d{2}-\d{2}-[a-z]", s.file) for _, s in sessions)
    assert any(s.kind == "did-not-attend" for _, s in sessions)
    statuses = {g.status for c in practice.clients for g in c.goals}
    assert {"paused", "proposed", "revised", "achieved", "active"} <= statuses
    referred = [c for c in practice.clients if c.status == "referred"]
    assert referred and all([s.kind for s in c.sessions] == ["intake"] for c in referred)


def test_the_caseload_has_alerts_to_show(practice):
    active = [c for c in practice.clients if c.status == "active"]
    overdue_questionnaire = [
        c.id for c in active for q in c.questionnaires
        if not c.administrations(q.instrument)
        or TODAY - max(a.date for a in c.administrations(q.instrument)) >= timedelta(weeks=q.every_weeks)
    ]
    assert overdue_questionnaire
    assert any(g.status == "active" and g.review_date < TODAY for c in active for g in c.goals)
    not_seen = [c.id for c in active if (TODAY - max(contacts(c))).days > 28]
    assert not_seen
    # Everyone else has been seen recently: the alerts stand out.
    assert len(not_seen) == 1


def test_dass21_given_over_the_course_so_the_subscales_show(practice):
    client = next(c for c in practice.clients if "dass21" in {q.instrument for q in c.questionnaires})
    given = [a for a in client.administrations("dass21") if a.answers]
    assert len(given) >= 3
    # The stress subscale (items 1 6 8 11 12 14 18) falls from first to last, as the notes tell.
    stress = [sum(a.answers[i - 1] for i in (1, 6, 8, 11, 12, 14, 18)) for a in given]
    assert stress[-1] < stress[0]


def _measured(client: Client, goal_id: str) -> list[float]:
    return [s.measurements[goal_id] for s in client.sessions if goal_id in s.measurements]


def test_goals_tell_varied_stories(practice):
    """Not every goal is "target reached": some are under way, one has stalled, one went the wrong
    way, and an active client has an achieved goal. Worked out from the measurements as written."""
    under_way, reached, stalled, worse = [], [], [], []
    for client in practice.clients:
        for g in client.goals:
            if g.status != "active" or g.measure.type not in ("rating", "count"):
                continue
            values = _measured(client, g.id)
            target = g.target.resolve(g.baseline)
            lower = target < g.baseline  # the goal's direction, from target against baseline
            last = values[-1]
            done = last <= target if lower else last >= target
            (reached if done else under_way).append(g.id)
            if not done and len(values) >= 3 and len(set(values[-3:])) == 1:
                stalled.append(g.id)
            if (last > g.baseline) if lower else (last < g.baseline):
                worse.append(g.id)
    assert len(under_way) >= 3 and reached
    assert stalled and worse
    assert any(g.status == "achieved" for c in practice.clients if c.status == "active" for g in c.goals)
