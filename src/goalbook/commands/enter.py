"""`goalbook enter CLIENT INSTRUMENT [--date D] [--respondent R]`: key in a questionnaire from paper."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from goalbook.commands.new import PRACTICE_OPTION
from goalbook.errors import GoalbookError


@click.command("enter")
@click.argument("client_id", metavar="CLIENT")
@click.argument("instrument_id", metavar="INSTRUMENT")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day it was filled in (default: today).")
@click.option("--respondent", metavar="ID",
              help="Who filled it in, when not the client: a respondent id from the client's client.yaml.")
@click.option("--by-hand", is_flag=True,
              help="Record it as typed in by hand rather than from a paper form.")
@PRACTICE_OPTION
def command(client_id: str, instrument_id: str, day: str | None, respondent: str | None, by_hand: bool,
            practice: Path | None) -> None:
    """Type in a questionnaire answered on paper, item by item with the answer labels: b goes back,
    s skips an item the questionnaire lets you leave out, q stops without saving. A summary comes
    before anything is written; then the answers go into the client's record for that day (no
    other line of a file changes) and the score, band, flags and change are shown."""
    from goalbook.forms.guided_entry import GuidedEntry, Stopped, converse
    from goalbook.records.locate import practice_or_fail
    from goalbook.records.respondents import find_respondent
    from goalbook.records.writer import (
        AdministrationRecord,
        EnteredSource,
        find_recorded,
        write_administration,
    )
    from goalbook.scaffold import load_for_new

    root = practice_or_fail(practice)
    loaded, client = load_for_new(root, client_id)
    assert client is not None
    instrument = _instrument(loaded.instruments, instrument_id)
    on = _day(day, loaded.today)
    person = find_respondent(client, respondent)
    who = person.label if person else f"{client.name} (client)"
    # Refused before the first question, not after the last: the same day and person already has it.
    placeholder = AdministrationRecord(client_id=client.id, instrument=instrument.id, on=on, answers=(0,),
                                       respondent=person.id if person else None)
    where = find_recorded(root, placeholder)
    if where:
        raise GoalbookError(
            f"{instrument.short_name} is already recorded for {on.isoformat()}"
            f"{' by ' + person.id if person else ''} in {where}; nothing was asked or written",
            hint="to correct it, edit that file; for another day give --date")
    heading = [f"{instrument.short_name} for {client.name} on {on.isoformat()}, answered by {who}."]
    if instrument.instructions:
        heading.append(f"The form asks: {instrument.instructions}")
    heading.append("Type each answer's number; b goes back, q stops without saving.")
    try:
        answers = converse(GuidedEntry(instrument), _ask, _say, heading)
    except Stopped:
        click.echo("Stopped: nothing was written.")
        raise SystemExit(1) from None
    record = AdministrationRecord(
        client_id=client.id, instrument=instrument.id, on=on, answers=answers,
        source=EnteredSource("by-hand" if by_hand else "paper"), respondent=person.id if person else None,
    )
    written = write_administration(root, record, instrument)
    how = "created" if written.created else f"added at line {written.line}"
    _say(f"Saved: {written.file} ({how}).")
    _report(root, client.id, instrument.id, person.id if person else "", written.file)


def _ask(prompt: str) -> str:
    return input(prompt)


def _say(line: str) -> None:
    """Names and wording come from the practice's files: shown, never acted on by the terminal."""
    from goalbook.terminal import safe

    click.echo(safe(line))


def _instrument(instruments: dict, name: str):
    from goalbook.commands.score import find_instrument

    return find_instrument(instruments, name)


def _day(text: str | None, today: date) -> date:
    from goalbook.records.today import parse_date

    if text is None:
        return today
    on = parse_date(text)
    if on is None:
        raise GoalbookError(f"--date {text} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-03-02")
    if on > today:
        raise GoalbookError(f"--date {text} is after today ({today.isoformat()})",
                            hint="give the day the questionnaire was filled in")
    return on


def _report(root: Path, client_id: str, instrument: str, respondent: str, session_file: str) -> None:
    """Check the practice again and say what arrived, with any problem in that client's files."""
    from goalbook.checks import check_practice, format_report
    from goalbook.views.arrived import arrived_lines

    practice, problems = check_practice(root)
    mine = [p for p in problems if p.path.startswith(f"clients/{client_id}/")]
    if mine:
        click.echo(format_report(mine, root), err=True, nl=False)
    client = practice.client(client_id) if practice is not None else None
    if client is None:
        return
    for line in arrived_lines(practice, client, instrument, respondent, session_file):
        _say(line)
