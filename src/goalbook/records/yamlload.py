"""Strict YAML loading: the only module in goalbook that imports ``yaml``.

PyYAML implements YAML 1.1, where ``no`` is false, ``14:30`` is 870, ``01234`` is 668 and a
repeated key silently replaces the first. A therapist's record must read back exactly as written,
so (docs/format.md, "YAML rules"):

* only ``true``/``false`` are booleans, ``~``/``null``/empty are null, decimal integers without a
  leading zero are ints and ``-?[0-9]+.[0-9]+`` are floats; everything else stays a string.
  ``1.10`` is the number 1.1 (a float, as every YAML 1.2 editor reads it); quote it to keep text.
* mapping keys are always the text as written (``2024: x`` gives the key ``"2024"``): JSON Schema
  and our ids only know text keys.
* duplicate keys, unquoted YAML 1.1 boolean words, aliases of lists/mappings, nesting deeper than
  40, files over 2 MB, binary or non-UTF-8 files are reported as ``Problem`` values.

The fast path is one C-parser compose (with tag resolution left to the builder) plus a small
recursive builder; line/column lookups (``position``) compose the file again, only for files that
have problems (and goals.yaml, whose tree from the load is still at hand).
"""

from __future__ import annotations

import errno
import json
import operator
import os
import re
import stat as stat_mod
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from goalbook.problems import Problem, Severity
from goalbook.records.yaml_messages import (
    char_at,
    explain,
    source_lines,
    stray_colon,
    unclosed_quote_before,
)

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40
MAX_NUMBER = 10**15  # larger numbers are refused (see _Builder.number)
_TOO_DEEP = (
    f"the data is nested more than {MAX_DEPTH} levels deep",
    "goalbook files are only a few levels deep; check the brackets and indentation",
)

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"

# YAML 1.1 reads these plain words as booleans; YAML 1.2 tools (editors) read them as text.
AMBIGUOUS_WORDS = frozenset(
    [
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "True",
        "TRUE",
        "False",
        "FALSE",
    ]
)


# The only implicit types, by the first character of a plain value (as PyYAML's resolver keys
# them): true/false, null (`~`, `null`, empty), decimal ints, plain floats. Everything else is text.
_IMPLICIT_RULES = (
    (BOOL_TAG, r"^(?:true|false)$", "tf"),
    (NULL_TAG, r"^(?:~|null|)$", ["~", "n", ""]),
    # A leading + is a number too (YAML 1.2): a GAS level is written +1 in goalbook's own
    # templates, README and `score gas`.
    (INT_TAG, r"^[-+]?(?:0|[1-9][0-9]*)$", "+-0123456789"),
    (FLOAT_TAG, r"^[-+]?[0-9]+\.[0-9]+$", "+-0123456789"),
)


def _by_first_character() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, regex, firsts in _IMPLICIT_RULES:
        for first in firsts:
            table.setdefault(first, []).append((tag, re.compile(regex)))
    return table


_IMPLICIT = _by_first_character()


def _resolve_plain(value: str) -> str:
    """The tag of a plain value written without a tag (PyYAML's resolver, with our rules)."""
    for tag, regex in _IMPLICIT.get(value[:1], ()):
        if regex.match(value):
            return tag
    return STR_TAG


def _tag_of(tag: str | tuple[bool, bool], value: str) -> str:
    """A scalar's tag: as written, or resolved from the composer's implicit flags."""
    if tag.__class__ is str:
        return tag  # type: ignore[return-value]
    return _resolve_plain(value) if tag[0] else STR_TAG  # quoted, or tagged `!`: text


# The values of short plain scalars that load without a problem, remembered by their text:
# the same few hundred words and numbers (keys, dates, answers) recur in every file. A value
# depends only on its text; bounded, so a practice of long unique words cannot grow it forever.
_plain_values: dict[str, Any] = {}
_UNSEEN = object()


def _remember_plain(text: str, value: Any) -> None:
    if len(text) <= 40:
        if len(_plain_values) > 50_000:
            _plain_values.clear()
        _plain_values[text] = value


def _unresolved(kind: Any, value: Any, implicit: Any) -> Any:
    """The loader's ``resolve``, called by the composer for each node written without a tag: it
    only hands over the implicit flags (for scalars: plain and untagged, quoted; for collections
    one bool), which ``_tag_of`` and ``_Builder`` resolve. An explicit tag stays the string it is."""
    return implicit


def _loader_class(base: type) -> type:
    """A safe loader that leaves tags to ``_Builder``: true/false, null, decimal ints, plain floats.

    The composer calls back into Python for every node to resolve its tag and to track its path;
    here those callbacks do nothing but hand over the implicit flags, and the builder, which looks
    at every node anyway, resolves the tag (and remembers the values of plain scalars)."""
    # A fresh dict for the class: the YAML 1.1 rules (timestamps, sexagesimals, yes/no) of the
    # parent's table are never consulted, and must not be by a stray caller either.
    return type("StrictLoader", (base,), {
        "yaml_implicit_resolvers": {},
        "resolve": staticmethod(_unresolved),
        # No path resolvers, so nothing to track: the composer calls these twice per node, and C
        # builtins that take the same arguments and do nothing cost less than a Python no-op.
        "descend_resolver": staticmethod(operator.is_),  # (parent, index), result ignored
        "ascend_resolver": staticmethod(type(None)),  # (), returns None
    })


# The C parser when PyYAML was built with libyaml (much faster), else the pure-Python one. The
# C parser composes by itself: none of CSafeLoader's constructor or resolver is used, so the
# loader is made from the parser alone (each file's loader is then made without Python calls).
StrictLoader = _loader_class(yaml._yaml.CParser if yaml.__with_libyaml__ else yaml.SafeLoader)


class _Refused(Exception):
    """Stops building at the first problem that makes the whole file unusable."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class _Builder:
    """Turns a composed node tree into plain dicts/lists/scalars, collecting problems.

    Written by hand instead of PyYAML's constructor machinery: it is faster, and it
    is where we see each node exactly once (duplicate keys, ambiguous words, alias detection).
    """

    def __init__(self, display: str, data: bytes) -> None:
        self.display = display
        self.problems: list[Problem] = []
        # Ids of collection nodes already built (aliases share nodes). An alias needs an anchor
        # (`&name`): in a file without `&` no node is met twice, and none needs remembering.
        self.built: set[int] | None = set() if b"&" in data else None
        self.hash_lines = _hash_lines(data)  # 0-based line → text, for lines where `#` may hide text

    def problem(
        self, node_or_mark: Any, code: str, message: str, hint: str = "", severity: Severity = "error"
    ) -> Problem:
        mark = getattr(node_or_mark, "start_mark", node_or_mark)
        return Problem(self.display, mark.line + 1, mark.column + 1, severity, code, message, hint)

    def build(self, node: Node, depth: int, where: str | int | None) -> Any:
        """``where`` is the key or list index the node sits under (named only in messages)."""
        if node.__class__ is ScalarNode:
            return self.scalar(node)
        if depth > MAX_DEPTH:
            raise _Refused(self.problem(node, "too-deep", *_TOO_DEEP))
        if self.built is not None:
            if id(node) in self.built:
                raise _Refused(self.alias(node, where))
            self.built.add(id(node))
        tag = node.tag
        if tag.__class__ is not str:  # written without a tag (see _loader_class)
            tag = SEQ_TAG if isinstance(node, SequenceNode) else MAP_TAG
        if tag not in (MAP_TAG, SEQ_TAG):
            raise _Refused(self.unknown_tag(tag, node))
        if isinstance(node, SequenceNode):
            return self.sequence(node, depth)
        return self.mapping(node, depth)

    # Both collection builders take the value of the commonest scalars inline, by the rules of
    # ``scalar``: an untagged scalar that is not plain (quoted, `|`, `>`) is its text, and an
    # untagged plain one already remembered is its remembered value, unless a `#` on its line may
    # have hidden part of it. Every other node goes through ``scalar`` or ``build``.

    def sequence(self, node: SequenceNode, depth: int) -> list[Any]:
        result: list[Any] = []
        append = result.append
        remembered = _plain_values if not self.hash_lines else {}
        for index, item in enumerate(node.value):
            if item.__class__ is ScalarNode:
                tag = item.tag
                if tag.__class__ is tuple:
                    if item.style:
                        append(item.value)
                        continue
                    if tag[0]:
                        found = remembered.get(item.value, _UNSEEN)
                        if found is not _UNSEEN:
                            append(found)
                            continue
                append(self.scalar(item))
            else:
                append(self.build(item, depth + 1, index))
        return result

    def mapping(self, node: MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        remembered = _plain_values if not self.hash_lines else {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                raise _Refused(
                    self.problem(
                        key_node,
                        "syntax",
                        "a list or mapping is used as a field name",
                        "field names are plain words, e.g. `status: active`",
                    )
                )
            key = key_node.value
            if key in result:
                self.problems.append(self.duplicate_key(node, key_node))
                # Keep the first value: building the second still reports problems inside it.
                self.build(value_node, depth + 1, key)
                continue
            if value_node.__class__ is ScalarNode:
                tag = value_node.tag
                if tag.__class__ is tuple:
                    if value_node.style:
                        result[key] = value_node.value
                        continue
                    if tag[0]:
                        found = remembered.get(value_node.value, _UNSEEN)
                        if found is not _UNSEEN:
                            result[key] = found
                            continue
                result[key] = self.scalar(value_node)
            else:
                result[key] = self.build(value_node, depth + 1, key)
        return result

    def alias(self, node: Node, where: str | int | None) -> Problem:
        kind = "list" if isinstance(node, SequenceNode) else "mapping"
        if isinstance(where, int):
            where = f"item {where + 1} of a list"
        else:
            where = f"the value of `{where}`" if where is not None else "this value"
        return self.problem(
            node,
            "alias",
            f"{where} repeats the {kind} starting here through an alias (*name); "
            "goalbook does not accept aliases of lists or mappings",
            "write the entries out in full (aliases of single values are fine)",
        )

    def duplicate_key(self, node: MappingNode, key_node: ScalarNode) -> Problem:
        key = key_node.value
        first_line = next(k.start_mark.line + 1 for k, _ in node.value if k.value == key)
        return self.problem(
            key_node,
            "duplicate-key",
            f"`{key}` appears twice (lines {first_line} and {key_node.start_mark.line + 1}); "
            "the second would silently replace the first",
            f"keep one `{key}:` line in this block (merge the two, or rename one)",
        )

    def scalar(self, node: ScalarNode) -> Any:
        value, tag = node.value, node.tag
        if self.hash_lines and not node.style and node.end_mark.line in self.hash_lines:
            self.hidden_by_comment(node, _tag_of(tag, value))
        if tag.__class__ is str or not tag[0]:  # tagged, or quoted (see _loader_class)
            return self.typed(node, _tag_of(tag, value))
        # Plain and untagged, most values: the same words and numbers recur in every file.
        found = _plain_values.get(value, _UNSEEN)
        if found is _UNSEEN:
            count = len(self.problems)
            found = self.typed(node, _resolve_plain(value))
            if len(self.problems) == count:  # a value that is reported (`yes`) is looked at each time
                _remember_plain(value, found)
        return found

    def typed(self, node: ScalarNode, tag: str) -> Any:
        """The value of a scalar with its resolved ``tag``."""
        value = node.value
        if tag == STR_TAG:
            # Plain style is None in the pure-Python composer but "" in the C one.
            if not node.style and value in AMBIGUOUS_WORDS:
                self.problems.append(self.ambiguous(node))
            return value
        try:
            if tag == INT_TAG:
                return self.number(node, int(value))
            if tag == FLOAT_TAG:
                return self.number(node, float(value))
        except ValueError:  # only reachable through an explicit tag such as `!!int ten`
            raise _Refused(
                self.problem(
                    node,
                    "bad-value",
                    f"`{value}` is marked as a number but is not one",
                    "remove the `!!int`/`!!float` tag",
                )
            ) from None
        if tag == BOOL_TAG and value in ("true", "false"):
            return value == "true"
        if tag == NULL_TAG and value in ("", "~", "null"):
            return None
        raise _Refused(self.unknown_tag(tag, node))

    def number(self, node: ScalarNode, value: float) -> float:
        # No score, count or rating comes near 10^15; such a number is a slip of the keyboard, and
        # past it floats lose whole numbers (a 400-digit one even becomes infinity) and charts break.
        if abs(value) < MAX_NUMBER:  # False for inf and nan too
            return value
        digits = node.value.lstrip("-+").split(".")[0]
        shown = node.value if len(node.value) <= 20 else f"{node.value[:8]}…{node.value[-4:]}"
        raise _Refused(
            self.problem(
                node,
                "bad-value",
                f"the number {shown} ({len(digits)} digits) is far too large for a goalbook file",
                "check for extra digits or a pasted value; scores, ratings and counts are small numbers",
            )
        )

    def hidden_by_comment(self, node: ScalarNode, tag: str) -> None:
        """Warn when ` #2` right after a plain text (or an empty value) turns the rest into a comment.

        `notes: Called GP #2` keeps only "Called GP", and `achievable: #1 priority` is empty: YAML
        reads ` #` as the start of a comment. A comment written as `# note` (with a space) is taken
        as meant; `#` directly followed by text most likely belongs to the text.
        """
        if tag not in (STR_TAG, NULL_TAG) or (tag == NULL_TAG and node.value):
            return
        line = self.hash_lines[node.end_mark.line]
        found = _HIDDEN.match(line, node.end_mark.column)
        if found is None:
            return
        hidden = found.group(1).rstrip()
        mark = yaml.Mark("", 0, node.end_mark.line, found.start(1) - 1, None, None)
        whole = (node.value + " " if node.value else "") + "#" + hidden
        if node.value:
            message = f"`#{_short(hidden)}` is read as a comment, so it is left out of the text"
        else:
            message = f"`#{_short(hidden)}` is read as a comment, so this value is empty"
        self.problems.append(
            self.problem(
                mark,
                "comment-in-text",
                message,
                f"to keep it, put the whole text in quotes: {json.dumps(whole, ensure_ascii=False)}; "
                "for a comment, write a space after `#`",
                severity="warning",
            )
        )

    def ambiguous(self, node: ScalarNode) -> Problem:
        word = node.value
        meaning = "true" if word.lower() in ("y", "yes", "on", "true") else "false"
        return self.problem(
            node,
            "ambiguous-value",
            f"`{word}` without quotes is ambiguous: many YAML tools read it as {meaning}, not as the word",
            f'write "{word}" (in quotes) to keep the word, or {meaning} for a yes/no value',
        )

    def unknown_tag(self, tag: str, node: Node) -> Problem:
        return self.problem(
            node,
            "syntax",
            f"the type tag `{tag.replace('tag:yaml.org,2002:', '!!')}` is not supported in goalbook files",
            "remove the tag (the word starting with `!`); write plain values",
        )


# ` #x` after a value starts a comment. Lines holding ` #` directly followed by text are looked at
# more closely (``_Builder.hidden_by_comment``); most files have none, so this costs one search.
_HASH_TEXT = re.compile(rb"[ \t]#[^\s#]")
_HIDDEN = re.compile(r"[ \t]+#([^\s#].*)$")


def _hash_lines(data: bytes) -> dict[int, str]:
    if not _hash_after_blank(data) or _HASH_TEXT.search(data) is None:
        return {}
    return {n: line for n, line in enumerate(source_lines(data)) if _HIDDEN.search(line)}


def _hash_after_blank(data: bytes) -> bool:
    """Whether a `#` follows a space or tab anywhere: most files have none (a comment, if any, is a
    line of its own), and hopping from `#` to `#` finds that out cheaper than a search for either
    pair of bytes, let alone the regex."""
    at = data.find(b"#")
    while at != -1:
        if at and data[at - 1] in b" \t":
            return True
        at = data.find(b"#", at + 1)
    return False


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:27] + "…"


# --- Reading and guarding the raw bytes --------------------------------------------------------

# Leading run of indentation and block indicators ("  - - ? : ") on a line: it bounds how deep
# block collections can nest on that line (each level needs a column or an indicator).
_PREFIX = re.compile(rb"^[ \t\-?:]*", re.MULTILINE)
# Up to this bound the Cython composer (recursive) is safe; past it we scan events (iterative).
_SAFE_BOUND = 200


# _depth_bound is surely within _SAFE_BOUND with at most this many flow brackets and no line
# prefix longer than _SHORT_PREFIX (100 + 2 × 48 + 4 = 200).
_FEW_BRACKETS = 100
_SHORT_PREFIX = (_SAFE_BOUND - 4 - _FEW_BRACKETS) // 2
_LONG_FIRST_PREFIX = re.compile(rb"[ \t\-?:]{%d}" % (_SHORT_PREFIX + 1))
_LONG_PREFIX = re.compile(rb"\n[ \t\-?:]{%d}" % (_SHORT_PREFIX + 1))  # a literal "\n" first: fast


def _surely_shallow(data: bytes) -> bool:
    """True only when ``_depth_bound(data) <= _SAFE_BOUND``, without measuring every line's prefix
    (that would cost more than the rest of the guard)."""
    return (
        data.count(b"[") + data.count(b"{") <= _FEW_BRACKETS
        and _LONG_FIRST_PREFIX.match(data) is None
        and _LONG_PREFIX.search(data) is None
    )


def _depth_bound(data: bytes) -> int:
    """A cheap upper bound on nesting depth: flow brackets plus twice the longest line prefix."""
    flow = data.count(b"[") + data.count(b"{")
    if flow > _SAFE_BOUND:
        return flow
    prefix = max(map(len, _PREFIX.findall(data)), default=0)
    return flow + 2 * prefix + 4


def _deeper_than(loader: Any, limit: int) -> Any | None:
    """Scan events (iteratively, no recursion) and return the first one deeper than ``limit``."""
    depth = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limit:
                return event
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _too_deep_event(data: bytes) -> Any | None:
    """The first event nested deeper than MAX_DEPTH, looked for only where the recursive composer
    could run out of stack (most files are far too shallow to need the scan)."""
    if _surely_shallow(data) or _depth_bound(data) <= _SAFE_BOUND:
        return None
    return _deeper_than(StrictLoader(data), MAX_DEPTH)


def _compose_node(data: bytes) -> Node | None:
    return _composed(data, StrictLoader)


# The last tree is kept: a position is often asked right after the load (a goal's line is part of
# the model), and composing the file again costs as much as loading it. One, not more:
# freeing each tree while it is still in the processor's cache is measurably cheaper.
@lru_cache(maxsize=1)
def _composed(data: bytes, loader_class: type) -> Node | None:
    loader = loader_class(data)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _whole_file(display: str, code: str, message: str, hint: str = "") -> Problem:
    return Problem(display, 0, 0, "error", code, message, hint)


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _too_large(display: str, size: int) -> Problem:
    return _whole_file(
        display,
        "too-large",
        f"this file is {size / 1024 / 1024:.1f} MB; goalbook reads files up to 2 MB",
        "a goalbook file is normally a few kilobytes; check that this is the right file",
    )


def _check_bytes(data: bytes, display: str) -> Problem | None:
    """Size, binary and encoding checks, before any parsing."""
    if len(data) > MAX_BYTES:
        return _too_large(display, len(data))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _whole_file(
            display,
            "encoding",
            "this file is saved as UTF-16; goalbook reads UTF-8 only",
            "save the file with the encoding UTF-8 (in VS Code: click the encoding in the status bar)",
        )
    if b"\x00" in data:
        return _whole_file(
            display,
            "binary",
            "this looks like a binary file, not YAML",
            "goalbook files are plain text; check that this is the right file",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _byte_position(data, err.start)
        return Problem(
            display,
            line,
            column,
            "error",
            "encoding",
            f"this file is not valid UTF-8 text (byte 0x{data[err.start]:02x} here)",
            "save the file with the encoding UTF-8 (in VS Code: click the encoding in the status bar)",
        )
    return None


# --- Syntax errors in plain words (the wording is in yaml_messages.py) ----------------------


def _syntax_problem(err: yaml.YAMLError, data: bytes, display: str) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if isinstance(err, yaml.reader.ReaderError):  # a control character libyaml refuses
        line, column = _byte_position(data, min(err.position, len(data)))
        return Problem(
            display,
            line,
            column,
            "error",
            "syntax",
            "the file contains an invisible control character that YAML does not allow",
            "delete it (it often comes with text pasted from another program)",
        )
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = getattr(err, "problem", "") or ""
    context = getattr(err, "context", "") or ""
    context_mark = getattr(err, "context_mark", None)
    too_deep = "maximum nesting depth" in problem  # libyaml's own limit, on the composer's stack
    if too_deep:
        message, hint = _TOO_DEEP
    else:
        message, hint = explain(problem, context, char_at(data, line, column))
    if "mapping values are not allowed" in problem:
        message, hint, column = stray_colon(data, line, column) or (message, hint, column)
    code = "too-deep" if too_deep else "syntax"
    starts_wrongly = "scanning an alias" in context or "scanning an anchor" in context
    if context_mark is not None and (
        starts_wrongly or ("quoted scalar" in context and "end of stream" in problem)
    ):
        line, column = context_mark.line + 1, context_mark.column + 1
    elif not too_deep and "quoted scalar" not in context:
        # A quote left open lines above is the usual cause of a list or indentation error here.
        opened = unclosed_quote_before(data, line)
        if opened is not None:
            line, column = opened
            message = "this quoted text is never closed on its line: the closing quote is missing"
            hint = ("add the closing quote at the end of the text; YAML read on to the next quote, "
                    "so the lines below looked wrong")
    return Problem(display, line, column, "error", code, message, hint)


# --- Public API --------------------------------------------------------------------------------


def load_yaml(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """Load one goalbook file strictly. ``display`` is the practice-relative path for problems.

    Returns ``(data, problems)``; data is None when the file could not be read at all. Duplicate
    keys and ambiguous words are errors, but the data is still returned.
    """
    try:
        data = read_limited(path)
    except NotARegularFile as err:
        return None, [_whole_file(display, "unreadable", f"this is {err.what}, not a file goalbook can read",
                                  "a record is a plain text file: remove this entry, or put a real file in its place")]
    except TooLarge as err:
        return None, [_too_large(display, err.size)]
    except OSError as err:
        return None, [
            _whole_file(
                display,
                "unreadable",
                f"this file cannot be read ({err.strerror or err})",
                "check that the file exists and that you may read it",
            )
        ]
    return load_yaml_bytes(data, display)


class NotARegularFile(OSError):
    """A pipe, a device or a socket where a record file should be: never opened for reading (a
    pipe would wait forever for a writer, a device such as /dev/zero never ends)."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path}: {what}")
        self.what = what


class TooLarge(OSError):
    def __init__(self, path: str, size: int) -> None:
        super().__init__(f"{path}: {size} bytes")
        self.size = size


def read_limited(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a practice's file: a regular file only, at most ``limit`` bytes.

    Opened without blocking (so a pipe does not wait for a writer), checked on the open file
    itself (no swap between a check and the open), and never read past the limit even if it
    grows while being read."""
    return read_with_stat(path, limit)[0]


def read_with_stat(path: Path | str, limit: int = MAX_BYTES) -> tuple[bytes, os.stat_result]:
    """``read_limited``'s bytes, and the stat of the open file taken before it was read.

    One open and fstat, then reads straight into bytes objects no larger than the file said it
    was (plus one byte, to see whether it grew): a buffer of ``limit`` bytes would cost far more
    than the read itself. A file that grew is read on until its end or just past the limit."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat_mod.S_ISDIR(st.st_mode):  # refused as opening it as a file refuses it
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat_mod.S_ISREG(st.st_mode):
            raise NotARegularFile(str(path), _kind_of(st.st_mode))
        if st.st_size > limit:  # don't read a huge file only to refuse it
            raise TooLarge(str(path), st.st_size)
        data = os.read(fd, st.st_size + 1)
        if len(data) > st.st_size:  # it grew since the fstat
            chunks = [data]
            read = len(data)
            while read <= limit:
                chunk = os.read(fd, limit + 1 - read)
                if not chunk:
                    break
                chunks.append(chunk)
                read += len(chunk)
            data = b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise TooLarge(str(path), len(data))
    return data, st


def special_kind(mode: int) -> str:
    """'a named pipe (FIFO)', 'a device', 'a socket' for such a file mode, else ''."""
    if stat_mod.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat_mod.S_ISCHR(mode) or stat_mod.S_ISBLK(mode):
        return "a device"
    if stat_mod.S_ISSOCK(mode):
        return "a socket"
    return ""


def _kind_of(mode: int) -> str:
    return special_kind(mode) or ("a folder" if stat_mod.S_ISDIR(mode) else "not a regular file")


def load_yaml_bytes(data: bytes, display: str) -> tuple[Any, list[Problem]]:
    """As ``load_yaml``, for bytes already read."""
    bad = _check_bytes(data, display)
    if bad:
        return None, [bad]
    builder = _Builder(display, data)
    try:
        event = _too_deep_event(data)
        if event is not None:
            raise _Refused(builder.problem(event, "too-deep", *_TOO_DEEP))
        node = _compose_node(data)
        if node is None:
            return None, [
                _whole_file(
                    display,
                    "empty",
                    "this file is empty (or holds only comments)",
                    _empty_file_hint(display),
                )
            ]
        data_out = builder.build(node, 1, None)
    except _Refused as refused:
        return None, [refused.problem]
    except yaml.YAMLError as err:
        return None, [_syntax_problem(err, data, display)]
    if data_out is None:
        return None, [
            _whole_file(
                display,
                "empty",
                "this file holds no data (only `null`)",
                "fill in the fields described in docs/format.md, or delete the file",
            )
        ]
    return data_out, builder.problems


def _source_bytes(source: Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else read_limited(source)


@lru_cache(maxsize=32)
def _compose(data: bytes) -> Node | None:
    """The node tree of ``data`` (for marks), or None when it cannot be composed safely."""
    if _check_bytes(data, ""):
        return None
    try:
        return None if _too_deep_event(data) is not None else _compose_node(data)
    except yaml.YAMLError:
        return None


@lru_cache(maxsize=32)
def _compose_file(path: str, mtime_ns: int, size: int) -> Node | None:
    return _compose(read_limited(path))


def _tree(source: Path | bytes) -> Node | None:
    if isinstance(source, bytes):
        return _compose(source)
    try:
        stat = source.stat()
        return _compose_file(str(source), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None


def position(
    source: Path | bytes, pointer: Sequence[str | int], *, key: bool = False
) -> tuple[int, int]:
    """1-based (line, column) of the value at ``pointer`` (mapping keys / sequence indexes).

    ``key=True`` gives the position of the last mapping *key* instead of its value. A pointer that
    does not exist resolves to the deepest existing ancestor; an unreadable file gives (1, 1).
    """
    node = _tree(source)
    if node is None:
        return 1, 1
    mark = node.start_mark
    for step in pointer:
        if isinstance(node, MappingNode):
            pair = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, ScalarNode) and k.value == str(step)
                ),
                None,
            )
            if pair is None:
                break
            key_node, node = pair
            # An empty value (`baseline:`) has no text of its own: point at its key.
            empty = isinstance(node, ScalarNode) and node.value == "" and not node.style
            mark = key_node.start_mark if key or empty else node.start_mark
        elif (
            isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value)
        ):
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _empty_file_hint(display: str) -> str:
    # goalbook.yaml makes the folder a practice: deleting it is never the way out.
    if Path(display).name == "goalbook.yaml":
        return "write the practice's `name:` and its `clinicians:` (see docs/format.md)"
    return "fill in the fields described in docs/format.md, or delete the file"


_EXCERPT_CHARS = 100  # the most of one source line a message quotes


def excerpt(source: Path | bytes, line: int, column: int) -> str:
    """The source line with a caret under ``column``, hledger style, or "" when out of range::

    12 | status: actve
       |         ^
    """
    try:
        data = _source_bytes(source)
    except OSError:
        return ""
    lines = source_lines(data)
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    width = max(4, len(str(line)) + 2)
    before = max(column - 1, 0)
    if len(text) > _EXCERPT_CHARS:
        # A very long line is shown as a window around the column, so the message stays readable.
        start = max(0, min(before - _EXCERPT_CHARS // 2, len(text) - _EXCERPT_CHARS))
        end = start + _EXCERPT_CHARS
        lead, tail = ("…" if start > 0 else ""), ("…" if end < len(text) else "")
        text, before = lead + text[start:end] + tail, before - start + len(lead)
    # Keep tabs in the padding so the caret lines up however wide the terminal draws them.
    pad = "".join(c if c == "\t" else " " for c in text[:before])
    return f"{line:>{width}} | {text}\n{'':>{width}} | {pad}^"
