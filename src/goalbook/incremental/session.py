"""The memo of per-client results, and the session object that holds it.

``build`` makes one ``Session`` per run; ``watch`` and ``serve`` keep one between rebuilds. It
answers one question per client folder — is the last result still valid? — and runs the step
for the folders where it is not, on every core (``parallel.parallel_map``).

A client's result is reused when its *content key* is unchanged: the hash of the practice-wide
inputs (goalbook's code fingerprint, settings, instruments, today) and the digests of the
client's files. While every file still has the stat signature it was trusted with
(``signatures``), its contents are taken as unchanged unread; otherwise the files are read and
hashed again (and the result is reused all the same when the contents turn out unchanged). A folder's listing is
reused while the folder's and its sessions/ folder's signatures are unchanged (an entry added,
removed or renamed moves them). Inside a session told what changed (a file watcher's paths), a
client folder with no reported change is taken as the last build left it, without a ``stat``.

A page is kept when its *page key* (content key, the git stamp, the client's audit trail, the
date of the book) is the one it was built for and the file in the book still has the stat it was
written with (a page edited or removed by hand is built again).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goalbook.incremental import signatures
from goalbook.incremental.fingerprint import code_fingerprint
from goalbook.incremental.parallel import parallel_map
from goalbook.incremental.store import Store
from goalbook.problems import Problem
from goalbook.records.yamlload import read_with_stat

PARALLEL_MIN = 48  # client folders to run; below this a second process costs more than it saves


# --- The one conversion between problems and what the store keeps --------------------------------


def problems_to_json(problems: Iterable[Problem]) -> list[list[Any]]:
    return [[p.path, p.line, p.column, p.severity, p.code, p.message, p.hint] for p in problems]


def problems_from_json(raw: Any) -> list[Problem]:
    """Problems back from the store; ValueError when anything is not exactly what was saved."""
    if not isinstance(raw, list):
        raise TypeError("problems")
    found = []
    for p in raw:
        if not (isinstance(p, list) and len(p) == 7 and p[3] in ("error", "warning") and type(p[1]) is int
                and type(p[2]) is int and all(isinstance(p[i], str) for i in (0, 4, 5, 6))):
            raise ValueError("problem")
        found.append(Problem(*p))
    return found


def key_of(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


# --- What one client's step gives, and what is kept of it -----------------------------------------


@dataclass
class Entry:
    """A client's line on the caseload: its row, its block of alerts (if any) and what is counted."""

    status: str
    row: str  # HTML
    alerts: int
    group: list[Any] | None  # [sort key, HTML]
    due: list[Any] = field(default_factory=list)  # [sort key, HTML] of each item due this week
    courses: list[Any] = field(default_factory=list)  # the outcomes page's Course of each episode, as JSON

    def to_json(self) -> list[Any]:
        return [self.status, self.row, self.alerts, self.group, self.due, self.courses]

    @classmethod
    def from_json(cls, raw: Any) -> Entry:
        status, row, alerts, group, due, courses = raw
        if not (isinstance(status, str) and isinstance(row, str) and type(alerts) is int
                and (group is None or (isinstance(group, list) and len(group) == 2 and isinstance(group[1], str)
                                       and _sort_key_ok(group[0])))
                and isinstance(due, list) and all(_due_ok(d) for d in due)
                and isinstance(courses, list) and all(isinstance(c, list) for c in courses)):
            raise ValueError("entry")
        return cls(status, row, alerts, group, due, courses)


def _due_ok(item: Any) -> bool:
    return (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str) and isinstance(item[0], list)
            and all(isinstance(k, str) for k in item[0]))


def _sort_key_ok(key: Any) -> bool:
    return (isinstance(key, list) and len(key) == 3 and isinstance(key[0], list)
            and all(isinstance(k, list) and all(type(x) is int for x in k) for k in key[0])
            and isinstance(key[1], str) and isinstance(key[2], str))


@dataclass
class Checked:
    """What loading and checking one client folder gave (everything but the model)."""

    client_id: str | None
    sources: list[Any]  # ClientSources' fields
    problems: list[Problem]
    count: int  # files read
    name: str = ""  # the client's name, for the checks across clients


@dataclass
class Outcome:
    """One client folder's result in this build."""

    folder: str  # clients/<name>
    listing_problems: list[Problem]
    checked: Checked
    page: bytes | None = None  # rendered in this build
    page_key: str | None = None
    entry: Entry | None = None
    kept: bool = False  # the page in the book is still the right one
    state: dict[str, Any] | None = None  # what the memo keeps, when it changed in this build
    files: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Step:
    """The pure per-client work, handed to the session by the build."""

    root: str  # the practice folder
    practice_key: str  # everything practice-wide a client's problems depend on
    page_base: str | None  # ...and its page (None: check only, or nothing is memoised)
    # (folder listing, file bytes by path) -> (Checked, page or None, Entry or None)
    run: Callable[[Any, dict[str, bytes], bool], tuple[Checked, bytes | None, Entry | None]]
    scan: Callable[[str], tuple[Any, list[Problem]]]  # name -> (listing, its problems)
    listing: Callable[[str, list[tuple[str, str]]], Any]  # name, [(display, kind)] -> listing
    history: Callable[[str], Any]  # client id -> what of git the page shows
    render: bool  # build pages, or check only
    book: str | None  # the book's folder (page records are per book)
    prepare: Callable[[], Any] | None = None  # called once before the step runs anywhere


class Session:
    """Per-client results of one practice, kept between builds of one process."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.store = Store(self.root)
        self.fingerprint = ""
        self.states: dict[str, dict[str, Any]] | None = None  # folder -> last state (store rows)
        self.validated: set[str] = set()  # folders the last build in this session looked at
        self.watched = False  # the last build saw every folder: a watcher's paths may be trusted
        self.audit_trail: Any = None  # history.audit.AuditTrail, made by the first build that needs it

    def close(self) -> None:
        self.store.close()

    def forget_watch(self) -> None:
        """The next build looks at every client folder again (a build was interrupted)."""
        self.watched = False
        self.validated = set()

    def _load_states(self) -> dict[str, dict[str, Any]]:
        if self.states is None:
            self.fingerprint = code_fingerprint()
            self.states = self.store.clients() if self.store.open(self.fingerprint) else {}
        return self.states

    def run(self, step: Step, names: Sequence[str], changed: Iterable[str] | None,
            progress: Callable[[int], None] | None = None) -> Iterator[Outcome]:
        """Each client folder's outcome, in order; the step runs for those that miss."""
        states = self._load_states()
        touched = self._touched(changed)
        results: dict[str, Outcome] = {}
        misses: list[tuple[str, dict[str, Any] | None, Any]] = []
        for name in names:
            folder = f"clients/{name}"
            state = states.get(folder)
            trusted = touched is not None and name not in touched and folder in self.validated
            outcome = self._recall(step, name, state, trusted)
            if outcome is None:
                misses.append((name, state, None))
            else:
                results[name] = outcome
        done = 0
        for name in names:
            if name in results and progress:
                done += 1
                progress(done)
        if misses and step.render and step.prepare is not None:
            step.prepare()
        fresh = parallel_map(lambda item: _compute(step, *item), misses, min_items=PARALLEL_MIN)
        for outcome in fresh:
            results[outcome.folder.split("/", 1)[1]] = outcome
            if progress:
                done += 1
                progress(done)
        self.validated = set()
        for name in names:
            outcome = results[name]
            self.validated.add(outcome.folder)
            yield outcome

    def _touched(self, changed: Iterable[str] | None) -> set[str] | None:
        """The client folder names a watcher reported, or None: look at every folder."""
        if changed is None or not self.watched:
            return None
        base = os.path.abspath(self.root)
        names = set()
        for path in changed:
            rel = os.path.relpath(os.path.abspath(path), base)
            parts = rel.split(os.sep)
            if parts[0] == os.pardir:
                continue  # outside the practice
            if parts[0] != "clients":
                if rel == os.curdir:
                    return None
                continue  # goalbook.yaml, instruments: read on every build anyway
            if len(parts) < 2:
                return None  # clients/ itself: anything may have moved
            names.add(parts[1])
        return names

    def _recall(self, step: Step, name: str, state: dict[str, Any] | None, trusted: bool) -> Outcome | None:
        """The outcome from the memo when every input is unchanged, else None."""
        if state is None:
            return None
        try:
            if not trusted:
                if not _listing_unchanged(self.root, name, state["dirs"]):
                    return None
                if state["sigs"] is None:
                    return None  # some file was too freshly stamped to be trusted: read it again
                if not _files_unchanged(str(self.root), state["listing"], state["sigs"]):
                    return None
            checked = _checked_from(state, step.practice_key)
            if checked is None:
                return None
            outcome = Outcome(f"clients/{name}", [], checked)
            if step.render:
                return _recall_page(step, state, outcome)
            return outcome
        except (OSError, TypeError, ValueError, KeyError, IndexError, AttributeError):
            return None

    def save(self, outcomes: Sequence[Outcome], *, full: bool, book: tuple[str, Any] | None = None) -> None:
        """Keep what changed. ``full``: every client folder was looked at, so the states of
        folders not among them belong to clients that are gone (and are deleted)."""
        states = self._load_states()
        changed = {o.folder: o.state for o in outcomes if o.state is not None}
        states.update(changed)
        gone = set()
        if full:
            present = {o.folder for o in outcomes}
            gone = set(states) - present
            for folder in gone:
                del states[folder]
        self.store.save(self.fingerprint, changed, gone, book)
        self.watched = full

    def share_files(self) -> dict[str, tuple[str, str, str]]:
        """Share files written from this practice (``Store.shares``)."""
        self._load_states()
        return self.store.shares()

    def keep_shares(self, put: dict[str, tuple[str, str, str]], drop: set[str] = frozenset()) -> None:
        self._load_states()
        self.store.keep_shares(put, set(drop))

    def book_state(self, book: str) -> Any:
        self._load_states()
        return self.store.book(book)

    def page_written(self, outcome: Outcome, book: str, page: str, stat: list[int] | None) -> None:
        """Record that ``outcome``'s page is in the book with this stat (None: not written)."""
        state = outcome.state
        if state is None:
            known = (self.states or {}).get(outcome.folder)
            if known is None:
                return
            state = outcome.state = dict(known)
        pages = dict(state.get("pages") or {}) if isinstance(state.get("pages"), dict) else {}
        if stat is None or outcome.entry is None or outcome.page_key is None:
            pages.pop(book, None)
        else:
            pages[book] = [outcome.page_key, page, stat, outcome.entry.to_json()]
        state["pages"] = pages


def _listing_unchanged(root: Path, name: str, dirs: Any) -> bool:
    if not (isinstance(dirs, list) and len(dirs) == 2) or dirs[0] is None:
        return False
    path = os.path.join(root, "clients", name)
    return [signatures.folder_signature(path), signatures.folder_signature(os.path.join(path, "sessions"))] == dirs


def _checked_from(state: dict[str, Any], practice_key: str) -> Checked | None:
    raw = state["checked"]
    if raw[0] != key_of(practice_key, state["token"]):
        return None
    client_id, sources, problems, count, name = raw[1:]
    if not ((client_id is None or isinstance(client_id, str)) and isinstance(sources, list) and len(sources) == 4
            and type(count) is int and isinstance(name, str)):
        raise ValueError("checked")
    return Checked(client_id, sources, problems_from_json(problems), count, name)


def _listed(listing: str) -> list[tuple[str, str]]:
    """(display, kind) of each file of a recorded listing."""
    if not listing:
        return []
    found = []
    for line in listing.split("\n"):
        display, kind = line.split("\t")
        found.append((display, kind))
    return found


def _sigs_key(sigs: list[Any]) -> str:
    return key_of(sigs)


def _files_unchanged(root: str, listing: str, sigs: Any) -> bool:
    """Whether every file of a recorded listing still has the signatures it was trusted with
    (compared as one hash: what the store keeps of 40 signatures is 32 characters)."""
    if not isinstance(sigs, str) or not isinstance(listing, str):
        return False
    base = root + os.sep
    stat = os.stat
    now = []
    for line in listing.split("\n") if listing else ():
        st = stat(base + line.split("\t", 1)[0])
        now.append([st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return _sigs_key(now) == sigs


def page_key(step: Step, content_key: str, client_id: str | None) -> str | None:
    if step.page_base is None or client_id is None:
        return None
    return key_of(step.page_base, content_key, step.history(client_id))


def _recall_page(step: Step, state: dict[str, Any], outcome: Outcome) -> Outcome | None:
    """A rendering build: also the page, kept in the book, when it was built for these inputs."""
    if any(p.is_error for p in outcome.checked.problems):
        return outcome  # no page for a client with errors: the book will not be written
    if step.book is None:
        return None
    key = page_key(step, state["checked"][0], outcome.checked.client_id)
    record = (state.get("pages") or {}).get(step.book)
    if key is None or record is None or record[0] != key:
        return None
    _, page, stat, entry = record
    if not isinstance(page, str) or page_stat(os.path.join(step.book, page)) != stat:
        return None  # removed or changed by hand since: build it again
    outcome.entry = Entry.from_json(entry)
    outcome.page_key = key
    outcome.kept = True
    return outcome


def page_stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _compute(step: Step, name: str, state: dict[str, Any] | None, _: Any) -> Outcome:
    """The step for one client folder whose last result could not be reused (in a worker, or here):
    list it, read and hash its files, and run the step unless the contents turn out unchanged."""
    listing = None
    listing_problems: list[Problem] = []
    path = os.path.join(step.root, "clients", name)
    dirs: list[Any] | None = [signatures.folder_signature(path), signatures.folder_signature(os.path.join(path, "sessions"))]
    try:
        if state is not None and _listing_unchanged(step.root, name, state["dirs"]):
            listing = step.listing(name, _listed(state["listing"]))
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        listing = None
    if listing is None:
        listing, listing_problems = step.scan(name)
    if listing_problems or False in dirs or dirs[0] is None:
        dirs = None  # listed again next time (so that its problems are reported again)
    contents: dict[str, bytes] = {}
    files = []
    sigs: list[Any] = []
    for file_path, display, kind in listing.files:
        try:
            # A regular file, no larger than a record may be; its stat from before the read.
            data, st = read_with_stat(file_path)
        except OSError:
            data = None  # the step reads it again and says what is wrong with it
        if data is None:
            files.append((display, kind, None))
            sigs.append(None)
            continue
        contents[file_path] = data
        files.append((display, kind, signatures.digest(data)))
        sigs.append(signatures.file_signature(st, len(data)))
    token = key_of(listing.name, files)
    content_key = key_of(step.practice_key, token)
    new_state: dict[str, Any] = {"dirs": dirs, "listing": "\n".join(f"{d}\t{k}" for d, k, _ in files),
                                 "sigs": None if None in sigs else _sigs_key(sigs), "token": token}
    folder = f"clients/{name}"
    outcome = None
    if state is not None:  # the same contents as last time (a copied practice, a fresh stamp)?
        try:
            same = dict(state, **new_state)
            recalled = _checked_from(same, step.practice_key)
            if recalled is not None:
                outcome = Outcome(folder, listing_problems, recalled, state=same)
                if step.render:
                    outcome = _recall_page(step, same, outcome)
        except (OSError, TypeError, ValueError, KeyError, IndexError, AttributeError):
            outcome = None
    if outcome is not None and outcome.kept or (outcome is not None and not step.render):
        return outcome
    if outcome is not None and any(p.is_error for p in outcome.checked.problems):
        return outcome
    checked, page, entry = step.run(listing, contents, step.render)
    new_state["checked"] = [content_key, checked.client_id, checked.sources, problems_to_json(checked.problems),
                            checked.count, checked.name]
    if state is not None and isinstance(state.get("pages"), dict):
        new_state["pages"] = state["pages"]
    outcome = Outcome(folder, listing_problems, checked, page=page, entry=entry, state=new_state)
    if page is not None:
        outcome.page_key = page_key(step, content_key, checked.client_id)
    return outcome


class KeptInStore:
    """The audit trail's ``Kept``: what each commit meant, in its own table of the practice's store
    (a read-only or damaged store: described from git again, never an error). ``session``: use its
    store, already open for the build, rather than opening the database a second time."""

    def __init__(self, session: Session | None = None) -> None:
        self.session = session

    def load(self, root: Path, prefix: str) -> dict[str, Any]:
        if self.session is not None:
            self.session._load_states()
            return self.session.store.audit(prefix)
        store = Store(root)
        try:
            return store.audit(prefix) if store.open(code_fingerprint()) else {}
        finally:
            store.close()

    def keep(self, root: Path, prefix: str, commits: dict[str, dict[str, Any]]) -> None:
        if self.session is not None:
            self.session._load_states()
            self.session.store.save(self.session.fingerprint, {}, audit=(prefix, commits))
            return
        store = Store(root)
        try:
            fingerprint = code_fingerprint()
            if store.open(fingerprint):
                store.save(fingerprint, {}, audit=(prefix, commits))
        finally:
            store.close()
