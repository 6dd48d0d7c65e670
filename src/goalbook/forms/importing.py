"""Importing a client's reply: decrypt, match it to a form this practice issued, write the answers.

Refused with one line and nothing written: a reply that is damaged or was changed (it does not
decrypt), one encrypted to another practice's key, one for a form this practice never issued, and
one already imported (saying when). A reply to an expired form is imported with a warning. Every
check runs before anything is written; then all its questionnaires are written, and the form's
record says when it was imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from goalbook.clinical.scoring import answer_problems
from goalbook.forms import issued, keys, reply
from goalbook.forms.reply import Reply, ReplyRefused
from goalbook.records import model
from goalbook.records.writer import (
    AdministrationRecord,
    FormSource,
    find_recorded,
    write_administration,
)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Imported:
    form: issued.IssuedForm
    on: date
    answered_at: str
    written: list[tuple[str, str]] = field(default_factory=list)  # (instrument, practice-relative file)
    warnings: list[str] = field(default_factory=list)


def _refuse(r: Reply, message: str) -> ReplyRefused:
    return ReplyRefused(f"{r.label}: {message}")


def prepare(practice: model.Practice, r: Reply) -> tuple[issued.IssuedForm, list[AdministrationRecord], Any]:
    """Every check before writing. Returns the form, the records to write and the decrypted payload."""
    root = practice.root
    current = keys.practice_public_key(root)
    known = issued.all_issued_keys(root) | ({current.fingerprint} if current else set())
    if not any(fp.startswith(r.key_short) for fp in known) or len(r.key_short) < 8:
        mine = f"sha256:{current.short}" if current else "none yet"
        raise _refuse(r, f"this reply is for another practice: it was encrypted to key sha256:{r.key_short}, "
                         f"and this practice's key is {mine}; nothing was written")
    form = issued.read_issued(root, r.form)
    if form is None:
        raise _refuse(r, f"form {r.form} was never issued by this practice (no {issued.ISSUED_FOLDER}/{r.form}.yaml); "
                         "nothing was written")
    if not form.key.startswith(r.key_short):
        raise _refuse(r, "the reply was changed after it was written (its key does not match the form's); "
                         "nothing was written")
    private = keys.private_key(form.key)
    if private is None:
        raise _refuse(r, f"the private key for this reply (sha256:{form.key[:16]}) is not on this computer; "
                         "import it with `goalbook keys import FILE`; nothing was written")
    payload = reply.open_reply(r, private, reply.info(form.form, form.client, form.key, form.expires))
    if form.imported:
        raise _refuse(r, f"form {form.form} was already imported on {form.imported[0]} "
                         f"(see {form.file}); nothing was written")
    client = practice.client(form.client)
    if client is None:
        raise _refuse(r, f"form {form.form} was issued for client {form.client}, who is not in this practice now; "
                         "nothing was written")
    if payload.get("form") != form.form or payload.get("client") != form.client:
        raise _refuse(r, "the reply's contents do not match its form; nothing was written")
    on_text, at = str(payload.get("answered_on", "")), str(payload.get("answered_at", ""))
    if not _DAY.match(on_text) or not re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$", at):
        raise _refuse(r, "the reply does not say when it was answered; nothing was written")
    on = date.fromisoformat(on_text)
    if on > practice.today:
        # a record dated after today would stop every build ("a session in the future")
        why = "today is fixed by `today:` in goalbook.yaml" if practice.today_fixed else "this computer's date"
        raise _refuse(r, f"the reply was answered on {on.isoformat()}, after today ({practice.today.isoformat()}, "
                         f"{why}); import it on or after {on.isoformat()}; nothing was written")
    answers = payload.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise _refuse(r, "the reply holds no answers; nothing was written")
    records = []
    for iid, given in answers.items():
        if iid not in form.questionnaires:
            raise _refuse(r, f"the reply answers {iid}, which was not on form {form.form}; nothing was written")
        instrument = practice.instruments.get(iid)
        if instrument is None:
            raise _refuse(r, f"the questionnaire {iid} is not known to this practice any more; nothing was written")
        if not isinstance(given, list) or any(not (a is None or (isinstance(a, int) and not isinstance(a, bool)))
                                              for a in given):
            raise _refuse(r, f"the answers to {iid} are not a list of numbers; nothing was written")
        problems = answer_problems(instrument, given)
        if problems:
            raise _refuse(r, f"{problems[0][1]}; nothing was written")
        record = AdministrationRecord(client.id, iid, on, tuple(given), FormSource(form.form, at),
                                      form.respondent or None)
        where = find_recorded(root, record)
        if where:
            raise _refuse(r, f"{iid} is already recorded for {on.isoformat()} in {where}; nothing was written")
        records.append(record)
    return form, records, payload


def import_reply(practice: model.Practice, r: Reply) -> Imported:
    form, records, _payload = prepare(practice, r)
    on = records[0].on
    result = Imported(form, on, records[0].source.answered_at)  # type: ignore[union-attr]
    if form.expires and on.isoformat() > form.expires:
        result.warnings.append(f"form {form.form} expired on {form.expires} and was answered on {on.isoformat()}; "
                               "imported anyway")
    for record in records:
        written = write_administration(practice.root, record, practice.instruments[record.instrument])
        result.written.append((record.instrument, f"{written.file}:{written.line}"))
    issued.mark_imported(practice.root, form)
    return result


def read_replies(sources: list[tuple[str, str]]) -> list[Reply]:
    """``sources``: (label, text) pairs. Every reply found; ``ReplyRefused`` for text without one."""
    out: list[Reply] = []
    for label, text in sources:
        out += reply.parse_replies(text, label)
    return out
