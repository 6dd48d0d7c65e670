"""Forms, keys, encrypted replies and import, without a browser (tests/test_browser_forms.py has it).

A reply is made here the way the page makes it: HPKE base mode to the practice's public key with the
form's info, through ``reply.seal`` (the `cryptography` package's HPKE), then ``reply.reply_text``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import stat

import pytest
from click.testing import CliRunner

from goalbook.cli import main
from goalbook.forms import issued, keys, reply

SAFETY = "If you are thinking of harming yourself, call your GP today, or 999 in an emergency."
SETTINGS = f"""\
name: Test Practice
clinicians:
  - id: tc
    name: Test Clinician
today: 2026-03-31
safety_message: "{SAFETY}"
"""
CLIENT = """\
id: ab
name: A. B.
clinician: tc
start_date: 2026-01-05
status: active
questionnaires:
  - instrument: gad7
    every_weeks: 2
  - instrument: phq9
    every_weeks: 4
"""
FIRST = """\
date: 2026-01-05
kind: intake
questionnaires:
  gad7: [3, 3, 2, 3, 2, 2, 3]
  phq9: [2, 2, 2, 2, 1, 2, 2, 1, 0]
"""
PHQ9 = [1, 1, 1, 0, 1, 1, 0, 0, 0]  # total 5
GAD7 = [1, 1, 1, 1, 1, 1, 1]  # total 7


@pytest.fixture
def practice(make_practice, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return make_practice({"goalbook.yaml": SETTINGS, "clients/ab/client.yaml": CLIENT,
                          "clients/ab/sessions/2026-01-05.yaml": FIRST})


def run(root, *args, input=None):
    return CliRunner().invoke(main, [*args, "--practice", str(root)], input=input)


def make_form(root, *instruments) -> tuple[str, str]:
    args = ["form", "ab"] + [x for i in instruments for x in ("--instrument", i)]
    result = run(root, *args)
    assert result.exit_code == 0, result.output
    form_id = re.search(r"form (f-\d{8}-[a-z2-7]{6})", result.output).group(1)
    return form_id, (root / "_forms" / f"ab-{form_id}.html").read_text()


def client_reply(root, form_id: str, answers: dict, on: str = "2026-03-31", at: str = "2026-03-31T08:30Z",
                 public: keys.PublicKey | None = None) -> str:
    """What the page sends: the payload sealed to the key named in the form's record."""
    form = issued.read_issued(root, form_id)
    public = public or keys.practice_public_key(root)
    payload = json.dumps({"v": 1, "form": form_id, "client": form.client, "answered_at": at,
                          "answered_on": on, "answers": answers}).encode()
    sealed = reply.seal(payload, public.raw, reply.info(form_id, form.client, public.fingerprint, form.expires))
    return reply.reply_text(form_id, public.fingerprint, sealed)


def session_files(root) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "clients/ab/sessions").iterdir())}


# --- The form ------------------------------------------------------------------------------------


def test_form_is_self_contained_with_its_script_allowed_by_hash_only(practice):
    form_id, html = make_form(practice, "phq9", "gad7")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert csp.startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe-eval" not in csp and "connect-src" not in csp
    # The one executable script is exactly the one the hash allows.
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert not re.search(r"<(link|img|iframe)\b|src=|localStorage|sessionStorage|indexedDB|fetch\(", html)
    # Item wording verbatim from the definition, with the attribution.
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in html
    assert "Copyright © Pfizer Inc." in html
    assert "seen only when your therapist receives them" in html
    assert SAFETY in html
    data = json.loads(re.search(r'<script type="application/json" id="form-data">(.*?)</script>', html,
                                re.DOTALL).group(1))
    assert data["form"] == form_id and data["client"] == "ab"
    assert data["fingerprint"] == keys.practice_public_key(practice).fingerprint
    assert data["info"] == reply.info(form_id, "ab", data["fingerprint"], "2026-04-14").decode()
    assert [i["id"] for i in data["instruments"]] == ["phq9", "gad7"]
    assert data["instruments"][0]["critical"] == [{"item": 9, "op": ">", "value": 0}]


def test_form_file_is_owner_only_and_git_ignored_and_recorded(practice):
    form_id, _ = make_form(practice, "gad7")
    folder = practice / "_forms"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / f"ab-{form_id}.html").stat().st_mode) == 0o600
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    record = (practice / "forms/issued" / f"{form_id}.yaml").read_text()
    assert "client: ab\nissued: 2026-03-31\nexpires: 2026-04-14\nquestionnaires: [gad7]\n" in record


def test_form_takes_the_due_questionnaires_by_default(practice):
    # Both were given on 2026-01-05: gad7 due 2026-01-19, phq9 due 2026-02-02, both before 2026-03-31.
    _, html = make_form(practice)
    assert "Generalized Anxiety Disorder" in html and "Patient Health Questionnaire" in html


def test_licence_without_wording_is_refused_with_its_reason(practice):
    result = run(practice, "form", "ab", "--instrument", "dass21")
    assert result.exit_code != 0
    assert "DASS-21: its licence does not let goalbook show the item wording" in result.output
    assert "give it on paper" in result.output
    assert not (practice / "forms/issued").exists()


def test_risk_item_needs_a_safety_message(make_practice, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    root = make_practice({"goalbook.yaml": SETTINGS.replace(f'safety_message: "{SAFETY}"\n', ""),
                          "clients/ab/client.yaml": CLIENT})
    result = run(root, "form", "ab", "--instrument", "phq9")
    assert result.exit_code != 0 and "PHQ-9 has a risk item (item 9)" in result.output
    assert "safety_message" in result.output
    assert run(root, "form", "ab", "--instrument", "gad7").exit_code == 0  # no risk item: fine


def test_form_due_writes_one_per_client_with_something_due(practice):
    result = run(practice, "form", "--due")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ab: _forms/ab-f-20260331-") and "1 form written" in result.output


# --- Keys ------------------------------------------------------------------------------------------


def test_private_key_lives_outside_the_practice_owner_only(practice, tmp_path):
    make_form(practice, "gad7")
    public = keys.practice_public_key(practice)
    private = tmp_path / "config/goalbook/keys" / f"{public.fingerprint}.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(private.parent.stat().st_mode) == 0o700
    assert not [p for p in practice.rglob("*") if p.is_file() and b"PRIVATE KEY" in p.read_bytes()]


def test_keys_export_import_with_a_passphrase(practice, tmp_path, monkeypatch):
    make_form(practice, "gad7")
    public = keys.practice_public_key(practice)
    monkeypatch.setenv("GOALBOOK_PASSPHRASE", "short")
    assert "too short" in run(practice, "keys", "export", str(tmp_path / "k.pem")).output
    monkeypatch.setenv("GOALBOOK_PASSPHRASE", "correct horse battery staple")
    result = run(practice, "keys", "export", str(tmp_path / "k.pem"))
    assert result.exit_code == 0, result.output
    exported = (tmp_path / "k.pem").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in exported
    # A second computer: an empty config folder, then the import.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "second"))
    assert not keys.has_private_key(public.fingerprint)
    monkeypatch.setenv("GOALBOOK_PASSPHRASE", "wrong horse battery staple")
    assert "wrong passphrase" in run(practice, "keys", "import", str(tmp_path / "k.pem")).output
    monkeypatch.setenv("GOALBOOK_PASSPHRASE", "correct horse battery staple")
    result = run(practice, "keys", "import", str(tmp_path / "k.pem"))
    assert result.exit_code == 0 and "this practice's key" in result.output
    assert keys.has_private_key(public.fingerprint)


def test_export_refuses_a_file_inside_the_practice(practice, monkeypatch):
    make_form(practice, "gad7")
    monkeypatch.setenv("GOALBOOK_PASSPHRASE", "correct horse battery staple")
    result = run(practice, "keys", "export", str(practice / "key.pem"))
    assert result.exit_code != 0 and "inside the practice" in result.output
    assert not (practice / "key.pem").exists()


# --- Import ----------------------------------------------------------------------------------------


def test_import_writes_the_answers_and_prints_scores(practice, tmp_path):
    form_id, _ = make_form(practice, "phq9", "gad7")
    (tmp_path / "r.txt").write_text(client_reply(practice, form_id, {"phq9": PHQ9, "gad7": GAD7}))
    result = run(practice, "import", str(tmp_path / "r.txt"))
    assert result.exit_code == 0, result.output
    text = (practice / "clients/ab/sessions/2026-03-31-self-report.yaml").read_text()
    assert f'    source: {{form: {form_id}, answered_at: "2026-03-31T08:30Z"}}' in text
    # PHQ-9 1+1+1+0+1+1+0+0+0 = 5 → "Mild" (5–9); first 2+2+2+2+1+2+2+1+0 = 14: −9, reliable (≥ 6).
    assert "PHQ-9: 5, Mild, below the cut-off" in result.output
    assert "reliable improvement: −9 points" in result.output
    # GAD-7 7 × 1 = 7 → "Mild" (5–9); first 3+3+2+3+2+2+3 = 18: −11, reliable (≥ 4).
    assert "GAD-7: 7, Mild" in result.output and "reliable improvement: −11 points" in result.output
    assert re.search(r'^imported: "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z"$',
                     (practice / "forms/issued" / f"{form_id}.yaml").read_text(), re.MULTILINE)


def test_flag_is_printed(practice):
    form_id, _ = make_form(practice, "phq9")
    flagged = PHQ9[:8] + [1]
    result = run(practice, "import", input=client_reply(practice, form_id, {"phq9": flagged}))
    assert result.exit_code == 0, result.output
    assert "FLAG PHQ-9 item 9 answered 1" in result.output


def test_tampered_reply_is_refused_and_nothing_written(practice, tmp_path):
    form_id, _ = make_form(practice, "gad7")
    text = client_reply(practice, form_id, {"gad7": GAD7})
    lines = text.splitlines()
    body = lines[3]
    raw = bytearray(base64.b64decode(body[:60]))
    raw[20] ^= 0x01  # one byte of the ciphertext
    lines[3] = base64.b64encode(bytes(raw)).decode() + body[60:]
    before = session_files(practice)
    result = run(practice, "import", input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    assert "the reply was changed after it was written (it does not decrypt); nothing was written" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert session_files(practice) == before
    assert "imported:" not in (practice / "forms/issued" / f"{form_id}.yaml").read_text()


def test_a_changed_header_does_not_decrypt(practice):
    # Two forms for the same client; a reply to one relabelled as the other is refused (info binds the id).
    first, _ = make_form(practice, "gad7")
    second, _ = make_form(practice, "gad7")
    text = client_reply(practice, first, {"gad7": GAD7}).replace(f"form: {first}", f"form: {second}")
    result = run(practice, "import", input=text)
    assert result.exit_code == 1 and "does not decrypt" in result.output


def test_replayed_reply_is_refused_saying_when(practice):
    form_id, _ = make_form(practice, "gad7")
    text = client_reply(practice, form_id, {"gad7": GAD7})
    assert run(practice, "import", input=text).exit_code == 0
    before = session_files(practice)
    result = run(practice, "import", input=text)
    assert result.exit_code == 1
    assert re.search(rf"form {form_id} was already imported on \d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}Z", result.output)
    assert session_files(practice) == before


def test_another_practices_reply_is_refused(practice, make_practice, tmp_path):
    form_id, _ = make_form(practice, "gad7")
    other = make_practice({"goalbook.yaml": SETTINGS, "clients/ab/client.yaml": CLIENT}, root=tmp_path / "other")
    make_form(other, "gad7")
    text = client_reply(practice, form_id, {"gad7": GAD7})
    result = run(other, "import", input=text)
    assert result.exit_code == 1 and "this reply is for another practice" in result.output
    assert not (other / "clients/ab/sessions").exists() or not list((other / "clients/ab/sessions").iterdir())


def test_unissued_form_is_refused(practice):
    form_id, _ = make_form(practice, "gad7")
    text = client_reply(practice, form_id, {"gad7": GAD7})
    (practice / "forms/issued" / f"{form_id}.yaml").unlink()
    result = run(practice, "import", input=text)
    assert result.exit_code == 1 and f"form {form_id} was never issued by this practice" in result.output
    assert list((practice / "clients/ab/sessions").iterdir()) == [practice / "clients/ab/sessions/2026-01-05.yaml"]


def test_expired_form_is_imported_with_a_warning(practice):
    form_id, _ = make_form(practice, "gad7")  # valid until 2026-04-14
    settings = practice / "goalbook.yaml"  # three weeks later
    settings.write_text(settings.read_text().replace("today: 2026-03-31", "today: 2026-04-21"))
    result = run(practice, "import", input=client_reply(practice, form_id, {"gad7": GAD7}, on="2026-04-20",
                                                           at="2026-04-20T07:00Z"))
    assert result.exit_code == 0, result.output
    assert f"warning: form {form_id} expired on 2026-04-14 and was answered on 2026-04-20; imported anyway" \
        in result.output
    assert (practice / "clients/ab/sessions/2026-04-20-self-report.yaml").is_file()


def test_not_a_reply(practice):
    result = run(practice, "import", input="hello\n")
    assert result.exit_code == 1 and "not a goalbook reply" in result.output


def test_no_form_for_a_discharged_client(practice):
    client = practice / "clients/ab/client.yaml"
    client.write_text(client.read_text().replace("status: active", "status: discharged\nend_date: 2026-03-01"))
    result = run(practice, "form", "ab", "--instrument", "gad7")
    assert result.exit_code != 0 and "ab is discharged" in result.output
    assert not (practice / "forms/issued").exists()


def test_replies_to_forms_made_before_a_new_key_still_import(practice):
    old_form, _ = make_form(practice, "gad7")
    old_key = keys.practice_public_key(practice)
    text = client_reply(practice, old_form, {"gad7": GAD7})
    assert run(practice, "keys", "new").exit_code != 0  # a key exists: --replace is needed
    assert run(practice, "keys", "new", "--replace").exit_code == 0
    assert keys.practice_public_key(practice).fingerprint != old_key.fingerprint
    result = run(practice, "import", input=text)
    assert result.exit_code == 0, result.output


def test_a_respondents_reply_is_recorded_as_theirs(practice):
    client = practice / "clients/ab/client.yaml"
    client.write_text(client.read_text() + "respondents:\n  - id: sam\n    name: Sam\n    relation: partner\n")
    result = run(practice, "form", "ab", "--instrument", "gad7", "--respondent", "sam")
    assert result.exit_code == 0, result.output
    form_id = re.search(r"form (f-\d{8}-[a-z2-7]{6})", result.output).group(1)
    result = run(practice, "import", input=client_reply(practice, form_id, {"gad7": GAD7}))
    assert result.exit_code == 0, result.output
    text = (practice / "clients/ab/sessions/2026-03-31-self-report.yaml").read_text()
    assert "    respondent: sam\n" in text
    # Sam's first GAD-7: no change line (the client's own earlier GAD-7 is another series).
    assert "GAD-7: 7, Mild" in result.output and "since" not in result.output


def test_a_reply_answered_after_today_is_refused_and_nothing_written(practice):
    # today is fixed at 2026-03-31; a record dated 2026-04-02 would be "a session in the future" and
    # stop every build, so import refuses it before writing.
    form_id, _ = make_form(practice, "gad7")
    before = session_files(practice)
    result = run(practice, "import", input=client_reply(practice, form_id, {"gad7": GAD7}, on="2026-04-02",
                                                           at="2026-04-02T07:00Z"))
    assert result.exit_code == 1
    assert ("the reply was answered on 2026-04-02, after today (2026-03-31, today is fixed by `today:` in "
            "goalbook.yaml); import it on or after 2026-04-02; nothing was written") in result.output
    assert session_files(practice) == before
    assert "imported:" not in (practice / "forms/issued" / f"{form_id}.yaml").read_text()


def test_a_named_pipe_given_as_the_reply_is_refused_without_waiting(practice, tmp_path):
    import os
    pipe = tmp_path / "reply.txt"
    os.mkfifo(pipe)  # nobody writes to it: reading it would wait for ever
    result = run(practice, "import", str(pipe))
    assert result.exit_code == 2  # a usage mistake, as an unreadable file is
    assert f"{pipe}: a named pipe (FIFO), not a reply file" in result.output
