"""What the rendered pages say, read as a therapist (and, on the share page, as the client) would."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from goalbook.build import build_book
from goalbook.commands.build import summary_line


class _Text(HTMLParser):
    """The visible text of a page (style contents left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag, attrs):
        self._skip = tag in ("style", "title")

    def handle_endtag(self, tag):
        self._skip = False

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


@pytest.fixture
def pages(small_practice, tmp_path) -> dict[str, str]:
    out = tmp_path / "book"
    assert build_book(small_practice, out).ok
    share = build_book(small_practice, tmp_path / "ab-share.html", client="ab", share=True)
    assert share.ok
    share_cd = build_book(small_practice, tmp_path / "cd-share.html", client="cd", share=True)
    assert share_cd.ok
    return {
        "index": (out / "index.html").read_text(encoding="utf-8"),
        "ab": (out / "clients" / "ab.html").read_text(encoding="utf-8"),
        "cd": (out / "clients" / "cd.html").read_text(encoding="utf-8"),
        "share": share.out.read_text(encoding="utf-8"),
        "share-cd": share_cd.out.read_text(encoding="utf-8"),
    }


def test_caseload_shows_one_block_per_client_with_alerts(pages):
    html = pages["index"]
    blocks = re.findall(r'<li class="alert-group top-([a-z-]+)">\s*<div class="group-head">\s*<h3><a href="clients/(\w+)\.html">',
                        html)
    # Alex B. (critical item) first, Casey D. (goal review overdue) second, each named once.
    assert blocks == [("critical-item", "ab"), ("review-overdue", "cd")]
    assert "6 alerts for 2 clients" in visible(html)


def test_client_page_opens_with_the_last_session(pages):
    text = visible(pages["ab"])
    last_time = text.index("Last time")
    assert last_time < text.index("Active goals") < text.index("Hopes and focus areas")
    assert "30 Mar 2026" in text[last_time:last_time + 40]


def test_adherence_is_shown_as_whole_percents_and_counts_as_reported(pages):
    html = pages["ab"]
    step = html[html.index('id="goal-sleep-wind-down"'):]
    step = step[:step.index("</table>", step.index('class="data compact weeks"'))]
    text = visible(step)
    # Reported 8 times over 14 days (aim 10) and 7 over 14 days: as given, with whole percents.
    assert "16 Mar 2026 8 times 14 days 10 80%" in text
    assert "30 Mar 2026 7 times 14 days 10 70%" in text
    # The week of 16 Mar is split: its Monday is the last day of the first report (80 %), the rest
    # belongs to the second (70 %). Both are shown as reported, never their blend (1 × 8/14 + 6 × 7/14
    # = 3.57 of 5 × 7/7 = 5 asked → 71 %, a number no report said).
    assert re.search(r"% of aim 2 Mar 80%\* 9 Mar 80% 16 Mar two reports: 80% / 70% 23 Mar 70% 30 Mar 70%\*", text), text
    assert "71%" not in text
    assert not re.search(r"\d\.\d", text)  # no fractional times or percents anywhere in the step


def test_share_page_speaks_plainly_and_holds_nothing_clinician_only(pages, small_practice):
    html, text = pages["share"], visible(pages["share"])
    for plain in ("Your goals", "How you’ve been feeling", "about low mood", "Compared with the first time",
                  "usual threshold", "It asks about the last 2 weeks"):
        assert plain in text, plain
    for jargon in ("reliable deterioration", "reliable improvement", "clinical cutoff", "Item answers",
                   "Needs attention", "Caseload", "critical item", "baseline", "SMART", "Private note"):
        assert jargon.lower() not in text.lower(), jargon
    assert "index.html" not in html and "clients/" not in html  # no way back to the caseload
    assert "Casey D." not in html  # no other client
    private = []
    for path in sorted(small_practice.rglob("*.yaml")):
        m = re.search(r"private_notes: \|\n((?:  .*\n?)+)", path.read_text(encoding="utf-8"))
        if m:
            private += [line.strip() for line in m.group(1).splitlines() if len(line.strip()) > 12]
    assert private, "the small practice should have private notes to test against"
    for line in private:
        assert line[:40] not in html


class _Result:
    def __init__(self, kinds):
        self.problems = [type("P", (), {"is_error": k == "error"})() for k in kinds]
        self.clients, self.pages, self.seconds, self.out = 2, 3, 0.5, None


@pytest.mark.parametrize("kinds, words", [
    ([], "no problems"),
    (["warning", "warning"], "2 warnings"),
    (["warning"], "1 warning"),
    (["error", "warning", "warning"], "1 error, 2 warnings"),
])
def test_build_summary_names_warnings_and_errors(kinds, words):
    assert summary_line(_Result(kinds)) == f"Built 2 clients, 3 pages, {words} in 0.50 s → "


# --- The clinical reviewer's view data on the pages ------------------------------------------------


def section(html: str, anchor: str) -> str:
    """One questionnaire's section of a page."""
    start = html.index(f'<section class="instrument card" id="{anchor}"')
    return html[start:html.index("</section>", start)]


def test_caseload_states_the_critical_item_rule_under_the_alerts(pages):
    text = visible(pages["index"])
    rule = text.index("A critical item (e.g. PHQ-9 item 9 above 0) stays an alert until you record a review")
    assert text.index("Most urgent client first") < rule < text.index("Every client with status")
    assert "Nothing else clears it" in text


def test_total_only_row_says_what_could_not_be_checked(pages):
    phq = section(pages["cd"], "questionnaire-phq9")
    start = phq.index('<tr id="adm-phq9-2026-01-12"')
    row = visible(phq[start:phq.index("</tr>", start)])
    # 12 is Moderate (10–14); a single entry: no change yet; the item cell says why it is empty.
    assert row.startswith("12 Jan 2026 12 (total only) Moderate — first —")
    assert row.endswith("total only: item answers not recorded, so critical item 9 could not be checked")


def test_dass21_leads_with_its_subscales(pages):
    dass = section(pages["cd"], "questionnaire-dass21")
    text = visible(dass)
    # One chart per subscale, on its own bands; no chart of the total, which is not to be read alone.
    charts = re.findall(r'<svg class="chart" id="([a-z0-9-]+)"', dass)
    assert charts == ["chart-questionnaire-dass21-depression", "chart-questionnaire-dass21-anxiety",
                      "chart-questionnaire-dass21-stress"]
    assert "The DASS authors do not recommend interpreting a total score: read the three subscales." in text
    # Latest (12 Jan): each subscale with its band and its change since 1 Dec, before any total.
    assert "Depression 10 Mild −10 since 1 Dec 2025" in text
    assert "Anxiety 2 Normal −6 since 1 Dec 2025" in text
    assert "Stress 14 Normal −10 since 1 Dec 2025" in text
    head = visible(dass[dass.index("<thead>"):dass.index("</thead>")])
    assert head == "Date Depression Anxiety Stress Total Change from first Reliable change Category (Jacobson–Truax) Item answers"  # the rule the category follows
    # 12 Jan: subscales, total 26 (52 → 26 = −26), no published reliable change: not judged, no category.
    assert "12 Jan 2026 10 Mild change from the first: −10 2 Normal change from the first: −6 " \
           "14 Normal change from the first: −10 26 −26 not judged —" in text
    # The bands' source and each subscale's items are in the small print.
    assert "Depression (items 3, 5, 10, 13, 16–17, 21)" in text and "Lovibond & Lovibond 1995" in text


def test_instrument_small_print_names_the_critical_rule_and_what_is_unconfirmed(pages):
    text = visible(section(pages["ab"], "questionnaire-phq9"))
    assert "Flagged whatever the total: item 9 > 0: Thoughts of being better off dead or of self-harm" in text
    assert "Not checked against a primary source: item 9 flag: The exact wording of the PHQ manual" in text


def test_nhs_card_so_far_with_its_scope(pages):
    html = pages["ab"]
    card = visible(html[html.index('id="nhs"'):html.index("</table>", html.index('id="nhs"'))])
    assert "PHQ-9 5 → 10, GAD-7 5 → 10 (first → latest). So far: " in card
    assert "Course not finished: the outcome so far, first and latest scores (2 treatment appointments)." in card
    assert "Reliable deterioration" in card  # the table is there


def test_reviewed_critical_items_heading_and_an_ineligible_nhs_card(make_practice, tmp_path):
    # Flagged at the intake (1 Dec), answered 0 at the assessment (15 Dec), reviewed on 16 Dec: no
    # alert, but listed as reviewed. Intake and assessment are not treatment: no NHS paired outcome yet.
    root = make_practice({
        "clients/ef/client.yaml": """\
            id: ef
            name: Eli F.
            clinician: tc
            start_date: 2025-12-01
            status: active
            alert_reviews:
              - date: 2025-12-16
                by: tc
                note: Safety plan made together.
            """,
        "clients/ef/sessions/2025-12-01.yaml": """\
            date: 2025-12-01
            kind: intake
            questionnaires:
              phq9: [1, 1, 1, 1, 1, 1, 1, 1, 1]
              gad7: [2, 2, 2, 2, 2, 2, 2]
            """,
        "clients/ef/sessions/2025-12-15.yaml": """\
            date: 2025-12-15
            kind: assessment
            questionnaires:
              phq9: [1, 1, 1, 1, 1, 1, 1, 1, 0]
              gad7: [1, 1, 1, 1, 1, 1, 1]
            """,
    })
    assert build_book(root, tmp_path / "book").ok
    html = (tmp_path / "book" / "clients" / "ef.html").read_text(encoding="utf-8")
    text = visible(html)
    assert "Critical items reviewed (an endorsement after the review opens the alert again): PHQ-9 1 Dec 2025: " \
           "item 9 answered 1" in text
    assert "Reviewed on 16 Dec 2025 by Test Clinician: Safety plan made together." in text
    assert "Critical item endorsed" not in text
    card = html[html.index('id="nhs"'):html.index('<section class="instrument card"')]
    assert "No paired outcome yet: 0 attended treatment appointments so far, and the NHS counts a course from 2." \
        in visible(card)
    assert "at least 2 attended treatment appointments" in visible(card)
    assert "<table" not in card and "PHQ-9 9 → 8" not in visible(card)


def test_pcl5_clusters_and_a_prorated_core10_row(make_practice, tmp_path):
    root = make_practice({
        "clients/gh/client.yaml": """\
            id: gh
            name: Gale H.
            clinician: tc
            start_date: 2026-02-02
            status: active
            """,
        "clients/gh/sessions/2026-02-02.yaml": """\
            date: 2026-02-02
            kind: intake
            questionnaires:
              pcl5: [3, 3, 2, 2, 1, 2, 1, 2, 2, 1, 1, 2, 2, 1, 3, 2, 1, 1, 2, 2]
              core10: [3, 1, 1, 2, 2, 0, 3, 2, null, 2]
            """,
        "clients/gh/sessions/2026-03-02.yaml": """\
            date: 2026-03-02
            kind: session
            questionnaires:
              pcl5: [2, 2, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1]
            """,
    })
    assert build_book(root, tmp_path / "book").ok
    html = (tmp_path / "book" / "clients" / "gh.html").read_text(encoding="utf-8")
    pcl = section(html, "questionnaire-pcl5")
    head = visible(pcl[pcl.index("<thead>"):pcl.index("</thead>")])
    # No bands for the PCL-5 total (none are published): no band column; a column per DSM-5 cluster.
    assert head == "Date Total Change from first Reliable change Category (Jacobson–Truax) B C D E Item answers"
    text = visible(pcl)
    # 2 Feb: B 3+3+2+2+1 = 11, C 2+1 = 3, D 2+2+1+1+2+2+1 = 11, E 3+2+1+1+2+2 = 11; total 36.
    # 2 Mar: B 8, C 2, D 8, E 8; total 26: −10 ≥ 5 points, reliable improvement.
    assert "2 Feb 2026 36 — first — 11 3 11 11" in text
    assert "2 Mar 2026 26 −10 ◆ reliable improvement" in text
    assert ("8 change from the first: −3 2 change from the first: −1 8 change from the first: −3 "
            "8 change from the first: −3") in text
    assert "B: Intrusion (items 1–5); C: Avoidance (items 6–7)" in text
    assert len(re.findall(r'<svg class="chart"', pcl)) == 1  # the total leads: one chart
    core = visible(section(html, "questionnaire-core10"))
    # Item 9 missing: (3+3+3+2+2+0+3+2+2) / 9 × 10 = 22.2 (items 2, 3 reversed 1 → 3).
    assert "22.2" in core and "prorated — 1 item missing: mean of 9 answered items" in core


def test_share_page_gives_plain_words_for_bands(pages):
    share, text = pages["share"], visible(pages["share"])
    for clinical in ("Minimal", "None or minimal", "Mild", "Moderate", "Moderately severe", "Severe"):
        assert not re.search(rf"\b{clinical}\b", share), clinical  # nor in the charts' labels and titles
    # GAD-7 10 and PHQ-9 10 are each their scale's third band of 4 and of 5 ("Moderate").
    assert text.count("Latest 10 a fair amount of difficulty") == 2
    phq = visible(section(share, "questionnaire-phq9"))
    assert "Date Total Difficulties Change from first" in phq
    assert "2 Mar 2026 5 some" in phq and "30 Mar 2026 10 a fair amount" in phq
    assert "a lot 20–27" in share and "quite a lot 15–19" in share  # the chart's band labels
    # The clinician's page keeps the clinical names.
    assert "Moderately severe 15–19" in pages["ab"]


def test_share_page_leads_dass21_with_its_parts_in_plain_words(pages):
    dass = section(pages["share-cd"], "questionnaire-dass21")
    text = visible(dass)
    assert "Each part is read on its own; the total is not used." in text
    assert "Depression 10 some difficulties −10 since 1 Dec 2025" in text  # Mild: 2nd of 5 levels
    assert visible(dass[dass.index("<thead>"):dass.index("</thead>")]) == "Date Depression Anxiety Stress"
    assert "Normal" not in text and "Mild" not in text and "Total" not in text


def _bands(count: int) -> list:
    from goalbook.views.score_views import BandInfo

    return [BandInfo(k, k, f"band {k}", k, count) for k in range(count)]


@pytest.mark.parametrize("count, level, better, long, words", [
    (5, 3, False, False, "quite a lot"),  # PHQ-9 15–19 "Moderately severe"
    (5, 3, False, True, "quite a lot of difficulty"),
    (4, 2, False, True, "a fair amount of difficulty"),  # GAD-7 10–14 "Moderate"
    (6, 0, False, False, "doing well"),  # CORE-10 "Healthy"
    (2, 1, True, True, "low well-being"),  # WHO-5 ≤ 50 "Poor well-being" (severity 1)
    (9, 4, False, False, "a fair amount"),  # no list for 9 levels: the 6-word one, 4/8 × 5 = 2.5 → 3 (half up)
    (5, -1, False, False, ""),  # no band
])
def test_plain_words_for_a_band(count, level, better, long, words):
    from goalbook.render.pages import plain_band

    assert plain_band(_bands(count), level, better, long=long) == words


def test_item_lists_and_subscale_headings():
    from goalbook.render.pages import item_ranges, short_subscale

    assert item_ranges((3, 5, 10, 13, 16, 17, 21)) == "3, 5, 10, 13, 16–17, 21"
    assert item_ranges((15, 16, 17, 18, 19, 20)) == "15–20"
    assert short_subscale("D: Negative alterations in cognition and mood") == "D"
    assert short_subscale("Depression") == "Depression"
