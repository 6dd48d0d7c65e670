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
        from goalbook.records.today import parse_date

        parsed = parse_date(str(value))
        if parsed is None:
            self.fail(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31", param, ctx)
        return parsed


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
