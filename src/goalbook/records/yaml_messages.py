"""PyYAML's syntax errors in plain words for a therapist, and the source lines they point into.

Pure text functions: ``yamlload`` (the one module that imports ``yaml``) hands over the parser's
problem and context strings and the 1-based position it reported.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a new line


@lru_cache(maxsize=32)
def source_lines(data: bytes) -> list[str]:
    """The lines of ``data`` as YAML counts them (so index n is mark line n), without a BOM."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":  # the break that ends the last line does not start another
        lines.pop()
    return lines


# `key: value` at the start of a line (in a list item or not), and a line with only `key:`.
_FIELD_LINE = re.compile(r"^(?P<indent>[ ]*(?:-[ ]+)?)(?P<key>[^\s#:'\"][^:#]*?):(?:[ \t]+(?P<value>.*))?$")
# A trailing comment as the scaffolded files write them (` # …`). `#2` right after a space is left in:
# yamlload warns that it is read as a comment, and the text it belongs to is what the hint quotes.
_TRAILING_COMMENT = re.compile(r"[ \t]+#(?=[\s#]|$).*$")


def _without_comment(value: str) -> str:
    return _TRAILING_COMMENT.sub("", value, count=1).rstrip()


def stray_colon(data: bytes, line: int, column: int) -> tuple[str, str, int] | None:
    """Say which of two everyday slips caused "mapping values are not allowed", or None.

    * a line indented further than the `field: value` line above it: YAML reads it as more of
      that value, and then stumbles on its colon;
    * text with ': ' in it (`notes: Plan: call GP`), which YAML takes for a second field.
    """
    lines = source_lines(data)
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    field = _FIELD_LINE.match(text)
    if field is None:
        return None
    first_colon = field.end("key") + 1  # 1-based column of the field's own colon
    if column > first_colon and field.group("value"):
        # The comment is not part of the text: quoting it would turn it into text.
        value = _without_comment(field.group("value"))
        key = field.group("key").strip()
        if re.fullmatch(r"[A-Za-z0-9_-]+", key):
            return (
                f"the text after `{key}:` contains ': ', which YAML reads as the start of another field",
                f"put the whole text in quotes: {key}: {json.dumps(value, ensure_ascii=False)}",
                column,
            )
        # Not a field name (`- To stand up: in: meetings`): the whole line is text.
        whole = f"{key}: {value}"
        dash = "- " if field.group("indent").strip() == "-" else ""
        return (
            "this text contains ': ', which YAML reads as the start of a field",
            f"put the whole text in quotes: {dash}{json.dumps(whole, ensure_ascii=False)}",
            field.end("indent") + 1,
        )
    indent = len(text) - len(text.lstrip(" "))
    above = next(
        (n for n in range(line - 1, 0, -1) if lines[n - 1].strip() and not lines[n - 1].lstrip().startswith("#")),
        None,
    )
    if above is None:
        return None
    previous = _FIELD_LINE.match(lines[above - 1])
    above_indent = len(lines[above - 1]) - len(lines[above - 1].lstrip(" "))
    if previous is None or not previous.group("value") or indent <= above_indent:
        return None
    message = (
        f"this line is indented further than line {above} above it, so YAML reads it as more of "
        f"that line's value (`{previous.group('key').strip()}:`)"
    )
    hint = (
        "fields of one block start at the same column: line this one up with the fields above it, "
        f"or, if line {above} is the one out of place, correct its indentation"
    )
    return message, hint, indent + 1


_QUOTE_OPENS = re.compile(r"""^([ \t]*(?:-[ \t]+)*(?:[^\s#'"-][^#]*?:[ \t]+)?)(["'])(.*)$""")
_BLOCK_START = re.compile(r"""^([ \t]*)(?:-[ \t]+)*(?:[^#'"]*?:[ \t]+)?[|>][-+0-9]*[ \t]*(?:#.*)?$""")


def _closes(quote: str, rest: str) -> bool:
    """Whether a quoted text opened with ``quote`` is closed within ``rest`` (the same line)."""
    i = 0
    while i < len(rest):
        c = rest[i]
        if quote == '"' and c == "\\":
            i += 2
            continue
        if c == quote:
            if quote == "'" and rest[i + 1:i + 2] == "'":  # '' is a quote inside single quotes
                i += 2
                continue
            return True
        i += 1
    return False


def unclosed_quote_before(data: bytes, line: int) -> tuple[int, int] | None:
    """(line, column) of a quoted value that opens before ``line`` and is not closed on its own
    line — the usual cause of a list or indentation error reported lines later: YAML reads on to
    the next quote and the text after it no longer fits."""
    lines = source_lines(data)
    block: int | None = None  # the indentation of a `|` or `>` block being skipped
    for number, text in enumerate(lines[: max(0, line - 1)], start=1):
        indent = len(text) - len(text.lstrip(" "))
        if block is not None:
            if not text.strip() or indent > block:
                continue
            block = None
        started = _BLOCK_START.match(text)
        if started:
            block = len(started.group(1))
            continue
        opened = _QUOTE_OPENS.match(text)
        if opened and not _closes(opened.group(2), opened.group(3)):
            return number, len(opened.group(1)) + 1
    return None


def char_at(data: bytes, line: int, column: int) -> str:
    lines = source_lines(data)
    if 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def explain(problem: str, context: str, char: str) -> tuple[str, str]:
    if "tab" in problem or char == "\t":
        return (
            "a tab character is used for indentation here; YAML allows only spaces",
            "replace the tab with spaces (in VS Code: “Convert Indentation to Spaces”)",
        )
    if "quoted scalar" in context and "end of stream" in problem:
        return (
            "this quoted text is never closed: the closing quote is missing",
            'add the closing quote; to write a quote inside, use the other kind: "it\'s" or \'say "hi"\'',
        )
    if "mapping values are not allowed" in problem:
        return (
            "a colon here is read as a new field, which is not allowed at this point",
            (
                "probably a missing space after a colon on this line or the line above "
                "(write `field: value`),\nor text that contains ': ' — put such text in quotes: "
                'title: "Note: ..."'
            ),
        )
    if "could not find expected ':'" in problem:
        return (
            "a line in this block is not a `field: value` pair",
            "write `field: value` with a space after the colon; multi-line text goes in quotes or after `|`",
        )
    if "did not find expected key" in problem:
        return (
            "the indentation of this line does not match the lines above it",
            "fields of the same block start at the same column; indent with spaces only",
        )
    if "did not find expected '-' indicator" in problem:
        return (
            "this line is inside a list but does not start with `- `",
            "start each list entry with `- `, or line the field up with the lines above",
        )
    if "did not find expected ',' or" in problem:
        return (
            "a list or mapping in brackets is not closed",
            "check that every `[` has its `]` and every `{` its `}`, with commas between entries",
        )
    if "block sequence entries are not allowed" in problem:
        return (
            "a list entry (`- `) cannot start here",
            "put the list on its own lines below the field, each entry starting with `- `",
        )
    if "unknown escape character" in problem:
        return (
            "a backslash in double quotes starts an escape sequence, and this one is unknown",
            "use single quotes ('C:\\notes') or write two backslashes in double quotes",
        )
    if "cannot start any token" in problem and char:
        return (
            f"a value cannot start with `{char}` unless it is in quotes",
            f'put the text in quotes: "{char}..."',
        )
    if "found another document" in problem or "expected <document start>" in problem:
        return (
            "this file holds more than one YAML document (a `---` line in the middle)",
            "keep one document per file: remove the extra `---` line or move the rest to its own file",
        )
    if "undefined alias" in problem or "scanning an alias" in context:
        return (
            "`*` starts an alias to an anchor that does not exist",
            'put text that starts with `*` in quotes: "*important*"',
        )
    if "scanning an anchor" in context:
        return (
            "`&` at the start of a value starts an anchor, and this one is not valid",
            'put text that starts with `&` in quotes: "& more"',
        )
    return (
        f"this is not valid YAML ({problem or context or 'syntax error'})",
        "check this line and the one above it for indentation, quotes and colons",
    )
