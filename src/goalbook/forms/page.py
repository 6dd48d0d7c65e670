"""One self-contained HTML form per client: the questionnaires, the practice's public key, and the
script that encrypts the answers (allowed by its SHA-256 hash only: no other script can run).

The rules this module keeps: item wording only where the instrument's licence allows it
(``item_text: verbatim``), else the instrument is refused with the licence's reason; an instrument
with a critical item only once the practice has a ``safety_message``; every form issued is recorded
in ``forms/issued/`` before its file is written; form files are owner-only (0600 in a 0700 folder).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from goalbook.clinical.instruments import Instrument
from goalbook.errors import GoalbookError
from goalbook.forms import issued, keys, reply
from goalbook.records import model
from goalbook.resources import data_dir

FORMS_FOLDER = "_forms"  # git-ignored, owner-only: the HTML files to send
DEFAULT_DAYS = 14


@dataclass(frozen=True)
class MadeForm:
    form_id: str
    client: str
    instruments: tuple[str, ...]
    expires: date
    path: Path
    record: str  # forms/issued/<id>.yaml


def _template_dir() -> Path:
    return data_dir("templates") / "form"


def script_text() -> str:
    folder = _template_dir()
    return (folder / "hpke.js").read_text(encoding="utf-8") + "\n" + (folder / "form.js").read_text(encoding="utf-8")


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def refusal(instrument: Instrument, practice: model.Practice) -> str | None:
    """Why ``instrument`` cannot go on a form, or None."""
    if instrument.licence.item_text != "verbatim" or any(not item.text for item in instrument.items):
        return (f"{instrument.short_name}: its licence does not let goalbook show the item wording "
                f"({instrument.licence.note}); give it on paper")
    if instrument.critical_items and not practice.safety_message:
        items = ", ".join(str(c.item) for c in instrument.critical_items)
        return (f"{instrument.short_name} has a risk item (item {items}), and goalbook.yaml has no safety_message "
                "to show the client when it is endorsed; add `safety_message:` in your own words "
                "(whom to call, when) first")
    return None


def due_instruments(client: model.Client, practice: model.Practice, within_days: int = 0,
                    respondent: str = "") -> list[str]:
    """The client's scheduled questionnaires due on or before today + ``within_days``, for the client
    themself or (``respondent``) for that respondent: each person answers their own."""
    from goalbook.views.book_views import schedule_due

    limit = practice.today + timedelta(days=within_days)
    return [d.instrument for d in schedule_due(client, practice)
            if d.due is not None and d.due <= limit and d.respondent == respondent]


def _instrument_data(instrument: Instrument) -> dict:
    return {
        "id": instrument.id,
        "name": instrument.name,
        "short_name": instrument.short_name,
        "instructions": instrument.instructions or "",
        "attribution": instrument.licence.attribution or instrument.licence.note,
        "may_miss": instrument.prorate_up_to,
        "items": [{"number": item.number, "text": item.text,
                   "options": [{"value": o.value, "label": o.label} for o in item.options]}
                  for item in instrument.items],
        "critical": [{"item": c.item, "op": c.op, "value": c.value} for c in instrument.critical_items],
    }


def _json_for_html(value: object) -> Markup:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Inside <script type="application/json"> only "</script" could end the block: escape < > &.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _words_count(n: int) -> str:
    return "one questionnaire" if n == 1 else f"{n} questionnaires"


def render_form(*, practice: model.Practice, client: model.Client, instruments: list[Instrument],
                form_id: str, expires: date, public: keys.PublicKey) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_template_dir())), autoescape=True,
                             keep_trailing_newline=True)
    script = script_text()
    info = reply.info(form_id, client.id, public.fingerprint, expires.isoformat()).decode("utf-8")
    data = {
        "form": form_id, "client": client.id, "expires": expires.isoformat(), "key": public.b64,
        "fingerprint": public.fingerprint, "info": info,
        "instruments": [_instrument_data(i) for i in instruments],
    }
    safety = Markup('<div class="safety" role="alert" hidden><strong>Please read this now</strong>{}</div>').format(
        escape(practice.safety_message)) if practice.safety_message else Markup("")
    return env.get_template("form.html.j2").render(
        practice=practice.name, instruments=[_instrument_data(i) for i in instruments],
        count_words=_words_count(len(instruments)), expires_words=f"{expires.day} {expires:%B %Y}",
        form_id=form_id, css=Markup((_template_dir() / "form.css").read_text(encoding="utf-8")),
        safety_box=safety, data_json=_json_for_html(data), script=Markup(script), script_hash=script_hash(script),
    )


def forms_folder(root: Path) -> Path:
    """``_forms/`` in the practice: owner-only, and git-ignored by a .gitignore of its own."""
    folder = root / FORMS_FOLDER
    folder.mkdir(exist_ok=True)
    folder.chmod(0o700)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# goalbook's questionnaire forms to send: never in git\n*\n", encoding="utf-8")
    return folder


def make_form(practice: model.Practice, client: model.Client, instrument_ids: list[str], *,
              output: Path | None = None, days: int = DEFAULT_DAYS, respondent: str = "") -> MadeForm:
    """Check, record as issued, and write one form. ``GoalbookError`` with the reason when refused.

    ``respondent``: who fills it in when not the client (a respondent of the client); the issued
    record keeps it, so the reply is imported as that person's answers."""
    from goalbook.records.respondents import find_respondent

    find_respondent(client, respondent)
    if client.status == "discharged":
        raise GoalbookError(f"{client.id} is discharged: goalbook makes no form for a finished course",
                            hint="set their status back to active in client.yaml if the work has resumed")
    if not instrument_ids:
        raise GoalbookError(f"nothing is due for {client.id}",
                            hint="name the questionnaires with --instrument, e.g. --instrument phq9")
    chosen: list[Instrument] = []
    for iid in dict.fromkeys(instrument_ids):
        instrument = practice.instruments.get(iid)
        if instrument is None:
            known = ", ".join(sorted(practice.instruments))
            raise GoalbookError(f"there is no questionnaire '{iid}'", hint=f"known questionnaires: {known}")
        why = refusal(instrument, practice)
        if why:
            raise GoalbookError(why)
        chosen.append(instrument)
    public, _ = keys.ensure_key_pair(practice.root)
    form_id = issued.new_form_id(practice.today)
    expires = practice.today + timedelta(days=days)
    html = render_form(practice=practice, client=client, instruments=chosen, form_id=form_id,
                       expires=expires, public=public)
    record = issued.record_issued(practice.root, issued.IssuedForm(
        form=form_id, client=client.id, issued=practice.today.isoformat(), expires=expires.isoformat(),
        questionnaires=tuple(i.id for i in chosen), key=public.fingerprint, respondent=respondent,
    ))
    path = output if output is not None else forms_folder(practice.root) / f"{client.id}-{form_id}.html"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
        out.write(html)
    os.chmod(path, 0o600)
    return MadeForm(form_id, client.id, tuple(i.id for i in chosen), expires, path, record)
