"""Rebuild the book on every save (MkDocs' pattern).

A watchdog observer watches the practice *folders*, because editors save by writing a temporary
file and renaming it over the original; events are debounced, and one build thread with a
"rebuild wanted" flag runs the builds, so a burst of saves gives one build and a save during a
build gives exactly one more. ``build_book`` leaves the last good book in place when a save is
broken, so watch only has to report.

Speed: one ``Session`` lives as long as the watch; each build is told which paths the observer
reported since the previous one, so it looks again only at those client folders and takes the
rest as the session last saw them; only the pages that changed are rewritten.
"""

from __future__ import annotations

import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from goalbook.errors import GoalbookError

BuildFn = Callable[..., Any]  # build_book(root, out, *, today=…) -> BuildResult
OnBuild = Callable[[Any], None]

# Names editors and tools write while saving; they are never records.
SWAP_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".temp", ".part", ".crdownload", ".bak", ".orig")
SWAP_NAMES = ("4913",)  # vim's probe file
SWAP_PREFIXES = ("#", ".#", ".goutputstream-")


def is_ignored(path: str | Path, root: Path, ignored: tuple[Path, ...] = ()) -> bool:
    """True for changes that cannot affect the book: the output, hidden folders (.git, the cache,
    the book's staging folders), editor swap files, anything outside the practice."""
    path = Path(path)
    for folder in ignored:
        if path == folder or folder in path.parents:
            return True
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    if any(part.startswith(".") for part in parts):
        return True
    name = parts[-1] if parts else ""
    return name.endswith(SWAP_SUFFIXES) or name in SWAP_NAMES or name.startswith(SWAP_PREFIXES)


class Rebuilder:
    """One build thread: ``request()`` from any thread; builds run after ``debounce`` seconds of quiet."""

    def __init__(self, build_once: Callable[[], None], debounce: float) -> None:
        self._build_once = build_once
        self._debounce = debounce
        self._wanted = threading.Event()
        self._stopping = threading.Event()
        self._last_request = 0.0
        self._thread = threading.Thread(target=self._run, name="goalbook-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self) -> None:
        self._last_request = time.monotonic()
        self._wanted.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wanted.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stopping.is_set():
                return
            while (quiet := time.monotonic() - self._last_request) < self._debounce:
                if self._stopping.wait(self._debounce - quiet):
                    return
            self._wanted.clear()  # a save from now on wants one more build
            self._build_once()


def _event_handler(root: Path, ignored: Callable[[], tuple[Path, ...]], on_change: Callable[[list[str]], None]) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed", "closed_no_write"):
                return  # reading a file changes nothing
            if event.is_directory and event.event_type == "modified":
                return  # the file events inside say what changed
            paths = [_str(p) for p in (event.src_path, getattr(event, "dest_path", "") or "") if p]
            skip = ignored()
            relevant = [p for p in paths if not is_ignored(p, root, skip)]
            if relevant:
                on_change(relevant)

    return Handler()


def _str(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


def watch(
    root: Path,
    out: Path | None = None,
    *,
    poll: bool = False,
    debounce: float = 0.06,
    on_build: OnBuild | None = None,
    stop_event: threading.Event | None = None,
    today: Any = None,
    build: BuildFn | None = None,
) -> None:
    """Build once, then rebuild on every change until ``stop_event`` is set or Ctrl-C.

    ``on_build(result)`` is called after each build (default: ``report_build``). Returns normally
    on Ctrl-C (KeyboardInterrupt is swallowed here, so the caller can say goodbye).
    """
    root = Path(root).resolve()
    out = Path(out).resolve() if out is not None else None
    # The default build is told which paths changed, so it looks again only at those client
    # folders; None: look at everything (the first build, and after a failed one).
    from goalbook.incremental.session import Session

    tell_changes = build is None
    session = Session(root)

    def default_build(root: Path, out: Path | None, *, today: Any = None, changed: Any = None) -> Any:
        from goalbook.build import BuildRequest, build_book

        request = BuildRequest(root, out, today=today, changed=frozenset(changed) if changed is not None else None)
        return build_book(request, session=session)

    build = build or default_build
    lock = threading.Lock()
    pending: set[str] | None = None  # paths reported since the last build started
    report = on_build or (lambda result: report_build(result, root))
    stop = stop_event or threading.Event()
    outputs: list[Path] = [out] if out is not None else [root / "_book"]

    def on_change(paths: list[str]) -> None:
        with lock:
            if pending is not None:
                pending.update(paths)
        rebuilder.request()

    def build_once(quiet_if_like: Any = None) -> Any:
        """One build, reported (``quiet_if_like``: not when it wrote nothing and found what that
        earlier result found). Returns the result, or None when the build raised."""
        nonlocal pending
        with lock:
            changed, pending = pending, set()
        try:
            if tell_changes:
                result = build(root, out, today=today, changed=changed)
            else:
                result = build(root, out, today=today)
        except BaseException as exc:
            with lock:
                pending = None  # what this build was told is lost: read everything next time
            if isinstance(exc, GoalbookError):  # e.g. an unsafe output folder: say it, keep watching
                click.echo(f"goalbook: {exc.format_message()}", err=True)
                return None
            if not isinstance(exc, Exception):
                raise
            click.echo(f"goalbook: the build failed unexpectedly ({type(exc).__name__}: {exc}); "
                       "still watching. Please report this.", err=True)
            return None
        if getattr(result, "out", None) is not None:
            outputs[:] = [Path(result.out).resolve()]
        if not (quiet_if_like is not None and getattr(result, "written", 1) == 0
                and getattr(result, "ok", None) == getattr(quiet_if_like, "ok", None)
                and getattr(result, "problems", None) == getattr(quiet_if_like, "problems", None)):
            report(result)
        return result

    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    rebuilder = Rebuilder(build_once, debounce)
    observer = None
    try:
        # The first build runs before any thread starts (watchdog's observer starts one as soon
        # as it is made), so that a large practice without a cache is built on every core
        # (forking is unsafe once threads run). A save made meanwhile is caught by
        # a full build as soon as the observer runs; that one says nothing when it finds nothing new.
        first = build_once()
        # A folder moved away and back (clients/) makes watchdog's inotify observer warn once per
        # sub-folder it watches again; it keeps watching correctly, so the warnings are noise.
        warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning,
                                module="watchdog")
        observer = PollingObserver(timeout=0.5) if poll else Observer()
        observer.schedule(_event_handler(root, lambda: tuple(outputs), on_change), str(root), recursive=True)
        observer.start()
        with lock:
            pending = None  # read everything
        build_once(quiet_if_like=first)
        if tell_changes:
            from goalbook.build import warm_up

            warm_up()
        rebuilder.start()
        while not stop.wait(0.25):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if observer is not None:
            observer.stop()
        rebuilder.stop()
        if observer is not None and observer.is_alive():
            observer.join(5)
        session.close()


def report_build(result: Any, root: Path, *, stream: Any = None) -> None:
    """Print one build's outcome: a line when it worked, the problems (as `check` prints them) when not."""
    from goalbook import checks

    stream = stream or sys.stderr
    problems = list(getattr(result, "problems", []) or [])
    stamp = time.strftime("%H:%M:%S")  # terminal only: tells one rebuild from the next
    if getattr(result, "ok", False):
        pages = getattr(result, "pages", 0)
        count = pages if isinstance(pages, int) else len(pages)
        warnings = sum(not p.is_error for p in problems)
        note = f", {warnings} warning{'s' if warnings != 1 else ''} (see `goalbook check`)" if warnings else ""
        click.echo(f"[{stamp}] book built: {count} pages in {getattr(result, 'seconds', 0):.2f} s{note}",
                   file=stream)
        return
    errors = [p for p in problems if p.is_error]
    click.echo(checks.format_report(errors, root, colour=checks.use_colour(stream)), file=stream, nl=False)
    click.echo(f"[{stamp}] not rebuilt: {len(errors)} error{'s' if len(errors) != 1 else ''} above; "
               "the last good book is kept. Fix and save again.", file=stream)
