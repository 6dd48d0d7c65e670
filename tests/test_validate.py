"""Schema validation: every rewritten message kind with its position, and the documented examples."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from goalbook.records.validate import validate
from goalbook.records.yamlload import load_yaml_bytes

REPO = Path(__file__).resolve().parent.parent
FORMAT_DOC = REPO / "docs" / "format.md"


def check(kind: str, text: str) -> list:
    source = textwrap.dedent(text).encode()
    data, problems = load_yaml_bytes(source, "f.yaml")
    assert problems == [], problems  # these tests are about the schema, not YAML
    return validate(data, kind, "f.yaml", source)


def one(kind: str, text: str):
    problems = check(kind, text)
    assert len(problems) == 1, problems
    return problems[0]


def where(p) -> tuple[str, int, int]:
    return (p.code, p.line, p.column)


GOAL = """\
    goals:
      - id: presentations
        title: Present at the team meeting
        status: active
        set_date: 2025-10-13
"""


def goal_with(extra: str) -> str:
    return textwrap.dedent(GOAL) + textwrap.indent(textwrap.dedent(extra), "    ")


# --- The four schemas ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["practice", "client", "goals", "session"])
def test_schemas_are_valid_draft7_with_descriptions(kind):
    schema = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text())
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#" and schema["title"]

    def walk(node, where):
        if isinstance(node, dict):
            if "properties" in node:
                assert node.get("additionalProperties") is False, where
                for name, sub in node["properties"].items():
                    assert sub.get("description"), f"{where}.{name} has no description"
                    if name != "type":  # the measure discriminator is a const
                        assert "examples" in sub, f"{where}.{name} has no examples"
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(schema, kind)


# --- additionalProperties -------------------------------------------------------------------------


def test_unknown_field_with_did_you_mean_points_at_the_key():
    p = one("goals", goal_with("targte_date: 2026-01-31\n"))
    assert where(p) == ("unknown-field", 6, 5)
    assert p.message == "unknown field 'targte_date' — did you mean 'target_date'?"


def test_unknown_field_without_a_close_match_lists_the_fields():
    p = one(
        "practice",
        """\
        name: Riverside
        clinicians: [{id: mk, name: Maya Keller}]
        colour: green
    """,
    )
    assert where(p) == ("unknown-field", 3, 1)
    assert "'colour'" in p.message and "did you mean" not in p.message
    assert "clinicians" in p.hint and "goal_categories" in p.hint


def test_unknown_field_deep_inside_a_flow_mapping():
    p = one("goals", goal_with("measure: {type: rating, label: Mood, mx: 3}\n"))
    assert where(p) == ("unknown-field", 6, 42)
    assert "did you mean 'max'" in p.message


# --- required -----------------------------------------------------------------------------------


def test_missing_field_at_the_parent_mapping_line():
    p = one(
        "goals",
        """\
        goals:
          - id: first
            title: First
            status: active
            set_date: 2025-10-13
          - id: second
            status: active
            set_date: 2025-10-13
    """,
    )
    assert where(p) == ("missing-field", 6, 5)
    assert p.message == "missing required field 'title' in this goal"
    assert "e.g. `title:" in p.hint


def test_every_missing_field_is_reported_once():
    problems = check(
        "client", "# yaml-language-server: $schema=../../schemas/client.schema.json\nid: ab\n"
    )
    assert [(p.code, p.line) for p in problems] == [("missing-field", 2)] * 4
    assert sorted(re.search(r"'(\w+)'", p.message).group(1) for p in problems) == [
        "clinician",
        "name",
        "start_date",
        "status",
    ]
    assert all("this client file" in p.message for p in problems)


# --- enum ---------------------------------------------------------------------------------------------


def test_enum_with_did_you_mean():
    p = one("goals", textwrap.dedent(GOAL).replace("status: active", "status: actve"))
    assert where(p) == ("bad-value", 4, 13)
    assert p.message.startswith(
        "'actve' is not a goal status; use one of: proposed, active, achieved"
    )
    assert "did you mean 'active'" in p.hint


def test_session_kind_enum():
    p = one("session", "date: 2025-10-13\nkind: sesion\n")
    assert where(p) == ("bad-value", 2, 7)
    assert "'sesion' is not a kind of contact" in p.message and "did you mean 'session'" in p.hint


# --- format: date ----------------------------------------------------------------------------------


def test_february_30th_is_not_a_date():
    p = one("session", "date: 2024-02-30\nkind: session\n")
    assert where(p) == ("bad-date", 1, 7)
    assert p.message == "`2024-02-30` is not a date"


@pytest.mark.parametrize("written", ["2024-3-1", "01/03/2024", "2024-13-01", "2024-03-01T10:00"])
def test_badly_written_dates(written):
    p = one("session", f"date: {written}\nkind: session\n")
    assert where(p) == ("bad-date", 1, 7)
    assert f"`{written}` is not a date" in p.message


def test_date_written_as_a_number():
    p = one("session", "date: 20240301\nkind: session\n")
    assert where(p) == ("wrong-type", 1, 7)
    assert p.message == "expected a date (YYYY-MM-DD), found the number 20240301"


def test_leap_day_is_a_date():
    assert check("session", "date: 2024-02-29\nkind: session\n") == []


# --- type ------------------------------------------------------------------------------------------


def test_type_number_found_text():
    p = one("goals", goal_with("baseline: eight\n"))
    assert where(p) == ("wrong-type", 6, 15)
    assert p.message == "expected a number, found text 'eight'"


def test_type_whole_number_found_decimal():
    p = one("goals", goal_with("steps:\n  - {id: walk, action: Walk, times: 2.5, per: week}\n"))
    assert where(p) == ("wrong-type", 7, 41)
    assert p.message == "expected a whole number, found the number 2.5"


def test_empty_required_text():
    p = one("goals", textwrap.dedent(GOAL).replace("title: Present at the team meeting", "title:"))
    assert where(p) == ("wrong-type", 3, 5)  # an empty value points at its key
    assert p.message == "`title` is empty"


def test_file_that_is_a_list():
    p = one("client", "- id: ab\n")
    assert where(p) == ("wrong-type", 1, 1)
    assert "found a list" in p.message


# --- pattern --------------------------------------------------------------------------------------


def test_id_pattern_suggests_a_slug():
    p = one("goals", textwrap.dedent(GOAL).replace("id: presentations", "id: Team Meeting"))
    assert where(p) == ("bad-value", 2, 9)
    assert p.message == "'Team Meeting' is not a valid id"
    assert "`team-meeting`" in p.hint


def test_time_pattern():
    p = one("session", "date: 2025-10-13\ntime: 2pm\nkind: session\n")
    assert where(p) == ("bad-value", 2, 7)
    assert "'2pm' is not a time" in p.message and "HH:MM" in p.hint


def test_unquoted_time_is_a_time():
    # YAML 1.1 would have made this 840; the strict loader keeps "14:00".
    assert check("session", "date: 2025-10-13\ntime: 14:00\nkind: session\n") == []


def test_homework_key_must_be_a_step_id():
    p = one("session", "date: 2025-10-13\nkind: session\nhomework:\n  Box Breathing: 2\n")
    assert where(p) == ("bad-value", 4, 3)
    assert "'Box Breathing' is not a valid id" in p.message and "`box-breathing`" in p.hint


def test_id_longer_than_40():
    p = one(
        "client",
        f"id: {'a' * 41}\nname: A\nclinician: tc\nstart_date: 2025-01-01\nstatus: active\n",
    )
    assert where(p) == ("bad-value", 1, 5)
    assert "too long for an id: at most 40 characters" in p.message


# --- minimum / maximum / minItems ----------------------------------------------------------------------


def test_minimum_and_maximum():
    problems = check(
        "client",
        """\
        id: ab
        name: A
        clinician: tc
        start_date: 2025-01-01
        status: active
        questionnaires:
          - {instrument: gad7, every_weeks: 60}
          - {instrument: phq9, every_weeks: 0}
    """,
    )
    assert [where(p) for p in problems] == [("bad-value", 7, 37), ("bad-value", 8, 37)]
    assert problems[0].message == "`every_weeks` must be at most 52, found 60"
    assert problems[1].message == "`every_weeks` must be at least 1, found 0"


def test_homework_count_not_negative():
    p = one("session", "date: 2025-10-13\nkind: session\nhomework:\n  box-breathing: -1\n")
    assert where(p) == ("bad-value", 4, 18)
    assert p.message == "`box-breathing` must be at least 0, found -1"


def test_gas_weight_must_be_positive():
    p = one(
        "goals",
        goal_with("""\
        measure:
          type: gas
          weight: 0
          levels: {much_less: a, less: b, expected: c, more: d, much_more: e}
    """),
    )
    assert where(p) == ("bad-value", 8, 15)
    assert p.message == "`weight` must be more than 0, found 0"


def test_at_least_one_clinician():
    p = one("practice", "name: Riverside\nclinicians: []\n")
    assert where(p) == ("bad-value", 2, 13)
    assert p.message == "`clinicians` needs at least one entry"


# --- oneOf / anyOf: the meant branch only -------------------------------------------------------


def test_measure_type_typo_is_explained_once():
    p = one("goals", goal_with("measure:\n  type: ratin\n  label: Mood\n"))
    assert where(p) == ("bad-value", 7, 13)
    assert (
        p.message == "'ratin' is not a measure type; use one of: questionnaire, rating, count, gas"
    )
    assert "did you mean 'rating'" in p.hint


def test_measure_branch_chosen_by_type():
    # A count measure with a bad period: only the count branch speaks.
    p = one("goals", goal_with("measure: {type: count, label: Requests, per: fortnight}\n"))
    assert where(p) == ("bad-value", 6, 50)
    assert p.message == "'fortnight' is not a period; use one of: day, week, month"


def test_measure_missing_type():
    p = one("goals", goal_with("measure: {label: Mood}\n"))
    assert where(p) == ("missing-field", 6, 14)
    assert "missing required field 'type'" in p.message and "rating" in p.hint


def test_gas_missing_levels():
    problems = check(
        "goals", goal_with("measure: {type: gas, levels: {much_less: a, less: b, expected: c}}\n")
    )
    assert [p.code for p in problems] == ["missing-field", "missing-field"]
    assert ["'more'" in problems[0].message or "'more'" in problems[1].message]
    assert "'much_more'" in problems[0].message + problems[1].message


def test_measure_written_as_text():
    p = one("goals", goal_with("measure: rating\n"))
    assert where(p) == ("wrong-type", 6, 14)
    assert (
        "found text 'rating'" in p.message
        and "type:" in p.message
        and "e.g. `measure: {type:" in p.hint
    )


@pytest.mark.parametrize("target", ["4", "5.5", "50% lower", "20 % higher", '" 10% lower "'])
def test_target_forms_that_are_fine(target):
    assert check("goals", goal_with(f"target: {target}\n")) == []


def test_target_text_that_is_not_a_change():
    p = one("goals", goal_with("target: half\n"))
    assert where(p) == ("bad-value", 6, 13)
    assert p.message == "'half' is not a target" and '"50% lower"' in p.hint


@pytest.mark.parametrize(("written", "meant"), [
    ("50% more", "50% higher"),
    ("30% less", "30% lower"),
    ("25 percent fewer", "25% lower"),
    ("50% Lower", "50% lower"),  # the format is lowercase
    ("12.5%  above", "12.5% higher"),
])
def test_target_in_everyday_words_suggests_the_written_form(written, meant):
    p = one("goals", goal_with(f"target: {written}\n"))
    assert p.message == f"'{written}' is not a target"
    assert p.hint.startswith(f'did you mean "{meant}"?')


def test_target_text_with_no_known_direction_gets_the_general_hint():
    p = one("goals", goal_with("target: 50% better\n"))
    assert p.hint == 'write a number (e.g. 4), or a change from the baseline: "50% lower" or "20% higher"'


def test_target_of_the_wrong_type():
    p = one("goals", goal_with("target: [1, 2]\n"))
    assert where(p) == ("wrong-type", 6, 13)
    assert (
        p.message.startswith("expected a number or a change from the baseline")
        and "found a list" in p.message
    )


def test_category_standard_or_practice_slug():
    assert check("goals", goal_with("category: work-life-balance\n")) == []
    p = one("goals", goal_with("category: Emotional Regulation\n"))
    assert where(p) == ("bad-value", 6, 15)
    assert p.message.startswith(
        "'Emotional Regulation' is not a goal category; use one of: emotional-regulation"
    )
    assert "did you mean 'emotional-regulation'" in p.hint


def test_questionnaire_answers_or_total():
    problems = check(
        "session",
        """\
        date: 2025-10-13
        kind: session
        questionnaires:
          gad7: [2, 2, x, 3, 1, 0, 2]
          phq9: {total: twelve}
          pcl5: 12
    """,
    )
    assert [where(p) for p in problems] == [
        ("wrong-type", 4, 16),
        ("wrong-type", 5, 17),
        ("wrong-type", 6, 9),
    ]
    assert problems[0].message == "expected a whole number, found text 'x'"
    assert problems[1].message == "expected a number, found text 'twelve'"
    assert "list of item answers" in problems[2].message and "{total: N}" in problems[2].message


def test_missing_answer_written_as_null_is_fine():
    assert (
        check(
            "session",
            "date: 2025-10-13\nkind: session\nquestionnaires:\n  gad7: [2, ~, 1, 3, 1, 0, 2]\n",
        )
        == []
    )


def test_messages_never_show_jsonschema_wording():
    problems = check(
        "goals",
        """\
        goals:
          - id: Bad Id
            title: 3
            status: nope
            set_date: 2024-02-30
            measure: {type: gas}
            steps: {id: x}
            extra: 1
    """,
    )
    assert len(problems) >= 6
    for p in problems:
        text = p.message + p.hint
        for jargon in (
            "is not of type",
            "Additional properties",
            "is a required property",
            "does not match",
            "is not valid under any",
            "datetime",
        ):
            assert jargon not in text, p


def test_unknown_kind_is_a_program_error():
    with pytest.raises(ValueError):
        validate({}, "nonsense", "f.yaml", b"")


# --- Every example in docs/format.md validates ---------------------------------------------------


def _doc_blocks() -> list[tuple[str, str]]:
    """(kind, yaml) for each example of docs/format.md that names its schema in the modeline."""
    blocks = re.findall(r"```yaml\n(.*?)```", FORMAT_DOC.read_text(encoding="utf-8"), re.DOTALL)
    found = []
    for block in blocks:
        m = re.search(r"\$schema=\S*?(\w+)\.schema\.json", block)
        if m:
            found.append((m.group(1), block))
    return found


def _measure_examples() -> list[str]:
    """The "Measure types" block: several `measure:` examples, one per top-level key."""
    text = FORMAT_DOC.read_text(encoding="utf-8").split("Measure types:", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL).group(1)
    return [m.strip() for m in re.split(r"\n(?=measure:)", block) if m.strip()]


def test_doc_has_the_four_examples():
    assert sorted(kind for kind, _ in _doc_blocks()) == ["client", "goals", "practice", "session"]


@pytest.mark.parametrize(("kind", "block"), _doc_blocks(), ids=lambda v: v if len(v) < 20 else "")
def test_doc_example_validates(kind, block):
    source = block.encode()
    data, problems = load_yaml_bytes(source, "doc.yaml")
    assert problems == []
    assert validate(data, kind, "doc.yaml", source) == []


@pytest.mark.parametrize("measure", _measure_examples())
def test_doc_measure_example_validates(measure):
    measure = re.sub(r"\s+#.*", "", measure)  # the comments here are prose (they hold "…")
    assert check("goals", goal_with(measure + "\n")) == []


def test_measure_examples_cover_the_four_types():
    assert len(_measure_examples()) == 4
