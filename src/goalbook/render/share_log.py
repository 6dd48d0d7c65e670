"""Which share files were written, and which of them the client's records have moved on from.

A share file written into the book folder is rendered again by every full build of that book
(``share_files``). One written elsewhere (``-o``) cannot be: it may already be on a USB stick or in
an email. So every share file written is recorded (where, for which client, on which day, and a
fingerprint of the bytes of that client's folder — the build keeps these records in the practice's
store); a full build lists on the caseload each one outside its book whose client's records have
changed since, and forgets the ones whose file is gone.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path


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


def entry(client_id: str, client_folder: Path, written: date) -> tuple[str, str, str]:
    """What is recorded of a share file written for ``client_id`` from the records as they are now."""
    return client_id, written.isoformat(), records_fingerprint(client_folder)


def stale(entries: dict[str, tuple[str, str, str]], book: Path, client_folders: dict[str, Path]
          ) -> tuple[list[StaleShare], set[str]]:
    """The recorded share files outside ``book`` whose client's records changed since they were
    written, and the records to forget: files that no longer exist, or whose client is gone. Files
    inside ``book`` are refreshed by the build and never stale."""
    book_folder = os.path.abspath(book)
    found: list[StaleShare] = []
    drop: set[str] = set()
    for path, (client_id, written, records) in sorted(entries.items()):
        folder = client_folders.get(client_id)
        if folder is None or not os.path.isfile(path):
            drop.add(path)
            continue
        if os.path.dirname(path) == book_folder or records_fingerprint(folder) == records:
            continue
        try:
            found.append(StaleShare(client_id, path, date.fromisoformat(written)))
        except ValueError:
            drop.add(path)
    return found, drop
