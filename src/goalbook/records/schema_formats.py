"""The ``format`` keywords goalbook's schemas use, as plain functions.

``validate.py`` registers these with jsonschema and ``fastschema.py`` calls them directly, so
"is this a date" cannot disagree between the two — and checking a file that is valid needs no
jsonschema import (slow in a fresh process).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A therapy record's dates fall in these years; 0001-01-01 or 9999-12-31 is a typo or a placeholder,
# and the book's calendars and charts cannot span millennia.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def is_date(value: object) -> bool:
    # Strict: fromisoformat alone would also take "20240301" on Python 3.11.
    if not isinstance(value, str):
        return True  # a wrong type is the `type` keyword's business
    if not DATE.match(value):
        return False
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return False
    return FIRST_YEAR <= day.year <= LAST_YEAR


FORMATS: dict[str, Callable[[object], bool]] = {"date": is_date}
