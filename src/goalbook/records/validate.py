"""JSON Schema validation with messages for a therapist: the only module that imports ``jsonschema``.

jsonschema's own messages are for programmers ("Additional properties are not allowed ('titel'
was unexpected)"). Each error is rewritten here by validator kind, points at the line of the
offending key or value (``yamlload.position``), and takes its hint from the schema's own
``description`` and ``examples``, so the editor hover and the message say the same thing.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from goalbook import resources
from goalbook.problems import Problem
from goalbook.records import yamlload
from goalbook.records.schema_formats import DATE as _DATE
from goalbook.records.schema_formats import FIRST_YEAR, FORMATS, LAST_YEAR, is_date

KINDS = ("practice", "client", "goals", "session", "instrument")
# What the top level of each file is called in messages ("missing required field 'name' in this file").
_FILE_NOUN = {
    "practice": "goalbook.yaml",
    "client": "this client file",
    "goals": "this goals file",
    "session": "this session file",
    "instrument": "this questionnaire definition",
}

_FORMATS = FormatChecker(formats=())
for _name, _check in FORMATS.items():  # schema_formats.py: the same functions fastschema.py calls
    _FORMATS.checks(_name)(_check)
_is_date = is_date


# Known patterns, explained in words (the pattern itself means nothing to a therapist).
_SLUG = "^[a-z0-9][a-z0-9-]*$"
_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
_TARGET = "^\\s*\\d+(\\.\\d+)?\\s*%\\s*(lower|higher)\\s*$"
# pattern → (what a mismatching value "is not", hint)
_PATTERN_WORDS = {
    _SLUG: (
        "is not a valid id",
        "use lowercase letters, digits and hyphens, starting with a letter or digit (e.g. `box-breathing`)",
    ),
    "^[a-z0-9][a-z0-9_-]*$": (
        "is not a valid id",
        "use lowercase letters, digits, hyphens and underscores",
    ),
    _TIME: (
        "is not a time",
        'write the time as HH:MM in 24-hour form, in quotes: "14:00"',
    ),
    _TARGET: (
        "is not a target",
        'write a number (e.g. 4), or a change from the baseline: "50% lower" or "20% higher"',
    ),
}
# What a field with such a pattern expects, in the words of "expected …, found …".
_PATTERN_EXPECTED = {_TIME: 'a time like "14:00"', _TARGET: 'text like "50% lower"'}


@cache
def _validator(kind: str) -> Draft7Validator:
    """Compiled once per kind: building a validator re-reads and re-checks the schema."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of file {kind!r}; expected one of {', '.join(KINDS)}")
    schema = json.loads(resources.schema_path(kind).read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=_FORMATS)


def validate(data: Any, kind: str, display: str, source: Path | bytes) -> list[Problem]:
    """Every schema problem in ``data`` (loaded from ``source``, shown as ``display``), in file order."""
    validator = _validator(kind)
    errors = list(validator.iter_errors(data))
    if not errors:
        return []
    explainer = _Explainer(kind, display, source)
    found: dict[Problem, None] = {}  # ordered set: one message per place, even if two rules fail
    for error in errors:
        for problem in explainer.explain(error):
            found.setdefault(problem)
    return sorted(found, key=lambda p: (p.line, p.column, p.code, p.message))


class _Explainer:
    def __init__(self, kind: str, display: str, source: Path | bytes) -> None:
        self.kind, self.display, self.source = kind, display, source
        self.required_done: set[tuple[Any, ...]] = set()

    # --- building problems ---------------------------------------------------------------------

    def at(
        self,
        path: Sequence[str | int],
        code: str,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
    ) -> Problem:
        line, column = yamlload.position(self.source, list(path), key=key)
        return Problem(self.display, line, column, "error", code, message, hint)

    def noun(self, error: ValidationError, path: Sequence[str | int]) -> str:
        """What the mapping at ``path`` is: "this goal", "this action step", "`alerts`", "this file"."""
        title = error.schema.get("title", "")
        if not path:
            return _FILE_NOUN.get(self.kind, "this file")
        if re.fullmatch(r"[a-z][a-z ]*", title):  # a plain noun ("goal"), not a description
            return f"this {title}"
        return self.field(path)

    # --- dispatch ------------------------------------------------------------------------------

    def explain(self, error: ValidationError) -> Iterable[Problem]:
        path = list(error.absolute_path)
        if "propertyNames" in error.schema_path:
            # The instance is a key; the path is its mapping's.
            key = error.instance
            words, hint = _pattern_words(error.schema.get("pattern", ""), key)
            if error.validator == "maxLength":
                words, hint = "is too long for an id", f"at most {error.validator_value} characters"
            return [self.at([*path, key], "bad-value", f"{_show(key)} {words}", hint, key=True)]
        method = getattr(self, f"on_{error.validator}", None)
        problems = [self.fallback(error, path)] if method is None else method(error, path)
        misplaced = self.misplaced(path)
        if misplaced:
            problems = [replace(p, hint=misplaced + (f"\n{p.hint}" if p.hint else "")) for p in problems]
        return problems

    def misplaced(self, path: Sequence[str | int]) -> str:
        """A hint when the key at ``path`` is really a field of the file, indented into the block above.

        `  notes: …` under `homework:` reads as homework for a step called "notes"; the message
        about its value alone would not show that two spaces are the mistake.
        """
        if len(path) != 2 or not isinstance(path[0], str) or not isinstance(path[1], str):
            return ""
        top = _validator(self.kind).schema.get("properties", {})
        if path[1] not in top or path[1] == path[0] or path[1] in top.get(path[0], {}).get("properties", {}):
            return ""
        return (f"`{path[1]}:` is indented, so it is read as part of `{path[0]}`; if it is the file's own "
                f"`{path[1]}`, remove the spaces before it")

    def fallback(self, error: ValidationError, path: list[Any]) -> Problem:
        return self.at(
            path,
            "bad-value",
            f"{self.field(path)} does not fit the rules for this field",
            _describe(error.schema),
        )

    def field(self, path: Sequence[str | int]) -> str:
        if not path:
            return "this file"
        last = path[-1]
        return f"`{last}`" if isinstance(last, str) else f"item {last + 1} of `{_last_key(path)}`"

    # --- one method per JSON Schema keyword ----------------------------------------------------

    def on_additionalProperties(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        allowed = sorted(error.schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in allowed]
        problems = []
        for key in unknown:
            close = _close_field(key, allowed)
            if close:
                message = f"unknown field '{key}' — did you mean '{close}'?"
                hint = f"rename it to `{close}`"
            else:
                message = f"unknown field '{key}' in {self.noun(error, path)}"
                hint = "the fields here are: " + ", ".join(allowed)
            problems.append(self.at([*path, key], "unknown-field", message, hint, key=True))
        return problems

    def on_required(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        # jsonschema raises one error per missing field; report them all from the first.
        if tuple(path) in self.required_done:
            return []
        self.required_done.add(tuple(path))
        problems = []
        # A misspelt field (`titel:`) is reported once, as "did you mean 'title'?": saying that
        # `title` is missing too would be two messages for one slip.
        misspelt = _misspelt_fields(error.instance, error.schema)
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance and name not in misspelt:
                sub = error.schema.get("properties", {}).get(name, {})
                problems.append(
                    self.at(
                        path,
                        "missing-field",
                        f"missing required field '{name}' in {self.noun(error, path)}",
                        _describe(sub, name),
                    )
                )
        return problems

    def on_enum(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return [
            self.bad_choice(
                error.instance,
                [v for v in error.validator_value if v is not None],
                error.schema,
                path,
            )
        ]

    def bad_choice(
        self,
        value: Any,
        choices: list[Any],
        schema: dict[str, Any],
        path: list[Any],
        extra: str = "",
    ) -> Problem:
        noun = schema.get("title") or (str(path[-1]).replace("_", " ") if path else "value")
        article = "an" if noun[:1] in "aeiou" else "a"
        options = ", ".join(map(str, choices)) + extra
        if value is None:
            return self.at(path, "bad-value", f"{self.field(path)} is empty; use one of: {options}")
        if isinstance(value, (list, dict)):
            return self.at(
                path, "wrong-type", f"expected one of: {options}; found {_found(value)}",
                f"write one word after the colon, e.g. `{_last_name(path) or 'value'}: {choices[0]}`",
            )
        message = f"{_show(value)} is not {article} {noun}; use one of: {options}"
        return self.at(path, "bad-value", message, _suggest_choice(value, choices))

    def on_const(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return [
            self.at(
                path,
                "bad-value",
                f"{self.field(path)} must be {_show(error.validator_value)}, "
                f"found {_show(error.instance)}",
            )
        ]

    def on_format(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        if error.validator_value == "date":
            value = error.instance
            if _DATE.match(value) and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
                message = f"`{value}` is not a plausible date: the year {value[:4]} is out of range"
                hint = f"check the year; goalbook accepts {FIRST_YEAR} to {LAST_YEAR}"
                if value[:4] == "9999":
                    hint += " (leave the field empty if there is no date yet)"
                return [self.at(path, "bad-date", message, hint)]
            real = "" if _DATE.match(value) else " (write YYYY-MM-DD)"
            message = f"`{value}` is not a date{real}"
            from goalbook.records.today import why_not_a_date

            why = why_not_a_date(value) if not real else ""
            hint = (
                (f"there is no such day: {why}" if why else "there is no such day in the calendar; check the day and month")
                if not real
                else "write dates as year-month-day with leading zeros, e.g. 2025-03-04"
            )
            return [self.at(path, "bad-date", message, hint)]
        return [self.fallback(error, path)]

    def on_pattern(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        if error.schema.get("format") == "date":
            return []  # the format check says it better
        words, hint = _pattern_words(error.validator_value, error.instance)
        return [
            self.at(
                path,
                "bad-value",
                f"{_show(error.instance)} {words}",
                hint or _describe(error.schema),
            )
        ]

    def on_type(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        expected = _expected(error.schema)
        if error.instance is None:
            wanted = "" if expected == "text" else f"; expected {expected}"
            return [
                self.at(
                    path,
                    "wrong-type",
                    f"{self.field(path)} is empty{wanted}",
                    _describe(error.schema, _last_name(path)),
                )
            ]
        if not path:
            return [
                self.at(
                    path,
                    "wrong-type",
                    f"{_FILE_NOUN.get(self.kind, 'this file')} should be a set of `field: value` lines, "
                    f"found {_found(error.instance)}",
                    "see docs/format.md for the fields of this file",
                )
            ]
        hint = _describe(error.schema, _last_name(path))
        if expected == "text" and isinstance(error.instance, dict):
            # `- To stand up: in meetings` or `label: Anxiety: before`: a colon and a space inside
            # text make YAML read a field. Quoting the whole text keeps it as written.
            hint = (
                "text that contains a colon and a space (': ') must be in quotes, or YAML reads it as a "
                'field: write e.g. "Plan: call GP"' + (f"\n{hint}" if hint else "")
            )
        return [self.at(path, "wrong-type", f"expected {expected}, found {_found(error.instance)}", hint)]

    def on_minimum(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return self.bound(error, path, "at least")

    def on_maximum(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return self.bound(error, path, "at most")

    def on_exclusiveMinimum(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return self.bound(error, path, "more than")

    def on_exclusiveMaximum(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return self.bound(error, path, "less than")

    def bound(self, error: ValidationError, path: list[Any], words: str) -> list[Problem]:
        return [
            self.at(
                path,
                "bad-value",
                f"{self.field(path)} must be {words} {error.validator_value}, found {_show(error.instance)}",
                _describe(error.schema),
            )
        ]

    def on_minItems(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        n = error.validator_value
        entries = "one entry" if n == 1 else f"{n} entries"
        return [
            self.at(
                path,
                "bad-value",
                f"{self.field(path)} needs at least {entries}",
                _describe(error.schema, _last_name(path)),
            )
        ]

    def on_maxItems(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return [
            self.at(
                path,
                "bad-value",
                f"{self.field(path)} has more than {error.validator_value} entries",
                _describe(error.schema),
            )
        ]

    def on_uniqueItems(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return [
            self.at(
                path,
                "bad-value",
                f"{self.field(path)} lists the same entry twice",
                "remove the repeated entry",
            )
        ]

    def on_minLength(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        if error.validator_value == 1:
            return [
                self.at(
                    path,
                    "bad-value",
                    f"{self.field(path)} is empty",
                    _describe(error.schema, _last_name(path)),
                )
            ]
        return [
            self.at(
                path,
                "bad-value",
                f"{self.field(path)} is too short (at least {error.validator_value} characters)",
            )
        ]

    def on_maxLength(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        what = "an id" if error.schema.get("pattern") == _SLUG else "this field"
        return [
            self.at(
                path,
                "bad-value",
                f"{_show(error.instance)} is too long for {what}: "
                f"at most {error.validator_value} characters",
            )
        ]

    def on_oneOf(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return self.alternatives(error, path)

    def on_anyOf(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        return self.alternatives(error, path)

    def alternatives(self, error: ValidationError, path: list[Any]) -> list[Problem]:
        """Explain the one branch the writer evidently meant, never all of them."""
        branches: list[dict[str, Any]] = error.validator_value
        value = error.instance
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in error.context or ():
            by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)

        # 1. A discriminator (`type: rating`): the branch whose `type` is that constant.
        tags = {
            b.get("properties", {}).get("type", {}).get("const"): i for i, b in enumerate(branches)
        }
        tags.pop(None, None)
        if tags and not isinstance(value, dict):
            example = next(iter(error.schema.get("examples", [])), None)
            return [
                self.at(
                    path,
                    "wrong-type",
                    f"expected a block of fields starting with `type:` ({', '.join(tags)}), "
                    f"found {_found(value)}",
                    f"e.g. `{_last_name(path) or 'value'}: {_flow(example)}`" if example else "",
                )
            ]
        if tags:
            misspelt = {k for k in value if k != "type" and _close_field(k, ["type"])}
            if "type" not in value and misspelt:
                key = min(misspelt)
                return [
                    self.at(
                        [*path, key],
                        "unknown-field",
                        f"unknown field '{key}' — did you mean 'type'?",
                        "rename it to `type`",
                        key=True,
                    )
                ]
            if "type" not in value:
                return [
                    self.at(
                        path,
                        "missing-field",
                        f"missing required field 'type' in {self.field(path)}",
                        "use one of: " + ", ".join(tags),
                    )
                ]
            if value["type"] not in tags:
                return [
                    self.bad_choice(
                        value["type"],
                        list(tags),
                        {"title": f"{_last_name(path) or 'value'} type"},
                        [*path, "type"],
                    )
                ]
            return self.explain_all(by_branch.get(tags[value["type"]], []))

        # 2. The branch whose JSON type fits the value (number vs text vs list vs mapping).
        fitting = [i for i, b in enumerate(branches) if _fits_type(b, value)]
        enum_branch = next((b for b in branches if "enum" in b), None)
        if enum_branch is not None and isinstance(value, str):
            # e.g. a category: one of the standard names, or a practice's own id.
            return [
                self.bad_choice(
                    value,
                    [v for v in enum_branch["enum"] if v is not None],
                    error.schema,
                    path,
                    extra=", or an id defined in goalbook.yaml" if len(fitting) > 1 else "",
                )
            ]
        if not fitting:
            expected = " or ".join(
                b.get("title") or _expected(b) for b in branches if b.get("type") != "null"
            )
            return [
                self.at(
                    path,
                    "wrong-type",
                    f"expected {expected}, found {_found(value)}",
                    _describe(error.schema, _last_name(path)),
                )
            ]
        if len(fitting) == 1 or not by_branch:
            return self.explain_all(by_branch.get(fitting[0], [])) or [self.fallback(error, path)]
        # 3. Several fit (e.g. alternatives of required fields): the branch with the fewest errors.
        best = min(fitting, key=lambda i: len(by_branch.get(i, [])))
        if all(set(b) <= {"required"} for b in branches):
            names = [n for b in branches for n in b["required"]]
            return [
                self.at(
                    path,
                    "missing-field",
                    f"{self.field(path)} needs one of: {', '.join(names)}",
                    _describe(error.schema),
                )
            ]
        return self.explain_all(by_branch.get(best, [])) or [self.fallback(error, path)]

    def explain_all(self, errors: Iterable[ValidationError]) -> list[Problem]:
        return [p for e in errors for p in self.explain(e)]


# --- Words for values and types -----------------------------------------------------------------

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list (lines starting with `- `)",
    "object": "a block of `field: value` lines",
    "null": "nothing",
}


def _expected(schema: dict[str, Any]) -> str:
    if schema.get("format") == "date":
        return "a date (YYYY-MM-DD)"
    if schema.get("pattern") in _PATTERN_EXPECTED:
        return _PATTERN_EXPECTED[schema["pattern"]]
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    if "number" in types and "integer" in types:
        types.remove("integer")
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types) or "another kind of value"


def _found(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{'true' if value else 'false'}` (yes/no)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"text {_show(value)}"
    if isinstance(value, list):
        return "a list"
    return "a block of fields"


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > 40:
        text = text[:37] + "…"
    return f"'{text}'" if isinstance(value, str) else text


def _pattern_words(pattern: str, value: Any) -> tuple[str, str]:
    words, hint = _PATTERN_WORDS.get(pattern, ("does not have the expected form", ""))
    if pattern == _SLUG and isinstance(value, str):
        suggestion = suggest_slug(value)
        if suggestion:
            hint = f"use lowercase letters, digits and hyphens: `{suggestion}`"
    if pattern == _TARGET and isinstance(value, str):
        suggestion = suggest_target(value)
        if suggestion:
            hint = f'did you mean "{suggestion}"? A change from the baseline is written "N% lower" or "N% higher"'
    return words, hint


# Everyday words for a relative target, and the one of the two the format knows that each means.
_TARGET_WORDS = {
    "higher": "higher", "more": "higher", "greater": "higher", "bigger": "higher", "up": "higher",
    "above": "higher", "increase": "higher", "increased": "higher", "over": "higher", "plus": "higher",
    "lower": "lower", "less": "lower", "fewer": "lower", "smaller": "lower", "down": "lower",
    "below": "lower", "decrease": "lower", "decreased": "lower", "reduced": "lower", "under": "lower",
    "minus": "lower",
}
_TARGET_LIKE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:%|percent|per\s*cent)\s*([A-Za-z]+)\s*$", re.IGNORECASE)


def suggest_target(text: str) -> str:
    """ "50% more" → "50% higher", "30 percent less" → "30% lower"; "" when it is not such a change."""
    m = _TARGET_LIKE.match(text)
    word = _TARGET_WORDS.get(m.group(2).lower()) if m else None
    if m is None or word is None:
        return ""
    return f"{m.group(1).replace(',', '.')}% {word}"


def suggest_slug(text: str) -> str:
    """An id made from ``text``: "Zoë Ø." → "zoe-o" ("" when nothing usable is left, e.g. only emoji)."""
    # Decompose accents (é → e + ´) and keep the base letters; ø, ł and ß have no decomposition.
    text = text.translate(_NO_DECOMPOSITION)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


_NO_DECOMPOSITION = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE",
                                   "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "þ": "th", "ı": "i"})


def _flow(value: Any) -> str:
    """A value written as one line of YAML: {type: rating, label: Mood}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _fits_type(schema: dict[str, Any], value: Any) -> bool:
    types = schema.get("type")
    if types is None:
        return "enum" not in schema or value in schema["enum"]
    types = [types] if isinstance(types, str) else types
    actual = {
        type(None): "null",
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), "")
    return actual in types or (actual == "integer" and "number" in types)


def _describe(schema: dict[str, Any], name: str = "") -> str:
    """A hint from the schema itself: its description, and an example written as YAML."""
    parts = []
    if schema.get("description"):
        parts.append(str(schema["description"]))
    examples = schema.get("examples")
    if name and examples and not isinstance(examples[0], (dict, list)):
        parts.append(f"e.g. `{name}: {_yaml_scalar(examples[0])}`")
    return "\n".join(parts)


def _yaml_scalar(value: Any) -> str:
    """``value`` as it must be written in YAML to read back the same: "1.0" needs quotes, 14:00 not."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if not isinstance(value, str):
        return text
    data, problems = yamlload.load_yaml_bytes(f"x: {text}\n".encode(), "")
    if problems or not isinstance(data, dict) or data.get("x") != value:
        return json.dumps(value, ensure_ascii=False)
    return text


def _suggest_choice(value: Any, choices: Sequence[Any]) -> str:
    """ "did you mean 'active'?" for a misspelt, wrongly cased or reversed (`=>`) choice, or ""."""
    names = [str(c) for c in choices]
    text = str(value)
    exact = [c for c in names if c.lower() == text.lower().strip()] or [c for c in names if c == text[::-1]]
    close = exact or difflib.get_close_matches(text.lower(), names, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _close_field(key: Any, allowed: Sequence[str]) -> str | None:
    """The allowed field name ``key`` is most likely a misspelling of, if any."""
    close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    return close[0] if close else None


def _misspelt_fields(instance: Any, schema: dict[str, Any]) -> set[str]:
    """Field names of ``schema`` that an unknown key of ``instance`` misspells (what `did you mean` names)."""
    if not isinstance(instance, dict) or schema.get("additionalProperties") is not False:
        return set()
    allowed = sorted(schema.get("properties", {}))
    return {m for k in instance if k not in allowed and (m := _close_field(k, allowed)) is not None}


def _last_key(path: Sequence[str | int]) -> str:
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "the list")


def _last_name(path: Sequence[str | int]) -> str:
    return str(path[-1]) if path and isinstance(path[-1], str) else ""
