"""Golden pages: the book of the small fixed practice (tests/golden/practice), byte for byte.

A change in what users see shows up here as a diff in review. After an intended change, rewrite
the golden files with ``pytest tests/test_render_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from goalbook.build import build_book

GOLDEN = Path(__file__).parent / "golden" / "book"
PAGES = ["index.html", "outcomes.html", "clients/ab.html", "clients/cd.html", "share/ab.html"]


@pytest.fixture
def built(small_practice, tmp_path) -> Path:
    out = tmp_path / "book"
    assert build_book(small_practice, out).ok
    assert build_book(small_practice, tmp_path / "book" / "share" / "ab.html", client="ab", share=True).ok
    return out


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(built, page, update_golden):
    actual = (built / page).read_text(encoding="utf-8")
    golden = GOLDEN / page
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    assert golden.is_file(), f"no golden file {golden}: run pytest --update-golden and review it"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{page}", f"built/{page}", n=2))
        pytest.fail(f"{page} differs from its golden file (pytest --update-golden rewrites it):\n{diff[:6000]}")
