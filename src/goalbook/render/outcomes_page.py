"""The outcomes page (``outcomes.html``) of the book, and the one call the build makes for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import Markup

from goalbook import cache
from goalbook.records.model import Practice
from goalbook.render.pages import environment, stylesheet
from goalbook.resources import data_dir
from goalbook.views.outcomes import Course, OutcomesView, Period, client_courses, outcomes_view

PAGE = "outcomes.html"


def render_outcomes(view: OutcomesView, *, repo: Any = None, as_of: str | None = None) -> str:
    return environment().get_template(PAGE).render(
        o=view, practice_name=view.practice, today=view.today, repo=repo, as_of=as_of, css=_css(),
        share=False, root="",
    )


def _css() -> Markup:
    """The book's stylesheet and this page's own rules (kept out of the other pages)."""
    own = (data_dir("templates") / "book" / "outcomes.css").read_text(encoding="utf-8")
    return stylesheet() + Markup(own.replace("</", "<\\/"))


def _period_marker(period: Period) -> bytes:
    return f"--period {period.text}</code>".encode()


def add_to_book(files: dict[str, Any], kept: list[str], practice: Practice, *, period: Period | None,
                root: Path, out: Path, keys: dict[str, str] | None, unchanged: bool, repo: Any = None,
                as_of: str | None = None) -> None:
    """Put ``outcomes.html`` into the book being built.

    Kept as it is when nothing it is made of changed (``unchanged``: every client and the practice's
    settings as at the last build, which also kept the caseload) and the page covers the same period.
    Else rendered afresh, from each client's course; ``keys`` (the page cache's key of each client's
    page) let a client whose key is as at the last build give its course unread (``CourseMemo``)."""
    period = period or Period.last_year(practice.today)
    if unchanged:
        try:
            if _period_marker(period) in (out / PAGE).read_bytes():
                kept.append(PAGE)
                return
        except OSError:
            pass
    memo = CourseMemo(root) if keys is not None and cache.enabled() else None
    courses = memo.courses(practice, keys or {}) if memo is not None else None
    view = outcomes_view(practice, period, courses)
    files[PAGE] = render_outcomes(view, repo=repo, as_of=as_of).encode("utf-8")


class CourseMemo:
    """Each client's ``outcomes.Course``s (one per episode) with the key of the client's page when it was worked out,
    in the practice's cache folder (owner-only JSON): only a client whose files changed is read."""

    FILE = "outcomes.json"
    VERSION = 2

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / cache.CACHE_DIR / self.FILE

    def _read(self) -> dict[str, Any]:
        try:
            raw = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict) or raw.get("version") != self.VERSION or not isinstance(raw.get("clients"), dict):
            return {}
        return raw["clients"]

    def courses(self, practice: Practice, keys: dict[str, str]) -> list[Course]:
        known = self._read()
        out: list[Course] = []
        fresh: dict[str, Any] = {}
        for client in practice.clients:
            key = keys.get(client.id)
            entry = known.get(client.id)
            found = None
            if key and isinstance(entry, list) and len(entry) == 2 and entry[0] == key:
                try:
                    found = [Course.from_json(raw) for raw in entry[1]]
                except (TypeError, ValueError, KeyError, AttributeError):
                    found = None  # an entry from another version: worked out again
            if found is None:
                found = client_courses(client, practice)
            out.extend(found)
            if key:
                fresh[client.id] = [key, [c.to_json() for c in found]]
        if fresh != known:
            try:
                cache.make_private_dir(self.path.parent)
                cache.write_private(self.path, json.dumps({"version": self.VERSION, "clients": fresh},
                                                          separators=(",", ":")).encode("utf-8"))
            except OSError:
                pass  # a cache that cannot be written only makes the next build slower
        return out
