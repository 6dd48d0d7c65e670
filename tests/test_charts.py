"""Inline SVG charts: accessible, deterministic, and meaning carried by shape and text, not colour."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

import pytest

from goalbook.render import charts

BANDS = [charts.Band(0, 4, "Minimal", 0, 4), charts.Band(5, 9, "Mild", 1, 4),
         charts.Band(10, 14, "Moderate", 2, 4), charts.Band(15, 21, "Severe", 3, 4)]
POINTS = [charts.Point(date(2026, 1, 5), 15), charts.Point(date(2026, 2, 2), 12),
          charts.Point(date(2026, 3, 2), 9, "improvement"), charts.Point(date(2026, 3, 30), 14, "deterioration")]


def gad7_chart():
    return charts.questionnaire_chart("c1", "GAD-7 <totals>", "four administrations", points=POINTS, bands=BANDS,
                                      low=0, high=21, cutoff=10, start=date(2026, 1, 5), end=date(2026, 3, 30))


def test_questionnaire_chart_is_an_accessible_svg():
    svg = str(gad7_chart())
    assert svg.startswith('<svg class="chart" id="c1" role="img"')
    assert 'aria-labelledby="c1-t c1-d"' in svg
    assert '<title id="c1-t">GAD-7 &lt;totals&gt;</title>' in svg  # escaped
    assert '<desc id="c1-d">four administrations</desc>' in svg


def test_bands_are_shaded_labelled_and_hatched_by_severity():
    svg = str(gad7_chart())
    assert len(re.findall(r'<rect class="band band-\d"', svg)) == 4
    for label in ("Minimal 0–4", "Mild 5–9", "Moderate 10–14", "Severe 15–21"):
        assert label in svg  # text, not only colour
    # Shades 0…4 spread over the levels (round(4·level/3)): Moderate → 3 (light hatch), Severe → 4 (dense).
    assert re.findall(r'fill="url\(#c1-(h\d)\)"', svg) == ["h1", "h2"]


def test_cutoff_line_sits_at_its_value():
    svg = str(gad7_chart())
    # Plot area y from 200 (value 0) to 14 (value 21): 10 → 200 − 186 × 10/21 = 111.43 → "111.4".
    assert '<line class="cutoff" x1="40" y1="111.4" x2="508" y2="111.4"/>' in svg
    assert "cutoff 10" in svg  # labelled on the line itself


def test_reliable_change_markers_differ_in_shape():
    svg = str(gad7_chart())
    assert svg.count("<circle class=\"mk\"") == 2
    assert svg.count('<polygon class="mk mk-better"') == 1  # diamond
    assert svg.count('<polygon class="mk mk-worse"') == 1  # hollow triangle
    # The first point: 2026-01-05 at x = 40 (start), 15 → 200 − 186 × 15/21 = 67.14.
    assert '<circle class="mk" cx="40" cy="67.1" r="4">' in svg


def test_same_input_same_bytes():
    assert str(gad7_chart()) == str(gad7_chart())


def test_goal_chart_has_baseline_target_date_and_trend():
    svg = str(charts.goal_chart(
        "g1", "Sleep", "desc", points=[charts.Point(date(2026, 3, 2), 8), charts.Point(date(2026, 3, 30), 5)],
        low=0, high=10, start=date(2026, 3, 2), end=date(2026, 6, 30), baseline=8, target=4,
        target_date=date(2026, 6, 30), trend=((date(2026, 3, 2), 8.0), (date(2026, 3, 30), 5.0)),
    ))
    assert '<line class="baseline"' in svg and "baseline 8" in svg
    assert '<line class="target"' in svg and "target 4" in svg
    assert '<line class="target-date" x1="508"' in svg  # the target date is the end of the x axis
    assert '<line class="trend"' in svg


def test_gas_chart_puts_level_texts_on_the_scale():
    levels = {-2: "Says nothing", -1: "Only when asked", 0: "Asks once a week", 1: "Asks when needed",
              2: "Plans with the team"}
    svg = str(charts.goal_chart("g2", "GAS", "d", points=[charts.Point(date(2026, 3, 2), -1)], low=-2, high=2,
                                start=date(2026, 3, 2), end=date(2026, 4, 2), baseline=-1, target=0,
                                level_labels=levels))
    for text in ("−2", "+2", "Says nothing", "Plans with the team"):
        assert text in svg


def test_adherence_bars_show_whole_percents_of_the_aim_and_mark_unknown_weeks():
    weeks = [charts.WeekBar("2 Mar", 100, met=True), charts.WeekBar("9 Mar", 50),
             charts.WeekBar("16 Mar", 80, partial=True), charts.WeekBar("23 Mar", None)]
    svg = str(charts.adherence_chart("a1", "Box breathing", "d", weeks))
    assert svg.count('<rect class="bar bar-met"') == 1 and svg.count('<rect class="bar"') == 1
    assert svg.count('<rect class="bar bar-partial"') == 1
    assert ">100%</text>" in svg and ">50%</text>" in svg and ">80%*</text>" in svg and ">?</text>" in svg
    assert "." not in "".join(re.findall(r">(\d[^<]*%\*?)</text>", svg))  # never a fractional count
    # One aim line at 100%, across the rows: bars run from x 56 (0%) to 204 (150%) → 56 + 148 × 100/150
    # = 154.67 → "154.7".
    assert svg.count('<line class="prescribed"') == 1 and 'x1="154.7"' in svg and 'x2="154.7"' in svg


def test_a_split_week_writes_both_percents_in_a_row_of_its_own_that_fits_a_phone():
    # Four weeks, each split between two reports: at one bar per 40 px the pairs of numbers ran into
    # each other. Each week now has its own row, its percents in a column right of the bars.
    weeks = [charts.WeekBar(f"{d} Mar", 71, parts=(42.0, 100.0)) for d in (2, 9, 16, 23)]
    svg = str(charts.adherence_chart("a2", "Box breathing", "d", weeks))
    values = re.findall(r'<text class="bar-label bar-label-split" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    assert [v for _, _, v in values] == ["42% / 100%"] * 4
    rows = [float(y) for _, y, _ in values]
    assert all(b - a >= 22 for a, b in pairwise(rows))  # a row each, 22 units apart: never on one another
    # Written right-aligned at x 298 of a 300-wide drawing, right of the bars (which end by x 204):
    # "42% / 100%" at 13 px is about 10 × 0.58 × 13 = 75 units wide, so it starts near 223.
    assert all(x == "298" for x, _, _ in values) and 'viewBox="0 0 300 ' in svg
    assert max(float(x) + float(w) for x, w in re.findall(r'<rect class="bar[^"]*" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)) <= 204
    assert svg.count('class="bar bar-split"') == 4 and svg.count('class="bar bar-met bar-split"') == 4


def _text_boxes(svg: str, cls: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(rf'<text class="{cls}" x="([\d.]+)" y="([\d.]+)"', svg)]


def test_cutoff_label_never_shares_the_band_label_margin():
    # PHQ-9-like: the cutoff (10) is exactly where "Moderate 10–14" starts; its label used to
    # crowd that band label in the right margin.
    bands = [charts.Band(0, 4, "None", 0, 5), charts.Band(5, 9, "Mild", 1, 5), charts.Band(10, 14, "Moderate", 2, 5),
             charts.Band(15, 19, "Moderately severe", 3, 5), charts.Band(20, 27, "Severe", 4, 5)]
    svg = str(charts.questionnaire_chart("c2", "PHQ-9", "d", points=POINTS, bands=bands, low=0, high=27, cutoff=10,
                                         start=date(2026, 1, 5), end=date(2026, 3, 30), cutoff_label="clinical cutoff"))
    (x, y), = _text_boxes(svg, "line-label cutoff-label")
    assert x < 508  # inside the plot (the plot ends at x 508; band labels start at 514)
    assert all(bx > 508 for bx, _ in _text_boxes(svg, "band-label"))
    line_y = 200 - 186 * 10 / 27  # 131.1
    assert abs(y - line_y) < 18  # next to its line
    # Not on the data: the first point (15 at 5 Jan, x 40) and the series start at the left, and
    # the last (14 at 30 Mar) at the right: the label keeps clear of every marker.
    for p in POINTS:
        px = 40 + 468 * (p.when - date(2026, 1, 5)).days / (date(2026, 3, 30) - date(2026, 1, 5)).days
        py = 200 - 186 * p.value / 27
        assert not (abs(px - x) < 60 and abs(py - (y - 4)) < 10), (px, py, x, y)


def test_share_words_for_the_goal_chart():
    svg = str(charts.goal_chart("g3", "t", "d", points=[charts.Point(date(2026, 3, 2), 8)], low=0, high=10,
                                start=date(2026, 3, 2), end=date(2026, 6, 30), baseline=8, target=4,
                                target_date=date(2026, 6, 30), words=("start", "aim", "aim by")))
    assert "start 8" in svg and "aim 4" in svg and ">aim by<" in svg
    words = " ".join(re.findall(r">([^<]+)</text>", svg))  # what a reader sees (class names aside)
    assert "baseline" not in words and "target" not in words


def _date_labels(svg: str) -> list[str]:
    """The date axis labels (those under the plot, at y = 216)."""
    return re.findall(r'<text class="tick-label" x="[\d.]+" y="216" text-anchor="middle">([^<]+)</text>', svg)


def test_a_small_subscale_chart_keeps_its_date_labels_apart():
    # Twelve month starts from 1 Jan 2025 to 1 Dec 2025. The full chart's plot is 640 − 40 − 132 = 468 px:
    # room for 468 // 56 = 8 labels, so every 2nd month (6). The small one's is 380 − 172 = 208 px: 3 labels,
    # so every 4th month (Jan, May, Sep).
    def chart(chart_id: str, width: int) -> str:
        return str(charts.questionnaire_chart(
            chart_id, "t", "d", points=[charts.Point(date(2025, 1, 1), 10), charts.Point(date(2025, 12, 20), 20)],
            bands=[charts.Band(0, 42, "Normal", 0, 1)], low=0, high=42, cutoff=None,
            start=date(2025, 1, 1), end=date(2025, 12, 20), width=width))

    full, small = chart("f", charts.WIDTH), chart("s", charts.SMALL_WIDTH)
    assert 'viewBox="0 0 640 230"' in full and 'viewBox="0 0 380 230"' in small
    assert _date_labels(full) == ["Jan 2025", "Mar", "May", "Jul", "Sep", "Nov"]
    assert _date_labels(small) == ["Jan 2025", "May", "Sep"]


@pytest.mark.parametrize("low,high,expected", [
    # span 10 / 5 = 2 → step 2
    (0, 10, [0, 2, 4, 6, 8, 10]),
    # span 70,000 / 5 = 14,000 → magnitude 10,000, step 2 × 10,000 = 20,000
    (0, 70000, [0, 20000, 40000, 60000]),
    # span 0.5 / 5 = 0.1 → step 0.1
    (0, 0.5, [0, 0.1, 0.2, 0.3, 0.4, 0.5]),
])
def test_value_ticks_suit_any_scale(low, high, expected):
    from goalbook.render.charts import _nice_ticks

    assert _nice_ticks(low, high) == expected
