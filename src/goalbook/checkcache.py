"""The checks' results per client, kept while the client's files stay the same (issue 6).

Stages 3–5 (references, clinical sense, SMART lint) look at one client at a time, with the
practice's settings, its instruments and "today". So a client's problems are a function of its
files' contents, those practice-wide inputs and goalbook's code; while all of them are unchanged,
the problems found last time are reused and the stages run only for the clients that changed.

Kept in memory (a `watch`) and under ``.goalbook-cache/checks.json`` (JSON, owner-only). A
missing, corrupt or foreign file only costs time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from goalbook import cache
from goalbook.problems import Problem

FORMAT = 1
FILE = "checks.json"


def practice_key(loaded: Any) -> str:
    """What every client's checks depend on besides its own files."""
    from goalbook.pagecache import code_digest

    practice = loaded.practice
    inputs = (code_digest(), practice.name, sorted(practice.clinicians.items()), practice.today.isoformat(),
              practice.today_fixed, sorted(practice.categories.items()), practice.alerts,
              sorted(practice.instruments.items()), sorted(loaded.practice_instrument_files), loaded.settings_ok)
    return hashlib.blake2b(repr(inputs).encode(), digest_size=16).hexdigest()


def client_key(base: str, root: Path, client: Any, sources: Any) -> str | None:
    files = cache.digests(root, client.folder + "/")
    if files is None:
        return None
    token = cache.files_token(client.folder, files)
    return hashlib.blake2b(repr((base, client.folder, client.id, token, sources)).encode(), digest_size=16).hexdigest()


class CheckMemo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / cache.CACHE_DIR / FILE
        self.usable = cache.usable_folder(root)
        self.entries: dict[str, tuple[str, list[Problem]]] = {}  # client folder → key, problems
        self.loaded = False
        self.dirty = False

    def load(self) -> None:
        if self.loaded or not self.usable:
            return
        self.loaded = True
        try:
            raw = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return
        if not (isinstance(raw, dict) and raw.get("format") == FORMAT and isinstance(raw.get("clients"), dict)):
            return
        for folder, entry in raw["clients"].items():
            decoded = _decode(entry)
            if decoded is not None:
                self.entries[folder] = decoded

    def get(self, folder: str, key: str | None) -> list[Problem] | None:
        found = self.entries.get(folder)
        return list(found[1]) if key is not None and found is not None and found[0] == key else None

    def put(self, folder: str, key: str | None, problems: list[Problem]) -> None:
        if key is None:
            self.entries.pop(folder, None)
        else:
            self.entries[folder] = (key, list(problems))
        self.dirty = True

    def save(self, folders: set[str]) -> None:
        """Keep the entries of ``folders`` (the practice's clients now) and write them out."""
        gone = set(self.entries) - folders
        for folder in gone:
            del self.entries[folder]
        if not (self.dirty or gone) or not self.usable:
            return
        payload = {"format": FORMAT, "clients": {
            folder: [key, [[p.path, p.line, p.column, p.severity, p.code, p.message, p.hint] for p in problems]]
            for folder, (key, problems) in sorted(self.entries.items())
        }}
        try:
            cache.make_private_dir(self.root / cache.CACHE_DIR)
            cache.write_private(self.path, json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
            self.dirty = False
        except OSError:
            pass


def _decode(entry: Any) -> tuple[str, list[Problem]] | None:
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], list)):
        return None
    problems = []
    for p in entry[1]:
        if not (isinstance(p, list) and len(p) == 7 and p[3] in ("error", "warning")
                and type(p[1]) is int and type(p[2]) is int and all(isinstance(p[i], str) for i in (0, 4, 5, 6))):
            return None
        problems.append(Problem(*p))
    return entry[0], problems


_memos: dict[str, CheckMemo] = {}


def memo_for(root: Path) -> CheckMemo | None:
    if not cache.enabled():
        return None
    import os

    key = os.path.abspath(root)
    found = _memos.get(key)
    if found is None:
        found = _memos[key] = CheckMemo(Path(key))
    found.load()
    return found


def forget() -> None:
    _memos.clear()
