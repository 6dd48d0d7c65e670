"""The example practice's scores, flags and change labels, worked out by hand from its session files."""

from __future__ import annotations

from datetime import date

import pytest

from goalbook.clinical import change, nhs, scoring
from goalbook.records.load import load_practice


@pytest.fixture(scope="module")
def practice(example_practice):
    loaded, problems = load_practice(example_practice)
    assert loaded is not None, problems
    return loaded


def adm(practice, client, instrument, day, respondent=""):
    """The one administration of that day answered by the client (or by ``respondent``)."""
    found = [a for a in practice.client(client).administrations(instrument, respondent)
             if a.date == date.fromisoformat(day)]
    assert len(found) == 1, (client, instrument, day)
    return found[0]


def score(practice, client, instrument, day):
    a = adm(practice, client, instrument, day)
    inst = practice.instruments[instrument]
    return scoring.score(inst, a.answers) if a.answers is not None else scoring.score_total(inst, a.total)


@pytest.mark.parametrize("client,instrument,day,total,band,flags", [
    # ana-r GAD-7 3+2+2+2+2+2+2 = 15 severe → 1+1+0+1+0+1+1 = 5 mild
    ("ana-r", "gad7", "2025-10-06", 15, "Severe", []),
    ("ana-r", "gad7", "2026-03-23", 5, "Mild", []),
    # ana-r PHQ-9 1+2+2+2+1+1+1+1+0 = 11 moderate → 0+1+1+1+0+1+0+0+0 = 4 none/minimal
    ("ana-r", "phq9", "2025-10-06", 11, "Moderate", []),
    ("ana-r", "phq9", "2026-03-09", 4, "None or minimal", []),
    # ben-t PHQ-9 2+3+2+3+2+2+2+2+0 = 18; 3+3+2+3+2+3+2+1+1 = 20 with item 9 = 1 → flagged
    ("ben-t", "phq9", "2025-10-09", 18, "Moderately severe", []),
    ("ben-t", "phq9", "2025-11-06", 20, "Severe", [9]),
    ("ben-t", "phq9", "2026-03-26", 7, "Mild", []),
    # chloe-m CORE-10 items 2, 3 reversed: 2+(4−2)+(4−1)+2+2+0+2+1+2+1 = 17 → 1+(4−3)+(4−3)+1+1+0+1+1+1+1 = 9
    ("chloe-m", "core10", "2025-11-05", 17, "Moderate", []),
    ("chloe-m", "core10", "2026-03-04", 9, "Low level", []),
    # dev-p PCL-5: B 14 + C 5 + D 17 + E 16 = 52 → B 9 + C 4 + D 11 + E 9 = 33 (no bands)
    ("dev-p", "pcl5", "2025-10-15", 52, None, []),
    ("dev-p", "pcl5", "2026-03-04", 33, None, []),
    # erin-s WHO-5 (2+1+2+1+2) × 4 = 32 poor → (4+4+4+3+4) × 4 = 76
    ("erin-s", "who5", "2025-10-08", 32, "Poor well-being", []),
    ("erin-s", "who5", "2026-03-04", 76, "No sign of poor well-being", []),
    # farid-k GAD-7 1+1+2+1+1+2+1 = 9 mild → 2+2+3+2+2+2+2 = 15 severe
    ("farid-k", "gad7", "2025-11-03", 9, "Mild", []),
    ("farid-k", "gad7", "2026-02-16", 15, "Severe", []),
    # gita-l: PHQ-9 total 14 only (from a letter) → moderate; GAD-7 2+2+2+2+1+2+1 = 12 moderate
    ("gita-l", "phq9", "2026-03-24", 14, "Moderate", []),
    ("gita-l", "gad7", "2026-03-24", 12, "Moderate", []),
])
def test_example_scores(practice, client, instrument, day, total, band, flags):
    s = score(practice, client, instrument, day)
    assert s.total == total
    assert (s.band.label if s.band else None) == band
    assert [f.item for f in s.flags] == flags


# erin-s DASS-21, items in form order; subscale items (Lovibond & Lovibond 1995):
#   depression 3 5 10 13 16 17 21, anxiety 2 4 7 9 15 19 20, stress 1 6 8 11 12 14 18; raw sum × 2.
# 2025-10-08  D 2+1+1+2+1+2+0 = 9 → 18 moderate (14–20); A 0+0+0+2+1+1+1 = 5 → 10 moderate (10–14);
#             S 2+1+1+2+1+1+2 = 10 → 20 moderate (19–25)
# 2025-12-17  D 1+1+1+1+1+1+0 = 6 → 12 mild (10–13);     A 0+0+0+1+1+1+0 = 3 → 6 normal (0–7);
#             S 1+1+1+2+1+1+1 = 8 → 16 mild (15–18)
# 2026-03-04  D 0+1+0+0+0+1+0 = 2 → 4 normal (0–9);       A 0+0+0+1+0+0+0 = 1 → 2 normal;
#             S 1+1+0+1+1+0+1 = 5 → 10 normal (0–14)
@pytest.mark.parametrize("day,subscales", [
    ("2025-10-08", {"depression": (18, "Moderate"), "anxiety": (10, "Moderate"), "stress": (20, "Moderate")}),
    ("2025-12-17", {"depression": (12, "Mild"), "anxiety": (6, "Normal"), "stress": (16, "Mild")}),
    ("2026-03-04", {"depression": (4, "Normal"), "anxiety": (2, "Normal"), "stress": (10, "Normal")}),
])
def test_example_dass21_subscales(practice, day, subscales):
    s = score(practice, "erin-s", "dass21", day)
    assert {k: (v.total, v.band.label) for k, v in s.subscales.items()} == subscales
    # The (not recommended) total is the sum of the three doubled subscales.
    assert s.total == sum(total for total, _ in subscales.values())


def test_example_pcl5_clusters(practice):
    s = score(practice, "dev-p", "pcl5", "2025-10-15")
    assert {k: v.total for k, v in s.subscales.items()} == {
        "intrusion": 14, "avoidance": 5, "cognition-mood": 17, "arousal": 16}


@pytest.mark.parametrize("client,instrument,first,last,delta,reliable,category", [
    ("ana-r", "gad7", 15, 5, -10, "improvement", "recovered"),  # −10 ≥ 4; 15 ≥ 8 → 5 < 8 (NHS TT caseness)
    ("ana-r", "phq9", 11, 4, -7, "improvement", "recovered"),  # −7 ≥ 6; 11 ≥ 10 → 4
    ("ben-t", "phq9", 18, 7, -11, "improvement", "recovered"),
    ("ben-t", "gad7", 9, 6, -3, "none", "unchanged"),  # 1+1+1+0+1+1+1 = 6 on 2026-03-12; −3 < 4
    ("chloe-m", "core10", 17, 9, -8, "improvement", "recovered"),  # −8 > 6.75; 17 ≥ 11 → 9
    ("dev-p", "pcl5", 52, 33, -19, "improvement", "improved"),  # −19 ≥ 5 but 33 is still ≥ 33
    ("erin-s", "who5", 32, 76, 44, "improvement", "recovered"),  # higher is better: +44 ≥ 10; 32 ≤ 50 → 76
    ("farid-k", "gad7", 9, 15, 6, "deterioration", "deteriorated"),  # +6 ≥ 4
    ("farid-k", "phq9", 7, 12, 5, "none", "unchanged"),  # 1·7 = 7 → 2+1+2+2+1+2+1+0+1 = 12; +5 < 6
])
def test_example_change_labels(practice, client, instrument, first, last, delta, reliable, category):
    adms = sorted(practice.client(client).administrations(instrument), key=lambda a: a.date)
    inst = practice.instruments[instrument]
    totals = [scoring.score(inst, a.answers).total for a in (adms[0], adms[-1])]
    assert totals == [first, last]
    ch = change.classify(inst, first, last)
    assert (ch.delta, ch.reliable, ch.category) == (delta, reliable, category)


def test_example_nhs_outcomes():
    # ana-r PHQ-9 11 → 4, GAD-7 15 → 5: caseness; 4 ≤ 9 and 5 ≤ 7; −7 ≥ 6 → reliable recovery
    assert nhs.paired_outcome(11, 4, 15, 5).reliable_recovery is True
    # farid-k PHQ-9 7 → 12, GAD-7 9 → 15: caseness (GAD 9 ≥ 8); 12 ≥ 10 at the end → not recovered;
    # GAD +6 ≥ 4 → reliable deterioration
    o = nhs.paired_outcome(7, 12, 9, 15)
    assert (o.caseness, o.recovery, o.reliable_improvement, o.reliable_deterioration) == (True, False, False, True)


def test_chloes_partner_answers_are_his_own_series(practice):
    # Jonas (partner) CORE-10, items 2, 3 reversed: 2+(4−1)+(4−1)+2+1+0+2+2+2+1 = 18 moderate (15–19)
    # → 1+(4−2)+(4−2)+1+1+0+1+1+1+1 = 11 mild (11–14): −7 > 6.75 (J&T), a reliable improvement of his own.
    inst = practice.instruments["core10"]
    first = scoring.score(inst, adm(practice, "chloe-m", "core10", "2026-01-07", "jonas").answers)
    last = scoring.score(inst, adm(practice, "chloe-m", "core10", "2026-03-04", "jonas").answers)
    assert (first.total, first.band.label, last.total, last.band.label) == (18, "Moderate", 11, "Mild")
    assert change.classify(inst, first.total, last.total).reliable == "improvement"
