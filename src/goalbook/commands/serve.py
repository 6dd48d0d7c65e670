"""`goalbook serve [DIR] [--port N] [--poll] [-o OUT]`: watch, and serve the book on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import click

from goalbook.records.locate import practice_or_fail


@click.command(name="serve")
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port on 127.0.0.1 to serve the book on.")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the book (default: the practice's output setting, _book).")
@click.option("--poll", is_flag=True, help="Look for changes by polling (network drives, some VMs).")
def command(directory: Path | None, port: int, out: Path | None, poll: bool) -> None:
    """Build the book, serve it at http://127.0.0.1:PORT/ (this computer only) and rebuild
    and reload the page on every save. Stop with Ctrl-C."""
    from goalbook.live.serve import serve

    root = practice_or_fail(directory)

    def ready(url: str) -> None:
        click.echo(f"serving the book at {url} (this computer only); press Ctrl-C to stop", err=True)

    serve(root, out, port=port, poll=poll, on_ready=ready)
    click.echo("stopped serving.", err=True)
