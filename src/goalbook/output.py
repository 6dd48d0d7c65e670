"""Writing the book safely: a staging folder swapped in whole, owner-only permissions, a marker file.

Why this much care: the book holds health data (owner-only permissions, never a folder we did not
create), and ``watch``/``serve`` rebuild it in a loop (a failed or half-finished build must never
replace the last good book). Files whose bytes did not change keep their old inode and mtime, so a
server or browser sees only real changes. A build that changes only a few files (a `watch` save)
updates the book in place instead, one atomic ``os.replace`` per file (``update_book``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from goalbook.errors import GoalbookError

MARKER = ".goalbook-book"
MARKER_TEXT = b"This folder is a book built by goalbook. It is replaced whole on every build.\n"
# Share files carry this in their <head> so a later build recognises (and keeps) them.
SHARE_SIGNATURE = b'<meta name="generator" content="goalbook share">'
DIR_MODE = 0o700
FILE_MODE = 0o600
# Folders of a practice that hold source files: the book must never be written into them.
SOURCE_FOLDERS = ("clients", "instruments", "schemas", ".git")


class OutputError(GoalbookError):
    """The output location is unsafe to write (exit 2: the user picks another one)."""


def check_output_location(out: Path, practice_root: Path) -> None:
    """Refuse an output that would overwrite or mix with the practice's own files."""
    out_r, root_r = out.resolve(), practice_root.resolve()
    if out_r == root_r or out_r in root_r.parents:
        raise OutputError(
            f"{out}: this folder holds the practice itself, so the book cannot be written there",
            hint="choose an output folder inside or beside the practice, e.g. -o _book",
        )
    if root_r in out_r.parents:
        first = out_r.relative_to(root_r).parts[0]
        if first in SOURCE_FOLDERS or first in ("goalbook.yaml", "goalbook.yml"):
            where = (f"this is the practice's settings file, {first}" if first.startswith("goalbook.")
                     else f"this is inside the practice's {first}/ folder, where your records live")
            raise OutputError(f"{out}: {where}", hint="choose an output folder of its own, e.g. -o _book")


def is_ours(folder: Path) -> bool:
    """True when ``folder`` is missing, empty, or carries our marker file."""
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    return (folder / MARKER).is_file() or not any(folder.iterdir())


def _refuse_foreign(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: this is a file, not a folder", hint="choose another output with -o")
    if not is_ours(folder):
        raise OutputError(
            f"{folder}: this folder already holds files that goalbook did not write",
            hint="goalbook replaces its output folder whole; choose an empty or new folder with -o, "
            "or move those files away",
        )


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, FILE_MODE)  # O_CREAT's mode is masked by umask


def write_page(path: str, data: bytes) -> None:
    """A new owner-only file (a cold build's worker writing a page before the book is swapped in)."""
    _write_file(Path(path), data)


def _make_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir(mode=) is masked by umask


class Prepared:
    """A page already written to ``path`` by a cold build's worker (coldbuild.py), in a private
    folder beside the book: moved into the new book rather than written a second time."""

    def __init__(self, path: str, size: int) -> None:
        self.path, self.size = path, size

    def __len__(self) -> int:
        return self.size

    def read(self) -> bytes:
        with open(self.path, "rb") as f:
            return f.read()


def _same_bytes(path: Path, data: bytes | Prepared) -> bool:
    try:
        if not (path.is_file() and path.stat().st_size == len(data)):
            return False
        return path.read_bytes() == (data.read() if isinstance(data, Prepared) else data)
    except OSError:
        return False


def _bytes(data: bytes | Prepared) -> bytes:
    return data.read() if isinstance(data, Prepared) else data


def _kept_share_files(old: Path) -> list[Path]:
    """Share files written earlier into this folder: a full rebuild keeps them."""
    kept = []
    for path in sorted(old.glob("*.html")):
        try:
            with path.open("rb") as f:
                head = f.read(4096)
        except OSError:
            continue
        if SHARE_SIGNATURE in head:
            kept.append(path)
    return kept


def write_book(out: Path, files: Mapping[str, bytes | Prepared], keep: Iterable[str] = ()) -> int:
    """Replace the folder ``out`` by exactly ``files`` (relative path → bytes) plus the pages
    ``keep`` of the current book, taken as they are (issue 6); return files written.

    Everything is written to a staging folder beside ``out`` first, then swapped in with two
    renames; on any failure the staging folder is removed and ``out`` is left as it was.
    Unchanged files are hard-linked from the previous book, so their mtime stays.
    """
    _refuse_foreign(out)
    out.parent.mkdir(parents=True, exist_ok=True)  # the parent is the user's: leave its mode alone
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    written = 0
    try:
        os.chmod(staging, DIR_MODE)
        everything = {MARKER: MARKER_TEXT, **files}
        for rel in sorted(everything):
            target = staging / rel
            if target.parent != staging:
                _make_dir(target.parent)
            previous = out / rel
            if _same_bytes(previous, everything[rel]):
                try:
                    os.link(previous, target)
                    continue
                except OSError:
                    pass  # e.g. a file system without hard links: write a copy instead
            data = everything[rel]
            if isinstance(data, Prepared):
                os.replace(data.path, target)  # written by a worker with the same mode
            else:
                _write_file(target, data)
            written += 1
        for rel in sorted(set(keep) - set(everything)):
            target = staging / rel
            if target.parent != staging:
                _make_dir(target.parent)
            try:
                os.link(out / rel, target)
            except OSError:
                shutil.copyfile(out / rel, target)
                os.chmod(target, FILE_MODE)
        if out.exists():
            for share in _kept_share_files(out):
                if share.name not in files:
                    os.link(share, staging / share.name)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


# A build that changes at most this many files updates the book in place (issue 6): each file
# is replaced atomically, so a reader never sees half a page, and the 1,000 unchanged pages of a
# large book are not linked into a new folder for a one-page edit. More changes: staging + swap.
IN_PLACE_MAX = 64


def update_book(out: Path, files: Mapping[str, bytes | Prepared], keep: Iterable[str] = ()) -> int | None:
    """Bring the existing book ``out`` to exactly what ``write_book(out, files, keep)`` would
    leave, by replacing only the files whose bytes changed (temp file + ``os.replace`` each) and
    removing pages that are no longer part of it. Returns the number of files written, or None
    (nothing touched) when the book cannot be updated in place: missing, not ours, too many
    changes, or holding anything unexpected — the caller then writes it whole with ``write_book``.

    Only called after the build succeeded: the pages are all rendered before the first write.
    """
    if len(files) > IN_PLACE_MAX or not os.path.isfile(os.path.join(out, MARKER)):
        return None
    wanted = {MARKER, *files, *keep}
    present, shares = _book_listing(out)
    if present is None or not (set(keep) <= present):
        return None
    stale = sorted(present - wanted - shares)
    if len(stale) > IN_PLACE_MAX:
        return None
    written = 0
    for rel in sorted(files):
        target = out / rel
        if rel in present and _same_bytes(target, files[rel]):
            continue
        if target.parent != out and not target.parent.is_dir():
            _make_dir(target.parent)
        _replace_file(target, _bytes(files[rel]))
        written += 1
    for rel in stale:
        (out / rel).unlink(missing_ok=True)
    return written


def _book_listing(out: Path) -> tuple[set[str] | None, set[str]]:
    """Every file in the book (relative paths) and the share files among them; None when the
    book holds something other than regular files in its own folder and clients/."""
    present: set[str] = set()
    shares: set[str] = set()
    try:
        top = list(os.scandir(out))
        for entry in top:
            if entry.is_symlink():
                return None, shares
            if entry.is_dir():
                if entry.name != "clients":
                    return None, shares
                for inner in os.scandir(entry.path):
                    if inner.is_symlink() or not inner.is_file():
                        return None, shares
                    present.add(f"clients/{inner.name}")
            elif entry.is_file():
                present.add(entry.name)
                if entry.name.endswith(".html") and entry.name != "index.html" and _is_share_file(Path(entry.path)):
                    shares.add(entry.name)
            else:
                return None, shares
    except OSError:
        return None, shares
    return present, shares


def _is_share_file(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return SHARE_SIGNATURE in f.read(4096)
    except OSError:
        return False


def _replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` atomically: a hidden temp file beside it (0600), then ``os.replace``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.replace(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)  # only the unique name is wanted
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except BaseException:
        os.replace(old, out)  # put the last good book back
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_share_file(path: Path, data: bytes) -> None:
    """Write one self-contained share file atomically (temp file + ``os.replace``), owner-only.

    An existing file is replaced only when it is an earlier share file of ours.
    """
    if path.exists():
        if path.is_dir():
            raise OutputError(f"{path}: this is a folder", hint="pass a file name ending in .html")
        with path.open("rb") as f:
            if SHARE_SIGNATURE not in f.read(4096):
                raise OutputError(
                    f"{path}: a file of that name exists and goalbook did not write it",
                    hint="choose another name with -o, or move that file away",
                )
    folder = path.parent
    if not folder.exists():
        _make_dir(folder)
        _write_file(folder / MARKER, MARKER_TEXT)
    _replace_file(path, data)
