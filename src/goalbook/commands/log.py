"""`goalbook log CLIENT`: one client's audit trail from git, in words, newest first."""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from goalbook.errors import GoalbookError
from goalbook.history import audit, gitrepo
from goalbook.records.locate import practice_or_fail
from goalbook.records.model import SLUG, HistoryEntry
from goalbook.terminal import safe


@click.command(name="log")
@click.argument("client_id", metavar="CLIENT")
@click.option("--practice", "practice", type=click.Path(file_okay=False), default=None,
              help="The practice folder (default: found by walking up from here).")
def command(client_id: str, practice: str | None) -> None:
    """Show CLIENT's audit trail: who changed what, when, and why (from git)."""
    root = practice_or_fail(practice)
    if gitrepo.find_repo(root) is None:
        reason = gitrepo.why_not_repo(root)
        raise GoalbookError(reason, hint=gitrepo.setup_hint(reason), exit_code=1)
    from goalbook.incremental.session import KeptInStore

    history = audit.practice_history(root, trail=audit.AuditTrail(KeptInStore()))
    if client_id not in history:
        _unknown_client(root, client_id, set(history))
    state = audit.repo_state(root)
    click.echo(format_history(client_id, history[client_id], audit.client_dirty(state, client_id)), nl=False)


def _unknown_client(root: Path, client_id: str, in_history: set[str]) -> None:
    on_disk = {p.name for p in (root / "clients").iterdir() if p.is_dir()} if (root / "clients").is_dir() else set()
    if client_id in on_disk:
        raise GoalbookError(f"client '{client_id}' has no committed history yet",
                            hint=f"commit the folder clients/{client_id}/ to start its audit trail", exit_code=1)
    if not SLUG.match(client_id):
        raise GoalbookError(f"'{client_id}' is not a client id: ids are lowercase letters, digits and dashes",
                            hint="use the client's folder name under clients/, e.g. ana-r")
    close = difflib.get_close_matches(client_id, sorted(on_disk | in_history), n=3, cutoff=0.6)
    hint = (f"did you mean {' or '.join(repr(c) for c in close)}?" if close
            else "the client id is the folder name under clients/")
    raise GoalbookError(f"no client '{client_id}' in this practice or its history", hint=hint)


def format_history(client_id: str, entries: list[HistoryEntry], dirty: tuple[str, ...] = ()) -> str:
    """The terminal form: a dated line per commit, then its changes indented."""
    lines = [f"Audit trail of {client_id} (newest first, from git)", ""]
    if dirty:
        lines += ["uncommitted changes (not yet in the audit trail): " + ", ".join(dirty), ""]
    for entry in entries:
        lines.append(f"{entry.date}  {entry.author}  {entry.message}  [{entry.short}]")
        lines.extend(f"    {change}" for change in entry.changes)
        lines.append("")
    if not entries:
        lines.append("no commits yet")
    return safe("\n".join(lines).rstrip("\n")) + "\n"  # authors, messages, record text: never acted on
