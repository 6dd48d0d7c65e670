"""Writing the book safely: a staging folder swapped in whole, owner-only permissions, and a
manifest of every file goalbook wrote.

Why this much care: the book holds health data (owner-only permissions), and ``watch``/``serve``
rebuild it in a loop (a failed or half-finished build must never replace the last good book).
Files whose bytes did not change keep their old inode and mtime, so a server or browser sees only
real changes. A build that changes only a few files (a `watch` save) updates the book in place
instead (``update_book``): every new file is written first, then each is renamed over the old one.

The rule every write keeps: **a build never deletes or overwrites a file it did not write there
itself.** The manifest (``.goalbook-book`` in the book folder, JSON) records the folder's own
identity (device and inode) and, for each file goalbook wrote, its content hash and its stat. A
folder holding anything the manifest does not account for is refused, naming one such file. A
copy of the book (``cp -a``, rsync, a cloud folder) carries the manifest along but not the
folder's identity, so there each file is hashed: files added to the copy, or changed in it, are
not goalbook's. A book folder that is a symbolic link is written where the link points, every
time; a link to nothing (a drive not connected) is refused.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goalbook.errors import GoalbookError

MARKER = ".goalbook-book"  # the manifest
# What the marker held before it was a manifest: such a folder is accepted only when every file
# in it is a goalbook page (``_legacy_accounted``).
MARKER_TEXT = b"This folder is a book built by goalbook. It is replaced whole on every build.\n"
MANIFEST_FORMAT = 1
# Share files carry this in their <head>: a share file of that name is replaced by a new one.
SHARE_SIGNATURE = b'<meta name="generator" content="goalbook share">'
PAGE_SIGNATURE = b'<meta name="generator" content="goalbook'
DIR_MODE = 0o700
FILE_MODE = 0o600
# Folders of a practice that hold source files: the book must never be written into them.
SOURCE_FOLDERS = ("clients", "instruments", "schemas", ".git")


class OutputError(GoalbookError):
    """The output location is unsafe to write, or writing it failed (exit 2: the user acts)."""


# --- Where the book goes ------------------------------------------------------------------------


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


def book_folder(out: Path) -> Path:
    """The folder the book is really written to: a symbolic link (the book folder itself, or a
    folder above it) is followed, so the book stays where the link points on every build. A link
    into a folder that does not exist is refused: creating it would put the book somewhere the
    user did not choose (the unencrypted disk under a drive that is not mounted)."""
    out = Path(out)
    real = Path(os.path.realpath(out))
    if os.path.islink(out) and not os.path.exists(out) and not real.parent.is_dir():
        raise OutputError(
            f"{out}: this is a link to {os.readlink(out)}, which does not exist",
            hint="connect or mount the drive the link points to, or choose another output with -o",
        )
    return real


# --- Errors of the disk, in words ----------------------------------------------------------------


def disk_error(exc: OSError, where: Path | str) -> OutputError:
    """One clear line for a failed write: which path, what happened, what to do."""
    path = str(where)  # the folder the user chose, not the hidden temp file that failed
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        what, hint = "the disk is full", "free some space, or choose another output folder with -o"
    elif exc.errno == errno.EROFS:
        what, hint = "the disk is read-only", "choose an output folder on a writable disk with -o"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        what = "permission denied"
        hint = ("give yourself write permission on that folder and the one it is in (chmod u+w), "
                "or choose another output folder with -o")
    else:
        what, hint = exc.strerror or type(exc).__name__, "choose another output folder with -o, or try again"
    return OutputError(f"{path}: could not write the book: {what}",
                       hint=f"{hint}; the previous book is unchanged")


@contextmanager
def writing(where: Path | str) -> Iterator[None]:
    """Turn a failed write below into ``disk_error`` (never an internal error)."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise disk_error(exc, where) from None


# --- The manifest: what goalbook wrote ----------------------------------------------------------


# The manifest's content hash: SHA-256 (the processor's SHA instructions make it the fastest of
# hashlib's on a book of hundreds of megabytes). Manifests written by earlier versions hold
# 32-digit BLAKE2b hashes; a file is checked against each recorded hash with that hash's own
# algorithm, so an older book is still accounted for.
def _hasher(recorded: str = "") -> Any:
    return hashlib.blake2b(digest_size=16) if len(recorded) == 32 else hashlib.sha256()


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash_file(path: str, recorded: str = "") -> str | None:
    """The file's hash, with the algorithm of ``recorded`` (default: the current one)."""
    h = _hasher(recorded)
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _recorded_match(path: str, hashes: list[str]) -> str | None:
    """The recorded hash the file's content has, if any (each kind of hash computed once)."""
    computed: dict[int, str | None] = {}
    for recorded in hashes:
        kind = len(recorded)
        if kind not in computed:
            computed[kind] = _hash_file(path, recorded)
        if computed[kind] == recorded:
            return recorded
    return None


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ino]


@dataclass
class Entry:
    hashes: list[str]  # the content goalbook wrote (two while an in-place update is under way)
    stat: list[int] | None = None  # size, mtime, inode as written
    share: str | None = None  # a share file: the client's id


@dataclass
class Manifest:
    folder: list[int] | None = None  # device and inode of the book folder it describes
    files: dict[str, Entry] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # temp files of an update under way

    def to_bytes(self) -> bytes:
        files = {rel: {"hash": e.hashes, **({"stat": e.stat} if e.stat else {}),
                       **({"share": e.share} if e.share else {})} for rel, e in sorted(self.files.items())}
        raw = {"goalbook-book": MANIFEST_FORMAT,
               "about": "What goalbook wrote into this folder. A build replaces only these files.",
               "folder": self.folder, "files": files, "pending": self.pending}
        return (json.dumps(raw, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest | None:
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict) or raw.get("goalbook-book") != MANIFEST_FORMAT:
                return None
            folder = raw.get("folder")
            files = {}
            for rel, e in raw["files"].items():
                hashes = [h for h in e["hash"] if isinstance(h, str)]
                st = e.get("stat")
                files[str(rel)] = Entry(hashes, [int(x) for x in st] if isinstance(st, list) else None,
                                        e.get("share") if isinstance(e.get("share"), str) else None)
            pending = [str(p) for p in raw.get("pending") or []]
            return cls([int(x) for x in folder] if isinstance(folder, list) else None, files, pending)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


@dataclass
class Accounted:
    """A book folder checked against its manifest: every file in it is goalbook's."""

    folder: Path
    manifest: Manifest
    present: set[str]  # files now in the folder (not the manifest itself)
    leftovers: set[str] = field(default_factory=set)  # temp files of an interrupted update
    # each present file's content hash and stat, as checked (no second read or stat needed)
    verified: dict[str, tuple[str, list[int]]] = field(default_factory=dict)

    @property
    def shares(self) -> dict[str, str]:
        """Share files in the folder: relative path → client id."""
        return {rel: e.share for rel, e in self.manifest.files.items() if e.share and rel in self.present}


def _refusal(folder: Path, rel: str, why: str) -> OutputError:
    return OutputError(
        f"{folder}: {rel} {why}",
        hint="a build never deletes or overwrites a file it did not write; move that file away, "
        "or choose an empty or new folder with -o",
    )


def _walk(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """(files, folders, others) under ``folder``, relative, links and special files in others."""
    files: list[str] = []
    dirs: list[str] = []
    others: list[str] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        with os.scandir(folder / rel_dir if rel_dir else folder) as it:
            for entry in it:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_symlink():
                    others.append(rel)
                elif entry.is_dir():
                    dirs.append(rel)
                    stack.append(rel)
                elif entry.is_file():
                    files.append(rel)
                else:
                    others.append(rel)
    return sorted(files), sorted(dirs), sorted(others)


def account(out: Path) -> Accounted:
    """Check that everything in the book folder ``out`` is a file goalbook wrote there; raise
    ``OutputError`` naming one that is not. A missing or empty folder is accounted for."""
    folder = Path(out)
    if not os.path.lexists(folder):
        return Accounted(folder, Manifest(), set())
    if not folder.is_dir():
        raise OutputError(f"{folder}: this is a file, not a folder", hint="choose another output with -o")
    with writing(folder):
        files, dirs, others = _walk(folder)
    if others:
        return _raise(_refusal(folder, others[0], "is a link or a special file, not a page goalbook wrote"))
    if not files and not dirs:
        return Accounted(folder, Manifest(), set())
    if MARKER not in files:
        first = (files or dirs)[0]
        raise _refusal(folder, first + ("/" if first in dirs else ""),
                       "is not a file goalbook wrote (this folder has no record of what goalbook wrote)")
    files.remove(MARKER)
    try:
        raw = (folder / MARKER).read_bytes()
    except OSError as exc:
        raise disk_error(exc, folder / MARKER) from None
    if raw == MARKER_TEXT:
        return _legacy_accounted(folder, files, dirs)
    manifest = Manifest.from_bytes(raw)
    if manifest is None:
        raise _refusal(folder, MARKER, "is damaged, so goalbook cannot tell which files it wrote")
    st = os.stat(folder)
    same_folder = manifest.folder == [st.st_dev, st.st_ino]
    present: set[str] = set()
    leftovers: set[str] = set()
    verified: dict[str, tuple[str, list[int]]] = {}
    for rel in files:
        entry = manifest.files.get(rel)
        if entry is None and same_folder and rel in manifest.pending:
            leftovers.add(rel)
            continue
        if entry is None:
            raise _refusal(folder, rel, "is not a file goalbook wrote")
        now = _stat_key(os.stat(folder / rel))
        as_written = same_folder and entry.stat is not None and now == entry.stat and len(entry.hashes) == 1
        digest = entry.hashes[0] if as_written else _recorded_match(str(folder / rel), entry.hashes)
        if digest is None:
            raise _refusal(folder, rel, "has changed since goalbook wrote it")
        present.add(rel)
        verified[rel] = (digest, now)
    holding = {rel.rsplit("/", 1)[0] for rel in present | leftovers if "/" in rel}
    for d in dirs:
        if not any(h == d or h.startswith(d + "/") for h in holding) and d != "clients":
            raise _refusal(folder, d + "/", "is a folder goalbook did not make")
    return Accounted(folder, manifest, present, leftovers, verified)


def _raise(exc: OutputError) -> Accounted:
    raise exc


def _legacy_accounted(folder: Path, files: list[str], dirs: list[str]) -> Accounted:
    """A book written before the manifest existed: accepted when every file in it is one of
    goalbook's pages (index.html, clients/*.html or a share file, each carrying goalbook's
    generator tag); anything else is refused as in a folder without a manifest."""
    manifest = Manifest()
    for rel in files:
        parts = rel.split("/")
        shaped = rel.endswith(".html") and (len(parts) == 1 or (len(parts) == 2 and parts[0] == "clients"))
        try:
            with open(folder / rel, "rb") as f:
                head = f.read(4096)
        except OSError:
            head = b""
        if not shaped or PAGE_SIGNATURE not in head:
            raise _refusal(folder, rel, "is not a file goalbook wrote")
        digest = _hash_file(str(folder / rel)) or ""
        share = rel[:-5] if len(parts) == 1 and SHARE_SIGNATURE in head else None
        manifest.files[rel] = Entry([digest], None, share)
    for d in dirs:
        if d != "clients":
            raise _refusal(folder, d + "/", "is a folder goalbook did not make")
    return Accounted(folder, manifest, set(files))


def is_ours(folder: Path) -> bool:
    """True when ``folder`` is missing, empty, or holds only files goalbook wrote there."""
    try:
        account(book_folder(folder))
    except OutputError:
        return False
    return True


def _write_manifest_into(folder: Path, manifest: Manifest) -> None:
    """Record ``folder``'s identity and the stat of each file in ``manifest`` (as now on disk)."""
    st = os.stat(folder)
    manifest.folder = [st.st_dev, st.st_ino]
    for rel, entry in manifest.files.items():
        if entry.stat is not None:
            continue  # known: a file left as it was checked, or linked (same inode and mtime)
        try:
            entry.stat = _stat_key(os.stat(folder / rel))
        except FileNotFoundError:
            entry.stat = None
    _replace_file(folder / MARKER, manifest.to_bytes())


# --- Writing ------------------------------------------------------------------------------------


def _write_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(fd, FILE_MODE)  # O_CREAT's mode is masked by umask
        f.write(data)


def _make_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir(mode=) is masked by umask


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if not (path.is_file() and path.stat().st_size == len(data)):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _share_of(rel: str, head: bytes) -> str | None:
    """The client of a share file at the top of the book (``for-client-<id>.html``, or
    ``<id>.html`` as earlier versions named them), known by goalbook's share signature."""
    if "/" in rel or not rel.endswith(".html") or rel == "index.html" or SHARE_SIGNATURE not in head[:4096]:
        return None
    return rel.removesuffix(".html").removeprefix("for-client-")


def _known(accounted: Accounted, rel: str, target: Path) -> Entry:
    """The manifest entry of a file kept from the current book (left in place, or hard-linked
    to ``target``): its hash and stat as checked, else read again from ``target``."""
    found = accounted.verified.get(rel)
    if found is not None:
        if target == accounted.folder / rel:  # left in place since it was checked
            return Entry([found[0]], list(found[1]))
        try:
            if _stat_key(os.stat(target)) == found[1]:  # a hard link: the same inode and mtime
                return Entry([found[0]], list(found[1]))
        except OSError:
            pass
    return Entry([_hash_file(str(target)) or ""])


def write_book(out: Path, files: Mapping[str, bytes], keep: Iterable[str] = (),
               clients: Iterable[str] | None = None) -> int:
    """Replace the folder ``out`` by exactly ``files`` (relative path → bytes) plus the pages
    ``keep`` of the current book, taken as they are; return files written. Share files written
    earlier into the folder are kept, for the clients in ``clients`` (all, when None).

    Everything is written to a staging folder beside ``out`` first, then swapped in with two
    renames; on any failure the staging folder is removed and ``out`` is left as it was.
    Unchanged files are hard-linked from the previous book, so their mtime stays.
    """
    out = book_folder(out)
    accounted = account(out)
    with writing(out):
        out.parent.mkdir(parents=True, exist_ok=True)  # the parent is the user's: leave its mode alone
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    written = 0
    manifest = Manifest()
    try:
        with writing(out):
            os.chmod(staging, DIR_MODE)
            for rel in sorted(files):
                target = staging / rel
                if target.parent != staging:
                    _make_dir(target.parent)
                previous = out / rel
                data = files[rel]
                share = _share_of(rel, data[:4096])
                if rel in accounted.present and _same_bytes(previous, data):
                    try:
                        os.link(previous, target)
                        manifest.files[rel] = _known(accounted, rel, target)
                        manifest.files[rel].share = share
                        continue
                    except OSError:
                        pass  # e.g. a file system without hard links: write a copy instead
                _write_file(target, data)
                manifest.files[rel] = Entry([file_hash(data)], None, share)  # what was written, not read back
                written += 1
            for rel in sorted(set(keep) - set(files)):
                _keep_into(accounted, rel, staging, manifest)
            wanted = None if clients is None else set(clients)
            for rel, client_id in sorted(accounted.shares.items()):
                if rel not in files and rel not in manifest.files and (wanted is None or client_id in wanted):
                    _keep_into(accounted, rel, staging, manifest)
                    manifest.files[rel].share = client_id
            _write_manifest_into(staging, manifest)
            _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written


def _keep_into(accounted: Accounted, rel: str, staging: Path, manifest: Manifest) -> None:
    source, target = accounted.folder / rel, staging / rel
    if target.parent != staging:
        _make_dir(target.parent)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        os.chmod(target, FILE_MODE)
    manifest.files[rel] = _known(accounted, rel, target)


# A build that changes at most this many files updates the book in place: each file is replaced
# atomically, so a reader never sees half a page, and the 1,000 unchanged pages of a large book
# are not linked into a new folder for a one-page edit. More changes: staging + swap.
IN_PLACE_MAX = 64


def update_book(out: Path, files: Mapping[str, bytes], keep: Iterable[str] = (),
                clients: Iterable[str] | None = None) -> int | None:
    """Bring the existing book ``out`` to exactly what ``write_book(out, files, keep, clients)``
    would leave, by replacing only the files whose bytes changed and removing pages that are no
    longer part of it. Returns the number of files written, or None (nothing touched) when the
    book cannot be updated in place: missing, too many changes, or a copy (its manifest describes
    another folder) — the caller then writes it whole with ``write_book``.

    All new files are written (as hidden temp files) before the first one is renamed into place,
    so a full disk leaves the previous book whole; the manifest lists the temp files and both
    versions of each changed file first, so a build killed half-way leaves nothing unaccounted.
    Only called after the build succeeded: the pages are all rendered before the first write.
    """
    out = book_folder(out)
    if len(files) > IN_PLACE_MAX or not os.path.isfile(os.path.join(out, MARKER)):
        return None
    accounted = account(out)
    st = os.stat(out)
    if accounted.manifest.folder != [st.st_dev, st.st_ino] or not set(keep) <= accounted.present:
        return None
    wanted_shares = None if clients is None else set(clients)
    shares = {rel for rel, cid in accounted.shares.items() if wanted_shares is None or cid in wanted_shares}
    wanted = {*files, *keep} | (shares - set(files))
    stale = sorted(accounted.present - wanted)
    if len(stale) > IN_PLACE_MAX:
        return None
    changed = {rel: files[rel] for rel in sorted(files)
               if not (rel in accounted.present and _same_bytes(out / rel, files[rel]))}
    if not changed and not stale and not accounted.leftovers:
        return 0
    old = accounted.manifest
    temps = {rel: _temp_name(rel) for rel in changed}
    during = Manifest(old.folder, {rel: Entry(list(e.hashes), e.stat, e.share) for rel, e in old.files.items()},
                      sorted(set(temps.values()) | accounted.leftovers))
    for rel, data in changed.items():
        entry = during.files.setdefault(rel, Entry([]))
        entry.hashes.append(file_hash(data))
        entry.stat = None
    done: list[str] = []
    accounted_bytes = (out / MARKER).read_bytes()
    try:
        with writing(out):
            _replace_file(out / MARKER, during.to_bytes())
            for rel, data in changed.items():
                target = out / rel
                if target.parent != out and not target.parent.is_dir():
                    _make_dir(target.parent)
                done.append(temps[rel])
                _write_file(out / temps[rel], data)
    except BaseException:
        for tmp in done:
            (out / tmp).unlink(missing_ok=True)
        try:  # the book as it was, its manifest included (the longer one is also correct)
            _replace_file(out / MARKER, accounted_bytes)
        except OSError:
            pass
        raise
    with writing(out):
        for rel in changed:
            os.replace(out / temps[rel], out / rel)
        for rel in [*stale, *accounted.leftovers]:
            (out / rel).unlink(missing_ok=True)
        final = Manifest(old.folder, {}, [])
        for rel in sorted(wanted):
            before = old.files.get(rel)
            if rel in changed:
                final.files[rel] = Entry([file_hash(changed[rel])], None, _share_of(rel, changed[rel]))
            elif before is not None:
                final.files[rel] = _known(accounted, rel, out / rel)
            if rel in final.files and before is not None and rel not in changed:
                final.files[rel].share = before.share
        _write_manifest_into(out, final)
    return len(changed)


def _temp_name(rel: str) -> str:
    head, _, name = rel.rpartition("/")
    return f"{head}/.{name}.goalbook-new" if head else f".{name}.goalbook-new"


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


def write_share_file(path: Path, data: bytes, client_id: str | None = None) -> None:
    """Write one self-contained share file atomically (temp file + ``os.replace``), owner-only,
    and record it in its folder's manifest. An existing file of that name is replaced only when
    goalbook wrote it (the manifest says so, or it is an earlier share file of goalbook's)."""
    path = Path(path)
    folder = book_folder(path.parent)
    path = folder / path.name
    if os.path.lexists(path):
        if path.is_symlink() or not path.is_file():
            raise OutputError(f"{path}: this is not a file goalbook wrote",
                              hint="pass a file name ending in .html that does not exist yet")
        try:
            with path.open("rb") as f:
                ours = SHARE_SIGNATURE in f.read(4096)
        except OSError as exc:
            raise disk_error(exc, path) from None
        if not ours:
            raise OutputError(
                f"{path}: a file of that name exists and goalbook did not write it",
                hint="choose another name with -o, or move that file away",
            )
    with writing(folder):
        if not folder.exists():
            _make_dir(folder)
        manifest = _manifest_of(folder)
        _replace_file(path, data)
        if manifest is not None:
            manifest.files[path.name] = Entry([file_hash(data)], None, client_id)
            _write_manifest_into(folder, manifest)


def _manifest_of(folder: Path) -> Manifest | None:
    """The manifest a share file is recorded in: the folder's own (a book folder), or a new one
    for a folder that was empty; None for a folder of the user's (a share file is written there,
    the rest left alone, and nothing recorded)."""
    try:
        raw = (folder / MARKER).read_bytes()
    except FileNotFoundError:
        return Manifest() if not any(folder.iterdir()) else None
    if raw == MARKER_TEXT:
        try:
            return account(folder).manifest
        except OutputError:
            return None
    manifest = Manifest.from_bytes(raw)
    if manifest is None:
        return None
    st = os.stat(folder)
    return manifest if manifest.folder == [st.st_dev, st.st_ino] else None
