"""NHS Talking Therapies paired outcome: the four worked clients A–D of /work/shared/instruments.md §2.4."""

from __future__ import annotations

from goalbook.clinical.nhs import NhsRules, paired_outcome


def test_client_a_reliable_recovery():
    # PHQ-9 16 → 8 (−8 ≥ 6), GAD-7 13 → 6 (−7 ≥ 4); caseness at start; 8 ≤ 9 and 6 ≤ 7 at the end
    o = paired_outcome(16, 8, 13, 6)
    assert (o.caseness, o.recovery, o.reliable_improvement, o.reliable_recovery, o.reliable_deterioration,
            o.mixed) == (True, True, True, True, False, False)
    assert o.summary.startswith("reliable recovery")


def test_client_b_recovered_but_not_reliably():
    # PHQ-9 11 → 9 (−2), GAD-7 6 → 5 (−1): caseness at start (PHQ 11 ≥ 10); below both at the end
    o = paired_outcome(11, 9, 6, 5)
    assert (o.caseness, o.recovery, o.reliable_improvement, o.reliable_recovery, o.reliable_deterioration) == \
        (True, True, False, False, False)
    assert "recovery, but not reliable improvement" in o.summary


def test_client_c_mixed_is_neither_improvement_nor_deterioration():
    # PHQ-9 12 → 5 (−7 ≥ 6: improved), GAD-7 9 → 13 (+4 ≥ 4: deteriorated); GAD 13 ≥ 8 → not recovered.
    # NHS Digital: reliable improvement needs no reliable deterioration on the other measure, and the
    # mirror for deterioration, so this client is neither: mixed.
    o = paired_outcome(12, 5, 9, 13)
    assert o.caseness is True and o.recovery is False and o.reliable_recovery is False
    assert (o.reliable_improvement, o.reliable_deterioration, o.mixed) == (False, False, True)
    assert o.summary.startswith("mixed: reliable improvement on PHQ-9, reliable deterioration on GAD-7")
    assert o.mixed_text == "reliable improvement on PHQ-9, reliable deterioration on GAD-7"
    assert "no reliable deterioration on the other" in o.rules["reliable_improvement"]
    assert "no reliable improvement on the other" in o.rules["reliable_deterioration"]


def test_client_c_under_the_bare_and_or_rules():
    bare = NhsRules(improvement_requires_no_deterioration=False, deterioration_requires_no_improvement=False)
    o = paired_outcome(12, 5, 9, 13, rules=bare)
    assert (o.reliable_improvement, o.reliable_deterioration, o.mixed) == (True, True, True)
    assert o.summary.startswith("mixed:")  # still shown as mixed, never collapsed


def test_client_d_not_at_caseness():
    # PHQ-9 7 → 3, GAD-7 5 → 2: 7 < 10 and 5 < 8 → not at caseness: recovery not applicable
    o = paired_outcome(7, 3, 5, 2)
    assert (o.caseness, o.recovery, o.reliable_improvement, o.reliable_recovery, o.reliable_deterioration) == \
        (False, None, False, None, False)
    assert "not applicable" in o.rules["recovery"]


def test_caseness_thresholds():
    assert paired_outcome(10, 10, 0, 0).caseness is True  # PHQ-9 ≥ 10
    assert paired_outcome(9, 9, 7, 7).caseness is False  # 9 < 10 and 7 < 8
    assert paired_outcome(0, 0, 8, 8).caseness is True  # GAD-7 ≥ 8


def test_reliable_deterioration_on_either_measure():
    o = paired_outcome(10, 16, 8, 8)  # PHQ-9 +6
    assert o.reliable_deterioration is True and o.mixed is False and o.summary.startswith("reliable deterioration")


def test_rules_carry_their_numbers():
    o = paired_outcome(16, 8, 13, 6)
    assert "PHQ-9 −8 (threshold 6), GAD-7 −7 (threshold 4)" in o.rules["reliable_improvement"]
    assert "PHQ-9 16, GAD-7 13" in o.rules["caseness"]
