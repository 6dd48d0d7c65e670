"""Practice-level statistics for the outcomes page: rates with Wilson intervals, means, and a paired
pre–post effect size with its interval. Pure functions, no I/O.

Rates: the Wilson score interval (Wilson 1927; Newcombe 1998, method 3), which stays inside [0, 1]
and behaves at small n and at k = 0 or k = n, unlike the normal ("Wald") interval:

    centre = (p + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²)

Effect size: Cohen's d for paired data standardised by the SD of the change scores, d_z
(Lakens 2013, Front Psychol 4:863, d_z = mean change / SD of change), signed so that a
positive d_z is an improvement whatever the questionnaire's direction. Its 95 % interval is the
large-sample normal approximation with variance 1/n + d_z²/2n (Borenstein, Hedges, Higgins &
Rothstein 2009, Introduction to Meta-Analysis, ch. 4, for a standardised mean change with the SD
of the change scores): approximate, and wide at the small n of one practice, which is the honest
reading.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the two-sided 95 % normal quantile
SMALL_N = 5  # fewer than this many courses: the figure is not reported

WILSON_RULE = "95 % Wilson score interval (Wilson 1927)"
EFFECT_RULE = ("Cohen's d_z = mean improvement ÷ SD of the changes (Lakens 2013); 95 % interval "
               "d_z ± 1.96 × √(1/n + d_z²/2n), a large-sample approximation (Borenstein et al. 2009, ch. 4)")


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n`` with its proportion and 95 % Wilson interval; ``n`` 0 gives no proportion."""

    k: int
    n: int
    p: float | None
    low: float | None
    high: float | None

    @property
    def suppressed(self) -> bool:
        return self.n < SMALL_N


def wilson(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (n ≥ 1, 0 ≤ k ≤ n)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"a rate needs 0 ≤ k ≤ n and n ≥ 1; got k = {k}, n = {n}")
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # The interval always contains p; rounding must not push an end past it, nor outside [0, 1].
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def rate(k: int, n: int) -> Rate:
    if n == 0:
        return Rate(k, n, None, None, None)
    low, high = wilson(k, n)
    return Rate(k, n, k / n, low, high)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Paired:
    """First and last scores of ``n`` courses on one questionnaire, and the pre–post effect size."""

    n: int
    mean_first: float | None
    mean_last: float | None
    mean_improvement: float | None  # first − last when higher is worse; last − first when higher is better
    sd_change: float | None  # sample SD (n − 1) of the changes
    d_z: float | None  # None: fewer than 2 courses, or every course changed by the same amount
    low: float | None
    high: float | None

    @property
    def suppressed(self) -> bool:
        return self.n < SMALL_N


def paired(first: Sequence[float], last: Sequence[float], *, higher_is_better: bool = False,
           z: float = Z_95) -> Paired:
    """Means and Cohen's d_z (with its approximate 95 % interval) of paired first/last scores."""
    if len(first) != len(last):
        raise ValueError(f"{len(first)} first scores for {len(last)} last scores: they must pair up")
    n = len(first)
    if n == 0:
        return Paired(0, None, None, None, None, None, None, None)
    sign = 1 if higher_is_better else -1
    changes = [sign * (b - a) for a, b in zip(first, last)]
    m = sum(changes) / n
    sd = math.sqrt(sum((c - m) ** 2 for c in changes) / (n - 1)) if n > 1 else None
    d = low = high = None
    if sd:
        d = m / sd
        se = math.sqrt(1 / n + d * d / (2 * n))
        low, high = d - z * se, d + z * se
    return Paired(n, mean(first), mean(last), m, sd, d, low, high)
