"""Goal Attainment Scaling T-score (Kiresuk & Sherman 1968). Pure functions.

    T = 50 + 10 · Σ(wᵢ·xᵢ) / √((1 − ρ) · Σwᵢ² + ρ · (Σwᵢ)²)

xᵢ is the level attained on goal i (−2 … +2), wᵢ its weight, ρ the assumed correlation between goal
scales (Kiresuk & Sherman took 0.3). T = 50 means every goal was met exactly as expected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from goalbook.number_text import fixed, formula_term, plain_number

LEVELS = (-2, -1, 0, 1, 2)
RHO = 0.3
SOURCE = "Kiresuk & Sherman 1968"


@dataclass(frozen=True)
class GasResult:
    t_score: float
    levels: tuple[int, ...]
    weights: tuple[float, ...]
    rho: float
    numerator: float  # Σ w·x
    denominator: float  # √((1 − ρ)·Σw² + ρ·(Σw)²)
    formula: str  # the formula with the numbers filled in

    def explain(self) -> str:
        return self.formula


def t_score(levels: Sequence[int], weights: Sequence[float] | None = None, rho: float = RHO) -> GasResult:
    """The GAS T-score of goals attained at ``levels``; equal weights unless ``weights`` are given.

    Raises ValueError for a level outside −2 … +2, a weight ≤ 0, mismatched lengths or no goals."""
    if not levels:
        raise ValueError("GAS needs the level of at least one goal")
    if any(isinstance(x, bool) or x not in LEVELS for x in levels):
        raise ValueError(f"GAS levels are −2, −1, 0, +1 or +2; got {', '.join(map(str, levels))}")
    w = [1.0] * len(levels) if weights is None else [float(x) for x in weights]
    if len(w) != len(levels):
        raise ValueError(f"{len(w)} weights for {len(levels)} goals: give one weight per goal")
    if any(x <= 0 for x in w):
        raise ValueError("GAS weights must be greater than 0")
    if not 0 <= rho < 1:
        raise ValueError("ρ (the correlation between goal scales) must be at least 0 and below 1")
    numerator = sum(wi * xi for wi, xi in zip(w, levels))
    sum_sq = sum(wi * wi for wi in w)
    sum_w = sum(w)
    denominator = math.sqrt((1 - rho) * sum_sq + rho * sum_w * sum_w)
    t = 50 + 10 * numerator / denominator
    formula = (f"T = 50 + 10 × Σ(w·x) / √((1 − ρ)·Σw² + ρ·(Σw)²) = 50 + 10 × {formula_term(numerator)} / "
               f"√({plain_number(round(1 - rho, 6))} × {plain_number(sum_sq)} + {plain_number(rho)} × {plain_number(sum_w * sum_w)}) = "
               f"50 + 10 × {formula_term(numerator)} / {denominator:.3f} = {fixed(t, 1)} ({SOURCE}, ρ = {plain_number(rho)})")
    return GasResult(t, tuple(levels), tuple(w), rho, numerator, denominator, formula)
