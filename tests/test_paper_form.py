"""`goalbook form CLIENT --print`: a questionnaire form to print, fill in with a pen and key in."""

from __future__ import annotations

import re
import stat
from datetime import date

import pytest
from click.testing import CliRunner

from goalbook.checks import check_practice
from goalbook.cli import main
from goalbook.errors import GoalbookError
from goalbook.render import paper_form as pf

CLIENT = """\
    id: ana-r
    name: Ana <R.> & co
    clinician: tc
    start_date: 2026-01-05
    status: active
    respondents:
      - id: sam
        name: Sam
        relation: partner
    questionnaires:
      - instrument: phq9
        every_weeks: 2
    """


@pytest.fixture
def practice(make_practice):
    practice, problems = check_practice(make_practice({"clients/ana-r/client.yaml": CLIENT}))
    assert practice is not None and not [p for p in problems if p.is_error], problems
    return practice


def render(practice, ids, **kw) -> str:
    client = practice.client("ana-r")
    return pf.render_paper_form(pf.paper_form(practice, client, ids, **kw))


def test_every_item_verbatim_with_a_box_per_answer(practice):
    html = render(practice, ["phq9"])
    phq9 = practice.instruments["phq9"]
    for item in phq9.items:
        assert f'<td class="n">{item.number}</td><td>{item.text}' in html
    # 9 items × 4 answers (0 Not at all … 3 Nearly every day) = 36 boxes, each named by its answer.
    assert html.count('class="box-mark"') == 36
    assert html.count('aria-label="Nearly every day"') == 9
    heads = re.findall(r'<th scope="col">([^<]*)</th>', html)
    assert heads == ["Not at all", "Several days", "More than half the days", "Nearly every day"]
    assert "Over the last 2 weeks, how often have you been bothered" in html
    assert phq9.licence.attribution in html and phq9.citation in html


def test_lines_for_client_respondent_and_date(practice):
    undated = render(practice, ["gad7"])
    # The client's name escaped; nobody else named: the client answers; the date is left to fill in.
    assert "<dt>Client</dt><dd>Ana &lt;R.&gt; &amp; co</dd>" in undated
    assert "<dt>Date</dt><dd></dd>" in undated
    assert "<dt>Answered by</dt><dd>Ana &lt;R.&gt; &amp; co (client)</dd>" in undated
    assert "<code>goalbook enter ana-r gad7</code>" in undated
    dated = render(practice, ["gad7"], respondent="sam", on=date(2026, 3, 2))
    assert "<dt>Date</dt><dd>2 March 2026</dd>" in dated
    assert "<dt>Answered by</dt><dd>Sam (partner)</dd>" in dated
    assert "<code>goalbook enter ana-r gad7 --date 2026-03-02 --respondent sam</code>" in dated


def test_a4_or_letter(practice):
    assert "@page { size: A4;" in render(practice, ["gad7"])
    assert "@page { size: letter;" in render(practice, ["gad7"], paper="letter")


def test_nothing_leaves_the_page(practice):
    html = render(practice, ["phq9", "gad7"])
    assert "default-src 'none'" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    # Two questionnaires: the second starts on a new page.
    assert html.count('<section class="instrument"') == 2 and ".instrument + .instrument { break-before: page; }" in html


def test_a_licence_that_does_not_allow_the_wording_is_refused_with_its_reason(practice):
    with pytest.raises(GoalbookError) as refused:
        render(practice, ["gad7", "dass21"])
    dass = practice.instruments["dass21"]
    assert dass.licence.item_text == "labels"
    assert refused.value.message.startswith("DASS-21: its licence does not let goalbook print the item wording")
    assert dass.licence.note in refused.value.message


def test_unknown_respondent_and_questionnaire_are_refused(practice):
    with pytest.raises(GoalbookError, match=r"ana-r has no respondent 'pat' \(respondents: sam\)"):
        render(practice, ["gad7"], respondent="pat")
    with pytest.raises(GoalbookError, match="there is no questionnaire 'gad8'"):
        render(practice, ["gad8"])


def test_the_practice_safety_message_under_a_critical_item(practice):
    form = pf.paper_form(practice, practice.client("ana-r"), ["phq9", "gad7"])
    html = pf.render_paper_form(form, safety_message="Call the practice <today>.")
    # PHQ-9 has a critical item (9), GAD-7 none: the message is printed once, escaped.
    assert html.count('<p class="safety">Call the practice &lt;today&gt;.</p>') == 1


def test_written_owner_only_and_never_over_a_file_goalbook_did_not_write(practice, tmp_path):
    form = pf.paper_form(practice, practice.client("ana-r"), ["gad7"])
    path = tmp_path / pf.default_name(form)
    assert path.name == "ana-r-paper-undated.html"
    pf.write_paper_form(pf.render_paper_form(form), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pf.write_paper_form(pf.render_paper_form(form), path)  # its own earlier form: replaced
    foreign = tmp_path / "notes.html"
    foreign.write_text("<p>mine</p>")
    with pytest.raises(GoalbookError, match="goalbook did not write it"):
        pf.write_paper_form(pf.render_paper_form(form), foreign)
    assert foreign.read_text() == "<p>mine</p>"


def run(root, *args):
    return CliRunner().invoke(main, ["form", *args, "--practice", str(root)])


def test_form_print_writes_into_the_private_forms_folder(practice):
    result = run(practice.root, "ana-r", "--print", "--instrument", "gad7", "--respondent", "sam",
                 "--date", "2026-03-02", "--paper", "letter")
    assert result.exit_code == 0, result.output
    path = practice.root / "_forms" / "ana-r-paper-2026-03-02-sam.html"
    assert f"ana-r: _forms/{path.name} (GAD-7; letter, for Sam (partner))" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert (path.parent / ".gitignore").read_text().strip().endswith("*")  # never in git
    html = path.read_text()
    assert "@page { size: letter;" in html and "<dt>Answered by</dt><dd>Sam (partner)</dd>" in html
    assert not (practice.root / "forms").exists()  # a paper form is not an issued (encrypted) form


def test_form_print_defaults_to_what_is_due_for_that_person(practice):
    # PHQ-9 every 2 weeks from the start (5 Jan), never given: due for Ana. Sam has nothing scheduled.
    result = run(practice.root, "ana-r", "--print")
    assert result.exit_code == 0, result.output
    assert "(PHQ-9; A4, for Ana <R.> & co (client))" in result.output
    result = run(practice.root, "ana-r", "--print", "--respondent", "sam")
    assert result.exit_code == 2 and "nothing is due for ana-r's respondent sam this week" in result.output


def test_form_print_refuses_with_the_licence_reason_and_writes_nothing(practice):
    result = run(practice.root, "ana-r", "--print", "--instrument", "dass21")
    assert result.exit_code == 2 and "DASS-21: its licence does not let goalbook print the item wording" in result.output
    assert not list(practice.root.rglob("*.html"))


def test_the_printed_date_needs_print(practice):
    result = run(practice.root, "ana-r", "--date", "2026-03-02")
    assert result.exit_code == 2 and "--date is for --print" in result.output


def test_the_instructions_say_how_many_lines_may_be_left_blank(practice):
    # CORE-10 prorates with one item missing; PHQ-9 needs every item.
    assert "Tick one box on each line (you may leave one line blank if you cannot answer it)." in render(
        practice, ["core10"])
    assert "Tick one box on each line.</p>" in render(practice, ["phq9"])
