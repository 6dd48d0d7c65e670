"""The one store: a stdlib ``sqlite3`` database at ``<practice>/.goalbook-cache/store.sqlite3``.

It keeps, per client folder, the last result of the per-client step (as JSON text: data, never
code), per book, what its caseload was built from, and, per commit, what it meant for the audit
trail (``history/audit.py``). sqlite makes every save one transaction,
so a build killed at any moment leaves the last complete state, and two builds at once take
turns. The rules it keeps:

* everything in it belongs to one ``code_fingerprint``: a store written by another goalbook is
  emptied, not read;
* the cache folder must be a real folder of the user's own (a link or someone else's folder is
  never written through: the build then runs without a store);
* a store that is not a regular file of the user's own (a link, a FIFO, a folder), not a
  database, not ours, or failing in any way while used is set aside and built anew. Damage costs
  time only — never a traceback, a hang, or anything in the book that is not in the records.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat as stat_mod
from pathlib import Path
from typing import Any

CACHE_DIR = ".goalbook-cache"
FILE = "store.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")
# What earlier goalbooks kept in the cache folder (client data too): removed, so that nothing of a
# client erased since lingers there.
FORMER = ("files", "checks.json", "outcomes.json", "history.json", "share-files.json")
FORMER_PREFIX = "book-"
APPLICATION_ID = 0x676F6C62  # "golb": a database that carries another id is not ours
BUSY_TIMEOUT_S = 5.0  # another build holding the store: wait this long, then build without it


def enabled() -> bool:
    """``GOALBOOK_NO_CACHE=1`` builds without any store."""
    return os.environ.get("GOALBOOK_NO_CACHE", "") in ("", "0")


def private_folder(path: Path) -> bool:
    """Make ``path`` an owner-only folder; False when it is a link, not a folder, or not ours."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(path)
    except OSError:
        return False
    if not stat_mod.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return False
    if stat_mod.S_IMODE(st.st_mode) & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError:
            return False
    return True


def _ours(path: str) -> bool | None:
    """True: a regular file of ours; None: missing; False: anything else (link, FIFO, folder, foreign)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    return stat_mod.S_ISREG(st.st_mode) and (not hasattr(os, "getuid") or st.st_uid == os.getuid())


def _remove(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


class Store:
    """The practice's store; ``usable`` False means every call is a no-op (a build without it)."""

    def __init__(self, root: Path) -> None:
        self.folder = Path(root) / CACHE_DIR
        self.path = str(self.folder / FILE)
        self.db: sqlite3.Connection | None = None
        self.fingerprint_ok = False

    # -- opening

    def open(self, fingerprint: str) -> bool:
        if self.db is not None:
            return True
        if not enabled() or not private_folder(self.folder):
            return False
        self._remove_former()
        try:
            self._connect(fingerprint)
        except (sqlite3.Error, OSError, ValueError):
            self.close()
            self.set_aside()
            try:
                self._connect(fingerprint)
            except (sqlite3.Error, OSError, ValueError):
                self.close()
                return False
        return True

    def _connect(self, fingerprint: str) -> None:
        found = _ours(self.path)
        if found is False or any(_ours(self.path + s) is False for s in SIDE_FILES):
            raise ValueError("not a store of ours")
        if found is None:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            os.close(fd)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        self.db = db
        app = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app == 0 and not tables:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS clients (folder TEXT PRIMARY KEY, state TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS books (book TEXT PRIMARY KEY, state TEXT NOT NULL)")
            db.execute("COMMIT")
        elif app != APPLICATION_ID or not {"meta", "clients", "books"} <= tables:
            raise ValueError("a database that is not goalbook's store")
        if "shares" not in tables:  # share files written outside a book: path, client, day, records digest
            db.execute("CREATE TABLE IF NOT EXISTS shares (path TEXT PRIMARY KEY, client TEXT NOT NULL, "
                       "written TEXT NOT NULL, records TEXT NOT NULL)")
        if "audit" not in tables:  # a store written before the audit trail kept its words here
            db.execute("CREATE TABLE IF NOT EXISTS audit (prefix TEXT NOT NULL, git_commit TEXT NOT NULL, "
                       "state TEXT NOT NULL, PRIMARY KEY (prefix, git_commit))")
        db.execute("PRAGMA synchronous = NORMAL")
        row = db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
        self.fingerprint_ok = row is not None and row[0] == fingerprint

    def _remove_former(self) -> None:
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name in FORMER or (name.startswith(FORMER_PREFIX) and name.endswith(".json")):
                try:
                    _remove(str(self.folder / name))
                except OSError:
                    pass

    def close(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None

    def set_aside(self) -> None:
        """Remove a damaged or foreign store (never following a link): the next open starts anew."""
        self.close()
        for suffix in ("", *SIDE_FILES):
            try:
                _remove(self.path + suffix)
            except OSError:
                pass

    def failed(self) -> None:
        """Something went wrong while using the store: this build goes on without it."""
        self.set_aside()

    # -- reading

    def clients(self) -> dict[str, Any]:
        """Every client folder's last state (decoded JSON), or {} for another goalbook's store."""
        if self.db is None or not self.fingerprint_ok:
            return {}
        try:
            rows = self.db.execute("SELECT folder, state FROM clients").fetchall()
        except sqlite3.Error:
            self.failed()
            return {}
        found = {}
        for folder, text in rows:
            value = _decode(text)
            if isinstance(folder, str) and isinstance(value, dict):
                found[folder] = value
        return found

    def book(self, book: str) -> Any:
        if self.db is None or not self.fingerprint_ok:
            return None
        try:
            row = self.db.execute("SELECT state FROM books WHERE book = ?", (book,)).fetchone()
        except sqlite3.Error:
            self.failed()
            return None
        return _decode(row[0]) if row is not None else None

    def audit(self, prefix: str) -> dict[str, Any]:
        """What each commit meant (decoded JSON) for the repository seen through ``prefix``."""
        if self.db is None or not self.fingerprint_ok:
            return {}
        try:
            rows = self.db.execute("SELECT git_commit, state FROM audit WHERE prefix = ?", (prefix,)).fetchall()
        except sqlite3.Error:
            self.failed()
            return {}
        return {commit: value for commit, text in rows
                if isinstance(commit, str) and isinstance(value := _decode(text), dict)}

    # -- saving

    def shares(self) -> dict[str, tuple[str, str, str]]:
        """Share files recorded as written: path → (client id, day written, digest of their records).
        Kept when goalbook's code changes: they say what was written, not what was worked out."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT path, client, written, records FROM shares").fetchall()
        except sqlite3.Error:
            self.failed()
            return {}
        return {row[0]: (row[1], row[2], row[3]) for row in rows if all(isinstance(v, str) for v in row)}

    def keep_shares(self, put: dict[str, tuple[str, str, str]], drop: set[str]) -> None:
        """One transaction: ``put`` recorded (replacing the same path), ``drop`` forgotten."""
        if self.db is None or not (put or drop):
            return
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("DELETE FROM shares WHERE path = ?", [(p,) for p in sorted(drop)])
                db.executemany("INSERT OR REPLACE INTO shares VALUES (?, ?, ?, ?)",
                               [(p, *v) for p, v in sorted(put.items())])
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError):
            self.failed()

    def save(self, fingerprint: str, changed: dict[str, Any], gone: set[str] | None = None,
             book: tuple[str, Any] | None = None, audit: tuple[str, dict[str, Any]] | None = None) -> None:
        """One transaction: ``changed`` client states written, ``gone`` folders removed (a full
        scan: clients that no longer exist must not linger), the book's state replaced, ``audit``
        (prefix, commit → meaning) added."""
        if self.db is None or not (changed or gone or book or audit or not self.fingerprint_ok):
            return
        try:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT value FROM meta WHERE name = 'fingerprint'").fetchone()
                if row is None or row[0] != fingerprint:  # another goalbook wrote it: start clean
                    db.execute("DELETE FROM clients")
                    db.execute("DELETE FROM books")
                    db.execute("DELETE FROM audit")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
                if gone:
                    db.executemany("DELETE FROM clients WHERE folder = ?", [(f,) for f in sorted(gone)])
                db.executemany("INSERT OR REPLACE INTO clients VALUES (?, ?)",
                               [(f, _encode(v)) for f, v in sorted(changed.items())])
                if book is not None:
                    db.execute("INSERT OR REPLACE INTO books VALUES (?, ?)", (book[0], _encode(book[1])))
                if audit is not None:
                    db.executemany("INSERT OR REPLACE INTO audit VALUES (?, ?, ?)",
                                   [(audit[0], c, _encode(v)) for c, v in sorted(audit[1].items())])
                db.execute("COMMIT")
                self.fingerprint_ok = True
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError, ValueError, TypeError):
            self.failed()


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _decode(text: Any) -> Any:
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
