"""Python's cyclic garbage collector, paused while a build or a check runs (issue 6).

A large practice loads hundreds of thousands of small objects that live until the build ends;
each automatic collection walks all of them again (≈ 10 % of a cold build, and in forked workers
it also touches every page inherited from the parent). goalbook's data has no reference cycles
to speak of, so reference counting frees what is dropped; the collector runs again afterwards.
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
            gc.enable()
