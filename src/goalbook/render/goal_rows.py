"""A goal card's long tables (measurements, reports of an action step, weeks), in Python.

Each goal has a row per session and a cell per week; as Jinja loops they were a large part
of a page's render time. The markup is exactly what the loops in ``cards.html`` wrote
(``tests/test_render_golden.py`` holds it to that, byte for byte).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from goalbook.render.escaping import text
from goalbook.render.pages import fmt_about, fmt_date, fmt_num, fmt_pct, plural

MET = '<span class="visually-hidden"> (aim met)</span>'
SPLIT = '<span class="visually-hidden">two reports: </span>'
UNKNOWN = '<td class="unknown">?<span class="visually-hidden"> not reported yet</span></td>'


def point_rows(points: Any) -> Markup:
    """The measurements table: date, value, where it came from."""
    # fmt_date writes digits and a month's name: nothing to escape.
    return Markup("".join(f'<tr><th scope="row">{fmt_date(p.date)}</th><td>{text(p.text)}</td>'
                          f"<td>{text(p.source)}</td></tr>" for p in points))


def report_rows(reports: Any, minutes: bool = False) -> Markup:
    """An action step's reports: how often, over how many days, the aim, the percent; with ``minutes``
    (a step with a duration), the minutes reported, the minutes asked and their percent too."""
    out = []
    for r in reports:
        times = int(r.times)  # Jinja's `int` filter, as the template used
        done = plural(times, "time") if r.times == times else fmt_num(r.times)
        # Dates, counts and percents we format ourselves: digits, a month's name, "≈", "%", "—".
        row = (f'<tr><th scope="row">{fmt_date(r.date)}</th><td class="num">{text(done)}</td>'
               f'<td class="num">{text(plural(r.days, "day"))}</td><td class="num">{fmt_about(r.asked)}</td>'
               f'<td class="num">{fmt_pct(r.percent)}</td>')
        if minutes:  # one compact cell: minutes done of the minutes asked, and their percent
            said = "—" if r.minutes is None else \
                f"{fmt_num(r.minutes)} of {fmt_about(r.asked_minutes)} · {fmt_pct(r.minutes_percent)}"
            row += f'<td class="num">{text(said)}</td>'
        out.append(row + "</tr>")
    return Markup("".join(out))


def week_rows(weeks: Any) -> Markup:
    """A row per week: its percent of the aim; `*` a week only partly covered so far, `?` not reported."""
    out = []
    for w in weeks:
        head = f'<tr><th scope="row">{text(w.label)}</th>'
        if w.known:
            split = SPLIT if w.split else ""  # a week two reports share: each report's own percent
            met = w.met  # worked out by the view on each reading: read once
            out.append(f'{head}<td class="{"met" if met else "unmet"}">{split}{text(w.text)}'
                       f'{"*" if w.partial else ""}{MET if met else ""}</td></tr>')
        else:
            out.append(f"{head}{UNKNOWN}</tr>")
    return Markup("".join(out))
