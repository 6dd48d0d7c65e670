"""`goalbook check` as a library: load the practice, then the checks of SPEC "Validation, in order".

1-2. YAML syntax and JSON Schema: done file by file while loading (``load.py``).
3.   References between files (``rules/references.py``).
4.   Clinical sense (``rules/clinical_sense.py``).
5.   SMART lint, warnings only (``rules/smart_lint.py``).

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

from goalbook import checkcache, gcpause
from goalbook.load import Finding, LoadResult, Pointer, load_all, resolve
from goalbook.problems import (
    Problem,
    Severity,
    format_json,
    format_text,
    plural,
    sort_problems,
    summary,
)
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
    """Load the practice and run every check; problems sorted by file, line and column."""
    result = run_checks(root, today=today)
    return result.practice, result.problems


def run_checks(root: Path, *, today: date | None = None, across_clients: bool = False) -> CheckResult:
    """``across_clients``: also the checks that compare clients with each other (`goalbook
    check`), which read every client's name; a build leaves them out, so that it still reads
    nothing of a client whose files did not change."""
    with gcpause.paused():
        result = _run_checks(root, today=today)
    if across_clients and result.practice is not None:
        result.problems = sort_problems([*result.problems, *_same_names(result.practice, Path(root))])
    return result


def _run_checks(root: Path, *, today: date | None = None) -> CheckResult:
    loaded = load_all(Path(root), today=today)
    problems = list(loaded.problems)
    if loaded.practice is not None:
        # Issue 6: the stages look at one client at a time, so a client whose files (and the
        # practice's settings) did not change keeps the problems found last time (checkcache.py).
        memo = checkcache.memo_for(loaded.root)
        base = checkcache.practice_key(loaded) if memo is not None else ""
        todo, keys = [], {}
        for client in loaded.practice.clients:
            key = (checkcache.client_key(base, loaded.root, client, loaded.clients.get(client.folder))
                   if memo is not None else None)
            kept = memo.get(client.folder, key) if memo is not None else None
            if kept is None:
                todo.append(client)
                keys[client.folder] = key
            else:
                problems += kept
        found = client_problems(loaded, todo)
        problems += found
        if memo is not None:
            by_folder = problems_by_folder(found, keys)
            for folder, key in keys.items():
                memo.put(folder, key if by_folder is not None else None, (by_folder or {}).get(folder, []))
            memo.save({c.folder for c in loaded.practice.clients})
    return CheckResult(loaded.practice, sort_problems(problems), loaded.files_read)


def _client_name(root: Path, client: Client) -> tuple[str, str, int]:
    """(client file, name, line of ``name:``), read from the file's text: a client that was not
    loaded (unchanged since the last build) is not loaded for this."""
    from goalbook.records.yamlload import load_yaml_bytes, read_limited

    for stem in ("client.yaml", "client.yml"):
        path = f"{client.folder}/{stem}"
        try:
            lines = read_limited(root / path).decode("utf-8", "replace").splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, start=1):
            if line.startswith("name:"):
                data, _ = load_yaml_bytes(line.encode("utf-8"), path)
                name = data.get("name") if isinstance(data, dict) else None
                return path, name if isinstance(name, str) else "", number
        return path, "", 0
    return f"{client.folder}/client.yaml", "", 0


def _same_names(practice: Practice, root: Path) -> list[Problem]:
    """Two clients under one name look identical on the caseload: the second is pointed out."""
    first: dict[str, str] = {}
    found = []
    for client in practice.clients:
        path, name, line = _client_name(root, client)
        key = " ".join(name.split()).casefold()
        if not key:
            continue
        if key in first:
            found.append(Problem(
                path, line, 7 if line else 0, "warning", "same-display-name",
                f"the client {first[key]} has the same name, '{name}': the caseload cannot tell them apart",
                "give one of them a different name (e.g. add an initial or a number)",
            ))
        else:
            first[key] = client.id
    return found


def client_problems(loaded: LoadResult, clients: list[Client]) -> list[Problem]:
    """Stages 3–5 (references, clinical sense, SMART lint) for these clients of ``loaded``."""
    # NOTE: the stages are imported here; they import this module for Context and helpers.
    from goalbook.rules import clinical_sense, references, smart_lint

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


def problems_by_folder(found: list[Problem], folders: Iterable[str]) -> dict[str, list[Problem]] | None:
    """``found`` sorted into the client folders they belong to; None when any belongs to none of
    them (then nothing may be remembered per client)."""
    by_folder: dict[str, list[Problem]] = {folder: [] for folder in folders}
    for problem in found:
        folder = "/".join(problem.path.split("/")[:2])
        if folder not in by_folder:
            return None
        by_folder[folder].append(problem)
    return by_folder


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

