"""Reliable change (Jacobson & Truax 1991) and clinically significant change, with the worked examples
of /work/shared/instruments.md §2.1–2.2 computed by hand."""

from __future__ import annotations

import pytest

from goalbook.clinical.change import (
    classify,
    clinical_cutoffs,
    jacobson_truax,
    reliable_change_index,
)
from goalbook.clinical.instruments import load_instruments

INSTRUMENTS, _ = load_instruments(None)


def test_worked_example_a_phq9_sd6_r084():
    # SE = 6.0 × √0.16 = 2.40; S_diff = 2.40 × √2 = 3.394; threshold 1.96 × 3.394 = 6.65 → ≥ 7 points
    jt = jacobson_truax(6.0, 0.84)
    assert jt.se == pytest.approx(2.40, abs=0.005)
    assert jt.s_diff == pytest.approx(3.394, abs=0.001)
    assert jt.points == pytest.approx(6.65, abs=0.005)
    # 18 → 9: RC = −9 / 3.394 = −2.65 (reliable); 18 → 13: RC = −5 / 3.394 = −1.47 (not)
    assert reliable_change_index(18, 9, 6.0, 0.84) == pytest.approx(-2.65, abs=0.005)
    assert reliable_change_index(18, 13, 6.0, 0.84) == pytest.approx(-1.47, abs=0.005)


def _phq9_with_jt(sd, r):
    """A PHQ-9 whose reliable change comes from SD and reliability instead of NHS points."""
    base = INSTRUMENTS["phq9"]
    from dataclasses import replace

    from goalbook.clinical.instruments import ReliableChange

    return replace(base, reliable_change=ReliableChange(source="worked example", sd=sd, reliability=r))


def test_worked_example_a_classified():
    phq = _phq9_with_jt(6.0, 0.84)
    assert classify(phq, 18, 9).reliable == "improvement"
    assert classify(phq, 18, 13).reliable == "none"
    assert classify(phq, 18, 11).reliable == "improvement"  # −7 > 6.65
    assert classify(phq, 18, 12).reliable == "none"  # −6 < 6.65


def test_worked_example_b_reproduces_nhs_thresholds():
    # PHQ-9 SD 5.5, α 0.89: SE 1.824, S_diff 2.580, threshold 5.06 → smallest integer change above it is 6
    phq = jacobson_truax(5.5, 0.89)
    assert phq.se == pytest.approx(1.824, abs=0.001)
    assert phq.s_diff == pytest.approx(2.580, abs=0.001)
    assert phq.points == pytest.approx(5.06, abs=0.005)
    # GAD-7 SD 4.5, α 0.92: threshold 3.53 → 4
    assert jacobson_truax(4.5, 0.92).points == pytest.approx(3.53, abs=0.005)


def test_worked_example_c_core10_cutoffs_and_recovery():
    # a = 19.7 − 2 × 7.7 = 4.3; b = 4.7 + 2 × 4.8 = 14.3; c = (4.8 × 19.7 + 7.7 × 4.7) / 12.5 = 10.46
    cut = clinical_cutoffs(19.7, 7.7, 4.7, 4.8)
    assert cut.a == pytest.approx(4.3)
    assert cut.b == pytest.approx(14.3)
    assert cut.c == pytest.approx(10.46)
    # RCI with α 0.90: SE = 7.7 × √0.10 = 2.435; S_diff = 3.444; 1.96 × S_diff = 6.75 → ≥ 7 points
    core = INSTRUMENTS["core10"]
    assert core.reliable_change.threshold == pytest.approx(6.75, abs=0.005)
    # 22 → 9: Δ −13, reliable, ends below the cut-off 11 → recovered
    ch = classify(core, 22, 9)
    assert (ch.delta, ch.reliable, ch.crossed_cutoff, ch.category) == (-13, "improvement", True, "recovered")
    assert ch.rci == pytest.approx(-13 / 3.444, abs=0.005)
    assert classify(core, 22, 16).reliable == "none"  # −6 < 6.75
    assert classify(core, 22, 15).reliable == "improvement"  # −7 > 6.75


def test_cutoffs_reverse_for_higher_is_better():
    # a = M_dys + 2 s_dys; b = M_func − 2 s_func (signs reversed); c is symmetric
    cut = clinical_cutoffs(40, 10, 70, 12, direction="higher_is_better")
    assert (cut.a, cut.b) == (60, 46)
    assert cut.c == pytest.approx((12 * 40 + 10 * 70) / 22)


@pytest.mark.parametrize("first,last,reliable,category", [
    # PHQ-9: NHS threshold 6 points, cut-off 10
    (16, 8, "improvement", "recovered"),  # −8, ends at 8 < 10
    (20, 14, "improvement", "improved"),  # −6 (exactly the threshold), still ≥ 10
    (16, 11, "none", "unchanged"),  # −5
    (8, 14, "deterioration", "deteriorated"),  # +6
    (8, 13, "none", "unchanged"),  # +5
    (9, 3, "improvement", "improved"),  # −6 but started below the cut-off: nothing to cross
    (12, 12, "none", "unchanged"),
])
def test_phq9_categories(first, last, reliable, category):
    ch = classify(INSTRUMENTS["phq9"], first, last)
    assert (ch.reliable, ch.category) == (reliable, category)


def test_explain_shows_threshold_and_source():
    assert classify(INSTRUMENTS["phq9"], 18, 10).explain() == \
        "reliable improvement: −8 points (threshold 6, NHS Talking Therapies)"
    assert classify(INSTRUMENTS["gad7"], 6, 10).explain() == \
        "reliable deterioration: +4 points (threshold 4, NHS Talking Therapies)"
    assert classify(INSTRUMENTS["gad7"], 10, 7).explain() == \
        "no reliable change: −3 points (threshold 4, NHS Talking Therapies)"
    assert "more than 6.75" in classify(INSTRUMENTS["core10"], 22, 9).explain()


def test_who5_direction_aware():
    who = INSTRUMENTS["who5"]
    # higher is better: 48 → 60 is +12 ≥ 10 points → reliable improvement, and 48 (≤ 50) → 60 leaves
    # the poor well-being range → recovered
    ch = classify(who, 48, 60)
    assert (ch.delta, ch.reliable, ch.category) == (12, "improvement", "recovered")
    # 48 → 56: +8 < 10 → no reliable change
    assert classify(who, 48, 56).reliable == "none"
    # 72 → 60: −12 → reliable deterioration
    assert classify(who, 72, 60).category == "deteriorated"


def test_no_published_threshold_is_not_invented():
    for instrument_id in ("phq2", "gad2", "k10", "phq15", "dass21"):
        ch = classify(INSTRUMENTS[instrument_id], 20 if instrument_id == "k10" else 5, 30 if
                      instrument_id == "k10" else 1)
        assert ch.reliable == "not-judged" and ch.threshold is None and ch.category == "not-judged"
        assert "no published reliable-change threshold" in ch.explain()


def test_phq2_six_to_zero_is_not_judged_never_unchanged():
    # PHQ-2 6 → 0: Δ = −6, the whole range; no published reliable-change threshold, so no verdict.
    ch = classify(INSTRUMENTS["phq2"], 6, 0)
    assert (ch.delta, ch.reliable, ch.category) == (-6, "not-judged", "not-judged")
    assert ch.explain_category() == "not judged: no published reliable-change threshold for PHQ-2"
    assert "unchanged" not in ch.explain() + ch.explain_category()


def test_pcl5_published_five_points():
    pcl = INSTRUMENTS["pcl5"]
    assert classify(pcl, 50, 45).reliable == "improvement"  # −5 ≥ 5
    assert classify(pcl, 50, 46).reliable == "none"  # −4
    assert classify(pcl, 40, 30).category == "recovered"  # −10, from ≥ 33 to < 33


def test_subscale_change_uses_subscale_cutoff_and_no_threshold():
    ch = classify(INSTRUMENTS["dass21"], 28, 10, subscale="depression")
    assert ch.delta == -18 and ch.reliable == "not-judged"  # a subscale has no threshold: 28 → 10 is not judged
    with pytest.raises(ValueError):
        classify(INSTRUMENTS["dass21"], 28, 10, subscale="anger")


def test_gad7_recovered_agrees_with_nhs_caseness():
    # GAD-7 12 → 8: −4 ≥ 4 (NHS TT) is reliable, but 8 is still NHS caseness (≥ 8): improved, not recovered.
    # 12 → 7: −5, and 7 < 8 → recovered (as the NHS paired outcome would count GAD-7 7 as below caseness).
    gad = INSTRUMENTS["gad7"]
    assert (classify(gad, 12, 8).reliable, classify(gad, 12, 8).category) == ("improvement", "improved")
    assert classify(gad, 12, 7).category == "recovered"
    # one source for both thresholds on the GAD-7 chart
    assert "NHS Talking Therapies" in gad.cutoff.source and gad.reliable_change.source == "NHS Talking Therapies"
