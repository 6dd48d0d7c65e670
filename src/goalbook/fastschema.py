"""The yes/no check of goalbook's JSON Schemas on the hot path of loading, by jsonschema-rs.

jsonschema explains failures well but walks the schema in Python for every value of every file,
which costs more than parsing the YAML. Nearly every file is valid, so jsonschema-rs (compiled
code) answers only "valid?"; when it says no, ``records/validate.py`` runs jsonschema to find and
explain the problems, so messages never come from here.

The rule kept: this check says yes only when jsonschema says yes (tests/test_fastschema.py
compares them). Where the two libraries differ, jsonschema-rs is the stricter one — NaN and
infinity are not numbers, ``$`` does not match before a final newline, ``\\d`` and ``\\s`` are
narrower — so a difference costs a jsonschema run, never a missed mistake. A value JSON cannot
hold (a key that is not text) is left to jsonschema too. References stay inside the schema:
the validator never fetches one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import jsonschema_rs

Check = Callable[[Any], bool]


def compile_schema(schema: dict[str, Any], formats: dict[str, Callable[[str], bool]]) -> Check:
    """A yes/no check of ``schema`` (Draft-07), with ``formats`` checked by these functions."""
    validator = jsonschema_rs.Draft7Validator(schema, formats=formats, validate_formats=True, offline=True)

    def check(data: Any) -> bool:
        try:
            return validator.is_valid(data)
        except ValueError:  # not JSON-like data: jsonschema decides and explains
            return False

    return check


@cache
def checker(kind: str) -> Check:
    """The check of goalbook's schema for ``kind``.

    Formats are checked by the very functions ``records/validate.py`` registers with jsonschema,
    so "is this a date" cannot disagree.
    """
    import json

    from goalbook import resources
    from goalbook.records.schema_formats import FORMATS

    schema = json.loads(resources.schema_path(kind).read_text(encoding="utf-8"))
    return compile_schema(schema, dict(FORMATS))


def is_valid(data: Any, kind: str) -> bool:
    """True only when ``data`` certainly passes the schema; False means "ask jsonschema"."""
    return checker(kind)(data)
