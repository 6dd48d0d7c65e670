"""Compiled templates kept between processes: in the user's own cache folder, owner-only,
never in the practice, and the pages are byte for byte the same with or without them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from goalbook import build

REPO = Path(__file__).resolve().parent.parent


def render_in_new_process(practice: Path, out: Path, xdg: Path, no_cache: bool = False) -> dict[str, bytes]:
    env = {**os.environ, "XDG_CACHE_HOME": str(xdg)}
    env.pop("GOALBOOK_NO_CACHE", None)
    if no_cache:
        env["GOALBOOK_NO_CACHE"] = "1"
    code = "import sys; from pathlib import Path; from goalbook.build import build_book; " \
           "r = build_book(Path(sys.argv[1]), Path(sys.argv[2])); sys.exit(0 if r.ok else 1)"
    subprocess.run([sys.executable, "-c", code, str(practice), str(out)], check=True, env=env, cwd=REPO)
    # the book's manifest names the folder it belongs to, so only the pages are compared
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".goalbook-book"}


def test_compiled_templates_are_kept_owner_only_outside_the_practice(small_practice, tmp_path):
    xdg = tmp_path / "xdg"
    first = render_in_new_process(small_practice, tmp_path / "one", xdg)
    folder = next((xdg / "goalbook").iterdir())
    kept = list(folder.iterdir())
    assert kept, "the compiled templates were kept"
    for path in [xdg / "goalbook", folder, *kept]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert not list(small_practice.rglob("__jinja2_*")), "never inside the practice"
    # a second process loads them, and writes the same book as one that compiles afresh
    assert render_in_new_process(small_practice, tmp_path / "two", xdg) == first
    assert render_in_new_process(small_practice, tmp_path / "three", tmp_path / "other", no_cache=True) == first


def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "goalbook").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    assert build._template_cache_folder() is None


def test_a_damaged_compiled_template_is_compiled_again(small_practice, tmp_path):
    xdg = tmp_path / "xdg"
    first = render_in_new_process(small_practice, tmp_path / "one", xdg)
    for path in next((xdg / "goalbook").iterdir()).iterdir():
        path.write_bytes(b"\x00garbage")
    assert render_in_new_process(small_practice, tmp_path / "two", xdg) == first


def test_switched_off_with_the_other_caches(small_practice, tmp_path):
    """In a fresh process (the template environment is made once per process), so the outcome
    never depends on which tests ran before."""
    xdg = tmp_path / "xdg"
    render_in_new_process(small_practice, tmp_path / "book", xdg, no_cache=True)
    assert not xdg.exists()
    assert not (small_practice / ".goalbook-cache").exists()
