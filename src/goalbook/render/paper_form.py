"""A questionnaire form to print (A4 or Letter), filled in with a pen and keyed in with `goalbook enter`.

The rules this module keeps:

* Item wording only where the instrument's licence allows it (``item_text: verbatim`` and every
  item has its text); otherwise the instrument is refused with the licence's own reason, and no
  file is written.
* Every item has one box per answer, under the answer's label and with its value, so the page
  reads without goalbook and `goalbook enter` asks the same labels in the same order.
* The page carries the instrument's instructions, its attribution and citation, and lines for the
  client, who answered (the client or a respondent from client.yaml) and the date.
* One self-contained HTML file: no script, no request (CSP ``default-src 'none'``), everything
  escaped, written owner-only; it never replaces a file goalbook did not write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import jinja2

from goalbook.clinical.instruments import Instrument, Item, Option
from goalbook.errors import GoalbookError
from goalbook.records import model
from goalbook.records.respondents import find_respondent
from goalbook.resources import data_dir

# CSS @page sizes, by the name `--paper` takes.
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
# Written into every paper form, so an existing file of that name is replaced only when it is one.
SIGNATURE = "<!-- goalbook paper form -->"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class ItemGroup:
    """Consecutive items that share one set of answers: one table with the answers as its columns."""

    options: tuple[Option, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class PaperForm:
    """What one printed form holds."""

    practice: str
    client: model.Client
    instruments: tuple[Instrument, ...]
    respondent: model.Respondent | None = None
    on: date | None = None  # printed on the date line; None leaves the line blank to fill in
    paper: str = "a4"

    @property
    def answered_by(self) -> str:
        return self.respondent.label if self.respondent else f"{self.client.name} (client)"

    def enter_command(self, instrument: Instrument) -> str:
        """The command that keys this instrument's answers in, for the therapist's line at the foot."""
        words = ["goalbook enter", self.client.id, instrument.id]
        if self.on is not None:
            words.append(f"--date {self.on.isoformat()}")
        if self.respondent is not None:
            words.append(f"--respondent {self.respondent.id}")
        return " ".join(words)


def licence_refusal(instrument: Instrument) -> str | None:
    """Why ``instrument`` cannot be printed with its items, or None when it can."""
    if instrument.licence.item_text != "verbatim" or any(not item.text for item in instrument.items):
        return (f"{instrument.short_name}: its licence does not let goalbook print the item wording "
                f"({instrument.licence.note}); use the published form you are licensed to copy, "
                f"and key the answers in with `goalbook enter`")
    return None


def item_groups(instrument: Instrument) -> list[ItemGroup]:
    groups: list[ItemGroup] = []
    for item in instrument.items:
        if groups and groups[-1].options == item.options:
            groups[-1] = ItemGroup(item.options, (*groups[-1].items, item))
        else:
            groups.append(ItemGroup(item.options, (item,)))
    return groups


def paper_form(practice: model.Practice, client: model.Client, instrument_ids: list[str], *,
               respondent: str | None = None, on: date | None = None, paper: str = "a4") -> PaperForm:
    """Check what is asked for and gather it; ``GoalbookError`` with the reason when refused."""
    if not instrument_ids:
        whose = f"{client.id}'s respondent {respondent}" if respondent else client.id
        raise GoalbookError(f"no questionnaire is due for {whose} today",
                            hint="name the ones to print with --instrument, e.g. --instrument phq9")
    if paper not in PAPER_SIZES:
        raise GoalbookError(f"unknown paper size '{paper}'", hint=f"use one of: {', '.join(PAPER_SIZES)}")
    person = find_respondent(client, respondent)
    chosen: list[Instrument] = []
    for iid in dict.fromkeys(instrument_ids):
        instrument = practice.instruments.get(iid)
        if instrument is None:
            raise GoalbookError(f"there is no questionnaire '{iid}'",
                                hint=f"known questionnaires: {', '.join(sorted(practice.instruments))}")
        why = licence_refusal(instrument)
        if why:
            raise GoalbookError(why)
        chosen.append(instrument)
    return PaperForm(practice.name, client, tuple(chosen), person, on, paper)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates") / "form")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_paper_form(form: PaperForm, safety_message: str = "") -> str:
    """The form as one HTML page. ``safety_message``: the practice's own words, printed under any
    questionnaire with a critical item (nobody reads a paper form as it is filled in)."""
    day = form.on
    return _environment().get_template("print.html.j2").render(
        form=form, groups={i.id: item_groups(i) for i in form.instruments}, page_size=PAPER_SIZES[form.paper],
        date_text=f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else "",
        safety_message=safety_message, signature=SIGNATURE,
    )


def write_paper_form(html: str, path: Path) -> None:
    """Write the page owner-only; an existing file is replaced only when it is a paper form of ours."""
    if path.is_dir():
        raise GoalbookError(f"{path}: this is a folder", hint="pass a file name ending in .html")
    if path.exists():
        with path.open("rb") as existing:
            if SIGNATURE.encode() not in existing.read(4096):
                raise GoalbookError(f"{path}: a file of that name exists and goalbook did not write it",
                                    hint="choose another name with -o, or move that file away")
    temporary = path.with_name(f".{path.name}.goalbook-new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(html)
        os.chmod(temporary, 0o600)  # O_CREAT's mode is masked by umask
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def default_name(form: PaperForm) -> str:
    """``ana-r-paper-2026-03-02-sam.html``: the client, the date (or "undated") and who answers."""
    parts = [form.client.id, "paper", form.on.isoformat() if form.on else "undated"]
    if form.respondent is not None:
        parts.append(form.respondent.id)
    return "-".join(parts) + ".html"
