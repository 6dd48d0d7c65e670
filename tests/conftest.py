"""Shared fixtures: throw-away practices written from inline YAML, and a copy of the example.

No test writes into the source tree or the user's own folders: goalbook's user cache and config
folders point into a temporary folder for the whole session (set here, before any test or
subprocess starts), a test that builds or checks the example practice uses a copy of it, and
``source_tree_unchanged`` fails the session if any file in the repository appeared or changed.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example-practice"

_USER_FOLDERS = tempfile.mkdtemp(prefix="goalbook-tests-")
atexit.register(shutil.rmtree, _USER_FOLDERS, ignore_errors=True)
for _name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
    os.environ[_name] = os.path.join(_USER_FOLDERS, _name.lower())

# Tools' own caches, not the project's files.
_TOOL_CACHES = ("__pycache__/", ".pytest_cache/", ".hypothesis/", ".ruff_cache/", ".venv/", ".egg-info/")


def _source_tree_state() -> dict[str, tuple[str, int, int]]:
    """Every changed, untracked or ignored file of the repository: git's status, size and mtime."""
    try:
        out = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "-z", "--ignored",
                              "--untracked-files=all"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}  # not a git checkout (an unpacked sdist): nothing to compare against
    state = {}
    for entry in out.split("\0"):
        path = entry[3:]
        if not path or any(part in path for part in _TOOL_CACHES):
            continue
        try:
            st = os.lstat(REPO / path)
            state[path] = (entry[:2], st.st_size, st.st_mtime_ns)
        except OSError:
            state[path] = (entry[:2], -1, -1)
    return state


@pytest.fixture(scope="session", autouse=True)
def source_tree_unchanged(request):
    """The suite leaves the repository as it found it (no cache, book or artifact written into it);
    `--update-golden` may rewrite tests/golden/ and nothing else."""
    allowed = ("tests/golden/",) if request.config.getoption("--update-golden") else ()
    before = _source_tree_state()
    yield
    after = _source_tree_state()
    changed = sorted(path for path in before.keys() | after.keys()
                     if before.get(path) != after.get(path) and not path.startswith(allowed))
    assert not changed, f"tests wrote into the source tree: {changed[:20]}"


@pytest.fixture(scope="session")
def example_practice(tmp_path_factory) -> Path:
    """One copy of example-practice/ for the session, for tests that only read, check or load it."""
    dest = tmp_path_factory.mktemp("example-practice") / "example-practice"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("_book", ".goalbook-cache"))
    return dest

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


# --- Headless Chromium for the browser tests: Debian's own, never a downloaded one.

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("GOALBOOK_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here but cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
