"""Read a whole practice folder into ``model.py`` objects, collecting every problem on the way.

Order: goalbook.yaml → instruments → each client folder (client.yaml, goals.yaml, sessions/*).
Every file goes through ``load_file`` (parse + validate). Nothing here caches or starts a
process: the speed layer (``incremental/``) decides which client folders to read at all. A file
with errors is left out of the model but all its problems are reported; the model is returned
whenever goalbook.yaml itself could be read, so the later checks still run on everything else.

Later stages report ``Finding``s: a JSON pointer into a file instead of a line. Positions are
resolved (by composing the YAML again) only for the few files that have findings, which keeps
the common, clean path at one C-parser load per file.
"""

from __future__ import annotations

import difflib
import operator
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from goalbook import fastschema
from goalbook.problems import Problem, Severity, sort_problems
from goalbook.records import yamlload
from goalbook.records.model import (
    GAS_LEVELS,
    SESSION_FILE,
    SLUG,
    STANDARD_CATEGORIES,
    ActionStep,
    Administration,
    AlertReview,
    AlertSettings,
    Client,
    Clinician,
    FocusArea,
    Goal,
    LifeEvent,
    Measure,
    Practice,
    Respondent,
    Schedule,
    Session,
    ShareSettings,
    Target,
    quick_constructor,
)
from goalbook.records.today import parse_date, resolve_today

SETTINGS = "goalbook.yaml"
CLIENTS = "clients"
YAML_SUFFIXES = (".yaml", ".yml")
# Folders a practice may hold that goalbook never reads as clients.
IGNORED_NAMES = {"_book", ".goalbook-cache", "schemas"}
CLIENT_FILES = ("client.yaml", "goals.yaml", "sessions/")

Pointer = tuple[str | int, ...]

def failed_file(exc: BaseException) -> str | None:
    """The practice file being read when ``exc`` escaped, so an internal error can say where."""
    where = getattr(exc, "goalbook_file", None)
    return where if isinstance(where, str) else None


def _mark(exc: BaseException, display: str) -> None:
    """Name the file an unexpected failure escaped from (the innermost one wins; kept by pickling)."""
    if failed_file(exc) is None:
        try:
            exc.goalbook_file = display  # type: ignore[attr-defined]
        except AttributeError:
            pass


@dataclass(frozen=True)
class Finding:
    """A problem found after loading, placed by a pointer into its file (resolved when reported).

    ``message`` and ``hint`` may contain ``{related_line}``: the line of ``related`` (a pointer
    into the same file), e.g. the first of two goals with the same id.
    """

    path: str
    pointer: Pointer
    severity: Severity
    code: str
    message: str
    hint: str = ""
    key: bool = False  # point at the mapping key rather than its value
    related: Pointer | None = None


@dataclass
class ClientSources:
    """Which files one client folder had and whether they made it into the model."""

    folder: str  # clients/<name>
    client_file: str | None = None
    goals_file: str | None = None
    goals_ok: bool = True  # False when goals.yaml exists but was left out (don't cascade errors)


@dataclass
class LoadResult:
    root: Path
    practice: Practice | None
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    settings_ok: bool = False  # goalbook.yaml loaded without errors: its ids can be trusted
    clients: dict[str, ClientSources] = field(default_factory=dict)  # folder → sources
    practice_instrument_files: set[str] = field(default_factory=set)  # stems in instruments/
    today_unusable: bool = False  # goalbook.yaml has a `today:` that could not be used (the clock stood in)


# --- One file ---------------------------------------------------------------------------------


def load_file(path: Path | str, display: str, kind: str, source: bytes | None = None) -> tuple[Any, list[Problem]]:
    """Parse and validate one practice file. ``kind``: practice | client | goals | session.
    ``source``: the file's bytes, when the caller already read them (``path`` is then not used).

    Returns the data (None when it could not be parsed) and every problem found in it.
    """
    try:
        return _load_file(path, display, kind, source)
    except Exception as exc:
        _mark(exc, display)
        raise


def _load_file(path: Path | str, display: str, kind: str, source: bytes | None) -> tuple[Any, list[Problem]]:
    try:
        data, problems = yamlload.load_yaml(Path(path), display) if source is None else yamlload.load_yaml_bytes(source, display)
    except OSError as exc:  # a link loop, a permission problem, a file removed while reading
        return None, [_unreadable(display, exc)]
    problems = list(problems)
    # The compiled check answers "valid?" fast; jsonschema finds and explains what is wrong.
    if data is not None and not fastschema.is_valid(data, kind):
        from goalbook.records import validate  # only now: jsonschema is slow to import

        problems += validate.validate(data, kind, display, Path(path) if source is None else source)
    return data, problems


def _unreadable(display: str, exc: OSError) -> Problem:
    reason = exc.strerror or type(exc).__name__
    return Problem(
        display, 0, 0, "error", "unreadable", f"this file cannot be read ({reason})",
        "check that it is a normal file you can open (not a broken link or a folder), then try again",
    )


def _has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.is_error for p in problems)


# --- The whole practice -----------------------------------------------------------------------


def load_practice(root: Path, *, today: date | None = None) -> tuple[Practice | None, list[Problem]]:
    """The practice as model objects (None when goalbook.yaml is unreadable) and the load problems."""
    result = load_all(root, today=today)
    return result.practice, sort_problems(result.problems)


def load_settings(root: Path, *, today: date | None = None) -> LoadResult:
    """The practice without its clients: goalbook.yaml and the instruments (practice None when
    goalbook.yaml is missing or unreadable)."""
    result = LoadResult(root=root, practice=None)
    settings_path = _yaml_file(root, "goalbook")
    if settings_path is None:
        result.problems.append(Problem(
            SETTINGS, 0, 0, "error", "missing-file", "this folder has no goalbook.yaml",
            "run goalbook in your practice folder, or create one with `goalbook init`",
        ))
        return result
    display = settings_path.name
    data, problems = load_file(settings_path, display, "practice")
    result.files_read += 1
    result.problems += problems
    if not isinstance(data, dict):
        return result
    result.settings_ok = not _has_errors(problems)
    practice = _build_practice(root, data, today)
    result.practice = practice
    result.today_unusable = not result.settings_ok and not practice.today_fixed and data.get("today") is not None

    from goalbook.clinical.instruments import load_instruments  # heavy: only when really loading

    instruments, instrument_problems = load_instruments(root)
    practice.instruments = dict(sorted(instruments.items()))
    result.problems += instrument_problems
    instruments_dir = root / "instruments"
    if instruments_dir.is_dir():
        for path in instruments_dir.iterdir():
            if path.suffix in YAML_SUFFIXES and not path.name.startswith("."):
                if path.is_symlink() and _outside(str(path), str(root)):
                    result.problems.append(_link_outside(f"instruments/{path.name}"))
                result.practice_instrument_files.add(path.stem)
                result.files_read += 1
    return result


def load_all(root: Path, *, today: date | None = None) -> LoadResult:
    """Everything ``check`` needs: the model, the problems, and which files made it in."""
    result = load_settings(Path(root), today=today)
    practice = result.practice
    if practice is None:
        return result
    names, problems = list_client_folders(result.root, practice.output)
    result.problems += problems
    for name in names:
        folder, problems = scan_client_folder(result.root, name)
        client, sources, found, count = load_client(folder)
        result.clients[sources.folder] = sources
        result.problems += problems + found
        result.files_read += count
        if client is not None:
            practice.clients.append(client)
    practice.clients.sort(key=lambda c: (c.id, c.folder))
    return result


def _yaml_file(folder: Path, stem: str) -> Path | None:
    for suffix in YAML_SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def _build_practice(root: Path, data: dict[str, Any], today: date | None) -> Practice:
    # Built leniently from whatever is well-formed: goalbook.yaml's own problems are already
    # reported, and the rest of the practice should still be checked.
    clinicians = {}
    for entry in _list(data.get("clinicians")):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            clinicians.setdefault(
                entry["id"], Clinician(entry["id"], _text(entry.get("name")) or entry["id"], _text(entry.get("role")))
            )
    categories = dict(STANDARD_CATEGORIES)
    for entry in _list(data.get("goal_categories")):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            categories.setdefault(entry["id"], _text(entry.get("label")) or entry["id"])
    alerts = data.get("alerts") if isinstance(data.get("alerts"), dict) else {}
    defaults = AlertSettings()
    setting = _date(data.get("today"))
    resolved, fixed = resolve_today(today, setting)
    output = data.get("output")
    return Practice(
        root=root,
        name=_text(data.get("name")) or root.name,
        clinicians=dict(sorted(clinicians.items())),
        today=resolved,
        today_fixed=fixed,
        output=output if isinstance(output, str) and output.strip() else "_book",
        categories=categories,
        alerts=AlertSettings(
            no_contact_days=_positive_int(alerts.get("no_contact_days"), defaults.no_contact_days),
            review_every_weeks=_positive_int(alerts.get("review_every_weeks"), defaults.review_every_weeks),
        ),
        share=_share_settings(data.get("share")),
        safety_message=_text(data.get("safety_message")).strip(),
    )


def _share_settings(raw: Any) -> ShareSettings:
    raw = raw if isinstance(raw, dict) else {}
    return ShareSettings(**{name: raw.get(name) is True for name in ("clinician_notes", "missed_contacts", "past_goals")})


# --- The folder layout ------------------------------------------------------------------------


@dataclass
class ClientFolder:
    """One client folder's files as listed. Plain strings, not Paths: a large practice has tens
    of thousands of files; Path objects are made only for the files that are really read."""

    name: str
    path: str = ""  # the folder itself
    client: str | None = None
    goals: str | None = None
    sessions: list[str] = field(default_factory=list)
    files: list[tuple[str, str, str]] = field(default_factory=list)  # (path, display, kind) of each file


def list_client_folders(root: Path, output: str) -> tuple[list[str], list[Problem]]:
    """The names of the client folders in clients/, and a problem for anything else found there."""
    problems: list[Problem] = []
    clients_dir = root / CLIENTS
    if not clients_dir.is_dir():
        return [], problems
    skip = IGNORED_NAMES | {Path(output).name}
    names = []
    for entry in _entries(clients_dir):
        display = f"{CLIENTS}/{entry.name}"
        if entry.name.startswith(".") or entry.name in skip:
            continue
        if _links_out(entry, display):
            problems.append(_link_outside(display))
            continue
        if not _is_dir(entry):
            problems.append(_odd_entry(entry, display, "clients/ holds one folder per client"))
            continue
        if not SLUG.match(entry.name):
            problems.append(Problem(
                display, 0, 0, "error", "bad-folder-name",
                f"the client folder name '{entry.name}' is not a valid client id",
                "a client id is lowercase letters, digits and hyphens (at most 40), starting with a "
                f"letter or digit; rename the folder, e.g. to '{_slugify(entry.name)}'",
            ))
            continue
        names.append(entry.name)
    return names, problems


def client_folder(root: Path, name: str, files: list[tuple[str, str]]) -> ClientFolder:
    """A client folder from a listing recorded earlier: (display, kind) of each file, in order."""
    path = os.path.join(root, CLIENTS, name)
    start = len(CLIENTS) + len(name) + 2
    folder = ClientFolder(name, path=path)
    for display, kind in files:
        file_path = path + os.sep + display[start:].replace("/", os.sep)
        if kind == "session":
            folder.sessions.append(file_path)
        else:
            setattr(folder, kind, file_path)
        folder.files.append((file_path, display, kind))
    return folder


def scan_client_folder(root: Path, name: str) -> tuple[ClientFolder, list[Problem]]:
    """List one client folder: its files, and a problem for anything odd in it."""
    return _scan_client_folder(os.path.join(root, CLIENTS, name), f"{CLIENTS}/{name}")


def _scan_client_folder(path: str, display: str) -> tuple[ClientFolder, list[Problem]]:
    try:
        return _scan_client_folder_unmarked(path, display)
    except Exception as exc:
        _mark(exc, display)
        raise


def _scan_client_folder_unmarked(path: str, display: str) -> tuple[ClientFolder, list[Problem]]:
    problems: list[Problem] = []
    name = os.path.basename(path)
    folder = ClientFolder(name, path=path)
    session_displays: list[str] = []
    seen: dict[str, str] = {}  # stem → file name, to catch client.yaml next to client.yml
    entries, unreadable = _listing(path)
    for entry in entries:
        name = entry.name
        rel = f"{display}/{name}"
        if name.startswith("."):
            continue
        stem, suffix = os.path.splitext(name)
        if _links_out(entry, rel):
            problems.append(_link_outside(rel))
            if stem == "client" and suffix in YAML_SUFFIXES:
                seen[stem] = name  # said once: not also "has no client.yaml"
            continue
        if stem in ("client", "goals") and _wrong_case_suffix(name) and _is_file(entry):
            problems.append(_wrong_case(rel, name))
            if stem == "client":
                seen[stem] = name  # said once: not also "has no client.yaml"
            continue
        if stem in ("client", "goals") and suffix in YAML_SUFFIXES and _is_file(entry):
            if stem in seen:
                problems.append(_duplicate_file(rel, f"{display}/{seen[stem]}"))
                continue
            seen[stem] = name
            setattr(folder, stem, entry.path)
        elif name == "sessions" and _is_dir(entry):
            sessions, session_problems = _scan_sessions(entry.path, rel, session_displays)
            folder.sessions = sessions
            problems += session_problems
        else:
            guess = difflib.get_close_matches(name + ("/" if _is_dir(entry) else ""), CLIENT_FILES, n=1, cutoff=0.6)
            problems.append(_odd_entry(
                entry, rel, "a client folder holds client.yaml, goals.yaml and sessions/",
                f"did you mean {guess[0]}? " if guess else "",
            ))
    if unreadable is not None:
        problems.append(Problem(display, 0, 0, "error", "unreadable",
                                f"this client folder cannot be read ({unreadable})",
                                "check the folder's permissions (you need to be able to open it), then try again"))
    elif folder.client is None and "client" not in seen:
        problems.append(Problem(
            display, 0, 0, "error", "missing-file", "this client folder has no client.yaml",
            f"add {display}/client.yaml (`goalbook new client {folder.name}` writes one), "
            "or move the folder out of clients/",
        ))
    # (path, display, kind) of every file, worked out here where the names are at hand.
    head = [(p, f"{display}/{os.path.basename(p)}", kind)
            for p, kind in ((folder.client, "client"), (folder.goals, "goals")) if p]
    folder.files = head + [(p, d, "session") for p, d in zip(folder.sessions, session_displays)]
    return folder, problems


def _scan_sessions(path: str, display: str, displays: list[str] | None = None) -> tuple[list[str], list[Problem]]:
    """The session files in ``path`` (and their display paths, appended to ``displays``)."""
    problems: list[Problem] = []
    sessions: list[str] = []
    seen: dict[str, str] = {}  # date + slug → file name
    for entry in _entries(path):
        name = entry.name
        if name.startswith("."):
            continue
        rel = f"{display}/{name}"
        if _links_out(entry, rel):
            problems.append(_link_outside(rel))
            continue
        if not _is_file(entry):
            problems.append(_odd_entry(entry, rel, "sessions/ holds one YAML file per contact"))
            continue
        if _wrong_case_suffix(name):
            problems.append(_wrong_case(rel, name))
            continue
        match = SESSION_FILE.match(name)
        if match is None or parse_date(match.group(1)) is None:
            if name.endswith(YAML_SUFFIXES):
                problems.append(_bad_session_name(rel, name, match is not None))
            else:
                problems.append(_odd_entry(entry, rel, "sessions/ holds one YAML file per contact"))
            continue
        key = match.group(1) + "-" + (match.group(2) or "")
        if key in seen:
            problems.append(_duplicate_file(rel, f"{display}/{seen[key]}"))
            continue
        seen[key] = name
        sessions.append(entry.path)
        if displays is not None:
            displays.append(rel)
    return sessions, problems


def _entries(path: Path | str) -> list[os.DirEntry[str]]:
    return _listing(path)[0]


def _listing(path: Path | str) -> tuple[list[os.DirEntry[str]], str | None]:
    """The entries of a folder by name, and why it could not be listed (None when it could)."""
    try:
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name), None
    except FileNotFoundError:
        return [], None
    except OSError as exc:
        return [], exc.strerror or type(exc).__name__


def _links_out(entry: os.DirEntry[str], display: str) -> bool:
    """True when ``entry`` (at practice-relative ``display``) is a symbolic link to a place outside
    the practice: git keeps the link, never what is there, so the book would show records that
    no commit holds."""
    if not entry.is_symlink():
        return False
    depth = display.count("/") + 1
    root = entry.path
    for _ in range(depth):
        root = os.path.dirname(root)
    return _outside(entry.path, root)


def _outside(path: str, root: str) -> bool:
    """Whether ``path``, links followed, lies outside the folder ``root`` (links followed too)."""
    root_real = os.path.realpath(root)
    target = os.path.realpath(path)
    return not (target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep))


def _link_outside(display: str) -> Problem:
    return Problem(
        display, 0, 0, "error", "link-outside",
        "this is a link to a place outside the practice: git keeps only the link, not the records "
        "there, so goalbook does not read them",
        "move the files into the practice (and commit them), or remove the link",
    )


def _is_dir(entry: os.DirEntry[str]) -> bool:
    # DirEntry.is_dir raises on a link loop (ELOOP); such an entry is neither file nor folder.
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _odd_entry(entry: os.DirEntry[str], display: str, what: str, guess: str = "") -> Problem:
    special = _special_kind(entry)
    if special:
        return Problem(
            display, 0, 0, "warning", "unreadable", f"this is {special}, not a file: goalbook does not read it",
            "remove it; records are plain text files",
        )
    if not _is_dir(entry) and not _is_file(entry):
        return Problem(
            display, 0, 0, "warning", "unreadable",
            "this entry cannot be read: it is a broken link or a link that points to itself",
            "remove it, or point it at a real file or folder",
        )
    kind = "folder" if _is_dir(entry) else "file"
    return Problem(
        display, 0, 0, "warning", "unknown-file", f"goalbook does not read this {kind}",
        f"{guess}{what}; rename it if it is meant for goalbook, otherwise move it elsewhere",
    )


def _special_kind(entry: os.DirEntry[str]) -> str:
    """'a named pipe (FIFO)', 'a device', 'a socket' for such an entry (or a link to one), else ''."""
    try:
        return yamlload.special_kind(os.stat(entry.path).st_mode)
    except OSError:
        return ""


def _wrong_case_suffix(name: str) -> bool:
    """``2026-03-02.YAML``, ``client.Yml``: a record the user clearly meant, with an ending
    goalbook does not read as written."""
    return name.lower().endswith(YAML_SUFFIXES) and not name.endswith(YAML_SUFFIXES)


def _wrong_case(display: str, name: str) -> Problem:
    stem, suffix = os.path.splitext(name)
    return Problem(
        display, 0, 0, "error", "bad-file-name", f"the ending '{suffix}' is not read: goalbook reads '{suffix.lower()}'",
        f"rename the file to {stem}{suffix.lower()}",
    )


def _duplicate_file(display: str, other: str) -> Problem:
    return Problem(
        display, 0, 0, "error", "duplicate-file", f"this file has the same name as {other} (only the ending differs)",
        "goalbook cannot tell which one is meant: merge them into one file and delete the other",
    )


def _bad_session_name(display: str, name: str, looked_like_date: bool) -> Problem:
    found = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", name)
    suggestion = ""
    if found:
        guess = f"{found.group(1)}-{int(found.group(2)):02d}-{int(found.group(3)):02d}"
        if parse_date(guess):
            suggestion = f", e.g. {guess}.yaml"
    what = "is not a real date" if looked_like_date else "is not a session file name"
    return Problem(
        display, 0, 0, "error", "bad-file-name", f"'{name}' {what}",
        "name session files by their date, YYYY-MM-DD.yaml, or YYYY-MM-DD-<word>.yaml for a second "
        f"contact that day (e.g. 2025-10-13-phone.yaml){suggestion}",
    )


def _slugify(name: str) -> str:
    from goalbook.records.validate import (
        suggest_slug,  # only for a badly named folder: validate is heavy
    )

    return suggest_slug(name) or "client-1"


# --- One client -------------------------------------------------------------------------------


def load_client(folder: ClientFolder, contents: dict[str, bytes] | None = None
                ) -> tuple[Client | None, ClientSources, list[Problem], int]:
    """One client folder into the model: (client or None, its sources, problems, files read).
    ``contents``: file bytes already read, by path."""
    contents = contents or {}
    sources = ClientSources(folder=f"{CLIENTS}/{folder.name}")
    problems: list[Problem] = []
    count = 0
    client: Client | None = None
    if folder.client is not None:
        sources.client_file = f"{sources.folder}/{os.path.basename(folder.client)}"
        data, found = load_file(folder.client, sources.client_file, "client", contents.get(folder.client))
        count += 1
        problems += found
        if isinstance(data, dict) and not _has_errors(found):
            client = _guarded(_build_client, data, sources.folder, sources.client_file, problems)
    if folder.goals is not None:
        sources.goals_file = f"{sources.folder}/{os.path.basename(folder.goals)}"
        source = contents.get(folder.goals)
        data, found = load_file(folder.goals, sources.goals_file, "goals", source)
        count += 1
        problems += found
        goals = None
        if isinstance(data, dict) and not _has_errors(found):
            goals = _guarded(_build_goals, data, source if source is not None else Path(folder.goals),
                             sources.goals_file, problems)
        sources.goals_ok = goals is not None
        if client is not None and goals is not None:
            client.goals = goals
    for path in folder.sessions:
        display = f"{sources.folder}/sessions/{os.path.basename(path)}"
        data, found = load_file(path, display, "session", contents.get(path))
        count += 1
        problems += found
        if isinstance(data, dict) and not _has_errors(found):
            session = _guarded(_build_session, data, display, display, problems)
            if client is not None and session is not None:
                client.sessions.append(session)
    if client is not None:
        client.sessions.sort(key=_SESSION_ORDER)
    return client, sources, problems, count


_SESSION_ORDER = operator.attrgetter("date", "time", "file")  # Session.sort_key, without a call per session


def _guarded(build, data: dict[str, Any], arg: Any, display: str, problems: list[Problem]):
    # The schema should make this impossible; if it ever lets something odd through, the file is
    # reported and left out instead of stopping the whole check.
    try:
        return build(data, arg)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problems.append(Problem(
            display, 0, 0, "error", "unreadable",
            f"goalbook could not understand this file ({type(exc).__name__}: {exc})",
            "compare the file with docs/format.md; if it looks right, please report this",
        ))
        return None


def _build_client(data: dict[str, Any], folder: str) -> Client:
    return Client(
        id=str(data["id"]),
        name=_text(data["name"]),
        clinician=str(data["clinician"]),
        start_date=_required_date(data["start_date"]),
        status=str(data["status"]),
        folder=folder,
        end_date=_date(data.get("end_date")),
        end_reason=str(data.get("end_reason") or ""),
        pronouns=_text(data.get("pronouns")),
        hopes=tuple(_text(h) for h in _list(data.get("hopes"))),
        focus_areas=tuple(
            FocusArea(str(f["id"]), _text(f.get("name")) or str(f["id"]), int(f.get("priority") or 1))
            for f in _list(data.get("focus_areas"))
        ),
        questionnaires=tuple(
            Schedule(str(q["instrument"]), int(q["every_weeks"]), _text(q.get("respondent")))
            for q in _list(data.get("questionnaires"))
        ),
        respondents=tuple(
            Respondent(str(r["id"]), _text(r["name"]), str(r["relation"])) for r in _list(data.get("respondents"))
        ),
        notes=_text(data.get("notes")),
        private_notes=_text(data.get("private_notes")),
        for_client=_text(data.get("for_client")),
        events=tuple(sorted(
            (LifeEvent(_required_date(e["date"]), _text(e.get("text"))) for e in _list(data.get("events"))),
            key=lambda e: e.date)),
        returned=tuple(sorted(d for d in (_date(v) for v in _list(data.get("returned"))) if d is not None)),
        alert_reviews=tuple(  # in the file's order (check points at each one)
            AlertReview(_required_date(r["date"]), _text(r.get("by")), _text(r.get("note")), _text(r.get("instrument")))
            for r in _list(data.get("alert_reviews"))),
    )


def _build_goals(data: dict[str, Any], source: Path | bytes) -> list[Goal]:
    goals = []
    for index, raw in enumerate(_list(data.get("goals"))):
        goal_id = str(raw["id"])
        steps = tuple(
            ActionStep(str(s["id"]), _text(s.get("action")), int(s["times"]), str(s["per"]), goal_id,
                       minutes=int(s["minutes"]) if s.get("minutes") is not None else None,
                       start=_date(s.get("from")))
            for s in _list(raw.get("steps"))
        )
        line, _ = yamlload.position(source, ["goals", index])
        goals.append(Goal(
            id=goal_id,
            title=_text(raw["title"]),
            status=str(raw["status"]),
            set_date=_required_date(raw["set_date"]),
            own_words=_text(raw.get("own_words")),
            category=_text(raw.get("category")),
            focus_area=_text(raw.get("focus_area")),
            target_date=_date(raw.get("target_date")),
            review_date=_date(raw.get("review_date")),
            achievable=_text(raw.get("achievable")),
            relevant=_text(raw.get("relevant")),
            measure=_build_measure(raw.get("measure")),
            baseline=_number(raw.get("baseline")),
            target=Target.parse(raw.get("target")),
            direction=raw.get("direction"),
            steps=steps,
            revises=raw.get("revises"),
            notes=_text(raw.get("notes")),
            for_client=_text(raw.get("for_client")),
            line=line,
        ))
    return goals


def _build_measure(raw: Any) -> Measure | None:
    if not isinstance(raw, dict):
        return None
    kind = raw["type"]
    if kind == "questionnaire":
        return Measure(type=kind, instrument=str(raw["instrument"]), subscale=raw.get("subscale"))
    if kind == "rating":
        return Measure(
            type=kind, label=_text(raw.get("label")),
            min=_number(raw.get("min")) if raw.get("min") is not None else 0,
            max=_number(raw.get("max")) if raw.get("max") is not None else 10,
        )
    if kind == "count":
        return Measure(type=kind, label=_text(raw.get("label")), per=raw.get("per"))
    if kind == "gas":
        levels = {GAS_LEVELS[name]: _text(text) for name, text in (raw.get("levels") or {}).items()}
        weight = raw.get("weight")
        return Measure(type=kind, levels=dict(sorted(levels.items())), weight=float(weight) if weight is not None else 1.0)
    raise ValueError(f"unknown measure type {kind!r}")


# A client has dozens of sessions, each with a few questionnaires: made without the frozen
# classes' per-field __init__ (model.quick_constructor), the same objects.
_new_session = quick_constructor(Session)
_new_administration = quick_constructor(Administration)


def _build_session(data: dict[str, Any], display: str) -> Session:
    when = _required_date(data["date"])
    administrations = []
    for instrument, given in (data.get("questionnaires") or {}).items():
        if isinstance(given, list):
            administrations.append(_new_administration(
                instrument=str(instrument), date=when, answers=tuple(given), session_file=display,
            ))
        elif "answers" in given:  # answers with where they came from and who answered
            source = given.get("source") or {}
            administrations.append(_new_administration(
                instrument=str(instrument), date=when, answers=tuple(given["answers"]), session_file=display,
                form=_text(source.get("form")), answered_at=_text(source.get("answered_at")),
                entered=_text(source.get("entered")), respondent=_text(given.get("respondent")),
                in_mapping=True,
            ))
        elif "raw" in given:  # the raw sum, before the instrument's multiplier
            administrations.append(_new_administration(
                instrument=str(instrument), date=when, raw_total=_number(given["raw"]), session_file=display,
            ))
        else:
            administrations.append(_new_administration(
                instrument=str(instrument), date=when, total=_number(given["total"]), session_file=display,
            ))
    measurements, homework = data.get("measurements"), data.get("homework")
    return _new_session(
        date=when,
        kind=str(data["kind"]),
        file=display,
        time=_text(data.get("time")),
        clinician=_text(data.get("clinician")),  # as written; "" means the client's clinician
        administrations=tuple(administrations),
        measurements={str(k): v for k, v in measurements.items() if v is not None} if measurements else {},
        homework={str(k): int(v["times"] if isinstance(v, dict) else v)
                  for k, v in homework.items() if v is not None} if homework else {},
        homework_minutes={str(k): _number(v["minutes"]) for k, v in homework.items()
                          if isinstance(v, dict) and v.get("minutes") is not None} if homework else {},
        notes=_text(data.get("notes")),
        private_notes=_text(data.get("private_notes")),
        for_client=_text(data.get("for_client")),
    )


# --- Small converters -------------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    raise ValueError(f"expected a number, found {value!r}")


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    return None


def _required_date(value: Any) -> date:
    parsed = _date(value)
    if parsed is None:
        raise ValueError(f"{value!r} is not a date")
    return parsed


def _positive_int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


# --- Reporting findings -----------------------------------------------------------------------


def resolve(findings: Sequence[Finding], root: Path) -> list[Problem]:
    """Turn findings into problems with line and column (composing only the files concerned)."""
    problems = []
    for f in findings:
        source = root / f.path
        line, column = yamlload.position(source, list(f.pointer), key=f.key)
        message, hint = f.message, f.hint
        if f.related is not None:
            related_line, _ = yamlload.position(source, list(f.related), key=True)
            message = message.replace("{related_line}", str(related_line))
            hint = hint.replace("{related_line}", str(related_line))
        problems.append(Problem(f.path, line, column, f.severity, f.code, message, hint))
    return problems
