"""Goal views for the book: the SMART card, progress towards the target, adherence, revisions, GAS.

The arithmetic (percent of the way, trend, projection, adherence per week, the GAS T-score) comes
from ``progress`` and ``gas``; this module gathers the measurements and words the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from goalbook.clinical import gas, progress
from goalbook.clinical.episodes import Episode, episode_number
from goalbook.clinical.episodes import episodes as episodes_of
from goalbook.number_text import half_up, percent
from goalbook.records import model
from goalbook.views.score_views import MONTHS, anchor, book_date, num, signed

if TYPE_CHECKING:
    from goalbook.views.score_views import InstrumentView

GOAL_STATUS_LABELS = {
    "proposed": "Proposed", "active": "Active", "achieved": "Achieved", "paused": "Paused",
    "discontinued": "Discontinued", "revised": "Revised",
}
PER_WORDS = {"day": "a day", "week": "a week", "month": "a month"}
GAS_NAMES = {-2: "much less than expected", -1: "less than expected", 0: "expected level",
             1: "more than expected", 2: "much more than expected"}
MAX_WEEKS_SHOWN = 12  # the recent weeks are what a session needs; totals cover them all
MAX_REPORTS_SHOWN = 6  # the latest reports, as the client gave them
# A week's aim is met only when what was done reaches what was asked; the slack only absorbs float
# steps of spreading a report over its days (3 times over 7 days summed back is 2.9999…).
MET_SLACK = 1e-9


@dataclass(frozen=True)
class SmartItem:
    letter: str
    name: str
    text: str
    ok: bool


@dataclass(frozen=True)
class WeekView:
    start: date
    label: str
    prescribed: float  # asked for this week (the days of the week inside the goal's period)
    expected: float  # asked on the days some report covers
    done: float  # reported, spread evenly over the days since the previous contact
    known: bool  # False: no report covers this week yet (unknown, not zero)
    days: int = 7  # days of the week inside the goal's period
    covered: int = 7  # days of the week some report covers
    # The percent of each report covering this week (``progress.WeekAdherence.parts``): two when the
    # week is split between two reports, and then both are shown, never a blend nobody reported.
    parts: tuple[float | None, ...] = ()

    @property
    def percent(self) -> float | None:
        """Done as a share of what was asked on the covered days: one report's own percent; for a week
        split between reports, their blend (drawn as the bar, never written as a number)."""
        if len(self.parts) == 1:
            return self.parts[0]
        return 100 * self.done / self.expected if self.known and self.expected else None

    @property
    def split(self) -> bool:
        return len(self.parts) > 1

    @property
    def text(self) -> str:
        """The week's cell: "33%", or "33% / 100%" for a week two reports share."""
        if self.split:
            return " / ".join(percent(p) for p in self.parts)
        return percent(self.percent)

    @property
    def partial(self) -> bool:
        return self.known and self.covered < self.days

    @property
    def met(self) -> bool:
        if self.parts:  # judged as reported: every report covering the week met its aim
            return all(p is not None and p >= 100 - MET_SLACK for p in self.parts)
        return self.known and self.expected > 0 and self.done >= self.expected - MET_SLACK

    @property
    def asked(self) -> float:
        """What the week is judged against: the reported days' share, or the whole week when unknown."""
        return self.expected if self.known else self.prescribed


@dataclass
class StepView:
    id: str
    action: str
    frequency: str  # "3 times a week"
    weeks: list[WeekView]
    done: float
    prescribed: float
    percent: float | None
    weeks_met: int
    weeks_known: int
    hidden_weeks: int = 0  # older weeks not drawn (kept short for one-minute reading)
    reports: list[progress.StepReport] = field(default_factory=list)  # newest first, as reported
    hidden_reports: int = 0
    start: date | None = None  # `from:`: the step started after its goal was set, and is measured from then
    minutes: int | None = None  # minutes each time, when the step has a duration
    minutes_done: float | None = None  # minutes reported, over the reports that gave minutes
    minutes_asked: float | None = None  # minutes asked over the days of those reports

    @property
    def minutes_percent(self) -> float | None:
        return 100 * self.minutes_done / self.minutes_asked if self.minutes_done is not None and \
            self.minutes_asked else None


@dataclass(frozen=True)
class MeasurePoint:
    date: date
    value: float
    text: str
    source: str  # "session" or the questionnaire's short name


@dataclass
class GoalView:
    id: str
    anchor: str
    title: str
    own_words: str
    category: str
    focus_area: str
    status: str
    status_label: str
    set_date: date
    target_date: date | None
    review_date: date | None
    review_due: date | None
    achievable: str
    relevant: str
    notes: str
    measure_type: str
    measure_text: str
    direction: str
    direction_text: str
    baseline: float | None
    target: float | None
    target_text: str
    smart: list[SmartItem]
    points: list[MeasurePoint]
    latest_text: str
    percent: float | None
    percent_text: str
    reached: bool
    trend_text: str
    projection_text: str
    progress_explain: str
    low: float
    high: float
    start: date
    end: date
    trend: tuple[tuple[date, float], tuple[date, float]] | None
    gas_levels: dict[int, str] = field(default_factory=dict)
    gas_weight: float | None = None
    steps: list[StepView] = field(default_factory=list)
    revises: tuple[str, str] | None = None  # (anchor, title)
    revised_into: list[tuple[str, str]] = field(default_factory=list)
    episode_label: str = ""  # a returning client: the episode of care the goal was set in

    @property
    def meter(self) -> int:
        """The caseload's progress meter in twentieths (0–20), half up; full only when reached."""
        if self.percent is None:
            return 0
        steps = int(half_up(max(0.0, min(100.0, self.percent)) / 5))
        return steps if self.reached else min(steps, 19)

    @property
    def missing(self) -> list[SmartItem]:
        return [s for s in self.smart if not s.ok]

    @property
    def glance(self) -> str:
        """One line for the caseload: where it stands against the target."""
        if self.measure_type == "gas":
            start = f"{signed(self.baseline)} → " if self.baseline is not None else ""
            state = "expected level reached" if self.reached else "expected level 0"
            return f"GAS {start}{self.latest_text} ({state})"
        if not self.points:
            return "no measurements yet"
        target = f", target {self.target_text}" if self.target is not None else ""
        if self.reached:
            return f"{num(self.baseline)} → {self.latest_text}{target} — target reached"
        pct = f" — {self.percent_text}" if self.percent is not None else ""
        return f"{num(self.baseline)} → {self.latest_text}{target}{pct}"


def _measure_text(m: model.Measure | None, practice: model.Practice) -> tuple[str, str]:
    if m is None:
        return "", "no measure yet"
    if m.type == "questionnaire":
        inst = practice.instruments.get(m.instrument or "")
        name = (inst.short_name or inst.name) if inst else m.instrument
        if m.subscale:
            sub = inst.subscale(m.subscale) if inst else None
            return "", f"{name} {sub.name if sub else m.subscale} subscale score"
        return "", f"{name} total"
    if m.type == "rating":
        return "", f"{m.label or 'Self-rating'} ({num(m.min)}–{num(m.max)} self-rating)"
    if m.type == "count":
        return "", f"{m.label or 'Count'} (times {PER_WORDS.get(m.per or 'week', 'a week')})"
    return "", "Goal Attainment Scale (−2 … +2)" + (f", weight {num(m.weight)}" if m.weight != 1 else "")


def _points(goal: model.Goal, client: model.Client, instruments: dict[str, InstrumentView],
            episode: Episode | None) -> list[MeasurePoint]:
    """``episode``: the goal's episode of care (``_goal_episode``)."""
    explicit = _session_points(goal, client)
    m = goal.measure
    if explicit or m is None or m.type != "questionnaire":
        return explicit
    # A questionnaire goal without written measurements follows the questionnaire's totals (or the chosen
    # subscale's scores) from the goal's start.
    iv = instruments.get(m.instrument or "")
    if not iv:
        return []
    # Within the goal's episode of care: a returning client's new scores are not this goal's progress.
    rows = [r for r in iv.rows if r.date >= goal.set_date and (episode is None or r.episode == episode.number)]
    if m.subscale:
        out = []
        for r in rows:
            cell = next((c for c in r.subscales if c.id == m.subscale), None)
            if cell is not None and cell.total is not None:
                out.append(MeasurePoint(r.date, cell.total, cell.total_text, f"{iv.short_name} {cell.name}"))
        return out
    return [MeasurePoint(r.date, r.total, r.total_text, iv.short_name) for r in rows if r.total is not None]


def _goal_episode(goal: model.Goal, care: Sequence[Episode]) -> Episode | None:
    """The episode of care the goal was set in, of the client's episodes ``care``; None when the client
    has had only one."""
    if len(care) < 2:
        return None
    return care[episode_number([e.start for e in care[1:]], goal.set_date) - 1]


def _session_points(goal: model.Goal, client: model.Client) -> list[MeasurePoint]:
    """The goal's measurements written in the sessions. A measure takes a few values again and again,
    so each value's text is worked out once."""
    say = signed if goal.measure and goal.measure.type == "gas" else num  # as ``_level_or_num``
    texts: dict[float, str] = {}
    out = []
    for s in client.sessions:
        if goal.id in s.measurements:
            value = s.measurements[goal.id]
            text = texts.get(value)
            if text is None:
                text = texts[value] = say(value)
            out.append(MeasurePoint(s.date, float(value), text, "session"))
    return out


def _level_or_num(goal: model.Goal, value: float) -> str:
    if goal.measure and goal.measure.type == "gas":
        return signed(value)
    return num(value)


def _baseline_words(goal: model.Goal, points: list[MeasurePoint]) -> str:
    """The baseline as the card says it: as written; else the first measurement, said as such (the
    book's one baseline rule: ``progress.goal_progress`` uses the same first value); else none yet."""
    if goal.baseline is not None:
        return f"baseline {_level_or_num(goal, goal.baseline)}"
    questionnaire = goal.measure is not None and goal.measure.type == "questionnaire"
    if points:
        first = points[0]
        what = f"the first {first.source} score" if questionnaire else "the first measurement"
        return f"baseline {first.text}: {what} since the goal was set ({book_date(first.date)})"
    if questionnaire:
        return "baseline: the first score once the questionnaire is given"
    return "no baseline yet"


def _smart(goal: model.Goal, measure_text: str, points: list[MeasurePoint] | None = None) -> list[SmartItem]:
    points = points or []
    target = goal.target.text if goal.target else ("0 (the expected level)" if goal.measure and goal.measure.type == "gas" else "")
    # A questionnaire goal's baseline is its first score by rule, so it is measurable without one written.
    measurable_ok = goal.measure is not None and (goal.baseline is not None
                                                  or goal.measure.type in ("gas", "questionnaire"))
    m_text = measure_text if goal.measure else "no measure yet"
    if goal.measure is not None:
        m_text += "; " + _baseline_words(goal, points)
        if target:
            m_text += f"; target {target}"
    time_parts = []
    if goal.target_date:
        time_parts.append(f"target date {book_date(goal.target_date)}")
    if goal.review_date:
        time_parts.append(f"review {book_date(goal.review_date)}")
    return [
        SmartItem("S", "Specific", goal.title, bool(goal.title.strip())),
        SmartItem("M", "Measurable", m_text, measurable_ok and bool(target)),
        SmartItem("A", "Achievable", goal.achievable or "why this is realistic is not written yet", bool(goal.achievable.strip())),
        SmartItem("R", "Relevant", goal.relevant or "the link to the client's hopes is not written yet", bool(goal.relevant.strip())),
        SmartItem("T", "Time-bound", "; ".join(time_parts) or "no target date yet", goal.target_date is not None),
    ]


def _review_due(goal: model.Goal, practice: model.Practice) -> date | None:
    if goal.review_date:
        return goal.review_date
    return goal.set_date + timedelta(weeks=practice.alerts.review_every_weeks)


def _frequency(step: model.ActionStep) -> str:
    """"3 times a week"; "30 minutes, 5 times a week" for a step with a duration."""
    times = "once" if step.times == 1 else ("twice" if step.times == 2 else f"{step.times} times")
    length = f"{step.minutes} minute{'s' if step.minutes != 1 else ''}, " if step.minutes else ""
    return f"{length}{times} {PER_WORDS.get(step.per, step.per)}"


def _step_view(step: model.ActionStep, goal: model.Goal, client: model.Client, today: date) -> StepView:
    start = progress.step_start(step, goal.set_date)  # `from:`, when the step starts after its goal
    all_reports = progress.step_reports(step, client.sessions, start=start)  # once for both uses
    # A goal no longer active ends at the step's last report: every session recording it gives one, in
    # date order.
    end = today if goal.status == "active" else (all_reports[-1].date if all_reports else start)
    tallies = progress.week_tallies(all_reports, start=start, end=end) if end >= start else []
    # The same prescription per day as ``progress.adherence`` (a month = 12/52 of a week's worth), so
    # "asked" and the percent agree.
    per_day = step.times * progress.PER_DAY.get(step.per, 0.0)
    reports = [r for r in all_reports if r.date <= end]
    shown_reports = reports[::-1][:MAX_REPORTS_SHOWN]
    hidden = max(0, len(tallies) - MAX_WEEKS_SHOWN)
    # Totals cover every week; only the weeks drawn are judged and made views.
    done = expected = 0.0
    weeks_met = weeks_known = 0
    asked_on = [_week_expected(per_day, days) for days in range(8)]  # by a week's reported days, 0–7
    percents = [r.percent for r in all_reports]
    report_met = [(p or 0) >= 100 - MET_SLACK for p in percents]
    for _, _, recorded_days, week_done, covering in tallies:
        if recorded_days > 0:
            asked = asked_on[recorded_days]
            done += week_done
            expected += asked
            weeks_known += 1
            if covering:  # as ``WeekView.met`` judges a week: every report covering it met its aim
                weeks_met += all(map(report_met.__getitem__, covering))
            else:
                weeks_met += asked > 0 and week_done >= asked - MET_SLACK
    # The weeks drawn, as ``progress.week_adherence`` judges them.
    prescribed = progress.prescribed_per_day(step)
    weeks = [_week_view(t, prescribed, asked_on, percents) for t in tallies[hidden:]]
    minutes_done = sum(r.minutes for r in reports if r.minutes is not None)
    minutes_asked = sum(r.asked_minutes or 0 for r in reports if r.minutes is not None)
    return StepView(
        id=step.id,
        action=step.action,
        frequency=_frequency(step),
        weeks=weeks,
        done=done if weeks_known else 0,
        prescribed=expected if weeks_known else 0,
        percent=(100 * done / expected) if expected else None,
        weeks_met=weeks_met,
        weeks_known=weeks_known,
        hidden_weeks=hidden,
        reports=shown_reports,
        hidden_reports=len(reports) - len(shown_reports),
        start=start if start != goal.set_date else None,
        minutes=step.minutes,
        minutes_done=minutes_done if minutes_asked else None,
        minutes_asked=minutes_asked or None,
    )


def _week_expected(per_day: float, recorded_days: int) -> float:
    """What was asked on the days of a week some report covers."""
    return round(per_day * recorded_days, 6)


def _week_view(t: progress.WeekTally, per_day: float, asked_on: Sequence[float],
               percents: Sequence[float | None]) -> WeekView:
    """A week's tally as drawn: ``per_day`` times a day prescribed (``progress.prescribed_per_day``),
    ``asked_on`` what was asked by the week's reported days (``_week_expected``), ``percents`` each
    report's own percent (the reports ``progress.week_tallies`` was given)."""
    start = date.fromordinal(t.monday)
    return WeekView(start, f"{start.day} {MONTHS[start.month - 1]}", per_day * t.days, asked_on[t.recorded_days],
                    t.done, t.recorded_days > 0, days=t.days, covered=t.recorded_days,
                    parts=tuple(map(percents.__getitem__, t.reports)))


def _scale(goal: model.Goal, points: list[MeasurePoint], baseline: float | None, target: float | None,
           instruments: dict[str, InstrumentView]) -> tuple[float, float]:
    m = goal.measure
    if m is not None and m.type == "gas":
        return -2.0, 2.0
    if m is not None and m.type == "rating":
        return float(m.min), float(m.max)
    if m is not None and m.type == "questionnaire" and m.instrument in instruments:
        iv = instruments[m.instrument]
        sub = next((s for s in iv.subscales if s.id == m.subscale), None) if m.subscale else None
        if sub is not None:
            return sub.low, sub.high
        if not m.subscale:
            return iv.low, iv.high
    values = [p.value for p in points] + [v for v in (baseline, target) if v is not None]
    high = max(values + [1.0])
    return 0.0, float(high + max(1.0, round(high * 0.15)))


def _trend_line(points: list[MeasurePoint], per_week: float | None) -> tuple[tuple[date, float], tuple[date, float]] | None:
    """The least-squares line passes through the mean point; draw it across the measured span."""
    if per_week is None or len(points) < 2:
        return None
    base = points[0].date.toordinal()
    mean_x = sum(p.date.toordinal() - base for p in points) / len(points)
    mean_y = sum(p.value for p in points) / len(points)
    per_day = per_week / 7

    def at(d: date) -> float:
        return round(mean_y + per_day * (d.toordinal() - base - mean_x), 3)

    return (points[0].date, at(points[0].date)), (points[-1].date, at(points[-1].date))


def _projection(prog: progress.Progress, goal: model.Goal, today: date, latest_text: str) -> str:
    """Where the trend line meets the target, in words, for the line under the chart."""
    if prog.reached:
        return "target reached"
    projected = prog.projected_date
    if projected is None:
        return "the trend does not point towards the target yet" if prog.trend_per_week is not None else ""
    if projected < today:
        # A date already past would read as a forecast that came true; it means the line fitted through
        # the measurements crosses the target already, while the latest measurement has not reached it.
        text = (f"the trend line already crosses the target, but the latest measurement "
                f"({latest_text} on {book_date(prog.latest_date)}) has not reached it")
        on_time = prog.on_track and goal.target_date is not None and today <= goal.target_date
        return text + (" — on track for the target date" if on_time else "")
    text = f"at this pace the target is reached around {book_date(projected)}"
    if prog.on_track is not None and goal.target_date:
        text += " — on track for the target date" if prog.on_track else " — after the target date"
    return text


def goal_view(goal: model.Goal, client: model.Client, practice: model.Practice,
              instruments: dict[str, InstrumentView], revised_into: list[tuple[str, str]],
              care: Sequence[Episode] | None = None) -> GoalView:
    """``care``: the client's episodes of care (``episodes.episodes``) when the caller has them."""
    _, measure_text = _measure_text(goal.measure, practice)
    episode = _goal_episode(goal, episodes_of(client) if care is None else care)
    points = _points(goal, client, instruments, episode)
    direction = progress.effective_direction(goal, practice.instruments)
    prog = progress.goal_progress(goal, [(p.date, p.value) for p in points], today=practice.today, direction=direction)
    baseline, target, percent, reached = prog.baseline, prog.target, prog.percent, prog.reached
    is_gas = goal.measure is not None and goal.measure.type == "gas"
    target_text = goal.target.text if goal.target else ("0 (expected level)" if is_gas else "not set")
    if goal.target and goal.target.value is None and target is not None:
        target_text = f"{goal.target.text} (= {num(target)})"
    unit = {"gas": " levels", "count": ""}.get(goal.measure.type if goal.measure else "", " points")
    per_week = prog.trend_per_week
    trend_text = f"{signed(half_up(per_week, 2))}{unit} a week" if per_week is not None else "not enough measurements for a trend"
    latest = prog.latest
    latest_text = _level_or_num(goal, latest) if latest is not None else "—"
    projection = _projection(prog, goal, practice.today, latest_text)
    low, high = _scale(goal, points, baseline, target, instruments)
    span_end = max([p.date for p in points] + [goal.target_date or goal.set_date, min(practice.today, goal.target_date or practice.today)])
    revises = None
    if goal.revises:
        old = client.goal(goal.revises)
        revises = (anchor("goal", goal.revises), old.title if old else goal.revises)
    return GoalView(
        id=goal.id,
        anchor=anchor("goal", goal.id),
        title=goal.title,
        own_words=goal.own_words,
        category=practice.categories.get(goal.category, goal.category),
        focus_area=next((f.name for f in client.focus_areas if f.id == goal.focus_area), goal.focus_area),
        status=goal.status,
        status_label=GOAL_STATUS_LABELS.get(goal.status, goal.status),
        set_date=goal.set_date,
        target_date=goal.target_date,
        review_date=goal.review_date,
        review_due=_review_due(goal, practice),
        achievable=goal.achievable,
        relevant=goal.relevant,
        notes=goal.notes,
        measure_type=goal.measure.type if goal.measure else "",
        measure_text=measure_text,
        direction=direction,
        direction_text="lower is better" if direction == "decrease" else "higher is better",
        baseline=baseline,
        target=target,
        target_text=target_text,
        smart=_smart(goal, measure_text, points),
        points=points,
        latest_text=latest_text,
        percent=percent,
        percent_text=prog.percent_text(),
        reached=reached,
        trend_text=trend_text,
        projection_text=projection,
        progress_explain=prog.explain,
        low=low,
        high=high,
        start=min([goal.set_date] + [p.date for p in points]),
        end=span_end,
        trend=_trend_line(points, per_week),
        gas_levels=dict(goal.measure.levels) if is_gas and goal.measure else {},
        gas_weight=goal.measure.weight if is_gas and goal.measure else None,
        steps=[_step_view(s, goal, client, practice.today) for s in goal.steps],
        revises=revises,
        revised_into=revised_into,
        episode_label=episode.label if episode is not None else "",
    )


def goal_views(client: model.Client, practice: model.Practice, instruments: list[InstrumentView],
               care: Sequence[Episode] | None = None) -> list[GoalView]:
    """``care``: the client's episodes of care (``episodes.episodes``) when the caller has them."""
    care = episodes_of(client) if care is None else care
    by_id = {iv.id: iv for iv in instruments if not iv.respondent}  # a goal is measured by the client's own answers
    successors: dict[str, list[tuple[str, str]]] = {}
    for g in client.goals:
        if g.revises:
            successors.setdefault(g.revises, []).append((anchor("goal", g.id), g.title))
    return [goal_view(g, client, practice, by_id, successors.get(g.id, []), care) for g in client.goals]


@dataclass
class GasView:
    t_now: float | None
    t_baseline: float | None
    goals: list[tuple[str, str, float, str, str]]  # (anchor, title, weight, baseline level, current level)
    explain: str


def gas_view(goals: list[GoalView]) -> GasView | None:
    """The Kiresuk–Sherman T-score over the client's GAS goals (current level, and at baseline)."""
    gas_goals = [g for g in goals if g.measure_type == "gas" and g.status not in ("revised", "discontinued", "proposed")]
    if not gas_goals:
        return None
    rows = []
    current, weights = [], []
    for g in gas_goals:
        level = g.points[-1].value if g.points else g.baseline
        rows.append((g.anchor, g.title, g.gas_weight or 1.0, signed(g.baseline), signed(level)))
        current.append(level)
        weights.append(g.gas_weight or 1.0)
    t_now = t_base = None
    explain = ""
    if all(v is not None for v in current):
        result = gas.t_score([int(v) for v in current], weights)
        t_now, explain = result.t_score, result.explain()
    baselines = [g.baseline for g in gas_goals]
    if all(v is not None for v in baselines):
        t_base = gas.t_score([int(v) for v in baselines], weights).t_score
    return GasView(t_now, t_base, rows, explain)
