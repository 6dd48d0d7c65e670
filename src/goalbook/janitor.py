"""Nothing left behind: temporary folders that outlive no goalbook process, even one killed hard.

A build writes a whole book into a staging folder beside the old one and swaps them; ``--as-of``
checks the record out into a temporary folder. Ctrl-C and exceptions remove those on the way out,
but ``kill -9`` (or a power cut of the terminal) runs no code at all. So for as long as such a
folder may exist, a small janitor process waits on a pipe from the build: when the pipe closes —
the build ended, however it ended — it removes what the build left of them and exits.

Two builds of one practice never clean up under each other: writing the book, and cleaning up,
both hold an exclusive lock on ``.goalbook-cache/book.lock`` (released by the kernel when its
holder dies). Leftovers of older goalbook versions beside the book (``.<book>.pages-*``,
``.<book>.staging-*``, ``.<book>.old-*``) are removed by the next build the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LEFTOVER_KINDS = ("staging", "old", "pages")
LOCK_FILE = "book.lock"

_JANITOR = r"""
import os, shutil, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: outlast the build
while sys.stdin.buffer.read(65536):
    pass
try:
    import fcntl
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
except (OSError, ImportError):
    pass
for folder, prefix in zip(sys.argv[2::2], sys.argv[3::2]):
    try:
        names = os.listdir(folder)
    except OSError:
        continue
    for name in names:
        path = os.path.join(folder, name)
        if not name.startswith(prefix):
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass
"""


def leftover_prefixes(book: Path) -> list[str]:
    return [f".{book.name}.{kind}-" for kind in LEFTOVER_KINDS]


def remove_leftovers(book: Path) -> None:
    """Folders an interrupted earlier build left beside ``book`` (call while holding the lock)."""
    try:
        names = os.listdir(book.parent)
    except OSError:
        return
    prefixes = tuple(leftover_prefixes(book))
    for name in names:
        path = book.parent / name
        if name.startswith(prefixes) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def book_lock(cache_folder: Path | None) -> Iterator[None]:
    """Held while a book is written: one build of a practice writes at a time."""
    fd = None
    if cache_folder is not None:
        try:
            import fcntl

            fd = os.open(cache_folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
        except (OSError, ImportError):
            if fd is not None:
                os.close(fd)
            fd = None
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)  # closing releases the lock


@contextmanager
def watching(cache_folder: Path | None, *places: tuple[Path, str]) -> Iterator[None]:
    """While this block runs, a janitor waits; when the block ends, or this process dies, it
    removes every entry of each (folder, name prefix) in ``places``, holding the book lock of
    ``cache_folder``. Never enter it while holding that lock yourself."""
    lock = cache_folder / LOCK_FILE if cache_folder is not None else None
    args = [sys.executable, "-S", "-c", _JANITOR, str(lock) if lock is not None else os.devnull]
    for folder, prefix in places:
        args += [str(folder), prefix]
    try:
        janitor = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, close_fds=True)
    except OSError:
        janitor = None  # no janitor: Ctrl-C and exceptions still clean up; the next build does the rest
    try:
        yield
    finally:
        if janitor is not None:
            try:
                janitor.stdin.close()  # type: ignore[union-attr]  # it cleans up and exits on its own
            except OSError:
                pass
