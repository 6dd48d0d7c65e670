"""`goalbook new client ID` / `new goal CLIENT [--id GOAL] [--revises GOAL]` / `new session CLIENT [--date D] [--kind K]`"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from goalbook.commands.options import DateParam
from goalbook.records.model import SESSION_KINDS

PRACTICE_OPTION = click.option(
    "--practice", type=click.Path(file_okay=False, path_type=Path),
    help="The practice folder (default: found by walking up from this folder to goalbook.yaml).",
)


def _echo(report) -> None:
    for line in report.lines():
        click.echo(line)


@click.group("new")
def command() -> None:
    """Write a new client, goal or session file from a template. Never overwrites a file."""


@command.command("client")
@click.argument("client_id", metavar="ID")
@click.option("--name", help="Display name in the book (default: the id); initials or a pseudonym are advised.")
@click.option("--clinician", help="The clinician's id from goalbook.yaml (default: the first one).")
@PRACTICE_OPTION
def client(client_id: str, name: str | None, clinician: str | None, practice: Path | None) -> None:
    """Create clients/ID/ with client.yaml, goals.yaml and sessions/."""
    from goalbook.records.locate import practice_or_fail
    from goalbook.scaffold import new_client

    _echo(new_client(practice_or_fail(practice), client_id, name=name, clinician=clinician))


@command.command("goal")
@click.argument("client_id", metavar="CLIENT")
@click.option("--id", "goal_id", metavar="GOAL", help="The new goal's id (default: goal-1, goal-2, …).")
@click.option("--title", help="The goal as one specific sentence.")
@click.option("--revises", metavar="GOAL", help="The id of the goal this one replaces (written as its revises: line).")
@PRACTICE_OPTION
def goal(client_id: str, goal_id: str | None, title: str | None, revises: str | None, practice: Path | None) -> None:
    """Add a goal skeleton at the end of CLIENT's goals.yaml (nothing else in the file changes)."""
    from goalbook.records.locate import practice_or_fail
    from goalbook.scaffold import new_goal

    _echo(new_goal(practice_or_fail(practice), client_id, goal_id=goal_id, title=title, revises=revises))


@command.command("session")
@click.argument("client_id", metavar="CLIENT")
@click.option("--date", "on", type=DateParam(), help="The session's date, YYYY-MM-DD (default: today).")
@click.option("--kind", type=click.Choice(SESSION_KINDS),
              help="What kind of contact (default: intake for a client's first session, else session).")
@click.option("--slug", metavar="WORD",
              help="For a second contact that day: a word added to the file name, e.g. phone.")
@PRACTICE_OPTION
def session(client_id: str, on: date | None, kind: str | None, slug: str | None, practice: Path | None) -> None:
    """Write CLIENT's session file for a day, listing the questionnaires due, a measurement line
    for each active goal and a homework line for each of their action steps."""
    from goalbook.records.locate import practice_or_fail
    from goalbook.scaffold import new_session

    _echo(new_session(practice_or_fail(practice), client_id, on=on, kind=kind, slug=slug))
