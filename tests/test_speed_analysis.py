"""The analysis shortcuts must give exactly what the plain ways give, on many generated inputs.

Each test compares a fast path with the slow way it replaced (kept here as the reference), value for
value: floats are compared with ==, since the book prints them.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from goalbook import number_text
from goalbook.clinical import progress, scoring
from goalbook.clinical.instruments import load_instruments
from goalbook.records import model
from goalbook.views import goal_views
from goalbook.views.goal_views import MAX_REPORTS_SHOWN, MAX_WEEKS_SHOWN, MONTHS, WeekView
from goalbook.views.score_views import ItemCell, ItemCells, anchor

INSTRUMENTS, _ = load_instruments(None)
D = date.fromisoformat


# --- Scoring: the book's score without the worked steps -----------------------------------------------


def random_answers(rng: random.Random, inst, *, wild: bool = False) -> list[object]:
    answers: list[object] = [rng.choice(item.values) for item in inst.items]
    for i in range(len(answers)):
        roll = rng.random()
        if roll < 0.08:
            answers[i] = None
        elif wild and roll < 0.16:
            answers[i] = rng.choice([True, False, 1.0, "2", -1, 99, [1], max(inst.items[i].values) + 1])
    if wild and rng.random() < 0.1:
        answers = answers[:-1] if rng.random() < 0.5 else answers + [0]
    return answers


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_score_without_the_working_is_the_score_less_its_steps(instrument_id):
    inst = INSTRUMENTS[instrument_id]
    rng = random.Random(instrument_id)
    compared = 0
    for _ in range(400):
        answers = random_answers(rng, inst)
        if scoring.answer_problems(inst, answers):
            continue
        full = scoring.score(inst, answers)
        assert scoring.score(inst, answers, worked=False) == replace(full, steps=())
        compared += 1
    assert compared > 50


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_answer_problems_bulk_check_agrees_with_the_item_by_item_one(instrument_id, monkeypatch):
    inst = INSTRUMENTS[instrument_id]
    rng = random.Random(instrument_id)
    cases = [random_answers(rng, inst, wild=True) for _ in range(400)]
    fast = [scoring.answer_problems(inst, answers) for answers in cases]
    monkeypatch.setattr(scoring, "_all_plain_options", lambda items, answers: False)
    assert fast == [scoring.answer_problems(inst, answers) for answers in cases]
    assert any(fast) and not all(fast)


# --- Anchors: a slug needs no regex ---------------------------------------------------------------------


def regex_anchor(*parts: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


def test_anchor_agrees_with_the_regex_on_random_parts():
    pieces = ["adm", "phq9", "2025-10-13", "-", "--", "a", "Z", "0", "_", " ", ".", "/", "é", "\u212a", "İ", "ß",
              "ﬁ", "Ω", "\t", "x-y", "GAD-7", ""]
    rng = random.Random(6)
    for _ in range(5000):
        parts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 3))]
        assert anchor(*parts) == regex_anchor(*parts), parts


# --- Item cells: shared within a view -------------------------------------------------------------------


def test_shared_item_cells_equal_fresh_ones():
    rng = random.Random(9)
    made = ItemCells()
    for _ in range(500):
        answers = [rng.choice([None, 0, 1, 2, 3]) for _ in range(rng.randint(1, 12))]
        flagged = {n for n in range(1, len(answers) + 1) if rng.random() < 0.1}
        assert made.row(answers, flagged) == [
            ItemCell(i + 1, "—" if a is None else str(a), (i + 1) in flagged) for i, a in enumerate(answers)]


# --- Adherence: per-day list and week tallies ----------------------------------------------------------


def dict_adherence(step, reports, *, start: date, end: date) -> list[progress.WeekAdherence]:
    """``progress.adherence`` as it was: a dict of days, a week's days looked up one by one."""
    per_day = progress.PER_DAY[step.per] * step.times
    done_on: dict[int, float] = {}
    for report in reports:
        share = report.times / report.days
        first = report.first_day.toordinal()
        for day in range(first, first + report.days):
            done_on[day] = done_on.get(day, 0.0) + share
    weeks = []
    first_day, last_day = start.toordinal(), end.toordinal()
    monday = first_day - start.weekday()
    while monday <= last_day:
        days = range(max(monday, first_day), min(monday + 6, last_day) + 1)
        recorded = [d for d in days if d in done_on]
        done = sum(done_on[d] for d in recorded)
        expected = per_day * len(recorded)
        monday_date = date.fromordinal(monday)
        iso = monday_date.isocalendar()
        # The reports covering the week's days, each said as its own percent (one report: the week's).
        parts = tuple(r.percent for r in reports if recorded and r.first_day.toordinal() <= days[-1]
                      and r.first_day.toordinal() + r.days - 1 >= days[0]) if days else ()
        percent = done / expected * 100 if recorded and expected else None
        weeks.append(progress.WeekAdherence(
            year=iso[0], week=iso[1], start=monday_date, days=len(days), prescribed=per_day * len(days),
            done=done, recorded_days=len(recorded),
            percent=parts[0] if len(parts) == 1 else percent, parts=parts,
        ))
        monday += 7
    return weeks


def random_sessions(rng: random.Random, step_id: str, start: date) -> list[model.Session]:
    """Contacts around ``start``: some the same day, some missed, some without this step's report."""
    sessions = []
    day = start - timedelta(days=rng.randint(0, 20))
    for k in range(rng.randint(0, 25)):
        day += timedelta(days=rng.choice([0, 1, 3, 7, 7, 7, 14, 30]))
        kind = rng.choice(["session", "session", "session", "review", "did-not-attend", "cancelled", "intake"])
        homework = {step_id: rng.randint(0, 12)} if rng.random() < 0.8 else {}
        sessions.append(model.Session(day, kind, f"clients/x/sessions/{day}-{k}.yaml", time=f"{10 + k % 3}:00",
                                      homework=homework))
    return sorted(sessions, key=lambda s: s.sort_key)


def random_step(rng: random.Random) -> model.ActionStep:
    return model.ActionStep(id="walk", action="Walk", times=rng.randint(1, 7), per=rng.choice(["day", "week", "month"]),
                            goal_id="g")


def test_adherence_agrees_with_the_dict_of_days():
    rng = random.Random(17)
    for _ in range(600):
        step = random_step(rng)
        start = D("2025-09-01") + timedelta(days=rng.randint(0, 60))
        end = start + timedelta(days=rng.randint(-10, 200))
        sessions = random_sessions(rng, step.id, start)
        reports = progress.step_reports(step, sessions, start=start)
        assert progress.adherence(step, sessions, start=start, end=end) == dict_adherence(step, reports, start=start,
                                                                                           end=end)


def week_view_totals_step_view(step, goal, client, today):
    """``goal_views._step_view`` as it was: every week made a view, the totals taken from the views."""
    with_homework = [s.date for s in client.sessions if step.id in s.homework]
    end = today if goal.status == "active" else (max(with_homework) if with_homework else goal.set_date)
    all_reports = progress.step_reports(step, client.sessions, start=goal.set_date)
    raw = (progress.adherence(step, client.sessions, start=goal.set_date, end=end, reports=all_reports)
           if end >= goal.set_date else [])
    per_day = step.times * progress.PER_DAY.get(step.per, 0.0)
    weeks = [WeekView(w.start, f"{w.start.day} {MONTHS[w.start.month - 1]}", w.prescribed,
                      round(per_day * w.recorded_days, 6), w.done, w.recorded_days > 0,
                      days=w.days, covered=w.recorded_days, parts=w.parts) for w in raw]
    reports = [r for r in all_reports if r.date <= end]
    shown_reports = reports[::-1][:MAX_REPORTS_SHOWN]
    known = [w for w in weeks if w.known]
    done = sum(w.done for w in known)
    expected = sum(w.expected for w in known)
    hidden = max(0, len(weeks) - MAX_WEEKS_SHOWN)
    return goal_views.StepView(
        id=step.id, action=step.action, frequency=goal_views._frequency(step), weeks=weeks[hidden:], done=done,
        prescribed=expected, percent=(100 * done / expected) if expected else None,
        weeks_met=sum(w.met for w in weeks), weeks_known=len(known), hidden_weeks=hidden, reports=shown_reports,
        hidden_reports=len(reports) - len(shown_reports))


def test_step_view_totals_agree_with_totals_over_every_week_view():
    rng = random.Random(23)
    for _ in range(400):
        step = random_step(rng)
        set_date = D("2025-09-01") + timedelta(days=rng.randint(0, 60))
        goal = model.Goal(id="g", title="A goal", status=rng.choice(["active", "achieved", "paused"]),
                          set_date=set_date, steps=(step,))
        client = model.Client(id="x", name="X", clinician="c", start_date=set_date, status="active",
                              folder="clients/x", goals=[goal], sessions=random_sessions(rng, step.id, set_date))
        today = set_date + timedelta(days=rng.randint(-5, 300))
        fast = goal_views._step_view(step, goal, client, today)
        slow = week_view_totals_step_view(step, goal, client, today)
        assert fast == slow
        assert type(fast.done) is type(slow.done) and type(fast.prescribed) is type(slow.prescribed)


# --- Measurements: each value's text once ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rating", "gas", "count"])
def test_session_points_agree_with_one_text_per_measurement(kind):
    rng = random.Random(kind)
    measure = model.Measure(type=kind)
    goal = model.Goal(id="g", title="A goal", status="active", set_date=D("2025-09-01"), measure=measure)
    values = [-2, -1, 0, 1, 2] if kind == "gas" else [0, 1, 2.5, 3, 7.25, 10, 0.04, -0.04, 9.96]
    sessions = [model.Session(D("2025-09-01") + timedelta(days=7 * k), "session", f"s{k}.yaml",
                              measurements={"g": rng.choice(values)} if rng.random() < 0.8 else {})
                for k in range(200)]
    client = model.Client(id="x", name="X", clinician="c", start_date=D("2025-09-01"), status="active",
                          folder="clients/x", goals=[goal], sessions=sessions)
    assert goal_views._session_points(goal, client) == [
        goal_views.MeasurePoint(s.date, float(s.measurements["g"]),
                                    goal_views._level_or_num(goal, s.measurements["g"]), "session")
        for s in sessions if "g" in s.measurements]


# --- Numbers: one decimal without round() ---------------------------------------------------------------


def rounded_short_number(x, empty="—"):
    """``number_text.short_number`` by the book's one rounding rule: half up on the decimal text, to one
    decimal, then drop a ".0"."""
    from decimal import ROUND_HALF_UP, Decimal

    if x is None:
        return empty
    x = float(x)
    if math.isfinite(x) and abs(x) < 1e15:
        x = float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if not math.isfinite(x):
        return f"{x:.1f}"
    return str(int(x)) if x.is_integer() else f"{x:.1f}"


def test_short_number_agrees_with_rounding_first():
    rng = random.Random(10)
    values: list[object] = [None, 0, -0.0, 0.05, -0.05, 0.04, -0.04, 0.15, 0.25, 0.35, 9.95, 9.96, -9.95, 1e16, 1e300,
                            -1e300, 2**53 + 1, float("inf"), float("-inf"), float("nan"), True, 123456789.95]
    values += [rng.randint(-1000, 1000) for _ in range(2000)]
    values += [k / d for k in range(-3000, 3000) for d in (3, 7, 20, 40, 100, 1000)]
    values += [rng.uniform(-1e6, 1e6) for _ in range(20000)] + [rng.uniform(-1, 1) for _ in range(20000)]
    for x in values:
        assert number_text.short_number(x) == rounded_short_number(x), x
    assert number_text.short_number(None, "") == ""


# --- Scores: worked out once per client, read by the page and the outcome courses ------------------------


def test_a_view_from_the_clients_scores_equals_one_scored_on_its_own(example_practice):
    from goalbook.checks import check_practice
    from goalbook.views import book_views
    from goalbook.views.score_views import client_scores, score_of

    practice, _ = check_practice(example_practice)
    assert practice is not None
    compared = 0
    for client in practice.clients:
        scores = client_scores(client, practice)
        known = [a for s in client.sessions for a in s.administrations if a.instrument in practice.instruments]
        assert len(scores) == len(known)  # one key per administration: none read another's score
        for a in known:
            assert scores[(a.session_file, a.instrument)] == score_of(practice.instruments[a.instrument], a)
            compared += 1
        for audience in ("clinician", "client"):
            assert (book_views.client_view(practice, client, audience=audience, scores=scores)
                    == book_views.client_view(practice, client, audience=audience))
    assert compared > 20
