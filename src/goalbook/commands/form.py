"""`goalbook form CLIENT [--instrument ID …] [-o FILE]` / `goalbook form --due`"""

from __future__ import annotations

from pathlib import Path

import click

from goalbook.commands.new import PRACTICE_OPTION
from goalbook.errors import GoalbookError


@click.command("form")
@click.argument("client_id", metavar="CLIENT", required=False)
@click.option("--instrument", "instrument_ids", multiple=True, metavar="ID",
              help="A questionnaire to include (repeatable). Default: those due for the client.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the form (default: _forms/CLIENT-FORMID.html, git-ignored).")
@click.option("--due", is_flag=True, help="One form per client with something due this week.")
@click.option("--days", type=click.IntRange(1, 365), default=14, show_default=True,
              help="How many days the form stays valid (a later reply is imported with a warning).")
@PRACTICE_OPTION
def command(client_id: str | None, instrument_ids: tuple[str, ...], output: Path | None, due: bool,
            days: int, practice: Path | None) -> None:
    """Write a questionnaire form CLIENT fills in on any device; the answers come back encrypted
    to this practice's key (`goalbook import`). Each form is recorded in forms/issued/."""
    from goalbook.forms import page
    from goalbook.records.locate import practice_or_fail
    from goalbook.scaffold import load_for_new

    root = practice_or_fail(practice)
    if due == bool(client_id):
        raise GoalbookError("give a CLIENT or --due (not both)",
                            hint="e.g. `goalbook form ana-r` or `goalbook form --due`")
    if due and (instrument_ids or output):
        raise GoalbookError("--due makes the forms from each client's schedule: leave out --instrument and -o")
    loaded, client = load_for_new(root, client_id)
    if client is not None:
        ids = list(instrument_ids) or page.due_instruments(client, loaded)
        made = page.make_form(loaded, client, ids, output=output, days=days)
        _said(made, root)
        return
    count = 0
    for each in loaded.clients:
        if each.status not in ("active", "referred"):
            continue
        ids = page.due_instruments(each, loaded, within_days=6)
        if not ids:
            continue
        try:
            made = page.make_form(loaded, each, ids, days=days)
        except GoalbookError as refused:
            click.echo(f"{each.id}: not made: {refused.message}", err=True)
            continue
        _said(made, root)
        count += 1
    click.echo(f"{count} form{'s' if count != 1 else ''} written" if count else "nothing is due this week")


def _said(made, root: Path) -> None:
    try:
        shown = made.path.relative_to(root)
    except ValueError:
        shown = made.path
    click.echo(f"{made.client}: {shown} ({', '.join(made.instruments)}; form {made.form_id}, "
               f"valid until {made.expires.isoformat()}; recorded in {made.record})")
