"""Finding the practice folder, as git finds its repository."""

from __future__ import annotations

import os
from pathlib import Path

from goalbook.errors import GoalbookError

SETTINGS_FILE = "goalbook.yaml"


def find_practice(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the current folder) holding goalbook.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def practice_or_fail(practice: str | Path | None) -> Path:
    """``--practice DIR`` when given, else walk up from the current folder; a clear message if neither."""
    if practice is not None:
        root = Path(practice)
        if not (root / SETTINGS_FILE).is_file():
            raise GoalbookError(
                f"{root}: no {SETTINGS_FILE} here, so this is not a goalbook practice",
                hint="pass the folder that holds goalbook.yaml, or create one with `goalbook init`",
            )
        return root.resolve()
    found = find_practice()
    if found is None:
        raise GoalbookError(
            f"no {SETTINGS_FILE} in this folder or any folder above it",
            hint="run the command inside your practice folder, pass --practice DIR, "
            "or create a practice with `goalbook init`",
        )
    return found


def relative_to_cwd(path: Path) -> str:
    """``path`` as typed from the current folder ("" for the folder itself), so an editor's terminal
    can open the paths printed with it."""
    try:
        rel = os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive on Windows
        return str(path)
    return "" if rel == "." else rel
