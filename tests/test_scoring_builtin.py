"""Scoring of every built-in questionnaire, with expected values worked out by hand from the published
rules (/work/shared/instruments.md §1): band boundaries, reverse items, multipliers, subscales,
prorating and its limit, critical items."""

from __future__ import annotations

import pytest

from goalbook.clinical import scoring
from goalbook.clinical.instruments import load_instruments


@pytest.fixture(scope="module")
def inst():
    instruments, problems = load_instruments(None)
    assert problems == []
    return instruments


def band(instrument, total):
    s = scoring.score_total(instrument, total)
    return s.band.label if s.band else None


# --- Band boundaries: the last score of each band and the first of the next ----------------------

BOUNDARIES = {
    # PHQ-9, Kroenke 2001: 0–4 none/minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe
    "phq9": [(0, "None or minimal"), (4, "None or minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"),
             (14, "Moderate"), (15, "Moderately severe"), (19, "Moderately severe"), (20, "Severe"),
             (27, "Severe")],
    # GAD-7, Spitzer 2006: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe
    "gad7": [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
             (15, "Severe"), (21, "Severe")],
    # PHQ-15, Kroenke 2002: 0–4 minimal, 5–9 low, 10–14 medium, 15–30 high
    "phq15": [(0, "Minimal"), (4, "Minimal"), (5, "Low"), (9, "Low"), (10, "Medium"), (14, "Medium"),
              (15, "High"), (30, "High")],
    # CORE-10 practice guide: 0–5 healthy, 6–10 low, 11–14 mild, 15–19 moderate, 20–24 mod-to-severe, 25–40 severe
    "core10": [(0, "Healthy"), (5, "Healthy"), (6, "Low level"), (10, "Low level"), (11, "Mild"), (14, "Mild"),
               (15, "Moderate"), (19, "Moderate"), (20, "Moderate-to-severe"), (24, "Moderate-to-severe"),
               (25, "Severe"), (40, "Severe")],
    # K10, ABS after Andrews & Slade: 10–15 low, 16–21 moderate, 22–29 high, 30–50 very high
    "k10": [(10, "Low"), (15, "Low"), (16, "Moderate"), (21, "Moderate"), (22, "High"), (29, "High"),
            (30, "Very high"), (50, "Very high")],
    # WHO-5 percentage: ≤ 50 poor well-being (raw < 13); 52 is raw 13
    "who5": [(0, "Poor well-being"), (48, "Poor well-being"), (50, "Poor well-being"),
             (52, "No sign of poor well-being"), (100, "No sign of poor well-being")],
}


@pytest.mark.parametrize("instrument_id,total,label",
                         [(i, t, label) for i, rows in BOUNDARIES.items() for t, label in rows])
def test_band_boundaries(inst, instrument_id, total, label):
    assert band(inst[instrument_id], total) == label


# GAD-7: NHS Talking Therapies caseness ≥ 8, the source of its reliable-change threshold (4); Spitzer's ≥ 10 is
# where the Moderate band starts. (Was ≥ 10: "recovered" then disagreed with the NHS outcome for 8 and 9.)
@pytest.mark.parametrize("instrument_id,below,at", [
    ("phq9", 9, 10), ("gad7", 7, 8), ("phq2", 2, 3), ("gad2", 2, 3), ("core10", 10, 11), ("k10", 21, 22),
    ("pcl5", 32, 33),
])
def test_cutoffs_higher_is_worse(inst, instrument_id, below, at):
    assert scoring.score_total(inst[instrument_id], below).above_cutoff is False
    assert scoring.score_total(inst[instrument_id], at).above_cutoff is True


def test_who5_cutoff_is_at_or_below_50_because_higher_is_better(inst):
    # raw 12 × 4 = 48 → poor well-being (clinical); raw 13 × 4 = 52 → not
    assert scoring.score(inst["who5"], [3, 3, 2, 2, 2]).above_cutoff is True
    assert scoring.score(inst["who5"], [3, 3, 3, 2, 2]).above_cutoff is False


def test_screeners_and_pcl5_have_no_bands(inst):
    for i in ("phq2", "gad2", "pcl5"):
        assert inst[i].bands == ()
        assert scoring.score_total(inst[i], 3).band is None


# --- Totals from answers ------------------------------------------------------------------------


def test_phq9_issue_example(inst):
    # 1+2+0+3+1+1+2+0+1 = 11 → moderate (10–14); item 9 = 1 > 0 → flagged
    s = scoring.score(inst["phq9"], [1, 2, 0, 3, 1, 1, 2, 0, 1])
    assert s.total == 11
    assert s.band.label == "Moderate"
    assert s.above_cutoff is True
    assert [f.item for f in s.flags] == [9]
    assert s.flags[0].answer == 1 and s.flags[0].condition == "> 0"


@pytest.mark.parametrize("item9,flagged", [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9_flag_whatever_the_total(inst, item9, flagged):
    # total 0 + item9: even a total of 1 (minimal) is flagged when item 9 > 0
    s = scoring.score(inst["phq9"], [0] * 8 + [item9])
    assert s.total == item9
    assert bool(s.flags) is flagged


def test_gad7_total_and_band(inst):
    # 2+2+1+3+1+0+2 = 11 → moderate
    s = scoring.score(inst["gad7"], [2, 2, 1, 3, 1, 0, 2])
    assert (s.total, s.band.label, s.flags) == (11, "Moderate", ())


def test_phq2_and_gad2(inst):
    assert scoring.score(inst["phq2"], [1, 2]).total == 3  # 1 + 2 = 3 ≥ 3: screen positive
    assert scoring.score(inst["phq2"], [1, 2]).above_cutoff is True
    assert scoring.score(inst["gad2"], [1, 1]).above_cutoff is False  # 1 + 1 = 2 < 3


def test_phq15_item4_not_applicable_is_not_missing(inst):
    # all items "bothered a lot" (2) except item 4 not applicable: 14 × 2 = 28, the male maximum
    answers = [2] * 15
    answers[3] = None
    s = scoring.score(inst["phq15"], answers)
    assert s.total == 28 and s.prorated is False and s.missing == ()
    assert s.band.label == "High"


def test_phq15_other_item_missing_is_refused(inst):
    answers = [1] * 15
    answers[0] = None
    problems = scoring.answer_problems(inst["phq15"], answers)
    assert problems and "1 item missing (item 1); PHQ-15 allows none to be missing" in problems[0][1]


def test_k10_scored_one_to_five(inst):
    assert scoring.score(inst["k10"], [1] * 10).total == 10  # "none of the time" × 10
    assert scoring.score(inst["k10"], [5] * 10).total == 50
    # 3+3+2+2+3+2+3+2+1+1 = 22 → high (22–29), at the cut-off
    s = scoring.score(inst["k10"], [3, 3, 2, 2, 3, 2, 3, 2, 1, 1])
    assert (s.total, s.band.label, s.above_cutoff) == (22, "High", True)
    assert scoring.answer_problems(inst["k10"], [0] + [1] * 9)[0][1] == \
        "answer 0 to item 1 is not an option of K10 (1–5)"


# --- Multipliers -----------------------------------------------------------------------------------


def test_who5_times_four(inst):
    # raw 5+4+3+2+1 = 15, × 4 = 60
    s = scoring.score(inst["who5"], [5, 4, 3, 2, 1])
    assert s.total == 60
    assert inst["who5"].min_total == 0 and inst["who5"].max_total == 100


def test_dass21_subscales_times_two(inst):
    # Depression items 3,5,10,13,16,17,21; Anxiety 2,4,7,9,15,19,20; Stress 1,6,8,11,12,14,18.
    answers = [0] * 21
    for n in (3, 5, 10, 13, 16, 17, 21):
        answers[n - 1] = 1  # depression raw 7 × 1 = 7, × 2 = 14 → moderate (14–20)
    for n in (2, 4, 7, 9):
        answers[n - 1] = 1  # anxiety raw 4 × 2 = 8 → mild (8–9)
    for n in (1, 6, 8, 11, 12, 14, 18):
        answers[n - 1] = 3  # stress raw 21 × 2 = 42 → extremely severe (34+)
    s = scoring.score(inst["dass21"], answers)
    sub = s.subscales
    assert (sub["depression"].total, sub["depression"].band.label) == (14, "Moderate")
    assert (sub["anxiety"].total, sub["anxiety"].band.label) == (8, "Mild")
    assert (sub["stress"].total, sub["stress"].band.label) == (42, "Extremely severe")
    assert s.total == 64  # raw (7·1 + 4·1 + 7·3) = 32, × 2 = 64
    assert s.band is None  # no bands on the total: the authors advise against reading it


def _dass_with(subscale_items, raw):
    """DASS-21 answers with ``raw`` points spread over one subscale's items (each 0–3)."""
    answers = [0] * 21
    for n in subscale_items:
        take = min(3, raw)
        answers[n - 1] = take
        raw -= take
    assert raw == 0
    return answers


DEP = (3, 5, 10, 13, 16, 17, 21)
ANX = (2, 4, 7, 9, 15, 19, 20)
STR = (1, 6, 8, 11, 12, 14, 18)


@pytest.mark.parametrize("items,sub,raw,label", [
    # ×2 scores: depression 0–9 normal, 10–13 mild, 14–20 moderate, 21–27 severe, 28+ extremely severe
    (DEP, "depression", 4, "Normal"), (DEP, "depression", 5, "Mild"), (DEP, "depression", 6, "Mild"),
    (DEP, "depression", 7, "Moderate"), (DEP, "depression", 10, "Moderate"), (DEP, "depression", 11, "Severe"),
    (DEP, "depression", 13, "Severe"), (DEP, "depression", 14, "Extremely severe"),
    # anxiety 0–7 normal, 8–9 mild, 10–14 moderate, 15–19 severe, 20+ extremely severe
    (ANX, "anxiety", 3, "Normal"), (ANX, "anxiety", 4, "Mild"), (ANX, "anxiety", 5, "Moderate"),
    (ANX, "anxiety", 7, "Moderate"), (ANX, "anxiety", 8, "Severe"), (ANX, "anxiety", 9, "Severe"),
    (ANX, "anxiety", 10, "Extremely severe"),
    # stress 0–14 normal, 15–18 mild, 19–25 moderate, 26–33 severe, 34+ extremely severe
    (STR, "stress", 7, "Normal"), (STR, "stress", 8, "Mild"), (STR, "stress", 9, "Mild"),
    (STR, "stress", 10, "Moderate"), (STR, "stress", 12, "Moderate"), (STR, "stress", 13, "Severe"),
    (STR, "stress", 16, "Severe"), (STR, "stress", 17, "Extremely severe"),
])
def test_dass21_subscale_bands_from_answers(inst, items, sub, raw, label):
    s = scoring.score(inst["dass21"], _dass_with(items, raw))
    assert s.subscales[sub].total == raw * 2
    assert s.subscales[sub].band.label == label


@pytest.mark.parametrize("sub,total,label", [
    # the odd-numbered edges cannot come from answers (×2), but a total entered by hand can hit them
    ("depression", 9, "Normal"), ("depression", 13, "Mild"), ("depression", 27, "Severe"),
    ("anxiety", 7, "Normal"), ("anxiety", 9, "Mild"), ("anxiety", 19, "Severe"),
    ("stress", 25, "Moderate"), ("stress", 33, "Severe"), ("stress", 34, "Extremely severe"),
])
def test_dass21_odd_edges(inst, sub, total, label):
    dass = inst["dass21"]
    s = dass.subscale(sub)
    assert dass.band_for(total, s.bands).label == label


# --- Subscales: PCL-5 clusters ----------------------------------------------------------------------


def test_pcl5_clusters(inst):
    answers = [4, 3, 2, 1, 0] + [4, 4] + [1] * 7 + [0, 0, 0, 0, 0, 2]
    s = scoring.score(inst["pcl5"], answers)
    # B 4+3+2+1+0 = 10; C 4+4 = 8; D 7 × 1 = 7; E 2; total 27 (< 33: below the cut-off)
    assert {k: v.total for k, v in s.subscales.items()} == {
        "intrusion": 10, "avoidance": 8, "cognition-mood": 7, "arousal": 2}
    assert s.total == 27 and s.above_cutoff is False
    assert [(x.min_total, x.max_total) for x in inst["pcl5"].subscales] == [(0, 20), (0, 8), (0, 28), (0, 24)]


# --- Reverse items: CORE-10 items 2 and 3 -------------------------------------------------------------


def test_core10_reverse_items(inst):
    core = inst["core10"]
    assert core.reverse_items == (2, 3)
    # all "not at all" (0): items 2 and 3 reverse to 4 − 0 = 4 → total 8 (low level)
    assert scoring.score(core, [0] * 10).total == 8
    # all "most or all of the time" (4): items 2, 3 → 0; 8 × 4 = 32 (severe)
    assert scoring.score(core, [4] * 10).total == 32
    # 1,3,1,2,2,0,3,2,2,2: item 2 3 → 1, item 3 1 → 3; 1+1+3+2+2+0+3+2+2+2 = 18 → moderate
    s = scoring.score(core, [1, 3, 1, 2, 2, 0, 3, 2, 2, 2])
    assert s.item_scores[1:3] == (1, 3)
    assert (s.total, s.band.label) == (18, "Moderate")


def test_core10_item6_flag(inst):
    assert [f.item for f in scoring.score(inst["core10"], [0, 4, 4, 0, 0, 1, 0, 0, 0, 0]).flags] == [6]
    assert scoring.score(inst["core10"], [0, 4, 4, 0, 0, 0, 0, 0, 0, 0]).flags == ()


# --- Prorating and its limit -----------------------------------------------------------------------------


def test_core10_prorates_one_missing_item(inst):
    # 3,1,1,2,2,0,3,2,–,2: items 2, 3 reverse 1 → 3; answered 3+3+3+2+2+0+3+2+2 = 20 over 9 items;
    # mean 20 / 9 = 2.222…, × 10 items = 22.22 → moderate-to-severe (20–24)
    s = scoring.score(inst["core10"], [3, 1, 1, 2, 2, 0, 3, 2, None, 2])
    assert s.total == pytest.approx(22.2222, abs=1e-3)
    assert s.prorated is True and s.missing == (9,)
    assert s.band.label == "Moderate-to-severe"
    assert "mean of 9 answered items" in s.prorate_how


def test_core10_refuses_two_missing_items(inst):
    problems = scoring.answer_problems(inst["core10"], [3, 1, None, 2, 2, 0, 3, 2, None, 2])
    assert problems == [(None, "2 items missing (items 3, 9); CORE-10 allows 1 item to be missing",
                         problems[0][2])]
    with pytest.raises(scoring.ScoringError):
        scoring.score(inst["core10"], [3, 1, None, 2, 2, 0, 3, 2, None, 2])


def test_prorated_band_between_integer_bands(inst):
    # 1 missing, answered items summing to 13 over 9: 13/9 × 10 = 14.44 → belongs to 11–14 (mild), not a gap
    answers = [2, 4, 4, 2, 2, 0, 2, 3, None, 2]  # items 2, 3 reverse to 0: 2+0+0+2+2+0+2+3+2 = 13
    s = scoring.score(inst["core10"], answers)
    assert s.total == pytest.approx(14.444, abs=1e-3)
    assert s.band.label == "Mild"


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7", "phq2", "gad2", "who5", "pcl5", "k10", "dass21"])
def test_no_missing_item_allowed(inst, instrument_id):
    i = inst[instrument_id]
    answers = [i.allowed_values(n)[0] for n in range(1, i.item_count + 1)]
    answers[0] = None
    problems = scoring.answer_problems(i, answers)
    assert [p[1] for p in problems] == [f"1 item missing (item 1); {i.short_name} allows none to be missing"]


# --- Answer problems in plain words ------------------------------------------------------------------


def test_answer_problems_wording(inst):
    phq9 = inst["phq9"]
    assert scoring.answer_problems(phq9, [1] * 8)[0][:2] == (None, "PHQ-9 has 9 items; this lists 8 answers")
    assert scoring.answer_problems(phq9, [1, 1, 4, 1, 1, 1, 1, 1, 1])[0][:2] == (
        2, "answer 4 to item 3 is not an option of PHQ-9 (0–3)")
    assert scoring.answer_problems(phq9, [1, 1, "x", 1, 1, 1, 1, 1, 1])[0][:2] == (
        2, "answer 'x' to item 3 is not a number")
    assert scoring.answer_problems(phq9, [1, 1, True, 1, 1, 1, 1, 1, 1])[0][0] == 2  # a YAML true is no answer
    three_missing = [None, None, None, 1, 1, 1, 1, 1, 1]
    assert scoring.answer_problems(phq9, three_missing)[0][1] == \
        "3 items missing (items 1, 2, 3); PHQ-9 allows none to be missing"
    assert scoring.answer_problems(phq9, [1] * 9) == []


def test_score_total_only(inst):
    s = scoring.score_total(inst["phq9"], 12)
    assert (s.total, s.band.label, s.above_cutoff, s.flags, s.subscales) == (12, "Moderate", True, (), {})
    assert s.from_total_only


def test_score_shows_its_work(inst):
    s = scoring.score(inst["who5"], [3, 3, 2, 2, 2])
    text = s.explain()
    assert "sum of 5 items = 12 × 4 = 48" in text
    assert "Poor well-being" in text and "WHO-5" in text


def test_total_only_says_which_scale_and_what_was_not_checked(inst):
    # WHO-5 {total: 48} is the percentage (raw 12 × 4), ≤ 50 → poor well-being
    s = scoring.score_total(inst["who5"], 48)
    assert s.band.label == "Poor well-being" and s.above_cutoff is True
    assert "read as the reported score 0–100, i.e. raw × 4" in s.steps[0]
    # PHQ-9 {total: 3}: item 9 was not asked, so its flag cannot be known either way
    assert "critical items (item 9) could not be checked" in scoring.score_total(inst["phq9"], 3).steps[0]
