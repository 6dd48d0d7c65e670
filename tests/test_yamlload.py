"""Strict YAML loading (docs/format.md "YAML rules"): each rule with its input inline."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from goalbook.records.yamlload import (
    TooLarge,
    excerpt,
    load_yaml,
    load_yaml_bytes,
    position,
    read_limited,
    read_with_stat,
)


def load(text: str) -> tuple[object, list]:
    return load_yaml_bytes(textwrap.dedent(text).encode("utf-8"), "clients/ab/goals.yaml")


def codes(problems) -> list[str]:
    return [p.code for p in problems]


# --- Types: only true/false, null, decimal ints and plain floats --------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("14:30", "14:30"),  # YAML 1.1: 870 (sexagesimal)
        ("01234", "01234"),  # YAML 1.1: 668 (octal)
        ("2024-03-01", "2024-03-01"),  # YAML 1.1: a date object
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        (".5", ".5"),
        ("+5", 5),  # as YAML 1.2 reads it; a GAS level is written +1 in goalbook's own templates
        (".inf", ".inf"),
        ("Null", "Null"),
        ("true", True),
        ("false", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("0", 0),
        ("-7", -7),
        ("42", 42),
        ("-0.5", -0.5),
        # Decision (documented in yamlload.py): 1.10 is the number 1.1, as YAML 1.2 editors read it.
        ("1.10", 1.1),
    ],
)
def test_scalar_types(written, expected):
    data, problems = load(f"value: {written}\n")
    assert problems == []
    assert data == {"value": expected}
    assert type(data["value"]) is type(expected)


def test_quoted_numbers_stay_text():
    data, problems = load("""\
        a: "12"
        b: '1.5'
        c: "true"
    """)
    assert (data, problems) == ({"a": "12", "b": "1.5", "c": "true"}, [])


def test_keys_are_always_text_as_written():
    data, _ = load("""\
        measurements:
          2024: 1
          true: 2
          01: 3
    """)
    assert data == {"measurements": {"2024": 1, "true": 2, "01": 3}}


# --- Ambiguous YAML 1.1 booleans ----------------------------------------------------------------


def test_plain_no_stays_the_word_but_is_an_error():
    data, problems = load("""\
        name: Test
        answer: no
    """)
    assert data == {"name": "Test", "answer": "no"}
    assert [(p.code, p.line, p.column, p.severity) for p in problems] == [
        ("ambiguous-value", 2, 9, "error")
    ]
    assert '"no"' in problems[0].hint and "false" in problems[0].hint


def test_quoted_no_is_fine():
    assert load("answer: \"no\"\nother: 'yes'\n") == ({"answer": "no", "other": "yes"}, [])


def test_every_ambiguous_value_is_reported_not_only_the_first():
    data, problems = load("""\
        a: yes
        b: [On, off]
        c:
          - Y
          - TRUE
          - False
    """)
    assert data == {"a": "yes", "b": ["On", "off"], "c": ["Y", "TRUE", "False"]}
    assert [(p.line, p.column) for p in problems] == [
        (1, 4),
        (2, 5),
        (2, 9),
        (4, 5),
        (5, 5),
        (6, 5),
    ]
    assert set(codes(problems)) == {"ambiguous-value"}


def test_ambiguous_word_as_a_key_is_not_a_value():
    # Only values are checked: a key is always text (see test_keys_are_always_text_as_written).
    assert load("no: 1\n") == ({"no": 1}, [])


def test_words_that_only_look_boolean_are_fine():
    data, problems = load("a: nope\nb: yess\nc: yEs\nd: Yes please\n")
    assert problems == []
    assert data == {"a": "nope", "b": "yess", "c": "yEs", "d": "Yes please"}


# --- Duplicate keys ---------------------------------------------------------------------------


def test_duplicate_key_names_both_lines():
    data, problems = load("""\
        goals:
          - id: a
            status: active
            title: T
            status: achieved
    """)
    assert len(problems) == 1
    p = problems[0]
    assert (p.code, p.line, p.column, p.severity) == ("duplicate-key", 5, 5, "error")
    assert "`status` appears twice (lines 3 and 5)" in p.message
    assert "silently replace" in p.message
    assert data["goals"][0]["status"] == "active"  # data is still returned


def test_same_key_in_different_mappings_is_fine():
    assert load("a: {x: 1}\nb: {x: 2}\n")[1] == []


# --- Aliases, depth ------------------------------------------------------------------------------


def test_scalar_alias_is_fine():
    assert load("a: &n Ana\nb: *n\n") == ({"a": "Ana", "b": "Ana"}, [])


def test_alias_to_a_mapping_is_refused():
    data, problems = load("""\
        base: &b {times: 3, per: week}
        other: *b
    """)
    assert data is None
    assert codes(problems) == ["alias"]
    assert "`other`" in problems[0].message


def test_alias_bomb_is_refused_quickly():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    # Expanded, this is 9**10 strings: the test could not finish. Refused at the first repeat.
    data, problems = load_yaml_bytes("\n".join(lines).encode(), "bomb.yaml")
    assert data is None and codes(problems) == ["alias"]
    assert problems[0].line == 1  # the first list repeated (a0), found while building a1


def test_recursive_alias_is_refused():
    data, problems = load("a: &x [1, *x]\n")
    assert data is None and codes(problems) == ["alias"]


def test_forty_levels_are_fine_forty_one_are_not():
    def nested(levels: int) -> bytes:
        return ("[" * levels + "1" + "]" * levels).encode()

    data, problems = load_yaml_bytes(nested(40), "f.yaml")
    assert problems == [] and data is not None
    data, problems = load_yaml_bytes(nested(41), "f.yaml")
    assert data is None and codes(problems) == ["too-deep"]


@pytest.mark.parametrize(
    "doc",
    [
        b"[" * 100_000,
        b"[" * 100_000 + b"]" * 100_000,
        b"{a: " * 50_000,
        b"- " * 100_000 + b"x\n",
        "".join(" " * i + "k:\n" for i in range(300)).encode(),
        b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 1000)),
    ],
    ids=["flow-open", "flow-closed", "flow-map", "block-seq", "block-map", "block-lines"],
)
def test_extreme_nesting_is_refused_without_crashing(doc):
    # Reaching the assertions at all shows the C parser neither crashed nor hung.
    data, problems = load_yaml_bytes(doc, "deep.yaml")
    assert data is None
    assert codes(problems) == ["too-deep"]
    assert problems[0].line >= 1


# --- Bytes: size, binary, encoding, empty, BOM -----------------------------------------------------


def test_too_large_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"# padding\n" * 220_000)
    data, problems = load_yaml(path, "big.yaml")
    assert data is None and codes(problems) == ["too-large"]
    assert problems[0].path == "big.yaml"


def test_binary_file():
    data, problems = load_yaml_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.yaml")
    assert data is None and codes(problems) == ["binary"]
    assert problems[0].message == "this looks like a binary file, not YAML"


def test_non_utf8_gives_position_of_first_bad_byte():
    text = "name: Ana\nnotes: café\n".encode("latin-1")  # é is one byte 0xe9, invalid in UTF-8
    data, problems = load_yaml_bytes(text, "clients/ab/client.yaml")
    assert data is None and codes(problems) == ["encoding"]
    assert (problems[0].line, problems[0].column) == (2, 11)
    assert "UTF-8" in problems[0].hint


def test_utf16_is_named():
    data, problems = load_yaml_bytes("a: 1\n".encode("utf-16"), "f.yaml")
    assert data is None and codes(problems) == ["encoding"] and "UTF-16" in problems[0].message


def test_utf8_bom_is_fine():
    assert load_yaml_bytes(b"\xef\xbb\xbfname: Ana\n", "f.yaml") == ({"name": "Ana"}, [])


@pytest.mark.parametrize("doc", [b"", b"\n\n", b"# only a comment\n# and another\n", b"~\n"])
def test_empty_file(doc):
    data, problems = load_yaml_bytes(doc, "f.yaml")
    assert data is None and codes(problems) == ["empty"]


def test_unreadable_path(tmp_path):
    data, problems = load_yaml(tmp_path / "missing.yaml", "missing.yaml")
    assert data is None and codes(problems) == ["unreadable"]


def test_a_folder_is_unreadable(tmp_path):
    data, problems = load_yaml(tmp_path, "f.yaml")
    assert data is None and codes(problems) == ["unreadable"]
    assert problems[0].message == "this file cannot be read (Is a directory)"


def test_read_limited_reads_the_whole_file_and_its_stat(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n" * 1000)
    data, st = read_with_stat(path)
    assert data == path.read_bytes() and st.st_size == len(data) and st.st_ino == path.stat().st_ino
    assert read_limited(path, limit=len(data)) == data
    with pytest.raises(TooLarge):
        read_limited(path, limit=len(data) - 1)


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs a file whose stat says 0 bytes")
def test_read_limited_reads_past_the_size_the_stat_gave():
    """A file that holds more than its stat said (it grew, or /proc's) is read to its end, never past
    the limit."""
    expected = Path("/proc/version").read_bytes()
    assert os.stat("/proc/version").st_size < len(expected)
    assert read_limited("/proc/version") == expected
    with pytest.raises(TooLarge):
        read_limited("/proc/version", limit=len(expected) - 1)


# --- Syntax errors: position and plain words ------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "line", "column", "words"),
    [
        ("name: Ana\n\tstatus: active\n", 2, 1, "tab"),
        ('name: "Ana\nstatus: active\n', 1, 7, "never closed"),
        ("title: Note: this matters\n", 1, 12, "quotes"),
        ("a:\n  b: 1\n c: 2\n", 3, 2, "indentation"),
        ("hopes:\n  - one\n  two: 2\n", 3, 3, "list"),
        ("a: [1, 2\nb: 3\n", 2, 2, "not closed"),
        ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document"),
        ("a: @home\n", 1, 4, "`@`"),
        ('a: "C:\\path"\n', 1, 7, "backslash"),
        ("notes: *important*\n", 1, 8, "alias"),
        ("notes: *missing\n", 1, 8, "alias"),
        ("notes: & more\n", 1, 8, "anchor"),
    ],
    ids=[
        "tab",
        "unclosed-quote",
        "colon-in-text",
        "indent",
        "list-indent",
        "flow",
        "documents",
        "reserved",
        "escape",
        "bad-alias",
        "undefined-alias",
        "bad-anchor",
    ],
)
def test_syntax_errors_have_position_and_plain_message(doc, line, column, words):
    data, problems = load_yaml_bytes(doc.encode(), "f.yaml")
    assert data is None and codes(problems) == ["syntax"]
    p = problems[0]
    assert (p.line, p.column) == (line, column)
    assert words in p.message + p.hint
    # jsonschema/libyaml jargon is rewritten
    assert "scalar" not in p.message and "token" not in p.message


def test_missing_space_after_colon_is_explained():
    data, problems = load("name:Ana\nstatus: active\n")
    assert data is None and codes(problems) == ["syntax"]
    assert "missing space after a colon" in problems[0].hint


def test_unsupported_tag_is_refused():
    data, problems = load("a: !!python/object:os.system echo\n")
    assert data is None and codes(problems) == ["syntax"]
    assert "!!python/object:os.system" in problems[0].message


# --- position / excerpt ---------------------------------------------------------------------------

DOC = textwrap.dedent("""\
    # yaml-language-server: $schema=../../schemas/goals.schema.json
    goals:
      - id: presentations
        title: Present at the team meeting
        baseline:
        measure: {type: rating, label: Anxiety}
        steps:
          - id: box-breathing
            times: 3
""").encode()


@pytest.mark.parametrize(
    ("pointer", "key", "expected"),
    [
        ([], False, (2, 1)),
        (["goals"], False, (3, 3)),
        (["goals", 0], False, (3, 5)),
        (["goals", 0, "title"], False, (4, 12)),
        (["goals", 0, "title"], True, (4, 5)),
        (["goals", 0, "baseline"], False, (5, 5)),  # empty value: its key
        (["goals", 0, "measure", "label"], False, (6, 36)),
        (["goals", 0, "steps", 0, "times"], False, (9, 16)),
        (["goals", 0, "steps", 0, "times"], True, (9, 9)),
        (["goals", 0, "steps", 5, "times"], False, (8, 7)),  # missing index: the list itself
        (["goals", 0, "nothing", "here"], False, (3, 5)),
    ],
)
def test_position(pointer, key, expected):
    assert position(DOC, pointer, key=key) == expected


def test_position_of_a_file_follows_edits(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\nb: 2\n")
    assert position(path, ["b"]) == (2, 4)
    path.write_text("# moved\n\na: 1\nb: 2\n")
    assert position(path, ["b"]) == (4, 4)


def test_excerpt_hledger_style():
    assert excerpt(DOC, 4, 12) == (
        "   4 |     title: Present at the team meeting\n     |            ^"
    )
    assert excerpt(DOC, 99, 1) == ""


def test_excerpt_wide_line_numbers_and_tabs():
    doc = b"x: 1\n" * 12344 + b"\tstatus: actve\n"
    assert excerpt(doc, 12345, 10) == "  12345 | \tstatus: actve\n        | \t        ^"


# --- Properties -------------------------------------------------------------------------------------

# NEL/LS/PS are line breaks in YAML 1.1 and PyYAML's *dumper* writes them unescaped inside quotes
# (its own safe_load folds them too), so they are left out: the loader is not what is tested there.
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x85\u2028\u2029"),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(text)
def test_any_dumped_string_round_trips(value):
    doc = yaml.safe_dump({"notes": value}, allow_unicode=True).encode("utf-8")
    data, problems = load_yaml_bytes(doc, "f.yaml")
    assert data == {"notes": value}
    # PyYAML writes y/Y/n/N unquoted (its resolver skips them, YAML 1.1 does not): flagged, kept.
    assert [p.code for p in problems] == (
        ["ambiguous-value"] if value in ("y", "Y", "n", "N") else []
    )


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip(value):
    assert load_yaml_bytes(f"n: {value}\n".encode(), "f.yaml") == ({"n": value}, [])


# --- The pure-Python parser (PyYAML without libyaml) follows the same rules ----------------------


@pytest.fixture
def python_parser(monkeypatch):
    from goalbook.records import yamlload

    monkeypatch.setattr(yamlload, "StrictLoader", yamlload._loader_class(yaml.SafeLoader))


@pytest.mark.parametrize(
    ("doc", "data", "problem_codes"),
    [
        (
            b"a: 14:30\nb: 01234\nc: 2024-03-01\nd: 1.10\ne: ~\nf: true\n",
            {"a": "14:30", "b": "01234", "c": "2024-03-01", "d": 1.1, "e": None, "f": True},
            [],
        ),
        (b"a: no\nb: 'no'\n", {"a": "no", "b": "no"}, ["ambiguous-value"]),
        (b"a: 1\na: 2\n", {"a": 1}, ["duplicate-key"]),
        (b"a: &x [1]\nb: *x\n", None, ["alias"]),
        (b"[" * 10_000, None, ["too-deep"]),
        (b"- " * 10_000 + b"x\n", None, ["too-deep"]),
        (b'a: "open\n', None, ["syntax"]),
    ],
    ids=["types", "ambiguous", "duplicate", "alias", "deep-flow", "deep-block", "syntax"],
)
def test_pure_python_parser_same_rules(python_parser, doc, data, problem_codes):
    loaded, problems = load_yaml_bytes(doc, "f.yaml")
    assert loaded == data
    assert codes(problems) == problem_codes
