"""Fast paths of loading held to the slow ways they replace, on many generated inputs.

* ``yamlload`` resolves tags in its builder, from libyaml's implicit flags, and remembers the values
  of plain scalars (taken inline in mappings and lists); PyYAML's own resolver, given the same rules, must give the same data and the
  same problems, first time and from memory, with the C and the pure-Python parser.
* ``yamlload._hash_after_blank`` is the search for ` #` or a tab and `#` it replaces.
* ``yamlload._surely_shallow`` may only say yes where the exact depth bound would.
* ``model.quick_constructor`` must make what a frozen model class's own ``__init__`` makes.
* ``fastschema`` (jsonschema-rs) must agree with jsonschema on random schemas of the keywords
  goalbook uses (a type "or null", a keyword without a type, an enum alone, oneOf, nested objects).
"""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError, dataclass

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from goalbook import fastschema
from goalbook.records import yamlload

# --- Tags: the builder's resolution against PyYAML's resolver ---------------------------------

# docs/format.md, "YAML rules", as PyYAML's resolver table (what yamlload used before it resolved tags itself).
RULES = (
    ("tag:yaml.org,2002:bool", r"^(?:true|false)$", "tf"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|)$", ["~", "n", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "+-0123456789"),
    ("tag:yaml.org,2002:float", r"^[-+]?[0-9]+\.[0-9]+$", "+-0123456789"),
)


def resolving_loader(base: type) -> type:
    """A loader whose composer resolves every tag itself, PyYAML's way."""
    loader = type("ResolvingLoader", (base,), {"yaml_implicit_resolvers": {}})
    for tag, regex, first in RULES:
        loader.add_implicit_resolver(tag, re.compile(regex), list(first))
    return loader


BASES = [yaml.SafeLoader] + ([yaml.CSafeLoader] if yaml.__with_libyaml__ else [])

WORDS = st.sampled_from([
    "0", "00", "01", "-0", "-1", "7", "10", "1.5", "1.10", "-2.0", ".5", "5.", "1e3", "0x1F", "1_000", "+1",
    "1" * 16, "9" * 20, "12345678901234.5", "true", "false", "True", "TRUE", "yes", "no", "Y", "n", "on", "Off",
    "null", "Null", "~", "", "14:30", "2025-10-13", "gad7", "x", "a b", "nan", ".inf", "-", "--1", "1-2",
    "1.2.3", "null~", "tru",
])
TEXTS = WORDS | st.text(alphabet="0123456789-.~tfnulrYyeso x", max_size=8)


def scalar(text: str, style: str) -> str:
    if style == "plain":
        return text
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(text)
    return f"{style} {text}"  # a tag: `!`, `!!str`, `!!int`, ...


STYLES = st.sampled_from(["plain", "plain", "plain", "single", "double", "!", "!!str", "!!int", "!!float",
                          "!!bool", "!!null"])


@st.composite
def documents(draw) -> bytes:
    """A small document of scalars in mappings, block lists and flow lists, values often repeated."""
    pool = draw(st.lists(st.tuples(TEXTS, STYLES), min_size=1, max_size=5))
    pick = st.sampled_from(pool)
    lines = []
    for n in range(draw(st.integers(1, 6))):
        shape = draw(st.sampled_from(["value", "value", "flow", "block", "key", "literal", "comment"]))
        if shape == "value":
            lines.append(f"k{n}: {scalar(*draw(pick))}")
        elif shape == "literal":
            lines.append(f"k{n}: {draw(st.sampled_from(['|', '>', '|-']))}")
            lines.append(f"  {draw(pick)[0] or 'x'}")
        elif shape == "comment":  # ` #` may hide text: such files take the slow way for plain values
            lines.append(f"k{n}: {scalar(*draw(pick))} #{n}")
        elif shape == "flow":
            lines.append(f"k{n}: [{', '.join(scalar(*draw(pick)) for _ in range(draw(st.integers(0, 3))))}]")
        elif shape == "block":
            lines.append(f"k{n}:")
            lines += [f"  - {scalar(*draw(pick))}" for _ in range(draw(st.integers(1, 3)))]
        else:
            text, style = draw(pick)
            lines.append(f"{scalar(text, style)}: {n}")
    return ("\n".join(lines) + "\n").encode()


def outcome(doc: bytes) -> tuple:
    data, problems = yamlload.load_yaml_bytes(doc, "f.yaml")
    # repr keeps types apart: 1, 1.0 and True are equal in Python but not in a goalbook file.
    return repr(data), [(p.line, p.column, p.severity, p.code, p.message, p.hint) for p in problems]


@pytest.mark.parametrize("base", BASES, ids=lambda b: b.__name__)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_tags_resolved_by_the_builder_agree_with_pyyaml(monkeypatch, base, doc):
    tags_agree(monkeypatch, base, doc)


@pytest.mark.slow
@pytest.mark.parametrize("base", BASES, ids=lambda b: b.__name__)
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_many_tags_resolved_by_the_builder_agree_with_pyyaml(monkeypatch, base, doc):
    tags_agree(monkeypatch, base, doc)


def tags_agree(monkeypatch, base, doc) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(yamlload, "StrictLoader", resolving_loader(base))
        expected = outcome(doc)
    with monkeypatch.context() as patch:
        patch.setattr(yamlload, "StrictLoader", yamlload._loader_class(base))
        patch.setattr(yamlload, "_plain_values", {})
        assert outcome(doc) == expected  # every plain value resolved afresh
        assert outcome(doc) == expected  # and now from memory


def test_a_remembered_value_is_still_reported_where_it_is_a_problem():
    """A word that is reported (`yes`) is never taken from memory without its problem."""
    for _ in range(2):
        _, problems = yamlload.load_yaml_bytes(b"a: yes\nb: [yes, 7, 7]\n", "f.yaml")
        assert [(p.line, p.code) for p in problems] == [(1, "ambiguous-value"), (2, "ambiguous-value")]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=12) | st.text(alphabet=" \t#a\n", max_size=12).map(str.encode))
def test_hash_after_blank_is_the_search_for_either_pair(data):
    assert yamlload._hash_after_blank(data) == (b" #" in data or b"\t#" in data)


# --- The depth guard's quick answer -----------------------------------------------------------

PREFIXES = st.sampled_from([" ", "  ", "- ", "? ", ": ", "\t", "-"])


@st.composite
def nested_text(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        width = draw(st.sampled_from([0, 1, 10, 46, 47, 48, 49, 50, 60, 100]))
        prefix = (draw(PREFIXES) * width)[:width]
        brackets = "[" * draw(st.sampled_from([0, 1, 30, 50, 99, 100, 101])) + "{" * draw(st.integers(0, 3))
        lines.append(prefix + draw(st.sampled_from(["x", "a: b", ""])) + brackets)
    return "\n".join(lines).encode()


@settings(max_examples=150, deadline=None)
@given(data=nested_text())
def test_surely_shallow_only_where_the_depth_bound_says_so(data):
    if yamlload._surely_shallow(data):
        assert yamlload._depth_bound(data) <= yamlload._SAFE_BOUND


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(data=nested_text())
def test_surely_shallow_only_where_the_depth_bound_says_so_long(data):
    if yamlload._surely_shallow(data):
        assert yamlload._depth_bound(data) <= yamlload._SAFE_BOUND


def test_surely_shallow_at_its_limits():
    assert yamlload._surely_shallow(b"a:\n" + b" " * 48 + b"x" + b"[" * 100)
    assert not yamlload._surely_shallow(b"a:\n" + b" " * 49 + b"x")
    assert not yamlload._surely_shallow(b"- " * 25 + b"x")  # the first line counts too
    assert not yamlload._surely_shallow(b"x" + b"{" * 101)


# --- the fast schema check on random schemas ----------------------------------------------------------

TYPES = st.sampled_from(["string", "integer", "number", "object", "array", "boolean", "null",
                         ["string", "null"], ["integer", "null"], ["number", "null"], ["object", "null"],
                         ["array", "null"], ["null", "boolean"], ["string", "integer"], ["null"]])
LEAVES = st.fixed_dictionaries({}, optional={
    "type": TYPES,
    "minLength": st.integers(0, 3), "maxLength": st.integers(0, 3), "pattern": st.sampled_from(["^a", "^[a-z0-9-]*$"]),
    "format": st.just("date"),
    "minimum": st.integers(-1, 2), "maximum": st.integers(0, 3), "exclusiveMinimum": st.integers(-1, 1),
    "minItems": st.integers(0, 2), "maxItems": st.integers(1, 3),
    "enum": st.lists(st.sampled_from(["a", "b", 1, 1.0, True, None, "2024-02-30"]), min_size=1, max_size=3),
})


def schemas():
    return st.recursive(LEAVES, lambda inner: st.one_of(
        st.builds(lambda base, subs: {**base, "oneOf": subs}, LEAVES, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda base, item: {**base, "items": item}, LEAVES, inner),
        st.builds(
            lambda base, props, required, extra, names: {
                **base, "properties": props, "required": required,
                **({} if extra is None else {"additionalProperties": extra}),
                **({} if names is None else {"propertyNames": names}),
            },
            LEAVES, st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=2),
            st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True),
            st.none() | st.booleans() | inner, st.none() | LEAVES,
        ),
    ), max_leaves=4)


INSTANCES = st.recursive(
    st.none() | st.booleans() | st.sampled_from([0, 1, 2, -1, 3, 1.0, 2.5, 0.0, "", "a", "ab", "abc", "B",
                                                "2024-02-29", "2024-02-30", "a-1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "A b"]), inner,
                                                                max_size=3),
    max_leaves=6,
)


def schema_check_agrees(schema, instance) -> None:
    from goalbook.records import validate

    checker = validate._validator("session").format_checker
    fast = fastschema.compile_schema(schema, {"date": lambda x: checker.conforms(x, "date")})
    assert fast(instance) == Draft7Validator(schema, format_checker=checker).is_valid(instance), (schema, instance)


@settings(max_examples=200, deadline=None)
@given(schema=schemas(), instance=INSTANCES)
def test_schema_checks_agree_with_jsonschema(schema, instance):
    schema_check_agrees(schema, instance)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(schema=schemas(), instance=INSTANCES)
def test_many_schema_checks_agree_with_jsonschema(schema, instance):
    schema_check_agrees(schema, instance)


# --- The loader's quick constructors of frozen model classes -----------------------------------


def test_quick_constructors_make_what_the_classes_make():
    """Equal objects with the same fields in the same order, defaults and fresh default dicts
    filled in; a missing or unknown field is refused as ``__init__`` refuses it."""
    from datetime import date

    from goalbook.records import load
    from goalbook.records.model import Administration, Session, quick_constructor

    day = date(2025, 4, 14)
    cases = [
        (load._new_administration, Administration, {"instrument": "gad7", "date": day, "answers": (1, None)}),
        (load._new_administration, Administration, {"instrument": "who5", "date": day, "raw_total": 12,
                                                    "session_file": "s.yaml", "in_mapping": True}),
        (load._new_session, Session, {"date": day, "kind": "session", "file": "s.yaml"}),
        (load._new_session, Session, {"date": day, "kind": "review", "file": "s.yaml", "time": "13:30",
                                      "measurements": {"g": 2}, "notes": "n"}),
    ]
    for quick, cls, values in cases:
        made, expected = quick(**values), cls(**values)
        assert type(made) is cls and made == expected and repr(made) == repr(expected)
        assert list(vars(made).items()) == list(vars(expected).items())
        with pytest.raises(FrozenInstanceError):
            made.notes = "changed"  # type: ignore[misc]
    made = load._new_session(**cases[-1][2])
    assert load._SESSION_ORDER(made) == made.sort_key  # the loader sorts sessions by it
    first, second = load._new_session(date=day, kind="session", file="a"), load._new_session(date=day, kind="session", file="b")
    assert first.measurements == {} and first.measurements is not second.measurements
    for values in ({"instrument": "gad7"}, {"instrument": "gad7", "date": day, "answer": (1,)}):
        with pytest.raises(TypeError):
            Administration(**values)
        with pytest.raises(TypeError):
            load._new_administration(**values)
    with pytest.raises(TypeError):
        quick_constructor(int)

    @dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    with pytest.raises(TypeError):
        quick_constructor(Slotted)
