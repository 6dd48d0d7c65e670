"""Numbers in sentences: one rule for messages and formulas, one for scores shown in the book."""

from __future__ import annotations

import pytest

from goalbook.number_text import plain_number, short_number


@pytest.mark.parametrize("value,text", [
    (6, "6"), (6.0, "6"), (6.75, "6.75"), (-2.5, "-2.5"),
    (70 / 3, "23.33"),  # 23.333… to two decimals
    (1234567.5, "1234567.5"),  # never exponent notation ("1.23457e+06")
    (None, "?"),
])
def test_plain_number(value, text):
    assert plain_number(value) == text


@pytest.mark.parametrize("value,text", [
    (11, "11"), (70 / 3, "23.3"),
    (9.96, "10"),  # rounds to 10.0 first, so the whole number shows without ".0"
    (None, "—"),
])
def test_short_number(value, text):
    assert short_number(value) == text


def test_formula_numbers_use_a_true_minus_and_bracket_negative_terms():
    from goalbook.number_text import formula_number, formula_term

    assert formula_number(-1) == "−1"
    assert formula_number(2.5) == "2.5"
    assert formula_term(-1) == "(−1)"
    assert formula_term(3) == "3"


def test_gas_working_brackets_a_negative_sum():
    from goalbook.clinical.gas import t_score

    # three goals at −1: Σx = −3, denominator √(0.7·3 + 0.3·9) = √4.8 = 2.191 → T = 50 − 30/2.191 = 36.3
    assert "50 + 10 × (−3) / 2.191 = 36.3" in t_score([-1, -1, -1]).formula
