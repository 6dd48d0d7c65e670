"""The audit trail: who changed which client's record, when, and what it meant — from git.

One ``git log --raw`` pass covers every client; each version of a file is read with one
``cat-file --batch``; what a commit meant (``audit_words.py``) is worked out once and kept (a
commit's content never changes): in an ``AuditTrail`` object (one per command, or kept by a
``watch``/``serve`` session) and in the practice's one store (``incremental/store.py``, its own
table; emptied with the rest of the store when goalbook's code changes). The history layer knows
nothing of that store: the trail is handed an object that loads and keeps commits (``Kept``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from goalbook.history import gitrepo
from goalbook.history.audit_words import describe_file, is_record, parse_version, summarise_sessions
from goalbook.records.model import HistoryEntry, RepoState

DEFAULT_EXCLUDE = ("_book", ".goalbook-cache")  # the book and goalbook's cache are never records
_KEEP_HISTORIES = 8
_BATCH = 400  # commits whose files are read in one cat-file process (bounds memory)

_CLIENT_PATH = re.compile(r"^clients/([^/]+)/(.+)$")


class Kept(Protocol):
    """Where what commits meant is kept between processes (the practice's store), by repository prefix."""

    def load(self, root: Path, prefix: str) -> dict[str, Any]: ...

    def keep(self, root: Path, prefix: str, commits: dict[str, dict[str, Any]]) -> None: ...


class AuditTrail:
    """What each commit meant and each HEAD's histories, so a watch loop pays for git once.
    ``kept``: what earlier processes worked out (none: everything is described from git)."""

    def __init__(self, kept: Kept | None = None) -> None:
        self.kept = kept
        self.described: dict[tuple[Path, str], dict[str, dict[str, Any]]] = {}  # (root, prefix) -> commits
        self.histories: dict[tuple[Path, str], dict[str, list[HistoryEntry]]] = {}

    def practice_history(self, root: Path, *, rev: str = "HEAD") -> dict[str, list[HistoryEntry]]:
        """Every client's history (client id → entries, newest first), from one pass over git."""
        root = Path(root).resolve()
        repo = gitrepo.find_repo(root)
        if repo is None:
            return {}
        commit = gitrepo.resolve_commit(root, rev)
        if commit is None:
            return {}
        key = (root, commit)
        if key not in self.histories:
            if len(self.histories) >= _KEEP_HISTORIES:  # a long watch sees many HEADs: keep the recent ones
                del self.histories[next(iter(self.histories))]
            self.histories[key] = _build_histories(root, repo, commit, self._described(root, repo), self._keep)
        return self.histories[key]

    def _described(self, root: Path, repo: gitrepo.Repo) -> dict[str, dict[str, Any]]:
        key = (root, repo.prefix)
        if key not in self.described:
            loaded = self.kept.load(root, repo.prefix) if self.kept is not None else {}
            self.described[key] = {k: v for k, v in loaded.items() if _valid_entry(v)}
        return self.described[key]

    def _keep(self, root: Path, repo: gitrepo.Repo, commits: dict[str, dict[str, Any]]) -> None:
        if self.kept is not None:
            self.kept.keep(root, repo.prefix, commits)


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


def client_history(root: Path, client_id: str, *, rev: str = "HEAD", trail: AuditTrail | None = None
                   ) -> list[HistoryEntry]:
    """The commits that touched one client's files, newest first, with their changes in words.

    A client whose folder was renamed keeps the history from before the rename. Empty outside a
    repository or before the first commit.
    """
    return practice_history(root, rev=rev, trail=trail).get(client_id, [])


def practice_history(root: Path, *, rev: str = "HEAD", trail: AuditTrail | None = None) -> dict[str, list[HistoryEntry]]:
    """Every client's history; ``trail``: what this process already worked out (else a new one)."""
    return (trail if trail is not None else AuditTrail()).practice_history(root, rev=rev)


def _build_histories(root: Path, repo: gitrepo.Repo, commit: str, kept: dict[str, dict[str, Any]],
                     keep: Any) -> dict[str, list[HistoryEntry]]:
    commits = gitrepo.log(root, repo, commit, "clients")
    described = _describe_all(root, repo, commits, kept, keep)
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


def _describe_all(root: Path, repo: gitrepo.Repo, commits: list[gitrepo.LogCommit],
                  cache: dict[str, dict[str, Any]], keep: Any) -> dict[str, dict[str, Any]]:
    """What each commit meant, from what is kept where known, else worked out (and kept)."""
    todo = [c for c in commits if c.commit not in cache]
    for start in range(0, len(todo), _BATCH):
        batch = todo[start:start + _BATCH]
        blobs = gitrepo.read_blobs(root, _blobs_needed(batch))
        parsed: dict[str, Any] = {}
        for c in batch:
            cache[c.commit] = _describe(c, blobs, parsed)
    if todo:
        keep(root, repo, {c.commit: cache[c.commit] for c in todo})
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


# --- what was kept: ignored when damaged or written by another goalbook.


def _valid_entry(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("clients"), dict)
            and all(isinstance(w, list) and all(isinstance(s, str) for s in w) for w in entry["clients"].values())
            and isinstance(entry.get("renames"), list)
            and all(isinstance(r, list) and len(r) == 2 for r in entry["renames"]))
