"""Numbers in sentences: one rule for every message, formula and explanation goalbook writes.

One rounding rule for every figure: half up (away from zero), on the number as written in decimal, so
2.5 → 3, 0.25 → 0.3 and 99.5 → 100 — but a percent of an aim or of the way to a target never reads
100 % unless it was reached (``percent``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

_STEPS = {0: Decimal(1), 1: Decimal("0.1"), 2: Decimal("0.01")}


def half_up(x: float, digits: int = 0) -> float:
    """``x`` rounded half up to ``digits`` decimals: 2.5 → 3, −2.5 → −3, 0.125 → 0.13 (digits=2).

    Python's ``round`` rounds half to even (2.5 → 2) and works on the binary value (0.125 is exact, but
    2.675 is 2.67499…); the decimal text of ``x`` is what a reader checks the rounding against."""
    x = float(x)
    if x.is_integer():
        return x  # a whole number (most scores) has no decimals to round: the same value, sign of zero kept
    if not math.isfinite(x) or abs(x) >= 1e15:
        return x  # no decimals left to round (and Decimal cannot quantize inf or 1e300 to 0.1)
    if digits == 0:
        # To a whole number the decimal text and the binary value round alike: every n + ½ below
        # 1e15 is a float, so a float's shortest text is at or past ".5" exactly when the float is.
        # The whole part and the fraction are exact (no rounding in floor or in the subtraction).
        size = abs(x)
        whole = math.floor(size)
        return math.copysign(whole + 1.0 if size - whole >= 0.5 else float(whole), x)
    step = _STEPS.get(digits) or Decimal(1).scaleb(-digits)
    return float(Decimal(repr(x)).quantize(step, rounding=ROUND_HALF_UP))


def fixed(x: float, digits: int) -> str:
    """``x`` with exactly ``digits`` decimals, rounded half up: the working of a formula (6.745 → "6.75")."""
    return f"{half_up(x, digits):.{digits}f}"


def percent(x: float | None, *, reached: bool | None = None, empty: str = "—") -> str:
    """A percent of an aim or of the way to a target, whole and half up: "33%", "−5%".

    Never "100%" (or more) unless it was reached: 99.5 % done is shown as 99 %. ``reached`` defaults to
    ``x ≥ 100``; pass it when the caller knows better (a target resolved from "30% lower" may be
    reached at 99.999…%)."""
    if x is None:
        return empty
    if reached is None:
        reached = x >= 100 - 1e-9
    whole = int(half_up(x))
    if not reached and whole >= 100:
        whole = 99
    if reached and whole < 100:
        whole = 100
    return f"{'−' if whole < 0 else ''}{abs(whole)}%"


def plain_number(x: float | None) -> str:
    """6.0 → "6", 6.75 → "6.75", 23.3333 → "23.33", None → "?": as a clinician writes a number.

    Fixed decimals, never exponent notation: a count of 1234567.5 must not read "1.23457e+06".
    """
    if x is None:
        return "?"
    if float(x).is_integer():
        return str(int(x))
    return f"{half_up(x, 2):.2f}".rstrip("0").rstrip(".")


def short_number(x: float | None, empty: str = "—") -> str:
    """A score as the book shows it, to one decimal: 23.333 → "23.3", 9.96 → "10" (rounded first, so
    never "10.0"), None → ``empty``."""
    if x is None:
        return empty
    text = f"{half_up(x, 1):.1f}"
    if text.endswith(".0"):
        return "0" if text == "-0.0" else text[:-2]  # a whole number; −0.04 is "0", never "-0"
    return text


def formula_number(x: float | None) -> str:
    """A number in a worked formula, with a true minus sign: −1, not -1."""
    text = plain_number(x)
    return "−" + text[1:] if text.startswith("-") else text


def formula_term(x: float | None) -> str:
    """A number that follows an operator in a formula: negative ones in brackets, so
    ``10 × (−1)`` and ``(0 − (−1))`` read unambiguously."""
    text = formula_number(x)
    return f"({text})" if text.startswith("−") else text
