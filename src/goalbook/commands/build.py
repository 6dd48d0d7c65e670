"""`goalbook build [DIR] [-o OUT] [--client ID] [--share] [--today D] [--as-of X] [--quiet]`"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from goalbook.commands.options import DateParam, PeriodParam, not_empty, path_not_empty
from goalbook.problems import plural, summary
from goalbook.records.locate import practice_or_fail, relative_to_cwd
from goalbook.records.today import parse_date

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

# Below this many pages a build is quick enough that a bar would only flicker.
PROGRESS_MIN_PAGES = 20


@click.command("build")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(), callback=path_not_empty,
              help="Where to write the book (default: the practice's _book/). With --share: a folder, "
                   "or exactly this file when it ends in .html.")
@click.option("--client", "client_id", metavar="ID", callback=not_empty, help="Build only this client's page.")
@click.option("--share", is_flag=True, help="With --client: one self-contained file for the client, "
                                            "without private notes or clinician-only material.")
@click.option("--today", type=DateParam(), help="Treat this date (YYYY-MM-DD) as today.")
@click.option("--as-of", "as_of", metavar="DATE|COMMIT", callback=not_empty,
              help="Build the record as it stood then, from git; a date is also today's date unless --today says otherwise.")
@click.option("--period", type=PeriodParam(), metavar="START..END",
              help="The period of the outcomes page, e.g. 2026-01-01..2026-06-30 (default: the 12 months up to today).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing unless something is wrong.")
def command(directory: Path | None, out: Path | None, client_id: str | None, share: bool, today: date | None,
            as_of: str | None, period, quiet: bool) -> None:
    """Check the practice, then render the private progress book. Refuses to build while the
    practice has errors (exit 1, problems listed as `check` lists them)."""
    from goalbook import build, checks

    root = practice_or_fail(directory)
    prefix = str(directory) if directory is not None else relative_to_cwd(root)
    if share and not client_id:
        raise click.UsageError("--share needs --client ID: a share file is one client's book")
    bar = PageBar() if not quiet and sys.stderr.isatty() else None  # no bar in a log or a pipe
    snapshot_ctx, when = nullcontext(root), None
    if as_of is not None:
        from goalbook.history import snapshot

        resolved = snapshot.resolve_as_of(root, as_of)
        snapshot_ctx = snapshot.checkout_as_of(root, resolved.commit)
        label = f"{as_of} (commit {resolved.commit[:7]})" if as_of != resolved.commit[: len(as_of)] else f"commit {resolved.commit[:7]}"
        when = build.AsOf(label, root, resolved.commit)
        if today is None:
            # The book as it was that day: alerts, due dates and "as of" are counted from it.
            today = parse_date(as_of.strip())
    with snapshot_ctx as source, _removed_if_killed(source, root if as_of else None):
        request = build.BuildRequest(source, out, client=client_id, share=share, today=today, as_of=when,
                                     period=period)
        try:
            result = build.build_book(request, progress=bar)
        finally:
            if bar:
                bar.close()  # gives the cursor back, even after Ctrl-C
        # Problems are printed exactly as `check` prints them (excerpts read from what was built).
        report = checks.format_report(result.problems, source, prefix=prefix, colour=checks.use_colour(sys.stdout))
    errors = [p for p in result.problems if p.is_error]
    if not result.ok:
        click.echo(report, nl=False)
        click.echo(f"Not built: {plural(len(errors), 'error')} to fix first; the previous book is unchanged.",
                   err=True)
        sys.exit(1)
    if not quiet:
        click.echo(report, nl=False)
        click.echo(summary_line(result))


def _removed_if_killed(snapshot: Path, practice: Path | None) -> Any:
    """--as-of: the record's copy in the temp folder is removed even if this process is killed."""
    if practice is None:
        return nullcontext()
    from goalbook import janitor

    return janitor.watching(None, (snapshot.parent, snapshot.name))


def summary_line(result) -> str:
    """``Built 6 clients, 8 pages, 2 warnings in 0.41 s → _book/`` (a built book has no errors)."""
    errors, warnings = summary(result.problems)
    found = [plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    where = _shown_path(result.out)
    return (f"Built {plural(result.clients, 'client')}, {plural(result.pages, 'page')}, "
            f"{', '.join(found) or 'no problems'} in {result.seconds:.2f} s → {where}")


def _shown_path(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        rel = os.path.relpath(path, Path.cwd())
    except ValueError:
        rel = str(path)
    shown = rel if not rel.startswith("../../") else str(path)
    return shown + ("/" if path.suffix.lower() != ".html" else "")


class PageBar:
    """click's progress bar of the pages built, drawn on ``file`` (stderr) for long builds only."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.file = file
        self.bar: ProgressBar[int] | None = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN_PAGES:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Building", show_pos=True, show_eta=False,
                                         file=self.file or sys.stderr)
            self.bar.__enter__()
        self.bar.length = total
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
