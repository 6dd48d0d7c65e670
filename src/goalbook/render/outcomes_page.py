"""The outcomes page (``outcomes.html``) of the book, and the one call the build makes for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from goalbook.records.model import Practice
from goalbook.render.pages import environment, stylesheet
from goalbook.resources import data_dir
from goalbook.views.outcomes import Course, OutcomesView, Period, outcomes_view

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
                out: Path, courses: list[Course], unchanged: bool, repo: Any = None,
                as_of: str | None = None) -> None:
    """Put ``outcomes.html`` into the book being built.

    Kept as it is when nothing it is made of changed (``unchanged``: every client and the practice's
    settings as at the last build, which also kept the caseload) and the page covers the same period.
    Else rendered afresh from ``courses``: each client's ``outcomes.Course``s, worked out with the
    client's page (and kept with it while the client's files do not change)."""
    period = period or Period.last_year(practice.today)
    if unchanged:
        try:
            if _period_marker(period) in (out / PAGE).read_bytes():
                kept.append(PAGE)
                return
        except OSError:
            pass
    view = outcomes_view(practice, period, courses)
    files[PAGE] = render_outcomes(view, repo=repo, as_of=as_of).encode("utf-8")
