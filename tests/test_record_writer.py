"""The record writer: one administration into the day's record, no other line changed."""

from __future__ import annotations

from datetime import date

import pytest

from goalbook.checks import check_practice
from goalbook.clinical.instruments import load_instruments
from goalbook.errors import GoalbookError
from goalbook.records import load
from goalbook.records.writer import (
    AdministrationRecord,
    AlreadyRecorded,
    EnteredSource,
    FormSource,
    write_administration,
)
from goalbook.views import book_views
from goalbook.views.score_views import treatment_appointments

CLIENT = """\
id: ab
name: A. B.
clinician: tc
start_date: 2026-01-05
status: active
questionnaires:
  - instrument: gad7
    every_weeks: 2
"""

SESSION = """\
# a comment that must survive
date: 2026-03-02
time: "10:00"
kind: session
questionnaires:
  gad7: [2, 2, 1, 3, 1, 0, 2]   # trailing comment

  # a comment after the mapping
measurements:
notes: |
  Talked about the week.
"""

PHQ9 = (1, 0, 2, 1, 0, 0, 1, 0, 0)
FORM = FormSource("f-20260302-k3q7", "2026-03-02T09:14Z")


def _record(**kw) -> AdministrationRecord:
    values = {"client_id": "ab", "instrument": "phq9", "on": date(2026, 3, 2), "answers": PHQ9, "source": FORM}
    values.update(kw)
    return AdministrationRecord(**values)


def _practice(make_practice, session: str | None = SESSION):
    files = {"clients/ab/client.yaml": CLIENT}
    if session is not None:
        files["clients/ab/sessions/2026-03-02.yaml"] = session
    return make_practice(files)


def test_adds_to_the_days_contact_without_changing_a_line(make_practice):
    root = _practice(make_practice)
    path = root / "clients/ab/sessions/2026-03-02.yaml"
    before = path.read_text().splitlines()
    written = write_administration(root, _record())
    after = path.read_text().splitlines()
    assert written.file == "clients/ab/sessions/2026-03-02.yaml" and not written.created
    inserted = after[written.line - 1: written.line - 1 + 3]
    assert inserted == [
        "  phq9:",
        "    answers: [1, 0, 2, 1, 0, 0, 1, 0, 0]",
        '    source: {form: f-20260302-k3q7, answered_at: "2026-03-02T09:14Z"}',
    ]
    # Every old line is still there, in order, and only three lines were added right after gad7.
    assert after[:written.line - 1] + after[written.line + 2:] == before
    assert after[written.line - 2].startswith("  gad7:")
    practice, problems = load.load_practice(root)
    assert not [p for p in problems if p.severity == "error"], problems
    (session,) = practice.clients[0].sessions
    phq = next(a for a in session.administrations if a.instrument == "phq9")
    assert phq.answers == PHQ9 and phq.form == "f-20260302-k3q7" and phq.answered_at == "2026-03-02T09:14Z"


def test_without_a_contact_it_makes_a_self_report_that_is_not_an_appointment(make_practice):
    root = _practice(make_practice, session=None)
    written = write_administration(root, _record())
    assert written.created and written.file == "clients/ab/sessions/2026-03-02-self-report.yaml"
    practice, problems = load.load_practice(root)
    assert not [p for p in problems if p.severity == "error"], problems
    client = practice.clients[0]
    (session,) = client.sessions
    assert session.kind == "self-report"
    # Not a contact: no attended appointment, "last contact" not set, no NHS treatment appointment.
    assert book_views.last_contact(client) is None
    assert treatment_appointments(client) == 0
    assert (root / written.file).read_text().startswith("# yaml-language-server: $schema=")


def test_the_same_instrument_twice_that_day_is_refused_naming_the_line(make_practice):
    root = _practice(make_practice)
    path = root / "clients/ab/sessions/2026-03-02.yaml"
    before = path.read_bytes()
    with pytest.raises(AlreadyRecorded, match=r"gad7 is already recorded for 2026-03-02 in "
                                              r"clients/ab/sessions/2026-03-02.yaml:6"):
        write_administration(root, _record(instrument="gad7", answers=(0,) * 7))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["2026-03-02.yaml"]


def test_another_respondent_same_instrument_goes_beside_it(make_practice):
    root = _practice(make_practice)
    first = write_administration(root, _record(instrument="gad7", answers=(1,) * 7, respondent="partner"))
    assert first.file == "clients/ab/sessions/2026-03-02-self-report.yaml"
    with pytest.raises(AlreadyRecorded, match="by partner"):
        write_administration(root, _record(instrument="gad7", answers=(1,) * 7, respondent="partner"))
    # Another measure from them goes into the day's contact first, which has room for it.
    second = write_administration(root, _record(respondent="partner", source=EnteredSource("paper")))
    assert second.file == "clients/ab/sessions/2026-03-02.yaml"
    practice, problems = load.load_practice(root)
    assert not [p for p in problems if p.severity == "error"], problems
    by_kind = {s.kind: s for s in practice.clients[0].sessions}
    assert [(a.instrument, a.respondent, a.entered) for a in by_kind["self-report"].administrations] == [
        ("gad7", "partner", "")]
    assert [(a.instrument, a.respondent, a.entered) for a in by_kind["session"].administrations] == [
        ("gad7", "", ""), ("phq9", "partner", "paper")]


def test_a_file_without_questionnaires_gets_them_at_the_end(make_practice):
    root = _practice(make_practice, session="date: 2026-03-02\nkind: session\nnotes: |\n  Hello.\n")
    written = write_administration(root, _record(source=None))
    text = (root / written.file).read_text()
    assert text == ("date: 2026-03-02\nkind: session\nnotes: |\n  Hello.\n"
                    "questionnaires:\n  phq9: [1, 0, 2, 1, 0, 0, 1, 0, 0]\n")


def test_a_one_line_flow_mapping_is_left_alone(make_practice):
    root = _practice(make_practice, session="date: 2026-03-02\nkind: session\nquestionnaires: {gad7: {total: 9}}\n")
    written = write_administration(root, _record())
    assert written.file.endswith("2026-03-02-self-report.yaml")
    assert (root / "clients/ab/sessions/2026-03-02.yaml").read_text().endswith("{gad7: {total: 9}}\n")


def test_a_did_not_attend_file_is_not_written_into(make_practice):
    root = _practice(make_practice, session="date: 2026-03-02\nkind: did-not-attend\n")
    written = write_administration(root, _record())
    assert written.file.endswith("-self-report.yaml")


def test_answers_that_do_not_fit_the_instrument_are_refused(make_practice):
    root = _practice(make_practice)
    instruments, _ = load_instruments(root)
    before = (root / "clients/ab/sessions/2026-03-02.yaml").read_bytes()
    with pytest.raises(GoalbookError, match="PHQ-9 has 9 items; this lists 3 answers"):
        write_administration(root, _record(answers=(1, 1, 1)), instruments["phq9"])
    assert (root / "clients/ab/sessions/2026-03-02.yaml").read_bytes() == before


def test_old_session_files_stay_valid(example_copy):
    _, problems = load.load_practice(example_copy)
    assert not [p for p in problems if p.severity == "error"]


def test_check_points_into_the_longer_shape(make_practice):
    session = SESSION.replace("  gad7: [2, 2, 1, 3, 1, 0, 2]   # trailing comment\n",
                              "  gad7:\n    answers: [2, 2, 1, 3, 1, 0, 9]\n    source: {entered: paper}\n")
    root = _practice(make_practice, session)
    _, problems = check_practice(root)
    (bad,) = [p for p in problems if p.severity == "error"]
    # Item 7 of `answers` (line 7 of the file, column 33 where the 9 is: 13 characters of "    answers: ", the bracket,
    # then 7 items 3 apart from column 15), not the instrument key.
    assert (bad.path, bad.line, bad.column) == ("clients/ab/sessions/2026-03-02.yaml", 7, 33)
    assert "answer 9 to item 7" in bad.message


def test_a_self_report_is_shown_without_the_missed_contact_warning(make_practice):
    root = _practice(make_practice, session=None)
    write_administration(root, _record())
    _, problems = check_practice(root)
    assert not [p for p in problems if p.code == "data-without-contact"]
    practice, _ = load.load_practice(root)
    from goalbook.render.session_items import NOT_HELD, session_item
    view = book_views.client_view(practice, practice.clients[0])
    html = "".join(session_item(s) for s in view.sessions)
    assert NOT_HELD not in html and "Answered without a contact" in html and "PHQ-9" in html
