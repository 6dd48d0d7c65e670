"""A compiled yes/no check of goalbook's JSON Schemas, for the hot path of loading (issue 6).

jsonschema explains failures well but walks the schema for every value of every file, which
costs more than parsing the YAML. Nearly every file is valid, so each schema is compiled once
into nested Python closures that answer only "valid?". When the answer is no, ``validate.py``
runs jsonschema to find and explain the problems, so messages never come from here.

The compiled check must agree with ``Draft7Validator(schema, format_checker=…).is_valid``
(tests/test_fastschema.py compares them). It supports the keywords goalbook's schemas use; a
schema with any other keyword is not compiled (``compile_schema`` returns None) and the caller
keeps using jsonschema for it. Draft-07 details kept: ``$ref`` hides its sibling keywords, a
float such as ``2.0`` is an integer, ``true`` is not a number, and ``1 == 1.0`` but not ``true``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that never affect validity.
_ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "title", "description", "markdownDescription", "enumDescriptions",
    "examples", "default", "definitions", "readOnly", "writeOnly", "deprecated",
})
_SUPPORTED = _ANNOTATIONS | {
    "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties",
    "propertyNames", "items", "minItems", "maxItems", "uniqueItems", "pattern", "minLength", "maxLength",
    "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "allOf", "not",
}


class Unsupported(Exception):
    """The schema uses something this compiler does not handle: use jsonschema instead."""


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": _is_number,
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool))
    or (isinstance(x, float) and x.is_integer()),
}


# Types whose test is exactly isinstance of a Python class (not so numbers: a bool is an int).
_CLASSES: dict[str, type] = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _type_test(names: list[str]) -> Check:
    tests = tuple(_TYPES[n] for n in names)
    if len(tests) == 1:
        return tests[0]
    if sorted(names) == ["integer", "null"]:  # answers: a number or a missing item
        return lambda x: x is None or (type(x) is int) or _TYPES["integer"](x)
    if all(n in _CLASSES for n in names):  # e.g. a text or null: one isinstance, no calls
        classes = tuple(_CLASSES[n] for n in names)
        return lambda x: isinstance(x, classes)

    def any_type(x: Any) -> bool:
        for t in tests:
            if t(x):
                return True
        return False

    return any_type


def _all_of_type(type_test: Check, checks: tuple[Check, ...], cls: type | None = None) -> Check:
    """A schema of one type: the type test (or isinstance of ``cls``), then that type's checks."""
    if len(checks) == 1:
        only = checks[0]
        if cls is not None:
            return lambda x: isinstance(x, cls) and only(x)
        return lambda x: type_test(x) and only(x)

    def check(x: Any) -> bool:
        if not type_test(x):
            return False
        for c in checks:
            if not c(x):
                return False
        return True

    return check


def _checks_for(x: Any, on_object: tuple[Check, ...], on_array: tuple[Check, ...],
                on_string: tuple[Check, ...], on_number: tuple[Check, ...]) -> tuple[Check, ...]:
    """The type-specific checks that apply to ``x`` (by its JSON type)."""
    if isinstance(x, dict):
        return on_object
    if isinstance(x, str):
        return on_string
    if isinstance(x, list):
        return on_array
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return on_number
    return ()


def _all_pass(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:  # e.g. a name's pattern and maxLength: no loop
        first, second = checks
        return lambda x: first(x) and second(x)

    def check(x: Any) -> bool:
        for c in checks:
            if not c(x):
                return False
        return True

    return check


def _exactly_one(subs: tuple[Check, ...]) -> Check:
    """oneOf: stops at the second match instead of trying every branch."""
    def one_of(x: Any) -> bool:
        found = False
        for sub in subs:
            if sub(x):
                if found:
                    return False
                found = True
        return found

    return one_of


def equal(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema sees it: true is not 1, but 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(equal(a[k], b[k]) for k in a))
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(equal(x, y) for x, y in zip(a, b)))
    return a == b


def compile_schema(schema: dict[str, Any], formats: dict[str, Callable[[Any], bool]]) -> Check | None:
    """The schema as one function ``instance -> valid?``, or None when it cannot be compiled."""
    try:
        return _Compiler(schema, formats).compile(schema)
    except Unsupported:
        return None


class _Compiler:
    def __init__(self, root: dict[str, Any], formats: dict[str, Callable[[Any], bool]]) -> None:
        self.root = root
        self.formats = formats
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if pointer in self.refs:
            return self.refs[pointer]
        if not pointer.startswith("#"):
            raise Unsupported(f"remote $ref {pointer}")
        target: Any = self.root
        for part in filter(None, pointer[1:].split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, list):
                target = target[int(part)]
            elif isinstance(target, dict) and part in target:
                target = target[part]
            else:
                raise Unsupported(f"$ref {pointer} not found")
        # A placeholder first, so that a recursive reference compiles.
        holder: list[Check] = []
        self.refs[pointer] = lambda x: holder[0](x)
        holder.append(self.compile(target))
        self.refs[pointer] = holder[0]
        return holder[0]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported("a schema must be an object or a boolean")
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        if "$ref" in schema:  # draft-07: the siblings of $ref are ignored
            return self.ref(schema["$ref"])
        type_test: Check | None = None
        if "type" in schema:
            names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if any(n not in _TYPES for n in names):
                raise Unsupported(f"type {names}")
            type_test = _type_test(names)
        # Checks that only apply to one JSON type run only for values of that type.
        on_object = tuple(self.object_checks(schema))
        on_array = tuple(self.array_checks(schema))
        on_string = tuple(self.string_checks(schema))
        on_number = tuple(self.number_checks(schema))
        general: list[Check] = []
        if "enum" in schema:
            options = list(schema["enum"])
            if all(isinstance(o, str) for o in options):
                names_set = frozenset(options)
                general.append(lambda x: isinstance(x, str) and x in names_set)
            else:
                general.append(lambda x: any(equal(x, o) for o in options))
        if "const" in schema:
            const = schema["const"]
            general.append(lambda x: equal(x, const))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in schema:
                subs = tuple(self.compile(s) for s in schema[keyword])
                if keyword == "allOf":
                    general.append(lambda x, subs=subs: all(s(x) for s in subs))
                elif keyword == "anyOf":
                    general.append(lambda x, subs=subs: any(s(x) for s in subs))
                else:
                    general.append(_exactly_one(subs))
        if "not" in schema:
            negated = self.compile(schema["not"])
            general.append(lambda x: not negated(x))
        rest = tuple(general)
        if not (on_object or on_array or on_string or on_number or rest):
            return type_test or (lambda x: True)  # a leaf: the type test alone
        if type_test is None and not rest:
            # No type: the checks of one JSON type, and any value of another type passes.
            groups = [(name, group) for name, group in (("object", on_object), ("array", on_array),
                                                        ("string", on_string), ("number", on_number)) if group]
            if len(groups) == 1:
                name, passes = groups[0][0], _all_pass(groups[0][1])
                if name in _CLASSES:
                    cls = _CLASSES[name]
                    return lambda x: not isinstance(x, cls) or passes(x)
                is_type = _TYPES[name]
                return lambda x: not is_type(x) or passes(x)
        if type_test is None and not (on_object or on_array or on_string or on_number):
            return _all_pass(rest)  # e.g. an enum alone
        concrete = [n for n in names if n != "null"] if type_test is not None else []
        if len(concrete) == 1 and not rest:
            # One type (perhaps "or null", which has no checks of its own): its checks only.
            only = {"object": on_object, "array": on_array, "string": on_string, "number": on_number,
                    "integer": on_number}.get(concrete[0], ())
            of_type = _all_of_type(_TYPES[concrete[0]], only, _CLASSES.get(concrete[0]))
            if len(names) == 1:
                return of_type
            if len(names) == 2:
                return lambda x: x is None or of_type(x)
        # The checks of each JSON type by the value's exact class (the loader's dict, str, …);
        # anything else (a bool, None, a subclass) is sorted by isinstance.
        by_class = {dict: on_object, str: on_string, list: on_array, int: on_number, float: on_number}

        def check(x: Any) -> bool:
            if type_test is not None and not type_test(x):
                return False
            specific = by_class.get(x.__class__)
            if specific is None:
                specific = _checks_for(x, on_object, on_array, on_string, on_number)
            for c in specific:
                if not c(x):
                    return False
            for c in rest:
                if not c(x):
                    return False
            return True

        return check

    def object_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        properties = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        patterns = [(re.compile(p), self.compile(s)) for p, s in schema.get("patternProperties", {}).items()]
        required = list(schema.get("required", []))
        additional = schema.get("additionalProperties", True)
        extra = None if additional is True else self.compile(additional)
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None

        if not patterns and (properties or required or extra is not None or names is not None):
            # No patternProperties (goalbook's schemas): each value has one check, its property's
            # or additionalProperties' (issue 6: speed).
            def check_fields(x: Any) -> bool:
                for key in required:
                    if key not in x:
                        return False
                for key, value in x.items():
                    if names is not None and not names(key):
                        return False
                    check = properties.get(key, extra)
                    if check is not None and not check(value):
                        return False
                return True

            checks.append(check_fields)
        elif patterns:
            def check_object(x: Any) -> bool:
                for key in required:
                    if key not in x:
                        return False
                for key, value in x.items():
                    check = properties.get(key)
                    if check is not None and not check(value):
                        return False
                    matched = False
                    for regex, pattern_check in patterns:
                        if regex.search(key):
                            matched = True
                            if not pattern_check(value):
                                return False
                    if extra is not None and check is None and not matched and not extra(value):
                        return False
                    if names is not None and not names(key):
                        return False
                return True

            checks.append(check_object)
        return checks

    def array_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "items" in schema:
            if isinstance(schema["items"], list):
                raise Unsupported("tuple items")
            item = self.compile(schema["items"])
            def check_items(x: list[Any]) -> bool:
                for v in x:
                    if not item(v):
                        return False
                return True

            checks.append(check_items)
        if "minItems" in schema:
            low = schema["minItems"]
            checks.append(lambda x: len(x) >= low)
        if "maxItems" in schema:
            high = schema["maxItems"]
            checks.append(lambda x: len(x) <= high)
        if schema.get("uniqueItems") is True:
            checks.append(lambda x: all(not equal(x[i], x[j]) for i in range(len(x)) for j in range(i + 1, len(x))))
        return checks

    def string_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "pattern" in schema:
            regex = re.compile(schema["pattern"])
            checks.append(lambda x: regex.search(x) is not None)
        if "minLength" in schema:
            low = schema["minLength"]
            checks.append(lambda x: len(x) >= low)
        if "maxLength" in schema:
            high = schema["maxLength"]
            checks.append(lambda x: len(x) <= high)
        if "format" in schema:
            conforms = self.formats.get(schema["format"])
            if conforms is not None:  # formats the checker does not know are not checked
                checks.append(conforms)
        return checks

    def number_checks(self, schema: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        for keyword, compare in (
            ("minimum", lambda x, b: x >= b), ("maximum", lambda x, b: x <= b),
            ("exclusiveMinimum", lambda x, b: x > b), ("exclusiveMaximum", lambda x, b: x < b),
        ):
            if keyword in schema:
                bound = schema[keyword]
                if not _is_number(bound) or (isinstance(bound, float) and not math.isfinite(bound)):
                    raise Unsupported(f"{keyword} {bound!r}")
                checks.append(lambda x, b=bound, c=compare: c(x, b))
        return checks


# --- goalbook's own schemas ---------------------------------------------------------------------

_checkers: dict[str, Check | None] = {}


def checker(kind: str) -> Check | None:
    """The compiled check of goalbook's schema for ``kind`` (None: use jsonschema for it).

    Formats are checked by the very functions ``validate.py`` registers, so "is this a date"
    cannot disagree.
    """
    if kind not in _checkers:
        import json

        from goalbook import resources
        from goalbook.records.schema_formats import (
            FORMATS,  # what validate.py registers with jsonschema, without importing it
        )

        schema = json.loads(resources.schema_path(kind).read_text(encoding="utf-8"))
        formats = {name: (lambda x, check=check: bool(check(x))) for name, check in FORMATS.items()}
        _checkers[kind] = compile_schema(schema, formats)
    return _checkers[kind]


def is_valid(data: Any, kind: str) -> bool:
    """True only when ``data`` certainly passes the schema; False means "ask jsonschema"."""
    check = checker(kind)
    return check is not None and check(data)
