"""NHS Talking Therapies (formerly IAPT) paired outcome for PHQ-9 + GAD-7: caseness, recovery, reliable
improvement, reliable recovery and reliable deterioration, each with the rule it used. Pure functions.

Thresholds: caseness PHQ-9 ≥ 10, GAD-7 ≥ 8; reliable change PHQ-9 ≥ 6, GAD-7 ≥ 4 points (NHS Digital /
OHID glossary and Scorecard indicators; PMC8411661 Table 1). NHS Digital's published definitions pair
the clauses: reliable improvement is a reliable fall on at least one measure *and no reliable rise on the
other*; reliable deterioration is the mirror. So a client improving on one measure and deteriorating on
the other is neither — it is reported as *mixed*, never collapsed into either (or both). The clauses stay
switches (``NhsRules``) so a service that reports otherwise can say so; the defaults follow NHS Digital.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from goalbook.clinical.change import signed
from goalbook.number_text import short_number

SOURCE = "NHS Talking Therapies"


@dataclass(frozen=True)
class NhsRules:
    phq9_caseness: int = 10
    gad7_caseness: int = 8
    phq9_reliable: int = 6
    gad7_reliable: int = 4
    # NHS Digital's definitions (see the module docstring): neither outcome holds in the mixed case.
    improvement_requires_no_deterioration: bool = True
    deterioration_requires_no_improvement: bool = True


@dataclass(frozen=True)
class NhsOutcome:
    phq9: tuple[float, float]
    gad7: tuple[float, float]
    caseness: bool  # at the first measurement
    caseness_at_end: bool
    recovery: bool | None  # None: not at caseness at the start, so excluded (not applicable)
    reliable_improvement: bool
    reliable_recovery: bool | None
    reliable_deterioration: bool
    mixed: bool  # reliable improvement on one measure and reliable deterioration on the other
    summary: str
    mixed_text: str = ""  # "reliable improvement on PHQ-9, reliable deterioration on GAD-7"
    rules: dict[str, str] = field(default_factory=dict)  # outcome name → the rule text and the numbers

    def explain(self) -> str:
        return self.summary


def _measure_change(name: str, first: float, last: float, threshold: int) -> tuple[bool, bool, str]:
    delta = last - first
    better = delta <= -threshold
    worse = delta >= threshold
    return better, worse, f"{name} {signed(delta)}"


def paired_outcome(phq9_first: float, phq9_last: float, gad7_first: float, gad7_last: float,
                   rules: NhsRules = NhsRules()) -> NhsOutcome:
    r = rules
    case_start = phq9_first >= r.phq9_caseness or gad7_first >= r.gad7_caseness
    case_end = phq9_last >= r.phq9_caseness or gad7_last >= r.gad7_caseness
    phq_better, phq_worse, phq_text = _measure_change("PHQ-9", phq9_first, phq9_last, r.phq9_reliable)
    gad_better, gad_worse, gad_text = _measure_change("GAD-7", gad7_first, gad7_last, r.gad7_reliable)
    any_better, any_worse = phq_better or gad_better, phq_worse or gad_worse
    mixed = any_better and any_worse
    improvement = any_better and not (r.improvement_requires_no_deterioration and any_worse)
    deterioration = any_worse and not (r.deterioration_requires_no_improvement and any_better)
    recovery = (not case_end) if case_start else None
    reliable_recovery = (bool(recovery) and improvement) if case_start else None

    changes = f"{phq_text} (threshold {r.phq9_reliable}), {gad_text} (threshold {r.gad7_reliable})"
    texts = {
        "caseness": f"PHQ-9 ≥ {r.phq9_caseness} or GAD-7 ≥ {r.gad7_caseness} at the first measurement: "
                    f"PHQ-9 {short_number(phq9_first)}, GAD-7 {short_number(gad7_first)}",
        "recovery": (f"at caseness at the start and below it on both at the end (PHQ-9 ≤ {r.phq9_caseness - 1} "
                     f"and GAD-7 ≤ {r.gad7_caseness - 1}): PHQ-9 {short_number(phq9_last)}, GAD-7 {short_number(gad7_last)}"
                     if case_start else "not applicable: not at caseness at the start, so excluded from recovery"),
        "reliable_improvement": f"a fall of ≥ {r.phq9_reliable} on PHQ-9 and/or ≥ {r.gad7_reliable} on GAD-7"
                                + (", with no reliable deterioration on the other" if
                                   r.improvement_requires_no_deterioration else "") + f": {changes}",
        "reliable_recovery": ("both recovery and reliable improvement" if case_start
                              else "not applicable: not at caseness at the start"),
        "reliable_deterioration": f"a rise of ≥ {r.phq9_reliable} on PHQ-9 or ≥ {r.gad7_reliable} on GAD-7"
                                  + (", with no reliable improvement on the other" if
                                     r.deterioration_requires_no_improvement else "") + f": {changes}",
    }
    texts["mixed"] = (f"a reliable fall on one measure and a reliable rise on the other: neither reliable improvement "
                      f"nor reliable deterioration under NHS Digital's definitions: {changes}")
    mixed_text = ""
    if mixed:
        up = "PHQ-9" if phq_better else "GAD-7"
        down = "GAD-7" if up == "PHQ-9" else "PHQ-9"
        mixed_text = f"reliable improvement on {up}, reliable deterioration on {down}"
        summary = f"mixed: {mixed_text} ({phq_text}, {gad_text})"
    elif not case_start:
        summary = "not at caseness at the start: excluded from recovery"
        if improvement:
            summary += "; reliable improvement"
        elif deterioration:
            summary += "; reliable deterioration"
    elif reliable_recovery:
        summary = "reliable recovery"
    elif recovery:
        summary = "recovery, but not reliable improvement"
    elif improvement:
        summary = "reliable improvement, not recovered"
    elif deterioration:
        summary = "reliable deterioration"
    else:
        summary = "no reliable change"
    return NhsOutcome(
        phq9=(phq9_first, phq9_last), gad7=(gad7_first, gad7_last), caseness=case_start, caseness_at_end=case_end,
        recovery=recovery, reliable_improvement=improvement, reliable_recovery=reliable_recovery,
        reliable_deterioration=deterioration, mixed=mixed, summary=f"{summary} ({SOURCE})", rules=texts,
        mixed_text=mixed_text,
    )

