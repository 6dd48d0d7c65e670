"""Pseudonyms for exports: a client id becomes a keyed hash (HMAC-SHA-256 with a practice-held key),
the same in every file and in every export made with the same key, and not reversible without it.

The key is 32 random bytes, written as hex in a file outside the practice's git repository:
``$XDG_CONFIG_HOME/goalbook/pseudonym.key`` (``~/.config/goalbook/pseudonym.key``), made owner-only on
first use; ``--key-file`` names another (e.g. one the practice keeps on its own encrypted drive).
Anyone with the key and a client id can recompute the pseudonym, so keep the key as private as the
records; without it the pseudonyms cannot be linked back.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from goalbook.errors import GoalbookError

KEY_BYTES = 32
PREFIX = "p-"
DIGITS = 16  # 64 bits of the HMAC: no two ids of a practice collide in practice


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "goalbook" / "pseudonym.key"


def load_or_create_key(path: Path | None = None) -> bytes:
    """The key in ``path`` (default ``default_key_file()``), created (0600, its folder 0700) when absent."""
    path = Path(path) if path is not None else default_key_file()
    if path.exists():
        try:
            text = path.read_text(encoding="ascii").strip()
            key = bytes.fromhex(text)
        except (OSError, UnicodeDecodeError, ValueError):
            raise GoalbookError(f"{path}: not a goalbook pseudonym key (64 hexadecimal digits)",
                                hint="restore the key file from your backup; a new key gives new pseudonyms") from None
        if len(key) < 16:
            raise GoalbookError(f"{path}: the key is too short ({len(key)} bytes; at least 16)",
                                hint="restore the key file from your backup; a new key gives new pseudonyms")
        return key
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key


class Pseudonyms:
    """Client id → pseudonym; a respondent's id is hashed with the client's, so "sam" of two clients
    gives two pseudonyms."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _hash(self, text: str) -> str:
        return PREFIX + hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:DIGITS]

    def client(self, client_id: str) -> str:
        return self._hash("client:" + client_id)

    def respondent(self, client_id: str, respondent_id: str) -> str:
        return self._hash(f"respondent:{client_id}:{respondent_id}") if respondent_id else ""
