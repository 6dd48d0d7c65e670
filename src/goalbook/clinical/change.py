"""Change between two administrations: reliable change (Jacobson & Truax 1991, or published points) and
clinically significant change, direction-aware. Pure functions, no I/O.

For a measure where higher is worse a fall is an improvement; for WHO-5 (higher is better) a rise is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from goalbook.clinical.instruments import Cutoff, Instrument, ReliableChange
from goalbook.number_text import fixed, half_up, plain_number
from goalbook.records.model import quick_constructor

# "not-judged": the instrument has no reliable-change threshold, so no change is called reliable or
# not (6 → 0 on the PHQ-2 is not "unchanged"); the change is shown, never judged.
Reliable = Literal["improvement", "deterioration", "none", "not-judged"]
Category = Literal["recovered", "improved", "unchanged", "deteriorated", "not-judged"]

Z_95 = 1.96  # |RC| > 1.96: unlikely (p < .05) to be measurement error


def signed(x: float) -> str:
    """−8, +4, 0: with a true minus sign, as a clinician writes a change."""
    if x == 0:
        return "0"
    return ("+" if x > 0 else "−") + plain_number(abs(x))


@dataclass(frozen=True)
class JacobsonTruax:
    """Standard error of measurement, SE of the difference, and the points a change must exceed."""

    sd: float
    reliability: float
    se: float  # s1 · √(1 − rxx)
    s_diff: float  # √(2 · SE²)
    points: float  # 1.96 · S_diff

    def formula(self) -> str:
        return (f"SE = {plain_number(self.sd)} × √(1 − {plain_number(self.reliability)}) = {fixed(self.se, 3)}; "
                f"S_diff = √2 × SE = {fixed(self.s_diff, 3)}; threshold = 1.96 × S_diff = {fixed(self.points, 2)}")


def jacobson_truax(sd: float, reliability: float) -> JacobsonTruax:
    se = sd * math.sqrt(1 - reliability)
    s_diff = math.sqrt(2 * se * se)
    return JacobsonTruax(sd, reliability, se, s_diff, Z_95 * s_diff)


def reliable_change_index(first: float, last: float, sd: float, reliability: float) -> float:
    """RC = (x2 − x1) / S_diff."""
    return (last - first) / jacobson_truax(sd, reliability).s_diff


@dataclass(frozen=True)
class ClinicalCutoffs:
    """Jacobson–Truax cut-offs a, b, c for the post score (§2.2 of the scoring facts)."""

    a: float  # beyond 2 SD of the dysfunctional mean, in the healthy direction
    b: float  # within 2 SD of the functional mean
    c: float  # equally many SDs from both means (recommended when the distributions overlap)


def clinical_cutoffs(dys_mean: float, dys_sd: float, func_mean: float, func_sd: float,
                     direction: str = "higher_is_worse") -> ClinicalCutoffs:
    sign = 1 if direction == "higher_is_worse" else -1
    a = dys_mean - sign * 2 * dys_sd
    b = func_mean + sign * 2 * func_sd
    c = (func_sd * dys_mean + dys_sd * func_mean) / (func_sd + dys_sd)
    return ClinicalCutoffs(a, b, c)


@dataclass(frozen=True)
class Change:
    instrument: str
    short_name: str
    first: float
    last: float
    delta: float  # last − first
    direction: str  # the instrument's: higher_is_worse | higher_is_better
    reliable: Reliable
    threshold: float | None  # points the change had to reach (published) or exceed (J&T); None: none known
    threshold_inclusive: bool  # True: |Δ| ≥ threshold; False: |Δ| > threshold
    threshold_source: str
    threshold_how: str  # "published points" or the J&T formula with its inputs
    rci: float | None  # the Jacobson–Truax RC (Δ / S_diff) when SD and reliability are known
    cutoff: Cutoff | None
    crossed_cutoff: bool | None  # from the clinical range at first to outside it at last; None: no cut-off
    category: Category

    def explain(self) -> str:
        """e.g. "reliable improvement: −8 points (threshold 6, NHS Talking Therapies)"."""
        points = f"{signed(self.delta)} point{'s' if abs(self.delta) != 1 else ''}"
        if self.threshold is None:
            return f"no reliable-change judgement: {points} (no published reliable-change threshold for " \
                   f"{self.short_name})"
        words = {"improvement": "reliable improvement", "deterioration": "reliable deterioration",
                 "none": "no reliable change"}[self.reliable]
        t = plain_number(half_up(self.threshold, 2))
        rule = "" if self.threshold_inclusive else "more than "
        return f"{words}: {points} (threshold {rule}{t}, {self.threshold_source})"

    def explain_category(self) -> str:
        """Why the Jacobson–Truax category is what it is."""
        if self.category == "recovered":
            return (f"recovered: reliable improvement and moved out of the clinical range "
                    f"(cut-off {self.cutoff.describe() if self.cutoff else '?'})")
        if self.category == "improved":
            if self.cutoff is None:
                why = f"{self.short_name} has no clinical cut-off"
            elif not self.cutoff.is_clinical(self.first):
                why = "it started outside the clinical range"
            else:
                why = f"still in the clinical range, cut-off {self.cutoff.describe()}"
            return f"improved: reliable improvement, not recovered ({why})"
        if self.category == "deteriorated":
            return "deteriorated: reliable deterioration"
        if self.category == "not-judged":
            return f"not judged: no published reliable-change threshold for {self.short_name}"
        return "unchanged: the change is within measurement error"


# ``Change(**fields)`` without the frozen class's per-field ``__init__``: a book judges many changes.
_new_change = quick_constructor(Change)


@dataclass(frozen=True)
class ChangeRule:
    """How a change on one instrument (or one of its subscales) is judged: everything that does not depend
    on the two totals, worked out once (``change_rule``) for every pair of totals a series compares."""

    instrument: Instrument
    reliable_change: ReliableChange | None  # None: only the delta is reported (no threshold known)
    cutoff: Cutoff | None
    threshold: float | None
    inclusive: bool
    source: str
    how: str  # "published points" or the J&T formula with its inputs
    s_diff: float | None  # the Jacobson–Truax S_diff, for the RC index; None for published points

    def classify(self, first_total: float, last_total: float) -> Change:
        """Reliable change and the four Jacobson–Truax categories between a first and a last total."""
        instrument, rc, cutoff = self.instrument, self.reliable_change, self.cutoff
        delta = last_total - first_total
        better_when_lower = instrument.direction == "higher_is_worse"
        improving = delta < 0 if better_when_lower else delta > 0
        reliable: Reliable = "none" if rc is not None else "not-judged"
        rci = None
        if rc is not None:
            if self.s_diff is not None:
                rci = delta / self.s_diff
            if delta != 0 and rc.is_reliable(delta):
                reliable = "improvement" if improving else "deterioration"
        crossed = None
        if cutoff is not None:
            crossed = cutoff.is_clinical(first_total) and not cutoff.is_clinical(last_total)
        if reliable == "improvement":
            category: Category = "recovered" if crossed else "improved"
        elif reliable == "deterioration":
            category = "deteriorated"
        elif reliable == "not-judged":
            category = "not-judged"
        else:
            category = "unchanged"
        return _new_change(
            instrument=instrument.id, short_name=instrument.short_name, first=first_total, last=last_total,
            delta=delta, direction=instrument.direction, reliable=reliable, threshold=self.threshold,
            threshold_inclusive=self.inclusive, threshold_source=self.source, threshold_how=self.how, rci=rci,
            cutoff=cutoff, crossed_cutoff=crossed, category=category,
        )


def change_rule(instrument: Instrument, subscale: str | None = None) -> ChangeRule:
    """The rule ``classify`` judges by. With ``subscale``, the subscale's cut-off is used; subscales carry
    no reliable-change threshold, so only the delta is reported for them."""
    rc: ReliableChange | None = instrument.reliable_change
    cutoff = instrument.cutoff
    if subscale is not None:
        sub = instrument.subscale(subscale)
        if sub is None:
            raise ValueError(f"{instrument.short_name} has no subscale '{subscale}'")
        rc, cutoff = None, sub.cutoff
    threshold = s_diff = None
    how, source, inclusive = "", "", True
    if rc is not None:
        threshold, inclusive, source = rc.threshold, rc.inclusive, rc.source
        if rc.points is not None:
            how = f"published threshold: a change of at least {plain_number(rc.points)} points"
        else:
            jt = jacobson_truax(rc.sd, rc.reliability)  # type: ignore[arg-type]
            how = f"Jacobson–Truax: {jt.formula()}"
            s_diff = jt.s_diff
    return ChangeRule(instrument, rc, cutoff, threshold, inclusive, source, how, s_diff)


def classify(instrument: Instrument, first_total: float, last_total: float,
             subscale: str | None = None) -> Change:
    """Reliable change and the four Jacobson–Truax categories between a first and a last total
    (``change_rule``: a caller judging many pairs on one instrument makes the rule once).

    With ``subscale``, the subscale's cut-off is used; subscales carry no reliable-change threshold, so
    only the delta is reported for them."""
    return change_rule(instrument, subscale).classify(first_total, last_total)
