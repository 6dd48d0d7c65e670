"""`goalbook score`: the calculator, its JSON keys, and clear errors (exit 2, never a traceback)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from goalbook.cli import main


@pytest.fixture(autouse=True)
def outside_any_practice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def run(*args):
    return CliRunner().invoke(main, ["score", *args])


def run_json(instrument, *args):
    result = run(instrument, "--json", *args)  # before any `--`, after which everything is a level
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_phq9_answers_json():
    # 1+2+0+3+1+1+2+0+1 = 11 → moderate; item 9 = 1 flagged
    assert run_json("phq9", "1", "2", "0", "3", "1", "1", "2", "0", "1") == {
        "total": 11, "band": "Moderate", "flags": [9], "critical_unanswered": [], "next_step": None, "subscales": {}}


def test_phq9_answers_human_summary_shows_its_work():
    result = run("phq9", "1", "2", "0", "3", "1", "1", "2", "0", "1")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "PHQ-9 total 11 — Moderate"
    assert "sum of 9 items = 11" in result.output
    assert "FLAG item 9 answered 1" in result.output


def test_dass21_subscales_json():
    # depression items 3,5,10,13,16,17,21 at 2 → raw 14 × 2 = 28 (extremely severe); others 0
    answers = ["0"] * 21
    for n in (3, 5, 10, 13, 16, 17, 21):
        answers[n - 1] = "2"
    out = run_json("dass21", *answers)
    assert out["subscales"] == {"depression": {"total": 28, "band": "Extremely severe"},
                                "anxiety": {"total": 0, "band": "Normal"},
                                "stress": {"total": 0, "band": "Normal"}}
    assert out["total"] == 28 and out["band"] is None


def test_core10_missing_item_prorated():
    # items 2, 3 answered 1 → reversed to 3; 3+3+3+2+2+0+3+2+2 = 20 over 9 → 20/9 × 10 = 22.22
    out = run_json("core10", "3", "1", "1", "2", "2", "0", "3", "2", "null", "2")
    assert out["total"] == 22.22 and out["band"] == "Moderate-to-severe"


def test_change_json():
    # PHQ-9 18 → 10: −8 ≥ 6 → reliable improvement; 10 is still ≥ 10 → improved, not recovered
    assert run_json("phq9", "--change", "18", "10") == {"delta": -8, "reliable": "improvement",
                                                        "category": "improved"}
    # GAD-7 13 → 6: −7 ≥ 4, from ≥ 8 to < 8 (NHS TT caseness) → recovered
    assert run_json("gad7", "--change", "13", "6") == {"delta": -7, "reliable": "improvement",
                                                       "category": "recovered"}
    assert run_json("gad7", "--change", "6", "10")["reliable"] == "deterioration"


def test_change_human_summary():
    result = run("phq9", "--change", "18", "10")
    assert result.exit_code == 0
    assert "reliable improvement: −8 points (threshold 6, NHS Talking Therapies)" in result.output


def test_gas_json_and_weights():
    # example 1: (+1, +1, 0, −1) → 53.63; example 2: weights 2,1,3, levels +1, 0, −1 → 47.80
    assert run_json("gas", "--", "1", "1", "0", "-1")["t_score"] == pytest.approx(53.63, abs=0.005)
    assert run_json("gas", "--weights", "2,1,3", "--", "1", "0", "-1")["t_score"] == pytest.approx(47.80, abs=0.005)


def test_gas_human_summary():
    result = run("gas", "--", "-1", "-1", "-1")
    assert result.exit_code == 0 and result.output.startswith("GAS T-score 36.3")


@pytest.mark.parametrize("args,words", [
    (["phq8", "1", "2"], "unknown questionnaire 'phq8'"),
    (["phq8", "1", "2"], "did you mean 'phq9'"),
    (["phq9", "1", "2", "0"], "PHQ-9 has 9 items; this lists 3 answers"),
    (["phq9", "1", "2", "4", "3", "1", "1", "2", "0", "1"], "answer 4 to item 3 is not an option of PHQ-9 (0–3)"),
    (["phq9", "1", "two", "0", "3", "1", "1", "2", "0", "1"], "answer 'two' to item 2 is not a number"),
    (["phq9", "null", "2", "0", "3", "1", "1", "2", "0", "1"], "1 item missing (item 1); PHQ-9 allows none"),
    (["phq9", "--change", "18", "x"], "LAST 'x' is not a number"),
    (["phq9", "--change", "18", "30"], "LAST total 30 is outside the PHQ-9 range 0–27"),
    (["phq9"], "give the 9 answers of PHQ-9"),
    (["gas", "--", "3"], "GAS level 3 of goal 1 is outside"),
    (["gas", "--", "a"], "GAS level 'a' of goal 1 is not a number"),
    (["gas", "--weights", "1,2", "--", "1"], "2 weights for 1 goals"),
    (["gas", "--weights", "0", "--", "1"], "weights must be greater than 0"),
])
def test_clear_errors_exit_2(args, words):
    result = run(*args)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_practice_instrument_used_inside_practice(make_practice, monkeypatch):
    from goalbook.resources import data_dir

    text = (data_dir("instruments") / "pcl5.yaml").read_text(encoding="utf-8").replace("value: 33", "value: 31")
    root = make_practice({"instruments/pcl5.yaml": text})
    monkeypatch.chdir(root)
    # 31 from 20 items: 15 × 2 + 1 = 31 ≥ 31 (the practice's cut-off) → recovered when it falls to 20
    assert run_json("pcl5", "--change", "31", "20")["category"] == "recovered"


def test_change_without_a_threshold_is_not_judged_in_text_and_json():
    # PHQ-2 6 → 0: −6 points, but no published reliable-change threshold: not judged, never "unchanged".
    assert run_json("phq2", "--change", "6", "0") == {"delta": -6, "reliable": "not-judged",
                                                       "category": "not-judged"}
    result = CliRunner().invoke(main, ["score", "phq2", "--change", "6", "0"])
    assert "not judged: no published reliable-change threshold for PHQ-2" in result.output
    assert "unchanged" not in result.output


def test_change_refuses_totals_no_answers_could_give():
    # PHQ-9 totals are sums of whole answers: 10.5 is impossible; WHO-5 moves in steps of 4: 13 is not one.
    result = CliRunner().invoke(main, ["score", "phq9", "--change", "10.5", "3"])
    assert result.exit_code != 0 and "a total of 10.5 is impossible" in result.output
    result = CliRunner().invoke(main, ["score", "who5", "--change", "13", "40"])
    assert "moves in steps of 4" in result.output and "give it × 4 = 52" in result.output
