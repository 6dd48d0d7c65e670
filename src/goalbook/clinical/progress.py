"""Progress towards a goal and adherence to its action steps. Pure functions: "today" is passed in.

Percent of the way: ``(latest − baseline) / (target − baseline) × 100``. The sign of the denominator
carries the direction, so the one formula serves "lower is better" and "higher is better". It is not
clamped: below 0 means the measure moved away from the target, above 100 means it went past it
(``Progress.percent_text`` says so in words rather than drawing a bar past its end).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any, Literal, NamedTuple

from goalbook.number_text import formula_number, formula_term, half_up
from goalbook.number_text import percent as percent_shown
from goalbook.records import model

Direction = Literal["decrease", "increase"]

# Times per day of "N times per <period>"; a month is 12/52 of a week's worth, i.e. 12/(52·7) per day.
PER_DAY = {"day": 1.0, "week": 1 / 7, "month": 12 / 52 / 7}
NO_CONTACT = ("did-not-attend", "cancelled")  # these sessions did not take place: not a contact
ONE_DAY = timedelta(days=1)
# ``Session.sort_key`` without a property call per session.
SESSION_ORDER = attrgetter("date", "time", "file")


def stated_direction(goal: model.Goal, instruments: dict[str, Any]) -> Direction | None:
    """The direction the goal itself settles: as written; else from the instrument (higher is worse
    → decrease); GAS → increase; a relative target says it ("50% lower"). None when only the numbers
    could tell (docs/format.md)."""
    if goal.direction in ("decrease", "increase"):
        return goal.direction
    m = goal.measure
    if m is not None and m.type == "gas":
        return "increase"
    if m is not None and m.type == "questionnaire":
        inst = instruments.get(m.instrument or "")
        if inst is not None:
            return "decrease" if getattr(inst, "direction", "") == "higher_is_worse" else "increase"
    if goal.target is not None and goal.target.relative is not None:
        return "decrease" if goal.target.relative == "lower" else "increase"
    return None


def effective_direction(goal: model.Goal, instruments: dict[str, Any]) -> Direction:
    """The stated direction; else from target vs baseline. With nothing to go on: increase."""
    stated = stated_direction(goal, instruments)
    if stated is not None:
        return stated
    target, baseline = goal.target.value if goal.target else None, goal.baseline
    if target is not None and baseline is not None and target != baseline:
        return "decrease" if target < baseline else "increase"
    return "increase"


@dataclass(frozen=True)
class Progress:
    direction: Direction
    baseline: float | None
    baseline_from: str  # "goal" (as written), "first measurement", or "" when unknown
    target: float | None  # resolved (a relative target becomes a number)
    latest: float | None
    latest_date: date | None
    percent: float | None  # not clamped: < 0 moved away, > 100 went past the target
    reached: bool
    trend_per_week: float | None  # least-squares slope over all measurements
    projected_date: date | None  # when the trend line reaches the target; None when flat or pointing away
    on_track: bool | None  # reached, or projected by the target date; None when it cannot be told
    explain: str

    def percent_text(self) -> str:
        if self.percent is None:
            return ""
        shown = percent_shown(self.percent, reached=self.reached)
        if self.percent < 0 and shown != "0%":
            return f"{shown}: moved away from the target"
        if self.reached and shown != "100%":
            return f"{shown}: past the target"
        return f"{shown} of the way from baseline to target"


def _least_squares(points: Sequence[tuple[date, float]]) -> tuple[float, float, float] | None:
    """(mean day, mean value, slope per day) of the least-squares line; None without two distinct dates."""
    if len({d for d, _ in points}) < 2:
        return None
    base = points[0][0].toordinal()
    xs = [d.toordinal() - base for d, _ in points]
    ys = [float(v) for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return mx, my, slope


def goal_progress(goal: model.Goal, points: Sequence[tuple[date, float]], *, today: date,
                  direction: str) -> Progress:
    """Baseline, resolved target, latest value, percent of the way, trend per week and projected date."""
    pts = sorted(points, key=lambda p: p[0])
    is_gas = goal.measure is not None and goal.measure.type == "gas"
    baseline, baseline_from = goal.baseline, "goal"
    if baseline is None and pts:
        baseline, baseline_from = float(pts[0][1]), "first measurement"
    elif baseline is None:
        baseline_from = ""
    target = goal.target.resolve(baseline) if goal.target is not None else None
    if target is None and is_gas:
        target = 0.0  # the expected level
    latest, latest_date = (float(pts[-1][1]), pts[-1][0]) if pts else (None, None)
    down = direction == "decrease"
    notes: list[str] = []
    percent = None
    if baseline is not None and target is not None and latest is not None:
        if (target < baseline) if down else (target > baseline):
            percent = (latest - baseline) / (target - baseline) * 100
            notes.append(f"{formula_number(half_up(percent, 1))}% = ({formula_number(latest)} − {formula_term(baseline)}) / "
                         f"({formula_number(target)} − {formula_term(baseline)}) × 100")
        else:
            notes.append(f"the target {formula_number(target)} is not {'below' if down else 'above'} the baseline "
                         f"{formula_number(baseline)}, so progress cannot be measured towards it")
    reached = latest is not None and target is not None and ((latest <= target) if down else (latest >= target))
    trend = projected = None
    fit = _least_squares(pts)
    if fit is not None:
        mx, my, slope = fit
        trend = slope * 7
        shown = half_up(trend, 2)
        notes.append(f"trend {'−' if shown < 0 else '+'}{abs(shown):.2f} a week "
                     f"(least squares over {len(pts)} measurements)")
        towards = target is not None and slope != 0 and ((slope < 0) if down else (slope > 0))
        if towards and not reached:
            day = mx + (target - my) / slope  # type: ignore[operator]
            projected = pts[0][0] + timedelta(days=math.ceil(day))
            # The line may cross the target before the last measurement when the data are noisy:
            # the earliest honest projection is the day of the last measurement.
            projected = max(projected, pts[-1][0])
    on_track: bool | None = None
    if reached:
        on_track = True
    elif goal.target_date is not None:
        if today > goal.target_date:
            on_track = False
        elif projected is not None:
            on_track = projected <= goal.target_date
        elif trend is not None:
            on_track = False  # flat or moving away
    explain = "; ".join(notes) if notes else "not enough measurements yet"
    return Progress(direction=direction, baseline=baseline, baseline_from=baseline_from,  # type: ignore[arg-type]
                    target=target, latest=latest, latest_date=latest_date, percent=percent, reached=reached,
                    trend_per_week=trend, projected_date=projected, on_track=on_track, explain=explain)


@dataclass(frozen=True)
class WeekAdherence:
    """One ISO week of an action step. ``prescribed`` counts the week's days inside the period;
    ``percent`` compares ``done`` with what was prescribed on the days some report covers."""

    year: int
    week: int
    start: date  # the Monday
    days: int  # days of this week inside [start, end]
    prescribed: float
    done: float
    recorded_days: int  # days covered by a report of this step
    percent: float | None  # None when no report covers this week
    # The percent of each report that covers days of this week, in date order. One report: ``percent``
    # is that report's own percent. A week split between two reports shows both, never their blend
    # (33 % and 100 % are what the client said; a 43 % for the week is what nobody said).
    parts: tuple[float | None, ...] = ()


def adherence(step: model.ActionStep, sessions: Sequence[model.Session], *, start: date,
              end: date, reports: Sequence[StepReport] | None = None) -> list[WeekAdherence]:
    """Per ISO week from ``start`` to ``end`` (inclusive): times prescribed, done, and percent.

    Each report's count is spread evenly over the days it covers (``step_reports``); days no report
    covers are unknown, not zero. ``reports``: ``step_reports(step, sessions, start=start)`` when the
    caller already has them.
    """
    per_day = prescribed_per_day(step)
    if reports is None:
        reports = step_reports(step, sessions, start=start)
    return [week_adherence(tally, per_day, reports) for tally in week_tallies(reports, start=start, end=end)]


def prescribed_per_day(step: model.ActionStep) -> float:
    """Times a day the step asks for (``PER_DAY``)."""
    return PER_DAY[step.per] * step.times


class WeekTally(NamedTuple):
    """One ISO week of an action step, counted but not yet judged (``week_adherence`` judges it)."""

    monday: int  # the Monday, as an ordinal
    days: int  # days of this week inside [start, end]
    recorded_days: int  # days covered by a report
    done: float  # times done on those days, spread from the reports (0 when none)
    reports: tuple[int, ...] = ()  # indices of the reports covering days of this week, in date order


def week_tallies(reports: Sequence[StepReport], *, start: date, end: date) -> list[WeekTally]:
    """Per ISO week from ``start`` to ``end`` (inclusive): the days inside, the days some report covers
    and the times done on them. Cheap, so a caller can total every week and judge only some.

    ``reports`` are in date order, as ``step_reports`` gives them: each one's first and last day are
    then no earlier than the one's before, so the reports covering a week are a run of neighbours, and
    the run only moves forward from week to week."""
    first_day, last_day = start.toordinal(), end.toordinal()
    first_monday = first_day - start.weekday()
    done_on = _done_per_day(reports, first_monday, last_day)
    # Days are counted from the first Monday: day d of ``done_on`` is ordinal first_monday + d.
    begin, stop = first_day - first_monday, len(done_on)
    firsts = [r.first_day.toordinal() - first_monday for r in reports]
    lasts = [f + r.days - 1 for f, r in zip(firsts, reports)]
    count = len(reports)
    every = tuple(range(count))  # a week's covering reports are a slice of these
    past = 0  # the reports before ``past`` end before this week
    tallies = []
    lo = begin  # the first week begins at ``start``
    for monday in range(0, stop, 7):
        # This week's days inside [start, end]: lo … hi − 1.
        hi = min(monday + 7, stop)
        week = done_on[lo:hi]
        recorded = week if None not in week else [v for v in week if v is not None]
        while past < count and lasts[past] < lo:
            past += 1
        covering: tuple[int, ...] = ()
        if recorded:
            after = past  # the reports from ``after`` on start after this week
            while after < count and firsts[after] < hi:
                after += 1
            covering = every[past:after]
        # Days run in date order, so every sum is the same float as over a week's dates.
        tallies.append(WeekTally(first_monday + monday, len(week), len(recorded), sum(recorded), covering))
        lo = hi
    return tallies


def week_adherence(tally: WeekTally, per_day: float, reports: Sequence[StepReport] = ()) -> WeekAdherence:
    """A week's tally judged against ``per_day`` times a day (``prescribed_per_day``), with the percent
    of each report that covers it (``reports``: the list ``week_tallies`` was given)."""
    monday = date.fromordinal(tally.monday)
    iso = monday.isocalendar()
    expected = per_day * tally.recorded_days
    parts = tuple(reports[k].percent for k in tally.reports) if reports else ()
    percent = tally.done / expected * 100 if tally.recorded_days and expected else None
    if len(parts) == 1:
        percent = parts[0]  # the same share, said as the client's report said it
    return WeekAdherence(
        year=iso[0], week=iso[1], start=monday, days=tally.days, prescribed=per_day * tally.days,
        done=tally.done, recorded_days=tally.recorded_days, percent=percent, parts=parts,
    )


def _done_per_day(reports: Sequence[StepReport], first: int, last: int) -> list[float | None]:
    """Times done on each day from ordinal ``first`` to ``last``, None on a day no report covers.

    Each report's count is spread evenly over its days, and added in report order, so every sum is
    the same float whatever the layout. A list indexed by day, not a dict of dates."""
    done_on: list[float | None] = [None] * (last - first + 1)
    reached = 0  # no earlier report covers a day from here on
    for report in reports:
        share = report.times / report.days  # spread evenly: the client reports a total, not days
        start = report.first_day.toordinal()
        lo, hi = max(start, first) - first, min(start + report.days - 1, last) - first + 1
        if hi <= lo:
            continue  # none of its days from ``first`` to ``last``
        if lo >= reached:  # no earlier report on these days: the usual case
            done_on[lo:hi] = [0.0 + share] * (hi - lo)
        else:
            for i in range(lo, hi):
                before = done_on[i]
                done_on[i] = (0.0 if before is None else before) + share
        reached = max(reached, hi)
    return done_on


class StepReport(NamedTuple):
    """One contact's report of an action step, as the client gave it: a whole count over a period.

    A named tuple, like ``WeekTally``: a book makes one for every report of every step."""

    date: date  # the contact
    first_day: date  # the first day the count covers
    days: int
    times: float  # as reported
    asked: float  # what the step asks for over those days
    minutes: float | None = None  # as reported ({times: N, minutes: M}); None: not reported
    asked_minutes: float | None = None  # the step's minutes × the times asked; None: the step has none

    @property
    def percent(self) -> float | None:
        return self.times / self.asked * 100 if self.asked else None

    @property
    def minutes_percent(self) -> float | None:
        """Minutes done as a share of the minutes asked (30 minutes, 5 times a week: 150 a week)."""
        if self.minutes is None or not self.asked_minutes:
            return None
        return self.minutes / self.asked_minutes * 100


def step_start(step: model.ActionStep, goal_set: date) -> date:
    """The day adherence is measured from: the step's `from:` when later than its goal's set date."""
    return max(step.start, goal_set) if step.start is not None else goal_set


def step_reports(step: model.ActionStep, sessions: Sequence[model.Session], *, start: date) -> list[StepReport]:
    """Each report of ``step``, oldest first, with the days it covers (the rule ``adherence`` spreads by).

    A report covers the days since the previous contact (exclusive) up to its own day (inclusive);
    the first one covers the days from ``start``. It never reaches back before ``start`` (the step did
    not exist yet, and a count there would fall outside every week), and a second contact on the same
    day covers that day alone. A session that did not take place is not a contact, unless homework
    was recorded at it: then it is used as recorded, like its scores and measurements, and `check` warns.
    """
    per_day = prescribed_per_day(step)
    out: list[StepReport] = []
    previous: date | None = None
    for s in sorted(sessions, key=SESSION_ORDER):
        if s.kind in model.NOT_A_CONTACT_KINDS and not s.homework:
            continue
        if step.id in s.homework:
            first_day = (previous + ONE_DAY) if previous is not None else start
            first_day = min(max(first_day, min(start, s.date)), s.date)
            span = (s.date - first_day).days + 1
            minutes = s.homework_minutes.get(step.id)
            out.append(StepReport(s.date, first_day, span, float(s.homework[step.id]), per_day * span,
                                  float(minutes) if minutes is not None else None,
                                  per_day * span * step.minutes if step.minutes else None))
        previous = s.date  # the latest contact so far: sessions are in date order
    return out
