"""Questionnaire definitions: the built-in library, practice definitions (added or overriding), and the
checks that catch a broken definition with its line and column."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator

from goalbook.cli import main
from goalbook.clinical.instruments import _builtin_instruments, load_instruments
from goalbook.records.yamlload import load_yaml
from goalbook.resources import data_dir, schema_path

BUILTIN_IDS = ["core10", "dass21", "gad2", "gad7", "k10", "pcl5", "phq15", "phq2", "phq9", "who5"]


def test_builtins_load_without_problems():
    instruments, problems = load_instruments(None)
    assert problems == []
    assert sorted(instruments) == BUILTIN_IDS
    assert all(i.builtin and not i.overrides_builtin for i in instruments.values())


def test_builtins_loaded_once_per_process():
    assert _builtin_instruments() is _builtin_instruments()


def test_instrument_schema_is_valid_draft7_and_accepts_every_builtin():
    schema = json.loads(schema_path("instrument").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)
    for path in sorted(data_dir("instruments").glob("*.yaml")):
        data, problems = load_yaml(path, path.name)
        assert problems == [], path.name
        assert list(validator.iter_errors(data)) == [], path.name
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../schemas/instrument.schema.json")


@pytest.mark.parametrize("instrument_id,items,low,high", [
    ("phq9", 9, 0, 27), ("gad7", 7, 0, 21), ("phq2", 2, 0, 6), ("gad2", 2, 0, 6), ("phq15", 15, 0, 30),
    ("pcl5", 20, 0, 80), ("core10", 10, 0, 40), ("k10", 10, 10, 50),
    ("who5", 5, 0, 100),  # raw 0–25 × 4
    ("dass21", 21, 0, 126),  # raw 0–63 × 2
])
def test_item_counts_and_ranges(instrument_id, items, low, high):
    inst = load_instruments(None)[0][instrument_id]
    assert (inst.item_count, inst.min_total, inst.max_total) == (items, low, high)


def test_interface_values():
    inst = load_instruments(None)[0]
    assert inst["phq9"].allowed_values(1) == (0, 1, 2, 3)
    assert inst["k10"].allowed_values(10) == (1, 2, 3, 4, 5)
    assert inst["who5"].allowed_values(3) == (0, 1, 2, 3, 4, 5)
    assert inst["who5"].direction == "higher_is_better"
    assert inst["phq9"].cutoff.value == 10 and inst["phq9"].reliable_change.points == 6
    assert inst["gad7"].reliable_change.points == 4
    assert [(c.item, c.condition) for c in inst["phq9"].critical_items] == [(9, "> 0")]
    assert [(c.item, c.condition) for c in inst["core10"].critical_items] == [(6, "> 0")]
    assert inst["phq9"].items[8].text.startswith("Thoughts that you would be better off dead")
    # severity 0 is the best band whatever the direction
    assert inst["phq9"].bands[0].severity == 0 and inst["who5"].bands[0].severity == 1


def test_licences_respected():
    inst = load_instruments(None)[0]
    dass = inst["dass21"]
    assert dass.licence.item_text == "labels"
    assert all(item.text == "" and item.label for item in dass.items)
    for i in ("phq9", "gad7", "phq2", "gad2", "phq15", "pcl5", "core10", "k10", "who5"):
        assert inst[i].licence.item_text == "verbatim" and all(item.text for item in inst[i].items)
    assert "© World Health Organization 2003" in inst["k10"].licence.attribution
    assert "CORE System Trust" in inst["core10"].licence.attribution
    assert "Pfizer" in inst["phq9"].licence.attribution


def test_unconfirmed_values_are_marked():
    inst = load_instruments(None)[0]
    assert any(u.startswith("cut-off") for u in inst["gad2"].unconfirmed)
    assert any(u.startswith("bands") for u in inst["core10"].unconfirmed)
    assert inst["gad2"].cutoff.unconfirmed and inst["phq9"].critical_items[0].unconfirmed
    assert inst["phq2"].reliable_change is None  # none published: not invented


# --- Practice definitions ---------------------------------------------------------------------------

SLEEP = """\
# yaml-language-server: $schema=../schemas/instrument.schema.json
id: sleep-check
name: Sleep check (practice-made)
short_name: Sleep check
version: "1"
direction: higher_is_worse
options:
  - {value: 0, label: Never}
  - {value: 1, label: Sometimes}
  - {value: 2, label: Often}
option_sets:
  yes-no:
    - {value: 0, label: "No"}
    - {value: 2, label: "Yes"}
items:
  - {number: 1, label: Falling asleep}
  - {number: 2, label: Waking rested}
  - {number: 3, label: Nightmares, options: yes-no}
reverse_items: [2]
scoring:
  method: sum
  missing: {prorate_up_to: 0}
range: {min: 0, max: 6}
bands:
  source: practice convention
  ranges:
    - {min: 0, max: 2, label: Fine}
    - {min: 3, max: 6, label: Troubled}
cutoff: {value: 3, rule: ">=", source: practice convention}
licence: {item_text: labels, note: Written by the practice}
citation: Harbour Lane Therapy, internal
"""


def test_practice_instrument_added(make_practice):
    from goalbook.clinical import scoring

    root = make_practice({"instruments/sleep-check.yaml": SLEEP})
    instruments, problems = load_instruments(root)
    assert problems == []
    sleep = instruments["sleep-check"]
    assert not sleep.builtin and sleep.source.endswith("sleep-check.yaml")
    assert sleep.allowed_values(3) == (0, 2)
    # item 2 reversed: 0 + 2 − 0 = 2; 1 + 2 + 2 = 5 → troubled
    s = scoring.score(sleep, [1, 0, 2])
    assert (s.total, s.band.label) == (5, "Troubled")
    assert scoring.answer_problems(sleep, [1, 0, 1])[0][1] == "answer 1 to item 3 is not an option of " \
        "Sleep check (0, 2)"


def test_practice_file_overrides_builtin(make_practice):
    text = (data_dir("instruments") / "pcl5.yaml").read_text(encoding="utf-8").replace("value: 33", "value: 31")
    root = make_practice({"instruments/pcl5.yaml": text})
    instruments, problems = load_instruments(root)
    assert problems == []
    assert instruments["pcl5"].cutoff.value == 31
    assert instruments["pcl5"].overrides_builtin and not instruments["pcl5"].builtin
    result = CliRunner().invoke(main, ["instruments", "--practice", str(root)])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("pcl5"))
    assert "practice, overrides built-in" in line and "≥ 31" in line


def _broken(make_practice, old: str, new: str, name: str = "sleep-check.yaml"):
    assert old in SLEEP
    root = make_practice({f"instruments/{name}": SLEEP.replace(old, new)})
    instruments, problems = load_instruments(root)
    return instruments, problems


@pytest.mark.parametrize("old,new,code,words,line", [
    ("{min: 3, max: 6, label: Troubled}", "{min: 4, max: 6, label: Troubled}", "instrument-bands",
     "leave a gap between 2 and 4", 28),
    ("{min: 3, max: 6, label: Troubled}", "{min: 2, max: 6, label: Troubled}", "instrument-bands",
     "overlap", 28),
    ("{min: 3, max: 6, label: Troubled}", "{min: 3, max: 5, label: Troubled}", "instrument-bands",
     "end at 5, but the highest possible score is 6", 27),
    ("reverse_items: [2]", "reverse_items: [4]", "instrument-item-ref",
     "reverse_items refers to item 4, but Sleep check has items 1–3", 19),
    ("cutoff: {value: 3,", "cutoff: {value: 9,", "instrument-cutoff", "outside the range 0–6", 29),
    ('rule: ">="', 'rule: "<="', "instrument-cutoff", "does not fit direction higher_is_worse", 29),
    ("range: {min: 0, max: 6}", "range: {min: 0, max: 8}", "instrument-range",
     "their options and multiplier give 0–6", 23),
    ("{value: 2, label: Often}", "{value: 1, label: Often}", "instrument-options",
     "gives the same value twice", 8),
    ("options: yes-no}", "options: yes-or-no}", "instrument-options", "option set 'yes-or-no'", 18),
    ("id: sleep-check", "id: sleep-diary", "instrument-id", "differs from the file name", 2),
    ("{number: 1, label: Falling asleep}", "{number: 1, text: Falling asleep}", "instrument-licence",
     "item_text: labels", 16),
])
def test_broken_definitions_are_problems_with_position(make_practice, old, new, code, words, line):
    instruments, problems = _broken(make_practice, old, new)
    assert "sleep-check" not in instruments and "sleep-diary" not in instruments
    matching = [p for p in problems if p.code == code]
    assert matching, problems
    p = matching[0]
    assert words in p.message and p.hint
    assert p.path == "instruments/sleep-check.yaml" and p.severity == "error"
    assert p.line == line and p.column >= 1


def test_schema_problem_reported_and_builtin_kept(make_practice):
    text = (data_dir("instruments") / "phq9.yaml").read_text(encoding="utf-8").replace(
        "direction: higher_is_worse", "direction: lower_is_better")
    root = make_practice({"instruments/phq9.yaml": text})
    instruments, problems = load_instruments(root)
    assert [p.path for p in problems if p.is_error] and all(p.path == "instruments/phq9.yaml" for p in problems)
    assert instruments["phq9"].builtin  # the broken override is left out; the built-in stays


def test_instruments_listing_outside_a_practice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["instruments"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "name", "items", "range", "cut-off", "from", "licence"]
    who = next(x for x in lines if x.startswith("who5"))
    assert "0–100" in who and "≤ 50" in who and "built-in" in who
    assert any(x.startswith("core10") and "CC BY-ND 4.0" in x for x in lines)
    assert any("GAD-2 unconfirmed — cut-off" in x for x in lines)


def test_instruments_listing_exit_1_on_broken_definition(make_practice):
    root = make_practice({"instruments/sleep-check.yaml": SLEEP.replace("reverse_items: [2]", "reverse_items: [7]")})
    result = CliRunner().invoke(main, ["instruments", "--practice", str(root)])
    assert result.exit_code == 1
    assert "instruments/sleep-check.yaml:19:" in result.output


def test_local_choices_are_marked_not_passed_off_as_published():
    inst = load_instruments(None)[0]
    # CORE-10 item 6 is the risk item, but "flag when > 0" is no published CORE rule: marked as a local choice.
    flag = inst["core10"].critical_items[0]
    assert (flag.item, flag.condition, flag.unconfirmed) == (6, "> 0", True)
    assert flag.source.startswith("Local choice")
    # PCL-5: the VA's 5–10 points rests on the PCL for DSM-IV, read from a copy of the VA page.
    assert inst["pcl5"].reliable_change.unconfirmed and inst["pcl5"].reliable_change.points == 5
    assert any(u.startswith("reliable change") for u in inst["pcl5"].unconfirmed)
    # K10 ≥ 22 is goalbook's default taken from the ABS bands, not a published cut-off.
    assert inst["k10"].cutoff.source.startswith("goalbook default")
