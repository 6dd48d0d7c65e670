"""Which date goalbook treats as "today".

Resolved once, at the edge (the command), and passed in everywhere else, so that a book built
twice from the same files is byte-identical and tests never depend on the clock.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime


def resolve_today(
    cli: date | None,
    setting: date | None,
    environ: Mapping[str, str] = os.environ,
) -> tuple[date, bool]:
    """``--today`` > the practice's ``today:`` > ``SOURCE_DATE_EPOCH`` (as a UTC date) > the clock.

    Returns ``(today, fixed)``; ``fixed`` is False only when the clock decided.
    """
    if cli is not None:
        return cli, True
    if setting is not None:
        return setting, True
    epoch = _source_date_epoch(environ)
    if epoch is not None:
        return epoch, True
    return date.today(), False


def _source_date_epoch(environ: Mapping[str, str]) -> date | None:
    # The reproducible-builds convention: seconds since 1970 in UTC. A malformed value is ignored
    # rather than fatal, as other tools (e.g. Sphinx) do.
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC).date()
    except (ValueError, OverflowError, OSError):
        return None


def parse_date(text: str) -> date | None:
    """A strict ``YYYY-MM-DD`` date, or None."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def why_not_a_date(text: str) -> str:
    """Why a ``YYYY-MM-DD``-shaped text names no day ("November has 30 days"); "" when it does,
    or when it is not shaped like a date at all."""
    import calendar

    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not (text[:4] + text[5:7] + text[8:]).isdigit():
        return ""
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    if not 1 <= month <= 12:
        return f"there is no month {month}: months run from 01 to 12"
    days = calendar.monthrange(max(year, 1), month)[1]
    if day == 0:
        return "days start at 01"
    if day > days:
        name = calendar.month_name[month]
        if month == 2 and day == 29:
            return f"{year} is not a leap year, so February has 28 days"
        return f"{name} has {days} days"
    return ""
