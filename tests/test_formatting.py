"""Numbers in sentences: one rule for messages and formulas, one for scores shown in the book."""

from __future__ import annotations

import pytest

from goalbook.formatting import plain_number, short_number


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
