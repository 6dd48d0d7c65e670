"""The audit trail: who changed which client's record, when, and what it meant — from git.

One ``git log --raw`` pass covers every client; each version of a file is read with one
``cat-file --batch``; what a commit meant is worked out once and cached (a commit's content never
changes), in memory and as JSON under the practice's ``.goalbook-cache/``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from goalbook import gitrepo
from goalbook.model import HistoryEntry, RepoState

CACHE_DIR = ".goalbook-cache"
CACHE_FILE = "history.json"
# Bump when the wording below changes, so cached sentences are worked out again.
CACHE_VERSION = 1
DEFAULT_EXCLUDE = ("_book", CACHE_DIR)
_KEEP_HISTORIES = 8
_BATCH = 400  # commits whose files are read in one cat-file process (bounds memory)

_CLIENT_PATH = re.compile(r"^clients/([^/]+)/(.+)$")

# In-memory caches, so a watch loop or a book with many clients pays for git once.
_described: dict[Path, dict[str, dict[str, Any]]] = {}
_histories: dict[tuple[Path, str], dict[str, list[HistoryEntry]]] = {}


def repo_state(root: Path, *, exclude: Iterable[str] = DEFAULT_EXCLUDE) -> RepoState:
    """HEAD and the practice-relative files with uncommitted changes (the output and cache left out)."""
    root = Path(root)
    repo = gitrepo.find_repo(root)
    if repo is None:
        return RepoState(is_repo=False)
    skip = tuple(e.strip("/") + "/" for e in exclude)
    dirty = tuple(p for p in gitrepo.dirty_paths(root, repo) if not (p + "/").startswith(skip))
    return RepoState(is_repo=True, commit=gitrepo.head(root), dirty=dirty)


def client_dirty(state: RepoState, client_id: str) -> tuple[str, ...]:
    """The uncommitted files of one client, for the warning on that client's pages."""
    return tuple(p for p in state.dirty if p.startswith(f"clients/{client_id}/"))


def client_history(root: Path, client_id: str, *, rev: str = "HEAD") -> list[HistoryEntry]:
    """The commits that touched one client's files, newest first, with their changes in words.

    A client whose folder was renamed keeps the history from before the rename. Empty outside a
    repository or before the first commit.
    """
    return practice_history(root, rev=rev).get(client_id, [])


def practice_history(root: Path, *, rev: str = "HEAD") -> dict[str, list[HistoryEntry]]:
    """Every client's history (client id → entries, newest first), from one pass over git."""
    root = Path(root).resolve()
    repo = gitrepo.find_repo(root)
    if repo is None:
        return {}
    commit = gitrepo.resolve_commit(root, rev)
    if commit is None:
        return {}
    key = (root, commit)
    if key not in _histories:
        if len(_histories) >= _KEEP_HISTORIES:  # a long watch sees many HEADs: keep the recent ones
            del _histories[next(iter(_histories))]
        _histories[key] = _build_histories(root, repo, commit)
    return _histories[key]


def _build_histories(root: Path, repo: gitrepo.Repo, commit: str) -> dict[str, list[HistoryEntry]]:
    commits = gitrepo.log(root, repo, commit, "clients")
    described = _describe_all(root, repo, commits)
    histories: dict[str, list[HistoryEntry]] = {}
    renamed_to: dict[str, str] = {}  # an older client id → the id it carries later in history

    def current(client_id: str) -> str:
        seen = set()
        while client_id in renamed_to and client_id not in seen:
            seen.add(client_id)
            client_id = renamed_to[client_id]
        return client_id

    for c in commits:  # newest first, so a rename is met before the commits made under the old id
        d = described[c.commit]
        merged: dict[str, list[str]] = {}
        for client_id, words in sorted(d["clients"].items()):
            merged.setdefault(current(client_id), []).extend(words)
        for client_id, words in merged.items():
            histories.setdefault(client_id, []).append(
                HistoryEntry(commit=c.commit, date=c.date, author=c.author, message=c.subject,
                             changes=tuple(summarise_sessions(words))))
        for old, new in d["renames"]:
            if old != new:
                renamed_to[old] = current(new)
    return histories


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


def _describe_all(root: Path, repo: gitrepo.Repo, commits: list[gitrepo.LogCommit]) -> dict[str, dict[str, Any]]:
    """What each commit meant, from the caches where known, else worked out (and cached)."""
    cache = _load_cache(root, repo)
    todo = [c for c in commits if c.commit not in cache]
    for start in range(0, len(todo), _BATCH):
        batch = todo[start:start + _BATCH]
        blobs = gitrepo.read_blobs(root, _blobs_needed(batch))
        parsed: dict[str, Any] = {}
        for c in batch:
            cache[c.commit] = _describe(c, blobs, parsed)
    if todo:
        _save_cache(root, repo, cache)
    return cache


def _blobs_needed(commits: Iterable[gitrepo.LogCommit]) -> set[str]:
    needed = set()
    for c in commits:
        for ch in c.changes:
            if ch.old_blob and ch.new_blob and ch.old_blob == ch.new_blob:
                continue  # a pure rename: nothing to read
            for path, blob in ((ch.old_path, ch.old_blob), (ch.new_path, ch.new_blob)):
                if path and blob and is_record(path):
                    needed.add(blob)
    return needed


def _describe(c: gitrepo.LogCommit, blobs: dict[str, bytes], parsed: dict[str, Any]) -> dict[str, Any]:
    """{"clients": {id: [sentences]}, "renames": [[old id, new id]]} for one commit."""
    clients: dict[str, list[str]] = {}
    renames: set[tuple[str, str]] = set()

    def version(path: str | None, blob: str | None) -> Any:
        if not path or not blob:
            return None
        if blob not in parsed:
            parsed[blob] = parse_version(blobs.get(blob), path)
        return parsed[blob]

    for ch in sorted(c.changes, key=lambda ch: (ch.new_path or ch.old_path or "")):
        old = _CLIENT_PATH.match(ch.old_path or "")
        new = _CLIENT_PATH.match(ch.new_path or "")
        if old and new and old.group(1) != new.group(1):
            renames.add((old.group(1), new.group(1)))
        owner = (new or old)
        if owner is None:
            continue
        same = bool(ch.old_blob and ch.old_blob == ch.new_blob)
        words = describe_file(
            old.group(2) if old else None, new.group(2) if new else None,
            None if same else version(ch.old_path, ch.old_blob),
            None if same else version(ch.new_path, ch.new_blob),
            unchanged=same,
        )
        if words:
            clients.setdefault(owner.group(1), []).extend(words)
    for old_id, new_id in sorted(renames):
        clients.setdefault(new_id, []).insert(0, f"client folder renamed from '{old_id}' to '{new_id}'")
    return {"clients": clients, "renames": sorted([list(r) for r in renames])}


# --- the on-disk cache: JSON, owner-only, ignored when unreadable or from another version.


def _cache_path(root: Path) -> Path:
    return root / CACHE_DIR / CACHE_FILE


def _load_cache(root: Path, repo: gitrepo.Repo) -> dict[str, dict[str, Any]]:
    path = _cache_path(root)
    if path in _described:
        return _described[path]
    commits: dict[str, dict[str, Any]] = {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") == CACHE_VERSION and data.get("prefix") == repo.prefix:
            commits = {k: v for k, v in data["commits"].items() if _valid_entry(v)}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        commits = {}  # a missing or corrupt cache only costs time
    _described[path] = commits
    return commits


def _valid_entry(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("clients"), dict)
            and all(isinstance(w, list) and all(isinstance(s, str) for s in w) for w in entry["clients"].values())
            and isinstance(entry.get("renames"), list)
            and all(isinstance(r, list) and len(r) == 2 for r in entry["renames"]))


def _save_cache(root: Path, repo: gitrepo.Repo, commits: dict[str, dict[str, Any]]) -> None:
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        os.chmod(folder, 0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".history-", suffix=".tmp")  # created 0600
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": CACHE_VERSION, "prefix": repo.prefix, "commits": commits}, f,
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        os.replace(tmp, _cache_path(root))
    except OSError:
        pass  # a read-only practice still gets its history, only slower next time


def clear_memory_cache() -> None:
    """Forget what was worked out in this process (tests; a long-running watch does not need it)."""
    _described.clear()
    _histories.clear()


# --- what a change means, said in words. Old versions may be invalid: never raise, say so.

_SESSION_FILE = re.compile(r"^sessions/(\d{4}-\d{2}-\d{2})(?:-([a-z0-9][a-z0-9-]*))?\.ya?ml$")
_RECORD = re.compile(r"^clients/[^/]+/(client\.yaml|goals\.yaml|sessions/[^/]+\.ya?ml)$")


class _Unreadable:
    """A version of a file that could not be read (bad YAML, or not the expected shape)."""


UNREADABLE = _Unreadable()


def is_record(path: str) -> bool:
    """True for the files whose meaning we describe (client.yaml, goals.yaml, sessions)."""
    return bool(_RECORD.match(path))


def parse_version(data: bytes | None, path: str) -> Any:
    """One version of a record as plain data, or ``UNREADABLE``."""
    if data is None:
        return UNREADABLE
    from goalbook.yamlload import load_yaml_bytes  # the one module that knows YAML

    try:
        value, _problems = load_yaml_bytes(data, path)
    except Exception:  # noqa: BLE001 — an old version may be anything; it must not stop the history
        return UNREADABLE
    # Minor problems (an ambiguous word, a duplicated key) still leave data worth comparing.
    return value if isinstance(value, dict) else UNREADABLE


def describe_file(old_rel: str | None, new_rel: str | None, old: Any, new: Any, *,
                  unchanged: bool = False) -> list[str]:
    """Sentences for one file change inside a client folder (paths relative to that folder)."""
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
    if rel == "client.yaml":
        if new is UNREADABLE:
            return ["client.yaml could not be read in this version"]
        if old is UNREADABLE:
            return ["client.yaml can be read again (the version before could not be read)"]
        return client_changes(old, new) or ["client.yaml edited (layout or comments only)"]
    if rel == "goals.yaml":
        if new is UNREADABLE:
            return ["goals.yaml could not be read in this version"]
        if old is UNREADABLE:
            return ["goals.yaml can be read again (the version before could not be read)"]
        return goal_changes(old, new) or ["goals.yaml edited (layout or comments only)"]
    label = _session_label(rel)
    if not label:
        return [f"file '{rel}' edited"]
    if new is UNREADABLE:
        return [f"{label} edited; it could not be read in this version"]
    details = _session_details(old, new)
    return [f"{label} edited: {', '.join(details)}" if details else f"{label} edited (layout or comments only)"]


def _session_label(rel: str) -> str | None:
    m = _SESSION_FILE.match(rel)
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
