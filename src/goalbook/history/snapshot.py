"""The practice as it stood at a commit or a date, read from git into a temporary folder.

Only objects are read (``ls-tree`` + ``cat-file --batch``): the working tree, the index and HEAD
are never touched, so an as-of build is safe in the middle of someone's edits.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from goalbook.errors import GoalbookError
from goalbook.history import gitrepo
from goalbook.records.locate import SETTINGS_FILE
from goalbook.records.today import parse_date

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AsOf:
    commit: str  # full hash
    label: str  # what the user asked for, e.g. "2025-11-30" or "a1b2c3d"


def resolve_as_of(root: Path, when: str) -> AsOf:
    """The commit meant by ``when``: a date (last first-parent commit on or before that day) or any rev."""
    root = Path(root)
    if gitrepo.find_repo(root) is None:
        reason = gitrepo.why_not_repo(root)
        raise GoalbookError(f"--as-of needs history, but {reason}",
                            hint=gitrepo.setup_hint(reason) + ", or build without --as-of")
    when = when.strip()
    if DATE.match(when):
        if parse_date(when) is None:
            raise GoalbookError(f"--as-of {when}: there is no such day", hint="write the date as YYYY-MM-DD")
        if gitrepo.head(root) is None:
            raise GoalbookError(f"nothing was recorded on or before {when}: the repository has no commits yet")
        # Committer dates in each commit's own time zone: the day the change entered the record.
        for commit, day in gitrepo.first_parent_dates(root):
            if day <= when:
                return AsOf(commit, when)
        raise GoalbookError(f"nothing was recorded on or before {when}: the first commit is later",
                            hint="pick a later date, or see the dates with `goalbook log CLIENT`")
    commit = gitrepo.resolve_commit(root, when)
    if commit is None:
        raise GoalbookError(f"--as-of {when}: this is neither a date (YYYY-MM-DD) nor a commit in this repository",
                            hint="use a date such as 2025-11-30, or a commit id shown by `goalbook log CLIENT`")
    return AsOf(commit, when)


@contextmanager
def checkout_as_of(root: Path, when: str) -> Iterator[Path]:
    """A temporary folder holding the practice exactly as it stood then; removed afterwards."""
    root = Path(root)
    as_of = resolve_as_of(root, when)
    repo = gitrepo.find_repo(root)
    assert repo is not None  # resolve_as_of checked
    files = gitrepo.tree_files(root, repo, as_of.commit)
    if not any(path == SETTINGS_FILE for _, _, path in files):
        raise GoalbookError(f"--as-of {when}: the practice did not exist yet in commit {as_of.commit[:7]}",
                            hint="pick a later date or commit")
    folder = Path(tempfile.mkdtemp(prefix="goalbook-as-of-"))  # created owner-only
    try:
        _write_files(root, folder, files)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_files(root: Path, folder: Path, files: list[tuple[str, str, str]]) -> None:
    wanted = [(sha, path) for mode, sha, path in files
              if mode in gitrepo.REGULAR_MODES and _safe(path)]  # symlinks are never followed out
    blobs = gitrepo.read_blobs(root, (sha for sha, _ in wanted))
    for sha, path in wanted:
        target = folder.joinpath(*PurePosixPath(path).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[sha])
        target.chmod(0o600)


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and not any(p in ("", ".", "..") for p in parts)
