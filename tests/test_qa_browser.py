"""What a reader sees on a phone, checked in a real browser (Debian's chromium)."""

from __future__ import annotations

import pytest
from test_browser import Watched, book, browser  # noqa: F401  (the shared chromium and book fixtures)

pytestmark = pytest.mark.browser


def test_outcomes_figures_name_their_column_on_a_phone(browser, book):  # noqa: F811
    # On a phone the table's rows are blocks and its column headings are hidden: without a label,
    # "7  too few to report  too few to report" cannot be read.
    out, _, _ = book
    w = Watched(browser, width=390)
    try:
        w.open(out / "outcomes.html")
        headings = w.page.eval_on_selector(
            "table.outcomes", "t => [...t.tHead.rows[0].cells].map(th => th.textContent.trim())")
        shown = w.page.eval_on_selector(
            "table.outcomes tbody tr", "tr => [...tr.querySelectorAll('td')].map("
            "td => getComputedStyle(td, '::before').content)")
        assert shown == [f'"{h}: "' for h in headings[1:]]
        assert w.page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        w.close()
