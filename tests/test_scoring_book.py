"""How the book words questionnaire results: subscales, total-only and prorated rows, the critical-item
alert rule, the NHS Talking Therapies scope rule, and questionnaire-subscale goals. Expected values are
worked out by hand from the published rules (/work/shared/instruments.md)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from goalbook.clinical.instruments import load_instruments
from goalbook.records import model
from goalbook.views import goal_views
from goalbook.views.score_views import (
    instrument_view,
    nhs_view,
    treatment_appointments,
)

INSTRUMENTS, _ = load_instruments(None)
DASS_DEP, DASS_ANX, DASS_STR = (3, 5, 10, 13, 16, 17, 21), (2, 4, 7, 9, 15, 19, 20), (1, 6, 8, 11, 12, 14, 18)


def D(s: str) -> date:
    return date.fromisoformat(s)


def adm(instrument: str, day: str, answers=None, total=None, file: str | None = None) -> model.Administration:
    return model.Administration(instrument, D(day), tuple(answers) if answers is not None else None, total,
                                file or f"clients/x/sessions/{day}.yaml")


def dass(dep: int, anx: int, stress: int) -> list[int]:
    """21 answers with every item of a subscale answered the same."""
    out = [0] * 21
    for items, value in ((DASS_DEP, dep), (DASS_ANX, anx), (DASS_STR, stress)):
        for n in items:
            out[n - 1] = value
    return out


# --- Subscales are shown --------------------------------------------------------------------------------


def test_dass21_subscales_in_every_row_with_bands_and_change():
    iv = instrument_view(INSTRUMENTS["dass21"], [
        adm("dass21", "2026-01-05", dass(2, 1, 0)),
        adm("dass21", "2026-02-02", dass(1, 1, 1)),
    ], audience="clinician")
    first, last = ({c.id: (c.total, c.band, c.delta_text) for c in r.subscales} for r in iv.rows)
    # Depression 7 items × 2 = raw 14, × 2 = 28 → extremely severe (28+); anxiety 7 × 1 × 2 = 14 → moderate
    # (10–14); stress 0 → normal (0–14)
    assert first == {"depression": (28, "Extremely severe", ""), "anxiety": (14, "Moderate", ""),
                     "stress": (0, "Normal", "")}
    # Then depression 7 × 1 × 2 = 14 → moderate (14–20), −14; anxiety unchanged 14 → 0;
    # stress 7 × 1 × 2 = 14 → normal (0–14), +14
    assert last == {"depression": (14, "Moderate", "−14"), "anxiety": (14, "Moderate", "0"),
                    "stress": (14, "Normal", "+14")}
    # the chart's scales: every DASS-21 subscale runs 0–42 on the ×2 metric
    assert [(s.id, s.low, s.high, len(s.bands)) for s in iv.subscales] == [
        ("depression", 0, 42, 5), ("anxiety", 0, 42, 5), ("stress", 0, 42, 5)]
    assert "Lovibond" in iv.subscales[0].bands_source
    assert "do not recommend interpreting a total" in iv.total_note


def test_pcl5_cluster_scales():
    iv = instrument_view(INSTRUMENTS["pcl5"], [], audience="clinician")
    # B items 1–5 × 0–4 = 0–20; C 6–7 = 0–8; D 8–14 = 0–28; E 15–20 = 0–24; no published bands
    assert [(s.id, s.low, s.high, s.bands) for s in iv.subscales] == [
        ("intrusion", 0, 20, []), ("avoidance", 0, 8, []), ("cognition-mood", 0, 28, []), ("arousal", 0, 24, [])]


# --- Total-only and prorated rows say what they are -------------------------------------------------


def test_total_only_row_says_the_critical_item_could_not_be_checked():
    iv = instrument_view(INSTRUMENTS["phq9"], [adm("phq9", "2026-01-05", total=12)], audience="clinician")
    row = iv.rows[0]
    assert row.only_total and row.flags == [] and row.items == []
    assert row.items_note == "total only: item answers not recorded, so critical item 9 could not be checked"
    assert "item 9 > 0" in iv.critical_rule
    # the client's share view carries neither
    share = instrument_view(INSTRUMENTS["phq9"], [adm("phq9", "2026-01-05", total=12)], audience="client")
    assert share.rows[0].items_note == "" and share.critical_rule == ""


def test_core10_item6_flag_is_marked_as_a_local_choice_on_the_page():
    iv = instrument_view(INSTRUMENTS["core10"], [], audience="clinician")
    assert "item 6 > 0" in iv.critical_rule and "Local choice" in iv.critical_rule and "unconfirmed" in iv.critical_rule


def test_prorated_row_is_labelled_prorated():
    # CORE-10, item 9 missing: items 2, 3 reverse 1 → 3; answered 3+3+3+2+2+0+3+2+2 = 20 over 9 items;
    # 20 / 9 × 10 = 22.2 (CORE System Trust: mean of the answered items × 10)
    iv = instrument_view(INSTRUMENTS["core10"], [adm("core10", "2026-01-05", [3, 1, 1, 2, 2, 0, 3, 2, None, 2])],
                         audience="clinician")
    row = iv.rows[0]
    assert row.total_text == "22.2" and row.band == "Moderate-to-severe"
    assert row.prorated.startswith("prorated — 1 item missing: mean of 9 answered items")


# --- NHS Talking Therapies: first and last of a course with ≥ 2 treatment appointments ------------------


def client_with(kinds: list[str], status: str = "active") -> model.Client:
    days = [D("2026-01-05") + timedelta(weeks=k) for k in range(len(kinds))]
    return model.Client(id="x", name="X", clinician="mk", start_date=days[0], status=status, folder="clients/x",
                        sessions=[model.Session(d, k, f"clients/x/sessions/{d}.yaml") for d, k in zip(days, kinds)])


def nhs_views(phq: tuple[int, int], gad: tuple[int, int]):
    """PHQ-9 and GAD-7 views with the given first and last totals (given as totals)."""
    p = instrument_view(INSTRUMENTS["phq9"], [adm("phq9", "2026-01-05", total=phq[0]),
                                              adm("phq9", "2026-03-02", total=phq[1])], audience="clinician")
    g = instrument_view(INSTRUMENTS["gad7"], [adm("gad7", "2026-01-05", total=gad[0]),
                                              adm("gad7", "2026-03-02", total=gad[1])], audience="clinician")
    return [p, g]


def test_treatment_appointments_leave_out_intake_assessment_and_missed():
    c = client_with(["intake", "assessment", "session", "did-not-attend", "cancelled", "review"])
    assert treatment_appointments(c) == 2  # session + review


def test_no_paired_outcome_without_two_treatment_appointments():
    # Client A's scores (PHQ-9 16 → 8, GAD-7 13 → 6), but only an intake, an assessment and 1 session
    view = nhs_view(nhs_views((16, 8), (13, 6)), client_with(["intake", "assessment", "session"]))
    assert view is not None and view.eligible is False and view.lines == []
    assert view.summary.startswith("No paired outcome yet: 1 attended treatment appointment so far")
    assert "at least 2 attended treatment appointments" in view.scope


def test_course_not_finished_is_shown_as_so_far():
    # Client A: PHQ-9 −8 ≥ 6, GAD-7 −7 ≥ 4, caseness at start (16 ≥ 10), 8 ≤ 9 and 6 ≤ 7 → reliable recovery
    view = nhs_view(nhs_views((16, 8), (13, 6)), client_with(["intake", "session", "session"]))
    assert view.eligible and view.provisional and view.treatment_appointments == 2
    assert view.summary == "So far: reliable recovery (NHS Talking Therapies)"
    assert view.scope.startswith("Course not finished")


def test_finished_course_is_not_provisional():
    view = nhs_view(nhs_views((16, 8), (13, 6)), client_with(["intake", "session", "discharge"], status="discharged"))
    assert view.eligible and not view.provisional
    assert view.summary == "reliable recovery (NHS Talking Therapies)"
    assert view.scope.startswith("Finished course: first and last scores (2 treatment appointments)")


def test_single_intake_scores_make_no_pair():
    p = instrument_view(INSTRUMENTS["phq9"], [adm("phq9", "2026-01-05", total=16)], audience="clinician")
    g = instrument_view(INSTRUMENTS["gad7"], [adm("gad7", "2026-01-05", total=13)], audience="clinician")
    assert nhs_view([p, g], client_with(["intake"])) is None
    assert p.rows[0].delta_text == "" and p.rows[0].reliable == ""  # no change from first on the first row


# --- Goals measured by a questionnaire subscale; monthly adherence arithmetic ---------------------------


def practice_with(client: model.Client, today: str = "2026-03-31") -> model.Practice:
    return model.Practice(root=Path("."), name="P", clinicians={"mk": model.Clinician("mk", "M K")}, today=D(today),
                          instruments=INSTRUMENTS, clients=[client])


def test_subscale_goal_follows_the_subscale_scores():
    dass_iv = instrument_view(INSTRUMENTS["dass21"], [
        adm("dass21", "2026-01-05", dass(2, 1, 0)), adm("dass21", "2026-02-02", dass(1, 1, 1))],
        audience="clinician")
    goal = model.Goal(id="mood", title="Lift low mood", status="active", set_date=D("2026-01-05"),
                      measure=model.Measure(type="questionnaire", instrument="dass21", subscale="depression"),
                      baseline=28, target=model.Target.parse(13))
    client = client_with(["intake", "session"])
    client.goals = [goal]
    view = goal_views.goal_view(goal, client, practice_with(client), {"dass21": dass_iv}, [])
    # depression ×2 scores 28 then 14 (see above); scale 0–42; (14 − 28) / (13 − 28) = 93.3 %
    assert [(p.date, p.value) for p in view.points] == [(D("2026-01-05"), 28), (D("2026-02-02"), 14)]
    assert (view.low, view.high) == (0, 42)
    assert view.percent == pytest.approx(14 / 15 * 100)
    assert view.measure_text == "DASS-21 Depression subscale score"


def test_monthly_step_asked_uses_twelve_fifty_seconds_of_a_week():
    step = model.ActionStep(id="budget", action="Review the budget", times=1, per="month", goal_id="money")
    goal = model.Goal(id="money", title="Money worries", status="achieved", set_date=D("2026-03-02"), steps=(step,))
    client = client_with(["intake"])
    client.sessions = [model.Session(D("2026-03-02"), "intake", "clients/x/sessions/2026-03-02.yaml"),
                       model.Session(D("2026-03-30"), "session", "clients/x/sessions/2026-03-30.yaml",
                                     homework={"budget": 1})]
    client.goals = [goal]
    sv = goal_views._step_view(step, goal, client, D("2026-03-31"))
    # The report on 03-30 covers 03-03 … 03-30 (28 days; the intake on 03-02 was the contact before).
    # 1 a month = 12/52 a week = 12/364 a day → 28 × 12/364 = 12/13 = 0.923 asked; done 1 → 108.3 %
    assert sv.prescribed == pytest.approx(12 / 13, abs=1e-5)  # 12/365 a day would give 0.9205

    assert sv.percent == pytest.approx(13 / 12 * 100, abs=1e-3)
