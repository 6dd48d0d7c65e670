"""Where a client's share file lives in the book, and which ones a full build refreshes.

A share file sits at the top of the book as ``for-client-<id>.html``: never ``clients/<id>.html``
(the clinician's page, with private notes) and never the bare ``<id>.html`` that could be taken
for it. Each full build re-renders the share files it finds there, so a file already handed to a
client's folder on disk never lags behind the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from goalbook import output

PREFIX = "for-client-"


def share_name(client_id: str) -> str:
    return f"{PREFIX}{client_id}.html"


def shared_ids(out: Path, ids: Iterable[str]) -> list[tuple[str, str]]:
    """(file name, client id) of each share file in ``out`` (by goalbook's signature in the file):
    ``for-client-<id>.html``, and ``<id>.html`` as earlier versions named them."""
    found: list[tuple[str, str]] = []
    if not out.is_dir():
        return found
    known = set(ids)
    for path in sorted(out.glob("*.html")):
        client_id = path.name.removesuffix(".html").removeprefix(PREFIX)
        if client_id not in known or path.name == "index.html" or path.is_symlink():
            continue
        try:
            with path.open("rb") as f:
                ours = output.SHARE_SIGNATURE in f.read(4096)
        except OSError:
            continue
        if ours:
            found.append((path.name, client_id))
    return found
