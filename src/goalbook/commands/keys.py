"""`goalbook keys new|show|export FILE|import FILE`: the practice's key pair for encrypted replies."""

from __future__ import annotations

import os
from pathlib import Path

import click

from goalbook.commands.new import PRACTICE_OPTION
from goalbook.errors import GoalbookError


def _passphrase(confirm: bool) -> str:
    given = os.environ.get("GOALBOOK_PASSPHRASE")  # for scripts and tests; a prompt otherwise
    if given is not None:
        return given
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)


@click.group("keys")
def command() -> None:
    """The practice's key pair: forms encrypt replies to its public key (forms/public-key.txt, in git);
    the private key stays in your config folder, never in the practice. A lost private key means
    replies not yet imported can never be read: keep an exported copy somewhere safe."""


@command.command("new")
@click.option("--replace", is_flag=True, help="Make a new pair even though the practice has one.")
@PRACTICE_OPTION
def new(replace: bool, practice: Path | None) -> None:
    """Make the practice's key pair (done by itself the first time you make a form)."""
    from goalbook.forms import keys
    from goalbook.records.locate import practice_or_fail

    root = practice_or_fail(practice)
    current = keys.practice_public_key(root)
    if current is not None and not replace:
        raise GoalbookError(f"this practice already has a key (sha256:{current.short}…)",
                            hint="add --replace to make a new one; replies to forms already sent can still be "
                                 "read on this computer, which keeps the old private key")
    public = keys.new_key_pair(root)
    click.echo(f"new key sha256:{public.short}…: public key in {keys.PUBLIC_KEY_FILE} (commit it), "
               f"private key in {keys.config_dir()} (owner-only, never in git)")
    click.echo("Export a copy now (`goalbook keys export FILE`): a lost private key means unread replies are lost.")


@command.command("show")
@PRACTICE_OPTION
def show(practice: Path | None) -> None:
    """Print the practice's key fingerprint and whether its private key is on this computer."""
    from goalbook.forms import keys
    from goalbook.records.locate import practice_or_fail

    root = practice_or_fail(practice)
    current = keys.practice_public_key(root)
    if current is None:
        click.echo("no key yet: `goalbook keys new` (or `goalbook form`) makes one")
        return
    here = "on this computer" if keys.has_private_key(current.fingerprint) else "NOT on this computer"
    click.echo(f"sha256:{current.fingerprint}\nprivate key: {here}")


@command.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@PRACTICE_OPTION
def export(file: Path, practice: Path | None) -> None:
    """Write the private key, encrypted with a passphrase, to FILE (for a backup or a second computer)."""
    from goalbook.forms import keys
    from goalbook.records.locate import practice_or_fail

    root = practice_or_fail(practice)
    if file.exists():
        raise GoalbookError(f"{file} already exists; goalbook never overwrites it", hint="choose another name")
    try:
        file.resolve().relative_to(root.resolve())
        raise GoalbookError("the exported key must not go inside the practice folder (it would end up in git)",
                            hint="write it to a USB stick or your password manager's folder")
    except ValueError:
        pass
    data = keys.export_private(root, _passphrase(confirm=True))
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    click.echo(f"wrote {file} (encrypted with your passphrase; without both, unread replies cannot be read)")


@command.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@PRACTICE_OPTION
def import_(file: Path, practice: Path | None) -> None:
    """Store a private key exported with `goalbook keys export` on this computer."""
    from goalbook.forms import keys
    from goalbook.records.locate import practice_or_fail

    root = practice_or_fail(practice)
    public, current = keys.import_private(root, file.read_bytes(), _passphrase(confirm=False))
    which = "this practice's key" if current else "an older key of this practice (for replies to older forms)"
    click.echo(f"imported sha256:{public.short}…, {which}, into {keys.config_dir()}")
