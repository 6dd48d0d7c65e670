"""Which pages of the last book can stay as they are (issue 6).

A client's page, its row on the caseload and its alerts depend only on that client's files, the
practice-wide settings (goalbook.yaml, the instruments, "today"), the git stamp and the client's
audit trail, and on goalbook itself (code and templates). A build hashes those into one key per
client; when the key and the page already in the book are what the last build recorded, the page
is kept (hard-linked into the new book) and its caseload row and alerts are reused, without
analysing or rendering anything for that client.

What is recorded per book (under ``.goalbook-cache/``, JSON lines, owner-only, beside the file cache):
the key, the page's size/mtime/inode as written (a page edited or removed by hand is rebuilt), the
caseload row and the alerts as HTML; and the caseload's own key (the practice-wide inputs and
every client's key) with the stat of index.html, so that a build in which no row changed does not
render the caseload either. A missing, corrupt or foreign record only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache as memoize
from pathlib import Path
from typing import Any

from goalbook import __version__, cache
from goalbook.records.model import Client, Practice, RepoState

FORMAT = 2
LAYOUT = "lines"  # a header line, then one line per client: an edit re-encodes one line


@memoize
def code_digest() -> str:
    """goalbook's own code and templates: a page depends on every line of them."""
    from goalbook.resources import data_dir

    h = hashlib.blake2b(digest_size=16)
    h.update(f"goalbook {__version__} pages {FORMAT}".encode())
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    try:
        files += sorted(p for p in data_dir("templates").rglob("*") if p.is_file())
    except FileNotFoundError:
        pass
    for path in files:
        h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def practice_key(practice: Practice, *, repo: RepoState | None, as_of: str | None) -> str:
    """Everything besides the client's own data that a clinician page and caseload row show."""
    h = hashlib.blake2b(digest_size=16)
    settings = (practice.name, sorted(practice.clinicians.items()), practice.today.isoformat(),
                sorted(practice.categories.items()), practice.alerts, sorted(practice.instruments.items()))
    stamp = None if repo is None else (repo.is_repo, repo.commit, bool(repo.dirty))
    h.update(repr((code_digest(), settings, stamp, as_of)).encode())
    return h.hexdigest()


def caseload_key(base: str, records: list[Record]) -> str:
    """The caseload page is a function of the practice-wide inputs and every client's record."""
    h = hashlib.blake2b(digest_size=16)
    h.update(base.encode())
    for r in records:
        h.update(b"\0" + r.key.encode() + b"\0" + r.page.encode())
    return h.hexdigest()


def client_key(base: str, root: Path, client: Client, *, history: Any, dirty: list[str]) -> str | None:
    """The key of one client's page, or None when its files' contents are not known (no cache)."""
    files = cache.digests(root, client.folder + "/")
    if files is None:
        return None
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((base, client.id, client.folder, cache.files_token(client.folder, files), history, dirty)).encode())
    return h.hexdigest()


@dataclass
class Record:
    key: str
    page: str  # path in the book, e.g. clients/ana-r.html
    stat: list[int]  # size, mtime, inode of the page as written
    status: str  # for the caseload's count of active clients
    row: str  # the caseload row, HTML
    alerts: int  # how many alerts the client has
    group: list[Any] | None  # [sort key, HTML] of the client's block of alerts, if any
    due: list[Any] = field(default_factory=list)  # [sort key, HTML] of each item due this week

    def to_json(self) -> list[Any]:
        return [self.key, self.page, self.stat, self.status, self.row, self.alerts, self.group, self.due]

    @classmethod
    def from_json(cls, raw: Any) -> Record | None:
        if not (isinstance(raw, list) and len(raw) == 8):
            return None
        key, page, stat, status, row, alerts, group, due = raw
        if not (isinstance(key, str) and isinstance(page, str) and isinstance(status, str) and isinstance(row, str)
                and isinstance(stat, list) and len(stat) == 3 and all(type(x) is int for x in stat)
                and type(alerts) is int and (group is None or _group_ok(group))
                and isinstance(due, list) and all(_due_ok(d) for d in due)):
            return None
        return cls(key, page, stat, status, row, alerts, group, due)


def _due_ok(item: Any) -> bool:
    # [[date, name, id, what], html]: the key as book_views.DueItem.sort_key gives it
    return (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str) and isinstance(item[0], list)
            and len(item[0]) == 4 and all(isinstance(k, str) for k in item[0]))


def _group_ok(group: Any) -> bool:
    # [[urgencies, name, id], html]: the key as book_views.alert_group_key gives it
    if not (isinstance(group, list) and len(group) == 2 and isinstance(group[1], str)):
        return False
    key = group[0]
    return (isinstance(key, list) and len(key) == 3 and isinstance(key[0], list)
            and all(isinstance(k, list) for k in key[0]) and isinstance(key[1], str) and isinstance(key[2], str))


def page_stat(path: Path | str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


class BookMemo:
    """What the last full build of the book at ``out`` rendered, per client."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root, self.out = root, out
        tag = hashlib.blake2b(os.path.abspath(out).encode(), digest_size=8).hexdigest()
        self.path = root / cache.CACHE_DIR / f"book-{tag}.json"
        self.records: dict[str, Record] = {}
        self.lines: dict[str, tuple[list[Any], bytes]] = {}  # client id → (record as saved, its line)
        self.caseload: list[Any] | None = None  # [key, stat of index.html as written]
        self.usable = cache.usable_folder(root)
        self.loaded_from_disk = False

    def load(self) -> None:
        if self.loaded_from_disk or not self.usable:
            return
        self.loaded_from_disk = True
        try:
            lines = self.path.read_bytes().split(b"\n")
            header = json.loads(lines[0])
        except (OSError, ValueError):
            return
        if not (isinstance(header, dict) and header.get("format") == FORMAT and header.get("layout") == LAYOUT
                and header.get("out") == os.path.abspath(self.out)):
            return
        for line in lines[1:]:
            try:
                client_id, entry = json.loads(line) if line else (None, None)
            except (ValueError, TypeError):
                continue  # a damaged line: that client's page is simply built again
            record = Record.from_json(entry) if isinstance(client_id, str) else None
            if record is not None:
                self.records[client_id] = record
                self.lines[client_id] = (record.to_json(), line)
        found = header.get("caseload")
        if (isinstance(found, list) and len(found) == 2 and isinstance(found[0], str) and isinstance(found[1], list)
                and len(found[1]) == 3 and all(type(x) is int for x in found[1])):
            self.caseload = found

    def reusable(self, client_id: str, key: str | None) -> Record | None:
        """The record when the page in the book is exactly the one built for ``key``."""
        record = self.records.get(client_id)
        if key is None or record is None or record.key != key:
            return None
        if page_stat(os.path.join(self.out, record.page)) != record.stat:
            return None  # removed or changed since: build it again
        return record

    def caseload_reusable(self, key: str) -> bool:
        """True when the book's index.html is exactly the caseload built for ``key``."""
        return (self.caseload is not None and self.caseload[0] == key
                and page_stat(self.out / "index.html") == self.caseload[1])

    def save(self, fresh: dict[str, Record], caseload_key: str | None = None) -> None:
        """After the book was written: the records of this build (stats read from the new book)."""
        for record in fresh.values():
            stat = page_stat(os.path.join(self.out, record.page))
            record.stat = stat or [-1, -1, -1]
        index = page_stat(self.out / "index.html") if caseload_key else None
        caseload = [caseload_key, index] if caseload_key and index else None
        unchanged = fresh == self.records and caseload == self.caseload
        self.records = fresh
        self.caseload = caseload
        if not self.usable or (unchanged and self.path.exists()):
            return  # nothing new to record
        header = {"format": FORMAT, "layout": LAYOUT, "out": os.path.abspath(self.out), "caseload": caseload}
        out = [json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()]
        lines = {}
        for cid, record in sorted(fresh.items()):
            raw = record.to_json()
            known = self.lines.get(cid)
            line = known[1] if known is not None and known[0] == raw else \
                json.dumps([cid, raw], ensure_ascii=False, separators=(",", ":")).encode()
            lines[cid] = (raw, line)
            out.append(line)
        self.lines = lines
        try:
            cache.make_private_dir(self.root / cache.CACHE_DIR)
            cache.write_private(self.path, b"\n".join(out) + b"\n")
        except OSError:
            pass  # a read-only practice still builds, only without the speed-up

    def forget(self) -> None:
        self.records = {}
        self.lines = {}
        self.caseload = None


_memos: dict[tuple[str, str], BookMemo] = {}


def memo_for(root: Path, out: Path) -> BookMemo | None:
    """The memo of the book at ``out`` (kept in memory between builds of a `watch`), or None
    when caching is switched off."""
    if not cache.enabled():
        return None
    key = (os.path.abspath(root), os.path.abspath(out))
    found = _memos.get(key)
    if found is None:
        found = _memos[key] = BookMemo(Path(key[0]), Path(key[1]))
    found.load()
    return found


def forget() -> None:
    _memos.clear()


# --- The caseload from per-client fragments ------------------------------------------------------


@dataclass
class Fragment:
    """A ready piece of the caseload: a client's row (with its status) or one alert."""

    html: Any  # Markup
    status: str = ""


def record(key: str | None, page: str, view: Any) -> Record:
    """What to remember of a client just rendered (``key`` None: nothing to reuse next time)."""
    from goalbook.render import pages
    from goalbook.views import book_views

    groups = book_views.group_alerts([view])
    group = None
    if groups:
        # JSON keeps the sort key as lists, which order exactly as the tuples do
        sort_key = book_views.alert_group_key(groups[0])
        group = [sort_key, str(pages.caseload_alert_group(groups[0]))]
    due = [[d.sort_key, str(pages.caseload_due_item(d))] for d in view.due_week]
    return Record(key or "", page, [], view.status, str(pages.caseload_row(view)), len(view.alerts), group, due)


def caseload(practice: Practice, entries: list[Record], *, repo: RepoState | None, as_of: str | None) -> Any:
    """The caseload's view from each client's row and alerts (a Record per client, in order), as
    ``book_views.practice_view`` would give it from the clients' full views."""
    from markupsafe import Markup

    from goalbook.views.book_views import PracticeView

    rows = [Fragment(Markup(e.row), e.status) for e in entries]
    groups = sorted((e.group[0], _client_id(e.page), e.group[1]) for e in entries if e.group is not None)
    alerts = [Fragment(Markup(""))] * sum(e.alerts for e in entries)  # only counted on the page
    return PracticeView(
        name=practice.name, today=practice.today, clients=rows, alerts=alerts,  # type: ignore[arg-type]
        clinicians={c.id: c.name for c in practice.clinicians.values()}, repo=repo, as_of=as_of,
        alert_groups=[Fragment(Markup(html)) for _, _, html in groups],  # type: ignore[list-item]
        due=[Fragment(Markup(html)) for _, html in sorted((d for e in entries for d in e.due), key=lambda d: d[0])],
    )


def _client_id(page: str) -> str:
    return page.removeprefix("clients/").removesuffix(".html")
