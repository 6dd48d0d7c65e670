"""One parallel map: the clients that miss the memo, on every core, in forked workers.

The fork guard (the only one in goalbook): fork only where it is safe and worth it — a platform
with ``fork``, two or more cores, no other thread running (a fork copies locks another thread may
hold; so never inside ``watch``/``serve``), and at least ``min_items`` items. Otherwise the map
runs here, in order.

Workers never outlive the build: each asks the kernel to kill it when the parent dies
(``PR_SET_PDEATHSIG`` on Linux), reads its work from a pipe the parent holds (end of file: the
parent is gone, the worker exits), ignores Ctrl-C's SIGINT and leaves that to the parent, and the
parent kills and reaps every worker when the map ends for any reason (an exception, Ctrl-C,
a generator closed early). Work and results travel through pipes; nothing is written to disk.
"""

from __future__ import annotations

import gc
import os
import pickle
import selectors
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 8  # items per message: small enough that the workers finish together
_HEADER = struct.Struct("!Q")


def forking_is_safe(count: int, min_items: int) -> bool:
    return (count >= min_items and hasattr(os, "fork") and (os.cpu_count() or 1) >= 2
            and threading.active_count() == 1)


def parallel_map(fn: Callable[[T], R], items: Sequence[T], *, min_items: int = 48,
                 workers: int | None = None) -> Iterator[R]:
    """``fn(item)`` for each item, yielded in the order of ``items``."""
    if not forking_is_safe(len(items), min_items):
        for item in items:
            yield fn(item)
        return
    yield from _Pool(fn, items, workers or min(os.cpu_count() or 2, 4)).run()


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Pool:
    def __init__(self, fn: Callable[[Any], Any], items: Sequence[Any], count: int) -> None:
        self.fn, self.items = fn, items
        self.chunks = [(i, min(i + CHUNK, len(items))) for i in range(0, len(items), CHUNK)]
        self.count = max(1, min(count, len(self.chunks)))
        self.pids: list[int] = []

    def run(self) -> Iterator[Any]:
        parent = os.getpid()
        gc.collect()
        gc.freeze()  # the parent's objects stay shared with the workers, not copied on write
        workers: dict[int, tuple[int, int]] = {}  # result fd → (pid, task fd)
        selector = selectors.DefaultSelector()
        try:
            for _ in range(self.count):
                task_r, task_w = os.pipe()
                result_r, result_w = os.pipe()
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the worker; it never returns
                    others = [fd for result_fd, (_, task_fd) in workers.items() for fd in (result_fd, task_fd)]
                    self._worker(parent, task_r, result_w, [task_w, result_r, *others])
                self.pids.append(pid)
                os.close(task_r)
                os.close(result_w)
                workers[result_r] = (pid, task_w)
                selector.register(result_r, selectors.EVENT_READ)
            gc.unfreeze()
            done: dict[int, list[Any]] = {}
            pending = iter(range(len(self.chunks)))
            busy: dict[int, int] = {}  # result fd → chunk it works on
            for fd, (_, task_w) in workers.items():
                self._give(fd, task_w, pending, busy)
            next_chunk = 0
            while busy:
                for key, _ in selector.select():
                    fd = key.fd
                    size = _read_exact(fd, _HEADER.size)
                    body = _read_exact(fd, _HEADER.unpack(size)[0]) if size is not None else None
                    if body is None:
                        raise RuntimeError("a worker process ended unexpectedly")
                    ok, value = pickle.loads(body)
                    if not ok:
                        raise value
                    done[busy.pop(fd)] = value
                    self._give(fd, workers[fd][1], pending, busy)
                while next_chunk in done:
                    yield from done.pop(next_chunk)
                    next_chunk += 1
        finally:
            gc.unfreeze()
            selector.close()
            for fd, (_, task_w) in workers.items():
                for f in (fd, task_w):
                    try:
                        os.close(f)
                    except OSError:
                        pass
            self._stop()

    def _give(self, fd: int, task_w: int, pending: Iterator[int], busy: dict[int, int]) -> None:
        index = next(pending, None)
        if index is None:
            return
        busy[fd] = index
        os.write(task_w, struct.pack("!q", index))

    def _stop(self) -> None:
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in self.pids:
            try:
                os.waitpid(pid, 0)
            except (OSError, ChildProcessError):
                pass
        self.pids = []

    def _worker(self, parent: int, task_r: int, result_w: int, inherited: list[int]) -> None:  # pragma: no cover
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            _die_with_parent(parent)
            for fd in inherited:
                try:
                    os.close(fd)
                except OSError:
                    pass
            gc.disable()  # short-lived: reference counting frees what each client leaves
            while True:
                raw = _read_exact(task_r, 8)
                if raw is None:
                    break  # the parent is gone, or done
                start, end = self.chunks[struct.unpack("!q", raw)[0]]
                try:
                    message = (True, [self.fn(item) for item in self.items[start:end]])
                    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # noqa: BLE001 — handed to the parent, which raises it
                    try:
                        body = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
                    except Exception:  # noqa: BLE001
                        body = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
                _write_all(result_w, _HEADER.pack(len(body)) + body)
            code = 0
        finally:
            os._exit(code)

