"""Stage 3: references between files — ids that must exist, be unique, or match a name."""

from __future__ import annotations

from pathlib import PurePosixPath

from goalbook.checks import Context, did_you_mean, finding, goal_pointer, one_of
from goalbook.records.load import Finding
from goalbook.records.model import SESSION_FILE, Administration, Client


def check(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for client in ctx.practice.clients:
        findings += _client_file(ctx, client)
        findings += _goal_ids(ctx, client)
        findings += _goal_links(ctx, client)
        findings += _revisions(ctx, client)
        for session in client.sessions:
            findings += _session(ctx, client, session)
        findings += _unknown_goals_and_steps(ctx, client)
    return findings


def _client_file(ctx: Context, client: Client) -> list[Finding]:
    path = ctx.client_file(client)
    folder = PurePosixPath(client.folder).name
    out = []
    if client.id != folder:
        out.append(finding(
            path, ("id",), "error", "client-id-mismatch",
            f"the client id '{client.id}' differs from the folder name '{folder}'",
            f"a client's id must equal its folder name: write `id: {folder}`, or rename the folder to '{client.id}'",
        ))
    out += _clinician(ctx, path, ("clinician",), client.clinician)
    out += _unique_ids(path, "focus_areas", [a.id for a in client.focus_areas], "duplicate-focus-area",
                       "focus area", "give each focus area its own id")
    out += _unique_ids(path, "respondents", [r.id for r in client.respondents], "duplicate-respondent",
                       "respondent", "give each respondent their own id")
    for k, schedule in enumerate(client.questionnaires):
        out += _instrument(ctx, path, ("questionnaires", k, "instrument"), schedule.instrument, key=False)
        if schedule.respondent:
            out += _respondent(path, ("questionnaires", k, "respondent"), client, schedule.respondent)
    for k, review in enumerate(client.alert_reviews):
        if review.instrument:  # a review of one questionnaire's alert must name a known one
            out += _instrument(ctx, path, ("alert_reviews", k, "instrument"), review.instrument, key=False)
    return out


def _unique_ids(path: str, field: str, ids: list[str], code: str, what: str, hint: str) -> list[Finding]:
    """An error for each id in the list ``field`` used again, pointing back at its first use."""
    out = []
    seen: dict[str, int] = {}
    for k, item_id in enumerate(ids):
        if item_id in seen:
            out.append(finding(
                path, (field, k, "id"), "error", code,
                f"the {what} id '{item_id}' is used twice (first on line {{related_line}})", hint,
                related=(field, seen[item_id], "id"),
            ))
        seen.setdefault(item_id, k)
    return out


def _respondent(path: str, pointer: tuple, client: Client, respondent: str, key: bool = False) -> list[Finding]:
    """A questionnaire answered by (or given to) someone the client's `respondents` list must name."""
    if client.respondent(respondent) is not None:
        return []
    known = [r.id for r in client.respondents]
    where = f"clients/{client.id}/client.yaml"
    return [finding(
        path, pointer, "error", "unknown-respondent",
        f"there is no respondent '{respondent}' in {where}",
        f"{did_you_mean(respondent, known)}this client's respondents: {one_of(known)}; or add them under "
        f"`respondents:` in {where} with an id, a name and a relation (partner, parent, teacher or other)",
        key=key,
    )]


def _clinician(ctx: Context, path: str, pointer: tuple, clinician: str) -> list[Finding]:
    if not ctx.loaded.settings_ok or not clinician or clinician in ctx.practice.clinicians:
        return []
    known = ctx.practice.clinicians
    return [finding(
        path, pointer, "error", "unknown-clinician",
        f"there is no clinician with the id '{clinician}' in goalbook.yaml",
        f"{did_you_mean(clinician, known)}use one of: {one_of(known)}; or add the clinician to goalbook.yaml",
    )]


def _instrument(ctx: Context, path: str, pointer: tuple, instrument: str, *, key: bool) -> list[Finding]:
    if ctx.instrument_known(instrument):
        return []
    known = ctx.practice.instruments
    return [finding(
        path, pointer, "error", "unknown-instrument",
        f"goalbook does not know a questionnaire with the id '{instrument}'",
        f"{did_you_mean(instrument, known)}built-in and practice questionnaires: {one_of(known, 20)} "
        "(`goalbook instruments` lists them); to add your own, put a definition in instruments/",
        key=key,
    )]


def _goal_ids(ctx: Context, client: Client) -> list[Finding]:
    path = ctx.goals_file(client)
    out = []
    goals_seen: dict[str, int] = {}
    steps_seen: dict[str, tuple[int, int]] = {}
    for i, goal in enumerate(client.goals):
        if goal.id in goals_seen:
            out.append(finding(
                path, goal_pointer(i, "id"), "error", "duplicate-goal-id",
                f"the goal id '{goal.id}' is already used by the goal on line {{related_line}}",
                "each goal of a client needs its own id; rename one of them (and any session that measures it)",
                related=goal_pointer(goals_seen[goal.id], "id"),
            ))
        goals_seen.setdefault(goal.id, i)
        for j, step in enumerate(goal.steps):
            if step.id in steps_seen:
                first = steps_seen[step.id]
                out.append(finding(
                    path, goal_pointer(i, "steps", j, "id"), "error", "duplicate-step-id",
                    f"the action step id '{step.id}' is already used on line {{related_line}}",
                    "step ids are unique across all goals of a client, so that session homework counts "
                    "are clear; rename one of them",
                    related=goal_pointer(first[0], "steps", first[1], "id"),
                ))
            steps_seen.setdefault(step.id, (i, j))
    return out


def _goal_links(ctx: Context, client: Client) -> list[Finding]:
    path = ctx.goals_file(client)
    areas = [a.id for a in client.focus_areas]
    out = []
    for i, goal in enumerate(client.goals):
        if goal.focus_area and goal.focus_area not in areas:
            hint = (
                f"{did_you_mean(goal.focus_area, areas)}this client's focus areas: {one_of(areas)}; "
                "or add it under focus_areas in client.yaml"
                if areas else "add it under focus_areas in client.yaml, with a name and a priority"
            )
            out.append(finding(
                path, goal_pointer(i, "focus_area"), "error", "unknown-focus-area",
                f"'{goal.focus_area}' is not one of this client's focus areas", hint,
            ))
        if goal.category and goal.category not in ctx.practice.categories:
            cats = ctx.practice.categories
            out.append(finding(
                path, goal_pointer(i, "category"), "error", "unknown-category",
                f"'{goal.category}' is not a goal category",
                f"{did_you_mean(goal.category, cats)}use one of: {one_of(cats)}; "
                "a practice can add its own under goal_categories in goalbook.yaml",
            ))
        measure = goal.measure
        if measure is not None and measure.type == "questionnaire" and measure.instrument:
            found = _instrument(ctx, path, goal_pointer(i, "measure", "instrument"), measure.instrument, key=False)
            out += found
            if not found and measure.subscale:
                out += _subscale(ctx, path, i, measure.instrument, measure.subscale)
    return out


def _subscale(ctx: Context, path: str, index: int, instrument_id: str, subscale: str) -> list[Finding]:
    instrument = ctx.practice.instruments.get(instrument_id)
    if instrument is None or instrument.subscale(subscale) is not None:
        return []
    names = [s.id for s in instrument.subscales]
    return [finding(
        path, goal_pointer(index, "measure", "subscale"), "error", "unknown-subscale",
        f"{instrument.name} has no subscale '{subscale}'",
        f"{did_you_mean(subscale, names)}its subscales: {one_of(names)}" if names
        else "this questionnaire has no subscales: remove the line to use its total",
    )]


def _revisions(ctx: Context, client: Client) -> list[Finding]:
    path = ctx.goals_file(client)
    index = {}
    for i, goal in enumerate(client.goals):
        index.setdefault(goal.id, i)
    out = []
    reported_cycles: set[frozenset[str]] = set()
    for i, goal in enumerate(client.goals):
        if not goal.revises:
            continue
        pointer = goal_pointer(i, "revises")
        if goal.revises == goal.id:
            out.append(finding(
                path, pointer, "error", "revises-itself", f"the goal '{goal.id}' says it revises itself",
                "`revises:` names the earlier goal this one replaced; remove it if there is none",
            ))
            continue
        if goal.revises not in index:
            out.append(finding(
                path, pointer, "error", "unknown-revised-goal",
                f"this goal revises '{goal.revises}', but this client has no goal with that id",
                f"{did_you_mean(goal.revises, index)}keep the replaced goal in goals.yaml with "
                "`status: revised`, and name its id here",
            ))
            continue
        cycle = _cycle_from(client, goal.id)
        if cycle:
            members = frozenset(cycle)
            if members not in reported_cycles:
                reported_cycles.add(members)
                out.append(finding(
                    path, pointer, "error", "revision-cycle",
                    "these goals revise each other in a circle: " + " → ".join([*cycle, cycle[0]]),
                    "a revision points back to an earlier goal; remove `revises:` from the oldest goal",
                ))
            continue
        revised = client.goals[index[goal.revises]]
        if revised.status != "revised":
            out.append(finding(
                path, goal_pointer(index[goal.revises], "status"), "warning", "revised-status",
                f"the goal '{revised.id}' was revised by '{goal.id}', but its status is '{revised.status}'",
                "set `status: revised` on the goal that was replaced, so the book shows the history right",
            ))
    return out


def _cycle_from(client: Client, start: str) -> list[str]:
    """The ids in the revision chain from ``start`` if it loops back to ``start``, else []."""
    links = {}
    for goal in client.goals:
        links.setdefault(goal.id, goal.revises)
    chain, current = [start], links.get(start)
    while current is not None and current not in chain:
        chain.append(current)
        current = links.get(current)
    return chain if current == start else []


def _session(ctx: Context, client: Client, session) -> list[Finding]:
    path = session.file
    out: list[Finding] = []
    name = path.rpartition("/")[2]  # the file name (a plain split: this runs for every session)
    match = SESSION_FILE.match(name)
    if match and match.group(1) != session.date.isoformat():
        named = match.group(1)
        suffix = name[len(named):]
        out.append(finding(
            path, ("date",), "error", "date-mismatch",
            f"the date {session.date.isoformat()} differs from the file name's date {named}",
            f"a session's date must equal its file name: correct the date to {named}, or rename the file to "
            f"{session.date.isoformat()}{suffix}",
        ))
    out += _clinician(ctx, path, ("clinician",), session.clinician)
    for administration in session.administrations:
        out += _instrument(ctx, path, ("questionnaires", administration.instrument), administration.instrument, key=True)
        if administration.respondent:
            out += _respondent(path, respondent_pointer(administration), client, administration.respondent)
    return out


def respondent_pointer(administration: Administration) -> tuple:
    """Where a session file names who answered a questionnaire."""
    return ("questionnaires", administration.instrument, "respondent")


def _unknown_goals_and_steps(ctx: Context, client: Client) -> list[Finding]:
    """Sessions naming a goal or step the client does not have: one error per unknown id.

    A goal removed from goals.yaml (or a step renamed there) leaves every session that recorded
    it pointing nowhere; listing all of them would bury the one thing to do. So the first session
    gets the error, saying how many later ones name the same id.
    """
    if not ctx.goals_known(client):
        return []
    goals = [g.id for g in client.goals]
    steps = list(client.steps())
    no_goals = "this client has no goals yet (goals.yaml)" if not goals else ""
    unknown: dict[tuple[str, str], list[str]] = {}  # (section, id) → files, in session order
    for session in client.sessions:
        for goal_id in session.measurements:
            if goal_id not in goals:
                unknown.setdefault(("measurements", goal_id), []).append(session.file)
        for step_id in session.homework:
            if step_id not in steps:
                unknown.setdefault(("homework", step_id), []).append(session.file)
    out = []
    for (section, name), files in unknown.items():
        also = _also_in(files[1:])
        if section == "measurements":
            out.append(finding(
                files[0], (section, name), "error", "unknown-goal",
                f"this session measures the goal '{name}', but the client has no goal with that id{also}",
                no_goals or f"{did_you_mean(name, goals)}this client's goals: {one_of(goals)}. If the goal was "
                "deleted from goals.yaml, put it back with `status: discontinued` to keep its history",
                key=True,
            ))
        else:
            out.append(finding(
                files[0], (section, name), "error", "unknown-step",
                f"this session counts homework for '{name}', but no goal of this client has an "
                f"action step with that id{also}",
                no_goals or f"{did_you_mean(name, steps)}this client's action steps: {one_of(steps)}. If the "
                "step was removed from its goal, put it back so the sessions that counted it still fit",
                key=True,
            ))
    return out


def _also_in(files: list[str]) -> str:
    if not files:
        return ""
    names = [PurePosixPath(f).stem for f in files]
    more = f"{len(files)} later session{'s' if len(files) > 1 else ''}"
    shown = ", ".join(names[:3]) + (f" … {names[-1]}" if len(names) > 3 else "")
    return f" ({more} too: {shown})"
