"""Inline SVG charts, generated in Python at build time (no JavaScript, no fonts, no network).

Each function takes plain numbers and dates (worked out in ``views``) and returns safe markup.
Meaning is never carried by colour alone: bands are labelled and hatched by severity, markers
differ in shape, lines differ in dash pattern, and every chart has a table next to it in the page.
Coordinates are rounded so the same data always gives the same bytes.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from markupsafe import Markup

from goalbook.number_text import percent, short_number
from goalbook.render.escaping import text as esc  # `text` is a parameter name here

WIDTH, HEIGHT = 640, 230
SMALL_WIDTH = 380  # a subscale's chart: up to three side by side
LEFT, RIGHT, TOP, BOTTOM = 40, 132, 14, 30  # the right margin carries band and line labels
# A phone's chart: drawn for a screen 300 px wide, so its text (13 units, book.css) is at least 11
# CSS px from a 320 px screen up; band and line labels go inside the plot, there is no label margin.
NARROW_WIDTH, NARROW_HEIGHT, NARROW_RIGHT = 300, 210, 14
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str
    level: int  # 0 = least severe; drives shade and hatching
    levels: int  # how many bands the instrument has


@dataclass(frozen=True)
class Point:
    when: date
    value: float
    marker: str = "plain"  # plain | improvement | deterioration | flagged


@dataclass(frozen=True)
class Event:
    """A life event, drawn as a numbered dotted line; its words go under the chart (``event_legend``)."""

    when: date
    mark: str  # the number shown on the chart, e.g. "1"
    text: str


@dataclass(frozen=True)
class WeekBar:
    label: str  # e.g. "9 Mar"
    percent: float | None  # done as a share of what was asked for the reported days; None: unknown
    met: bool = False
    partial: bool = False  # only some of the week's days are covered by a report so far
    # A week split between reports: each report's percent, drawn as its own narrow bar and written as
    # "33% / 100%" — never the blend, which no report said.
    parts: tuple[float | None, ...] = ()


def _f(x: float) -> str:
    """A coordinate with one decimal, without a trailing .0 — stable bytes."""
    s = f"{x:.1f}"
    return s.removesuffix(".0")


def _fs(xs: Iterable[float]) -> list[str]:
    """Many coordinates, each as ``_f`` writes it: one formatting, one replace and one split rather
    than a call per value (a page has thousands of them). ``%.1f`` and ``:.1f`` write a float alike."""
    values = tuple(xs)
    return (("%.1f " * len(values)) % values).replace(".0 ", " ").split()


def _num(x: float) -> str:
    return short_number(x)  # the book's one rule for a value in words


class _Frame:
    """Maps dates and values to the plotting area."""

    def __init__(self, start: date, end: date, low: float, high: float, width: int = WIDTH,
                 height: int = HEIGHT) -> None:
        if end <= start:
            start, end = start - timedelta(days=7), start + timedelta(days=7)
        if high <= low:
            low, high = low - 1, low + 1
        self.start, self.end, self.low, self.high = start, end, low, high
        self.width, self.height = width, height
        self.x0, self.x1 = LEFT, width - RIGHT
        self.y0, self.y1 = height - BOTTOM, TOP

    def x(self, when: date) -> float:
        span = (self.end - self.start).days
        return self.x0 + (self.x1 - self.x0) * (when - self.start).days / span

    def y(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        return self.y0 - (self.y0 - self.y1) * (value - self.low) / (self.high - self.low)

    # ``x`` and ``y`` for a whole series: the attributes are read once per list, not once per
    # point. The arithmetic is the same, in the same order, so every coordinate is the
    # same float (tests/test_render_fast_paths.py).
    def xs(self, whens: Iterable[date]) -> list[float]:
        x0, width, start, span = self.x0, self.x1 - self.x0, self.start, (self.end - self.start).days
        return [x0 + width * (when - start).days / span for when in whens]

    def xs_of_ordinals(self, ordinals: Iterable[int]) -> list[float]:
        """``xs`` of dates given as ``date.toordinal()``: day counts without a timedelta per date."""
        x0, width, start, span = self.x0, self.x1 - self.x0, self.start.toordinal(), (self.end - self.start).days
        return [x0 + width * (when - start) / span for when in ordinals]

    def ys(self, values: Iterable[float]) -> list[float]:
        # Each value clamped to low…high as ``y`` does with min and max (the frame keeps low < high),
        # without the two calls per value.
        low, high, y0, height, span = self.low, self.high, self.y0, self.y0 - self.y1, self.high - self.low
        return [y0 - height * ((low if low > value else high if high < value else value) - low) / span  # noqa: FURB136
                for value in values]


def _narrow_frame(start: date, end: date, low: float, high: float) -> _Frame:
    frame = _Frame(start, end, low, high, width=NARROW_WIDTH, height=NARROW_HEIGHT)
    frame.x1 = NARROW_WIDTH - NARROW_RIGHT
    return frame


def _svg_open(chart_id: str, title: str, desc: str, frame: _Frame, fixed: bool = False,
              narrow: bool = False) -> list[str]:
    # ``fixed``: drawn at its own size (a few weeks of bars must not be blown up to the page width).
    # ``narrow``: the phone's drawing of a chart (book.css shows one of the two, by the screen's width).
    size = f' width="{frame.width}" height="{frame.height}"' if fixed else ""
    kind = " chart-fixed" if fixed else (" chart-narrow" if narrow else "")
    return [
        (f'<svg class="chart{kind}" id="{chart_id}" role="img" '
         f'viewBox="0 0 {frame.width} {frame.height}"{size} '
         f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'),
        f'<title id="{chart_id}-t">{esc(title)}</title>',
        f'<desc id="{chart_id}-d">{esc(desc)}</desc>',
    ]


def _patterns(chart_id: str) -> str:
    # Hatching for the more severe bands, so they read in greyscale print and without colour.
    return (
        "<defs>"
        f'<pattern id="{chart_id}-h1" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern>'
        f'<pattern id="{chart_id}-h2" width="4" height="4" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="4" class="hatch"/></pattern>'
        "</defs>"
    )


def _date_ticks(frame: _Frame) -> list[str]:
    out = [f'<line class="axis" x1="{frame.x0}" y1="{frame.y0}" x2="{frame.x1}" y2="{frame.y0}"/>']
    ticks: list[date] = []
    d = date(frame.start.year, frame.start.month, 1)
    while d <= frame.end:
        if d >= frame.start:
            ticks.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    if len(ticks) < 2:
        ticks = [frame.start, frame.end]
        labels = [f"{t.day} {MONTHS[t.month - 1]}" for t in ticks]
    else:
        most = max(2, int((frame.x1 - frame.x0) // 56))  # a label needs ~56 px: eight on a full-width chart
        step = max(1, -(-len(ticks) // most))
        ticks = ticks[::step]
        labels = [
            MONTHS[t.month - 1] + (f" {t.year}" if i == 0 or t.month == 1 else "") for i, t in enumerate(ticks)
        ]
    y0, below, under = frame.y0, frame.y0 + 4, frame.y0 + 16
    out += [f'<line class="tick" x1="{x}" y1="{y0}" x2="{x}" y2="{below}"/>'
            f'<text class="tick-label" x="{x}" y="{under}" text-anchor="middle">{label}</text>'
            for x, label in zip(_fs(frame.xs(ticks)), labels)]
    return out


def _value_ticks(frame: _Frame, values: Sequence[float], labels: Sequence[str] | None = None) -> list[str]:
    out = [f'<line class="axis" x1="{frame.x0}" y1="{frame.y0}" x2="{frame.x0}" y2="{frame.y1}"/>']
    x0, x1, left = frame.x0, frame.x1, frame.x0 - 6
    out += [f'<line class="grid" x1="{x0}" y1="{y}" x2="{x1}" y2="{y}"/>'
            f'<text class="tick-label" x="{left}" y="{y}" dy="0.32em" text-anchor="end">{text}</text>'
            for y, text in zip(_fs(frame.ys(values)), labels or [_num(v) for v in values])]
    return out


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    raw = span / count
    # 1, 2 or 5 times a power of ten, whatever the scale (a count of 70,000 steps a week, too).
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(s * magnitude for s in (1, 2, 5, 10) if s * magnitude >= raw)
    first = low - (low % step) if low % step else low
    ticks = []
    v = first
    while v <= high + 1e-9:
        if v >= low - 1e-9:
            ticks.append(round(v, 6))
        v += step
    return ticks


def _marker(kind: str, x: float, y: float, xs: str, ys: str, tip: str) -> str:
    """A data point's marker at (x, y) (``xs``, ``ys``: the same, formatted) with its tooltip markup."""
    if kind == "improvement":  # a diamond: reliable improvement
        pts = f"{xs},{_f(y - 6)} {_f(x + 6)},{ys} {xs},{_f(y + 6)} {_f(x - 6)},{ys}"
        return f'<polygon class="mk mk-better" points="{pts}">{tip}</polygon>'
    if kind == "deterioration":  # a hollow triangle: reliable deterioration
        pts = f"{xs},{_f(y - 7)} {_f(x + 6.5)},{_f(y + 5)} {_f(x - 6.5)},{_f(y + 5)}"
        return f'<polygon class="mk mk-worse" points="{pts}">{tip}</polygon>'
    if kind == "flagged":  # a square: a critical item was endorsed here
        return f'<rect class="mk mk-flag" x="{_f(x - 5)}" y="{_f(y - 5)}" width="10" height="10">{tip}</rect>'
    return f'<circle class="mk" cx="{xs}" cy="{ys}" r="4">{tip}</circle>'


class Series:
    """A chart's data points, with what every drawing of them writes alike: each point's tooltip
    and value. A chart is drawn twice, for a wide screen and for a phone; one Series serves both."""

    def __init__(self, points: Sequence[Point], unit: str = "") -> None:
        self._fill([p.when for p in points], [p.value for p in points], [p.marker for p in points], unit)

    @classmethod
    def of(cls, whens: list[date], values: list[float], markers: list[str] | None = None, unit: str = "") -> Series:
        """The series of ``Point(whens[k], values[k], markers[k])``, made from its columns without a
        Point for each value (``markers``: all "plain" when None)."""
        series = cls.__new__(cls)
        series._fill(whens, values, markers if markers is not None else ["plain"] * len(values), unit)
        return series

    def _fill(self, whens: list[date], values: list[float], markers: list[str], unit: str) -> None:
        self.ordinals = [when.toordinal() for when in whens]
        self.in_order = self.ordinals == sorted(self.ordinals)  # oldest first, as a page's series are
        self.values = values
        self.markers = markers
        # Scores repeat: each distinct value is written (and placed, ``_Placed``) once; equal numbers
        # are written alike. ``slots``: each point's value's place among them.
        self.texts = {v: _num(v) for v in dict.fromkeys(self.values)}
        self.distinct = list(self.texts)
        slot = {v: i for i, v in enumerate(self.distinct)}
        self.slots = [slot[v] for v in self.values]
        unit = esc(unit)
        # An ISO date and a number we format: only the unit needs escaping, and it is escaped once above.
        texts = self.texts
        self.tips = [f"<title>{when.isoformat()}: {texts[value]}{unit}</title>" for when, value in zip(whens, values)]


def _as_series(points: Sequence[Point] | Series, unit: str = "") -> Series:
    return points if isinstance(points, Series) else Series(points, unit)


class _Placed:
    """A series' positions on one frame, as numbers and as written (the line, the markers and the
    labels placed around them share them)."""

    def __init__(self, frame: _Frame, series: Series) -> None:
        slots = series.slots
        self.xs = frame.xs_of_ordinals(series.ordinals)
        self.fxs = _fs(self.xs)
        ys = frame.ys(series.distinct)
        fys = _fs(ys)
        self.ys = [ys[i] for i in slots]
        self.fys = [fys[i] for i in slots]
        self.in_order = series.in_order  # and so the xs too


def _series(series: Series, placed: _Placed) -> list[str]:
    if not series.values:
        return []
    fxs, fys = placed.fxs, placed.fys
    out = []
    if len(fxs) > 1:
        out.append(f'<polyline class="series" points="{" ".join([f"{a},{b}" for a, b in zip(fxs, fys)])}"/>')
    for kind, tip, x, y, fx, fy in zip(series.markers, series.tips, placed.xs, placed.ys, fxs, fys):
        # Most points are plain: their circle is written here rather than by a call to ``_marker``.
        out.append(f'<circle class="mk" cx="{fx}" cy="{fy}" r="4">{tip}</circle>' if kind == "plain"
                   else _marker(kind, x, y, fx, fy, tip))
    out.append(
        f'<text class="value-label" x="{fxs[-1]}" y="{_f(placed.ys[-1] - 10)}" '
        f'text-anchor="middle">{series.texts[series.values[-1]]}</text>'
    )
    return out


def _right_label(frame: _Frame, y: float, text: str, cls: str = "line-label") -> str:
    return f'<text class="{cls}" x="{frame.x1 + 6}" y="{_f(y)}" dy="0.32em">{esc(text)}</text>'


def _spread(ys: list[float], gap: float = 11) -> list[float]:
    """Nudge right-margin labels apart so they never overprint one another (order kept)."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    for a, b in pairwise(order):
        if out[b] - out[a] < gap:
            out[b] = out[a] + gap
    return out


def shown_events(events: Sequence[Event], start: date, end: date) -> list[Event]:
    """The events a chart from ``start`` to ``end`` draws (the frame's own widening of a single day included)."""
    if end <= start:
        start, end = start - timedelta(days=7), start + timedelta(days=7)
    return [e for e in events if start <= e.when <= end]


def _events(frame: _Frame, events: Sequence[Event]) -> list[str]:
    out = []
    for e in shown_events(events, frame.start, frame.end):
        x = _f(frame.x(e.when))
        out.append(
            f'<g class="event"><title>{e.when.isoformat()}: {esc(e.text)}</title>'
            f'<line class="event-line" x1="{x}" y1="{frame.y1}" x2="{x}" y2="{frame.y0}"/>'
            f'<text class="event-mark" x="{x}" y="{_f(frame.y1 - 2)}" text-anchor="middle">{esc(e.mark)}</text></g>'
        )
    return out


def event_legend(events: Sequence[Event], start: date, end: date) -> Markup:
    """The words of the events a chart draws, under it: text on the page, legible at any width."""
    shown = shown_events(events, start, end)
    if not shown:
        return Markup("")
    items = "".join(f'<li><span class="event-num">{esc(e.mark)}</span> {e.when.day} {MONTHS[e.when.month - 1]} '
                    f'{e.when.year}: {esc(e.text)}</li>' for e in shown)
    return Markup(f'<ul class="chart-events" aria-label="Life events on this chart">{items}</ul>')


def questionnaire_chart(chart_id: str, title: str, desc: str, *, points: Sequence[Point] | Series,
                        bands: Sequence[Band],
                        low: float, high: float, cutoff: float | None, start: date, end: date,
                        cutoff_label: str = "cutoff", width: int = WIDTH, events: Sequence[Event] = (),
                        narrow: bool = False) -> Markup:
    """Totals over time on the instrument's full range, severity bands shaded and labelled.

    A narrower ``width`` (in the viewBox) draws a small multiple — one of several subscale charts side by
    side — whose text stays legible when it is shown at a third of the page. ``narrow``: the phone's
    drawing, its band labels inside the bands. ``points`` may come as a ``Series``, to be drawn again."""
    frame = _narrow_frame(start, end, low, high) if narrow else _Frame(start, end, low, high, width=width)
    series = _as_series(points)
    placed = _Placed(frame, series)
    out = _svg_open(chart_id, title, desc, frame, narrow=narrow)
    out.append(_patterns(chart_id))
    labels: list[tuple[float, str, str]] = []
    for band in bands:
        top, bottom = frame.y(min(band.high + 0.5, high)), frame.y(max(band.low - 0.5, low))
        shade = min(4, round(4 * band.level / max(1, band.levels - 1)))
        out.append(
            f'<rect class="band band-{shade}" x="{frame.x0}" y="{_f(top)}" width="{frame.x1 - frame.x0}" '
            f'height="{_f(bottom - top)}"><title>{esc(band.label)}: {_num(band.low)}–{_num(band.high)}</title></rect>'
        )
        if shade >= 3:
            pattern = "h2" if shade == 4 else "h1"
            out.append(
                f'<rect x="{frame.x0}" y="{_f(top)}" width="{frame.x1 - frame.x0}" height="{_f(bottom - top)}" '
                f'fill="url(#{chart_id}-{pattern})"/>'
            )
        if narrow:  # inside the band, at its top left, where the band is tall enough for a line
            if bottom - top >= 15:
                out.append(f'<text class="band-label in-plot" x="{frame.x0 + 4}" y="{_f(top + 12)}">'
                           f'{esc(band.label)} {_num(band.low)}–{_num(band.high)}</text>')
        else:
            labels.append(((top + bottom) / 2, f"{band.label} {_num(band.low)}–{_num(band.high)}", "band-label"))
    out += _value_ticks(frame, _nice_ticks(low, high))
    out += _date_ticks(frame)
    ys = _spread([lab[0] for lab in labels])
    for (_, text, cls), y in zip(labels, ys):
        out.append(_right_label(frame, y, text, cls))
    if cutoff is not None:
        # The cutoff is labelled on its own line inside the plot, not in the band-label margin,
        # where it would crowd the band that starts at the same score.
        y = frame.y(cutoff)
        out.append(f'<line class="cutoff" x1="{frame.x0}" y1="{_f(y)}" x2="{frame.x1}" y2="{_f(y)}"/>')
        out.append(_line_label_in_plot(frame, y, f"{cutoff_label} {_num(cutoff)}", placed))
    out += _events(frame, events)
    out += _series(series, placed)
    out.append("</svg>")
    return Markup("".join(out))


def goal_chart(chart_id: str, title: str, desc: str, *, points: Sequence[Point] | Series, low: float, high: float,
               start: date, end: date, baseline: float | None = None, target: float | None = None,
               target_date: date | None = None, trend: tuple[tuple[date, float], tuple[date, float]] | None = None,
               level_labels: dict[int, str] | None = None, unit: str = "",
               words: tuple[str, str, str] = ("baseline", "target", "target date"),
               events: Sequence[Event] = (), narrow: bool = False) -> Markup:
    """A goal's measurements with its baseline, target line, target date and trend.

    ``level_labels`` (GAS) puts the −2…+2 level names on the value axis; ``words`` names the
    baseline, the target and the target date (the share page says "start", "aim", "aim by").
    ``points`` may come as a ``Series`` (with its own ``unit``), to be drawn again.
    """
    frame = _narrow_frame(start, end, low, high) if narrow else _Frame(start, end, low, high)
    series = _as_series(points, unit)
    placed = _Placed(frame, series)
    out = _svg_open(chart_id, title, desc, frame, narrow=narrow)
    if level_labels:
        ticks = sorted(level_labels)
        out += _value_ticks(frame, ticks, [_signed(t) for t in ticks])
    else:
        out += _value_ticks(frame, _nice_ticks(low, high))
    out += _date_ticks(frame)
    labels: list[tuple[float, str, str]] = []
    if level_labels and not narrow:  # the phone's chart keeps the −2…+2 ticks; the levels' table is beside it
        for level in sorted(level_labels):
            labels.append((frame.y(level), level_labels[level], "band-label"))
    if target is not None and target_date is not None and frame.start <= target_date <= frame.end:
        x = _f(frame.x(target_date))
        out.append(f'<line class="target-date" x1="{x}" y1="{frame.y0}" x2="{x}" y2="{frame.y1}"/>')
        out.append(f'<text class="small-label" x="{x}" y="{frame.y1 + 8}" dx="-4" text-anchor="end">{esc(words[2])}</text>')
    if baseline is not None:
        y = frame.y(baseline)
        out.append(f'<line class="baseline" x1="{frame.x0}" y1="{_f(y)}" x2="{frame.x1}" y2="{_f(y)}"/>')
        if not level_labels:
            labels.append((y, f"{words[0]} {_num(baseline)}", "line-label"))
    if target is not None:
        y = frame.y(target)
        out.append(f'<line class="target" x1="{frame.x0}" y1="{_f(y)}" x2="{frame.x1}" y2="{_f(y)}"/>')
        if not level_labels:
            labels.append((y, f"{words[1]} {_num(target)}", "line-label target-label"))
    if trend is not None:
        (d0, v0), (d1, v1) = trend
        out.append(
            f'<line class="trend" x1="{_f(frame.x(d0))}" y1="{_f(frame.y(v0))}" '
            f'x2="{_f(frame.x(d1))}" y2="{_f(frame.y(v1))}"/>'
        )
    if narrow:  # no label margin: each line's label inside the plot, where the data leaves room
        for y, text, cls in labels:
            out.append(_line_label_in_plot(frame, y, _clip(text, 20), placed, cls=cls + " in-plot"))
        labels = []
    ys = _spread([lab[0] for lab in labels])
    for (_, text, cls), y in zip(labels, ys):
        out.append(_right_label(frame, y, _clip(text, 20), cls))
    out += _events(frame, events)
    out += _series(series, placed)
    out.append("</svg>")
    return Markup("".join(out))


# An action step's weeks: a row per week (its date, its bar, its percent written in a column of its
# own), so a week two reports share has room for both numbers at any width, and the drawing fits a
# phone's screen at the text size it is drawn with.
ROWS_WIDTH, ROW_HEIGHT, ROWS_TOP = 300, 22, 18
ROWS_LABEL_END, ROWS_X0, ROWS_X1 = 50, 56, 204  # week labels end at 50; bars run 56–204; percents end at 300


def adherence_chart(chart_id: str, title: str, desc: str, weeks: Sequence[WeekBar]) -> Markup:
    """Per-week bars of practice as a percent of the aim, the aim (100%) as a line, percents written.

    One row per week. A week no report covers shows "?" — unknown, not zero. Bars above 200% are
    drawn at 200% (the written number stays true). A week split between two reports has a thin bar
    per report and both percents ("42% / 100%"), never their blend.
    """
    n = max(1, len(weeks))
    high = 200.0 if any(max([w.percent or 0, *(p or 0 for p in w.parts)]) > 150 for w in weeks) else 150.0
    frame = _Frame(date(2000, 1, 1), date(2000, 1, 2), 0, high, width=ROWS_WIDTH,
                   height=ROWS_TOP + n * ROW_HEIGHT + 4)
    out = _svg_open(chart_id, title, desc, frame, fixed=True)
    out[0] = out[0].replace('class="chart chart-fixed"', 'class="chart chart-fixed chart-rows"')

    def x(value: float | None) -> float:
        value = value or 0
        return ROWS_X0 + (ROWS_X1 - ROWS_X0) * (high if high < value else value) / high  # noqa: FURB136 — min(value, high)

    bottom = ROWS_TOP + n * ROW_HEIGHT
    out.append(f'<line class="axis" x1="{ROWS_X0}" y1="{ROWS_TOP - 2}" x2="{ROWS_X0}" y2="{bottom}"/>')
    for i, w in enumerate(weeks):
        top = ROWS_TOP + i * ROW_HEIGHT + 4
        middle = top + 7  # a row's top and middle are whole numbers: written as they are
        label = esc(w.label)
        out.append(f'<text class="tick-label" x="{ROWS_LABEL_END}" y="{middle}" dy="0.35em" '
                   f'text-anchor="end">{label}</text>')
        if w.percent is not None and len(w.parts) > 1:
            said = [_pct(p) if p is not None else "?" for p in w.parts]
            thick = 14 / len(w.parts)
            for k, p in enumerate(w.parts):
                cls = "bar" + (" bar-met" if (p or 0) >= 100 else "") + " bar-split"
                out.append(
                    f'<rect class="{cls}" x="{ROWS_X0}" y="{_f(top + k * thick)}" width="{_f(x(p) - ROWS_X0)}" '
                    f'height="{_f(thick)}"><title>{label}: report {k + 1} of {len(w.parts)} covering this '
                    f'week, {said[k]} of the aim</title></rect>'
                )
            value, label_cls = " / ".join(said), "bar-label bar-label-split"
        elif w.percent is not None:
            cls = "bar" + (" bar-met" if w.met else "") + (" bar-partial" if w.partial else "")
            pct = _pct(w.percent)
            out.append(
                f'<rect class="{cls}" x="{ROWS_X0}" y="{top}" width="{_f(x(w.percent) - ROWS_X0)}" height="14">'
                f'<title>{label}: {pct} of the aim'
                f'{" (part of the week reported)" if w.partial else ""}</title></rect>'
            )
            value, label_cls = pct + ("*" if w.partial else ""), "bar-label"
        else:
            value, label_cls = "?", "bar-label"
        out.append(f'<text class="{label_cls}" x="{ROWS_WIDTH - 2}" y="{middle}" dy="0.35em" '
                   f'text-anchor="end">{value}</text>')
    aim = _f(x(100))
    out.append(f'<line class="prescribed" x1="{aim}" y1="{ROWS_TOP - 2}" x2="{aim}" y2="{bottom}"/>')
    out.append(f'<text class="line-label" x="{aim}" y="{ROWS_TOP - 6}" text-anchor="middle">aim</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _pct(x: float) -> str:
    return percent(x)  # the book's one rule: half up, never 100% unless reached


def _line_label_in_plot(frame: _Frame, y: float, text: str, placed: _Placed,
                        cls: str = "line-label cutoff-label") -> str:
    """A label on a horizontal line, at the left or right end, above or below it: wherever the
    data leaves the most room (first candidate wins a tie, so the same data gives the same bytes)."""
    # Text of 11 units (13 on the phone's chart) is about 0.58 of its size wide per character.
    size = 13.0 if frame.width == NARROW_WIDTH else 11.0
    width, height = 0.58 * size * len(text) + 4, size + 1
    best: tuple[float, float, float, str] | None = None  # room, x, baseline, anchor
    for anchor in ("start", "end"):
        xa = frame.x0 + 10 if anchor == "start" else frame.x1 - 10 - width
        xb = xa + width
        line = _line_heights(placed, xa - 7, xb + 7)  # the same for a label above or below
        for above in (True, False):
            top = y - 3 - height if above else y + 3
            if top < frame.y1 or top + height > frame.y0:
                continue
            room = _room(line, top, top + height)
            if best is None or room > best[0]:
                best = (room, xa if anchor == "start" else xb, top + height - 2.5, anchor)
    if best is None:  # a plot too small for any placement: the right margin
        return _right_label(frame, y, text, cls)
    _, x, base, anchor = best
    return f'<text class="{cls}" x="{_f(x)}" y="{_f(base)}" text-anchor="{anchor}">{esc(text)}</text>'


def _line_heights(placed: _Placed, xa: float, xb: float) -> list[float]:
    """Where the data line is between two x's: its markers, and where its segments cross them."""
    xs, ys = placed.xs, placed.ys
    if placed.in_order:
        # The markers between are one run of the series, and at most one segment crosses each x:
        # found by bisection, in the order the walk along the line below finds them.
        out = ys[bisect_left(xs, xa):bisect_right(xs, xb)]
        for x in (xa, xb):
            k = bisect_left(xs, x)
            if 0 < k < len(xs) and xs[k - 1] < x < xs[k]:
                out.append(ys[k - 1] + (ys[k] - ys[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1]))
        return out
    return _line_heights_walked(list(zip(xs, ys)), xa, xb)


def _line_heights_walked(path: Sequence[tuple[float, float]], xa: float, xb: float) -> list[float]:
    """``_line_heights`` of a line in any order, walked segment by segment."""
    ys: list[float] = [py for px, py in path if xa <= px <= xb]
    for (x0, y0), (x1, y1) in pairwise(path):  # where a segment enters or leaves the box's columns
        if x0 < xa < x1:
            ys.append(y0 + (y1 - y0) * (xa - x0) / (x1 - x0))
        if x0 < xb < x1:
            ys.append(y0 + (y1 - y0) * (xb - x0) / (x1 - x0))
    return ys


def _room(ys: Sequence[float], top: float, bottom: float) -> float:
    """How far the data line (``ys``: its heights in the box's columns) stays from a box (0 when it crosses it)."""
    if not ys:
        return 1000.0
    least, most = min(ys), max(ys)
    if least <= bottom and most >= top:
        return 0.0
    # Clear of the box, the line is nearest it at its least y (all below the box) or its most (all above).
    if least > bottom:
        return least - bottom
    if most < top:
        return top - most
    return min(min(abs(v - top), abs(v - bottom)) for v in ys)  # a y that is not a number


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else ("−" + str(-n) if n < 0 else "0")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 84, 22, 3


def sparkline(name: str, values: Sequence[tuple[date, float]], low: float, high: float, unit: str = "") -> Markup:
    """A small trend line (scores over time on the measure's full range) for the caseload and the
    first screen. Screen readers get every value with its date, in order, as the image's name."""
    if len(values) < 2:
        return Markup("")
    start, end = values[0][0], values[-1][0]
    span = max(1, (end - start).days)
    high = high if high > low else low + 1
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    xs = [SPARK_PAD + inner_w * (d - start).days / span for d, _ in values]
    # Scores repeat: each distinct value is placed and written once (equal numbers alike).
    distinct = list(dict.fromkeys(v for _, v in values))
    place = dict(zip(distinct, _fs([SPARK_PAD + inner_h * (high - min(max(v, low), high)) / (high - low)
                                    for v in distinct])))
    texts = {v: _num(v) for v in distinct}
    fx, fy = _fs(xs), [place[v] for _, v in values]
    said = ", ".join([f"{d.day} {MONTHS[d.month - 1]} {d.year} {texts[v]}{unit}" for d, v in values])
    label = esc(f"{name}, from first to latest: {said}")
    return Markup(
        f'<svg class="spark" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        f'<polyline class="spark-line" points="{" ".join([f"{a},{b}" for a, b in zip(fx, fy)])}"/>'
        f'<circle class="spark-end" cx="{fx[-1]}" cy="{fy[-1]}" r="2.5"/></svg>'
    )
