"""Life events (client.yaml `events:`): drawn on every chart of the client and listed in the timeline."""

from __future__ import annotations

import re

from goalbook.build import build_book

FILES = {
    "clients/lv/client.yaml": """\
        id: lv
        name: Lou V.
        clinician: tc
        start_date: 2026-01-05
        status: active
        events:
          - date: 2026-02-10
            text: started sertraline
          - date: 2025-06-01
            text: long before any score
        """,
    "clients/lv/goals.yaml": """\
        goals:
          - id: sleep
            title: Sleep better
            status: active
            set_date: 2026-01-05
            measure: {type: rating, label: Sleep}
            baseline: 3
            target: 7
        """,
    "clients/lv/sessions/2026-01-05.yaml": """\
        date: 2026-01-05
        kind: intake
        questionnaires:
          phq9: [1, 1, 1, 1, 1, 1, 1, 1, 0]
        measurements: {sleep: 3}
        """,
    "clients/lv/sessions/2026-03-02.yaml": """\
        date: 2026-03-02
        kind: session
        questionnaires:
          phq9: [1, 1, 1, 1, 0, 0, 0, 0, 0]
        measurements: {sleep: 5}
        """,
}


def test_an_event_is_on_every_chart_and_in_the_timeline(make_practice, tmp_path):
    root = make_practice(FILES)
    out = build_book(root, tmp_path / "book").out
    html = (out / "clients" / "lv.html").read_text(encoding="utf-8")
    # The events are numbered in date order: the June 2025 one is 1, sertraline 2.
    for chart in ("chart-goal-sleep", "chart-questionnaire-phq9"):
        svg = html[html.index(f'id="{chart}"'):]
        svg = svg[:svg.index("</svg>")]
        assert svg.count('class="event"') == 1, chart  # June 2025 is before the chart starts: not drawn
        assert "<title>2026-02-10: started sertraline</title>" in svg
        assert re.search(r'<text class="event-mark"[^>]*>2</text>', svg)
    assert html.count('<li><span class="event-num">2</span> 10 Feb 2026: started sertraline</li>') == 2
    # The timeline, newest first: the March session, the event, the intake, then the older event.
    order = [m.group(1) for m in re.finditer(r'<li class="session [^"]*" id="([a-z0-9-]+)"', html)]
    assert order == ["session-2026-03-02", "event-2", "session-2026-01-05", "event-1"]


def test_events_stay_off_the_share_page(make_practice, tmp_path):
    root = make_practice(FILES)
    share = build_book(root, tmp_path / "share.html", client="lv", share=True).out.read_text(encoding="utf-8")
    assert "sertraline" not in share
