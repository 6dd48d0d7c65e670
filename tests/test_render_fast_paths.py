"""The rendering shortcuts against the slow paths they stand for, on many generated inputs:
escaping without Markup objects, and chart coordinates worked out a series at a time."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from markupsafe import Markup, escape

from goalbook.render import charts
from goalbook.render.escaping import text
from goalbook.render.session_items import session_item, session_items

CHARACTERS = ["a", "Z", "0", " ", "&", "<", ">", "'", '"', "&amp;", "é", "–", "\u00a0", "\n", "\\", "{{", "%", ";", "x"]


def test_text_escapes_exactly_as_markupsafe_does():
    rng = random.Random(6)
    for _ in range(20000):
        value = "".join(rng.choice(CHARACTERS) for _ in range(rng.randint(0, 12)))
        assert text(value) == str(escape(value)), repr(value)
        assert type(text(value)) is str


def test_text_of_numbers_markup_and_other_objects():
    class Html:
        def __html__(self) -> str:
            return "<b>safe</b>"

    class Odd:
        def __str__(self) -> str:
            return "<odd & 'end'>"

    values = [0, -3, 10**20, 1.5, -0.0, 1e-7, 1e300, math.inf, -math.inf, math.nan, True, None,
              Markup("<em>kept</em>"), Html(), Odd(), date(2026, 3, 3)]
    for value in values:
        assert text(value) == str(escape(value)), repr(value)


def test_a_payload_is_escaped_in_a_session_entry():
    payload = "<script>alert('x')</script> & \"q\""
    s = _session(payload)
    html = session_item(s)
    assert "<script>" not in html and html.count(str(escape(payload))) >= 6
    assert session_items([s, s]) == Markup(html + html)


def _session(payload: str) -> object:
    from goalbook.views.book_views import SessionView

    return SessionView(anchor=payload, date=date(2026, 3, 3), time=payload, kind=payload, kind_label=payload,
                       clinician=payload, attended=True, notes=payload, private_notes="",
                       questionnaires=[(payload, payload, payload)], measurements=[], homework=[(payload, 2)])


def test_many_coordinates_are_written_as_one_at_a_time():
    rng = random.Random(7)
    edges = [0.0, -0.0, 0.05, -0.05, 0.25, 0.35, 0.45, 9.95, -9.95, 1e15, -1e-9, 123.45, math.inf, math.nan]
    for _ in range(2000):
        values = [rng.choice([rng.uniform(-1000, 1000), rng.uniform(-1, 1), round(rng.uniform(0, 700), rng.randint(0, 3)),
                              rng.randint(-50, 700), rng.choice(edges)]) for _ in range(rng.randint(0, 40))]
        assert charts._fs(values) == [charts._f(v) for v in values], values


def test_a_series_positions_are_the_single_point_positions():
    rng = random.Random(8)
    for _ in range(2000):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
        end = start + timedelta(days=rng.choice([0, 1, 7, rng.randint(1, 800)]))
        low = rng.choice([0, 0.5, -3, rng.uniform(-100, 100)])
        high = low + rng.choice([0, 1, 27, 0.3, rng.uniform(0, 1000)])
        frame = charts._Frame(start, end, low, high, width=rng.choice([charts.WIDTH, charts.SMALL_WIDTH, 300]))
        if rng.random() < 0.3:  # the adherence chart moves the plot's left and right edges
            frame.x0, frame.x1 = 8, frame.width - 48
        whens = [frame.start + timedelta(days=rng.randint(-10, 900)) for _ in range(rng.randint(0, 30))]
        values = [rng.choice([rng.uniform(low - 10, high + 10), rng.randint(-5, 40), low, high])
                  for _ in range(rng.randint(0, 30))]
        assert frame.xs(whens) == [frame.x(w) for w in whens]
        assert frame.xs_of_ordinals([w.toordinal() for w in whens]) == [frame.x(w) for w in whens]
        assert frame.ys(values) == [frame.y(v) for v in values]


def _random_points(rng: random.Random, start: date) -> list[charts.Point]:
    kinds = ["plain", "plain", "plain", "improvement", "deterioration", "flagged"]
    scores = [rng.randint(0, 27), float(rng.randint(0, 27)), round(rng.uniform(0, 27), rng.randint(0, 2)), -0.0, 40]
    return [charts.Point(start + timedelta(days=7 * k + rng.randint(0, 3)), rng.choice(scores), rng.choice(kinds))
            for k in range(rng.randint(0, 30))]


def test_a_series_is_placed_as_its_points_are_one_by_one():
    rng = random.Random(9)
    for _ in range(500):
        start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 400))
        points = _random_points(rng, start)
        end = points[-1].when if points else start
        series = charts.Series(points)
        columns = charts.Series.of([p.when for p in points], [p.value for p in points], [p.marker for p in points])
        assert vars(columns) == vars(series)
        if all(p.marker == "plain" for p in points):
            assert vars(charts.Series.of([p.when for p in points], [p.value for p in points])) == vars(series)
        for frame in (charts._Frame(start, end, 0, 27), charts._narrow_frame(start, end, 0, 27)):
            placed = charts._Placed(frame, series)
            assert placed.xs == [frame.x(p.when) for p in points]
            assert placed.ys == [frame.y(p.value) for p in points]
            assert placed.fxs == [charts._f(x) for x in placed.xs] and placed.fys == [charts._f(y) for y in placed.ys]


def test_a_chart_drawn_twice_from_one_series_is_the_chart_drawn_from_its_points():
    rng = random.Random(10)
    bands = [charts.Band(0, 9, "Mild <", 0, 2), charts.Band(10, 27, "Severe & more", 1, 2)]
    for _ in range(200):
        start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 400))
        points = _random_points(rng, start) or [charts.Point(start, 3)]
        end = points[-1].when
        series, with_unit = charts.Series(points), charts.Series(points, unit=" <min>")
        for narrow in (False, True):
            q = {"bands": bands, "low": 0, "high": 27, "cutoff": 10, "start": start, "end": end, "narrow": narrow}
            assert charts.questionnaire_chart("q", "t", "d", points=series, **q) == \
                charts.questionnaire_chart("q", "t", "d", points=points, **q)
            g = {"low": 0, "high": 27, "start": start, "end": end, "baseline": 20, "target": 8, "narrow": narrow}
            assert charts.goal_chart("g", "t", "d", points=with_unit, **g) == \
                charts.goal_chart("g", "t", "d", points=points, unit=" <min>", **g)


def test_the_room_a_label_has_is_the_nearest_height_of_the_line():
    def room_one_by_one(ys: list[float], top: float, bottom: float) -> float:
        if not ys:
            return 1000.0
        if min(ys) <= bottom and max(ys) >= top:
            return 0.0
        return min(min(abs(v - top), abs(v - bottom)) for v in ys)

    rng = random.Random(11)
    for _ in range(20000):
        ys = [rng.choice([rng.uniform(0, 230), float(rng.randint(0, 230)), math.nan])
              for _ in range(rng.randint(0, 8))]
        top = rng.choice([rng.uniform(0, 230), float(rng.randint(0, 230))])
        bottom = top + rng.choice([12.0, 14.0, rng.uniform(0, 30)])
        assert repr(charts._room(ys, top, bottom)) == repr(room_one_by_one(ys, top, bottom)), (ys, top, bottom)


def test_where_the_line_is_under_a_label_is_found_alike_by_bisection_and_by_walking():
    rng = random.Random(12)
    for _ in range(3000):
        start = date(2025, 1, 1)
        points = [charts.Point(start + timedelta(days=rng.choice([0, 1, 7, 30]) * k + rng.randint(0, 2)),
                               rng.choice([rng.randint(0, 27), rng.uniform(0, 27)])) for k in range(rng.randint(0, 25))]
        if rng.random() < 0.5:
            points.sort(key=lambda p: p.when)
        end = max([p.when for p in points], default=start)
        frame = rng.choice([charts._Frame(start, end, 0, 27), charts._narrow_frame(start, end, 0, 27)])
        placed = charts._Placed(frame, charts.Series(points))
        path = list(zip(placed.xs, placed.ys))
        for _ in range(4):
            xa = rng.choice([rng.uniform(0, 640), *placed.xs[:3], float(rng.randint(0, 640))])
            xb = xa + rng.choice([0, 7, rng.uniform(0, 300)])
            assert charts._line_heights(placed, xa, xb) == charts._line_heights_walked(path, xa, xb)
