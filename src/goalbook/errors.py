"""Errors for misuse and faults (not problems in user data: those are ``Problem`` values)."""

from __future__ import annotations

import click


class GoalbookError(click.ClickException):
    """A message that says what happened and what to do next; exits 2 (usage) by default."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "", exit_code: int | None = None) -> None:
        from goalbook.terminal import safe  # a file name or a value from a record may be in it

        super().__init__(safe(message) + (f"\n  hint: {safe(hint)}" if hint else ""))
        if exit_code is not None:
            self.exit_code = exit_code
