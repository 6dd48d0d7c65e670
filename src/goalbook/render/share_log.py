"""Which share files were written, and which of them the client's records have moved on from.

A share file written into the book folder is rendered again by every full build of that book
(``share_files``). One written elsewhere (``-o``) cannot be: it may already be on a USB stick or in
an email. So every share file written is recorded in the practice's git-ignored state
(``.goalbook-cache/share-files.json``: where, for which client, on which day, and a fingerprint of
the bytes of that client's folder); a full build lists on the caseload each one outside its book
whose client's records have changed since, and forgets the ones whose file is gone.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from goalbook.incremental.store import CACHE_DIR, private_folder

LOG_NAME = "share-files.json"


@dataclass(frozen=True)
class StaleShare:
    client_id: str
    path: str  # the share file, as an absolute path
    written: date


def records_fingerprint(client_folder: Path) -> str:
    """A digest of every regular file under a client's folder (names and bytes, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in Path(client_folder).rglob("*") if p.is_file() and not p.is_symlink())
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        digest.update(path.relative_to(client_folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _log_path(practice_root: Path) -> Path | None:
    folder = Path(practice_root) / CACHE_DIR
    return folder / LOG_NAME if private_folder(folder) else None


def _read(log: Path) -> dict[str, dict[str, str]]:
    try:
        raw = json.loads(log.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, dict)
            and all(isinstance(v.get(f), str) for f in ("client", "written", "records"))}


def _write(log: Path, entries: dict[str, dict[str, str]]) -> None:
    temp = log.with_name(f".{log.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=1, sort_keys=True)
    os.replace(temp, log)


def record(practice_root: Path, share_file: Path, client_id: str, client_folder: Path, written: date) -> None:
    """Remember that ``share_file`` was written for ``client_id`` from the records as they are now."""
    log = _log_path(practice_root)
    if log is None:  # no private state folder to keep it in: nothing is recorded, nothing flagged
        return
    entries = _read(log)
    entries[os.path.abspath(share_file)] = {"client": client_id, "written": written.isoformat(),
                                           "records": records_fingerprint(client_folder)}
    _write(log, entries)


def stale(practice_root: Path, book: Path, client_folders: dict[str, Path]) -> list[StaleShare]:
    """The recorded share files outside ``book`` whose client's records changed since they were written.

    Files that no longer exist, or whose client is gone, are forgotten; files inside ``book`` are
    refreshed by the build and never stale."""
    if not (Path(practice_root) / CACHE_DIR / LOG_NAME).is_file():  # a build alone never makes the folder
        return []
    log = _log_path(practice_root)
    if log is None:
        return []
    entries = _read(log)
    book_folder = os.path.abspath(book)
    found: list[StaleShare] = []
    kept: dict[str, dict[str, str]] = {}
    for path, entry in sorted(entries.items()):
        folder = client_folders.get(entry["client"])
        if folder is None or not os.path.isfile(path):
            continue
        kept[path] = entry
        if os.path.dirname(path) == book_folder:
            continue
        if records_fingerprint(folder) != entry["records"]:
            try:
                written = date.fromisoformat(entry["written"])
            except ValueError:
                continue
            found.append(StaleShare(entry["client"], path, written))
    if kept != entries:
        _write(log, kept)
    return found
