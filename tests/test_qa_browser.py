"""What a reader sees on a phone, checked in a real browser (Debian's chromium)."""

from __future__ import annotations

import pytest
from test_browser import Watched, book  # noqa: F401  (the shared book fixture; chromium comes from conftest)

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


def test_action_step_reports_name_their_columns_on_a_phone(browser, book):  # noqa: F811
    # "6 times 14 days 6 100%" on a phone, with the headings hidden, did not say which number is the aim.
    out, _, _ = book
    w = Watched(browser, width=390)
    try:
        w.open(out / "clients" / "ana-r.html")
        said = w.page.eval_on_selector(
            "table.reports tbody tr", "tr => [...tr.querySelectorAll('td')].slice(0, 4).map("
            "td => getComputedStyle(td, '::before').content)")
        assert [s.split("/")[0].strip() for s in said] == ["none", '"over "', '"aim "', '"= "']
    finally:
        w.close()
