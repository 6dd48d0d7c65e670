"""Escaping for the parts of a page written in Python (rows, sessions, charts).

``text`` escapes exactly as markupsafe's ``escape`` (and so Jinja's autoescape) does, but returns
a plain ``str``: a page escapes a few thousand values, and wrapping each one in a ``Markup``
object is most of the cost of escaping it. ``tests/test_render_escaping_fast.py``
holds the two to the same bytes. Every value from the practice's files still goes through
``text``; only values the book formats itself (numbers, dates) are written without it, each
with a comment saying why.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

try:  # markupsafe's own escaping of a str (C or Python), before ``escape`` wraps it in Markup
    from markupsafe import _escape_inner as _escape_str
except ImportError:  # pragma: no cover — a markupsafe that names it otherwise: the same bytes, slower
    def _escape_str(s: str) -> str:
        return str(escape(s))


def text(value: Any) -> str:
    """``str(escape(value))``, faster for a plain ``str`` or number."""
    kind = type(value)
    if kind is str:
        return _escape_str(value)
    if kind is int or kind is float:
        return str(value)  # digits, a sign, a point, "e", "inf" or "nan": nothing to escape
    return str(escape(value))  # Markup stays as it is; anything else is made str, then escaped
