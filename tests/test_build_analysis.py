"""What the book says about a client, checked against values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from goalbook.checks import check_practice
from goalbook.views import book_views


@pytest.fixture
def practice(small_practice):
    practice, problems = check_practice(small_practice)
    assert practice is not None and not [p for p in problems if p.is_error]
    return practice


def views(practice):
    return {c.id: book_views.client_view(practice, c) for c in practice.clients}


def test_alerts_are_ranked_by_urgency_with_dates_and_evidence(practice):
    caseload = book_views.practice_view(practice, list(views(practice).values()))
    got = [(a.kind, a.client_id, a.when, a.href) for a in caseload.alerts]
    assert got == [
        # PHQ-9 2026-03-30: item 9 answered 1 (> 0).
        ("critical-item", "ab", date(2026, 3, 30), "clients/ab.html#adm-phq9-2026-03-30"),
        # GAD-7 5 → 10 = +5 ≥ 4 (NHS TT threshold): reliable deterioration.
        ("deterioration", "ab", date(2026, 3, 30), "clients/ab.html#adm-gad7-2026-03-30"),
        # CORE-10 every 4 weeks, never given: due at the start date 2026-03-02.
        ("questionnaire-overdue", "ab", date(2026, 3, 2), "clients/ab.html#questionnaire-core10"),
        # review_date 2026-02-01 < today 2026-03-31.
        ("review-overdue", "cd", date(2026, 2, 1), "clients/cd.html#goal-walk"),
        # target_date 2026-03-01 passed; latest 3 walks < target 5.
        ("target-passed", "cd", date(2026, 3, 1), "clients/cd.html#goal-walk"),
        # last contact 2026-01-12: 78 days before 2026-03-31 > 28.
        ("no-contact", "cd", date(2026, 1, 12), "clients/cd.html#sessions"),
    ]
    why = {a.kind: a.why for a in caseload.alerts}
    assert "29 days ago" in why["questionnaire-overdue"]  # 2026-03-02 → 2026-03-31
    assert "58 days ago" in why["review-overdue"]  # 2026-02-01 → 2026-03-31
    assert "78 days ago" in why["no-contact"]
    assert "+5 points (threshold 4" in why["deterioration"]


def test_no_alerts_for_a_discharged_client(practice):
    client = practice.client("cd")
    client.status = "discharged"
    assert book_views.client_view(practice, client).alerts == []


def test_phq9_rows_with_change_from_first(practice):
    phq = next(iv for iv in views(practice)["ab"].instruments if iv.id == "phq9")
    # Totals: 1+1+1+1+1 = 5; 2+1+1+1+1+1 = 7; 2+2+1+1+1+1+1+0+1 = 10.
    assert [r.total for r in phq.rows] == [5, 7, 10]
    assert [r.band for r in phq.rows] == ["Mild", "Mild", "Moderate"]  # 5–9 mild, 10–14 moderate
    assert [r.delta_text for r in phq.rows] == ["", "+2", "+5"]
    # +5 < 6 (NHS TT PHQ-9 threshold): not reliable.
    assert phq.rows[-1].reliable == "none"
    assert phq.rows[-1].flags and "item 9 answered 1" in phq.rows[-1].flags[0]
    assert [c.number for c in phq.rows[-1].items if c.flagged] == [9]
    assert phq.cutoff == 10


def test_share_view_carries_no_clinician_material(practice):
    view = book_views.client_view(practice, practice.client("ab"), audience="client")
    assert view.private_notes == "" and all(s.private_notes == "" for s in view.sessions)
    assert view.alerts == [] and view.history is None and view.past_flags == []
    assert all(not r.flags and not r.items for iv in view.instruments for r in iv.rows)


def test_goal_progress_relative_target_and_smart(practice):
    goals = {g.id: g for g in views(practice)["ab"].goals}
    sleep = goals["sleep"]
    # 50% lower than 8 = 4; latest 5: (5 − 8) / (4 − 8) = 75%.
    assert sleep.target == 4 and sleep.percent == pytest.approx(75)
    assert sleep.target_text == "50% lower (= 4)"
    assert not sleep.missing
    walk = {g.id: g for g in views(practice)["cd"].goals}["walk"]
    # Neither `achievable` nor `relevant` written: both shown as missing on the card.
    assert [s.letter for s in walk.missing] == ["A", "R"]


def test_adherence_per_week_against_the_prescription(practice):
    step = next(s for g in views(practice)["ab"].goals for s in g.steps if s.id == "wind-down")
    # Set 2026-03-02 (a Monday, the intake: a contact); 5 a week. The report of 8 on 03-16 covers
    # 03-03…03-16 (14 days: 4/7 a day); 7 on 03-30 covers 03-17…03-30 (14 days: 0.5 a day).
    weeks = [(w.start, round(w.done, 2), w.known) for w in step.weeks]
    assert weeks == [
        (date(2026, 3, 2), 3.43, True),   # 6 × 4/7 (03-02 itself is before the first report)
        (date(2026, 3, 9), 4.0, True),    # 7 × 4/7
        (date(2026, 3, 16), 3.57, True),  # 4/7 + 6 × 0.5
        (date(2026, 3, 23), 3.5, True),   # 7 × 0.5
        (date(2026, 3, 30), 0.5, True),   # 03-30 reported, 03-31 not yet
    ]
    assert step.done == pytest.approx(15)
    assert step.prescribed == pytest.approx(20)  # 28 reported days (03-03…03-30) × 5/7
    assert step.weeks_met == 0


def test_gas_t_score_for_the_clients_gas_goals(practice):
    gas = views(practice)["ab"].gas
    # One goal (weight 2): T = 50 + 10·x, baseline −1 → 40, now 0 → 50.
    assert gas.t_baseline == pytest.approx(40) and gas.t_now == pytest.approx(50)


def test_schedule_due_dates(practice):
    due = {d.instrument: (d.due, d.overdue) for d in book_views.schedule_due(practice.client("ab"), practice)}
    assert due == {
        "core10": (date(2026, 3, 2), True),
        "gad7": (date(2026, 4, 27), False),  # 2026-03-30 + 4 weeks
        "phq9": (date(2026, 4, 13), False),  # 2026-03-30 + 2 weeks
    }


def test_caseload_groups_alerts_per_client_most_urgent_first(practice):
    caseload = book_views.practice_view(practice, list(views(practice).values()))
    # ab has the critical item (the most urgent alert of all), so ab's block comes first; each
    # block keeps its client's alerts in urgency order, and no alert is lost or repeated.
    got = [(g.client_id, [a.kind for a in g.alerts]) for g in caseload.alert_groups]
    assert got == [
        ("ab", ["critical-item", "deterioration", "questionnaire-overdue"]),
        ("cd", ["review-overdue", "target-passed", "no-contact"]),
    ]
    assert sum(len(g.alerts) for g in caseload.alert_groups) == len(caseload.alerts)
    assert caseload.alert_groups[0].href == "clients/ab.html#attention"


def test_a_second_urgent_reason_breaks_a_tie_between_clients():
    def alert(kind, cid):
        return book_views.Alert(kind, cid, cid.upper(), None, "why", "x")

    def client(cid, *kinds):
        return type("C", (), {"id": cid, "name": cid.upper(), "clinician": "", "last_contact": None,
                              "alerts": [alert(k, cid) for k in kinds]})()

    groups = book_views.group_alerts([client("aa", "critical-item"),
                                    client("zz", "critical-item", "deterioration"),
                                    client("mm", "no-contact", "critical-item")])
    # All three have a critical item first. zz's next alert (deterioration, rank 2) outranks mm's
    # (no contact, rank 6), and mm's further reason outranks aa, which has none.
    assert [g.client_id for g in groups] == ["zz", "mm", "aa"]
    assert [a.kind for a in groups[1].alerts] == ["critical-item", "no-contact"]  # sorted within the block


def test_alert_reasons_use_the_books_dates(practice):
    caseload = book_views.practice_view(practice, list(views(practice).values()))
    why = {a.kind: a.why for a in caseload.alerts}
    # The same "2 Mar 2026" form as every other date on the page, never ISO.
    assert "due 2 Mar 2026 (29 days ago)" in why["questionnaire-overdue"]
    assert "last contact 12 Jan 2026" in why["no-contact"]


def test_adherence_per_week_as_percent_and_reports_as_given(practice):
    step = next(s for g in views(practice)["ab"].goals for s in g.steps if s.id == "wind-down")
    # 5 a week = 5/7 a day. 03-16 reported 8 over 14 days (aim 10) = 80%; 03-30 reported 7 over
    # 14 days = 70%. Week of 03-09 lies wholly in the first report: 4 of 5 = 80%. Week of 03-16:
    # 4/7 + 3 = 25/7 done of 5 asked = 71.4%. Week of 03-30: one day of two covered, 0.5 of 5/7 = 70%.
    percents = [round(w.percent, 1) for w in step.weeks]
    assert percents == [80.0, 80.0, 71.4, 70.0, 70.0]
    assert [w.partial for w in step.weeks] == [True, False, False, False, True]  # 03-02 and 03-31 uncovered
    reports = [(r.date, r.times, r.days, round(r.asked, 6), round(r.percent, 1)) for r in step.reports]
    assert reports == [(date(2026, 3, 30), 7, 14, 10, 70.0), (date(2026, 3, 16), 8, 14, 10, 80.0)]


def test_reports_and_weeks_agree_on_what_was_done_and_asked(practice):
    # The reports and the per-week spread use one covering rule: their totals must agree.
    for view in views(practice).values():
        for g in view.goals:
            for s in g.steps:
                if s.hidden_weeks or s.hidden_reports:
                    continue
                assert sum(r.times for r in s.reports) == pytest.approx(s.done)
                assert sum(r.asked for r in s.reports) == pytest.approx(s.prescribed)


def test_last_session_is_the_latest_contact_that_took_place(practice):
    view = views(practice)["ab"]
    assert view.last_session is not None and view.last_session.date == date(2026, 3, 30)
    assert views(practice)["cd"].last_session.date == date(2026, 1, 12)


# --- The clinical reviewer's view data, wired into the book ----------------------------------------

PHQ9_FLAGGED = "[1, 1, 1, 1, 1, 1, 1, 1, 1]"  # item 9 answered 1 (> 0): flagged whatever the total
PHQ9_CLEAR = "[1, 1, 1, 1, 1, 1, 1, 1, 0]"


def phq9_client(make_practice, *sessions: tuple[str, str], reviews: str = ""):
    """One active client (seen every fortnight, so only the PHQ-9 can raise alerts) with PHQ-9 entries."""
    files = {"clients/ef/client.yaml": """\
        id: ef
        name: Eli F.
        clinician: tc
        start_date: 2025-12-01
        status: active
        """.rstrip(" ") + reviews}
    for day, answers in sessions:
        files[f"clients/ef/sessions/{day}.yaml"] = f"date: {day}\nkind: session\nquestionnaires:\n  phq9: {answers}\n"
    files["clients/ef/sessions/2026-03-30.yaml"] = "date: 2026-03-30\nkind: session\n"
    practice, problems = check_practice(make_practice(files))
    assert practice is not None and not [p for p in problems if p.is_error], problems
    return practice, book_views.client_view(practice, practice.client("ef"))


def test_a_later_total_only_entry_keeps_the_critical_item_alert(make_practice):
    # Flagged on 5 Jan; the 2 Mar entry is a total only, so item 9 was not asked: today (31 Mar) is
    # 85 days after the flag (> 56) and the alert still stands, pointing at the 5 Jan administration.
    _, view = phq9_client(make_practice, ("2026-01-05", PHQ9_FLAGGED), ("2026-03-02", "{total: 6}"))
    alerts = [a for a in view.alerts if a.kind == "critical-item"]
    assert [(a.when, a.anchor) for a in alerts] == [(date(2026, 1, 5), "adm-phq9-2026-01-05")]
    assert "Not asked since: 2 Mar 2026 recorded as a total only." in alerts[0].why
    assert view.past_flags == []


def test_a_flag_answered_below_later_stays_an_alert_until_reviewed(make_practice):
    # Flagged 5 Jan, item 9 answered 0 on 19 Jan; 31 Mar is 85 days after the flag. Neither time nor
    # the lower answer clears a critical item: it is still an alert, and says when it was answered below.
    _, view = phq9_client(make_practice, ("2026-01-05", PHQ9_FLAGGED), ("2026-01-19", PHQ9_CLEAR))
    alerts = [a for a in view.alerts if a.kind == "critical-item"]
    assert [a.when for a in alerts] == [date(2026, 1, 5)]
    assert alerts[0].why.endswith("Answered below the flag on 19 Jan 2026.")
    assert view.reviewed == [] and view.past_flags == []


def test_a_review_in_the_clients_file_moves_the_alert_to_reviewed(make_practice):
    _, view = phq9_client(make_practice, ("2026-01-05", PHQ9_FLAGGED), ("2026-01-19", PHQ9_CLEAR),
                          reviews="""\
        alert_reviews:
          - date: 2026-01-06
            by: tc
            note: Safety plan reviewed by phone.
        """)
    assert [a for a in view.alerts if a.kind == "critical-item"] == []
    [(name, text, where)] = view.reviewed
    assert (name, where) == ("PHQ-9", "adm-phq9-2026-01-05")
    assert text.startswith("5 Jan 2026: item 9 answered 1 (flag when > 0)")
    assert text.endswith(". Reviewed on 6 Jan 2026 by Test Clinician: Safety plan reviewed by phone.")


def test_a_new_endorsement_after_the_review_reopens_the_alert(make_practice):
    # Reviewed on 6 Jan; endorsed again on 2 Mar: an alert again, at 2 Mar, and not listed as reviewed.
    _, view = phq9_client(make_practice, ("2026-01-05", PHQ9_FLAGGED), ("2026-01-19", PHQ9_CLEAR),
                          ("2026-03-02", PHQ9_FLAGGED), reviews="""\
        alert_reviews:
          - date: 2026-01-06
            by: Dr Someone Else
            note: Safety plan reviewed.
        """)
    alerts = [a for a in view.alerts if a.kind == "critical-item"]
    assert [a.when for a in alerts] == [date(2026, 3, 2)]
    assert view.reviewed == []
    # The January endorsement, answered below on 19 Jan, is an earlier critical item.
    assert [(n, a) for n, _, a in view.past_flags] == [("PHQ-9", "adm-phq9-2026-01-05")]


def test_a_review_of_another_questionnaire_does_not_clear_this_one(make_practice):
    _, view = phq9_client(make_practice, ("2026-01-05", PHQ9_FLAGGED), reviews="""\
        alert_reviews:
          - date: 2026-01-06
            by: tc
            note: About the PCL-5.
            instrument: pcl5
        """)
    assert [a.when for a in view.alerts if a.kind == "critical-item"] == [date(2026, 1, 5)]


def test_a_recent_flag_stays_an_alert_and_says_it_was_answered_below_since(make_practice):
    # Flagged 2 Mar, answered 0 on 16 Mar; 31 Mar is 29 days after the flag (≤ 56): still an alert.
    _, view = phq9_client(make_practice, ("2026-03-02", PHQ9_FLAGGED), ("2026-03-16", PHQ9_CLEAR))
    alerts = [a for a in view.alerts if a.kind == "critical-item"]
    assert [a.when for a in alerts] == [date(2026, 3, 2)]
    assert alerts[0].why.endswith("Answered below the flag on 16 Mar 2026.")


def test_an_endorsement_at_consecutive_administrations_is_one_alert(make_practice):
    # Flagged on 2 Mar and again on 16 Mar (the latest with item answers): one alert, at 16 Mar,
    # naming the earlier endorsement; nothing is listed twice as an earlier critical item.
    _, view = phq9_client(make_practice, ("2026-03-02", PHQ9_FLAGGED), ("2026-03-16", PHQ9_FLAGGED))
    alerts = [a for a in view.alerts if a.kind == "critical-item"]
    assert [a.when for a in alerts] == [date(2026, 3, 16)]
    assert "Also endorsed on 2 Mar 2026." in alerts[0].why
    assert view.past_flags == []


def test_nhs_outcome_knows_the_course_so_far(practice):
    # Alex B.: intake 2 Mar (not treatment), sessions 16 and 30 Mar → 2 treatment appointments, the
    # minimum; still active, so the outcome is provisional: first and latest scores.
    nhs = views(practice)["ab"].nhs
    assert nhs is not None and nhs.eligible and nhs.provisional and nhs.treatment_appointments == 2
    assert nhs.summary.startswith("So far: ")
    assert nhs.scope.startswith("Course not finished: the outcome so far, first and latest scores (2 treatment")


def test_caseload_carries_the_critical_item_rule(practice):
    caseload = book_views.practice_view(practice, list(views(practice).values()))
    assert caseload.critical_rule == book_views.REVIEW_RULE
    assert "until you record a review" in caseload.critical_rule and "Nothing else clears it" in caseload.critical_rule


def test_dass21_subscales_lead_and_sessions_show_them(practice):
    view = views(practice)["cd"]
    dass = next(iv for iv in view.instruments if iv.id == "dass21")
    assert book_views.subscales_lead(dass)
    # 1 Dec: depression items 3,5,10,13,16,17,21 = 2+1+2+1+2+1+1 = 10 → ×2 = 20 (Moderate 14–20);
    # anxiety 2,4,7,9,15,19,20 = 1+0+1+0+1+0+1 = 4 → 8 (Mild 8–9); stress 1,6,8,11,12,14,18 =
    # 2+2+2+1+2+1+2 = 12 → 24 (Moderate 19–25). 12 Jan: 5 → 10 (Mild), 1 → 2 (Normal), 7 → 14 (Normal).
    got = [[(c.total, c.band, c.delta_text) for c in r.subscales] for r in dass.rows]
    assert got == [[(20, "Moderate", ""), (8, "Mild", ""), (24, "Moderate", "")],
                   [(10, "Mild", "−10"), (2, "Normal", "−6"), (14, "Normal", "−10")]]
    session = next(s for s in view.sessions if s.date == date(2026, 1, 12))
    assert ("DASS-21", "Depression 10, Anxiety 2, Stress 14", "adm-dass21-2026-01-12") in session.questionnaires
    # PHQ-9 there is a total only: shown as such, and no subscales to lead with.
    assert ("PHQ-9", "12", "adm-phq9-2026-01-12") in session.questionnaires


# --- Review fixes: words under the goal chart, due questionnaires, numbers -------------------------

MOOD_GOAL = """\
goals:
  - id: mood
    title: Feel low on fewer evenings
    status: active
    set_date: 2026-03-02
    target_date: {target_date}
    review_date: 2026-04-20
    measure: {{type: rating, label: Low mood}}
    baseline: 8
    target: 4
"""


def mood_goal(make_practice, target_date: str, *measured: tuple[str, int]):
    """An active rating goal (8 → 4, lower is better) of client gh; today is 2026-03-31."""
    files = {
        "clients/gh/client.yaml": "id: gh\nname: Gil H.\nclinician: tc\nstart_date: 2026-03-02\nstatus: active\n",
        "clients/gh/goals.yaml": MOOD_GOAL.format(target_date=target_date),
    }
    for day, value in measured:
        files[f"clients/gh/sessions/{day}.yaml"] = f"date: {day}\nkind: session\nmeasurements:\n  mood: {value}\n"
    practice, problems = check_practice(make_practice(files))
    assert practice is not None and not [p for p in problems if p.is_error], problems
    return book_views.client_view(practice, practice.client("gh")).goals[0]


def test_a_projection_already_past_says_the_trend_line_crosses_the_target(make_practice):
    # Days 0, 7, 14 (2 → 16 Mar): 8, 5, 5. Mean (7, 6); slope ((−7)(2) + 0 + 7(−1)) / (49 + 49) = −3/14
    # a day. The line meets 4 at day 7 + (4 − 6) / (−3/14) = 16.3 → day 17 = 19 Mar, before today
    # (31 Mar): no forecast of a date already past; the target date 29 May is still ahead.
    g = mood_goal(make_practice, "2026-05-29", ("2026-03-02", 8), ("2026-03-09", 5), ("2026-03-16", 5))
    assert not g.reached
    assert g.projection_text == ("the trend line already crosses the target, but the latest measurement "
                                 "(5 on 16 Mar 2026) has not reached it — on track for the target date")


def test_a_past_projection_after_the_target_date_is_not_called_late(make_practice):
    # The same line (meets 4 on 19 Mar), target date 20 Mar: it passed on 31 Mar, but the line met the
    # target before it — "after the target date" would be wrong; the target-passed alert says the rest.
    g = mood_goal(make_practice, "2026-03-20", ("2026-03-02", 8), ("2026-03-09", 5), ("2026-03-16", 5))
    assert g.projection_text == ("the trend line already crosses the target, but the latest measurement "
                                 "(5 on 16 Mar 2026) has not reached it")


def test_a_projection_ahead_uses_the_books_dates(make_practice):
    # Days 0 and 28: 8, 7. Slope −1/28 a day through (14, 7.5): meets 4 at 14 + 3.5 × 28 = day 112
    # = 22 Jun 2026 (29 + 30 + 31 + 22 days after 2 Mar), after the target date 29 May.
    g = mood_goal(make_practice, "2026-05-29", ("2026-03-02", 8), ("2026-03-30", 7))
    assert g.projection_text == "at this pace the target is reached around 22 Jun 2026 — after the target date"
    assert next(s.text for s in g.smart if s.letter == "T") == "target date 29 May 2026; review 20 Apr 2026"


def test_the_working_writes_negative_numbers_with_a_minus_in_parentheses(practice):
    gas_goal = {g.id: g for g in views(practice)["ab"].goals}["ask-help"]
    # GAS baseline −1, latest level 0, target 0: (0 − (−1)) / (0 − (−1)) × 100 = 100%.
    assert gas_goal.progress_explain.startswith("100% = (0 − (−1)) / (0 − (−1)) × 100")
    assert "-" not in gas_goal.progress_explain


def test_a_decreasing_trend_in_the_working_has_a_true_minus(make_practice):
    # 8, 5, 5 a week apart: slope −3/14 a day = −1.5 a week; (5 − 8) / (4 − 8) = 75%.
    g = mood_goal(make_practice, "2026-05-29", ("2026-03-02", 8), ("2026-03-09", 5), ("2026-03-16", 5))
    assert g.progress_explain == ("75% = (5 − 8) / (4 − 8) × 100; "
                                  "trend −1.50 a week (least squares over 3 measurements)")


def test_nothing_is_due_for_a_discharged_client_and_paused_says_paused(practice):
    client = practice.client("ab")  # CORE-10 never given: due at the start, 2 Mar, overdue on 31 Mar
    client.status = "discharged"
    view = book_views.client_view(practice, client)
    assert view.schedule == []
    assert [a for a in view.alerts if a.kind == "questionnaire-overdue"] == []
    client.status = "paused"
    view = book_views.client_view(practice, client)
    assert [(d.instrument, d.due, d.overdue, d.paused) for d in view.schedule] == [
        ("core10", None, False, True), ("gad7", None, False, True), ("phq9", None, False, True),
    ]
    assert [a for a in view.alerts if a.kind == "questionnaire-overdue"] == []


def test_a_paused_clients_book_says_paused_instead_of_a_due_date(practice):
    import re

    from goalbook.render.pages import render_client

    client = practice.client("ab")
    client.status = "paused"
    html = render_client(book_views.client_view(practice, client), practice_name=practice.name, today=practice.today)
    assert "Next due: CORE-10 paused; GAD-7 paused; PHQ-9 paused" in re.sub(r"<[^>]+>", "", html)
    assert "overdue</strong>" not in html


def test_a_session_measurement_is_rounded_before_it_is_shown(make_practice):
    # 9.96 to one decimal is 10.0, shown as the whole number "10" (never "10.0"); 6.75 → 6.8.
    files = {
        "clients/gh/client.yaml": "id: gh\nname: Gil H.\nclinician: tc\nstart_date: 2026-03-02\nstatus: active\n",
        "clients/gh/goals.yaml": MOOD_GOAL.format(target_date="2026-05-29"),
        "clients/gh/sessions/2026-03-02.yaml": "date: 2026-03-02\nkind: session\nmeasurements:\n  mood: 9.96\n",
        "clients/gh/sessions/2026-03-09.yaml": "date: 2026-03-09\nkind: session\nmeasurements:\n  mood: 6.75\n",
    }
    practice, _ = check_practice(make_practice(files))
    view = book_views.client_view(practice, practice.client("gh"))
    assert [s.measurements for s in view.sessions] == [[("Low mood", "6.8")], [("Low mood", "10")]]
