"""At a glance: first → latest with the change and a sparkline, and what falls due this week."""

from __future__ import annotations

import re
from datetime import date

from goalbook.build import build_book
from goalbook.checks import check_practice
from goalbook.views import book_views

FILES = {
    "clients/gw/client.yaml": """\
        id: gw
        name: Gus W.
        clinician: tc
        start_date: 2026-01-05
        status: active
        questionnaires:
          - instrument: gad7
            every_weeks: 4
        """,
    "clients/gw/goals.yaml": """\
        goals:
          - id: calm
            title: Feel calmer at work
            status: active
            set_date: 2026-01-05
            review_date: 2026-04-03
            target_date: 2026-06-01
            measure: {type: rating, label: Calm}
            baseline: 3
            target: 7
        """,
    # GAD-7 14 on 5 Jan, 6 on 2 Mar: −8, beyond the reliable change of 4 points (NHS Talking Therapies).
    "clients/gw/sessions/2026-01-05.yaml": """\
        date: 2026-01-05
        kind: intake
        questionnaires:
          gad7: [2, 2, 2, 2, 2, 2, 2]
        measurements: {calm: 3}
        """,
    "clients/gw/sessions/2026-03-02.yaml": """\
        date: 2026-03-02
        kind: session
        questionnaires:
          gad7: [1, 1, 1, 1, 1, 1, 0]
        measurements: {calm: 5}
        """,
}


def test_caseload_row_shows_first_to_latest_with_the_change_and_a_sparkline(make_practice, tmp_path):
    out = build_book(make_practice(FILES), tmp_path / "book").out
    html = (out / "index.html").read_text(encoding="utf-8")
    row = html[html.index('<th scope="row" class="client-cell">'):]
    row = row[:row.index("</tr>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    assert "GAD-7 first 14 → latest 6" in text and "reliable improvement" in text
    # The sparkline names every value with its date for a screen reader.
    assert 'role="img" aria-label="GAD-7 totals, from first to latest: 5 Jan 2026 14, 2 Mar 2026 6"' in row
    assert 'aria-label="Feel calmer at work, from first to latest: 5 Jan 2026 3, 2 Mar 2026 5"' in row
    # The client's own first screen says the same.
    page = (out / "clients" / "gw.html").read_text(encoding="utf-8")
    assert "GAD-7 totals, from first to latest: 5 Jan 2026 14, 2 Mar 2026 6" in page


def test_due_this_week_across_the_caseload(make_practice):
    # Today is 31 Mar 2026 (the test settings): the week runs to 6 Apr. GAD-7 last given 2 Mar, every
    # 4 weeks → due 30 Mar: overdue, an alert, not "due this week". The goal's review on 3 Apr is.
    practice, _ = check_practice(make_practice(FILES))
    view = book_views.client_view(practice, practice.client("gw"))
    assert [(d.date, d.what) for d in view.due_week] == [(date(2026, 4, 3), "goal review: “Feel calmer at work”")]
    caseload = book_views.practice_view(practice, [view])
    assert caseload.due == view.due_week


def test_due_this_week_on_the_caseload_page(make_practice, tmp_path):
    files = dict(FILES)
    files["clients/gw/client.yaml"] = files["clients/gw/client.yaml"].replace("every_weeks: 4", "every_weeks: 5")
    out = build_book(make_practice(files), tmp_path / "book").out
    html = (out / "index.html").read_text(encoding="utf-8")
    due = html[html.index('<section id="due"'):]
    due = due[:due.index("</section>")]
    # Every 5 weeks from 2 Mar: 6 Apr, the last day of the week; the review on 3 Apr comes first.
    items = re.findall(r'<li><time datetime="([0-9-]+)">[^<]+</time> <a href="([^"]+)">Gus W\.</a>: ([^<]+)</li>', due)
    assert items == [("2026-04-03", "clients/gw.html#goal-calm", "goal review: “Feel calmer at work”"),
                     ("2026-04-06", "clients/gw.html#questionnaire-gad7", "GAD-7 due (every 5 weeks)")]


def test_print_header_name_cannot_leave_its_css_string():
    from goalbook.render.pages import css_string

    # A quote, a backslash and </style> would end the string, the rule or the element: all escaped.
    assert css_string('Zoë "</style>\\ · confidential') == (
        '"Zoë \\22 \\3c \\2f style\\3e \\5c  \\b7  confidential"')
