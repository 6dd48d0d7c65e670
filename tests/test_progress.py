"""Goal progress (percent of the way, trend, projection) and action-step adherence, worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from goalbook.clinical.instruments import load_instruments
from goalbook.clinical.progress import adherence, effective_direction, goal_progress
from goalbook.records import model

D = date.fromisoformat
INSTRUMENTS, _ = load_instruments(None)


def goal(**kw):
    base = {"id": "g", "title": "A goal", "status": "active", "set_date": D("2025-10-13")}
    base.update(kw)
    return model.Goal(**base)


RATING = model.Measure(type="rating", label="Anxiety before presenting")


def test_relative_target_percent_trend_and_projection():
    g = goal(measure=RATING, baseline=8, target=model.Target.parse("50% lower"), target_date=D("2025-12-01"))
    pts = [(D("2025-10-13"), 8), (D("2025-10-20"), 7), (D("2025-10-27"), 6)]
    p = goal_progress(g, pts, today=D("2025-10-28"), direction="decrease")
    # target = 8 × (1 − 0.5) = 4; percent = (6 − 8) / (4 − 8) × 100 = 50
    assert p.target == 4 and p.latest == 6 and p.percent == pytest.approx(50)
    # least squares through (0, 8), (7, 7), (14, 6): slope −1/7 a day = −1 a week
    assert p.trend_per_week == pytest.approx(-1)
    # the line 8 − x/7 reaches 4 at day 28: 13 Oct + 28 days = 10 Nov, before the 1 Dec target date
    assert p.projected_date == D("2025-11-10")
    assert p.on_track is True and p.reached is False
    assert p.percent_text() == "50% of the way from baseline to target"


def test_past_the_target_and_moved_away():
    g = goal(measure=RATING, baseline=8, target=model.Target.parse(4))
    past = goal_progress(g, [(D("2025-10-20"), 3)], today=D("2025-10-28"), direction="decrease")
    # (3 − 8) / (4 − 8) = 1.25 → 125 %, reached, no trend from one point
    assert past.percent == pytest.approx(125) and past.reached
    assert past.percent_text() == "125%: past the target"
    assert past.trend_per_week is None and past.projected_date is None
    away = goal_progress(g, [(D("2025-10-20"), 9)], today=D("2025-10-28"), direction="decrease")
    # (9 − 8) / (4 − 8) = −0.25 → −25 %
    assert away.percent == pytest.approx(-25)
    assert away.percent_text() == "−25%: moved away from the target"


def test_increase_goal():
    g = goal(measure=model.Measure(type="count", label="Walks", per="week"), baseline=1,
             target=model.Target.parse(5), target_date=D("2025-11-10"))
    pts = [(D("2025-10-13"), 1), (D("2025-10-27"), 2)]
    p = goal_progress(g, pts, today=D("2025-10-28"), direction="increase")
    # (2 − 1) / (5 − 1) = 25 %; slope 1/14 a day = 0.5 a week; 1 + x/14 = 5 at x = 56 → 8 Dec, after 10 Nov
    assert p.percent == pytest.approx(25)
    assert p.trend_per_week == pytest.approx(0.5)
    assert p.projected_date == D("2025-12-08")
    assert p.on_track is False


def test_trend_pointing_away_or_flat_has_no_projection():
    g = goal(measure=RATING, baseline=8, target=model.Target.parse(4), target_date=D("2025-12-01"))
    away = goal_progress(g, [(D("2025-10-13"), 8), (D("2025-10-20"), 9)], today=D("2025-10-21"),
                         direction="decrease")
    assert away.trend_per_week == pytest.approx(1) and away.projected_date is None and away.on_track is False
    flat = goal_progress(g, [(D("2025-10-13"), 8), (D("2025-10-20"), 8)], today=D("2025-10-21"),
                         direction="decrease")
    assert flat.trend_per_week == 0 and flat.projected_date is None


def test_target_date_passed_is_not_on_track():
    g = goal(measure=RATING, baseline=8, target=model.Target.parse(4), target_date=D("2025-10-25"))
    p = goal_progress(g, [(D("2025-10-13"), 8), (D("2025-10-20"), 7)], today=D("2025-11-01"),
                      direction="decrease")
    assert p.on_track is False


def test_gas_goal_target_is_expected_level():
    g = goal(measure=model.Measure(type="gas", levels={-2: "a", -1: "b", 0: "c", 1: "d", 2: "e"}), baseline=-1)
    p = goal_progress(g, [(D("2025-10-20"), -1), (D("2025-11-03"), 0)], today=D("2025-11-04"), direction="increase")
    # target 0; (0 − (−1)) / (0 − (−1)) = 100 %
    assert p.target == 0 and p.percent == pytest.approx(100) and p.reached


def test_baseline_from_first_measurement_and_wrong_side_target():
    g = goal(measure=RATING, target=model.Target.parse(4))
    p = goal_progress(g, [(D("2025-10-13"), 7), (D("2025-10-20"), 5)], today=D("2025-10-21"), direction="decrease")
    # baseline 7 (first measurement); (5 − 7) / (4 − 7) = 66.7 %
    assert p.baseline == 7 and p.baseline_from == "first measurement"
    assert p.percent == pytest.approx(200 / 3)
    wrong = goal(measure=RATING, baseline=8, target=model.Target.parse(10))
    q = goal_progress(wrong, [(D("2025-10-20"), 6)], today=D("2025-10-21"), direction="decrease")
    assert q.percent is None and "not below the baseline" in q.explain


def test_no_measurements():
    p = goal_progress(goal(measure=RATING, baseline=8, target=model.Target.parse(4)), [], today=D("2025-10-21"),
                      direction="decrease")
    assert p.latest is None and p.percent is None and p.reached is False


# --- Adherence ----------------------------------------------------------------------------------------


def session(day, kind="session", **homework):
    return model.Session(date=D(day), kind=kind, file=f"clients/x/sessions/{day}.yaml",
                         homework={k.replace("_", "-"): v for k, v in homework.items()})


STEP = model.ActionStep(id="box-breathing", action="Box breathing", times=3, per="week", goal_id="g")


def test_adherence_spreads_a_count_over_the_days_since_the_last_contact():
    sessions = [
        session("2025-10-06"),
        session("2025-10-09", kind="did-not-attend"),  # no contact: does not start a new interval
        session("2025-10-13", box_breathing=2),
    ]
    weeks = adherence(STEP, sessions, start=D("2025-10-06"), end=D("2025-10-19"))
    assert [(w.year, w.week, w.start) for w in weeks] == [(2025, 41, D("2025-10-06")), (2025, 42, D("2025-10-13"))]
    # the 2 covers 7–13 Oct (7 days): 2/7 a day. Week 41: 6 of those days → 12/7 = 1.714 done,
    # 3 prescribed; 3/7 a day × 6 recorded days = 18/7 expected → 12/18 = 66.7 %
    w41, w42 = weeks
    assert w41.prescribed == pytest.approx(3) and w41.done == pytest.approx(12 / 7)
    assert w41.recorded_days == 6 and w41.percent == pytest.approx(200 / 3)
    # week 42: only 13 Oct recorded: 2/7 done against 3/7 expected → 66.7 %
    assert w42.done == pytest.approx(2 / 7) and w42.recorded_days == 1 and w42.percent == pytest.approx(200 / 3)


def test_adherence_unreported_week_is_unknown_not_zero():
    weeks = adherence(STEP, [session("2025-10-06")], start=D("2025-10-06"), end=D("2025-10-12"))
    assert len(weeks) == 1 and weeks[0].done == 0 and weeks[0].percent is None


def test_adherence_partial_week_and_monthly_step():
    monthly = model.ActionStep(id="review", action="Review budget", times=1, per="month", goal_id="g")
    # Wed 8 Oct – Sun 12 Oct: 5 days of ISO week 41; 1 a month = 12/52 a week → 12/52 × 5/7 prescribed
    weeks = adherence(monthly, [], start=D("2025-10-08"), end=D("2025-10-12"))
    assert weeks[0].days == 5
    assert weeks[0].prescribed == pytest.approx(12 / 52 * 5 / 7)


def test_adherence_daily_step():
    daily = model.ActionStep(id="gratitude", action="Gratitude entries", times=3, per="day", goal_id="g")
    sessions = [session("2025-10-06"), session("2025-10-13", gratitude=21)]
    # 21 over 7–13 Oct = 3 a day = exactly as prescribed (3 a day)
    weeks = adherence(daily, sessions, start=D("2025-10-07"), end=D("2025-10-13"))
    assert [w.prescribed for w in weeks] == [pytest.approx(18), pytest.approx(3)]  # 6 days, then 1 day × 3
    assert all(w.percent == pytest.approx(100) for w in weeks)


# --- Direction -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw,expected", [
    ({"direction": "increase", "measure": model.Measure(type="questionnaire", instrument="phq9")}, "increase"),
    ({"measure": model.Measure(type="questionnaire", instrument="phq9")}, "decrease"),
    ({"measure": model.Measure(type="questionnaire", instrument="who5")}, "increase"),
    ({"measure": model.Measure(type="gas")}, "increase"),
    ({"measure": RATING, "target": model.Target.parse("30% lower")}, "decrease"),
    ({"measure": RATING, "baseline": 2, "target": model.Target.parse(6)}, "increase"),
    ({"measure": RATING, "baseline": 6, "target": model.Target.parse(2)}, "decrease"),
])
def test_effective_direction(kw, expected):
    assert effective_direction(goal(**kw), INSTRUMENTS) == expected


def test_adherence_report_spanning_the_step_start_counts_only_from_the_start():
    # Contact Mon 6 Oct; the step is set Wed 8 Oct; 6 reported on Mon 13 Oct. The step did not exist
    # on 7 Oct, so the 6 covers 8–13 Oct (6 days): 1 a day. Week 41 (8–12 Oct): 5 done; week 42: 1.
    sessions = [session("2025-10-06"), session("2025-10-13", box_breathing=6)]
    weeks = adherence(STEP, sessions, start=D("2025-10-08"), end=D("2025-10-13"))
    assert [round(w.done, 6) for w in weeks] == [5, 1]
    assert sum(w.done for w in weeks) == pytest.approx(6)  # nothing reported is lost
    # 3 a week = 3/7 a day: week 41 expects 5 × 3/7 = 15/7 → 5 / (15/7) = 233.3 %
    assert weeks[0].percent == pytest.approx(5 / (15 / 7) * 100)


def test_adherence_second_contact_on_the_same_day_stays_on_that_day():
    # Session Sun 12 Oct reports 2; a phone check-in the same day reports 1 more: that 1 belongs to
    # 12 Oct (week 41), not to Mon 13 Oct (week 42).
    sessions = [session("2025-10-06"), session("2025-10-12", box_breathing=2),
                model.Session(date=D("2025-10-12"), kind="check-in", file="clients/x/sessions/2025-10-12-phone.yaml",
                              time="18:00", homework={"box-breathing": 1})]
    weeks = adherence(STEP, sessions, start=D("2025-10-06"), end=D("2025-10-13"))
    # 2 over 7–12 Oct + 1 on 12 Oct = 3 in week 41; week 42 (13 Oct) has no report
    assert weeks[0].done == pytest.approx(3)
    assert weeks[1].recorded_days == 0 and weeks[1].done == 0


def test_step_reports_cover_the_days_adherence_spreads_over():
    from goalbook.clinical.progress import step_reports

    sessions = [
        session("2025-10-06"),
        session("2025-10-09", kind="did-not-attend"),  # not a contact: the next report still starts 7 Oct
        session("2025-10-13", box_breathing=2),
        session("2025-10-20", box_breathing=4),
    ]
    first, second = step_reports(STEP, sessions, start=D("2025-10-06"))
    # 7–13 Oct: 7 days; 3 a week asks 3/7 × 7 = 3; 2 of 3 = 66.7 %
    assert (first.first_day, first.days, first.times) == (D("2025-10-07"), 7, 2)
    assert first.asked == pytest.approx(3) and first.percent == pytest.approx(200 / 3)
    # 14–20 Oct: 7 days, 4 of 3 = 133.3 %
    assert (second.first_day, second.days) == (D("2025-10-14"), 7)
    assert second.percent == pytest.approx(400 / 3)
    # adherence spreads exactly these counts: 2 + 4 = 6 done in all
    weeks = adherence(STEP, sessions, start=D("2025-10-06"), end=D("2025-10-20"))
    assert sum(w.done for w in weeks) == pytest.approx(6)
