"""Writing new files into a practice: `goalbook init` and `goalbook new client|goal|session`.

The one rule above all: never overwrite. Every file is created with an exclusive open, so a file
that appeared in the meantime is kept too. The text comes from the templates in
``templates/new/`` (data, not Python), and every YAML file starts with a ``$schema`` modeline
that resolves, relative to the file, to the practice's copy of goalbook's schemas.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import jinja2

from goalbook.errors import GoalbookError
from goalbook.problems import sort_problems
from goalbook.records.locate import SETTINGS_FILE
from goalbook.records.model import (
    NOT_A_CONTACT_KINDS,
    SESSION_KINDS,
    SLUG,
    STANDARD_CATEGORIES,
    Client,
    Goal,
    Practice,
)
from goalbook.resources import data_dir

# What `init` writes, in the order it reports them: practice-relative path → template file.
INIT_FILES: tuple[tuple[str, str], ...] = (
    (SETTINGS_FILE, "goalbook.yaml.j2"),
    ("clients/.gitkeep", ""),
    ("instruments/README.md", "instruments-README.md"),
    (".gitignore", "gitignore"),
    (".vscode/settings.json", "vscode-settings.json"),
    (".vscode/extensions.json", "vscode-extensions.json"),
)
# Sessions in which nothing is given or measured: their template leaves those sections out.
NO_RECORDS = ("did-not-attend", "cancelled")
PER_WORDS = {"day": "a day", "week": "a week", "month": "a month"}


@dataclass
class Report:
    """What a scaffolding command did, for the command to print."""

    root: Path
    written: list[str] = field(default_factory=list)  # practice-relative, forward slashes
    kept: list[str] = field(default_factory=list)  # already there: left exactly as they were
    notes: list[str] = field(default_factory=list)
    next_step: str = ""

    def lines(self) -> list[str]:
        out = [f"wrote {path}" for path in self.written]
        out += [f"kept  {path} (already there, left unchanged)" for path in self.kept]
        out += [f"note: {note}" for note in self.notes]
        if self.next_step:
            out.append(f"next: {self.next_step}")
        return out


# --- Templates --------------------------------------------------------------------------------


def yaml_text(value: str) -> str:
    """A string as a double-quoted YAML scalar (JSON's escapes are valid YAML ones)."""
    return json.dumps(value, ensure_ascii=False)


_PLAIN_ID = re.compile(r"[a-z][a-z0-9-]*")
# Words YAML reads as something other than text (goalbook's loader refuses them unquoted).
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def yaml_id(value: str) -> str:
    """An id as YAML: plain when it reads back as the same text (``ana-r``), quoted when YAML
    would read a number, a date or a yes/no word (``"0"``, ``"2025"``, ``"no"``)."""
    if _PLAIN_ID.fullmatch(value) and value not in _YAML_WORDS:
        return value
    return yaml_text(value)


def _pad(text: str, width: int) -> str:
    # Spaces that line the trailing comments up in a column, and at least one.
    return " " * max(1, width - len(text))


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(data_dir("templates") / "new"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # YAML, JSON and shell, never HTML
    )
    env.filters["yaml_text"] = yaml_text
    env.filters["yaml_id"] = yaml_id
    env.filters["shell_quote"] = shlex.quote
    env.globals["pad"] = _pad
    return env


def render(template: str, **values: object) -> str:
    return _environment().get_template(template).render(**values)


def template_bytes(name: str) -> bytes:
    return (data_dir("templates") / "new" / name).read_bytes()


def schemas_dir(root: Path) -> Path:
    """The schemas a practice's modelines point at: its own ``schemas/`` (written by `init`).

    goalbook's example practice has none: it uses the repository's ``schemas/`` one folder up.
    """
    own = root / "schemas"
    if not own.is_dir() and (root.parent / "schemas" / "practice.schema.json").is_file():
        return root.parent / "schemas"
    return own


def schemas_ref(root: Path, folder: Path) -> str:
    """The schemas folder relative to ``folder``, as a modeline wants it."""
    return Path(os.path.relpath(schemas_dir(root), folder)).as_posix()


# --- Writing without overwriting --------------------------------------------------------------


def write_new(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data``; False (and nothing touched) when it already exists."""
    if path.exists() or path.is_symlink():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        out = open(path, "xb")  # exclusive: never replaces a file that appeared meanwhile  # noqa: SIM115
    except FileExistsError:
        return False
    try:
        with out:
            out.write(data)
    except BaseException:
        path.unlink(missing_ok=True)  # ours, half-written (a full disk): never left to be kept
        raise
    return True


def _put(report: Report, rel: str, data: bytes) -> bool:
    written = write_new(report.root / rel, data)
    (report.written if written else report.kept).append(rel)
    return written


# --- goalbook init ----------------------------------------------------------------------------


def practice_name(folder: Path) -> str:
    """A readable practice name from the folder's name: riverside-counselling → Riverside Counselling."""
    words = [w for w in re.split(r"[-_.\s]+", folder.name) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or "My Practice"


def init_practice(folder: Path, *, hook: bool = True, python: str = sys.executable) -> Report:
    """Scaffold a practice in ``folder`` (created when missing). Existing files are kept as they are."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise GoalbookError(f"{folder} is a file, not a folder", hint="give `goalbook init` a folder name")
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    report = Report(root)
    for rel, template in INIT_FILES:
        if template.endswith(".j2"):
            data = render(template, name=practice_name(root), schemas="schemas",
                          placeholder=PLACEHOLDER_CLINICIAN).encode()
        else:
            data = template_bytes(template) if template else b""
        _put(report, rel, data)
    # Copies, not links: the modelines then work offline and git records which schema version
    # the records were written against.
    for schema in sorted(data_dir("schemas").glob("*.schema.json")):
        _put(report, f"schemas/{schema.name}", schema.read_bytes())
    _setup_git(report, hook=hook, python=python)
    report.next_step = "goalbook new client CLIENT-ID"
    if _has_placeholder_clinician(root):
        # New clients copy the first clinician's id: renaming it afterwards means editing every
        # client.yaml, so say it now, before the first client exists.
        report.next_step = ("put your name and initials (the clinician id, e.g. mk) in goalbook.yaml, "
                            f"then {report.next_step}")
    if root != Path.cwd().resolve():
        report.next_step = f"cd {shlex.quote(str(folder))}, {report.next_step}"
    return report


PLACEHOLDER_CLINICIAN = "Your name"


def _has_placeholder_clinician(root: Path) -> bool:
    """True while goalbook.yaml still holds the clinician `init` wrote as a placeholder."""
    try:
        text = (root / SETTINGS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return f'name: "{PLACEHOLDER_CLINICIAN}"' in text


def _setup_git(report: Report, *, hook: bool, python: str) -> None:
    from goalbook.history import gitrepo  # the one module that runs git

    root = report.root
    if shutil.which("git") is None:
        report.notes.append("git is not installed, so the practice has no history yet: install git "
                            "and run `goalbook init` again to set it up")
        return
    try:
        repo = gitrepo.find_repo(root)
        if repo is None:
            gitrepo.run(root, "init", "--quiet")
            report.written.append(".git/ (a new git repository: the audit trail of your records)")
            repo = gitrepo.find_repo(root)
        if not hook:
            return
        hooks = gitrepo.hooks_folder(root)
        hooks = hooks if hooks.is_absolute() else root / hooks
    except gitrepo.GitError as exc:
        report.notes.append(f"git could not set up the repository ({exc.message}); the files above are written")
        return
    practice = (repo.prefix if repo else "").rstrip("/") or "."
    script = render("pre-commit.j2", practice=practice, python=python).encode()
    path = hooks / "pre-commit"
    shown = _display(root, path)
    if write_new(path, script):
        path.chmod(0o755)
        report.written.append(f"{shown} (runs `goalbook check` before every commit)")
    elif path.read_bytes() == script:
        report.kept.append(shown)
    elif _our_hook(path):  # an earlier goalbook's hook (e.g. one whose goalbook is gone): renewed
        _replace_hook(path, script)
        report.written.append(f"{shown} (renewed: runs `goalbook check` on what is committed)")
    else:
        report.notes.append(f"{shown} already exists and was left alone; add `goalbook check` to it "
                            "yourself to check the practice before every commit")


HOOK_SIGNATURE = b"# Installed by `goalbook init`"


def _our_hook(path: Path) -> bool:
    """A pre-commit hook goalbook wrote (never a file of the user's)."""
    try:
        if path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as f:
            return HOOK_SIGNATURE in f.read(512).split(b"\n", 2)[1]
    except (OSError, IndexError):
        return False


def _replace_hook(path: Path, script: bytes) -> None:
    tmp = path.with_name(f".{path.name}.goalbook-new")
    tmp.write_bytes(script)
    tmp.chmod(0o755)
    os.replace(tmp, path)


def _display(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- Loading what `new` needs -----------------------------------------------------------------


def check_client_id(client_id: str) -> None:
    if not SLUG.match(client_id):
        from goalbook.records.validate import suggest_slug

        suggestion = suggest_slug(client_id)
        hint = "use lowercase letters, digits and hyphens (at most 40), starting with a letter or digit"
        if suggestion and SLUG.match(suggestion):
            hint += f", e.g. {suggestion}"
        raise GoalbookError(f"'{client_id}' is not a valid client id", hint=hint + "; a pseudonym is advised")


def load_for_new(root: Path, client_id: str | None = None) -> tuple[Practice, Client | None]:
    """The practice model, refusing (with the problems) when the files `new` reads have errors."""
    from goalbook.records import load  # heavy: jsonschema

    if client_id is not None:
        check_client_id(client_id)
    practice, problems = load.load_practice(root)
    # What `new` reads must be sound: the settings (clinicians, categories, today) and, for a
    # goal or a session, the client's own files. Errors elsewhere do not stop it.
    folder = f"clients/{client_id}/" if client_id is not None else None
    errors = [p for p in problems if p.is_error and (
        p.path in (SETTINGS_FILE, "goalbook.yml") or (folder is not None and p.path.startswith(folder)))]
    if practice is None or errors:
        whose = f"{client_id}'s files" if folder and any(p.path.startswith(folder) for p in errors) else SETTINGS_FILE
        raise GoalbookError(_refusal(root, errors, whose),
                            hint="fix them (`goalbook check` lists them too), then run this command again")
    if client_id is None:
        return practice, None
    client = practice.client(client_id)
    if client is None:
        known = [c.id for c in practice.clients]
        close = difflib.get_close_matches(client_id, known, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise GoalbookError(f"there is no client '{client_id}' in {root}",
                            hint=hint + f"create one with `goalbook new client {client_id}`")
    return practice, client


def _refusal(root: Path, errors: list, whose: str) -> str:
    """The errors exactly as `goalbook check` prints them (paths as typed from here, with the source line)."""
    from goalbook.checks import format_report

    try:
        prefix = os.path.relpath(root, Path.cwd())
    except ValueError:  # another drive on Windows
        prefix = str(root)
    report = format_report(sort_problems(errors), root, prefix="" if prefix == "." else prefix)
    return f"{whose} {'has' if whose == SETTINGS_FILE else 'have'} errors, so nothing was written:\n{report.rstrip()}"


# --- goalbook new client ----------------------------------------------------------------------


def _clinicians_in_file_order(root: Path, known: list[str]) -> list[str]:
    """The clinician ids as goalbook.yaml lists them (the first is the default for a new client,
    as the README says), falling back to ``known``."""
    from goalbook.records import yamlload

    for name in ("goalbook.yaml", "goalbook.yml"):
        if (root / name).is_file():
            data, _ = yamlload.load_yaml(root / name, name)
            break
    else:
        return known
    listed = data.get("clinicians") if isinstance(data, dict) else None
    ordered = [str(c.get("id")) for c in listed if isinstance(c, dict)] if isinstance(listed, list) else []
    ordered = [cid for i, cid in enumerate(ordered) if cid in known and cid not in ordered[:i]]
    return ordered + [cid for cid in known if cid not in ordered]


def new_client(root: Path, client_id: str, *, name: str | None = None, clinician: str | None = None) -> Report:
    check_client_id(client_id)
    practice, _ = load_for_new(root)
    output = Path(practice.output).name
    if client_id in ("schemas", output):
        raise GoalbookError(f"'{client_id}' cannot be a client id: goalbook uses that folder name itself",
                            hint="choose another id, e.g. a pseudonym")
    folder = root / "clients" / client_id
    if (folder / "client.yaml").exists() or (folder / "client.yml").exists():
        raise GoalbookError(f"the client {client_id} already exists ({folder / 'client.yaml'})",
                            hint=f"add to it with `goalbook new goal {client_id}` or "
                                 f"`goalbook new session {client_id}`")
    clinicians = _clinicians_in_file_order(root, list(practice.clinicians))
    defaulted = clinician is None
    if clinician is None:
        if not clinicians:
            raise GoalbookError("goalbook.yaml has no clinician", hint="add one under `clinicians:`")
        clinician = clinicians[0]
    elif clinician not in practice.clinicians:
        raise GoalbookError(f"there is no clinician '{clinician}' in goalbook.yaml",
                            hint="use one of: " + ", ".join(clinicians))
    report = Report(root)
    schemas = schemas_ref(root, folder)
    _put(report, f"clients/{client_id}/client.yaml", render(
        "client.yaml.j2", schemas=schemas, client_id=client_id, name=name or client_id,
        clinician=clinician, clinicians=clinicians, today=practice.today.isoformat(),
        instruments=list(practice.instruments),
    ).encode())
    _put(report, f"clients/{client_id}/goals.yaml",
         render("goals.yaml.j2", schemas=schemas, client_id=client_id).encode())
    # git keeps no empty folders; the dot file keeps sessions/ (goalbook skips dot files).
    _put(report, f"clients/{client_id}/sessions/.gitkeep", b"")
    if len(clinicians) > 1 and defaulted:
        report.notes.append(f"clinician set to {clinician}; change it in client.yaml if needed")
    report.next_step = (f"write the client's hopes and focus areas in clients/{client_id}/client.yaml, then "
                        f"`goalbook new session {client_id}` (an intake) or `goalbook new goal {client_id}`")
    return report


# --- goalbook new goal ------------------------------------------------------------------------

_GOALS_KEY = re.compile(r"^goals:[ \t]*(?:#.*)?$")
_EMPTY_FLOW = re.compile(r"^goals:[ \t]*\[[ \t]*\][ \t]*(#.*)?$")
_ITEM = re.compile(r"^([ \t]*)- ")
_ID_LINE = re.compile(r"^[ \t]*(?:- )?id:[ \t]*['\"]?([a-z0-9][a-z0-9-]*)")


def next_goal_id(taken: set[str]) -> str:
    n = 1
    while f"goal-{n}" in taken:
        n += 1
    return f"goal-{n}"


def new_goal(root: Path, client_id: str, *, goal_id: str | None = None, title: str | None = None,
             revises: str | None = None) -> Report:
    """Append a goal skeleton to goals.yaml, leaving every existing byte as it was."""
    from goalbook.records import yamlload

    practice, client = load_for_new(root, client_id)
    assert client is not None
    rel = f"clients/{client_id}/goals.yaml"
    path = root / rel
    # Bytes, decoded: read_text would turn \r\n into \n and the check below would compare the wrong text.
    old = path.read_bytes().decode("utf-8") if path.exists() else None
    # Ids from the text too: a goal the model left out must not be reused either.
    taken = {g.id for g in client.goals} | {m.group(1) for m in map(_ID_LINE.match, (old or "").splitlines()) if m}
    if goal_id is None:
        goal_id = next_goal_id(taken)
    elif not SLUG.match(goal_id):
        raise GoalbookError(f"'{goal_id}' is not a valid goal id",
                            hint="use lowercase letters, digits and hyphens, e.g. presentations")
    elif goal_id in {g.id for g in client.goals}:
        raise GoalbookError(f"{client_id} already has a goal '{goal_id}'",
                            hint=f"choose another id, e.g. {next_goal_id(taken)}")
    old_goal = client.goal(revises) if revises is not None else None
    if revises is not None and old_goal is None:
        known = ", ".join(g.id for g in client.goals) or "none yet"
        raise GoalbookError(f"{client_id} has no goal '{revises}' for the new goal to revise",
                            hint=f"--revises takes the id of the goal it replaces ({client_id}'s goals: {known})")
    weeks = practice.alerts.review_every_weeks
    values = {
        "revises": revises,
        "schemas": schemas_ref(root, path.parent),
        "client_id": client_id,
        "goal_id": goal_id,
        "title": title or "Say the goal in one specific sentence",
        "categories": [*STANDARD_CATEGORIES, *sorted(set(practice.categories) - set(STANDARD_CATEGORIES))],
        "focus_areas": [f.id for f in sorted(client.focus_areas, key=lambda f: (f.priority, f.id))],
        "today": practice.today.isoformat(),
        "review_weeks": weeks,
        "review_hint": (practice.today + timedelta(weeks=weeks)).isoformat(),
    }
    report = Report(root)
    if old is None:
        text = render("goals.yaml.j2", **values) + render("goal.yaml.j2", i="  ", **values)
        _put(report, rel, text.encode())
    else:
        new_text, edited = _append_goal(old, values, rel)
        _check_appended(old, new_text, goal_id, rel, yamlload)
        if edited:
            _replace_file(path, new_text)
            report.notes.append("changed `goals: []` to `goals:` so that goals can be listed below it")
        else:
            with open(path, "a", encoding="utf-8", newline="") as out:
                out.write(new_text[len(old):])
        report.written.append(f"{rel} (goal '{goal_id}' added at the end)")
    report.next_step = (f"fill in the goal '{goal_id}' with {client.name} in {rel} "
                        "(set status: active once you both agree it), then `goalbook check`")
    if old_goal is not None and old_goal.status != "revised":
        report.notes.append(f"the goal '{revises}' it revises is still '{old_goal.status}': "
                            "set its status: revised once the new goal is agreed")
    return report


def _append_goal(old: str, values: dict, rel: str) -> tuple[str, bool]:
    """The new text: ``old`` plus the goal at the end (and whether an existing line had to change)."""
    newline = "\r\n" if "\r\n" in old else "\n"  # keep the file's own line endings
    lines = old.splitlines()
    key = next((n for n, line in enumerate(lines) if _GOALS_KEY.match(line) or _EMPTY_FLOW.match(line)), None)
    if key is None:
        raise GoalbookError(f"{rel} has no `goals:` line at the start of a line, so the goal cannot be added",
                            hint="add a line `goals:` at the end of the file and run this command again")
    indent = next((m.group(1) for line in lines[key + 1:] if (m := _ITEM.match(line))), "  ")
    edited = False
    flow = _EMPTY_FLOW.match(lines[key])
    if flow:
        # `goals: []` cannot be followed by list items: only that one line changes.
        replacement = "goals:" + (f"  {flow.group(1)}" if flow.group(1) else "")
        old = re.sub(rf"^{re.escape(lines[key])}(?=\r?$)", lambda _: replacement, old, count=1, flags=re.MULTILINE)
        edited = True
    separator = "" if old.endswith("\n") else newline
    goal = "\n" + render("goal.yaml.j2", i=indent, **values)
    return old + separator + goal.replace("\n", newline), edited


def _check_appended(old: str, new: str, goal_id: str, rel: str, yamlload) -> None:
    # Appending is only safe when the list really ends the file; prove it by reading the result.
    before, _ = yamlload.load_yaml_bytes(old.encode(), rel)
    after, problems = yamlload.load_yaml_bytes(new.encode(), rel)
    old_goals = (before or {}).get("goals") if isinstance(before, dict) else None
    new_goals = after.get("goals") if isinstance(after, dict) else None
    if (problems or not isinstance(new_goals, list) or new_goals[-1].get("id") != goal_id
            or len(new_goals) != len(old_goals or []) + 1):
        raise GoalbookError(f"the goal could not be added safely at the end of {rel}, so the file was not changed",
                            hint="make sure the goals list is the last thing in the file "
                                 "(run `goalbook check` to see any problem in it), then try again")


def _replace_file(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.goalbook-new")
    with open(temporary, "x", encoding="utf-8", newline="") as out:
        out.write(text)
    os.replace(temporary, path)


# --- goalbook new session ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One commented-out line of a new session: what to write, and a comment saying what it is."""

    line: str
    note: str
    more: tuple[str, ...] = ()  # further comment lines under it (a GAS goal's five levels)


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _how_often(times: int, per: str) -> str:
    count = {1: "once", 2: "twice"}.get(times, f"{times} times")
    return f"{count} {PER_WORDS.get(per, per)}"


def questionnaires_due(client: Client, instruments: dict, on: date) -> list[Line]:
    """Per the client's schedule: never given, or last given ``every_weeks`` weeks or more before ``on``."""
    due = []
    for schedule in client.questionnaires:
        if schedule.respondent:
            continue  # someone else answers it: `goalbook enter --respondent` or a form, not this session's lines
        given = [a.date for a in client.administrations(schedule.instrument, "") if a.date <= on]
        last = max(given, default=None)
        if last is not None and (on - last).days < 7 * schedule.every_weeks:
            continue
        when = f"last given {last.isoformat()}" if last else "not given yet"
        every = f"every {schedule.every_weeks} week{'s' if schedule.every_weeks != 1 else ''}"
        instrument = instruments.get(schedule.instrument)
        if instrument is None:
            due.append(Line(f"{schedule.instrument}: {{total: ~}}", f"unknown questionnaire; {every}, {when}"))
            continue
        values = sorted({v for item in instrument.items for v in item.values})
        answers = "[" + ", ".join(["~"] * instrument.item_count) + "]"
        due.append(Line(f"{schedule.instrument}: {answers}",
                        f"{instrument.short_name}: {instrument.item_count} answers, each "
                        f"{values[0]}–{values[-1]}; {every}, {when}"))
    return due


def _measurement(goal: Goal, instruments: dict) -> Line:
    m = goal.measure
    start = f"baseline {_num(goal.baseline)}" + (f", target {goal.target.text}" if goal.target else "")
    if m is None:
        return Line(f"{yaml_id(goal.id)}: ~", "this goal has no measure yet: add one in goals.yaml")
    if m.type == "questionnaire":
        instrument = instruments.get(m.instrument or "")
        name = instrument.short_name if instrument else m.instrument
        return Line("", f"{goal.id} follows the {name} total: nothing to write here")
    if m.type == "rating":
        return Line(f"{yaml_id(goal.id)}: ~", f"{m.label or 'rating'}, {_num(m.min)}–{_num(m.max)}; {start}")
    if m.type == "count":
        return Line(f"{yaml_id(goal.id)}: ~", f"{m.label or 'count'}, times {PER_WORDS.get(m.per or 'week')}; {start}")
    # Every level's wording, so the level can be chosen with the client from the file itself.
    signs = {2: "+2", 1: "+1", 0: " 0", -1: "−1", -2: "−2"}
    levels = tuple(f"{signs[level]} {m.levels[level]}" for level in (2, 1, 0, -1, -2) if level in m.levels)
    return Line(f"{yaml_id(goal.id)}: ~", "GAS level, one of:", levels)


def session_prefill(client: Client, instruments: dict, on: date) -> dict[str, object]:
    """The template values that list what is due, per active goal and per action step."""
    # A goal set after this date did not exist yet at the session (a session written up later):
    # `check` warns about a measurement before the set date, so do not invite one.
    active = [g for g in client.goals if g.status == "active" and g.set_date <= on]
    contacts = [s.date for s in client.sessions if s.date < on and s.kind not in NOT_A_CONTACT_KINDS]
    if contacts:
        days = (on - max(contacts)).days
        since = f"since the last contact ({max(contacts).isoformat()}, {days} day{'s' if days != 1 else ''} ago)"
    else:
        since = "since the goal was set"
    schedule = ", ".join(f"{q.instrument} every {q.every_weeks} weeks" for q in client.questionnaires)
    return {
        "due": questionnaires_due(client, instruments, on),
        "schedule": schedule,
        "measurements": [_measurement(g, instruments) for g in active],
        # A step with minutes asks for times and minutes; a step that starts later (`from:`) is not asked yet.
        "homework": [Line(f"{yaml_id(s.id)}: {{times: ~, minutes: ~}}" if s.minutes else f"{yaml_id(s.id)}: ~",
                          f"{s.action}, {f'{s.minutes} minutes, ' if s.minutes else ''}{_how_often(s.times, s.per)}")
                     for g in active for s in g.steps if s.start is None or s.start <= on],
        "since": since,
        "on": on.isoformat(),
    }


def session_file_name(on: date, slug: str | None) -> str:
    return f"{on.isoformat()}{'-' + slug if slug else ''}.yaml"


def _taken(folder: Path, on: date, slug: str | None) -> Path | None:
    stem = on.isoformat() + (f"-{slug}" if slug else "")
    return next((p for p in (folder / f"{stem}.yaml", folder / f"{stem}.yml") if p.exists()), None)


def free_slug(folder: Path, on: date, kind: str) -> str:
    """A name for a second contact on the same day: the kind (e.g. check-in), else 2, 3, …"""
    candidates = ([kind] if kind != "session" else []) + [str(n) for n in range(2, 100)]
    return next(c for c in candidates if _taken(folder, on, c) is None)


def new_session(root: Path, client_id: str, *, on: date | None = None, kind: str | None = None,
                slug: str | None = None) -> Report:
    practice, client = load_for_new(root, client_id)
    assert client is not None
    on = on or practice.today
    if on > practice.today:
        raise GoalbookError(f"{on.isoformat()} is after today ({practice.today.isoformat()})",
                            hint="write a session on or after the day it happens")
    kind = kind or ("intake" if not client.sessions else "session")
    if kind not in SESSION_KINDS:
        raise GoalbookError(f"'{kind}' is not a kind of session", hint="use one of: " + ", ".join(SESSION_KINDS))
    if slug is not None and not SLUG.match(slug):
        raise GoalbookError(f"'{slug}' cannot be part of a file name",
                            hint="use lowercase letters, digits and hyphens, e.g. phone")
    folder = root / "clients" / client_id / "sessions"
    existing = _taken(folder, on, slug)
    if existing is not None:
        other = free_slug(folder, on, kind)
        raise GoalbookError(
            f"{client_id} already has a session file {existing.name} for {on.isoformat()}",
            hint=f"for another contact that day, add a word to the name: `goalbook new session {client_id} "
                 f"--date {on.isoformat()} --slug {other}` writes {session_file_name(on, other)}",
        )
    rel = f"clients/{client_id}/sessions/{session_file_name(on, slug)}"
    values = session_prefill(client, practice.instruments, on)
    text = render("session.yaml.j2", schemas=schemas_ref(root, folder), date=on.isoformat(), kind=kind,
                  records=kind not in NO_RECORDS, **values)
    report = Report(root)
    _put(report, rel, text.encode())
    if on < client.start_date:
        report.notes.append(f"this is before {client_id}'s start date ({client.start_date.isoformat()}); "
                            "move start_date in client.yaml back if this was the first contact")
    if client.status == "referred" and kind not in NO_RECORDS:
        report.notes.append(f"{client_id} is still `status: referred` in client.yaml: "
                            "change it to `status: active` once you start working together")
    report.next_step = f"write the session in {rel}, then `goalbook check`"
    return report
