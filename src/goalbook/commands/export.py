"""`goalbook export csv|fhir [--out DIR]`: the records as tidy CSV files or FHIR R4 NDJSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from goalbook.errors import GoalbookError
from goalbook.records.locate import practice_or_fail, relative_to_cwd

PRACTICE_HELP = "The practice folder (default: found by walking up from here)."


@click.group(name="export")
def command() -> None:
    """Export the records: tidy CSV files (`csv`) or FHIR R4 NDJSON (`fhir`)."""


def _checked_practice(practice: str | None):
    """The practice loaded and checked; with errors, the problems as `check` prints them and exit 1."""
    from goalbook import checks
    from goalbook.problems import plural

    root = practice_or_fail(practice)
    loaded, problems = checks.check_practice(root)
    errors = [p for p in problems if p.is_error]
    if loaded is None or errors:
        click.echo(checks.format_report(errors, root, prefix=relative_to_cwd(root),
                                        colour=checks.use_colour(sys.stdout)), nl=False)
        raise GoalbookError(f"Not exported: {plural(len(errors), 'error')} to fix first",
                            hint="run `goalbook check` and fix what it lists", exit_code=1)
    return root, loaded


def _done(written: list[Path], out: Path) -> None:
    files = [p for p in written if p.name != ".gitignore"]
    click.echo(f"Wrote {len(files)} files to {out}/ (owner-only; the folder is git-ignored by its own .gitignore)")


@command.command(name="csv")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="The folder to write (default: the practice's _export/csv/).")
@click.option("--pseudonymise", "--pseudonymize", "pseudonymise", is_flag=True,
              help="Client ids become keyed hashes; names, notes and other free text are left out.")
@click.option("--key-file", type=click.Path(path_type=Path), default=None,
              help="The pseudonym key (default: ~/.config/goalbook/pseudonym.key, made on first use).")
@click.option("--practice", "practice", type=click.Path(file_okay=False), default=None, help=PRACTICE_HELP)
def csv_command(out: Path | None, pseudonymise: bool, key_file: Path | None, practice: str | None) -> None:
    """Tidy CSV files, one row per observation, with data_dictionary.csv describing every column."""
    from goalbook.export import csv_files, files, pseudonyms, tables

    root, loaded = _checked_practice(practice)
    names = pseudonyms.Pseudonyms(pseudonyms.load_or_create_key(key_file)) if pseudonymise else None
    out = out if out is not None else root / "_export" / "csv"
    written = files.write_export(out, csv_files.csv_files(tables.practice_tables(loaded, names)))
    _done(written, out)


@command.command(name="fhir")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="The folder to write (default: the practice's _export/fhir/).")
@click.option("--key-file", type=click.Path(path_type=Path), default=None,
              help="The pseudonym key (default: ~/.config/goalbook/pseudonym.key, made on first use).")
@click.option("--practice", "practice", type=click.Path(file_okay=False), default=None, help=PRACTICE_HELP)
def fhir_command(out: Path | None, key_file: Path | None, practice: str | None) -> None:
    """FHIR R4 NDJSON, one file per resource type; patients appear by pseudonym only."""
    from goalbook.export import fhir, files, pseudonyms

    root, loaded = _checked_practice(practice)
    names = pseudonyms.Pseudonyms(pseudonyms.load_or_create_key(key_file))
    out = out if out is not None else root / "_export" / "fhir"
    written = files.write_export(out, fhir.files(fhir.practice_resources(loaded, names)))
    _done(written, out)
