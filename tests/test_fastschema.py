"""The fast schema check (fastschema.py, by jsonschema-rs) must agree with jsonschema.

It answers only "valid?" on the hot path; jsonschema explains failures. A wrong "valid" would
hide a therapist's mistake, so agreement is tested on real files, on the broken-file corpus,
on Draft-07 corner cases, and on random mutations of valid files (a few hundred by default,
thousands with ``-m slow``).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from goalbook import fastschema, resources
from goalbook.records import validate, yamlload

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import make_practice

KINDS = ("practice", "client", "goals", "session", "instrument")


def kind_of(path: Path) -> str:
    if path.name in ("goalbook.yaml", "goalbook.yml"):
        return "practice"
    if "instruments" in path.parts:
        return "instrument"
    return {"client": "client", "goals": "goals"}.get(path.stem, "session")


def jsonschema_says(data, kind: str) -> bool:
    return validate._validator(kind).is_valid(data)


@pytest.mark.parametrize("kind", KINDS)
def test_every_goalbook_schema_compiles(kind):
    assert callable(fastschema.checker(kind))


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> list[tuple[str, object]]:
    """Valid documents of every kind: a small synthetic practice, the example practice, built-ins."""
    root = make_practice.make_practice(tmp_path_factory.mktemp("fs") / "p", clients=6, sessions=8, seed=5)
    paths = sorted(root.rglob("*.yaml")) + sorted((REPO / "example-practice").rglob("*.yaml"))
    paths += sorted(resources.data_dir("instruments").glob("*.yaml"))
    docs = []
    for path in paths:
        data, _ = yamlload.load_yaml(path, path.name)
        if data is not None:
            docs.append((kind_of(path), data))
    assert {k for k, _ in docs} >= {"practice", "client", "goals", "session", "instrument"}
    return docs


def test_agrees_on_real_files(samples):
    for kind, data in samples:
        assert fastschema.is_valid(data, kind) == jsonschema_says(data, kind), (kind, data)


def test_agrees_on_the_broken_file_corpus():
    files = sorted((REPO / "tests" / "data" / "bad").rglob("*.y*ml"))
    if not files:
        pytest.skip("no broken-file corpus yet")
    compared = 0
    for path in files:
        data, _ = yamlload.load_yaml(path, path.name)
        if data is None:
            continue
        kind = kind_of(path)
        assert fastschema.is_valid(data, kind) == jsonschema_says(data, kind), path
        compared += 1
    assert compared > 0


# --- Draft-07 corner cases, each against jsonschema itself


def both(schema: dict, instance) -> tuple[bool, bool]:
    """(fast check's answer, jsonschema's answer) for ``instance``."""
    checker = validate._validator("session").format_checker
    fast = fastschema.compile_schema(schema, {"date": checker.checkers["date"][0]})
    return fast(instance), Draft7Validator(schema, format_checker=checker).is_valid(instance)


def agree(schema: dict, instance) -> bool:
    fast, slow = both(schema, instance)
    assert fast == slow, (schema, instance)
    return slow


def test_draft7_corner_cases():
    assert agree({"type": "integer"}, 2.0) is True  # an integral float is an integer
    assert agree({"type": "integer"}, 2.5) is False
    assert agree({"type": "number"}, True) is False  # a boolean is not a number
    assert agree({"type": "integer"}, False) is False
    assert agree({"enum": [1, "a"]}, True) is False  # true is not 1
    assert agree({"enum": [1, "a"]}, 1.0) is True  # 1.0 is 1
    assert agree({"const": False}, 0) is False
    # $ref hides its siblings in draft-07
    assert agree({"definitions": {"s": {"type": "string"}}, "$ref": "#/definitions/s", "minLength": 5}, "ab") is True
    assert agree({"format": "date"}, "2024-02-30") is False
    assert agree({"format": "date"}, "2024-02-29") is True
    assert agree({"format": "date"}, 20240229) is True  # format only judges strings
    assert agree({"pattern": "^a"}, 5) is True  # pattern only judges strings
    assert agree({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 3) is False  # both match
    assert agree({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 3.5) is True
    assert agree({"not": {"type": "string"}}, "x") is False
    assert agree({"uniqueItems": True}, [1, 1.0]) is False
    assert agree({"uniqueItems": True}, [1, True]) is True
    assert agree({"propertyNames": {"maxLength": 3}}, {"abcd": 1}) is False
    assert agree({"required": ["a"]}, []) is True  # required only judges objects
    assert agree({"additionalProperties": False, "patternProperties": {"^x-": {}}}, {"x-a": 1}) is True
    assert agree({"additionalProperties": {"type": "integer"}, "properties": {"a": {}}}, {"a": "s", "b": "t"}) is False
    assert agree({"exclusiveMinimum": 0}, 0) is False
    assert agree({"maxLength": 2}, "ab") is True


def test_where_the_libraries_differ_the_fast_check_says_no():
    """A "no" only costs a jsonschema run; a "yes" where jsonschema says no would hide a mistake."""
    ident = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}
    assert both(ident, "walk\n") == (False, True)  # Python's $ also matches before a final newline
    assert both({"type": "number"}, float("nan")) == (False, True)
    assert both({"type": "number"}, float("inf")) == (False, True)
    assert both({"pattern": "^\\d+$"}, "\u0663") == (False, True)  # an Arabic-Indic digit


def test_a_value_json_cannot_hold_is_left_to_jsonschema():
    assert fastschema.is_valid({"id": "ana-r", 1: "x"}, "client") is False
    assert fastschema.compile_schema({}, {})(b"bytes") is False


def test_a_reference_outside_the_schema_is_never_fetched():
    with pytest.raises(ValueError, match="Retrieval is disabled"):
        fastschema.compile_schema({"$ref": "http://example.invalid/other.json"}, {})


# --- random mutations of valid documents


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 60) | st.floats(-3, 50, allow_nan=False)
    | st.sampled_from(["", "x", "2025-10-13", "2024-02-30", "14:00", "25:00", "active", "actve", "gad7", "phq9",
                       "50% lower", "20 % higher", "Box-breathing", "box-breathing", "a" * 41, "week", "gas",
                       "rating", "count", "questionnaire", "much_less", "-2", "weekly"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "type", "total", "label", "name", "x", "levels", "min", "max", "per"]), inner, max_size=3),
    max_leaves=6,
)
FIELD_NAMES = ["id", "name", "status", "date", "kind", "type", "total", "target", "baseline", "steps", "notes",
               "unknown_field", "measure", "weight", "levels", "times", "per", "priority", "every_weeks",
               "Box Breathing", "walk-30", "gad7", "x" * 41, "much_less"]


def near(value, draw):
    """A value like ``value`` but perhaps just over a limit: the edge cases a schema draws."""
    if isinstance(value, bool):
        return draw(st.sampled_from([not value, "true", 1]))
    if isinstance(value, (int, float)):
        return draw(st.sampled_from([value - 1, value + 1, -value, 0, -1, value * 100, float(value), value + 0.5,
                                     str(value)]))
    if isinstance(value, str):
        return draw(st.sampled_from(["", " ", value + "!", value.upper(), value[:-1], value * 20, "a" * 41,
                                     value.replace("-", "_"), "2025-13-01", "2025-1-1", value + " ", "1" + value]))
    if isinstance(value, list):
        return draw(st.sampled_from([[], value[:-1], value + value[-1:] if value else [None], [value]]))
    if isinstance(value, dict):
        return draw(st.sampled_from([{}, dict(list(value.items())[:-1]), [value]]))
    return draw(VALUES)


def mutate(data, draw):
    """One random change deep in ``data``: a value near the original or any value, a key deleted
    or added, a list grown."""
    doc = copy.deepcopy(data)
    parent, key = None, None
    node = doc
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 9)) > 0:
        parent = node
        key = draw(st.sampled_from(sorted(node))) if isinstance(node, dict) else draw(st.integers(0, len(node) - 1))
        node = node[key]
    action = draw(st.sampled_from(["near", "near", "near", "replace", "delete", "add", "append"]))
    if parent is None:
        return doc
    if action == "near":
        parent[key] = near(node, draw)
    elif action == "delete":
        del parent[key]
    elif action == "add" and isinstance(node, dict) or isinstance(parent, dict):
        target = node if isinstance(node, dict) else parent
        value = copy.deepcopy(draw(st.sampled_from(list(target.values())))) if target and draw(st.booleans()) else draw(VALUES)
        target[draw(st.sampled_from(FIELD_NAMES))] = value
    elif action == "append" and isinstance(node, list):
        node.append(copy.deepcopy(node[0]) if node and draw(st.booleans()) else draw(VALUES))
    else:
        parent[key] = draw(VALUES)
    return doc


def mutation_agrees(samples, data) -> None:
    kind, doc = data.draw(st.sampled_from(samples))
    for _ in range(data.draw(st.integers(1, 2))):
        doc = mutate(doc, data.draw)
    json.dumps(doc)  # still JSON-like data, as the strict loader gives
    assert fastschema.is_valid(doc, kind) == jsonschema_says(doc, kind)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_agrees_on_random_mutations(samples, data):
    mutation_agrees(samples, data)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_agrees_on_many_random_mutations(samples, data):
    mutation_agrees(samples, data)
