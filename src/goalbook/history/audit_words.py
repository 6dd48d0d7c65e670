"""What a change to a client's record means, said in words: "target 9 → 7", "session 2025-11-03 added".

Pure functions over two versions of a file as plain data (``audit.py`` reads them from git). Old
versions may be invalid or of another shape: never raise, say so.
"""

from __future__ import annotations

import json
import re
from typing import Any

from goalbook.records.model import SESSION_FILE

_RECORD = re.compile(r"^clients/[^/]+/(client\.yaml|goals\.yaml|sessions/[^/.][^/]*\.ya?ml)$")


class _Unreadable:
    """A version of a file that could not be read (bad YAML, or not the expected shape)."""


UNREADABLE = _Unreadable()


def is_hidden(rel: str) -> bool:
    """True when any part of the path starts with a dot: such files are not part of the record."""
    return any(part.startswith(".") for part in rel.split("/"))


def is_record(path: str) -> bool:
    """True for the files whose meaning we describe (client.yaml, goals.yaml, sessions)."""
    return bool(_RECORD.match(path))


def parse_version(data: bytes | None, path: str) -> Any:
    """One version of a record as plain data, or ``UNREADABLE``."""
    if data is None:
        return UNREADABLE
    from goalbook.records.yamlload import load_yaml_bytes  # the one module that knows YAML

    try:
        value, _problems = load_yaml_bytes(data, path)
    except Exception:  # noqa: BLE001 — an old version may be anything; it must not stop the history
        return UNREADABLE
    # Minor problems (an ambiguous word, a duplicated key) still leave data worth comparing.
    return value if isinstance(value, dict) else UNREADABLE


def describe_file(old_rel: str | None, new_rel: str | None, old: Any, new: Any, *,
                  unchanged: bool = False) -> list[str]:
    """Sentences for one file change inside a client folder (paths relative to that folder)."""
    # Dot files (sessions/.gitkeep, an editor's .swp) are not records, as goalbook skips them when
    # loading: a dot file renamed to a record reads as the record added, and the reverse as removed.
    if old_rel is not None and is_hidden(old_rel):
        old_rel, old, unchanged = None, None, False
    if new_rel is not None and is_hidden(new_rel):
        new_rel, new, unchanged = None, None, False
    if old_rel is None and new_rel is None:
        return []
    rel = new_rel or old_rel or ""
    if old_rel is None:
        return _created(rel, new)
    if new_rel is None:
        return [_removed(rel)]
    if old_rel != new_rel:
        return _renamed(old_rel, new_rel, old, new, unchanged)
    if unchanged:
        return []
    return _edited(rel, old, new)


def _created(rel: str, new: Any) -> list[str]:
    if rel == "client.yaml":
        return ["client record created"]
    if rel == "goals.yaml":
        if new is UNREADABLE:
            return ["goals.yaml created", "goals.yaml could not be read in this version"]
        return goal_changes({}, new) or ["goals.yaml created (no goals yet)"]
    label = _session_label(rel)
    return [f"{label} added" if label else f"file '{rel}' added"]


def _removed(rel: str) -> str:
    if rel == "client.yaml":
        return "client record removed"
    if rel == "goals.yaml":
        return "goals.yaml removed"
    label = _session_label(rel)
    return f"{label} removed" if label else f"file '{rel}' removed"


def _renamed(old_rel: str, new_rel: str, old: Any, new: Any, unchanged: bool) -> list[str]:
    old_label, new_label = _session_label(old_rel), _session_label(new_rel)
    if old_label and new_label:
        sentence = f"{old_label} moved to {new_label.removeprefix('session ')}"
        details = [] if unchanged else _session_details(old, new)
        return [sentence + (f" and edited: {', '.join(details)}" if details else "")]
    return [f"file '{old_rel}' renamed to '{new_rel}'"]


def _edited(rel: str, old: Any, new: Any) -> list[str]:
    if rel in ("client.yaml", "goals.yaml"):
        if new is UNREADABLE:
            return [f"{rel} could not be read in this version"]
        if old is UNREADABLE:
            return [f"{rel} can be read again (the version before could not be read)"]
        changes = client_changes if rel == "client.yaml" else goal_changes
        return changes(old, new) or [f"{rel} edited (layout or comments only)"]
    label = _session_label(rel)
    if not label:
        return [f"file '{rel}' edited"]
    if new is UNREADABLE:
        return [f"{label} edited; it could not be read in this version"]
    details = _session_details(old, new)
    return [f"{label} edited: {', '.join(details)}" if details else f"{label} edited (layout or comments only)"]


def _session_label(rel: str) -> str | None:
    folder, _, name = rel.partition("/")
    m = SESSION_FILE.match(name) if folder == "sessions" else None
    if not m:
        return None
    return f"session {m.group(1)}" + (f" ({m.group(2)})" if m.group(2) else "")


_SESSION_FIELDS = {
    "date": "date", "time": "time", "kind": "kind", "clinician": "clinician",
    "questionnaires": "questionnaire answers", "measurements": "goal measurements",
    "homework": "homework counts", "notes": "notes", "private_notes": "private notes",
}


def _session_details(old: Any, new: Any) -> list[str]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    details = []
    for key in sorted(set(old) | set(new), key=lambda k: (list(_SESSION_FIELDS).index(k)
                                                          if k in _SESSION_FIELDS else 99, str(k))):
        if old.get(key) == new.get(key):
            continue
        name = _SESSION_FIELDS.get(key, str(key).replace("_", " "))
        if key in ("kind", "time", "clinician", "date"):
            details.append(f"{name} {_show(old.get(key))} → {_show(new.get(key))}")
        else:
            details.append(name)
    return details


# goals.yaml -------------------------------------------------------------------------------

_SCALARS = (  # (field, label) compared as "label old → new"
    ("status", "status"), ("target", "target"), ("baseline", "baseline"), ("direction", "direction"),
    ("category", "category"), ("focus_area", "focus area"), ("set_date", "set date"),
)
_DATES = (("target_date", "target date"), ("review_date", "review date"))
_TEXTS = (("title", "title"), ("own_words", "own words"), ("achievable", "why achievable"),
          ("relevant", "why relevant"), ("notes", "notes"))


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found.setdefault(item["id"], item)
    return found


def goal_changes(old_doc: Any, new_doc: Any) -> list[str]:
    """Goals added, removed, revised and changed field by field, between two goals.yaml versions."""
    old = _by_id(old_doc.get("goals") if isinstance(old_doc, dict) else None)
    new = _by_id(new_doc.get("goals") if isinstance(new_doc, dict) else None)
    words: list[str] = []
    for gid, goal in new.items():
        if gid in old:
            continue
        revises = goal.get("revises")
        title = f": {goal['title']}" if isinstance(goal.get("title"), str) else ""
        if isinstance(revises, str) and (revises in old or revises in new):
            words.append(f"goal '{revises}' revised into '{gid}'{title}")
        else:
            words.append(f"goal '{gid}' added{title}")
    for gid in old:
        if gid not in new:
            words.append(f"goal '{gid}' removed")
    for gid, goal in new.items():
        if gid in old:
            words.extend(f"goal '{gid}': {w}" for w in _goal_field_changes(old[gid], goal))
    return words


def _goal_field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    words: list[str] = []
    if old.get("title") != new.get("title"):
        words.append(_text_change("title", old.get("title"), new.get("title"), quote=True))
    for key, label in _SCALARS:
        if old.get(key) != new.get(key):
            words.append(_value_change(label, old.get(key), new.get(key)))
    for key, label in _DATES:
        if old.get(key) != new.get(key):
            words.append(_date_change(label, old.get(key), new.get(key)))
    if old.get("measure") != new.get("measure"):
        words.append(_measure_change(old.get("measure"), new.get("measure")))
    for key, label in _TEXTS[1:]:
        if old.get(key) != new.get(key):
            words.append(_text_change(label, old.get(key), new.get(key)))
    if old.get("revises") != new.get("revises"):
        words.append(_value_change("revises", old.get("revises"), new.get("revises")))
    words.extend(_step_changes(old.get("steps"), new.get("steps")))
    known = {"id", "title", "measure", "revises", "steps", *(k for k, _ in _SCALARS + _DATES + _TEXTS)}
    for key in sorted(set(old) | set(new), key=str):
        if key not in known and old.get(key) != new.get(key):
            words.append(f"{str(key).replace('_', ' ')} changed")
    return words


def _step_changes(old_steps: Any, new_steps: Any) -> list[str]:
    old, new = _by_id(old_steps), _by_id(new_steps)
    words = []
    for sid, step in new.items():
        if sid not in old:
            action = f": {step['action']}" if isinstance(step.get("action"), str) else ""
            words.append(f"step '{sid}' added{action} ({_frequency(step)})")
    for sid in old:
        if sid not in new:
            words.append(f"step '{sid}' removed")
    for sid, step in new.items():
        if sid not in old:
            continue
        before = old[sid]
        if (before.get("times"), before.get("per")) != (step.get("times"), step.get("per")):
            if before.get("per") == step.get("per"):
                words.append(f"{sid}: {_show(before.get('times'))} → {_frequency(step)}")
            else:
                words.append(f"{sid}: {_frequency(before)} → {_frequency(step)}")
        if before.get("action") != step.get("action"):
            words.append(f"step '{sid}' reworded: {_show(step.get('action'))}")
    return words


def _frequency(step: dict[str, Any]) -> str:
    times, per = step.get("times"), step.get("per")
    word = "time" if times == 1 else "times"
    return f"{_show(times)} {word} a {_show(per)}"


def _measure_change(old: Any, new: Any) -> str:
    def kind(measure: Any) -> Any:
        return measure.get("type") if isinstance(measure, dict) else None

    if old is None:
        return f"measure set ({_show(kind(new))})"
    if new is None:
        return "measure removed"
    if kind(old) != kind(new):
        return f"measure {_show(kind(old))} → {_show(kind(new))}"
    return f"measure ({_show(kind(new))}) changed"


# client.yaml ------------------------------------------------------------------------------


def client_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Profile fields, hopes, focus areas and the questionnaire schedule, between two versions."""
    words: list[str] = []
    if old.get("name") != new.get("name"):
        words.append(_text_change("name", old.get("name"), new.get("name"), quote=True))
    for key, label in (("status", "status"), ("clinician", "clinician"), ("start_date", "start date"),
                       ("pronouns", "pronouns")):
        if old.get(key) != new.get(key):
            words.append(_value_change(label, old.get(key), new.get(key)))
    if old.get("end_date") != new.get("end_date"):
        words.append(_date_change("end date", old.get("end_date"), new.get("end_date")))
    words.extend(_list_changes("hope", old.get("hopes"), new.get("hopes")))
    words.extend(_focus_changes(old.get("focus_areas"), new.get("focus_areas")))
    words.extend(_schedule_changes(old.get("questionnaires"), new.get("questionnaires")))
    for key, label in (("notes", "notes"), ("private_notes", "private notes")):
        if old.get(key) != new.get(key):
            words.append(_text_change(label, old.get(key), new.get(key)))
    known = {"id", "name", "status", "clinician", "start_date", "pronouns", "end_date", "hopes",
             "focus_areas", "questionnaires", "notes", "private_notes"}
    for key in sorted(set(old) | set(new), key=str):
        if key not in known and old.get(key) != new.get(key):
            words.append(f"{str(key).replace('_', ' ')} changed")
    return words


def _list_changes(noun: str, old: Any, new: Any) -> list[str]:
    old_items = [x for x in old if isinstance(x, str)] if isinstance(old, list) else []
    new_items = [x for x in new if isinstance(x, str)] if isinstance(new, list) else []
    return ([f"{noun} added: '{x}'" for x in new_items if x not in old_items]
            + [f"{noun} removed: '{x}'" for x in old_items if x not in new_items])


def _focus_changes(old_list: Any, new_list: Any) -> list[str]:
    old, new = _by_id(old_list), _by_id(new_list)
    words = [f"focus area '{fid}' added" + (f": {f['name']}" if isinstance(f.get("name"), str) else "")
             for fid, f in new.items() if fid not in old]
    words += [f"focus area '{fid}' removed" for fid in old if fid not in new]
    for fid, area in new.items():
        if fid in old:
            if old[fid].get("priority") != area.get("priority"):
                words.append(f"focus area '{fid}': priority {_show(old[fid].get('priority'))} → "
                             f"{_show(area.get('priority'))}")
            if old[fid].get("name") != area.get("name"):
                words.append(f"focus area '{fid}' renamed to '{_show(area.get('name'))}'")
    return words


def _schedule_changes(old_list: Any, new_list: Any) -> list[str]:
    def by_instrument(items: Any) -> dict[str, Any]:
        return {i["instrument"]: i.get("every_weeks") for i in (items if isinstance(items, list) else [])
                if isinstance(i, dict) and isinstance(i.get("instrument"), str)}

    old, new = by_instrument(old_list), by_instrument(new_list)
    words = [f"questionnaire {i} scheduled every {_show(w)} weeks" for i, w in new.items() if i not in old]
    words += [f"questionnaire {i} no longer scheduled" for i in old if i not in new]
    words += [f"questionnaire {i}: every {_show(old[i])} → {_show(w)} weeks"
              for i, w in new.items() if i in old and old[i] != w]
    return words


# formatting -------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _value_change(label: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{label} set to {_show(new)}"
    if new is None:
        return f"{label} removed (was {_show(old)})"
    return f"{label} {_show(old)} → {_show(new)}"


def _date_change(label: str, old: Any, new: Any) -> str:
    if old is None:
        return f"{label} set to {_show(new)}"
    if new is None:
        return f"{label} removed"
    return f"{label} moved to {_show(new)}"


def _text_change(label: str, old: Any, new: Any, *, quote: bool = False) -> str:
    if not old:
        return f"{label} added" + (f": '{_show(new)}'" if quote else "")
    if not new:
        return f"{label} removed"
    return f"{label} changed" + (f" to '{_show(new)}'" if quote else "")


_SESSION_WORDS = re.compile(r"^session (\S+) (added|removed)$")


def summarise_sessions(words: list[str], most: int = 3) -> list[str]:
    """Fold more than ``most`` "session D added" lines of one commit into one line, so an import of
    many sessions reads "19 sessions added (2025-10-06 to 2026-03-23)" rather than as a long list."""
    groups: dict[str, list[str]] = {}
    for w in words:
        m = _SESSION_WORDS.match(w)
        if m:
            groups.setdefault(m.group(2), []).append(m.group(1))
    out: list[str] = []
    for w in words:
        m = _SESSION_WORDS.match(w)
        if not m or len(groups[m.group(2)]) <= most:
            out.append(w)
        elif groups[m.group(2)][0] == m.group(1):  # the group's first line stands for all of it
            dates = sorted(groups[m.group(2)])
            out.append(f"{len(dates)} sessions {m.group(2)} ({dates[0]} to {dates[-1]})")
    return out
