"""What the book says must be what the rules say: the NHS mixed case, screens that say what to do next,
possible totals, one baseline story. Hand-worked cases, arithmetic in comments."""

from __future__ import annotations

from pathlib import Path

from goalbook.checks import check_practice
from goalbook.views import book_views

REPO_INSTRUMENTS = Path(__file__).resolve().parent.parent / "instruments"

CLIENT = """\
id: gh
name: Gale H.
clinician: tc
start_date: 2026-01-05
status: active
"""


def _practice(make_practice, sessions: dict[str, str], goals: str = "goals: []\n", extra: dict | None = None):
    files = {"clients/gh/client.yaml": CLIENT, "clients/gh/goals.yaml": goals}
    files.update({f"clients/gh/sessions/{name}.yaml": text for name, text in sessions.items()})
    files.update(extra or {})
    root = make_practice(files)
    practice, problems = check_practice(root)
    # Only the errors a test asks for: any other error would leave the book unbuilt.
    assert practice is not None and not [p for p in problems if p.is_error and p.code != "impossible-total"], problems
    return practice, problems


def _view(practice):
    return book_views.client_view(practice, practice.client("gh"))


# --- 6. NHS Talking Therapies: the mixed case is neither, and the dates of each pair are said --------

MIXED = {
    # PHQ-9 2+2+2+2+2+2 = 12 at the intake; GAD-7 2+2+2+1+1+1 = 9 a week later.
    "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  phq9: [2, 2, 2, 2, 2, 2, 0, 0, 0]\n",
    "2026-01-12": "date: 2026-01-12\nkind: assessment\nquestionnaires:\n  gad7: [2, 2, 2, 1, 1, 1, 0]\n",
    "2026-01-19": "date: 2026-01-19\nkind: session\n",
    # PHQ-9 1 × 5 = 5 (−7 ≥ 6: reliable fall); GAD-7 2 × 6 + 1 = 13 (+4 ≥ 4: reliable rise).
    "2026-02-02": ("date: 2026-02-02\nkind: session\nquestionnaires:\n  phq9: [1, 1, 1, 1, 1, 0, 0, 0, 0]\n"
                   "  gad7: [2, 2, 2, 2, 2, 2, 1]\n"),
}


def test_nhs_mixed_case_is_shown_as_mixed_never_yes_to_both(make_practice):
    practice, _ = _practice(make_practice, MIXED)
    nhs = _view(practice).nhs
    assert nhs is not None and nhs.eligible  # 2 treatment appointments (the two sessions)
    lines = {line.label: line.value for line in nhs.lines}
    assert lines["Reliable improvement"] == "no: mixed (see below)"
    assert lines["Reliable deterioration"] == "no: mixed (see below)"
    assert lines["Mixed (improved on one, worse on the other)"] == \
        "yes: reliable improvement on PHQ-9, reliable deterioration on GAD-7"
    assert lines["Recovery"] == "no"  # GAD-7 13 ≥ 8 at the end


def test_nhs_says_the_dates_of_pairs_from_different_contacts(make_practice):
    practice, _ = _practice(make_practice, MIXED)
    nhs = _view(practice).nhs
    # PHQ-9 first at the intake (5 Jan), GAD-7 first at the assessment (12 Jan); both last on 2 Feb.
    assert nhs.dates == "PHQ-9 5 Jan 2026 → 2 Feb 2026; GAD-7 12 Jan 2026 → 2 Feb 2026"


def test_nhs_outcome_and_jacobson_truax_labels_say_their_rules(make_practice):
    # PHQ-9 12 → 5: −7 ≥ 6 and out of the clinical range (≥ 10): Jacobson–Truax "recovered" on the PHQ-9
    # table, while the NHS paired outcome says "Recovery: no" (GAD-7 13 ≥ 8). The page says which rule.
    practice, _ = _practice(make_practice, MIXED)
    view = _view(practice)
    phq = next(iv for iv in view.instruments if iv.id == "phq9")
    assert phq.rows[-1].category == "recovered"
    assert "Jacobson & Truax" in view.nhs.rules_note and "NHS Talking Therapies" in view.nhs.rules_note


def test_nhs_same_contacts_need_no_dates(make_practice):
    sessions = dict(MIXED)
    sessions["2026-01-05"] = ("date: 2026-01-05\nkind: intake\nquestionnaires:\n  phq9: [2, 2, 2, 2, 2, 2, 0, 0, 0]\n"
                              "  gad7: [2, 2, 2, 1, 1, 1, 0]\n")
    sessions["2026-01-12"] = "date: 2026-01-12\nkind: assessment\n"
    practice, _ = _practice(make_practice, sessions)
    assert _view(practice).nhs.dates == ""


# --- 7. Screens say what to do next (data in the instrument files) ------------------------------------

def test_positive_phq2_and_gad2_say_give_the_full_questionnaire(make_practice):
    # PHQ-2 2 + 1 = 3 ≥ 3: positive; GAD-2 1 + 1 = 2 < 3: negative, nothing to say.
    practice, _ = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  phq2: [2, 1]\n  gad2: [1, 1]\n"})
    rows = {iv.id: iv.rows[0] for iv in _view(practice).instruments}
    assert rows["phq2"].next_step == "positive screen: give the full PHQ-9"
    assert rows["phq2"].next_step_rule.startswith("positive screen: give the full PHQ-9 (total ≥ 3: Kroenke")
    assert rows["gad2"].next_step == ""
    share = book_views.client_view(practice, practice.client("gh"), audience="client")
    assert all(not iv.rows[0].next_step for iv in share.instruments)  # clinician only


def test_positive_gad2_says_give_the_gad7():
    from goalbook.clinical.instruments import load_instruments

    gad2 = load_instruments(None)[0]["gad2"]
    assert gad2.next_step(3).say == "positive screen: give the full GAD-7"  # 3 ≥ 3
    assert gad2.next_step(2) is None


def test_who5_at_or_below_28_percent_says_likely_depression():
    from goalbook.clinical.instruments import load_instruments

    who5 = load_instruments(None)[0]["who5"]
    # Raw 7 × 4 = 28 ≤ 28: likely depression; raw 8 × 4 = 32: only poor well-being (≤ 50); raw 13 × 4 = 52: none.
    assert who5.next_step(28).say == "likely depression: screen with the PHQ-9"
    assert who5.next_step(32).say == "poor well-being: test for depression (e.g. with the PHQ-9)"
    assert who5.next_step(52) is None
    assert who5.next_step(28).unconfirmed  # the ≤ 28 rule was found only in secondary sources


def test_cli_says_what_to_do_next():
    from click.testing import CliRunner

    from goalbook.cli import main

    # WHO-5 1+1+1+1+2 = 6 × 4 = 24 ≤ 28.
    result = CliRunner().invoke(main, ["score", "who5", "1", "1", "1", "1", "2"])
    assert "NEXT likely depression: screen with the PHQ-9 (total ≤ 28: Topp et al. 2015" in result.output


# --- 4. Totals entered by hand must be possible totals; WHO-5 says raw or percentage -------------------

def _codes(problems):
    return [(p.code, p.message) for p in problems if p.code in ("impossible-total", "total-out-of-range")]


def test_a_fractional_phq9_total_is_impossible(make_practice):
    # PHQ-9: nine whole-number answers, no prorating: 10.5 cannot be a total.
    _, problems = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  phq9: {total: 10.5}\n"})
    assert _codes(problems) == [("impossible-total",
                                 "a total of 10.5 is impossible: a PHQ-9 total is a sum of whole-number answers")]


def test_a_prorated_core10_total_may_be_fractional(make_practice):
    # CORE-10 prorates one missing item: 21 / 9 × 10 = 23.33… is a possible total.
    _, problems = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  core10: {total: 23.3}\n"})
    assert _codes(problems) == []


def test_who5_total_must_be_a_percentage_or_say_raw(make_practice):
    # WHO-5 percentages are raw × 4: 13 is not one (12 and 16 are); raw 13 × 4 = 52 %.
    _, problems = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  who5: {total: 13}\n",
        "2026-01-12": "date: 2026-01-12\nkind: session\nquestionnaires:\n  who5: {raw: 13}\n"})
    (code, message), = _codes(problems)
    assert code == "impossible-total" and "moves in steps of 4" in message
    assert [p.hint for p in problems if p.code == "impossible-total"] == \
        ["if 13 is the raw sum (0–25), write `{raw: 13}`; otherwise check the score sheet"]


def test_who5_raw_total_is_shown_as_its_percentage(make_practice):
    practice, problems = _practice(make_practice, {
        "2026-01-12": "date: 2026-01-12\nkind: session\nquestionnaires:\n  who5: {raw: 13}\n"})
    assert _codes(problems) == []
    row = next(iv for iv in _view(practice).instruments if iv.id == "who5").rows[0]
    assert (row.total, row.band, row.only_total) == (52, "No sign of poor well-being", True)  # 13 × 4 = 52 > 50


def test_raw_totals_out_of_range_or_fractional_are_refused(make_practice):
    _, problems = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  who5: {raw: 26}\n  phq9: {raw: 12}\n",
        "2026-01-12": "date: 2026-01-12\nkind: session\nquestionnaires:\n  who5: {raw: 12.5}\n"})
    assert sorted(m for _, m in _codes(problems)) == [
        "PHQ-9 has no raw score apart from its total",  # no multiplier: {total: 12}
        "a raw total of 12.5 is impossible: a WHO-5 raw total is a sum of whole-number answers",
        "a raw total of 26 is outside the possible WHO-5 raw totals 0–25",  # 100 / 4 = 25
    ]


# --- 11. One baseline story: a questionnaire goal without a written baseline uses the first score -------

PHQ9_GOAL = """\
goals:
  - id: mood
    title: Lift my mood
    status: active
    set_date: 2026-01-05
    target_date: 2026-06-30
    measure: {type: questionnaire, instrument: phq9}
    target: 9
"""


def test_questionnaire_goal_baseline_is_the_first_score_and_the_card_says_so(make_practice):
    # PHQ-9 2 × 6 = 12 on 5 Jan, then 1 × 5 = 5 on 2 Feb: baseline 12, target 9, latest 5.
    practice, problems = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  phq9: [2, 2, 2, 2, 2, 2, 0, 0, 0]\n",
        "2026-02-02": "date: 2026-02-02\nkind: session\nquestionnaires:\n  phq9: [1, 1, 1, 1, 1, 0, 0, 0, 0]\n",
    }, goals=PHQ9_GOAL)
    assert not [p for p in problems if p.code == "no-baseline"]  # the first score is the baseline, by rule
    goal = _view(practice).goals[0]
    assert goal.baseline == 12 and goal.reached
    measurable = next(s for s in goal.smart if s.letter == "M")
    assert measurable.ok
    assert "baseline 12: the first PHQ-9 score since the goal was set (5 Jan 2026)" in measurable.text
    assert "no baseline yet" not in measurable.text


def test_questionnaire_goal_before_any_score_says_where_its_baseline_will_come_from(make_practice):
    practice, _ = _practice(make_practice, {"2026-01-05": "date: 2026-01-05\nkind: intake\n"}, goals=PHQ9_GOAL)
    measurable = next(s for s in _view(practice).goals[0].smart if s.letter == "M")
    assert "baseline: the first score once the questionnaire is given" in measurable.text


# --- 12. A returning client starts a new episode --------------------------------------------------------

RETURNING = {
    # Episode 1: PHQ-9 2 × 9 = 18 at intake, 1 × 9 = 9 at discharge (−9: reliable improvement).
    "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  phq9: [2, 2, 2, 2, 2, 2, 2, 2, 2]\n"
                  "  gad7: [2, 2, 2, 2, 2, 1, 1]\n",
    "2026-01-12": "date: 2026-01-12\nkind: session\n",
    "2026-01-19": "date: 2026-01-19\nkind: session\n",
    "2026-01-26": "date: 2026-01-26\nkind: discharge\nquestionnaires:\n  phq9: [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                  "  gad7: [1, 1, 1, 1, 1, 1, 0]\n",
    # Episode 2, after a new intake: PHQ-9 1 × 6 + 2 × 3 = 12, then 2 × 9 = 18 (+6 ≥ 6 from 12, not from 18).
    "2026-03-02": "date: 2026-03-02\nkind: intake\nquestionnaires:\n  phq9: [1, 1, 1, 1, 1, 1, 2, 2, 2]\n"
                  "  gad7: [1, 1, 1, 1, 1, 1, 1]\n",
    "2026-03-09": "date: 2026-03-09\nkind: session\n",
    "2026-03-23": "date: 2026-03-23\nkind: session\nquestionnaires:\n  phq9: [2, 2, 2, 2, 2, 2, 2, 2, 2]\n"
                  "  gad7: [1, 1, 1, 1, 1, 1, 1]\n",
}


def test_a_returning_client_has_change_measured_within_each_episode(make_practice):
    practice, _ = _practice(make_practice, RETURNING)
    view = _view(practice)
    phq = next(iv for iv in view.instruments if iv.id == "phq9")
    assert [(r.total, r.episode, r.delta_text) for r in phq.rows] == [
        (18, 1, ""), (9, 1, "−9"),  # episode 1: 18 → 9
        (12, 2, ""), (18, 2, "+6"),  # episode 2 starts again from its own first score: 12 → 18
    ]
    assert phq.rows[1].reliable == "improvement" and phq.rows[3].reliable == "deterioration"
    assert phq.episode_labels == {
        1: "Episode 1, from 5 Jan 2026 to 1 Mar 2026",
        2: "Episode 2, from 2 Mar 2026 (returned after discharge on 26 Jan 2026)",
    }
    # The alert says the change since the episode's first score, not since 5 Jan.
    (alert,) = [a for a in view.alerts if a.kind == "deterioration" and "PHQ-9" in a.why]
    assert alert.why.startswith("PHQ-9 12 → 18 since 2 Mar 2026")


def test_a_returning_clients_nhs_outcome_is_for_the_current_episode(make_practice):
    practice, _ = _practice(make_practice, RETURNING)
    nhs = _view(practice).nhs
    # Episode 2: PHQ-9 12 → 18, GAD-7 7 → 7; 2 treatment appointments (9 and 23 Mar), not the 4 in all.
    assert (nhs.phq9, nhs.gad7, nhs.treatment_appointments) == (("12", "18"), ("7", "7"), 2)
    assert nhs.scope.startswith("Episode 2, from 2 Mar 2026")


def test_a_goal_set_in_an_earlier_episode_keeps_its_own_scores(make_practice):
    goals = PHQ9_GOAL  # set 5 Jan (episode 1), target 9, PHQ-9 measured
    practice, _ = _practice(make_practice, RETURNING, goals=goals)
    goal = _view(practice).goals[0]
    assert [p.value for p in goal.points] == [18, 9]  # not the episode 2 scores 12 and 18
    assert goal.reached and goal.episode_label.startswith("Episode 1")


def test_the_book_labels_each_episode(make_practice, tmp_path):
    from click.testing import CliRunner

    from goalbook.cli import main

    files = {"clients/gh/client.yaml": CLIENT, "clients/gh/goals.yaml": "goals: []\n"}
    files.update({f"clients/gh/sessions/{d}.yaml": t for d, t in RETURNING.items()})
    root = make_practice(files)
    assert CliRunner().invoke(main, ["build", str(root), "-o", str(tmp_path / "book")]).exit_code == 0
    html = (tmp_path / "book" / "clients" / "gh.html").read_text()
    assert "Episode 2, from 2 Mar 2026 (returned after discharge on 26 Jan 2026)" in html
    assert html.count('<tr class="episode">') == 4  # PHQ-9 and GAD-7, two episodes each


def test_who5_any_item_at_0_or_1_says_assess_further():
    from goalbook.clinical.instruments import load_instruments

    who5 = load_instruments(None)[0]["who5"]
    # 3+3+3+3+1 = 13 × 4 = 52 %: above both total rules, but item 5 answered 1 ≤ 1.
    step = who5.next_step(52, (3, 3, 3, 3, 1))
    assert step is not None and step.on_items and step.say.startswith("an item answered 'some of the time'")
    assert who5.next_step(52, (3, 3, 3, 3, 2)) is None  # no item ≤ 1
    assert who5.next_step(52) is None  # a total only: the items are not known


def test_a_next_step_needs_a_condition(make_practice):
    from goalbook.clinical.instruments import load_instruments

    definition = (REPO_INSTRUMENTS / "phq2.yaml").read_text().replace('  - when: ">= 3"\n', '  - note: "no condition"\n')
    root = make_practice({"instruments/phq2.yaml": definition})
    instruments, problems = load_instruments(root)
    assert [p for p in problems if p.is_error and p.path == "instruments/phq2.yaml"]
    assert not instruments["phq2"].overrides_builtin  # the broken override is left out; the built-in stays



def test_returned_in_client_yaml_starts_an_episode_without_contacts_saying_it(make_practice):
    # No discharge contact: client.yaml says the client came back on 2 Mar. PHQ-9 18 (5 Jan), 9 (26 Jan),
    # then 12 (2 Mar), 18 (23 Mar): episode 2 is measured from 12.
    sessions = {d: t.replace("kind: discharge", "kind: session") for d, t in RETURNING.items()}
    sessions["2026-03-02"] = sessions["2026-03-02"].replace("kind: intake", "kind: assessment")
    practice, _ = _practice(make_practice, sessions, extra={"clients/gh/client.yaml": CLIENT + "returned: [2026-03-02]\n"})
    phq = next(iv for iv in _view(practice).instruments if iv.id == "phq9")
    assert [(r.total, r.episode, r.delta_text) for r in phq.rows] == [(18, 1, ""), (9, 1, "−9"), (12, 2, ""),
                                                                     (18, 2, "+6")]
    assert phq.episode_labels[2] == "Episode 2, from 2 Mar 2026 (returned)"


def test_outcomes_page_counts_a_no_threshold_questionnaire_as_not_judged(make_practice):
    from goalbook.views.outcomes import outcomes_view

    # A finished course with PHQ-2 6 → 0: no published reliable-change threshold, so not judged.
    practice, _ = _practice(make_practice, {
        "2026-01-05": "date: 2026-01-05\nkind: intake\nquestionnaires:\n  phq2: [3, 3]\n",
        "2026-01-12": "date: 2026-01-12\nkind: session\n",
        "2026-01-19": "date: 2026-01-19\nkind: session\n",
        "2026-01-26": "date: 2026-01-26\nkind: discharge\nquestionnaires:\n  phq2: [0, 0]\n",
    }, extra={"clients/gh/client.yaml": CLIENT.replace("status: active", "status: discharged")
              + "end_date: 2026-01-26\n"})
    section = next(s for s in outcomes_view(practice).sections if s.id == "instrument-phq2")
    labels = [r.label for r in section.rows]
    assert "Not judged" in labels and "Unchanged" not in labels
    assert "no published reliable-change threshold, so no course is judged" in section.lede


def test_the_chart_marks_where_a_later_episode_starts(make_practice, tmp_path):
    from click.testing import CliRunner

    from goalbook.cli import main

    files = {"clients/gh/client.yaml": CLIENT, "clients/gh/goals.yaml": "goals: []\n"}
    files.update({f"clients/gh/sessions/{d}.yaml": t for d, t in RETURNING.items()})
    assert CliRunner().invoke(main, ["build", str(make_practice(files)), "-o", str(tmp_path / "b")]).exit_code == 0
    html = (tmp_path / "b" / "clients" / "gh.html").read_text()
    assert "2 Mar 2026: episode 2 starts: change is measured from here" in html
    share = (tmp_path / "b" / "for-client-gh.html")
    assert not share.exists() or "episode 2 starts" not in share.read_text()  # clinician's chart only
