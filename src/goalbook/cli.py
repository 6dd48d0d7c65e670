"""The command line: it only wires options. Each command lives in ``goalbook.commands.<verb>``
and is imported when it runs, so ``goalbook --help`` starts instantly."""

from __future__ import annotations

import importlib
import os

import click

from goalbook import __version__

# name → (module, short help). Help is repeated here so listing commands imports nothing.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("goalbook.commands.init", "Create a practice folder (never overwrites a file)."),
    "new": ("goalbook.commands.new", "Write a new client, goal or session file from a template."),
    "check": ("goalbook.commands.check", "Validate the practice and list every problem at once."),
    "build": ("goalbook.commands.build", "Check, then render the private progress book."),
    "watch": ("goalbook.commands.watch", "Rebuild the book on every save."),
    "serve": ("goalbook.commands.serve", "Watch and serve the book on 127.0.0.1 with live reload."),
    "log": ("goalbook.commands.log", "Show one client's audit trail from git, in words."),
    "score": ("goalbook.commands.score", "Score answers, classify a change, or compute a GAS T-score."),
    "instruments": ("goalbook.commands.instruments", "List built-in and practice questionnaires."),
    "form": ("goalbook.commands.form", "Write a questionnaire form a client fills in on any device."),
    "import": ("goalbook.commands.import_reply", "Import encrypted replies from clients' forms."),
    "enter": ("goalbook.commands.enter", "Type in a questionnaire answered on paper, item by item."),
    "keys": ("goalbook.commands.keys", "The practice's key pair for encrypted replies."),
    "export": ("goalbook.commands.export", "Export the records as tidy CSV files or FHIR R4 NDJSON."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        return module.command

    def invoke(self, ctx: click.Context):
        # A fault in goalbook (not a mistake in the user's files: those are Problems) must still not
        # put a traceback in front of a therapist. GOALBOOK_DEBUG=1 shows it, for a bug report.
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:
            if os.environ.get("GOALBOOK_DEBUG"):
                raise
            # A full disk, a read-only one, a permission: the user's to fix, said in one line.
            from goalbook.terminal import safe

            click.echo(f"goalbook: {safe(_os_problem(exc))}", err=True)
            ctx.exit(1)
        except Exception as exc:
            if os.environ.get("GOALBOOK_DEBUG"):
                raise
            from goalbook.terminal import safe

            detail = safe(str(exc).splitlines()[0][:200]) if str(exc) else ""
            click.echo(
                f"goalbook: internal error ({type(exc).__name__}{': ' + detail if detail else ''}); "
                "please report this.\n  hint: your files were not changed; run again with "
                "GOALBOOK_DEBUG=1 to see the details for the report",
                err=True,
            )
            ctx.exit(3)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in COMMANDS.items()])


def _os_problem(exc: OSError) -> str:
    """What the system refused, where, and what to do about it."""
    import errno

    where = f"{exc.filename}: " if exc.filename else ""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"{where}the disk is full\n  hint: free some space, then run the command again"
    if exc.errno == errno.EROFS:
        return f"{where}the disk is read-only\n  hint: work on a writable disk, or mount this one writable"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{where}permission denied\n  hint: check the permissions of that file and its folder (ls -l)"
    return f"{where}{exc.strerror or type(exc).__name__}\n  hint: check that path, then run the command again"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="goalbook")
def main() -> None:
    """goalbook: goals and clinical questionnaires kept as plain YAML in your practice's own
    git repository, rendered into a private progress book.

    Start with `goalbook init my-practice`, or try `goalbook build example-practice`.
    """
