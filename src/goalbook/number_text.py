"""Numbers in sentences: one rule for every message, formula and explanation goalbook writes."""

from __future__ import annotations


def plain_number(x: float | None) -> str:
    """6.0 → "6", 6.75 → "6.75", 23.3333 → "23.33", None → "?": as a clinician writes a number.

    Fixed decimals, never exponent notation: a count of 1234567.5 must not read "1.23457e+06".
    """
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def short_number(x: float | None, empty: str = "—") -> str:
    """A score as the book shows it, to one decimal: 23.333 → "23.3", 9.96 → "10" (rounded first, so
    never "10.0"), None → ``empty``."""
    if x is None:
        return empty
    # One decimal rounds as round(x, 1) would, at less cost: ~300 numbers a client (issue 6: speed).
    text = f"{float(x):.1f}"
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
