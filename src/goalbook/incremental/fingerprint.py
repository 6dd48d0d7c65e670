"""A hash of goalbook itself: every file of the installed package and of its data folders.

Any change to code, schemas, built-in instruments or templates changes it, so nothing computed
by another goalbook is ever reused. Computed by walking the folders, never from a hand-kept list.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from goalbook import __version__

STORE_FORMAT = 1  # the layout of what the store keeps


@cache
def code_fingerprint() -> str:
    from goalbook.resources import data_dir

    package = Path(__file__).resolve().parent.parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for name in ("schemas", "instruments", "templates"):
        try:
            folder = data_dir(name)
        except FileNotFoundError:
            continue
        if package not in folder.parents:
            files += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    h = hashlib.blake2b(digest_size=16)
    h.update(f"goalbook {__version__} store {STORE_FORMAT}".encode())
    for path in files:
        h.update(path.as_posix().encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0unreadable")
    return h.hexdigest()
