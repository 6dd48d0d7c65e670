"""`goalbook init [DIR] [--no-hook]`"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-hook", is_flag=True, help="Do not install the git pre-commit hook that runs `goalbook check`.")
def command(directory: Path, no_hook: bool) -> None:
    """Create a practice in DIRECTORY (default: this folder): goalbook.yaml, clients/, the schemas
    for your editor, a .gitignore, and a git repository. Never overwrites an existing file."""
    from goalbook.scaffold import init_practice

    report = init_practice(directory, hook=not no_hook)
    for line in report.lines():
        click.echo(line)
