"""When a file or folder may be trusted unchanged without reading it.

A file's signature is its size, mtime, ctime and inode (as git's index keeps them): an edit
moves the mtime, and an edit that puts size and mtime back still moves the ctime, which no one
can set back. A file stamped within ``RACY_NS`` of the moment it was looked at gets no signature
at all and is hashed again next time: on a coarse clock an edit in the same tick would keep every
field (git's "racy" rule). A folder's signature moves when an entry is added, removed or renamed
in it — never when a file in it is written in place, so it may vouch for a listing, not contents.
"""

from __future__ import annotations

import hashlib
import os
import time

RACY_NS = 2_000_000_000  # a stamp less than 2 s old is not trusted


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_signature(st: os.stat_result, size_read: int | None = None, now_ns: int | None = None) -> list[int] | None:
    """The signature to trust next time, or None when the stamps are too fresh (or the file
    changed size while it was read)."""
    if size_read is not None and size_read != st.st_size:
        return None
    now = time.time_ns() if now_ns is None else now_ns
    if now - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def folder_signature(path: str, now_ns: int | None = None) -> list[int] | None | bool:
    """A folder's (mtime, ctime, inode); None when it does not exist; False when too fresh to trust."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    now = time.time_ns() if now_ns is None else now_ns
    if now - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
        return False
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
