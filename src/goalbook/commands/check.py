"""`goalbook check [DIR] [--strict] [--format text|json] [--today DATE]`"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

import click

from goalbook.commands.options import DateParam
from goalbook.problems import has_errors
from goalbook.records.locate import practice_or_fail, relative_to_cwd


@click.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How to print the problems.")
@click.option("--today", type=DateParam(), help="Treat this date (YYYY-MM-DD) as today.")
def command(directory: Path | None, strict: bool, fmt: str, today: date | None) -> None:
    """Validate the practice in DIR (default: the one around the current folder) and list every
    problem at once. Exit 0 when there are no errors, 1 when there are (or warnings with
    --strict), 2 on a usage mistake."""
    if directory is not None:
        _not_a_practice_folder(directory)
    root = practice_or_fail(directory)
    prefix = str(directory) if directory is not None else relative_to_cwd(root)
    started = time.perf_counter()
    from goalbook import checks
    from goalbook.records import load

    try:
        result = checks.run_checks(root, today=today, across_clients=True)
        report = checks.format_report(
            result.problems, root, fmt=fmt, colour=fmt == "text" and checks.use_colour(sys.stdout), prefix=prefix,
        )
    except Exception as exc:
        if os.environ.get("GOALBOOK_DEBUG"):
            raise
        where = load.failed_file(exc) or str(root)
        click.echo(
            f"goalbook: internal error while reading {where} ({type(exc).__name__}); please report this.\n"
            "  hint: run again with GOALBOOK_DEBUG=1 to see the details for the report",
            err=True,
        )
        sys.exit(3)
    click.echo(report, nl=False)
    click.echo(checks.summary_line(result.problems, result.files_read, time.perf_counter() - started), err=True)
    sys.exit(1 if has_errors(result.problems, strict=strict) else 0)


def _not_a_practice_folder(directory: Path) -> None:
    """Say what to type instead when DIR is a file, or a folder inside a practice."""
    from goalbook.errors import GoalbookError
    from goalbook.records.locate import SETTINGS_FILE, find_practice

    if directory.is_file():
        holder = find_practice(directory.parent)
        where = (relative_to_cwd(holder) or ".") if holder is not None else None
        raise GoalbookError(
            f"{directory} is a file; `goalbook check` checks a whole practice folder",
            hint=f"run `goalbook check {where}`" if where else f"pass the folder that holds {SETTINGS_FILE}",
        )
    if directory.is_dir() and not (directory / SETTINGS_FILE).is_file():
        holder = find_practice(directory)
        if holder is not None:
            where = relative_to_cwd(holder) or "."
            raise GoalbookError(
                f"{directory} is a folder inside a practice, not the practice folder itself",
                hint=f"run `goalbook check {where}` (the folder holding {SETTINGS_FILE}): it checks every client at once",
            )

