"""Goal Attainment Scaling T-scores (Kiresuk & Sherman 1968), examples 1–5 of /work/shared/instruments.md §2.5."""

from __future__ import annotations

import pytest

from goalbook.clinical.gas import t_score


def test_example_1_unweighted_four_goals():
    # Σx = 1; √(0.7 × 4 + 0.3 × 16) = √7.6 = 2.757; T = 50 + 10 / 2.757 = 53.6
    r = t_score([1, 1, 0, -1])
    assert r.denominator == pytest.approx(2.757, abs=0.001)
    assert round(r.t_score, 1) == 53.6


def test_example_2_weighted_three_goals():
    # Σwx = 2 + 0 − 3 = −1; Σw² = 14; (Σw)² = 36; √(9.8 + 10.8) = √20.6 = 4.539; T = 50 − 10 / 4.539 = 47.8
    r = t_score([1, 0, -1], [2, 1, 3])
    assert r.numerator == -1
    assert r.denominator == pytest.approx(4.539, abs=0.001)
    assert round(r.t_score, 1) == 47.8


@pytest.mark.parametrize("level,expected", [(-2, 21.0), (0, 50.0), (2, 79.0)])
def test_example_3_limits_with_four_equal_goals(level, expected):
    # Σx = 4·level; denominator √7.6 = 2.757; e.g. 50 − 80 / 2.757 = 21.0
    assert round(t_score([level] * 4).t_score, 1) == expected


@pytest.mark.parametrize("level,expected", [(-2, 30), (-1, 40), (0, 50), (1, 60), (2, 70)])
def test_example_4_single_goal(level, expected):
    # one goal: √(0.7 + 0.3) = 1, so T = 50 + 10x
    assert t_score([level]).t_score == pytest.approx(expected)


def test_example_5_three_goals_at_minus_one():
    # Σx = −3; √(0.7 × 3 + 0.3 × 9) = √4.8 = 2.191; T = 50 − 30 / 2.191 = 36.3
    assert round(t_score([-1, -1, -1]).t_score, 1) == 36.3


def test_formula_shows_its_inputs():
    assert "= 47.8" in t_score([1, 0, -1], [2, 1, 3]).formula
    assert "ρ = 0.3" in t_score([0]).formula


@pytest.mark.parametrize("levels,weights", [([3], None), ([], None), ([1, 0], [1]), ([1], [0]), ([True], None)])
def test_bad_input_refused(levels, weights):
    with pytest.raises(ValueError):
        t_score(levels, weights)
