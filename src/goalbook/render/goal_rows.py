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

# A step's words on the clinician's page and on the client's share page.
CLINICIAN_WORDS = {
    "reports": "Reported at sessions", "aim": "Aim", "minutes": " of aim",
    "weeks": "Week by week, and how the weeks are worked out", "per week": "Per week, percent of the aim",
    "done": "% of aim", "not yet": "No practice reported yet.",
    "method": "A count reported at a session is spread evenly over the days since the previous contact, and "
              "each week compared with the aim for its covered days. * part of the week covered so far; "
              "? not reported yet.",
}
SHARE_WORDS = {
    "reports": "What you reported at each session", "aim": "Planned", "minutes": " of planned",
    "weeks": "Week by week", "per week": "Each week, as a share of what we planned",
    "done": "Done", "not yet": "We have not talked about this one yet.",
    "method": "A count you give at a session is shared evenly over the days since the session before. "
              "* only part of that week so far; ? not talked about yet.",
}

MET = '<span class="visually-hidden"> (aim met)</span>'
SPLIT = '<span class="visually-hidden">two reports: </span>'
MISSING = ' <span class="missing-tag">missing</span>'
UNKNOWN = '<td class="unknown">?<span class="visually-hidden"> not reported yet</span></td>'


def smart_items(parts: Any) -> Markup:
    """The five parts of a goal's SMART check, each said as met or missing."""
    return Markup("".join([
        f'    <div class="smart-item {"ok" if s.ok else "missing"}">\n'
        f'      <dt><span class="letter" aria-hidden="true">{text(s.letter)}</span> {text(s.name)}'
        f'{"" if s.ok else MISSING}</dt>\n'
        f"      <dd>{text(s.text)}</dd>\n"
        "    </div>\n" for s in parts]))


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


def step_blocks(g: Any, charts: Any, share: bool = False) -> Markup:
    """A goal's action steps, one block each: what was reported at sessions, and week by week (with
    its chart from ``charts``) behind a disclosure."""
    return Markup("".join([_step_block(g, s, charts, share) for s in g.steps]))


def _step_block(g: Any, s: Any, charts: Any, share: bool) -> str:
    words = SHARE_WORDS if share else CLINICIAN_WORDS
    head = (f'    <div class="step" id="{text(g.anchor)}-{text(s.id)}">\n'
            f'      <p class="step-head"><strong>{text(s.action)}</strong> <span class="freq">{text(s.frequency)}</span>'
            "</p>\n")
    if not s.weeks_known:
        return f'{head}<p class="muted">{words["not yet"]}</p>    </div>\n'
    # Dates, counts and percents we format ourselves: digits, a month's name, "≈", "%", "—".
    since = fmt_date(s.start or g.set_date)
    weeks = plural(s.weeks_known, "week")
    if share:
        summary = (f"Since {since} you did this <strong>{fmt_pct(s.percent)}</strong> as often as we planned, "
                   f"and as planned or more in {s.weeks_met} of {weeks}.")
        if s.minutes_asked:
            summary += f" Time spent: <strong>{fmt_pct(s.minutes_percent)}</strong> of the minutes we planned."
    else:
        summary = (f"Since {since}{' (when this step started)' if s.start else ''}: <strong>{fmt_pct(s.percent)} "
                   f"of the aim</strong> overall; aim met in {s.weeks_met} of {weeks} reported.")
        if s.minutes_asked:
            summary += (f" Minutes: <strong>{fmt_pct(s.minutes_percent)} of the aim</strong> ({fmt_num(s.minutes_done)}"
                        f" of {fmt_about(s.minutes_asked)} minutes, on the reports that gave minutes).")
    minutes = f'<th scope="col">Minutes{words["minutes"]}</th>' if s.minutes else ""
    key = f"{g.anchor}-{s.id}"
    chart = f'<figure class="chart-figure small">{charts[key]}</figure>' if key in charts else ""
    return (
        f'{head}      <p class="step-summary">\n{summary}      </p>\n'
        '      <div class="table-scroll">\n'
        '      <table class="data compact reports">\n'
        f'        <caption>{words["reports"]}{f" (latest {len(s.reports)})" if s.hidden_reports else ""}</caption>\n'
        '        <thead><tr><th scope="col">Session</th><th scope="col">Done</th><th scope="col">Over</th>'
        f'<th scope="col">{words["aim"]}</th><th scope="col">%</th>{minutes}</tr></thead>\n'
        f'        <tbody>\n{report_rows(s.reports, s.minutes) if s.reports else ""}        </tbody>\n'
        '      </table>\n'
        '      </div>\n'
        '      <details class="step-weeks">\n'
        f'      <summary>{words["weeks"]}</summary>\n'
        f'{chart}      <div class="table-scroll">\n'
        '      <table class="data compact weeks">\n'
        f'        <caption>{words["per week"]}{f" (the last {len(s.weeks)} weeks)" if s.hidden_weeks else ""}</caption>\n'
        f'        <thead><tr><th scope="col">Week of</th><th scope="col">{words["done"]}</th></tr></thead>\n'
        f'        <tbody>{week_rows(s.weeks)}</tbody>\n'
        '      </table>\n'
        '      </div>\n'
        f'      <p class="method">{words["method"]}</p>\n'
        '      </details>\n'
        '    </div>\n')
