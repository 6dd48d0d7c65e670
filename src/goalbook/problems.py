"""Problems in user data are values: one ``Problem`` type, two formatters (text and JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in a practice, with where it is and what to do.

    ``path`` is relative to the practice folder, with forward slashes. ``line`` and ``column``
    are 1-based; 0 means "the whole file".
    """

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by file, line and column; duplicates dropped."""
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.severity, p.code, p.message))


def has_errors(problems: Iterable[Problem], strict: bool = False) -> bool:
    return any(p.is_error or strict for p in problems)


def format_text(
    problems: Iterable[Problem],
    excerpt: Callable[[Problem], str | None] | None = None,
    *,
    colour: bool = False,
) -> str:
    """hledger style: ``path:line:col: severity: message``, then an optional excerpt, then a hint.

    ``excerpt(problem)`` may supply the source line(s) with a caret; ``colour`` adds ANSI bold and
    colour for a terminal.
    """
    from goalbook.terminal import safe  # record text and file names are printed, never acted on

    out: list[str] = []
    for p in problems:
        location, severity = safe(p.location()), p.severity
        if colour:
            location = f"\x1b[1m{location}\x1b[0m"
            severity = f"\x1b[1;{31 if p.is_error else 33}m{severity}\x1b[0m"
        out.append(f"{location}: {severity}: {safe(p.message)}")
        snippet = excerpt(p) if excerpt else None
        if snippet:
            out.append(safe(snippet.rstrip("\n")))
        for i, line in enumerate(safe(p.hint).splitlines()):
            label = "  hint: " if i == 0 else "        "
            out.append((f"\x1b[36m{label}\x1b[0m" if colour and i == 0 else label) + line)
    return "\n".join(out) + ("\n" if out else "")


def format_json(problems: Iterable[Problem]) -> str:
    return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False) + "\n"


def summary(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)"""
    problems = list(problems)
    errors = sum(p.is_error for p in problems)
    return errors, len(problems) - errors


def plural(n: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {word}" + ("" if n == 1 else "s")
