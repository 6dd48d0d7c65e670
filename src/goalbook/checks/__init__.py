"""`goalbook check` as a library: load the practice, then the checks of SPEC "Validation, in order".

1-2. YAML syntax and JSON Schema: done file by file while loading (``records/load.py``).
3.   References between files (``checks/references.py``).
4.   Clinical sense (``checks/clinical_sense.py``).
5.   SMART lint, warnings only (``checks/smart_lint.py``).

The stages read the model and return ``Finding``s (a pointer into a file); only those are given
a line and column, at the end. ``format_report`` prints problems for `check` and `build` alike.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from goalbook.problems import (
    Problem,
    Severity,
    format_json,
    format_text,
    plural,
    sort_problems,
    summary,
)
from goalbook.records.load import Finding, LoadResult, Pointer, load_all, resolve
from goalbook.records.model import Client, Goal, Practice

# Every code load and the checks can report, with what it means (the test corpus covers each).
CODES: dict[str, str] = {
    # the folder layout (load.py)
    "missing-file": "a required file (goalbook.yaml, client.yaml) is missing",
    "unknown-file": "a file or folder goalbook does not read",
    "unreadable": "a file that cannot be read or understood",
    "bad-folder-name": "a client folder whose name is not a valid id",
    "bad-file-name": "a session file not named YYYY-MM-DD[-word].yaml",
    "duplicate-file": "two files for the same thing (.yaml and .yml)",
    # references
    "client-id-mismatch": "client id differs from its folder name",
    "unknown-clinician": "a clinician id not in goalbook.yaml",
    "duplicate-goal-id": "two goals of one client with the same id",
    "duplicate-step-id": "two action steps of one client with the same id",
    "duplicate-focus-area": "two focus areas of one client with the same id",
    "duplicate-respondent": "two respondents of one client with the same id",
    "same-display-name": "two clients shown under the same name on the caseload",
    "unknown-respondent": "a questionnaire answered by a respondent the client does not have",
    "unknown-focus-area": "a goal's focus area is not in client.yaml",
    "unknown-category": "a goal category that is neither standard nor the practice's",
    "unknown-revised-goal": "`revises` names a goal the client does not have",
    "revises-itself": "a goal that revises itself",
    "revision-cycle": "goals revising each other in a circle",
    "revised-status": "a revised goal whose status is not `revised`",
    "unknown-goal": "a session measures a goal the client does not have",
    "unknown-step": "a session counts homework for a step the client does not have",
    "unknown-instrument": "a questionnaire goalbook does not know",
    "unknown-subscale": "a goal measured by a subscale the questionnaire does not have",
    "date-mismatch": "a session's date differs from its file name",
    # clinical sense
    "answer-out-of-range": "an answer that is not an option of the item",
    "wrong-answer-count": "the number of answers differs from the questionnaire's items",
    "too-many-missing": "more missing answers than the questionnaire allows",
    "total-out-of-range": "a questionnaire total outside its possible range",
    "impossible-total": "a questionnaire total no set of answers could give (10.5 on the PHQ-9, 13 % on the WHO-5)",
    "future-date": "a date after today where only the past makes sense",
    "end-before-start": "a client's end date before their start date",
    "target-not-better": "a goal target that is not better than the baseline",
    "target-before-start": "a goal target date not after the date it was set",
    "session-before-start": "a session before the client's start date",
    "session-after-end": "a session after the client's end date",
    "discharge-not-recorded": "a discharge contact, the latest, for a client still in care",
    "measurement-out-of-range": "a value outside the goal's measure",
    "bad-scale": "a rating scale whose max is not above its min",
    "gas-level": "a Goal Attainment Scale level other than −2…+2",
    "no-end-date": "a discharged client without an end date",
    "end-reason-not-discharged": "an ending reason for a client who is not discharged",
    "measurement-inactive-goal": "a measurement for a goal that was not active then",
    "data-without-contact": "scores, measurements or homework at a contact that did not take place",
    "step-before-goal": "an action step whose `from:` is before its goal was set",
    "minutes-without-duration": "homework minutes for a step that has no `minutes:`",
    # SMART lint
    "no-measure": "a goal without a measure",
    "no-baseline": "a measured goal without a baseline",
    "no-target": "a measured goal without a target",
    "no-target-date": "a goal without a target date",
    "target-date-passed": "an active goal past its target date",
    "review-overdue": "an active goal whose review is overdue",
    "no-action-step": "a goal without an action step",
    "no-own-words": "a goal without the client's own words",
    "no-relevant": "a goal without a link to the client's hopes",
}


# Findings that compare a date with today.
CLOCK_CODES = frozenset({"future-date", "target-date-passed", "review-overdue"})


@dataclass
class CheckResult:
    practice: Practice | None
    problems: list[Problem]  # sorted
    files_read: int


def check_practice(root: Path, *, today: date | None = None) -> tuple[Practice | None, list[Problem]]:
    """Load the whole practice and run every check; problems sorted by file, line and column."""
    loaded = load_all(Path(root), today=today)
    problems = list(loaded.problems)
    if loaded.practice is not None:
        problems += client_problems(loaded, loaded.practice.clients)
        names = [(c.folder, c.id, c.name, loaded.clients.get(c.folder)) for c in loaded.practice.clients]
        problems += resolve(same_names(names), loaded.root)
    return loaded.practice, sort_problems(problems)


def run_checks(root: Path, *, today: date | None = None, session: Any = None,
               across_clients: bool = True) -> CheckResult:
    """`goalbook check`: the build's pipeline, stopped before rendering, and then the checks that
    compare clients with each other (on what each client's step kept: its name among it).
    ``across_clients`` is accepted for callers; `check` always runs them, `build` never."""
    from goalbook.build import check_book

    return check_book(root, today=today, session=session)


def same_names(clients: list[tuple[str, str, str, Any]]) -> list[Finding]:
    """Two clients under one name look identical on the caseload: the second is pointed out.
    ``clients``: (folder, id, name, sources) of each client, in the practice's order."""
    first: dict[str, str] = {}
    found = []
    for folder, client_id, name, sources in clients:
        key = " ".join(name.split()).casefold()
        if not key:
            continue
        if key in first:
            path = (sources.client_file if sources else None) or f"{folder}/client.yaml"
            found.append(finding(
                path, ("name",), "warning", "same-display-name",
                f"the client {first[key]} has the same name, '{name}': the caseload cannot tell them apart",
                "give one of them a different name (e.g. add an initial or a number)",
            ))
        else:
            first[key] = client_id
    return found


def client_problems(loaded: LoadResult, clients: list[Client]) -> list[Problem]:
    """Stages 3–5 (references, clinical sense, SMART lint) for these clients of ``loaded``."""
    # NOTE: the stages are imported here; they import this module for Context and helpers.
    from goalbook.checks import clinical_sense, references, smart_lint

    assert loaded.practice is not None
    context = Context(loaded, replace(loaded.practice, clients=clients))
    findings: list[Finding] = []
    for stage in (references.check, clinical_sense.check, smart_lint.check):
        findings += stage(context)
    if loaded.today_unusable:
        # `today:` is written but wrong (already an error): judged by the clock instead, every
        # date would be "in the future" or "overdue" — many messages for that one mistake.
        findings = [f for f in findings if f.code not in CLOCK_CODES]
    return resolve(findings, loaded.root)


# --- What the stages share --------------------------------------------------------------------


@dataclass
class Context:
    loaded: LoadResult
    practice: Practice

    @property
    def today(self) -> date:
        return self.practice.today

    def client_file(self, client: Client) -> str:
        sources = self.loaded.clients.get(client.folder)
        return (sources.client_file if sources else None) or f"{client.folder}/client.yaml"

    def goals_file(self, client: Client) -> str:
        sources = self.loaded.clients.get(client.folder)
        return (sources.goals_file if sources else None) or f"{client.folder}/goals.yaml"

    def goals_known(self, client: Client) -> bool:
        """False when goals.yaml exists but was left out: references to goals can't be judged."""
        sources = self.loaded.clients.get(client.folder)
        return sources is None or sources.goals_ok

    def instrument_known(self, instrument_id: str) -> bool:
        # A practice definition with errors is left out; don't also call every use of it unknown.
        return instrument_id in self.practice.instruments or instrument_id in self.loaded.practice_instrument_files


def finding(
    path: str, pointer: Pointer, severity: Severity, code: str, message: str, hint: str = "", **extra: Any
) -> Finding:
    assert code in CODES, code  # every code is documented above and covered by the corpus
    return Finding(path, tuple(pointer), severity, code, message, hint, **extra)


def goal_pointer(goal_index: int, *rest: str | int) -> Pointer:
    return ("goals", goal_index, *rest)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """" Did you mean 'x'?" or "" (a sentence to put in front of a hint)."""
    close = difflib.get_close_matches(word, sorted(set(options)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def one_of(options: Iterable[str], limit: int = 12) -> str:
    names = sorted(set(options))
    if not names:
        return "(none yet)"
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def open_goals(client: Client) -> Iterable[tuple[int, Goal]]:
    """Goals still being worked on (not achieved, discontinued or revised)."""
    return ((i, g) for i, g in enumerate(client.goals) if g.status in ("proposed", "active", "paused"))


# --- Reporting --------------------------------------------------------------------------------


def use_colour(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour only for a person at a terminal that wants it (no-color.org, TERM=dumb)."""
    if "NO_COLOR" in environ or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def shown(problems: Sequence[Problem], prefix: str) -> list[Problem]:
    """Problems with paths as the user will open them: ``prefix`` is the practice folder as typed."""
    if not prefix or prefix == ".":
        return list(problems)
    prefix = prefix.replace(os.sep, "/").rstrip("/")
    return [replace(p, path=f"{prefix}/{p.path}") for p in problems]


def format_report(
    problems: Sequence[Problem], root: Path, *, fmt: str = "text", colour: bool = False, prefix: str = ""
) -> str:
    """Problems as `check` prints them: text (with source excerpt and hint) or JSON.

    ``root`` is the practice folder (to read excerpts); ``prefix`` is put in front of each path.
    """
    renamed = shown(problems, prefix)
    if fmt == "json":
        return format_json(renamed)
    # Excerpts are read from the file as found under ``root``, before the prefix was added.
    excerpts = {p: _excerpt(root, original) for original, p in zip(problems, renamed)}
    return format_text(renamed, excerpts.get, colour=colour)


def _excerpt(root: Path, problem: Problem) -> str:
    if problem.line < 1 or problem.code in ("binary", "encoding", "too-large"):
        return ""
    from goalbook.records import yamlload

    path = root / problem.path
    try:
        return yamlload.excerpt(path, problem.line, problem.column)
    except (OSError, ValueError, UnicodeDecodeError):
        return ""


def summary_line(problems: Sequence[Problem], files: int, seconds: float) -> str:
    """``2 errors, 1 warning in 14 files (0.42 s)``"""
    errors, warnings = summary(problems)
    return (
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')} "
        f"({seconds:.2f} s)"
    )

