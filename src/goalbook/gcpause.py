"""Python's cyclic garbage collector, paused while a build or a check runs.

A large practice loads hundreds of thousands of small objects; each automatic collection walked
all of them again (a noticeable part of a cold build, and in forked workers it also touched every page
inherited from the parent). goalbook's data has almost no reference cycles (a one-edit rebuild
of 1,000 clients leaves about ten unreachable objects), so reference counting frees what is
dropped.

What a build leaves behind is mostly long-lived (the caches a `watch` keeps), so when the pause
ends it is frozen (``gc.freeze``): re-enabling the collector then does not walk 200,000 young
objects at once (~40 ms, paid by every `build` for nothing, since the process ends). A long
running process calls ``tidy()`` when idle, which hands them back to the collector and collects,
so no garbage is kept for good.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Within this block the cyclic collector does not run (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def tidy() -> None:
    """Collect what earlier builds left frozen (`watch`, between builds)."""
    gc.unfreeze()
    gc.collect()
