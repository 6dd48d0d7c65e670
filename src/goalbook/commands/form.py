"""`goalbook form CLIENT [--instrument ID …] [-o FILE]` / `goalbook form --due` / `goalbook form CLIENT --print`"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from goalbook.commands.new import PRACTICE_OPTION
from goalbook.errors import GoalbookError

# What is due: today and the six days after, as the caseload's "Due this week" shows it.
DUE_WITHIN_DAYS = 6


@click.command("form")
@click.argument("client_id", metavar="CLIENT", required=False)
@click.option("--instrument", "instrument_ids", multiple=True, metavar="ID",
              help="A questionnaire to include (repeatable). Default: those due for the client.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the form (default: _forms/CLIENT-FORMID.html, git-ignored).")
@click.option("--due", is_flag=True,
              help="One form per person (each client, each respondent) with something due this week.")
@click.option("--days", type=click.IntRange(1, 365), default=14, show_default=True,
              help="How many days the form stays valid (a later reply is imported with a warning).")
@click.option("--print", "to_print", is_flag=True,
              help="A form to print and fill in with a pen instead; type the answers in with `goalbook enter`.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="--print: the paper size.")
@click.option("--respondent", metavar="ID",
              help="Who fills it in, when not the client (a respondent id from client.yaml).")
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="--print: the date printed on the form (default: a line to write it on).")
@PRACTICE_OPTION
def command(client_id: str | None, instrument_ids: tuple[str, ...], output: Path | None, due: bool,
            days: int, to_print: bool, paper: str, respondent: str | None, day: str | None,
            practice: Path | None) -> None:
    """Write a questionnaire form CLIENT fills in on any device; the answers come back encrypted
    to this practice's key (`goalbook import`). Each form is recorded in forms/issued/.

    With --print: an A4 or Letter page to print instead (nothing is issued or encrypted)."""
    from goalbook.forms import page
    from goalbook.records.locate import practice_or_fail
    from goalbook.scaffold import load_for_new
    from goalbook.terminal import safe

    root = practice_or_fail(practice)
    if due == bool(client_id):
        raise GoalbookError("give a CLIENT or --due (not both)",
                            hint="e.g. `goalbook form ana-r` or `goalbook form --due`")
    if due and (instrument_ids or output):
        raise GoalbookError("--due makes the forms from each client's schedule: leave out --instrument and -o")
    if not to_print and day:
        raise GoalbookError("--date is for --print (the date printed on a paper form)")
    if due and respondent:
        raise GoalbookError("--due makes each client's own forms: leave out --respondent, or give a CLIENT")
    if output is not None and not output.absolute().parent.is_dir():
        # Refused before anything is issued: a form recorded but never written cannot be sent.
        raise GoalbookError(f"-o {output}: the folder {output.absolute().parent} does not exist",
                            hint="create the folder first, or leave out -o to write into _forms/")
    if to_print:
        if due:
            raise GoalbookError("--print makes one client's form: give a CLIENT instead of --due")
        _print(root, client_id, list(instrument_ids), output, paper, respondent, day)
        return
    loaded, client = load_for_new(root, client_id)
    if client is not None:
        ids = list(instrument_ids) or page.due_instruments(client, loaded, within_days=DUE_WITHIN_DAYS,
                                                            respondent=respondent or "")
        if not ids and client.status != "discharged":
            _nothing_due(client, loaded, respondent or "")
        made = page.make_form(loaded, client, ids, output=output, days=days, respondent=respondent or "")
        person = client.respondent(respondent or "")
        _said(made, root, safe(f"; for {person.label} to fill in") if person else "")
        return
    count = 0
    for each in loaded.clients:
        if each.status not in ("active", "referred"):
            continue
        # One form per person with something due: the client, and each respondent given their own.
        for who in ["", *(r.id for r in each.respondents)]:
            ids = page.due_instruments(each, loaded, within_days=DUE_WITHIN_DAYS, respondent=who)
            if not ids:
                continue
            person = each.respondent(who)
            try:
                made = page.make_form(loaded, each, ids, days=days, respondent=who)
            except GoalbookError as refused:
                click.echo(safe(f"{each.id}{' (' + person.label + ')' if person else ''}: not made: "
                                f"{refused.message}"), err=True)
                continue
            _said(made, root, safe(f"; for {person.label} to fill in") if person else "")
            count += 1
    click.echo(f"{count} form{'s' if count != 1 else ''} written" if count else "nothing is due this week")


def _nothing_due(client, practice, respondent: str) -> None:
    """Nothing due today: say when the next questionnaire is, so "nothing" is not read as "never"."""
    if client.status == "discharged":
        raise GoalbookError(f"nothing is due for {client.id}: they are discharged, and a finished course has no "
                            "schedule", hint="name the questionnaires with --instrument (e.g. for a follow-up), "
                            "or set their status back to active in client.yaml if the work has resumed")
    from goalbook.views.book_views import schedule_due

    upcoming = sorted((d.due, d.name) for d in schedule_due(client, practice)
                      if d.due is not None and d.respondent == respondent)
    nxt = f" (next: {upcoming[0][1]} on {upcoming[0][0].isoformat()})" if upcoming else ""
    last = practice.today + timedelta(days=DUE_WITHIN_DAYS)
    who = f"{client.id}'s respondent {respondent}" if respondent else client.id
    raise GoalbookError(f"nothing is due for {who} this week ({practice.today.isoformat()} to "
                        f"{last.isoformat()}){nxt}",
                        hint="name the questionnaires with --instrument, e.g. --instrument phq9")


def _said(made, root: Path, who: str = "") -> None:
    try:
        shown = made.path.relative_to(root)
    except ValueError:
        shown = made.path
    click.echo(f"{made.client}: {shown} ({', '.join(made.instruments)}; form {made.form_id}, "
               f"valid until {made.expires.isoformat()}; recorded in {made.record}{who})")


def _print(root: Path, client_id: str | None, instrument_ids: list[str], output: Path | None, paper: str,
           respondent: str | None, day: str | None) -> None:
    from goalbook.forms import page
    from goalbook.records.today import parse_date
    from goalbook.render import paper_form
    from goalbook.scaffold import load_for_new

    loaded, client = load_for_new(root, client_id)
    assert client is not None
    on = None
    if day is not None:
        on = parse_date(day)
        if on is None:
            raise GoalbookError(f"--date {day} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-03-02")
    ids = instrument_ids or page.due_instruments(client, loaded, within_days=DUE_WITHIN_DAYS,
                                                 respondent=respondent or "")
    if not ids:
        _nothing_due(client, loaded, respondent or "")
    form = paper_form.paper_form(loaded, client, ids, respondent=respondent, on=on, paper=paper)
    path = output if output is not None else page.forms_folder(root) / paper_form.default_name(form)
    paper_form.write_paper_form(paper_form.render_paper_form(form, loaded.safety_message), path)
    try:
        shown = path.relative_to(root)
    except ValueError:
        shown = path
    from goalbook.terminal import safe

    names = ", ".join(i.short_name for i in form.instruments)
    click.echo(safe(f"{client.id}: {shown} ({names}; {paper_form.PAPER_SIZES[paper]}, for {form.answered_by}): "
                    "open it in a browser and print it; type the answers in with `goalbook enter`"))
