"""Write one questionnaire administration into a client's record, touching no other line.

Used by every way answers reach the record without the therapist typing YAML: a reply from a
form (``goalbook import``) and guided entry from paper (``goalbook enter``).

The rules this module keeps:

* The answers go into the client's record **for the day they were given**: into that day's contact
  file (``sessions/DATE.yaml``, ``DATE-<slug>.yaml``; not a did-not-attend or cancelled one) when
  it has room, otherwise into the day's self-report file ``DATE-self-report.yaml``
  (``kind: self-report``: answers given without a contact; they never count as an appointment).
* An existing file is changed only by inserting new lines: every existing line stays byte for
  byte. The result is read back strictly, validated against the session schema and compared with
  the old data plus the new entry; if anything else changed, that file is not used.
* The same instrument already recorded that day for the same respondent is refused, naming the
  file and line; nothing is written.
* Files are replaced atomically (a temporary file, then ``os.replace``), keeping their mode.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from goalbook.clinical.instruments import Instrument
from goalbook.clinical.scoring import answer_problems
from goalbook.errors import GoalbookError
from goalbook.records import yamlload

SELF_REPORT = "self-report"
# Kinds of session file that are not a contact with the client: answers are not added to them.
NOT_A_CONTACT = ("did-not-attend", "cancelled", SELF_REPORT)
# How the answers reached goalbook when they were not answered on a goalbook form.
ENTERED_WAYS = ("paper", "by-hand")
_SESSION_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([a-z0-9][a-z0-9-]*))?\.ya?ml$")
_ANSWERED_AT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$")


class AlreadyRecorded(GoalbookError):
    """The instrument is already in the record for that day and that respondent."""


@dataclass(frozen=True)
class FormSource:
    """Answered by the client on a goalbook form: which form, and when (UTC, ``YYYY-MM-DDTHH:MMZ``)."""

    form: str
    answered_at: str

    def yaml(self) -> str:
        return f'{{form: {self.form}, answered_at: "{self.answered_at}"}}'


@dataclass(frozen=True)
class EnteredSource:
    """Typed in by the therapist: from a paper form (``paper``) or otherwise by hand (``by-hand``)."""

    entered: str = "paper"

    def yaml(self) -> str:
        return f"{{entered: {self.entered}}}"


@dataclass(frozen=True)
class AdministrationRecord:
    """One questionnaire given once: what ``write_administration`` writes."""

    client_id: str
    instrument: str
    on: date
    answers: tuple[int | None, ...]
    source: FormSource | EnteredSource | None = None
    respondent: str | None = None  # a respondent id; None = the client

    def entry_lines(self, indent: str) -> list[str]:
        answers = "[" + ", ".join("~" if a is None else str(int(a)) for a in self.answers) + "]"
        if self.source is None and self.respondent is None:
            return [f"{indent}{self.instrument}: {answers}"]
        lines = [f"{indent}{self.instrument}:", f"{indent}  answers: {answers}"]
        if self.source is not None:
            lines.append(f"{indent}  source: {self.source.yaml()}")
        if self.respondent is not None:
            lines.append(f"{indent}  respondent: {self.respondent}")
        return lines

    def entry_data(self) -> Any:
        answers = list(self.answers)
        if self.source is None and self.respondent is None:
            return answers
        entry: dict[str, Any] = {"answers": answers}
        if isinstance(self.source, FormSource):
            entry["source"] = {"form": self.source.form, "answered_at": self.source.answered_at}
        elif isinstance(self.source, EnteredSource):
            entry["source"] = {"entered": self.source.entered}
        if self.respondent is not None:
            entry["respondent"] = self.respondent
        return entry


@dataclass(frozen=True)
class Written:
    """Where the administration went: the practice-relative file, whether it was created, its line."""

    file: str
    created: bool
    line: int  # 1-based line of the instrument's key


def write_administration(root: Path, record: AdministrationRecord, instrument: Instrument | None = None) -> Written:
    """Write ``record`` into the client's record for its day (see the module rules).

    With ``instrument``, answers that do not fit its items are refused first. Raises
    ``AlreadyRecorded`` or ``GoalbookError`` (one clear line, nothing written)."""
    _check_record(record)
    if instrument is not None:
        problems = answer_problems(instrument, record.answers)
        if problems:
            raise GoalbookError(f"{instrument.short_name}: {problems[0][1]}; nothing was written")
    folder = root / "clients" / record.client_id / "sessions"
    if not (root / "clients" / record.client_id).is_dir():
        raise GoalbookError(f"there is no client folder clients/{record.client_id}/")
    day_files, parsed, where = _day_record(root, record)
    if where:
        who = f" by {record.respondent}" if record.respondent else ""
        raise AlreadyRecorded(f"{record.instrument} is already recorded for {record.on.isoformat()}{who} "
                              f"in {where}; nothing was written")
    for path in _candidates(folder, record, day_files, parsed):
        rel = _rel(root, path)
        if path.exists():
            written = _append(path, rel, record, parsed.get(path))
            if written is not None:
                return written
            continue
        return _create(path, rel, record)
    raise GoalbookError(f"no session file for {record.on.isoformat()} could take {record.instrument}; "
                        "nothing was written")


def find_recorded(root: Path, record: AdministrationRecord) -> str | None:
    """``file:line`` where the record's instrument is already recorded that day for that respondent."""
    return _day_record(root, record)[2]


# --- Which file ------------------------------------------------------------------------------------


def _day_record(root: Path, record: AdministrationRecord) -> tuple[list[Path], dict[Path, Any], str | None]:
    """The day's session files, their data, and where the instrument already is (or None)."""
    day_files = _files_of_day(root / "clients" / record.client_id / "sessions", record.on)
    parsed: dict[Path, Any] = {}
    where = None
    for path in day_files:
        rel = _rel(root, path)
        data, _ = yamlload.load_yaml(path, rel)
        parsed[path] = data
        given = data.get("questionnaires") if isinstance(data, dict) else None
        entry = given.get(record.instrument) if isinstance(given, dict) else None
        if entry is not None and _respondent_of(entry) == record.respondent and where is None:
            where = f"{rel}:{_key_line(path, record.instrument)}"
    return day_files, parsed, where


def _check_record(record: AdministrationRecord) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", record.instrument):
        raise GoalbookError(f"{record.instrument!r} is not an instrument id")
    if record.respondent is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", record.respondent):
        raise GoalbookError(f"{record.respondent!r} is not a respondent id (a slug such as `partner`)")
    if not record.answers:
        raise GoalbookError("no answers to write")
    if isinstance(record.source, FormSource):
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", record.source.form):
            raise GoalbookError(f"{record.source.form!r} is not a form id")
        if not _ANSWERED_AT.match(record.source.answered_at):
            raise GoalbookError(f"{record.source.answered_at!r} is not a time like 2026-12-02T09:14Z")
    if isinstance(record.source, EnteredSource) and record.source.entered not in ENTERED_WAYS:
        raise GoalbookError(f"entered: {record.source.entered!r} is not one of {', '.join(ENTERED_WAYS)}")


def _files_of_day(folder: Path, on: date) -> list[Path]:
    if not folder.is_dir():
        return []
    day = on.isoformat()
    out = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        m = _SESSION_NAME.match(entry.name)
        if m and m.group(1) == day and entry.is_file(follow_symlinks=False):
            out.append(Path(entry.path))
    return out


def _candidates(folder: Path, record: AdministrationRecord, day_files: list[Path],
                parsed: dict[Path, Any]) -> list[Path]:
    day = record.on.isoformat()
    contacts = [p for p in day_files
                if isinstance(parsed.get(p), dict) and parsed[p].get("kind") not in NOT_A_CONTACT]
    own = [folder / f"{day}-{SELF_REPORT}.yaml"]
    if record.respondent:
        own.append(folder / f"{day}-{SELF_REPORT}-{record.respondent}.yaml")
    own += [folder / f"{day}-{SELF_REPORT}-{n}.yaml" for n in range(2, 10)]
    out = contacts[:]
    for path in own:
        yml = path.with_suffix(".yml")
        if yml.exists():
            path = yml
        if path.exists() and (not isinstance(parsed.get(path), dict)
                              or parsed[path].get("kind") != SELF_REPORT):
            continue  # a file of that name that is not a self-report: leave it alone
        out.append(path)
    return out


def _respondent_of(entry: Any) -> str | None:
    if isinstance(entry, dict) and isinstance(entry.get("respondent"), str):
        return entry["respondent"]
    return None


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _key_line(path: Path, key: str) -> int:
    try:
        node = yaml.compose(path.read_bytes(), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return 1
    found = _mapping_value(node, "questionnaires")
    if isinstance(found, tuple) and isinstance(found[1], yaml.MappingNode):
        for k, _ in found[1].value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k.start_mark.line + 1
    return 1


def _mapping_value(node: Any, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


# --- Creating and appending -----------------------------------------------------------------------


def _create(path: Path, rel: str, record: AdministrationRecord) -> Written:
    from goalbook.scaffold import schemas_ref

    root = path.parents[3]
    lines = [
        f"# yaml-language-server: $schema={schemas_ref(root, path.parent)}/session.schema.json",
        f"date: {record.on.isoformat()}",
        f"kind: {SELF_REPORT}",
        "questionnaires:",
        *record.entry_lines("  "),
    ]
    text = "\n".join(lines) + "\n"
    expected = {"date": record.on.isoformat(), "kind": SELF_REPORT,
                "questionnaires": {record.instrument: record.entry_data()}}
    _verify(text, rel, expected)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="") as out:  # never replaces a file
            out.write(text)
    except FileExistsError:
        raise GoalbookError(f"{rel} appeared while writing; nothing was written, try again") from None
    return Written(rel, True, 5)


def _append(path: Path, rel: str, record: AdministrationRecord, old_data: Any) -> Written | None:
    """Insert the entry into an existing file; None when that cannot be done line-preservingly."""
    if not isinstance(old_data, dict):
        return None
    questionnaires = old_data.get("questionnaires")
    if questionnaires is not None and not isinstance(questionnaires, dict):
        return None
    if isinstance(questionnaires, dict) and record.instrument in questionnaires:
        return None  # another respondent's answers already hold this key: use another file
    raw = path.read_bytes()
    try:
        old = raw.decode("utf-8")
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return None
    newline = "\r\n" if "\r\n" in old else "\n"
    lines = old.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        return None  # the last line would have to change
    found = _mapping_value(node, "questionnaires")
    if found is None:
        at, new_lines = len(lines), ["questionnaires:", *record.entry_lines("  ")]
    else:
        key, value = found
        if isinstance(value, yaml.ScalarNode):
            # `questionnaires:` with nothing after it (null): the entries go on the next lines.
            if value.value != "" or value.start_mark.line != key.start_mark.line or key.start_mark.column:
                return None
            at, new_lines = key.start_mark.line + 1, record.entry_lines("  ")
        elif isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
            indent = " " * value.value[0][0].start_mark.column
            end = _last_leaf(value).end_mark
            at = end.line if end.column == 0 else end.line + 1
            new_lines = record.entry_lines(indent)
        else:
            return None
    text = "".join(lines[:at]) + "".join(line + newline for line in new_lines) + "".join(lines[at:])
    expected = dict(old_data)
    expected["questionnaires"] = {**(questionnaires or {}), record.instrument: record.entry_data()}
    if not _verify(text, rel, expected, quiet=True):
        return None
    new_all = text.splitlines(keepends=True)
    if new_all[:at] + new_all[at + len(new_lines):] != lines:
        return None  # by construction this cannot happen; the promise is checked, not assumed
    _replace(path, text)
    return Written(rel, False, at + 1)


def _last_leaf(node: yaml.Node) -> yaml.Node:
    """The last scalar or flow collection of a block collection: where its text really ends
    (a block collection's own end mark runs on over the comments and blank lines after it)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node


def _verify(text: str, rel: str, expected: dict[str, Any], *, quiet: bool = False) -> bool:
    from goalbook.records import validate  # jsonschema: only when writing

    data, problems = yamlload.load_yaml_bytes(text.encode("utf-8"), rel)
    if not problems and data is not None:
        problems = validate.validate(data, "session", rel, text.encode("utf-8"))
    ok = not problems and data == expected and list(data) == list(expected)
    if not ok and not quiet:
        first = problems[0].message if problems else "the result read back differently"
        raise GoalbookError(f"{rel} could not be written safely ({first}); nothing was written")
    return ok


def _replace(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777
    temporary = path.with_name(f".{path.name}.goalbook-new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
