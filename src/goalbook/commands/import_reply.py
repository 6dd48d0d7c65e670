"""`goalbook import REPLY …` (files, or text on standard input): answers from clients' forms."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from goalbook.commands.new import PRACTICE_OPTION
from goalbook.errors import GoalbookError
from goalbook.terminal import safe


@click.command("import")
@click.argument("replies", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@PRACTICE_OPTION
def command(replies: tuple[Path, ...], practice: Path | None) -> None:
    """Decrypt replies from clients' forms (files, or pasted text on standard input when no file or
    `-` is given), write the answers into each client's record for the day they were answered, then
    check that client and print the scores. A reply that was changed, is for another practice, was
    already imported or belongs to no form this practice issued is refused, and nothing is written."""
    from goalbook.forms.importing import import_reply, read_replies
    from goalbook.forms.reply import ReplyRefused
    from goalbook.records.locate import practice_or_fail
    from goalbook.records.yamlload import NotARegularFile, TooLarge, read_limited
    from goalbook.scaffold import load_for_new

    root = practice_or_fail(practice)
    sources = []
    for path in replies or (Path("-"),):
        if str(path) == "-":
            if sys.stdin.isatty():
                click.echo("Paste the reply (all of it, BEGIN to END), then press Ctrl-D on a new line:", err=True)
            sources.append(("standard input", sys.stdin.read()))
            continue
        try:
            data = read_limited(path)  # a regular file only, never waiting on a pipe, never endless
        except NotARegularFile as err:
            raise GoalbookError(f"{path}: {err.what}, not a reply file",
                                hint="save the reply as a file and import that, or paste it after `-`") from None
        except TooLarge as err:
            raise GoalbookError(f"{path}: {err.size:,} bytes, far more than a reply holds",
                                hint="check that this is the reply file the client sent") from None
        except OSError as err:
            raise GoalbookError(f"{path}: cannot be read ({err.strerror or err})") from None
        sources.append((str(path), data.decode("utf-8", errors="replace")))
    refused = 0
    try:
        found = read_replies(sources)
    except ReplyRefused as err:
        click.echo(err.message, err=True)
        sys.exit(1)
    for r in found:
        loaded, _ = load_for_new(root)
        try:
            result = import_reply(loaded, r)
        except ReplyRefused as err:
            click.echo(err.message, err=True)
            refused += 1
            continue
        for warning in result.warnings:
            click.echo(safe(f"{r.label}: warning: {warning}"), err=True)  # a reply is the client's text
        click.echo(safe(f"{r.label}: form {result.form.form} for {result.form.client}, answered {result.answered_at}"))
        for instrument, where in result.written:
            click.echo(safe(f"  {instrument} → {where}"))
        _report(root, result)
    sys.exit(1 if refused else 0)


def _report(root: Path, result) -> None:
    """The new scores with band, flags and reliable change since the first, then the client's check."""
    from goalbook import checks
    from goalbook.clinical import change, scoring
    from goalbook.problems import format_text
    from goalbook.records import load

    practice, _ = load.load_practice(root)
    client = practice.client(result.form.client) if practice else None
    if client is None:
        return
    for instrument_id, _ in result.written:
        instrument = practice.instruments[instrument_id]
        given = [a for a in client.administrations(instrument_id) if a.respondent == (result.form.respondent or "")]
        given.sort(key=lambda a: (a.date, a.session_file))
        mine = next(a for a in given if a.form == result.form.form)
        s = scoring.score(instrument, mine.answers or ())
        band = f", {s.band.label}" if s.band else ""
        cut = "" if s.above_cutoff is None else (", above the cut-off" if s.above_cutoff else ", below the cut-off")
        click.echo(f"  {instrument.short_name}: {_num(s.total)}{band}{cut}")
        for flag in s.flags:
            click.echo(f"    FLAG {instrument.short_name} {flag.explain()}")
        first = given[0] if given and given[0] is not mine else None
        first_total = _total(instrument, first) if first else None
        if first_total is not None:
            click.echo(f"    since {first.date.isoformat()}: {change.classify(instrument, first_total, s.total).explain()}")
    problems = [p for p in checks.check_practice(root)[1] if p.path.startswith(f"clients/{client.id}/")]
    if problems:
        click.echo(format_text(problems), nl=False)
    else:
        click.echo(f"  check: no problems in {client.id}'s files")


def _total(instrument, administration) -> float | None:
    from goalbook.clinical import scoring

    if administration.total is not None:
        return administration.total
    try:
        return scoring.score(instrument, administration.answers or ()).total
    except scoring.ScoringError:
        return None


def _num(x: float) -> str:
    from goalbook.number_text import plain_number

    return plain_number(x)
