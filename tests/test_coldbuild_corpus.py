"""Every broken practice of tests/data/bad (alias bombs, 100,000-deep nesting, binary files,
symlink loops, …) built through the cold build's workers (coldbuild.py): the same problems and the
same book as in one process, never an exception, nothing left beside the book."""

from __future__ import annotations

import os
import threading
import time

import pytest
from test_bad_corpus import CASES
from test_coldbuild import one_process, tree

from goalbook import build, cache, coldbuild

if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
    pytest.skip("the cold build's workers need fork, two cores and no other threads", allow_module_level=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_workers_report_what_one_process_reports(tmp_path, monkeypatch, name):
    monkeypatch.delenv("GOALBOOK_NO_CACHE", raising=False)
    monkeypatch.setattr(coldbuild, "MIN_CLIENTS", 1)  # the corpus practices have one client
    cache.forget()
    root = CASES[name].build(tmp_path / "practice")
    time.sleep(0.03)
    expected = one_process(root, tmp_path / "one", monkeypatch)
    cache.forget()
    result = build.build_book(root, tmp_path / "two")
    assert result.problems == expected.problems
    assert result.ok == expected.ok
    if expected.ok:
        assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    cache.forget()
