"""The practice's key pair for encrypted replies (X25519).

The rules this module keeps:

* The **public** key is part of the practice (``forms/public-key.txt``, in git): forms are
  encrypted to it, and a second computer can tell which private key it needs.
* The **private** key never enters the practice folder: it lives in the user's config folder
  (``$XDG_CONFIG_HOME/goalbook/keys/``, else ``~/.config/goalbook/keys/``), folder 0700, file 0600,
  named by the public key's fingerprint. Old private keys are kept, so replies to forms issued
  before a ``keys new`` can still be read.
* Export and import carry the private key encrypted with a passphrase (PKCS#8, the
  ``cryptography`` package's best available encryption); a passphrase shorter than
  ``MIN_PASSPHRASE`` characters is refused.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from goalbook.errors import GoalbookError

PUBLIC_KEY_FILE = "forms/public-key.txt"
MIN_PASSPHRASE = 12
_HEADER = "goalbook practice public key (X25519, for encrypted questionnaire replies)"


@dataclass(frozen=True)
class PublicKey:
    raw: bytes  # 32 bytes

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw key, hex: bound into every reply (HPKE info)."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def short(self) -> str:
        """The first 16 hex digits, for people: enough to tell two keys apart."""
        return self.fingerprint[:16]

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "goalbook" / "keys"


def _private_path(fingerprint: str) -> Path:
    return config_dir() / f"{fingerprint}.pem"


def _owner_only_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for folder in (path, path.parent):
        if folder.name in ("keys", "goalbook"):
            folder.chmod(0o700)


def practice_public_key(root: Path) -> PublicKey | None:
    path = root / PUBLIC_KEY_FILE
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            try:
                raw = base64.b64decode(line, validate=True)
            except ValueError:
                raw = b""
            if len(raw) != 32:
                raise GoalbookError(f"{PUBLIC_KEY_FILE} does not hold a public key goalbook can read",
                                    hint="restore it from git, or make a new pair with `goalbook keys new`")
            return PublicKey(raw)
    return None


def _write_public(root: Path, key: PublicKey) -> None:
    path = root / PUBLIC_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.goalbook-new")
    temporary.write_text(f"# {_HEADER}\n# fingerprint sha256:{key.fingerprint}\n{key.b64}\n", encoding="utf-8")
    os.replace(temporary, path)


def _save_private(private) -> PublicKey:  # private: X25519PrivateKey
    from cryptography.hazmat.primitives import serialization

    public = PublicKey(private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    _owner_only_dir(config_dir())
    path = _private_path(public.fingerprint)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    path.chmod(0o600)
    return public


def new_key_pair(root: Path) -> PublicKey:
    """A new pair: private into the config folder, public into the practice. Older private keys stay."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    public = _save_private(X25519PrivateKey.generate())
    _write_public(root, public)
    return public


def ensure_key_pair(root: Path) -> tuple[PublicKey, bool]:
    """The practice's public key, making a pair on first use. True when it was just made."""
    existing = practice_public_key(root)
    if existing is not None:
        return existing, False
    return new_key_pair(root), True


def private_key(fingerprint: str):
    """The private key for ``fingerprint`` from the config folder, or None when it is not on this computer."""
    from cryptography.hazmat.primitives import serialization

    path = _private_path(fingerprint)
    if not path.is_file():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return key


def has_private_key(fingerprint: str) -> bool:
    return _private_path(fingerprint).is_file()


def export_private(root: Path, passphrase: str) -> bytes:
    """The practice's private key, encrypted with ``passphrase`` (PEM text)."""
    from cryptography.hazmat.primitives import serialization

    _check_passphrase(passphrase)
    public = practice_public_key(root)
    if public is None:
        raise GoalbookError("this practice has no key pair yet", hint="make one with `goalbook keys new`")
    key = private_key(public.fingerprint)
    if key is None:
        raise GoalbookError(f"the private key for this practice (sha256:{public.short}…) is not on this computer",
                            hint="import it from a backup with `goalbook keys import FILE`")
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(passphrase.encode("utf-8")))


def import_private(root: Path, data: bytes, passphrase: str) -> tuple[PublicKey, bool]:
    """Store an exported private key in the config folder. True when it is the practice's current key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8"))
    except (ValueError, TypeError):
        raise GoalbookError("the key could not be opened: a wrong passphrase, or not a goalbook key file",
                            hint="check the passphrase and that the file is the one `goalbook keys export` wrote"
                            ) from None
    if not isinstance(key, X25519PrivateKey):
        raise GoalbookError("that file holds a key of another kind, not a goalbook practice key")
    public = _save_private(key)
    current = practice_public_key(root)
    if current is None:
        _write_public(root, public)
        return public, True
    return public, current.fingerprint == public.fingerprint


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise GoalbookError(f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters",
                            hint="a few unrelated words make a passphrase that is long and easy to type")
