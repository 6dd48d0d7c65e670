"""The only module that runs git.

Every call is ``git -C <practice> -c core.quotepath=off …`` with a C locale, no pager, no prompts
and no optional locks, so output is parseable, nothing waits for a terminal, and reading never
rewrites the index behind the therapist's back. Paths handed out are *practice-relative*: the
practice may be a sub-folder of the repository.

A practice can come from someone else (a copy, an archive, a clone), and its ``.git/config`` can
name commands git would run: a file-system monitor, a pager, hooks, diff and filter drivers, a
signature checker, an ssh command for a partial clone's lazy fetch. No git call of goalbook's may
run any of them: each is switched off on the command line (``SAFE_CONFIG``), which wins over every
configuration file, and the system-wide file is not read at all.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from goalbook.errors import GoalbookError

NULL_SHA = "0" * 40
# Where a practice keeps its records (practice-relative): what the book shows comes from here.
RECORD_PATHS = ("clients/", "instruments/", "goalbook.yaml", "goalbook.yml")
# Entries of ``git log --raw`` with these modes are ordinary files; others (symlinks 120000,
# submodules 160000) are never read as records.
REGULAR_MODES = ("100644", "100755")

# Variables that would point git at another repository or index than the practice's own
# (a git hook sets them, for instance).
_REDIRECTING_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR",
                    # and variables that name a command for git to run
                    "GIT_EXTERNAL_DIFF", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND", "GIT_ASKPASS",
                    "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT")

# Configuration that would make git run a command, switched off for every call. ``-c`` wins over
# the repository's own config; hooks go nowhere; no transport is allowed, so a partial clone's
# lazy fetch of a missing object cannot start ssh or a remote helper.
SAFE_CONFIG = (
    "core.quotepath=off",
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.sshCommand=false",
    "core.gitProxy=",
    "core.askPass=",
    "core.editor=false",
    "credential.helper=",
    "protocol.allow=never",
    "diff.external=",
    "log.showSignature=false",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "status.submoduleSummary=false",
    "submodule.recurse=false",
    "diff.ignoreSubmodules=all",
)


class GitError(GoalbookError):
    """git ran but failed in a way we did not expect; the message carries git's own words."""


@dataclass(frozen=True)
class Repo:
    """Where the practice sits in its repository."""

    toplevel: Path
    prefix: str  # the practice folder relative to the top, "" or ending in "/", e.g. "example-practice/"

    def relative(self, top_path: str) -> str | None:
        """A top-relative path as practice-relative, or None when it lies outside the practice."""
        if not top_path.startswith(self.prefix):
            return None
        return top_path[len(self.prefix):]


@dataclass(frozen=True)
class FileChange:
    """One line of ``git log --raw``: what happened to one file in one commit."""

    status: str  # A added, M modified, D deleted, R renamed, C copied, T type changed
    old_path: str | None  # practice-relative; None when added
    new_path: str | None  # practice-relative; None when deleted
    old_blob: str | None
    new_blob: str | None
    old_mode: str = ""
    new_mode: str = ""


@dataclass(frozen=True)
class LogCommit:
    commit: str
    parents: tuple[str, ...]
    author: str
    date: str  # author date in the author's own time zone, "YYYY-MM-DD HH:MM"
    subject: str
    changes: tuple[FileChange, ...]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTING_ENV}
    env.update(
        LC_ALL="C", LANG="C", LANGUAGE="", GIT_PAGER="cat", PAGER="cat",
        GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_ADVICE="0",
        GIT_CONFIG_NOSYSTEM="1", GIT_PROTOCOL_FROM_USER="0",
    )
    return env


def _command(root: Path, args: Iterable[str], extra: Iterable[str] = (), keep_hooks: bool = False) -> list[str]:
    chosen = [item for item in SAFE_CONFIG if not (keep_hooks and item.startswith("core.hooksPath="))]
    safe = [arg for item in (*chosen, *extra) for arg in ("-c", item)]
    return ["git", "-C", str(root), *safe, "--no-pager", *args]


def _no_filters(root: Path) -> list[str]:
    """``-c`` settings that switch off every clean/smudge filter the repository configures (git
    runs a file's clean filter from ``status`` to compare it with the index)."""
    done = subprocess.run(_command(root, ["config", "-z", "--name-only", "--get-regexp", r"^filter\."]),
                          check=False, capture_output=True, env=_env(), stdin=subprocess.DEVNULL)
    names = set()
    for key in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if key.count(".") >= 2:
            names.add(key[len("filter."):key.rindex(".")])
    return [f"filter.{name}.{part}=" for name in sorted(names) for part in ("clean", "smudge", "process")] + \
        [f"filter.{name}.required=false" for name in sorted(names)]


def run(root: Path, *args: str, input: bytes | None = None, check: bool = True,
        extra_config: Iterable[str] = (), keep_hooks: bool = False) -> bytes:
    """Run one git command in ``root`` and return its stdout; a ``GitError`` when it fails."""
    try:
        done = subprocess.run(
            _command(root, args, extra_config, keep_hooks), check=False, input=input, capture_output=True, env=_env(),
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git is not installed, so there is no audit trail",
                       hint="install git (https://git-scm.com) to keep the history of your records") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout


def find_repo(root: Path) -> Repo | None:
    """The repository holding ``root``, or None (not a repository, git missing, or git refuses it)."""
    if not _inside_a_work_tree(root):
        return None  # no git process started for nothing
    try:
        out = run(root, "rev-parse", "--show-toplevel", "--show-prefix", check=False)
    except GitError:
        return None
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) < 1 or not lines[0]:
        return None
    prefix = lines[1] if len(lines) > 1 else ""
    return Repo(toplevel=Path(lines[0]), prefix=prefix)


def _inside_a_work_tree(root: Path) -> bool:
    """Whether ``root`` or a folder above it has a ``.git`` (a folder, or a file as in worktrees
    and submodules): without one git finds no work tree either, since we run it with the
    variables that could point it elsewhere (GIT_DIR, …) removed."""
    folder = os.path.abspath(root)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def why_not_repo(root: Path) -> str:
    """A plain sentence saying why ``root`` has no audit trail."""
    try:
        done = subprocess.run(_command(root, ["rev-parse", "--show-toplevel"]), check=False, capture_output=True,
                              env=_env(), stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return "git is not installed, so there is no audit trail"
    if done.returncode == 0:
        return ""
    reason = done.stderr.decode("utf-8", "replace")
    if "dubious ownership" in reason:
        return "git refuses this folder because another user owns it, so there is no audit trail"
    return "this practice is not in a git repository, so there is no audit trail"


def setup_hint(reason: str) -> str:
    """What to do about a reason given by ``why_not_repo``."""
    if "not installed" in reason:
        return "install git (https://git-scm.com), then commit your practice to keep its history"
    return "put the practice under git (`git init`, `git add .`, `git commit`) to keep an audit trail"


def hooks_folder(root: Path) -> Path:
    """Where the repository's hooks live (its own ``core.hooksPath`` when it sets one): asked
    with hooks left where the repository keeps them, for installing the pre-commit hook."""
    out = run(root, "rev-parse", "--git-path", "hooks", keep_hooks=True)
    return Path(out.decode().strip())


def resolve_commit(root: Path, rev: str) -> str | None:
    """The full hash of ``rev`` as a commit, or None when it names no commit."""
    if not rev or rev.startswith("-"):  # never let a "revision" be read as an option
        return None
    out = run(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    sha = out.decode().strip()
    return sha or None


def head(root: Path) -> str | None:
    """The full hash of HEAD, or None in a repository without commits."""
    return resolve_commit(root, "HEAD")


def dirty_paths(root: Path, repo: Repo) -> list[str]:
    """Practice-relative paths with uncommitted changes, untracked files included, sorted."""
    out = run(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
              "--ignore-submodules=all", "--ignored=matching", "--", ".", extra_config=_no_filters(root))
    paths = set()
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if len(record) > 3:
            rel = repo.relative(record[3:])
            # An ignored record is still not committed; an ignored book or cache is no record.
            if rel is not None and (not record.startswith("!!") or rel.startswith(RECORD_PATHS)):
                paths.add(rel)
    return sorted(paths)


def log(root: Path, repo: Repo, rev: str, *pathspec: str) -> list[LogCommit]:
    """Non-merge commits reachable from ``rev`` touching ``pathspec``, newest first, in one pass.

    ``--raw`` gives the blob ids of both sides of every change, so every version of a file can be
    read later with one ``cat-file --batch`` instead of one process per file per commit.
    """
    fmt = "%x1e%H%x1f%P%x1f%an%x1f%ad%x1f%s"
    out = run(root, "log", "-z", "--raw", "--no-abbrev", "-M", "--no-merges", "--no-textconv", "--no-ext-diff",
              "--no-show-signature", f"--format={fmt}",
              "--date=format:%Y-%m-%d %H:%M", "--end-of-options", rev, "--", *pathspec)
    commits = []
    for chunk in out.decode("utf-8", "surrogateescape").split("\x1e")[1:]:
        header, _, body = chunk.partition("\0")
        sha, parents, author, date, subject = header.split("\x1f", 4)
        commits.append(LogCommit(sha, tuple(parents.split()), author, date, subject,
                                 tuple(_raw_changes(body.lstrip("\n"), repo))))
    return commits


def _raw_changes(body: str, repo: Repo) -> Iterator[FileChange]:
    fields = body.split("\0")
    i = 0
    while i < len(fields):
        meta = fields[i]
        if not meta.startswith(":"):
            i += 1
            continue
        old_mode, new_mode, old_sha, new_sha, status = meta[1:].split(" ", 4)
        kind = status[:1]
        if kind in "RC":
            src, dst = fields[i + 1], fields[i + 2]
            i += 3
        else:
            src = dst = fields[i + 1]
            i += 2
        old_rel, new_rel = repo.relative(src), repo.relative(dst)
        yield FileChange(
            status=kind,
            old_path=None if kind == "A" else old_rel,
            new_path=None if kind == "D" else new_rel,
            old_blob=None if old_sha == NULL_SHA else old_sha,
            new_blob=None if new_sha == NULL_SHA else new_sha,
            old_mode=old_mode, new_mode=new_mode,
        )


def read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """The content of many objects at once (one ``cat-file --batch`` process)."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    out = run(root, "cat-file", "--batch", input=("\n".join(wanted) + "\n").encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode().split()
        pos = end + 1
        if len(header) < 3 or header[1] == "missing":
            continue
        size = int(header[2])
        blobs[sha] = out[pos:pos + size]
        pos += size + 1  # the object is followed by a newline
    return blobs


def tree_files(root: Path, repo: Repo, commit: str) -> list[tuple[str, str, str]]:
    """(mode, blob, practice-relative path) of every file of the practice folder in ``commit``."""
    spec = f"{commit}:{repo.prefix}" if repo.prefix else f"{commit}^{{tree}}"
    out = run(root, "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", spec, check=False)
    files = []
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        if not record:
            continue
        meta, _, path = record.partition("\t")
        mode, kind, sha = meta.split(" ")
        if kind == "blob":
            files.append((mode, sha, path))
    return files


def first_parent_dates(root: Path, rev: str = "HEAD") -> list[tuple[str, str]]:
    """(commit, committer date as YYYY-MM-DD in its own time zone) along first-parent history, newest first."""
    out = run(root, "log", "--first-parent", "--no-show-signature", "--format=%H %cd", "--date=format:%Y-%m-%d",
              "--end-of-options", rev, "--")
    pairs = []
    for line in out.decode().splitlines():
        sha, _, day = line.partition(" ")
        pairs.append((sha, day))
    return pairs
