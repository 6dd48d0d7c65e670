"""`goalbook watch [DIR] [-o OUT] [--poll]`: rebuild the book on every save."""

from __future__ import annotations

from pathlib import Path

import click

from goalbook.records.locate import practice_or_fail


@click.command(name="watch")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the book (default: the practice's output setting, _book).")
@click.option("--poll", is_flag=True,
              help="Look for changes every half second instead of waiting for the system to say so "
                   "(for network drives and some virtual machines).")
def command(directory: Path | None, out: Path | None, poll: bool) -> None:
    """Build the book, then rebuild it every time a file in the practice DIR is saved.
    Stop with Ctrl-C."""
    from goalbook.live.watch import watch

    root = practice_or_fail(directory)
    click.echo(f"watching {root} for changes{' (polling)' if poll else ''}; press Ctrl-C to stop", err=True)
    watch(root, out, poll=poll)
    click.echo("stopped watching.", err=True)
