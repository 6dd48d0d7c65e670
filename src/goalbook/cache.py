"""A per-file cache of parsed and validated practice files, kept inside the practice (issue 6).

Parsing YAML is the floor of goalbook's speed and validating can double it, yet between two
builds a therapist changes one or two files. So each file's result — the data and the problems
found in it — is kept under ``<practice>/.goalbook-cache/files/`` and reused while the file's
bytes stay the same.

* **Keyed by content**: an entry is reused only when the file's bytes hash to what was parsed.
  A file whose size, mtime, ctime and inode are all unchanged is trusted without reading it
  (as git's index does); a copied practice (``cp -p``: new inodes and ctimes) reads and hashes
  every file once, then reuses its entries. A file stamped within the last seconds is always
  hashed again ("racy" timestamps: an edit in the same clock tick must not go unnoticed).
* **Keyed by what parsing depends on**: goalbook's version, the JSON Schemas, and the code that
  parses and validates. When any changes, the whole cache is ignored and rebuilt. (Instrument
  definitions are not part of it: the file-level validation does not read them, and the checks
  that do run on every build.)
* **Data, never code**: JSON only (pickle would be code when loaded, and this is client data).
  Owner-only (folder 0700, files 0600), written atomically (temp file + ``os.replace``), one
  file per client so that an edit rewrites one small file. A corrupt, foreign or unreadable
  cache is ignored: the worst it can cost is time. A cache folder that is a symbolic link, or
  owned by someone else, is never read or written.
* In ``watch``, which is told what changed, a client whose folder saw no change is taken from
  memory without even a ``stat`` (``recall_trusted``); everywhere else every file is stat-ed:
  a folder's mtime does not move when a file in it is written in place.
* Set ``GOALBOOK_NO_CACHE=1`` to turn it off.

Callers must not modify the data they get back: the same objects are handed out on every hit.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat as stat_mod
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import cache as memoize
from pathlib import Path, PurePosixPath
from typing import Any

from goalbook import __version__
from goalbook.problems import Problem
from goalbook.records.model import Client

CACHE_DIR = ".goalbook-cache"
FILES_DIR = "files"
FORMAT = 1  # bump when the layout of an entry changes
RACY_NS = 2_000_000_000  # a file stamped less than 2 s before it was read is hashed again next time
PRACTICE_SHARD = "_practice"  # goalbook.yaml and anything else outside clients/

# parse(path, display, kind, source) -> (data, problems); ``source`` is the file's bytes when read.
Parse = Callable[[Path, str, str, "bytes | None"], "tuple[Any, list[Problem]]"]


# --- What the cache depends on -----------------------------------------------------------------


@memoize
def fingerprint() -> str:
    """A hash of everything a file's parse-and-validate result depends on, besides its bytes."""
    from goalbook import resources

    h = hashlib.blake2b(digest_size=16)
    h.update(f"goalbook {__version__} cache {FORMAT}".encode())
    package = Path(__file__).resolve().parent
    sources = [package / name for name in ("records/yamlload.py", "records/yaml_messages.py",
                                           "records/validate.py", "records/schema_formats.py",
                                           "load.py", "cache.py")]
    try:
        sources += sorted(resources.data_dir("schemas").glob("*.json"))
    except FileNotFoundError:
        pass
    for path in sources:
        h.update(path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def signature(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def enabled() -> bool:
    return os.environ.get("GOALBOOK_NO_CACHE", "") in ("", "0")


# --- Entries and shards ------------------------------------------------------------------------


@dataclass
class Entry:
    kind: str
    digest: str
    sig: list[int] | None  # None: timestamps too fresh to trust; hash the bytes next time
    data: Any
    problems: list[Problem]
    positions: dict[str, list[int]] = field(default_factory=dict)  # "v" or "k" + JSON pointer → line, column
    source: bytes | None = None  # the bytes, while this process still has them (not saved)

    def to_json(self) -> list[Any]:
        problems = [[p.path, p.line, p.column, p.severity, p.code, p.message, p.hint] for p in self.problems]
        return [self.kind, self.digest, self.sig, self.data, problems, self.positions]

    @classmethod
    def from_json(cls, raw: Any) -> Entry | None:
        """The entry, or None when it is not exactly what this version writes."""
        if not (isinstance(raw, list) and len(raw) == 6):
            return None
        kind, hexdigest, sig, data, problems, positions = raw
        if not (isinstance(kind, str) and isinstance(hexdigest, str) and isinstance(positions, dict)):
            return None
        if sig is not None and not (isinstance(sig, list) and len(sig) == 4 and all(type(x) is int for x in sig)):
            return None
        if not isinstance(problems, list):
            return None
        parsed = []
        for p in problems:
            if not (isinstance(p, list) and len(p) == 7 and p[3] in ("error", "warning")
                    and all(type(p[i]) is int for i in (1, 2))
                    and all(isinstance(p[i], str) for i in (0, 4, 5, 6))):
                return None
            parsed.append(Problem(*p))
        return cls(kind, hexdigest, sig, data, parsed, positions)


@dataclass
class Shard:
    """The entries of one client folder (or of the practice's own files), saved as one JSON file."""

    entries: dict[str, Any] = field(default_factory=dict)  # display → Entry, or raw JSON until used
    dirty: bool = False
    seen: set[str] = field(default_factory=set)  # displays looked up since the last flush
    version: int = 0  # bumped whenever an entry is added, decoded or removed (see digests)


class FileCache:
    """The cache of one practice folder; kept in memory between builds of a long-running process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / CACHE_DIR / FILES_DIR
        self.fingerprint = fingerprint()
        self.shards: dict[str, Shard] = {}
        self.clients: dict[str, tuple[list[tuple[str, str]], Any]] = {}  # see recall_client
        self.index: dict[str, Any] | None = None  # see recall_lazy: clients.json, read on first use
        self.index_dirty = False
        self.index_lines: dict[str, tuple[Any, bytes]] = {}  # folder → (entry as read, its line): reused unchanged
        self.alive: set[str] = set()  # client shards in use this pass (some never read: see recall_lazy)
        self.lazy_digests: dict[str, list[tuple[str, str]]] = {}  # folder → its files' hashes, from the index
        self.digest_memo: dict[str, tuple[Shard, int, list[tuple[str, str]]]] = {}  # see digests
        self.trusted: dict[str, tuple[Any, Any]] = {}  # see recall_trusted
        self.usable = self._usable()
        self.hits = self.misses = 0

    # -- safety

    def _usable(self) -> bool:
        return self.usable_in(self.root)

    @staticmethod
    def usable_in(root: Path) -> bool:
        """False when the cache folder is a link or someone else's: never follow or trust it."""
        uid = os.getuid() if hasattr(os, "getuid") else None
        for path in (root / CACHE_DIR, root / CACHE_DIR / FILES_DIR):
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                return True
            except OSError:
                return False
            if not stat_mod.S_ISDIR(st.st_mode) or (uid is not None and st.st_uid != uid):
                return False
        return True

    # -- lookups

    def shard(self, key: str) -> Shard:
        shard = self.shards.get(key)
        if shard is None:
            shard = self.shards[key] = Shard(entries=self._read_shard(key))
        return shard

    def _shard_path(self, key: str) -> Path:
        # Client folder names are slugs (load.py skips others), so they are safe file names.
        return self.folder / (key.split("/", 1)[1] + ".json" if key != PRACTICE_SHARD else PRACTICE_SHARD + ".json")

    def _read_shard(self, key: str) -> dict[str, Any]:
        if not self.usable:
            return {}
        try:
            raw = json.loads(self._shard_path(key).read_bytes())
        except (OSError, ValueError):
            return {}  # missing or corrupt: start this shard cold
        if not (isinstance(raw, dict) and raw.get("format") == FORMAT and raw.get("fingerprint") == self.fingerprint
                and isinstance(raw.get("entries"), dict)):
            return {}  # another goalbook version, other schemas, or not ours
        return raw["entries"]

    def entry(self, shard: Shard, display: str) -> Entry | None:
        raw = shard.entries.get(display)
        if raw is None or isinstance(raw, Entry):
            return raw
        entry = Entry.from_json(raw)  # decoded on first use only
        if entry is None:
            del shard.entries[display]
        else:
            shard.entries[display] = entry
        shard.version += 1
        return entry

    def load(self, path: Path, display: str, kind: str, parse: Parse) -> tuple[Any, list[Problem]]:
        self.alive.add(shard_key(display))
        shard = self.shard(shard_key(display))
        shard.seen.add(display)
        entry = self.entry(shard, display)
        try:
            st = os.stat(path)
        except OSError:
            return parse(path, display, kind, None)  # let the parser report it
        if entry is not None and entry.kind == kind and entry.sig is not None and entry.sig == signature(st):
            self.hits += 1
            return entry.data, entry.problems
        from goalbook.records.yamlload import MAX_BYTES, read_limited

        if not stat_mod.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return parse(path, display, kind, None)
        try:
            source = read_limited(path)  # a regular file still, no larger than the limit
        except OSError:
            return parse(path, display, kind, None)
        hexdigest = digest(source)
        sig = trusted_signature(st, len(source))
        if entry is not None and entry.kind == kind and entry.digest == hexdigest:
            self.hits += 1
            if entry.sig != sig:
                entry.sig = sig
                shard.dirty = True
            entry.source = source
            return entry.data, entry.problems
        self.misses += 1
        data, problems = parse(path, display, kind, source)
        shard.entries[display] = Entry(kind, hexdigest, sig, data, list(problems), source=source)
        shard.version += 1
        shard.dirty = True
        return data, problems

    def position(self, path: Path, display: str, pointer: Sequence[str | int], key: bool) -> tuple[int, int]:
        from goalbook.records import yamlload

        shard = self.shards.get(shard_key(display))
        entry = self.entry(shard, display) if shard is not None else None
        if entry is None:
            return yamlload.position(path, pointer, key=key)
        memo = ("k" if key else "v") + json.dumps(list(pointer), ensure_ascii=False, separators=(",", ":"))
        found = entry.positions.get(memo)
        if isinstance(found, list) and len(found) == 2:
            return found[0], found[1]
        # Compose the bytes that were parsed, so the position belongs to the cached data.
        line, column = yamlload.position(entry.source if entry.source is not None else path, pointer, key=key)
        if entry.source is not None or entry.sig is not None:
            entry.positions[memo] = [line, column]
            shard.dirty = True
        return line, column

    def read_index(self) -> dict[str, Any]:
        if self.index is None:
            self.index = {}
            if self.usable:
                try:
                    self.index, self.index_lines = read_index_file(self.folder / INDEX_FILE, self.fingerprint)
                except (OSError, ValueError):
                    pass  # missing or corrupt: every client is loaded
        return self.index

    # -- saving

    def flush(self, prune: bool = False) -> None:
        """Save the shards that changed. ``prune``: the whole practice was just read, so entries
        (and client shards) not looked up belong to deleted or renamed files."""
        if not self.usable:
            return
        # Prune only after a pass that really went through this cache: entries not looked up
        # then belong to files that are gone.
        prune = prune and any(shard.seen for shard in self.shards.values())
        if prune:
            for key, shard in self.shards.items():
                gone = [d for d in shard.entries if d not in shard.seen]
                for display in gone:
                    del shard.entries[display]
                    shard.version += 1
                shard.dirty = shard.dirty or bool(gone)
        try:
            for key, shard in sorted(self.shards.items()):
                if shard.dirty:
                    self._write_shard(key, shard)
                    shard.dirty = False
            if prune and self.folder.is_dir():
                keep = {self._shard_path(k).name for k in self.shards} | {self._shard_path(k).name for k in self.alive}
                for path in self.folder.glob("*.json"):
                    if path.name not in keep:
                        path.unlink(missing_ok=True)
            if self.index is not None and prune:
                gone = set(self.index) - self.alive
                for folder in gone:
                    del self.index[folder]
                self.index_dirty = self.index_dirty or bool(gone)
            if self.index is not None and self.index_dirty:
                write_private(self.folder / INDEX_FILE, index_file_bytes(self.index, self.index_lines, self.fingerprint))
                self.index_dirty = False
        except OSError:
            pass  # a read-only practice still builds, only without the speed-up
        for shard in self.shards.values():
            shard.seen.clear()
        self.alive.clear()

    def save_shard(self, folder: str) -> None:
        """Write one client's shard now, if it changed (a cold build's worker: see coldbuild.py)."""
        shard = self.shards.get(folder)
        if self.usable and shard is not None and shard.dirty:
            try:
                self._write_shard(folder, shard)
                shard.dirty = False
            except OSError:
                pass  # a read-only practice still builds, only without the speed-up

    def _write_shard(self, key: str, shard: Shard) -> None:
        make_private_dir(self.root / CACHE_DIR)
        make_private_dir(self.folder)
        entries = {d: e.to_json() if isinstance(e, Entry) else e for d, e in sorted(shard.entries.items())}
        path = self._shard_path(key)
        if not entries:
            path.unlink(missing_ok=True)
            return
        payload = {"format": FORMAT, "fingerprint": self.fingerprint, "entries": entries}
        try:
            # The strict loader gives only text keys, lists and plain numbers, so JSON gives the
            # data back unchanged; the one thing it cannot hold is a float that overflowed (inf).
            text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (ValueError, TypeError):
            payload["entries"] = {d: e for d, e in entries.items() if storable(e[3])}
            text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        write_private(path, text.encode("utf-8"))


def shard_key(display: str) -> str:
    if display.startswith("clients/"):
        parts = display.split("/", 2)
        if len(parts) == 3 and parts[1]:
            return f"clients/{parts[1]}"
    return PRACTICE_SHARD


def trusted_signature(st: os.stat_result, size_read: int) -> list[int] | None:
    """The stat signature to trust next time, or None when the timestamps are too fresh (or the
    file changed size while being read)."""
    newest = max(st.st_mtime_ns, st.st_ctime_ns)
    if size_read != st.st_size or time.time_ns() - newest < RACY_NS:
        return None
    return signature(st)


def storable(data: Any) -> bool:
    """Only what JSON gives back unchanged: str keys, no tuples, finite floats (the strict loader
    gives exactly that, but a cache must never turn one value into another)."""
    if data is None or isinstance(data, (str, bool, int)):
        return True
    if isinstance(data, float):
        return math.isfinite(data)
    if isinstance(data, list):
        return all(storable(x) for x in data)
    if isinstance(data, dict):
        return all(isinstance(k, str) and storable(v) for k, v in data.items())
    return False


def make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    if stat_mod.S_IMODE(os.lstat(path).st_mode) != 0o700:
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask


def write_private(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")  # created 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- The module-level API that load.py calls ---------------------------------------------------

_caches: dict[str, FileCache] = {}  # absolute practice folder → its cache
_roots: dict[str, str] = {}  # practice folder as given → absolute


def _root_of(path: str, display: str) -> str | None:
    """The practice folder: ``path`` minus ``display`` (None when ``path`` does not end with it).

    Plain string work: this runs for every file of every build."""
    if not os.path.isabs(path):  # a practice given as a relative folder (e.g. ".") is cached too
        path = os.path.abspath(path)
    tail = os.sep + display.replace("/", os.sep)
    if not path.endswith(tail) or "/../" in f"/{display}/" or display.startswith("/"):
        return None
    prefix = path[: -len(tail)] or os.sep
    root = _roots.get(prefix)
    if root is None:
        root = _roots[prefix] = os.path.abspath(prefix)
    return root


def load(path: Path, display: str, kind: str, parse: Parse) -> tuple[Any, list[Problem]]:
    """``parse(path, display, kind, source)``, or its cached result for these exact bytes."""
    root = _root_of(os.fspath(path), display) if enabled() else None
    if root is None:
        return parse(path, display, kind, None)
    found = _caches.get(root)
    if found is None:
        found = _caches[root] = FileCache(Path(root))
    return found.load(path, display, kind, parse)


def practice_cache(root: Path) -> FileCache | None:
    """The cache of the practice at ``root`` (None when caching is off or its folder is unusable)."""
    if not enabled():
        return None
    key = os.path.abspath(root)
    found = _caches.get(key)
    if found is None:
        found = _caches[key] = FileCache(Path(key))
    return found if found.usable else None


def position(path: Path, pointer: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
    """``yamlload.position`` for a file loaded through the cache, remembered with its entry."""
    if enabled():
        absolute = os.path.abspath(path)
        for root, found in _caches.items():
            if absolute.startswith(root + os.sep):
                display = PurePosixPath(Path(os.path.relpath(absolute, root))).as_posix()
                return found.position(Path(path), display, pointer, key)
    from goalbook.records import yamlload

    return yamlload.position(path, pointer, key=key)


def prefetch(root: Path, items: Sequence[tuple[Path, str, str]], parse: Parse) -> int:
    """Parse in a second process the files the cache cannot answer for (a cold build of a large
    practice), so that both cores work; the load that follows then finds them cached.

    ``items`` are ``(path, display, kind)``. Returns how many files were parsed ahead. Does
    nothing for small jobs, on one core, or where forking is unsafe (threads running).
    """
    if (len(items) < PARALLEL_MIN_FILES or not enabled() or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork")
            or threading.active_count() > 1):
        return 0
    root_key = _root_of(os.fspath(Path(root) / "goalbook.yaml"), "goalbook.yaml")
    if root_key is None:
        return 0
    found = _caches.get(root_key)
    if found is None:
        found = _caches[root_key] = FileCache(Path(root_key))
    todo = []
    for path, display, kind in items:
        try:
            st = os.stat(path)
        except OSError:
            continue
        sig = signature(st)
        entry = found.entry(found.shard(shard_key(display)), display)
        if entry is None or entry.kind != kind or entry.sig != sig:
            todo.append((os.fspath(path), display, kind, entry.digest if entry is not None else None))
    if len(todo) < PARALLEL_MIN_FILES:
        return 0
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [todo[i:i + PARALLEL_CHUNK] for i in range(0, len(todo), PARALLEL_CHUNK)]
    done = 0
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        for results in pool.map(_parse_chunk, chunks, [parse] * len(chunks)):
            for same, display, kind, hexdigest, sig, data, problems, positions in results:
                shard = found.shard(shard_key(display))
                if same:  # the bytes the entry was made from (a copied practice): trust its new stat
                    entry = found.entry(shard, display)
                    if entry is not None and entry.digest == hexdigest and entry.sig != sig:
                        entry.sig = sig
                        shard.dirty = True
                    continue
                shard.entries[display] = Entry(kind, hexdigest, sig, data, problems, positions)
                shard.version += 1
                shard.dirty = True
                done += 1
    return done


PARALLEL_MIN_FILES = 2000  # below this a second process costs more than it saves
PARALLEL_CHUNK = 400


def _parse_chunk(chunk: list[tuple[str, str, str, str | None]], parse: Parse) -> list[tuple[Any, ...]]:
    """In a worker process: read, hash and parse each file (only what is cacheable)."""
    from goalbook.records.yamlload import MAX_BYTES, read_limited

    results = []
    for path, display, kind, known in chunk:
        try:
            st = os.stat(path)
            if not stat_mod.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
                continue
            source = read_limited(path)
        except OSError:
            continue
        hexdigest = digest(source)
        if hexdigest == known:
            results.append((True, display, kind, hexdigest, trusted_signature(st, len(source)), None, None, None))
            continue
        data, problems = parse(Path(path), display, kind, source)
        results.append((False, display, kind, hexdigest, trusted_signature(st, len(source)), data, list(problems),
                        _goal_positions(kind, data, source)))
    return results


def _goal_positions(kind: str, data: Any, source: bytes) -> dict[str, list[int]]:
    """The line of each goal (the model keeps it), found here in the worker: composing the YAML
    again for its marks is slow, and the main process would otherwise do it for every client."""
    goals = data.get("goals") if kind == "goals" and isinstance(data, dict) else None
    if not isinstance(goals, list):
        return {}
    from goalbook.records import yamlload

    found = {}
    for index in range(len(goals)):
        line, column = yamlload.position(source, ["goals", index])
        found["v" + json.dumps(["goals", index], ensure_ascii=False, separators=(",", ":"))] = [line, column]
    return found


def flush(root: Path, *, prune: bool = False) -> None:
    """Save what this process learnt about ``root``'s files (call after loading the practice)."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is not None:
        found.flush(prune=prune)


def digests(root: Path, prefix: str) -> list[tuple[str, str]] | None:
    """(display, content hash) of the files under ``prefix`` (e.g. ``clients/ana-r/``) as the
    last load read them, or None when that is not known (caching off, or not loaded through it).
    The list may be shared with later calls: do not modify it."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is None:
        return None
    folder = shard_key(prefix + "x")
    if folder in found.lazy_digests and folder + "/" == prefix:
        return found.lazy_digests[folder]
    shard = found.shards.get(folder)
    if shard is None:
        return None
    memo = found.digest_memo.get(prefix)
    if memo is not None and memo[0] is shard and memo[1] == shard.version:
        return memo[2]  # nothing in this shard changed since (the 1,000 unchanged clients of a `watch`)
    result = []
    for display, entry in shard.entries.items():
        if not display.startswith(prefix):
            continue
        if not isinstance(entry, Entry):
            return None  # never looked up in this process: it may be stale
        result.append((display, entry.digest))
    result.sort()
    found.digest_memo[prefix] = (shard, shard.version, result)
    return result


_tokens: dict[str, tuple[list[tuple[str, str]], str]] = {}  # folder → (digests, their hash)


def files_token(folder: str, files: list[tuple[str, str]]) -> str:
    """A short hash of a folder's ``digests``; remembered, since in `watch` the same 1,000
    clients' lists come back unchanged build after build (comparing is cheaper than hashing)."""
    known = _tokens.get(folder)
    if known is not None and (known[0] is files or known[0] == files):
        return known[1]
    token = hashlib.blake2b(repr(files).encode(), digest_size=16).hexdigest()
    _tokens[folder] = (files, token)
    return token


def recall_client(root: Path, files: Sequence[tuple[Path, str, str]]) -> Any | None:
    """What ``remember_client`` kept for these files, when none of them changed since (every
    file's stat signature is the trusted one of its entry). In-memory only: a `watch` rebuild
    then builds model objects only for the client that was edited."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is None or not files:
        return None
    folder = shard_key(files[0][1])
    kept = found.clients.get(folder)
    if kept is None or len(kept[0]) != len(files):
        return None
    if folder in found.lazy_digests:  # recalled lazily before: judge by clients.index
        return None
    shard = found.shards.get(folder)
    if shard is None:
        return None
    for (path, display, kind), (known_display, known_digest) in zip(files, kept[0]):
        entry = shard.entries.get(display)
        if display != known_display or not isinstance(entry, Entry) or entry.kind != kind or entry.sig is None:
            return None
        if entry.digest != known_digest:
            return None
        try:
            if signature(os.stat(path)) != entry.sig:
                return None
        except OSError:
            return None
    shard.seen.update(display for _, display, _ in files)
    found.hits += len(files)
    return kept[1]


def recall_trusted(root: Path, files: Sequence[tuple[Path | str, str, str]]) -> Any | None:
    """What this process last built from these files (``remember_client`` or ``recall_lazy``),
    without looking at them: for `watch`, whose file watcher reported no change in this client's
    folder since then (``load.only_changed``). None when the files' names differ from then."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is None or not files:
        return None
    folder = shard_key(files[0][1])
    kept = found.clients.get(folder)
    if kept is None:
        return None
    last = found.trusted.get(folder)
    if last is None or last[0] is not kept or last[1] is not files:  # else: the very lists compared last time
        if sorted(d for d, _ in kept[0]) != sorted(display for _, display, _ in files):
            return None
        found.trusted[folder] = (kept, files)
    found.alive.add(folder)  # so that flush(prune=True) keeps its shard and index entry
    shard = found.shards.get(folder)
    if shard is not None:
        shard.seen.update(display for _, display, _ in files)
    found.hits += len(files)
    return kept[1]


def remember_client(root: Path, files: Sequence[tuple[Path, str, str]], value: Any,
                    dirs: list[Any] | None = None) -> None:
    """Keep ``value`` (what was built from these files) for ``recall_client``; ``dirs``: the
    folder signatures the listing was made under (see ``recall_listing``)."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is None or not files:
        return
    folder = shard_key(files[0][1])
    shard = found.shards.get(folder)
    if shard is None:
        return
    known = []
    for _, display, _ in files:
        entry = shard.entries.get(display)
        if not isinstance(entry, Entry):
            found.clients.pop(folder, None)
            return
        known.append((display, entry.digest))
    found.clients[folder] = (known, value)
    found.lazy_digests.pop(folder, None)
    index = found.read_index()
    listed = _index_entry(files, shard, value, dirs)
    if listed is None:
        if index.pop(folder, None) is not None:
            found.index_dirty = True
    elif index.get(folder) != listed:
        index[folder] = listed
        found.index_dirty = True


INDEX_FILE = "clients.index"  # not *.json: pruning shards must not touch it
INDEX_LAYOUT = "lines"  # a header line, then one line per client: an edit re-encodes one line


def read_index_file(path: Path, fingerprint: str) -> tuple[dict[str, Any], dict[str, tuple[Any, bytes]]]:
    """clients.index: (folder → entry, folder → (entry, its line as read)); empty when it is not
    this version's. A line that does not decode is left out: that client is simply loaded."""
    lines = path.read_bytes().split(b"\n")
    header = json.loads(lines[0])
    if not (isinstance(header, dict) and header.get("format") == FORMAT and header.get("layout") == INDEX_LAYOUT
            and header.get("fingerprint") == fingerprint):
        return {}, {}
    index: dict[str, Any] = {}
    raw: dict[str, tuple[Any, bytes]] = {}
    for line in lines[1:]:
        if not line:
            continue
        try:
            pair = json.loads(line)
        except ValueError:
            continue
        if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) and isinstance(pair[1], dict):
            index[pair[0]] = pair[1]
            raw[pair[0]] = (pair[1], line)
    return index, raw


def index_file_bytes(index: dict[str, Any], lines: dict[str, tuple[Any, bytes]], fingerprint: str) -> bytes:
    """clients.index as bytes: the lines of entries unchanged since read are reused as they were."""
    header = {"format": FORMAT, "layout": INDEX_LAYOUT, "fingerprint": fingerprint}
    out = [json.dumps(header, separators=(",", ":")).encode("utf-8")]
    for folder in sorted(index):
        entry = index[folder]
        known = lines.get(folder)
        if known is not None and known[0] is entry:
            out.append(known[1])
        else:
            out.append(json.dumps([folder, entry], ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return b"\n".join(out) + b"\n"


class LazyClient(Client):
    """A client whose files did not change since the last build: only its id and folder are
    known until anything else is asked for; then it is loaded (from the cache) in full.

    A build whose pages are all kept never asks, so an unchanged practice is not loaded at all."""

    def __init__(self, client_id: str, folder: str, loader: Callable[[], Any]) -> None:
        self.__dict__.update(id=client_id, folder=folder, _loader=loader)

    def __getattr__(self, name: str) -> Any:
        loader = self.__dict__.pop("_loader", None)
        if loader is None or name.startswith("__"):
            raise AttributeError(name)
        full = loader()
        if full is None:
            raise RuntimeError(f"{self.__dict__['folder']} could not be loaded again")
        self.__dict__.update(full.__dict__)
        return getattr(self, name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Client):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in dataclass_fields(Client))

    __hash__ = None  # type: ignore[assignment]  # as Client's


def _index_entry(files: Sequence[tuple[Path, str, str]], shard: Shard, value: Any,
                 dirs: list[Any] | None) -> dict[str, Any] | None:
    """What clients.index keeps of one client: its files' stat signatures and hashes, and what
    loading them gave besides the model (sources, problems, count)."""
    client, sources, problems, count = value
    listed = []
    for _, display, kind in files:
        entry = shard.entries.get(display)
        if not isinstance(entry, Entry) or entry.sig is None:
            return None  # something fresh or unknown: read it again next time
        listed.append([display, kind, entry.digest, entry.sig])
    token = files_token(shard_key(files[0][1]), sorted((f[0], f[2]) for f in listed)) if listed else None
    return {
        "files": listed, "token": token, "id": client.id if client is not None else None,
        "sources": [sources.folder, sources.client_file, sources.goals_file, sources.goals_ok],
        "problems": [[p.path, p.line, p.column, p.severity, p.code, p.message, p.hint] for p in problems],
        "count": count, "dirs": dirs,
    }


def recall_listing(root: Path, folder: str) -> tuple[list[Any], list[list[Any]]] | None:
    """The signatures of client ``folder`` and its sessions/ when it was last listed, and its
    files' entries in clients.index then (``[display, kind, hash, stat]``); None when not known."""
    found = practice_cache(root)
    entry = found.read_index().get(folder) if found is not None else None
    if not entry:
        return None
    dirs, files = entry.get("dirs"), entry.get("files")
    if not (isinstance(dirs, list) and len(dirs) == 2 and isinstance(files, list)):
        return None
    return dirs, files


def recall_lazy(root: Path, files: Sequence[tuple[Path, str, str]], load: Callable[[], Any],
                make_sources: Callable[..., Any]) -> Any | None:
    """From clients.index: ``(LazyClient, sources, problems, count)`` for a client none of whose
    files changed (same names, every stat signature the trusted one), without reading them or
    their cache entries. ``load()`` gives the full ``_load_client`` result when needed."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is None or not files:
        return None
    folder = shard_key(files[0][1])
    entry = found.read_index().get(folder)
    try:
        if not entry or len(entry["files"]) != len(files) or entry["id"] is None:
            return None
        if any(display != known[0] or kind != known[1] for (_, display, kind), known in zip(files, entry["files"])):
            return None
        if not _all_unchanged((path, known[3]) for (path, _, _), known in zip(files, entry["files"])):
            return None
    except (OSError, TypeError, ValueError, KeyError, IndexError):
        return None
    return _lazy_client(found, folder, entry, load, make_sources)


def _all_unchanged(files: Iterable[tuple[str, list[int]]]) -> bool:
    """Whether every file's stat is still its trusted signature [size, mtime, ctime, inode]."""
    stat = os.stat
    for path, sig in files:
        st = stat(path)
        if st.st_mtime_ns != sig[1] or st.st_size != sig[0] or st.st_ctime_ns != sig[2] or st.st_ino != sig[3]:
            return False
    return True


def recall_listed(root: Path, folder: str, path: str, load: Callable[[], Any],
                  make_sources: Callable[..., Any], *, unchanged: bool | None = None) -> Any | None:
    """``recall_lazy`` for a client folder whose file names were taken from its clients.index
    entry (``recall_listing``): the names agree by construction, so only each file's stat is
    compared, and no list of its files is built. In-memory models (`watch`) are preferred.
    ``unchanged``: that comparison, when ``listed_unchanged`` already made it."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is None or folder in found.clients:
        return None
    entry = found.read_index().get(folder)
    if unchanged is None:
        unchanged = _listed_unchanged(entry, folder, path)
    return _lazy_client(found, folder, entry, load, make_sources) if unchanged else None


def _listed_unchanged(entry: Any, folder: str, path: str) -> bool:
    """Whether every file of a client's clients.index ``entry`` still has its trusted stat."""
    head, start, base = folder + "/", len(folder) + 1, path + os.sep

    def files() -> Iterator[tuple[str, list[int]]]:
        for display, _, _, sig in entry["files"]:
            if not display.startswith(head) or ".." in display:
                raise ValueError(display)  # a damaged index: look at the folder itself
            yield base + display[start:], sig

    try:
        return bool(entry and entry["id"] is not None and entry["files"] and _all_unchanged(files()))
    except (OSError, TypeError, ValueError, KeyError, IndexError):
        return False


PARALLEL_STAT_MIN = 10_000  # files; below this a second process costs more than it saves


def listed_unchanged(root: Path, folders: Sequence[tuple[str, str]]) -> set[str] | None:
    """Which of these client folders (display, path), listed from clients.index, still have
    every file as recorded — the 42,000 ``stat`` calls of a large practice (the largest part of
    a rebuild after one edit) split between this process and a forked one. None where that is
    not worth it or not safe (small practice, one core, threads running): ask ``recall_listed``."""
    found = _caches.get(os.path.abspath(root)) if enabled() else None
    if found is None or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    index = found.read_index()
    entries = [(display, path, index.get(display)) for display, path in folders if display not in found.clients]
    if sum(len(e.get("files") or ()) for _, _, e in entries if isinstance(e, dict)) < PARALLEL_STAT_MIN:
        return None
    half = len(entries) // 2
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: its half, then the names of the unchanged folders through the pipe
        code = 1
        try:
            os.close(read_end)
            data = "\n".join(d for d, p, e in entries[half:] if _listed_unchanged(e, d, p)).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    mine = {d for d, p, e in entries[:half] if _listed_unchanged(e, d, p)}
    chunks = []
    with os.fdopen(read_end, "rb") as pipe:
        while chunk := pipe.read(65536):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    theirs = b"".join(chunks).decode()
    return mine | (set(theirs.split("\n")) if theirs else set())


def _lazy_client(found: FileCache, folder: str, entry: dict[str, Any], load: Callable[[], Any],
                 make_sources: Callable[..., Any]) -> Any | None:
    try:
        sources = make_sources(*entry["sources"])
        problems = [Problem(*p) for p in entry["problems"]]
        count = int(entry["count"])
        client = LazyClient(str(entry["id"]), sources.folder, lambda: load()[0])
        known_digests = sorted((d, digest) for d, _, digest, _ in entry["files"])
    except (TypeError, ValueError, KeyError):
        return None
    found.alive.add(folder)
    found.hits += len(known_digests)
    found.clients[folder] = (known_digests, (client, sources, problems, count))
    found.lazy_digests[folder] = known_digests
    token = entry.get("token")
    if isinstance(token, str):  # the hash of known_digests, kept: 1,000 unchanged lists not hashed again
        _tokens[folder] = (known_digests, token)
    return client, sources, problems, count


def usable_folder(root: Path) -> bool:
    """False when the practice's cache folder must not be read or written (a link, not ours)."""
    return FileCache.usable_in(root)


def forget(root: Path | None = None) -> None:
    """Drop the in-memory caches (of one practice, or all): the next build reads the disk again."""
    if root is None:
        _caches.clear()
    else:
        _caches.pop(os.path.abspath(root), None)
    import sys

    for name in ("goalbook.pagecache", "goalbook.checkcache"):
        module = sys.modules.get(name)
        if module is not None:
            module.forget()
