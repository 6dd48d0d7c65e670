"""Writing an export folder: owner-only (folder 0700, files 0600), each file replaced atomically, a
``.gitignore`` of ``*`` so the export never lands in the practice's git history by accident. Only the
files named are written; nothing else in the folder is touched."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from goalbook.errors import GoalbookError

GITIGNORE = "# Written by goalbook export: records leave git through here only on purpose.\n*\n"


def write_export(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (name → bytes) into ``out``; returns the paths written, in name order."""
    out = Path(out)
    if out.exists() and (out.is_symlink() or not out.is_dir()):
        raise GoalbookError(f"{out} is not a folder", hint="give --out a folder (it is made when missing)")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(os.lstat(out).st_mode) != 0o700:
        os.chmod(out, 0o700)
    written = []
    for name, data in sorted({**files, ".gitignore": GITIGNORE.encode()}.items()):
        target = out / name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise GoalbookError(f"{target} is not a plain file: not overwriting it",
                                hint="move it away, or export into an empty folder")
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".tmp-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
