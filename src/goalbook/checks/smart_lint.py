"""Stage 5: SMART lint — warnings that help write goals the book can show progress for.

Only goals still being worked on (proposed, active, paused) are linted; the time-bound ones
(target date passed, review overdue) only for active goals of active clients, since a paused or
discharged client's calendar is not running.
"""

from __future__ import annotations

from datetime import timedelta

from goalbook.checks import Context, finding, goal_pointer, open_goals
from goalbook.records.load import Finding
from goalbook.records.model import Goal


def check(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for client in ctx.practice.clients:
        path = ctx.goals_file(client)
        for i, goal in open_goals(client):
            findings += _shape(path, i, goal)
            if goal.status == "active" and client.status == "active":
                findings += _calendar(ctx, path, i, goal)
    return findings


def _shape(path: str, i: int, goal: Goal) -> list[Finding]:
    here = goal_pointer(i)
    out = []

    def warn(code: str, message: str, hint: str) -> None:
        out.append(finding(path, here, "warning", code, f"the goal '{goal.id}' {message}", hint))

    if goal.measure is None:
        warn("no-measure", "has no measure",
             "add `measure:` — a questionnaire, a 0–10 rating, a count per week or a Goal Attainment "
             "Scale — so progress can be seen")
    else:
        # A questionnaire goal without a written baseline takes its first score: the book says so.
        if goal.baseline is None and goal.measure.type != "questionnaire":
            warn("no-baseline", "has no baseline",
                 "add `baseline:` with where the client started, so the book can show the change")
        if goal.target is None and goal.measure.type != "gas":
            warn("no-target", "has no target",
                 "add `target:` — a number, or e.g. \"50% lower\" — so everyone knows what success looks like")
    if goal.target_date is None:
        warn("no-target-date", "has no target date", "add `target_date: YYYY-MM-DD` to make it time-bound")
    if not goal.steps:
        warn("no-action-step", "has no action step",
             "add `steps:` with what the client will do between sessions and how often "
             "(e.g. box breathing, 3 times a week)")
    if not goal.own_words.strip():
        warn("no-own-words", "has no `own_words`",
             "write the goal in the client's own words too; it keeps the goal theirs")
    if not goal.relevant.strip():
        warn("no-relevant", "does not say why it matters (`relevant:`)",
             "link it to one of the client's hopes or values")
    return out


def _calendar(ctx: Context, path: str, i: int, goal: Goal) -> list[Finding]:
    today = ctx.today
    out = []
    if goal.target_date is not None and goal.target_date < today:
        out.append(finding(
            path, goal_pointer(i, "target_date"), "warning", "target-date-passed",
            f"the goal '{goal.id}' is still active but its target date {goal.target_date.isoformat()} has passed",
            "review it with the client: mark it achieved, set a new target date, or revise it",
        ))
    if goal.review_date is not None:
        if goal.review_date < today:
            out.append(finding(
                path, goal_pointer(i, "review_date"), "warning", "review-overdue",
                f"the review of '{goal.id}' was due on {goal.review_date.isoformat()}",
                "review the goal with the client and set the next review_date",
            ))
    else:
        weeks = ctx.practice.alerts.review_every_weeks
        due = goal.set_date + timedelta(weeks=weeks)
        if due < today:
            out.append(finding(
                path, goal_pointer(i, "set_date"), "warning", "review-overdue",
                f"the goal '{goal.id}' has no review date and was set more than {weeks} weeks ago "
                f"(a review was due by {due.isoformat()})",
                "review the goal with the client and add `review_date:` for the next review",
            ))
    return out

