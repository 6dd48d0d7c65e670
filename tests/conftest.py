"""Shared fixtures: throw-away practices written from inline YAML, and a copy of the example."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example-practice"

MINIMAL_SETTINGS = """\
name: Test Practice
clinicians:
  - id: tc
    name: Test Clinician
today: 2026-03-31
"""


@pytest.fixture
def make_practice(tmp_path):
    """``make_practice({"clients/ab/client.yaml": "..."})`` → a practice folder.

    Text is dedented; ``goalbook.yaml`` gets a minimal default unless given.
    """

    def make(files: dict[str, str] | None = None, root: Path | None = None) -> Path:
        root = root or tmp_path / "practice"
        files = dict(files or {})
        files.setdefault("goalbook.yaml", MINIMAL_SETTINGS)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """A private copy of example-practice/ (without any built book or cache) to break or build."""
    dest = tmp_path / "example"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("_book", ".goalbook-cache"))
    return dest


# --- The book's golden files (tests/golden/): `pytest --update-golden` rewrites them. -------------


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden"))


GOLDEN_PRACTICE = REPO / "tests" / "golden" / "practice"


@pytest.fixture
def small_practice(tmp_path) -> Path:
    """A copy of the book's small fixed practice (tests/golden/practice), outside any git repository."""
    dest = tmp_path / "small"
    shutil.copytree(GOLDEN_PRACTICE, dest, ignore=shutil.ignore_patterns("_book", ".goalbook-cache"))
    return dest
