"""A cold build of a large practice, on both cores from the first file to the last page (issue 6).

A build with nothing cached reads, checks, analyses and renders every client, and each client's
work depends only on its own files and the practice-wide settings. So before the ordinary build
runs, two forked workers take the clients that the cache knows nothing of and do all of it for
each: they list the client's folder, write its cache file (as any build would) and its page (into
a private folder beside the book), and hand back what belongs in the practice-wide records — the
client's line of the cache index, its checks' problems, its page key and caseload row. The
ordinary build that follows then finds every client known, as a rebuild with nothing changed
does, renders the caseload and moves the pages into the new book. The book is byte for byte the
one a build in one process writes (tests/test_coldbuild.py compares them).

Only where forking is safe (no threads, so not inside `watch`), with two or more cores, with the
cache on, and for at least ``MIN_CLIENTS`` unknown clients; otherwise nothing happens here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from goalbook import cache, checkcache, load, output, pagecache
from goalbook.errors import GoalbookError
from goalbook.problems import has_errors

MIN_CLIENTS = 48  # below this a second process costs more than it saves
CHUNK = 8  # clients per task: small enough that both workers finish together


@dataclass
class Page:
    """A client page a worker rendered, valid while the client's page key is ``key``."""

    key: str
    path: str  # in the book, e.g. clients/ana-r.html
    data: bytes | output.Prepared  # the page, or where the worker wrote it
    record: pagecache.Record


@dataclass
class Warmed:
    repo: Any  # the audit's repository state and history lookup, read once for both passes
    histories: Callable[[str], Any]
    pages: dict[str, Page] = field(default_factory=dict)  # client id → page
    clients: int = 0  # how many clients the workers did
    folder: str | None = None  # where they wrote the pages: a private folder beside the book

    def discard(self) -> None:
        """Remove what the book did not take (all of it when the build found errors)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def warm_up(root: Path, out: Path | None, *, today: date | None, as_of: str | None, history_root: Path | None,
            history_rev: str, progress: Callable[[int, int], None] | None = None) -> Warmed | None:
    """Do the per-client work of a cold build on both cores (see the module's docstring)."""
    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    found = cache.practice_cache(root)
    if found is None:
        return None
    # First a cheap look (one listing, the index the build reads anyway): is enough unknown?
    index = found.read_index()
    try:
        names = os.listdir(Path(root) / load.CLIENTS)
    except OSError:
        return None
    if sum(f"{load.CLIENTS}/{name}" not in index for name in names) < MIN_CLIENTS:
        return None
    loaded = load.load_settings(Path(root), today=today)
    if loaded.practice is None:
        return None
    folders = load.client_folder_names(Path(root), loaded.practice.output)
    unknown = [n for n in folders if f"{load.CLIENTS}/{n}" not in index]
    if len(unknown) < MIN_CLIENTS:
        return None

    from goalbook import build

    repo, histories = build.audit_state(history_root or Path(root), history_rev, as_of is not None)
    build.prepare_templates()  # loaded once here rather than once in each worker
    book = Path(out) if out is not None else build.default_output(history_root or Path(root), loaded.practice)
    warmed = Warmed(repo, histories, folder=_page_folder(book, history_root or Path(root)))
    global _job
    _job = _Job(loaded, found, repo, histories, as_of, unknown, warmed.folder)
    memo = checkcache.memo_for(root)
    total = len(folders) + 1  # as the ordinary build counts: every client, then the caseload
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            chunks = [(i, min(i + CHUNK, len(unknown))) for i in range(0, len(unknown), CHUNK)]
            for results in pool.map(_warm_chunk, chunks):
                for folder, listed, checked, page in results:
                    if listed is not None:
                        index[folder] = listed
                        found.index_dirty = True
                    if checked is not None and memo is not None:
                        memo.put(folder, checked[0], checked[1])
                    if page is not None:
                        warmed.pages[page[0]] = page[1]
                    warmed.clients += 1
                if progress:
                    progress(warmed.clients, total)
    except BaseException:
        warmed.discard()
        raise
    finally:
        _job = None
    return warmed


def _page_folder(book: Path, practice_root: Path) -> str | None:
    """A private folder beside the book for the workers' pages (renamed into the book later, so
    on the same file system); None where the book may not go, or its parent does not exist yet:
    the pages then travel back to this process."""
    try:
        output.check_output_location(book, practice_root)
        real = output.book_folder(book)  # beside where a linked book really is, never inside the practice
        folder = tempfile.mkdtemp(prefix=f".{real.name}.pages-", dir=real.parent)
        os.chmod(folder, 0o700)
        return folder
    except (GoalbookError, OSError):
        return None


@dataclass
class _Job:
    loaded: load.LoadResult
    found: cache.FileCache
    repo: Any
    histories: Callable[[str], Any]
    as_of: str | None
    names: list[str]  # the client folders to do
    pages: str | None  # where to write the pages (None: hand them back)
    check_base: str = ""
    page_base: str = ""

    def __post_init__(self) -> None:
        assert self.loaded.practice is not None
        self.check_base = checkcache.practice_key(self.loaded)
        self.page_base = pagecache.practice_key(self.loaded.practice, repo=self.repo, as_of=self.as_of)

    def one(self, name: str) -> tuple[str, Any, tuple[str | None, list[Any]] | None, tuple[str, Page] | None]:
        """In a worker: list, load, check and render one client folder, as the ordinary build would."""
        from goalbook import build, checks

        root = self.loaded.root
        folder = load.scan_client_folder(root, name)
        files = load.client_files(folder)
        loaded_client = load.load_client(folder)
        cache.remember_client(root, files, loaded_client, dirs=folder.dirs)
        client, sources, problems, _ = loaded_client
        checked = page = None
        if client is not None:
            alone = replace(self.loaded, clients={sources.folder: sources})
            found = checks.client_problems(alone, [client])
            key = checkcache.client_key(self.check_base, root, client, sources)
            checked = (key if checks.problems_by_folder(found, [client.folder]) is not None else None, found)
            if not has_errors(problems) and not has_errors(found):
                history, dirty = self.histories(client.id), build.client_dirty(self.repo, client.id)
                key = pagecache.client_key(self.page_base, root, client, history=history, dirty=dirty)
                if key is not None:
                    renderer = build.renderer(self.loaded.practice, self.repo, self.as_of)
                    cid, path, data, record, _ = renderer.one((client, history, dirty, key))
                    page = (cid, Page(key, path, self.keep(cid, data), record))
        self.found.save_shard(sources.folder)  # after the checks: positions they found are kept too
        return sources.folder, self.found.read_index().get(sources.folder), checked, page

    def keep(self, client_id: str, data: bytes) -> bytes | output.Prepared:
        """The page, written to the pages folder when there is one (no trip back through a pipe)."""
        if self.pages is None:
            return data
        path = os.path.join(self.pages, f"{client_id}.html")
        try:
            output.write_page(path, data)
        except OSError:
            return data
        return output.Prepared(path, len(data))


# What a forked worker works on: inherited from the parent at fork, never pickled.
_job: _Job | None = None


def _warm_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _job is not None
    return [_job.one(name) for name in _job.names[bounds[0]:bounds[1]]]
