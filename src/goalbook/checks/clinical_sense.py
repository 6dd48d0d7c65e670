"""Stage 4: clinical sense — answers a questionnaire allows, dates, targets and measurements."""

from __future__ import annotations

from collections.abc import Sequence
from operator import contains
from typing import Any

from goalbook.checks import Context, finding, goal_pointer
from goalbook.clinical.progress import NO_CONTACT, stated_direction
from goalbook.clinical.scoring import answer_problems, possible_total_problem
from goalbook.number_text import plain_number
from goalbook.records.load import Finding
from goalbook.records.model import ActionStep, Client, Goal, Session


def check(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for client in ctx.practice.clients:
        findings += _client_dates(ctx, client)
        for i, goal in enumerate(client.goals):
            findings += _goal(ctx, client, i, goal)
        # The client's goals and steps by id, looked up for every session (the first goal of an id,
        # as ``Client.goal`` finds it).
        goals: dict[str, Goal] = {}
        for goal in client.goals:
            goals.setdefault(goal.id, goal)
        steps = client.steps()
        for session in client.sessions:
            findings += _session(ctx, goals, steps, session)
        findings += _sessions_before_start(ctx, client)
        findings += _sessions_after_end(ctx, client)
        findings += _discharge_not_recorded(client)
    return findings


def _future(ctx: Context, path: str, pointer: tuple, what: str, when) -> list[Finding]:
    if when is None or when <= ctx.today:
        return []
    return [finding(
        path, pointer, "error", "future-date",
        f"the {what} {when.isoformat()} is in the future (today is {ctx.today.isoformat()})",
        "check the year and month; if goalbook's idea of today is wrong, set `today:` in goalbook.yaml "
        "or pass --today",
    )]


def _client_dates(ctx: Context, client: Client) -> list[Finding]:
    path = ctx.client_file(client)
    out = _future(ctx, path, ("start_date",), "start date", client.start_date)
    if client.end_date is not None and client.end_date < client.start_date:
        out.append(finding(
            path, ("end_date",), "error", "end-before-start",
            f"the end date {client.end_date.isoformat()} is before the start date {client.start_date.isoformat()}",
            "correct one of the two dates",
        ))
    if client.status == "discharged" and client.end_date is None:
        out.append(finding(
            path, ("status",), "warning", "no-end-date", "this client is discharged but has no end date",
            "add `end_date: YYYY-MM-DD` with the date of discharge",
        ))
    for k, review in enumerate(client.alert_reviews):
        # A review covers every endorsement up to its date: a date still to come would hide new ones.
        if review.date > ctx.today:
            out.append(finding(
                path, ("alert_reviews", k, "date"), "error", "future-date",
                f"this alert review is dated {review.date.isoformat()}, in the future (today is "
                f"{ctx.today.isoformat()}): it would hide every critical item endorsed until then",
                "write the day you reviewed the alert (check the year); if goalbook's idea of today is wrong, "
                "set `today:` in goalbook.yaml or pass --today",
            ))
    if client.end_reason and client.status != "discharged":
        out.append(finding(
            path, ("end_reason",), "warning", "end-reason-not-discharged",
            f"this client has an ending reason ({client.end_reason}) but the status is {client.status}",
            "set `status: discharged` (with `end_date`) if the work has ended, or remove `end_reason`",
        ))
    return out


# --- Goals ------------------------------------------------------------------------------------


def _goal(ctx: Context, client: Client, i: int, goal: Goal) -> list[Finding]:
    path = ctx.goals_file(client)
    out = _future(ctx, path, goal_pointer(i, "set_date"), "date this goal was set", goal.set_date)
    if goal.target_date is not None and goal.target_date <= goal.set_date:
        out.append(finding(
            path, goal_pointer(i, "target_date"), "error", "target-before-start",
            f"the target date {goal.target_date.isoformat()} is not after the date the goal was set "
            f"({goal.set_date.isoformat()})",
            "a goal needs time to be reached: set the target date after set_date",
        ))
    out += _target_direction(ctx, path, i, goal)
    out += _values_on_scale(ctx, path, i, goal)
    for k, step in enumerate(goal.steps):
        if step.start is not None and step.start < goal.set_date:
            out.append(finding(
                path, goal_pointer(i, "steps", k, "from"), "warning", "step-before-goal",
                f"the step '{step.id}' starts on {step.start.isoformat()}, before its goal was set "
                f"({goal.set_date.isoformat()}); its adherence is measured from {goal.set_date.isoformat()}",
                "correct `from:`, or leave it out when the step starts with the goal",
            ))
    return out


def _target_direction(ctx: Context, path: str, i: int, goal: Goal) -> list[Finding]:
    if goal.target is None or goal.baseline is None:
        return []
    direction = stated_direction(goal, ctx.practice.instruments)
    target = goal.target.resolve(goal.baseline)
    if direction is None or target is None:
        return []
    better = target < goal.baseline if direction == "decrease" else target > goal.baseline
    if better:
        return []
    wanted = "lower" if direction == "decrease" else "higher"
    why = "" if goal.direction else " (inferred from the measure)"
    return [finding(
        path, goal_pointer(i, "target"), "error", "target-not-better",
        f"the target {plain_number(target)} is not {wanted} than the baseline {plain_number(goal.baseline)}, "
        f"but this goal should {direction}{why}",
        f"a target is the better value the client works towards: make it {wanted} than the baseline, "
        "or correct `direction:`",
    )]


def scale_is_broken(goal: Goal) -> bool:
    """A rating whose min is not below its max: its values cannot be judged against it."""
    m = goal.measure
    return m is not None and m.type == "rating" and m.min >= m.max


def _values_on_scale(ctx: Context, path: str, i: int, goal: Goal) -> list[Finding]:
    if scale_is_broken(goal):
        m = goal.measure
        assert m is not None
        return [finding(
            path, goal_pointer(i, "measure", "min"), "error", "bad-scale",
            f"this rating's scale runs from {plain_number(m.min)} to {plain_number(m.max)}: its max must be above its min",
            "write the lowest point as `min:` and the highest as `max:` (e.g. min: 0, max: 10)",
        )]
    # The baseline, and the target as written or as resolved from "50% lower" (GAS targets are levels,
    # not scale points, so only the baseline is judged there).
    values: list[tuple[str, float | None, str]] = [("baseline", goal.baseline, "the baseline ")]
    target = goal.target
    if target is not None and goal.measure is not None and goal.measure.type != "gas":
        if target.value is not None:
            values.append(("target", target.value, "the target "))
        elif target.percent is not None and goal.baseline is not None:
            values.append(("target", target.resolve(goal.baseline),
                           f"the target {target.text} (of the baseline {plain_number(goal.baseline)}): "))
    out = []
    for field, value, subject in values:
        problem = _off_scale(ctx, goal, value) if value is not None else None
        if problem:
            code, sentence, hint = problem
            out.append(finding(path, goal_pointer(i, field), "error", code, subject + sentence, hint))
    return out


def _off_scale(ctx: Context, goal: Goal, value: float) -> tuple[str, str, str] | None:
    """(code, "… is outside …" sentence end, hint) when ``value`` does not fit the goal's measure."""
    measure = goal.measure
    if measure is None:
        return None
    if measure.type == "gas":
        if value not in (-2, -1, 0, 1, 2):
            return ("gas-level", f"{plain_number(value)} is not a Goal Attainment Scale level",
                    "GAS levels are −2 (much less than expected), −1, 0 (expected), +1 and +2 (much more)")
        return None
    if measure.type == "rating":
        if not measure.min <= value <= measure.max:
            return ("measurement-out-of-range",
                    f"{plain_number(value)} is outside this rating's scale {plain_number(measure.min)}–{plain_number(measure.max)}",
                    "use a value on the scale, or change min/max in the goal's measure")
        return None
    if measure.type == "count":
        if value < 0:
            return ("measurement-out-of-range", f"{plain_number(value)} is a negative count",
                    "a count is how often something happened: 0 or more")
        return None
    instrument = ctx.practice.instruments.get(measure.instrument or "")
    low, high = getattr(instrument, "min_total", None), getattr(instrument, "max_total", None)
    if measure.subscale or low is None or high is None:
        return None  # subscale ranges are the instrument's business; don't guess
    if not low <= value <= high:
        return ("measurement-out-of-range",
                f"{plain_number(value)} is outside the possible {instrument.name} scores {plain_number(low)}–{plain_number(high)}",
                "check the score; it is the questionnaire's total")
    return None


# --- Sessions ---------------------------------------------------------------------------------


def _session(ctx: Context, goals: dict[str, Goal], steps: dict[str, ActionStep], session: Session) -> list[Finding]:
    path = session.file
    out = _future(ctx, path, ("date",), "session date", session.date)
    out += _data_without_contact(path, session)
    for administration in session.administrations:
        instrument = ctx.practice.instruments.get(administration.instrument)
        if instrument is None:
            continue  # reported as unknown by the references stage
        base = ("questionnaires", administration.instrument) + (("answers",) if administration.in_mapping else ())
        if administration.answers is not None:
            out += _answers(path, base, instrument, administration.answers)
        elif administration.total is not None:
            low, high = instrument.min_total, instrument.max_total
            if not low <= administration.total <= high:
                out.append(finding(
                    path, (*base, "total"), "error", "total-out-of-range",
                    f"a {instrument.name} total of {plain_number(administration.total)} is impossible: "
                    f"totals run from {plain_number(low)} to {plain_number(high)}",
                    "check the total on the score sheet",
                ))
            else:
                out += _possible_total(path, (*base, "total"), instrument, administration.total, raw=False)
        elif administration.raw_total is not None:
            out += _possible_total(path, (*base, "raw"), instrument, administration.raw_total, raw=True)
    for step_id in session.homework_minutes:
        step = steps.get(step_id)
        if step is not None and not step.minutes:
            out.append(finding(
                path, ("homework", step_id, "minutes"), "warning", "minutes-without-duration",
                f"minutes are reported for '{step_id}', but the step has no `minutes:`, so they are not "
                "measured against anything",
                f"add `minutes:` (how long each time) to the step '{step_id}' in goals.yaml, or report only "
                f"the times: `{step_id}: {session.homework[step_id]}`",
            ))
    for goal_id, value in session.measurements.items():
        goal = goals.get(goal_id)
        if goal is None:
            continue  # unknown goal: reported by the references stage
        problem = None if scale_is_broken(goal) else _off_scale(ctx, goal, value)
        if problem:
            out.append(finding(path, ("measurements", goal_id), "error", problem[0], f"the measurement {problem[1]}", problem[2]))
        out += _inactive(path, goal_id, goal, session)
    return out


def _data_without_contact(path: str, session: Session) -> list[Finding]:
    """Scores, measurements or homework at a contact that did not take place: used by the book as
    recorded (a risk item must never be dropped), but said, since one of the two is likely a mistake."""
    if session.kind not in NO_CONTACT:
        return []
    held = [f"{len(what)} {name}{'s' if len(what) != 1 else ''}" for name, what in (
        ("questionnaire", session.administrations), ("measurement", session.measurements),
        ("homework report", session.homework)) if what]
    if not held:
        return []
    said = ", ".join(held[:-1]) + (" and " if len(held) > 1 else "") + held[-1]
    return [finding(
        path, ("kind",), "warning", "data-without-contact",
        f"this contact is marked `{session.kind}` but records {said}; the book uses them as recorded",
        "if the contact took place, change `kind:` (e.g. to session); if the answers came another way, "
        "record them at the contact where you received them",
    )]


def _and_later(sessions: list[Session]) -> str:
    """' (and 2 more sessions up to 2026-03-02)' after the first of ``sessions``; '' for one."""
    later = len(sessions) - 1
    return f" (and {later} more session{'s' if later > 1 else ''} up to {sessions[-1].date.isoformat()})" if later else ""


def _sessions_before_start(ctx: Context, client: Client) -> list[Finding]:
    """One warning at the first session before the start date (a wrong start date moves them all)."""
    if client.start_date > ctx.today:
        return []  # the start date is already an error (in the future); every session would follow
    early = [s for s in client.sessions if s.date < client.start_date]
    if not early:
        return []
    also = _and_later(early)
    return [finding(
        early[0].file, ("date",), "warning", "session-before-start",
        f"this session ({early[0].date.isoformat()}) is before the client's start date "
        f"{client.start_date.isoformat()}{also}",
        "check the session's date, or move start_date in client.yaml back to the first contact",
    )]


def _sessions_after_end(ctx: Context, client: Client) -> list[Finding]:
    """One warning at the first session after the end date: either the course has resumed (and the
    client's status and end date should say so) or the file is in the wrong client's folder."""
    if client.end_date is None or client.end_date < client.start_date:
        return []  # an end before the start is already an error; every session would follow
    late = [s for s in client.sessions if s.date > client.end_date]
    if not late:
        return []
    also = _and_later(late)
    return [finding(
        late[0].file, ("date",), "warning", "session-after-end",
        f"this session ({late[0].date.isoformat()}) is after the client's end date "
        f"{client.end_date.isoformat()}{also}",
        "if the work has resumed, set `status: active` in client.yaml and remove `end_date` and `end_reason`; "
        "otherwise check the session's date and that it is in the right client's folder",
    )]


def _discharge_not_recorded(client: Client) -> list[Finding]:
    """A discharge contact that is the client's latest contact while client.yaml still has them in
    care: the caseload would go on raising overdue questionnaires and "no contact" for them."""
    contacts = [s for s in client.sessions if s.kind != "self-report"]
    if client.status == "discharged" or not contacts:
        return []
    last = max(contacts, key=lambda s: s.date)
    if last.kind != "discharge":
        return []
    return [finding(
        last.file, ("kind",), "warning", "discharge-not-recorded",
        f"this discharge ({last.date.isoformat()}) is the client's latest contact, but client.yaml still says "
        f"`status: {client.status}`",
        f"if the work has ended, set `status: discharged` and `end_date: {last.date.isoformat()}` (and "
        "`end_reason`) in client.yaml; if it goes on, write this contact's kind (e.g. `review`)",
    )]


def _answers(path: str, base: tuple, instrument: Any, answers: Sequence[int | None]) -> list[Finding]:
    # Fast path: a complete list of allowed answers needs no explaining (nearly every session).
    # (Item by item: the same test as allowed_values(n); a missing answer, None, is no item's value.)
    if len(answers) == instrument.item_count and all(map(contains, instrument.item_values, answers)):
        return []
    out = []
    # The scoring engine owns the missing-item rule, so it also judges what a session may hold.
    for index, message, hint in answer_problems(instrument, answers):
        if index is not None:
            out.append(finding(path, (*base, index), "error", "answer-out-of-range", message, hint))
        elif len(answers) != instrument.item_count:
            out.append(finding(path, base, "error", "wrong-answer-count", message, hint))
        else:
            out.append(finding(path, base, "error", "too-many-missing", message, hint))
    return out


def _possible_total(path: str, pointer: tuple, instrument: Any, total: float, *, raw: bool) -> list[Finding]:
    """A hand-written total that no set of answers could give (``scoring.possible_total_problem``)."""
    problem = possible_total_problem(instrument, total, raw=raw)
    if problem is None:
        return []
    message, hint = problem
    return [finding(path, pointer, "error", "impossible-total", message, hint)]


def _inactive(path: str, goal_id: str, goal: Goal, session: Session) -> list[Finding]:
    if session.date < goal.set_date:
        why = f"was only set on {goal.set_date.isoformat()}"
    elif goal.status == "proposed":
        why = "is only proposed"
    else:
        return []
    return [finding(
        path, ("measurements", goal_id), "warning", "measurement-inactive-goal",
        f"this session measures '{goal_id}', which {why}",
        "if this is a baseline, write it as the goal's `baseline:`; otherwise check the goal id, "
        "its set_date or its status",
        key=True,
    )]

