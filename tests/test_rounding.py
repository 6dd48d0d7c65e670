"""One rounding rule for every figure (half up), and no percent of an aim or target reads 100 % unless
it was reached — worked cases, then properties over any values (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goalbook.clinical import progress
from goalbook.number_text import half_up, percent, plain_number, short_number
from goalbook.records import model
from goalbook.render import charts
from goalbook.render.pages import fmt_pct
from goalbook.views.goal_views import WeekView


@pytest.mark.parametrize("value,digits,expected", [
    (2.5, 0, 3), (3.5, 0, 4),  # Python's round() gives 2 and 4 (half to even)
    (-2.5, 0, -3),  # half away from zero, so −2.5 and 2.5 mirror each other
    (0.25, 1, 0.3), (0.35, 1, 0.4),  # f"{0.25:.1f}" is "0.2": the binary value is rounded, not the decimal
    (2.675, 2, 2.68),  # 2.675 is stored as 2.67499…; its decimal text is what a reader checks
    (99.5, 0, 100), (99.49, 0, 99),
])
def test_half_up(value, digits, expected):
    assert half_up(value, digits) == expected


@given(st.integers(-10**16, 10**16) | st.sampled_from([0, -0.0, 2.0**53]), st.integers(0, 3))
def test_a_whole_number_rounds_to_itself_exactly_as_decimal_rounding_gives(whole, digits):
    from decimal import ROUND_HALF_UP, Decimal

    x = float(whole)
    by_decimal = x if abs(x) >= 1e15 else float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits),
                                                                              rounding=ROUND_HALF_UP))
    got = half_up(x, digits)
    assert got == by_decimal and str(got) == str(by_decimal)  # str: the sign of zero too ("-0.0")


@given(st.floats(-1e15, 1e15) | st.integers(-10**6, 10**6).map(lambda n: n / 2)
       | st.integers(-10**6, 10**6).map(lambda n: n / 10) | st.sampled_from([0.49999999999999994, -0.5, 0.5, 1e15 - 0.5]))
def test_a_fraction_rounds_to_a_whole_number_exactly_as_decimal_rounding_gives(x):
    from decimal import ROUND_HALF_UP, Decimal

    by_decimal = float(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if abs(x) < 1e15 else x
    got = half_up(x)
    assert got == by_decimal and str(got) == str(by_decimal)  # str: the sign of zero too ("-0.0")


def test_scores_and_formula_numbers_round_half_up_too():
    assert short_number(0.25) == "0.3" and short_number(12.45) == "12.5"
    assert plain_number(2.675) == "2.68" and plain_number(1 / 8) == "0.13"


@pytest.mark.parametrize("value,text", [
    (99.5, "99%"),  # not reached: never 100 %
    (99.4, "99%"), (100, "100%"), (130.2, "130%"),
    (33.5, "34%"), (32.5, "33%"),  # half up (round() gives 34 and 32)
    (-4.5, "−5%"), (-0.4, "0%"),  # a true minus sign; −0.4 % is 0 %, never "−0%"
    (None, "—"),
])
def test_percent(value, text):
    assert percent(value) == text


def test_percent_reached_within_float_slack_is_100():
    # Spreading and summing reports leaves float steps (5 a week over 7 days is 4.999999999999999):
    # a percent a hair below 100 is reached, so it reads 100 %, never 99 %.
    assert percent(100 - 1e-12) == "100%" and percent(99.9, reached=True) == "100%"


def test_goal_99_5_percent_of_the_way_is_not_100():
    # Baseline 0, target 200, latest 199: 199 / 200 × 100 = 99.5 % → "99%", not reached.
    goal = model.Goal("g", "Steps", "active", date(2026, 1, 1), target=model.Target("200", value=200.0),
                      baseline=0.0, measure=model.Measure("count", label="Steps", per="day"))
    prog = progress.goal_progress(goal, [(date(2026, 1, 8), 199.0)], today=date(2026, 1, 9),
                                  direction="increase")
    assert prog.percent == pytest.approx(99.5) and not prog.reached
    assert prog.percent_text() == "99% of the way from baseline to target"


def test_week_of_99_5_percent_is_neither_100_nor_met():
    # Asked 2 on the covered days, done 1.99: 99.5 % → "99%", and the aim is not met.
    week = WeekView(date(2026, 1, 5), "5 Jan", 2, 2, 1.99, True)
    assert not week.met and fmt_pct(week.percent) == "99%"


def test_caseload_meter_is_full_only_when_reached():
    from goalbook.views.goal_views import GoalView

    def meter(pct: float, reached: bool) -> int:
        view = GoalView.__new__(GoalView)
        view.percent, view.reached = pct, reached
        return view.meter

    # 99 % / 5 = 19.8 → 20 twentieths half up, but not reached: 19.
    assert (meter(99, False), meter(100, True), meter(52.5, False), meter(-10, False)) == (19, 20, 11, 0)


@given(st.floats(min_value=-1000, max_value=99.999999, allow_nan=False))
def test_no_percent_below_100_reads_100(value):
    shown = percent(value)
    assert shown != "100%" and not (shown[0].isdigit() and int(shown[:-1]) >= 100)


@given(done=st.floats(min_value=0, max_value=1000, allow_nan=False),
       asked=st.floats(min_value=0.01, max_value=1000, allow_nan=False))
def test_no_week_below_its_aim_shows_100(done, asked):
    week = WeekView(date(2026, 1, 5), "5 Jan", asked, asked, done, True)
    shown = fmt_pct(week.percent)
    if done < asked - 1e-9:
        assert int(shown.rstrip("%")) < 100 and not week.met
        assert charts._pct(week.percent) == shown  # the chart says the same number as the table
    else:
        assert week.met


@given(baseline=st.floats(min_value=-100, max_value=100, allow_nan=False),
       gap=st.floats(min_value=0.01, max_value=100, allow_nan=False),
       share=st.floats(min_value=0, max_value=1, allow_nan=False))
def test_no_goal_short_of_its_target_reads_100(baseline, gap, share):
    # Lower is better: the target is ``gap`` below the baseline; the latest is ``share`` of the way.
    target = baseline - gap
    latest = baseline - gap * share
    goal = model.Goal("g", "G", "active", date(2026, 1, 1), target=model.Target("t", value=target),
                      baseline=baseline, measure=model.Measure("rating", min=-200, max=200))
    prog = progress.goal_progress(goal, [(date(2026, 1, 8), latest)], today=date(2026, 1, 9),
                                  direction="decrease")
    if not prog.reached:
        assert "100%" not in prog.percent_text()


def test_every_figure_rounds_half_up():
    from goalbook.clinical.change import jacobson_truax
    from goalbook.render.pages import fmt_about
    from goalbook.views.outcomes import pct

    assert fmt_about(2.5) == "≈ 3"  # an aim of 2.5 times (round() would say 2)
    assert pct(0.995) == "99\u00a0%" and pct(0.125) == "13\u00a0%"  # 199 of 200 clients is not 100 %
    # SD 6, α 0.84: SE = 6 × 0.4 = 2.4 → "2.400"; S_diff = 3.394…; 1.96 × 3.394… = 6.65
    assert jacobson_truax(6, 0.84).formula().endswith("threshold = 1.96 × S_diff = 6.65")
