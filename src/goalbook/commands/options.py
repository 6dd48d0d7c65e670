"""Option types shared by several commands."""

from __future__ import annotations

from datetime import date

import click


class DateParam(click.ParamType):
    """A ``YYYY-MM-DD`` option value; anything else is a usage error (exit 2) saying so."""

    name = "DATE"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        from goalbook.records.today import parse_date, why_not_a_date

        parsed = parse_date(str(value))
        if parsed is None:
            why = why_not_a_date(str(value))
            if why:
                self.fail(f"'{value}' is not a date: {why}", param, ctx)
            self.fail(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31", param, ctx)
        return parsed


def not_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an option given as an empty text: most often an unset shell variable
    (``--as-of "$WHEN"``), which must not silently mean "no option"."""
    if value is not None and not str(value).strip():
        raise click.BadParameter("is empty (an unset shell variable?); give a value or leave the option out",
                                 ctx=ctx, param=param)
    return value


class PeriodParam(click.ParamType):
    """A ``START..END`` period (``2026-01-01..2026-06-30``); anything else is a usage error saying so."""

    name = "PERIOD"

    def convert(self, value, param, ctx):
        from goalbook.views.outcomes import Period

        if isinstance(value, Period):
            return value
        try:
            return Period.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def path_not_empty(ctx: click.Context, param: click.Parameter, value: str | None):
    """``not_empty`` for a path option (an empty path would mean the current folder)."""
    from pathlib import Path

    return None if value is None else Path(not_empty(ctx, param, value))
