"""Questionnaires answered by someone other than the client (a partner, a parent, a teacher).

Each respondent's answers are a series of their own: change is first → latest within it, the book
shows one section per respondent (side by side for the same questionnaire), and the NHS paired
outcome and the caseload alerts read the client's own answers only — unless the schedule gives the
questionnaire to the respondent. Values worked out by hand in the comments.
"""

from __future__ import annotations

import textwrap
from datetime import date

from goalbook.build import build_book
from goalbook.checks import check_practice
from goalbook.records.model import Practice
from goalbook.views import book_views as analysis

CLIENT = textwrap.dedent("""\
    id: ana-r
    name: Ana R.
    clinician: tc
    start_date: 2026-01-05
    status: active
    respondents:
      - id: sam
        name: Sam
        relation: partner
    questionnaires:
      - instrument: gad7
        every_weeks: 12
    """)


def couple(make_practice, client_yaml: str = CLIENT) -> Practice:
    """Ana's own GAD-7 and PHQ-9 at sessions on 12 Jan and 16 Mar 2026 (and a session on 26 Jan), and
    her partner Sam's answers to the same questionnaires on the same days, as the record writer
    records them (a self-report file of the day, since the session file already holds Ana's)."""
    files = {
        "clients/ana-r/client.yaml": client_yaml,
        # GAD-7 2×7 = 14; PHQ-9 2×6 = 12 (item 9 answered 0).
        "clients/ana-r/sessions/2026-01-12.yaml": """\
            date: 2026-01-12
            kind: session
            questionnaires:
              gad7: [2, 2, 2, 2, 2, 2, 2]
              phq9: [2, 2, 2, 2, 2, 2, 0, 0, 0]
            """,
        "clients/ana-r/sessions/2026-01-26.yaml": "date: 2026-01-26\nkind: session\n",
        # GAD-7 1×7 = 7; PHQ-9 1×4 = 4.
        "clients/ana-r/sessions/2026-03-16.yaml": """\
            date: 2026-03-16
            kind: session
            questionnaires:
              gad7: [1, 1, 1, 1, 1, 1, 1]
              phq9: [1, 1, 1, 1, 0, 0, 0, 0, 0]
            """,
        # Sam: GAD-7 1×7 = 7, then 2×6 + 1 = 13; PHQ-9 2×6 = 12, then 2×8 + 1 (item 9) = 17.
        "clients/ana-r/sessions/2026-01-12-self-report.yaml": sam("2026-01-12", "[1, 1, 1, 1, 1, 1, 1]",
                                                                  "[2, 2, 2, 2, 2, 2, 0, 0, 0]"),
        "clients/ana-r/sessions/2026-03-16-self-report.yaml": sam("2026-03-16", "[2, 2, 2, 2, 2, 2, 1]",
                                                                  "[2, 2, 2, 2, 2, 2, 2, 2, 1]"),
    }
    practice, problems = check_practice(make_practice(files))
    assert practice is not None and not [p for p in problems if p.is_error], problems
    return practice


def sam(day: str, gad7: str, phq9: str) -> str:
    return (f"date: {day}\nkind: self-report\nquestionnaires:\n"
            f"  gad7:\n    answers: {gad7}\n    source: {{entered: paper}}\n    respondent: sam\n"
            f"  phq9:\n    answers: {phq9}\n    source: {{entered: paper}}\n    respondent: sam\n")


def view(practice: Practice, audience: analysis.Audience = "clinician") -> analysis.ClientView:
    client = practice.client("ana-r")
    assert client is not None
    return analysis.client_view(practice, client, audience=audience)


def test_each_respondent_is_a_series_of_their_own(make_practice):
    v = view(couple(make_practice))
    gad = [iv for iv in v.instruments if iv.id == "gad7"]
    assert [(iv.respondent, iv.anchor, iv.answered_by) for iv in gad] == [
        ("", "questionnaire-gad7", "Ana R. (client)"),
        ("sam", "questionnaire-gad7-sam", "Sam (partner)"),
    ]
    ana, sam = gad
    assert [r.total for r in ana.rows] == [14, 7]
    assert [r.total for r in sam.rows] == [7, 13]
    # Ana 14 → 7 = −7, Sam 7 → 13 = +6: each from their own first answers (GAD-7 reliable change ≥ 4),
    # never Sam's latest against Ana's first (14 → 13 = −1).
    assert ana.rows[-1].delta_text == "−7" and ana.rows[-1].reliable == "improvement"
    assert sam.rows[-1].delta_text == "+6" and sam.rows[-1].reliable == "deterioration"
    # Row anchors say whose answers they are: two rows of one day must not share an id.
    assert [r.anchor for r in sam.rows] == ["adm-gad7-sam-2026-01-12-self-report",
                                           "adm-gad7-sam-2026-03-16-self-report"]
    assert [[iv.label for iv in group] for group in v.instrument_groups] == [
        ["GAD-7, Ana R. (client)", "GAD-7, Sam (partner)"],
        ["PHQ-9, Ana R. (client)", "PHQ-9, Sam (partner)"],
    ]


def test_a_questionnaire_only_the_client_answered_is_not_labelled(make_practice):
    practice = couple(make_practice)
    client = practice.client("ana-r")
    assert client is not None
    client.sessions = [s for s in client.sessions if s.kind != "self-report"]  # Sam answered nothing after all
    assert [(iv.id, iv.answered_by, iv.label) for iv in view(practice).instruments] == [
        ("gad7", "", "GAD-7"), ("phq9", "", "PHQ-9")]


def test_the_nhs_outcome_pairs_the_clients_own_answers(make_practice):
    nhs = view(couple(make_practice)).nhs
    # Ana: PHQ-9 12 → 4, GAD-7 14 → 7 (Sam's 12 → 17 and 7 → 13 are not hers).
    assert nhs is not None and nhs.phq9 == ("12", "4") and nhs.gad7 == ("14", "7")
    # Caseness at the start (12 ≥ 10); 4 ≤ 9 and 7 ≤ 7 at the end: recovered; −8 ≥ 6 and −7 ≥ 4: reliable.
    assert "reliable recovery" in nhs.summary


def test_another_respondents_change_raises_no_alert_but_their_critical_item_does(make_practice):
    v = view(couple(make_practice))
    # Sam's GAD-7 rose reliably (+6): his change is on the page, not a caseload alert about Ana.
    assert [a for a in v.alerts if a.kind == "deterioration"] == []
    # His PHQ-9 item 9 was answered 1 (> 0) on 16 Mar: every endorsed critical item alerts, whoever
    # answered — named as his, so nobody reads it as Ana's.
    [alert] = [a for a in v.alerts if a.kind == "critical-item"]
    assert alert.anchor == "adm-phq9-sam-2026-03-16-self-report"
    assert alert.why.startswith("PHQ-9, Sam (partner) on 16 Mar 2026")
    assert v.past_flags == []  # the latest endorsement is the alert, not an earlier flag


def test_a_questionnaire_scheduled_for_the_respondent_raises_alerts_from_their_answers(make_practice):
    scheduled = CLIENT + "  - instrument: gad7\n    every_weeks: 12\n    respondent: sam\n"
    v = view(couple(make_practice, scheduled))
    alerts = [a for a in v.alerts if a.kind == "deterioration"]
    # Sam's GAD-7 7 → 13 = +6 ≥ 4: reliable deterioration, and GAD-7 is given to Sam by the schedule.
    assert [(a.when, a.anchor) for a in alerts] == [(date(2026, 3, 16), "adm-gad7-sam-2026-03-16-self-report")]
    assert alerts[0].why.startswith("GAD-7, Sam (partner) 7 → 13 since 12 Jan 2026")
    # Sam's item 9 alerts whether or not the PHQ-9 is scheduled for him.
    assert [a.anchor for a in v.alerts if a.kind == "critical-item"] == ["adm-phq9-sam-2026-03-16-self-report"]


def test_the_schedule_is_due_per_respondent(make_practice):
    scheduled = CLIENT + "  - instrument: gad7\n    every_weeks: 4\n    respondent: sam\n"
    v = view(couple(make_practice, scheduled))
    # Ana: every 12 weeks from 16 Mar → 8 Jun. Sam: every 4 weeks from his own last (16 Mar) → 13 Apr.
    assert [(d.name, d.last, d.due, d.anchor) for d in v.schedule] == [
        ("GAD-7", date(2026, 3, 16), date(2026, 6, 8), "questionnaire-gad7"),
        ("GAD-7, Sam (partner)", date(2026, 3, 16), date(2026, 4, 13), "questionnaire-gad7-sam"),
    ]


def test_the_session_timeline_says_who_answered(make_practice):
    v = view(couple(make_practice))
    march = [s.questionnaires for s in v.sessions if s.date == date(2026, 3, 16)]
    assert march == [  # newest first: the session file, then the self-report file sorted before it
        [("GAD-7", "7", "adm-gad7-2026-03-16"), ("PHQ-9", "4", "adm-phq9-2026-03-16")],
        [("GAD-7, Sam (partner)", "13", "adm-gad7-sam-2026-03-16-self-report"),
         ("PHQ-9, Sam (partner)", "17", "adm-phq9-sam-2026-03-16-self-report")],
    ]


def test_the_share_page_holds_the_clients_own_answers_only(make_practice):
    v = view(couple(make_practice), audience="client")
    assert [(iv.id, iv.respondent, iv.answered_by) for iv in v.instruments] == [("gad7", "", ""), ("phq9", "", "")]


def test_the_clients_page_shows_two_partners_side_by_side(make_practice):
    practice = couple(make_practice)
    build_book(practice.root)
    page = (practice.root / "_book" / "clients" / "ana-r.html").read_text(encoding="utf-8")
    block = page[page.index('<div class="side-by-side"'):]
    block = block[:block.index("</div>\n", block.index('id="questionnaire-gad7-sam"'))]
    # One group for GAD-7 holding Ana's section, then Sam's: each says who answered, in words.
    assert 'aria-label="GAD-7: Ana R. (client) and Sam (partner)"' in block
    assert block.index('id="questionnaire-gad7"') < block.index('id="questionnaire-gad7-sam"')
    assert "answered by Ana R. (client)" in block and "answered by Sam (partner)" in block
    # Each chart is named for its series (screen readers and a grey print tell them apart).
    assert "GAD-7, Ana R. (client) totals over time" in block and "GAD-7, Sam (partner) totals over time" in block
    shared = build_book(practice.root, client="ana-r", share=True)
    assert shared.out is not None and "Sam" not in shared.out.read_text(encoding="utf-8")


def test_a_web_form_made_for_the_partner_comes_back_as_his_answers(make_practice, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from test_forms import SETTINGS, client_reply

    from goalbook.cli import main
    from goalbook.forms import issued

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    root = make_practice({"goalbook.yaml": SETTINGS, "clients/ana-r/client.yaml": CLIENT,
                          "clients/ana-r/sessions/2026-01-12.yaml": "date: 2026-01-12\nkind: session\n"
                          "questionnaires:\n  gad7: [2, 2, 2, 2, 2, 2, 2]\n"})
    made = CliRunner().invoke(main, ["form", "ana-r", "--instrument", "gad7", "--respondent", "sam",
                                     "--practice", str(root)])
    assert made.exit_code == 0, made.output
    assert "; for Sam (partner) to fill in)" in made.output
    form_id = made.output.split("form ", 1)[1].split(",", 1)[0]
    assert issued.read_issued(root, form_id).respondent == "sam"
    (tmp_path / "r.txt").write_text(client_reply(root, form_id, {"gad7": [1, 1, 1, 1, 1, 1, 1]},
                                                 on="2026-03-30", at="2026-03-30T08:30Z"))
    imported = CliRunner().invoke(main, ["import", str(tmp_path / "r.txt"), "--practice", str(root)])
    assert imported.exit_code == 0, imported.output
    practice, problems = check_practice(root)
    assert practice is not None and not [p for p in problems if p.is_error], problems
    client = practice.client("ana-r")
    # Sam's 1×7 = 7 is his first GAD-7; Ana's own series still holds only her 14.
    assert [(a.date, a.answers) for a in client.administrations("gad7", "sam")] == [
        (date(2026, 3, 30), (1, 1, 1, 1, 1, 1, 1))]
    assert [a.answers for a in client.administrations("gad7", "")] == [(2, 2, 2, 2, 2, 2, 2)]
    unknown = CliRunner().invoke(main, ["form", "ana-r", "--instrument", "gad7", "--respondent", "pat",
                                        "--practice", str(root)])
    assert unknown.exit_code == 2 and "ana-r has no respondent 'pat' (respondents: sam)" in unknown.output


def test_form_due_makes_a_form_for_each_person_with_something_due(make_practice, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from test_forms import SETTINGS

    from goalbook.cli import main
    from goalbook.forms import issued

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    # Today 31 Mar 2026; nothing given yet: Ana's GAD-7 and Sam's PHQ-9 are both due from the start (5 Jan).
    client = CLIENT + "  - instrument: phq9\n    every_weeks: 4\n    respondent: sam\n"
    root = make_practice({"goalbook.yaml": SETTINGS, "clients/ana-r/client.yaml": client})
    made = CliRunner().invoke(main, ["form", "--due", "--practice", str(root)])
    assert made.exit_code == 0, made.output
    assert "2 forms written" in made.output
    forms = sorted((issued.read_issued(root, p.stem).questionnaires, issued.read_issued(root, p.stem).respondent)
                   for p in (root / "forms" / "issued").glob("*.yaml"))
    assert forms == [(("gad7",), ""), (("phq9",), "sam")]


def test_a_new_session_prefills_only_the_clients_own_questionnaires(make_practice):
    from goalbook.scaffold import questionnaires_due

    # GAD-7 for Ana every 12 weeks (last 16 Mar: not due on 31 Mar); PHQ-9 for Sam every 2 weeks: his,
    # so not a line of Ana's session (his answers come by `enter --respondent` or a form).
    client_yaml = CLIENT + "  - instrument: phq9\n    every_weeks: 2\n    respondent: sam\n"
    practice = couple(make_practice, client_yaml)
    assert questionnaires_due(practice.client("ana-r"), practice.instruments, date(2026, 3, 31)) == []
    # Due again from 8 Jun (16 Mar + 12 weeks): one line, Ana's GAD-7.
    due = questionnaires_due(practice.client("ana-r"), practice.instruments, date(2026, 6, 8))
    assert [line.line.split(":")[0] for line in due] == ["gad7"]
