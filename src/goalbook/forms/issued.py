"""The record of forms issued, kept in the practice so git's history shows it.

One small YAML file per form, ``forms/issued/<form id>.yaml``: to whom, when, which questionnaires,
until when, and the key the replies are encrypted to. Importing a reply adds one line,
``imported: <UTC time>``, at the end of that file; no other line is ever changed.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from goalbook.errors import GoalbookError
from goalbook.records import yamlload

ISSUED_FOLDER = "forms/issued"
FORM_ID = re.compile(r"^f-\d{8}-[a-z2-7]{6}$")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass(frozen=True)
class IssuedForm:
    form: str
    client: str
    issued: str  # YYYY-MM-DD
    expires: str  # YYYY-MM-DD: the last day the form is meant to be answered
    questionnaires: tuple[str, ...]
    key: str  # sha256 fingerprint (hex) of the practice public key the reply is encrypted to
    respondent: str = ""
    imported: tuple[str, ...] = ()  # UTC times the reply was imported

    @property
    def file(self) -> str:
        return f"{ISSUED_FOLDER}/{self.form}.yaml"


def new_form_id(on: date) -> str:
    return f"f-{on.strftime('%Y%m%d')}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def record_issued(root: Path, form: IssuedForm) -> str:
    """Write ``forms/issued/<id>.yaml`` (never over an existing file); returns its practice path."""
    path = root / form.file
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# A questionnaire form goalbook issued (goalbook form): kept in git as the record of what was sent.",
        f"form: {form.form}",
        f"client: {form.client}",
    ]
    if form.respondent:
        lines.append(f"respondent: {form.respondent}")
    lines += [
        f"issued: {form.issued}",
        f"expires: {form.expires}",
        f"questionnaires: [{', '.join(form.questionnaires)}]",
        f"key: sha256:{form.key}",
    ]
    try:
        with open(path, "x", encoding="utf-8", newline="") as out:
            out.write("\n".join(lines) + "\n")
    except FileExistsError:
        raise GoalbookError(f"{form.file} already exists; try again (a new form id is drawn each time)") from None
    return form.file


def read_issued(root: Path, form_id: str) -> IssuedForm | None:
    if not FORM_ID.match(form_id):
        return None
    path = root / ISSUED_FOLDER / f"{form_id}.yaml"
    if not path.is_file():
        return None
    rel = f"{ISSUED_FOLDER}/{form_id}.yaml"
    data, problems = yamlload.load_yaml(path, rel)
    if not isinstance(data, dict) or [p for p in problems if p.is_error]:
        raise GoalbookError(f"{rel} cannot be read as a record of an issued form",
                            hint="restore it from git (`git checkout -- " + rel + "`)")
    key = str(data.get("key", ""))
    imported = data.get("imported")
    imported_list = imported if isinstance(imported, list) else ([imported] if imported else [])
    return IssuedForm(
        form=str(data.get("form", "")), client=str(data.get("client", "")), issued=str(data.get("issued", "")),
        expires=str(data.get("expires", "")), questionnaires=tuple(str(q) for q in data.get("questionnaires") or ()),
        key=key.removeprefix("sha256:"), respondent=str(data.get("respondent") or ""),
        imported=tuple(str(t) for t in imported_list),
    )


def all_issued_keys(root: Path) -> set[str]:
    """Fingerprints of every key this practice has issued forms for."""
    folder = root / ISSUED_FOLDER
    out = set()
    if folder.is_dir():
        for path in folder.glob("f-*.yaml"):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("key: sha256:"):
                    out.add(line.removeprefix("key: sha256:").strip())
    return out


def mark_imported(root: Path, form: IssuedForm, when: datetime | None = None) -> str:
    """Append ``imported: <UTC time>`` to the form's record; returns the time written."""
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%MZ")
    path = root / form.file
    old = path.read_text(encoding="utf-8")
    separator = "" if old.endswith("\n") else "\n"
    temporary = path.with_name(f".{path.name}.goalbook-new")
    with open(temporary, "x", encoding="utf-8", newline="") as out:
        out.write(f'{old}{separator}imported: "{stamp}"\n')
    os.replace(temporary, path)
    return stamp
