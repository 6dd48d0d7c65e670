"""`goalbook instruments`: list built-in and practice questionnaires with their licence notes."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--practice", metavar="DIR", help="The practice whose instruments/ to include (default: the one "
              "around the current folder, if any).")
def command(practice: str | None) -> None:
    """List built-in and practice questionnaires: items, range, cut-off and licence."""
    from goalbook.clinical.instruments import instrument_table, load_instruments
    from goalbook.commands.score import practice_root
    from goalbook.problems import format_text

    instruments, problems = load_instruments(practice_root(practice))
    from goalbook.terminal import safe  # a practice's own definitions may come from someone else

    click.echo(safe(instrument_table(instruments)), nl=False)
    if problems:
        click.echo(format_text(problems), err=True, nl=False)
    if any(p.is_error for p in problems):
        sys.exit(1)
