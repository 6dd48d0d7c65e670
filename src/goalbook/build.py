"""`goalbook build` as a library: load → check → analyse → render → write.

``build_book`` never prints (``watch`` and ``serve`` call it in a loop; the command prints) and
never writes while errors exist: a broken practice leaves the last good book exactly as it was.
"""

from __future__ import annotations

import difflib
import os
import stat as stat_mod
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from goalbook import cache, gcpause, load, output, pagecache, share_files
from goalbook.errors import GoalbookError
from goalbook.problems import Problem, has_errors
from goalbook.records.model import Practice, RepoState
from goalbook.views import book_views

Progress = Callable[[int, int], None]


@dataclass
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    ok: bool = False
    out: Path | None = None  # the book folder, or the share file
    pages: int = 0  # pages rendered (a share build: 1)
    clients: int = 0
    seconds: float = 0.0
    written: int = 0  # files whose bytes changed


def default_output(root: Path, practice: Practice | None) -> Path:
    return Path(root) / (practice.output if practice is not None else "_book")


def share_path(out: Path, client_id: str) -> Path:
    """``-o X.html`` is the file itself; any other output is a folder that gets ``for-client-<id>.html``."""
    return out if out.suffix.lower() == ".html" else out / share_files.share_name(client_id)


def build_book(root: Path, out: Path | None = None, *, today: date | None = None, client: str | None = None,
               share: bool = False, progress: Progress | None = None, as_of: str | None = None,
               history_root: Path | None = None, history_rev: str = "HEAD",
               changed: Iterable[str | os.PathLike[str]] | None = None, period: Any = None) -> BuildResult:
    """Check the practice in ``root`` and, when it has no errors, write its book to ``out``.

    ``client`` builds only that client's page (clinician view), or with ``share`` the client's
    self-contained share file. ``as_of``/``history_root``/``history_rev`` are set by ``--as-of``:
    ``root`` is then a temporary copy, and the audit trail is read from the real repository.
    ``changed``: what a file watcher reported since this process's previous build of ``root``
    (``watch``); client folders without a change are then taken from memory unread.
    ``period``: the ``outcomes.Period`` of the outcomes page (default: the 12 months up to today).
    Raises ``GoalbookError`` only for misuse (unknown client, unsafe output folder).
    """
    started = time.perf_counter()
    root = Path(root)
    with gcpause.paused():
        warmed = None
        if not share and client is None and changed is None:
            # Nothing known of many clients (a first build): their per-client work on both cores first.
            from goalbook import coldbuild

            warmed = coldbuild.warm_up(root, out, today=today, as_of=as_of, history_root=history_root,
                                       history_rev=history_rev, progress=progress)
            if warmed is not None and progress is not None:
                progress = _onwards(progress, warmed.clients)
        try:
            return _build_book(root, out, today=today, client=client, share=share, progress=progress, as_of=as_of,
                               history_root=history_root, history_rev=history_rev, changed=changed,
                               warmed=warmed, started=started, period=period)
        finally:
            if warmed is not None:
                warmed.discard()  # pages the book did not take (errors, or changed meanwhile)


def _build_book(root: Path, out: Path | None, *, today: date | None, client: str | None, share: bool,
                progress: Progress | None, as_of: str | None, history_root: Path | None, history_rev: str,
                changed: Iterable[str | os.PathLike[str]] | None, warmed: Any, started: float,
                period: Any = None) -> BuildResult:
    from goalbook.checks import check_practice

    with load.only_changed(root, changed) if changed is not None else nullcontext():
        practice, problems = check_practice(root, today=today)
    result = BuildResult(problems=problems, out=out)
    if practice is None or has_errors(problems):
        result.seconds = time.perf_counter() - started
        return result
    out = Path(out) if out is not None else default_output(history_root or root, practice)
    output.check_output_location(out, history_root or root)
    if share and client is None:
        raise GoalbookError("--share needs --client ID: a share file is one client's book",
                            hint="e.g. goalbook build --client ana-r --share")
    clients = practice.clients
    if client is not None:
        chosen = practice.client(client)
        if chosen is None:
            raise GoalbookError(f"no client '{client}' in this practice" + _did_you_mean(client, practice),
                                hint="client ids are the folder names under clients/")
        clients = [chosen]

    if warmed is not None:
        repo, histories = warmed.repo, warmed.histories
    else:
        repo, histories = _audit(history_root or root, history_rev, share, as_of is not None)
    total = len(clients) + (0 if share or client else 1)
    done = 0
    files: dict[str, bytes | output.Prepared] = {}
    views = []

    # Issue 6: a full book keeps the pages of clients whose data did not change (pagecache.py).
    memo = pagecache.memo_for(root, out) if not share and client is None else None
    base = pagecache.practice_key(practice, repo=repo, as_of=as_of) if memo is not None else ""
    records: dict[str, pagecache.Record] = {}
    kept: list[str] = []
    todo: list[tuple[Any, Any, list[str], str | None]] = []  # (client, history, dirty files, page key)
    for c in clients:
        if share:
            todo.append((c, None, [], None))
            continue
        dirty = client_dirty(repo, c.id)
        history = histories(c.id)
        key = pagecache.client_key(base, root, c, history=history, dirty=dirty) if memo is not None else None
        record = memo.reusable(c.id, key) if memo is not None else None
        ready = warmed.pages.get(c.id) if warmed is not None and record is None else None
        if ready is not None and ready.key == key:  # rendered by a cold build's worker
            files[ready.path] = ready.data
            records[c.id] = ready.record
            done += 1
            if progress:
                progress(done, total)
            continue
        if record is None:
            todo.append((c, history, dirty, key))
            continue
        kept.append(record.page)
        records[c.id] = record
        done += 1
        if progress:
            progress(done, total)
    if todo:
        prepare_templates()
    job = _RenderJob(practice, repo, as_of, share, remember=memo is not None,
                     keep_views=memo is None and not share and client is None)
    for client_id, page, data, record, view in _render(job, todo):
        files[page] = data
        if record is not None:
            records[client_id] = record
        if view is not None:
            views.append(view)
        done += 1
        if progress:
            progress(done, total)
    caseload_key = None
    if not share and client is None:
        ordered = [records[c.id] for c in clients] if memo is not None else []
        if memo is not None and all(r.key for r in ordered):
            caseload_key = pagecache.caseload_key(base, ordered)
        if caseload_key is not None and memo.caseload_reusable(caseload_key):
            kept.append("index.html")  # nothing on the caseload changed: not even rendered
        else:
            pages = prepare_templates()
            if memo is not None:  # the caseload from each client's row and alerts, kept or new
                caseload = pagecache.caseload(practice, ordered, repo=repo, as_of=as_of)
            else:
                caseload = book_views.practice_view(practice, views, repo=repo, as_of=as_of)
            files["index.html"] = pages.render_caseload(caseload).encode("utf-8")
        # Share files handed out from this book are rendered again: never older than the record.
        shared = share_files.shared_clients(out, practice)
        if shared:
            share_job = _RenderJob(practice, None, as_of, True, remember=False, keep_views=False)
            for name, c in shared:
                files[name] = share_job.one((c, None, [], None))[2]
        from goalbook.render import outcomes_page  # the outcomes page: one step of the book

        outcomes_page.add_to_book(files, kept, practice, period=period, root=root, out=out,
                                  keys={cid: r.key for cid, r in records.items() if r.key} if memo else None,
                                  unchanged="index.html" in kept, repo=repo, as_of=as_of)
        done += 1
        if progress:
            progress(done, total)

    if share:
        target = share_path(out, clients[0].id)
        output.write_share_file(target, files[share_files.share_name(clients[0].id)], clients[0].id)
        result.out, result.written = target, 1
    elif client is not None:
        # One client's page: refresh it inside the existing book, leaving the rest as it was.
        result.written = output.write_book(out, {**_existing(out), **files})
        result.out = out
    else:
        # Few changes (a `watch` save, one edited session): only those files are replaced, each
        # atomically; nothing changed: nothing is written at all. Else the book is swapped whole.
        # Share files of clients who are gone (an erasure) are not kept.
        present = [c.id for c in practice.clients]
        written = output.update_book(out, files, keep=kept, clients=present) if memo is not None else None
        result.written = (written if written is not None
                          else output.write_book(out, files, keep=kept, clients=present))
        result.out = out
        if memo is not None:
            memo.save({cid: r for cid, r in records.items() if r.key}, caseload_key)
    result.ok = True
    result.pages = len(files) + len(kept)
    result.clients = len(clients)
    result.seconds = time.perf_counter() - started
    return result


# --- Rendering the pages, on both cores when there are many ----------------------------------------


def _onwards(progress: Progress, already: int) -> Progress:
    """``progress`` that does not start again from 0 for work a cold build's workers did."""
    return lambda done, total: progress(max(done, already), total)


def prepare_templates() -> Any:
    """The page renderers, with Jinja's compiled templates kept between processes: compiling them
    costs a fresh `build` a quarter of a second, more than rendering one client's page.

    The compiled code is kept in the user's own cache folder (``$XDG_CACHE_HOME/goalbook``,
    owner-only), never in the practice: it is code, and a practice folder can come from
    someone else (a copy, an archive). Jinja re-checks each template's source hash and its own
    bytecode version on load, and the folder is named after goalbook's version."""
    from goalbook.render import pages

    env = pages.environment()
    if env.bytecode_cache is None and cache.enabled():
        folder = _template_cache_folder()
        if folder is not None:
            env.bytecode_cache = _bytecode_cache(folder)
    return pages


def warm_up() -> None:
    """Load the page templates now (``watch``, after its first build): the first save then
    renders at once instead of compiling templates first."""
    try:
        env = prepare_templates().environment()
        for name in ("client.html", "caseload.html", "caseload_parts.html"):
            env.get_template(name)
    except Exception:  # noqa: BLE001, S110 — only an optimisation; the build reports real problems
        pass


def _template_cache_folder() -> Path | None:
    from goalbook import __version__

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goalbook"
    folder = base / f"templates-{__version__}"
    try:
        base.parent.mkdir(parents=True, exist_ok=True)  # ~/.cache itself: the user's, mode as it comes
        for path in (base, folder):
            path.mkdir(mode=0o700, exist_ok=True)
            st = os.lstat(path)
            if not stat_mod.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
                return None  # a link, or someone else's: never load code from it
            if stat_mod.S_IMODE(st.st_mode) & 0o077:
                os.chmod(path, 0o700)
    except (OSError, RuntimeError):  # no home folder, read-only: compile as before
        return None
    return folder


def _bytecode_cache(folder: Path) -> Any:
    """Jinja's file cache, for which a damaged file, a full disk or a read-only folder only
    costs time. (Defined here so that importing this module does not import Jinja.)"""
    from jinja2 import FileSystemBytecodeCache

    class QuietBytecodeCache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, ValueError, EOFError, TypeError):
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return QuietBytecodeCache(str(folder))


PARALLEL_MIN_PAGES = 48  # below this a second process costs more than it saves
PARALLEL_CHUNK = 16


@dataclass
class _RenderJob:
    practice: Practice
    repo: RepoState | None
    as_of: str | None
    share: bool
    remember: bool  # keep each client's caseload row and alerts for the page cache
    keep_views: bool  # hand the views back (the caseload is then built from them)

    def one(self, item: tuple[Any, Any, list[str], str | None]) -> tuple[str, str, bytes, Any, Any]:
        from goalbook.render import pages

        c, history, dirty, key = item
        if self.share:
            view = book_views.client_view(self.practice, c, audience="client")
        else:
            view = book_views.client_view(self.practice, c, history=history, dirty=dirty)
        html = pages.render_client(view, practice_name=self.practice.name, today=self.practice.today,
                                   repo=None if self.share else self.repo, as_of=self.as_of)
        page = share_files.share_name(c.id) if self.share else f"clients/{c.id}.html"
        record = pagecache.record(key, page, view) if self.remember else None
        return c.id, page, html.encode("utf-8"), record, view if self.keep_views else None


def renderer(practice: Practice, repo: RepoState | None, as_of: str | None) -> _RenderJob:
    """What renders a full book's client pages, keeping each one's record for the page cache."""
    return _RenderJob(practice, repo, as_of, share=False, remember=True, keep_views=False)


# What a forked worker renders: inherited from the parent at fork, never pickled.
_job: _RenderJob | None = None
_items: list[Any] = []


def _render_chunk(bounds: tuple[int, int]) -> list[tuple[str, str, bytes, Any, Any]]:
    assert _job is not None
    return [_job.one(item) for item in _items[bounds[0]:bounds[1]]]


def _render(job: _RenderJob, items: list[Any]):
    """Each item's page, in order: in two forked processes for a large book, else here."""
    global _job, _items
    cores = os.cpu_count() or 1
    if len(items) < PARALLEL_MIN_PAGES or cores < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        for item in items:  # small books, one core, or inside `watch` (threads: forking is unsafe)
            yield job.one(item)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _job, _items = job, items
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            chunks = [(i, min(i + PARALLEL_CHUNK, len(items))) for i in range(0, len(items), PARALLEL_CHUNK)]
            for future in [pool.submit(_render_chunk, bounds) for bounds in chunks]:
                yield from future.result()
    finally:
        _job, _items = None, []


def _existing(out: Path) -> dict[str, bytes]:
    """The current book's pages, so a one-client build keeps them (the swap replaces the folder)."""
    out = output.book_folder(out)
    if not out.is_dir() or not output.is_ours(out):
        return {}
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.html"))
        if p.is_file() and not p.is_symlink() and (p.parent != out or p.name in ("index.html", "outcomes.html"))
    }


def _audit(root: Path, rev: str, share: bool, as_of: bool):
    if share:
        return None, lambda _cid: None
    return audit_state(root, rev, as_of)


def audit_state(root: Path, rev: str, as_of: bool):
    """The repository state and a history lookup; outside git (or without audit.py) a calm None."""
    try:
        from goalbook.history import audit
    except ImportError:  # the audit trail is optional for the book
        return None, lambda _cid: None
    state = audit.repo_state(root)
    if as_of:
        # The snapshot is the committed record: nothing in it is uncommitted.
        state = RepoState(is_repo=state.is_repo, commit=None if not state.is_repo else rev, dirty=())
    if not state.is_repo:
        return state, lambda _cid: None
    histories = audit.practice_history(root, rev=rev)
    return state, lambda cid: histories.get(cid, [])


def client_dirty(repo: RepoState | None, client_id: str) -> list[str]:
    if repo is None:
        return []
    return [p for p in repo.dirty if p.startswith(f"clients/{client_id}/")]


def _did_you_mean(word: str, practice: Practice) -> str:
    close = difflib.get_close_matches(word, [c.id for c in practice.clients], n=1)
    return f" — did you mean '{close[0]}'?" if close else ""
