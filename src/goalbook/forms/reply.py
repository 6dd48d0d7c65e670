"""The encrypted reply a client's form produces, and reading it back.

HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, single shot:
the ciphertext is ``enc || AEAD ciphertext`` with empty associated data. The form id, client id,
practice key fingerprint and expiry are bound as the HPKE ``info``: a reply whose header was
changed, or that is read against another form's record, does not decrypt.

The reply as text (for a file, an e-mail or a message)::

    -----BEGIN GOALBOOK REPLY-----
    form: f-20261202-k3q7xa
    key: sha256:0123456789abcdef
    <base64 of the ciphertext, 64 characters a line>
    -----END GOALBOOK REPLY-----
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from goalbook.errors import GoalbookError

BEGIN, END = "-----BEGIN GOALBOOK REPLY-----", "-----END GOALBOOK REPLY-----"
INFO_LABEL = "goalbook-reply-v1"
_BLOCK = re.compile(re.escape(BEGIN) + r"(.*?)" + re.escape(END), re.DOTALL)


class ReplyRefused(GoalbookError):
    """A reply that cannot be imported: the message is the one-line reason."""

    exit_code = 1


@dataclass(frozen=True)
class Reply:
    form: str
    key_short: str  # the first hex digits of the key fingerprint, as the header says
    ciphertext: bytes
    label: str = ""  # where it came from (a file name, "standard input"), for messages


def info(form_id: str, client_id: str, fingerprint: str, expires: str) -> bytes:
    """The HPKE info: every field the form and the practice must agree on."""
    return (f"{INFO_LABEL}\nform={form_id}\nclient={client_id}\nkey=sha256:{fingerprint}\n"
            f"expires={expires}").encode()


def parse_replies(text: str, label: str) -> list[Reply]:
    """Every reply block in ``text`` (an e-mail may quote it with "> " and wrap it)."""
    cleaned = "\n".join(re.sub(r"^[\s>]+", "", line) for line in text.splitlines())
    blocks = _BLOCK.findall(cleaned)
    if not blocks:
        raise ReplyRefused(f"{label}: not a goalbook reply (no line {BEGIN})")
    return [_parse_block(block, label if len(blocks) == 1 else f"{label} (reply {n})")
            for n, block in enumerate(blocks, 1)]


def _parse_block(block: str, label: str) -> Reply:
    header: dict[str, str] = {}
    body = []
    for line in block.split("\n"):
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(form|key):\s*(\S+)$", line)
        if m:
            header[m.group(1)] = m.group(2)
        else:
            body.append(line)
    if "form" not in header or "key" not in header:
        raise ReplyRefused(f"{label}: the reply is damaged (its form: or key: line is missing)")
    try:
        ciphertext = base64.b64decode("".join(body), validate=True)
    except (binascii.Error, ValueError):
        raise ReplyRefused(f"{label}: the reply is damaged (its text was changed or cut short); "
                           "ask for it to be sent again as a file") from None
    return Reply(header["form"], header["key"].removeprefix("sha256:"), ciphertext, label)


def _suite():
    from cryptography.hazmat.primitives import hpke

    return hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)


def seal(plaintext: bytes, public_raw: bytes, info_bytes: bytes) -> bytes:
    """Encrypt as the form does (used by tests and to check a key pair)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    return _suite().encrypt(plaintext, X25519PublicKey.from_public_bytes(public_raw), info=info_bytes)


def open_reply(reply: Reply, private_key: Any, info_bytes: bytes) -> dict[str, Any]:
    """Decrypt and parse; ``ReplyRefused`` when the reply was changed."""
    from cryptography.exceptions import InvalidTag

    try:
        plaintext = _suite().decrypt(reply.ciphertext, private_key, info=info_bytes)
    except (InvalidTag, ValueError):
        raise ReplyRefused(f"{reply.label}: the reply was changed after it was written (it does not decrypt); "
                           "nothing was written — ask the client to send it again") from None
    try:
        data = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ReplyRefused(f"{reply.label}: the reply decrypts but does not hold answers goalbook can read") from None
    if not isinstance(data, dict):
        raise ReplyRefused(f"{reply.label}: the reply decrypts but does not hold answers goalbook can read")
    return data


def reply_text(form_id: str, fingerprint: str, ciphertext: bytes) -> str:
    """The text form of a reply (as the page writes it)."""
    b64 = base64.b64encode(ciphertext).decode("ascii")
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "\n".join([BEGIN, f"form: {form_id}", f"key: sha256:{fingerprint[:16]}", *lines, END]) + "\n"
