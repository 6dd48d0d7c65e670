"""Where goalbook's own data folders are: inside the installed package, or at the repository top."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``schemas``, ``templates`` or ``instruments``.

    A wheel carries them as ``goalbook/_data/NAME``; a source checkout (editable install, tests)
    has them at the repository top, two levels above ``src/goalbook``.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"goalbook's {name}/ folder is missing from this installation")


def schema_path(kind: str) -> Path:
    return data_dir("schemas") / f"{kind}.schema.json"
