"""A practice received from someone else cannot make goalbook run a command: every knob of
``.git/config`` that names one is set to a script that leaves a mark, then `build`, `build
--as-of`, `check` and `log` run as a therapist runs them, and the mark must not appear."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

HOOKS = ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc",
         "fsmonitor-watchman", "post-rewrite", "pre-push", "post-merge")


def git(root: Path, *args: str, date: str = "2026-03-01T10:00:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "LC_ALL": "C",
           "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(root), "-c", "user.name=Robin Vale", "-c",
                           "user.email=robin@example.invalid", "-c", "commit.gpgsign=false",
                           "-c", "core.hooksPath=/dev/null", *args],
                          check=True, capture_output=True, env=env)
    return done.stdout.decode()


def goalbook(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "goalbook", *args], cwd=root, capture_output=True, text=True,
                          check=False, timeout=300, env={**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg")})


@pytest.fixture
def received(small_practice: Path, tmp_path: Path):
    """A practice with history (two commits), and a script that marks ``tmp_path/ran`` when run."""
    root = small_practice
    (root / ".gitignore").write_text("_book/\n.goalbook-cache/\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Start the record")
    goals = root / "clients/ab/goals.yaml"
    goals.write_text(goals.read_text() + "\n")
    git(root, "commit", "-q", "-am", "A blank line", date="2026-03-20T10:00:00")
    mark = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> {mark}\ncat "$@" 2>/dev/null\nexit 0\n')
    script.chmod(0o755)
    return root, str(script), mark


def every_command(root: Path) -> list[subprocess.CompletedProcess]:
    session = root / "clients/ab/sessions/2026-03-16.yaml"
    os.utime(session)  # a stat change without a content change: status compares the file again
    return [goalbook(root, "build"), goalbook(root, "build", "--as-of", "2026-03-10", "--today", "2026-03-31",
                                                      "-o", str(root / "then")),
            goalbook(root, "check"), goalbook(root, "log", "ab")]


def assert_nothing_ran(root: Path, mark: Path) -> None:
    runs = every_command(root)
    assert not mark.exists(), mark.read_text()
    assert [r.returncode for r in runs[:3]] == [0, 0, 0], [r.stderr for r in runs]
    assert "Robin Vale" in runs[3].stdout, runs[3].stderr


def test_core_fsmonitor(received):
    root, script, mark = received
    git(root, "config", "core.fsmonitor", script)
    assert_nothing_ran(root, mark)


def test_pagers(received):
    root, script, mark = received
    for key in ("core.pager", "pager.log", "pager.status", "pager.cat-file", "pager.ls-tree", "pager.rev-parse"):
        git(root, "config", key, script)
    assert_nothing_ran(root, mark)


def test_diff_drivers_and_textconv(received):
    root, script, mark = received
    (root / ".gitattributes").write_text("*.yaml diff=evil\n")
    git(root, "add", ".gitattributes")
    git(root, "commit", "-q", "-m", "attributes", date="2026-03-21T10:00:00")
    git(root, "config", "diff.evil.textconv", script)
    git(root, "config", "diff.evil.command", script)
    git(root, "config", "diff.external", script)
    assert_nothing_ran(root, mark)


def test_clean_and_smudge_filters(received):
    root, script, mark = received
    (root / ".gitattributes").write_text("*.yaml filter=evil\n")
    git(root, "add", ".gitattributes")
    git(root, "commit", "-q", "-m", "attributes", date="2026-03-21T10:00:00")
    for part in ("clean", "smudge", "process"):
        git(root, "config", f"filter.evil.{part}", script)
    assert_nothing_ran(root, mark)


def test_hooks(received):
    root, script, mark = received
    hooks = root.parent / "their-hooks"
    hooks.mkdir()
    for name in HOOKS:
        shutil.copy2(script, hooks / name)
        shutil.copy2(script, root / ".git" / "hooks" / name)
    git(root, "config", "core.hooksPath", str(hooks))
    assert_nothing_ran(root, mark)
    git(root, "config", "--unset", "core.hooksPath")
    assert_nothing_ran(root, mark)


def test_aliases(received):
    root, script, mark = received
    for name in ("status", "log", "cat-file", "ls-tree", "rev-parse", "config"):
        git(root, "config", f"alias.{name}", f"!{script}")
    assert_nothing_ran(root, mark)


def test_signature_checker(received):
    """log.showSignature makes `git log` run gpg.program on every signed commit."""
    root, script, mark = received
    head = git(root, "cat-file", "commit", "HEAD")
    header, _, message = head.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----"
    signed = f"{header}\n{signature}\n\n{message}"
    sha = subprocess.run(["git", "-C", str(root), "hash-object", "-t", "commit", "-w", "--stdin"],
                         input=signed.encode(), capture_output=True, check=True).stdout.decode().strip()
    git(root, "update-ref", "HEAD", sha)
    git(root, "config", "log.showSignature", "true")
    git(root, "config", "gpg.program", script)
    assert_nothing_ran(root, mark)


def test_ssh_command_of_a_partial_clones_lazy_fetch(received):
    """A partial clone fetches a missing object on demand, through core.sshCommand."""
    root, script, mark = received
    git(root, "config", "core.repositoryformatversion", "1")
    git(root, "config", "extensions.partialClone", "origin")
    git(root, "config", "remote.origin.url", "ssh://example.invalid/practice.git")
    git(root, "config", "remote.origin.promisor", "true")
    git(root, "config", "core.sshCommand", script)
    git(root, "config", "protocol.ssh.allow", "always")
    # the first version of the goals file, which the audit trail reads, is no longer here
    old = git(root, "rev-parse", "HEAD~1:clients/ab/goals.yaml").strip()
    (root / ".git" / "objects" / old[:2] / old[2:]).unlink()
    runs = every_command(root)
    assert not mark.exists(), mark.read_text()
    assert "Traceback" not in "".join(r.stderr for r in runs)
