"""The outcomes page: every figure of a small practice worked out by hand (tests/outcomes_practice.py),
the statistics' properties, the period, small-number suppression, and the page in the build."""

from __future__ import annotations

import math
from datetime import date

import outcomes_practice
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from goalbook.checks import check_practice
from goalbook.cli import main
from goalbook.clinical import outcome_stats
from goalbook.views.outcomes import TOO_FEW, Period, outcomes_view

# Wilson 95 % interval, z = 1.96 (z² = 3.8415), by hand:
#   centre = (p + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²)
# 3/5: 1 + 3.8415/5 = 1.76829; centre (0.6 + 0.38415)/1.76829 = 0.55655;
#      half 1.95996/1.76829 · √(0.24/5 + 3.8415/100) = 1.10839 · 0.29397 = 0.32583 → 0.2307–0.8824: 23 %–88 %
# 2/5: centre (0.4 + 0.38415)/1.76829 = 0.44346, the same half 0.32583 → 0.1176–0.7693: 12 %–77 %
# 1/5: centre (0.2 + 0.38415)/1.76829 = 0.33035; half 1.10839 · √(0.16/5 + 0.038415) = 0.29412
#      → 0.0362–0.6245: 4 %–62 %
# 2/7: 1 + 3.8415/7 = 1.54879; centre (0.28571 + 0.27439)/1.54879 = 0.36164;
#      half 1.95996/1.54879 · √(0.28571 · 0.71429/7 + 3.8415/196) = 1.26548 · 0.22080 = 0.27942
#      → 0.0822–0.6411: 8 %–64 %
# 6/6: 1 + 3.8415/6 = 1.64024; centre (1 + 0.32012)/1.64024 = 0.80483;
#      half 1.95996/1.64024 · √(0 + 3.8415/144) = 1.19492 · 0.16333 = 0.19517 → 0.6097–1: 61 %–100 %


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    root = tmp_path_factory.mktemp("outcomes") / "practice"
    for rel, text in outcomes_practice.files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    practice, problems = check_practice(root)
    assert practice is not None and not [p for p in problems if p.is_error]
    return outcomes_view(practice, Period.parse(outcomes_practice.PERIOD))


def cells(view, section: str, label: str) -> list[str]:
    """The row's cells: all clinicians, Alex Aalto (c1…c6), Bea Berg (d1…d3)."""
    s = next(s for s in view.sections if s.id == section)
    row = next(r for r in s.rows if r.label == label)
    assert row.rule, f"{label} states no rule"
    return [c.text.replace("\u00a0", " ") for c in row.cells]  # no-break spaces keep "29 %" on one line


def test_columns_are_all_clinicians_then_each(view):
    assert view.groups == ["All clinicians", "Alex Aalto", "Bea Berg"]


def test_referrals_and_courses(view):
    # Referred in the period: c1…c6 (5 Jan), d1 (1 Feb), d3 (1 May) = 8; d2 was referred in November.
    # Bea Berg's 2 (d1, d3) is below 5, so not reported.
    assert cells(view, "flow", "Referrals") == ["8", "6", TOO_FEW]
    # First treatment contact in the period: c1…c6 (12 Jan), d1 (20 Feb) = 7; d2's was in November.
    assert cells(view, "flow", "Entered treatment") == ["7", "6", TOO_FEW]
    # Ended in the period: c1…c6 (2 Feb) and d1 (1 Mar) = 7.
    assert cells(view, "flow", "Courses ended") == ["7", "6", TOO_FEW]
    # Finished: ≥ 2 treatment contacts. c-courses have 3 (two sessions and the discharge; c1 four);
    # d1 had one (the assessment is not treatment), so did not finish: 6; Bea Berg 0, shown as 0.
    assert cells(view, "flow", "Finished courses") == ["6", "6", "0"]
    # Not a planned discharge: c6 (referred on) and d1 (dropped out) = 2 of 7 (8 %–64 %);
    # Alex Aalto: c6 = 1 of 6 → 16.7 %; Bea Berg 1 of 1: fewer than 5 courses.
    assert cells(view, "flow", "Ended without a planned discharge") == [
        "2 / 7 · 29 % (8 %–64 %)", "1 / 6 · 17 % (3 %–56 %)", TOO_FEW]
    assert cells(view, "flow", "Ended: planned discharge") == ["5", "5", "0"]
    assert cells(view, "flow", "Ended: dropped out") == [TOO_FEW, "0", TOO_FEW]


def test_nhs_rates_among_finished_courses_at_caseness(view):
    # Caseness at the first score (PHQ-9 ≥ 10 or GAD-7 ≥ 8): c1 18/15, c2 14/12, c3 12/9, c4 10/8,
    # c5 20/16 — yes; c6 5/3 — no. n = 5.
    assert cells(view, "nhs", "Finished courses at caseness") == ["5", "5", "0"]
    # Recovery (below 10 and 8 at the end): c1 6/5, c3 9/7, c5 8/4 → 3 / 5; c2 12/10 and c4 17/8 not.
    assert cells(view, "nhs", "Recovery")[:2] == ["3 / 5 · 60 % (23 %–88 %)"] * 2
    # Reliable improvement (PHQ-9 −6 or GAD-7 −4): c1 −12/−10, c5 −12/−12 → 2 / 5; c3 −3/−2 is not.
    assert cells(view, "nhs", "Reliable improvement")[:2] == ["2 / 5 · 40 % (12 %–77 %)"] * 2
    # Reliable recovery: recovered and reliably improved: c1, c5 → 2 / 5.
    assert cells(view, "nhs", "Reliable recovery")[:2] == ["2 / 5 · 40 % (12 %–77 %)"] * 2
    # Reliable deterioration (PHQ-9 +6 or GAD-7 +4): c4 PHQ-9 10 → 17 (+7) → 1 / 5.
    assert cells(view, "nhs", "Reliable deterioration")[:2] == ["1 / 5 · 20 % (4 %–62 %)"] * 2
    # Bea Berg has no finished course: nothing to report (not "too few").
    assert cells(view, "nhs", "Recovery")[2] == "none to report"


def test_data_completeness(view):
    # Every finished course (6) has a first and last PHQ-9 and GAD-7: 6 / 6, 61 %–100 %.
    assert cells(view, "completeness", "Paired PHQ-9 and GAD-7")[:2] == ["6 / 6 · 100 % (61 %–100 %)"] * 2


def test_per_instrument_categories_means_and_effect_size(view):
    # PHQ-9 (reliable change ≥ 6 points, cut-off ≥ 10), first → last:
    # c1 18 → 6 (−12, leaves the clinical range: recovered), c2 14 → 12 (unchanged), c3 12 → 9 (−3: unchanged),
    # c4 10 → 17 (+7: deteriorated), c5 20 → 8 (recovered), c6 5 → 4 (unchanged).
    assert cells(view, "instrument-phq9", "Recovered")[0] == "2 / 6 · 33 % (10 %–70 %)"
    assert cells(view, "instrument-phq9", "Improved")[0] == "0 / 6 · 0 % (0 %–39 %)"
    assert cells(view, "instrument-phq9", "Unchanged")[0] == "3 / 6 · 50 % (19 %–81 %)"
    assert cells(view, "instrument-phq9", "Deteriorated")[0] == "1 / 6 · 17 % (3 %–56 %)"
    # Means: first (18 + 14 + 12 + 10 + 20 + 5) / 6 = 79/6 = 13.17; last (6 + 12 + 9 + 17 + 8 + 4) / 6 = 9.33.
    assert cells(view, "instrument-phq9", "Mean first score")[0] == "13.2 (n = 6)"
    assert cells(view, "instrument-phq9", "Mean last score")[0] == "9.3 (n = 6)"
    # Improvements (first − last): 12, 2, 3, −7, 12, 1; mean 23/6 = 3.8333.
    # Deviations 8.1667, −1.8333, −0.8333, −10.8333, 8.1667, −2.8333; squares sum 262.833; /5 = 52.567;
    # SD 7.2503. d_z = 3.8333 / 7.2503 = 0.5287; SE √(1/6 + 0.5287²/12) = √0.18996 = 0.43584;
    # 0.5287 ± 1.96 × 0.43584 = −0.33 to 1.38.
    assert cells(view, "instrument-phq9", "Pre–post effect size")[0] == "d_z 0.53 (−0.33 to 1.38), n = 6"


def test_goals_contacts_and_wait(view):
    # GAS: one goal of weight 1 each, T = 50 + 10 · x / √(0.7 · 1 + 0.3 · 1) = 50 + 10x at the last level:
    # c1 +1 → 60, c2 0 → 50, c3 −1 → 40, c4 −2 → 30, c5 +1 → 60, c6 0 → 50 (paused goals count);
    # mean 290 / 6 = 48.33.
    assert cells(view, "goals", "Mean GAS T-score")[0] == "48.3 (n = 6)"
    # Goals achieved: c1, c5 = 2: a count below 5.
    assert cells(view, "goals", "Goals achieved")[0] == TOO_FEW
    # Attended contacts per finished course: c1 5, c2…c5 4, c6 4 (its did-not-attend is not a contact);
    # 25 / 6 = 4.17.
    assert cells(view, "contacts", "Mean contacts per finished course")[0] == "4.2 (n = 6)"
    # Wait from referral to first treatment: c1…c6 5 → 12 Jan = 7 days; d1 1 → 20 Feb = 19 days;
    # (6 × 7 + 19) / 7 = 8.71.
    assert cells(view, "contacts", "Mean wait to treatment") == ["8.7 days (n = 7)", "7 days (n = 6)", TOO_FEW]


def test_another_period_counts_other_courses(tmp_path):
    # 2026-03-01..2026-06-30: only d1's ending (1 Mar) and d3's referral (1 May) fall in it.
    practice, _ = check_practice(_practice_root(tmp_path))
    v = outcomes_view(practice, Period.parse("2026-03-01..2026-06-30"))
    assert cells(v, "flow", "Referrals")[0] == TOO_FEW  # d3 alone
    assert cells(v, "flow", "Courses ended")[0] == TOO_FEW  # d1 alone
    assert cells(v, "flow", "Finished courses")[0] == "0"


def _practice_root(tmp_path):
    root = tmp_path / "p"
    for rel, text in outcomes_practice.files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# --- The statistics -----------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))))
def test_rates_are_proportions_and_the_interval_holds_them(kn):
    k, n = kn
    r = outcome_stats.rate(k, n)
    assert 0 <= r.low <= r.p <= r.high <= 1
    assert r.p == k / n


@given(st.lists(st.tuples(st.integers(0, 27), st.integers(0, 27)), min_size=2, max_size=60), st.booleans())
def test_effect_size_interval_holds_the_estimate(pairs, better):
    first, last = [a for a, _ in pairs], [b for _, b in pairs]
    p = outcome_stats.paired(first, last, higher_is_better=better)
    if p.d_z is not None:
        assert p.low < p.d_z < p.high
        assert math.copysign(1, p.d_z) == math.copysign(1, p.mean_improvement)


def test_effect_size_sign_follows_the_direction():
    # Higher is worse: 20 → 10 and 18 → 12 are improvements of 10 and 6: mean 8, SD √8 = 2.828, d_z 2.83.
    worse = outcome_stats.paired([20, 18], [10, 12])
    assert round(worse.d_z, 2) == 2.83
    # Higher is better (WHO-5): the same numbers are a decline.
    assert round(outcome_stats.paired([20, 18], [10, 12], higher_is_better=True).d_z, 2) == -2.83


def test_wilson_refuses_impossible_counts():
    with pytest.raises(ValueError):
        outcome_stats.wilson(3, 2)


# --- The period --------------------------------------------------------------------------------


def test_default_period_is_the_last_twelve_months():
    assert Period.last_year(date(2026, 12, 2)) == Period(date(2025, 12, 3), date(2026, 12, 2))
    assert Period.last_year(date(2028, 2, 29)) == Period(date(2027, 3, 1), date(2028, 2, 29))


@pytest.mark.parametrize("text, words", [
    ("2026-01-01", "START..END"), ("2026-02-30..2026-03-01", "does not exist"),
    ("2026-06-30..2026-01-01", "ends before it starts")])
def test_a_bad_period_says_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        Period.parse(text)


# --- In the build ------------------------------------------------------------------------------


def test_build_writes_the_outcomes_page_linked_from_the_caseload(tmp_path):
    root = _practice_root(tmp_path)
    result = CliRunner().invoke(main, ["build", str(root), "-q", "--period", outcomes_practice.PERIOD])
    assert result.exit_code == 0, result.output
    page = (root / "_book" / "outcomes.html").read_text(encoding="utf-8")
    assert 'href="outcomes.html"' in (root / "_book" / "index.html").read_text(encoding="utf-8")
    assert "1 Jan 2026 to 30 Jun 2026" in page and "3\u00a0/\u00a05 · 60\u00a0% (23\u00a0%–88\u00a0%)" in page
    assert "Privacy." in page and "Content-Security-Policy" in page
    assert (root / "_book" / "outcomes.html").stat().st_mode & 0o077 == 0


def test_build_without_period_covers_the_last_twelve_months_and_follows_a_new_period(tmp_path):
    root = _practice_root(tmp_path)
    assert CliRunner().invoke(main, ["build", str(root), "-q"]).exit_code == 0
    page = root / "_book" / "outcomes.html"
    # today is 2026-07-15 in goalbook.yaml
    assert "16 Jul 2025 to 15 Jul 2026" in page.read_text(encoding="utf-8")
    # Nothing changed but the period: the page must follow it (not be kept from the last build).
    assert CliRunner().invoke(main, ["build", str(root), "-q", "--period", "2026-03-01..2026-06-30"]).exit_code == 0
    assert "1 Mar 2026 to 30 Jun 2026" in page.read_text(encoding="utf-8")


def test_build_refuses_a_bad_period(tmp_path):
    result = CliRunner().invoke(main, ["build", str(_practice_root(tmp_path)), "--period", "2026-06-30..2026-01-01"])
    assert result.exit_code == 2 and "ends before it starts" in result.output


def test_a_rebuild_works_out_only_the_changed_clients_course(tmp_path, monkeypatch):
    from goalbook.build import build_book
    from goalbook.views import outcomes

    root = _practice_root(tmp_path)
    period = Period.parse(outcomes_practice.PERIOD)
    assert build_book(root, period=period).ok
    page = root / "_book" / "outcomes.html"
    # c6 was referred on: 1 of Alex Aalto's 6 endings was not a planned discharge.
    assert "1\u00a0/\u00a06 · 17\u00a0%" in page.read_text(encoding="utf-8")
    client = root / "clients" / "c2" / "client.yaml"
    client.write_text(client.read_text(encoding="utf-8").replace("planned", "dropped-out"), encoding="utf-8")
    worked = []  # each build_book is as a new process: only the files and the store are known
    real = outcomes.client_courses
    monkeypatch.setattr(outcomes, "client_courses", lambda c, p, *scores: worked.append(c.id) or real(c, p, *scores))
    assert build_book(root, period=period).ok
    assert worked == ["c2"]
    # Now c2 and c6: 2 of 6, 33 %.
    assert "2\u00a0/\u00a06 · 33\u00a0%" in page.read_text(encoding="utf-8")


def test_a_rebuild_keeps_the_page_while_no_course_changed_and_it_equals_a_clean_build(tmp_path, monkeypatch):
    import shutil

    from goalbook.build import build_book
    from goalbook.render import outcomes_page

    root = _practice_root(tmp_path)
    period = Period.parse(outcomes_practice.PERIOD)
    assert build_book(root, period=period).ok
    page = root / "_book" / "outcomes.html"
    client = root / "clients" / "c2" / "client.yaml"
    client.write_text(client.read_text(encoding="utf-8") + "# a comment changes no course\n", encoding="utf-8")
    rendered = []  # each build_book is as a new process: only the files and the store are known
    real = outcomes_page.render_outcomes
    monkeypatch.setattr(outcomes_page, "render_outcomes", lambda *a, **k: rendered.append(1) or real(*a, **k))
    assert build_book(root, period=period).ok
    assert rendered == []
    kept = page.read_bytes()
    # A page removed by hand is written again.
    page.unlink()
    assert build_book(root, period=period).ok
    assert rendered == [1] and page.read_bytes() == kept
    # The kept page is the page a build without any store writes.
    shutil.rmtree(root / ".goalbook-cache")
    assert build_book(root, period=period).ok and page.read_bytes() == kept
    assert rendered == [1, 1]


def test_a_client_who_comes_back_is_a_second_referral(make_practice):
    from goalbook.views.outcomes import client_courses

    s = outcomes_practice._session
    root = make_practice({
        "goalbook.yaml": outcomes_practice.SETTINGS,
        "clients/r1/client.yaml": outcomes_practice._client("r1", "aa", "2026-01-05", "active"),
        "clients/r1/sessions/2026-01-05.yaml": s("2026-01-05", "intake", 15, 12),
        "clients/r1/sessions/2026-01-12.yaml": s("2026-01-12", "session"),
        "clients/r1/sessions/2026-01-19.yaml": s("2026-01-19", "discharge", 6, 5),
        "clients/r1/sessions/2026-04-01.yaml": s("2026-04-01", "intake", 17, 14),
        "clients/r1/sessions/2026-04-08.yaml": s("2026-04-08", "session"),
    })
    practice, problems = check_practice(root)
    assert practice is not None and not [p for p in problems if p.is_error]
    first, second = client_courses(practice.client("r1"), practice)
    # The first course: referred 5 Jan, ended at its discharge contact on 19 Jan with 2 treatment
    # contacts (the session and the discharge), scored 15 → 6 and 12 → 5: finished, recovered.
    assert (first.referred, first.ended, first.treatment, first.finished) == (date(2026, 1, 5), date(2026, 1, 19), 2, True)
    assert first.totals == {"phq9": (15, 6), "gad7": (12, 5)} and first.nhs.recovery
    # The second starts at the new intake and has not ended; its first score is its own (17), not 15.
    assert (second.referred, second.ended, second.first_treatment) == (date(2026, 4, 1), None, date(2026, 4, 8))
    assert second.totals == {}
