"""The client's share page: only what is meant for the client, unless the practice opts in."""

from __future__ import annotations

import re

from goalbook.build import build_book

SETTINGS = """\
name: Test Practice
clinicians:
  - id: tc
    name: Test Clinician
today: 2026-03-31
"""

OPT_IN = SETTINGS + """\
share:
  clinician_notes: true
  missed_contacts: true
  past_goals: true
"""

FILES = {
    "clients/tm/client.yaml": """\
        id: tm
        name: Tom M.
        clinician: tc
        start_date: 2026-01-05
        status: active
        notes: CLINICIAN-CLIENT-NOTE Tom describes feeling flat.
        for_client: FOR-CLIENT-CLIENT We meet on Mondays.
        private_notes: PRIVATE-CLIENT
        """,
    "clients/tm/goals.yaml": """\
        goals:
          - id: walk-old
            title: OLD-GOAL Walk every day
            status: revised
            set_date: 2026-01-05
            measure: {type: rating, label: Energy}
            baseline: 3
            target: 7
            notes: CLINICIAN-OLD-GOAL-NOTE
          - id: walk
            title: CURRENT-GOAL Walk three times a week
            status: active
            revises: walk-old
            set_date: 2026-02-02
            measure: {type: rating, label: Energy}
            baseline: 3
            target: 7
            notes: CLINICIAN-GOAL-NOTE needs pushing.
            relevant: CLINICIAN-RELEVANT his hope of getting fitter.
            for_client: FOR-CLIENT-GOAL Short walks count too.
          - id: dropped
            title: DROPPED-GOAL Run a 5k
            status: discontinued
            set_date: 2026-01-05
          - id: done
            title: ACHIEVED-GOAL Call a friend
            status: achieved
            set_date: 2026-01-05
        """,
    "clients/tm/sessions/2026-01-05.yaml": """\
        date: 2026-01-05
        kind: intake
        notes: CLINICIAN-SESSION-NOTE flat affect.
        for_client: FOR-CLIENT-SESSION Thank you for coming.
        private_notes: PRIVATE-SESSION
        """,
    "clients/tm/sessions/2026-01-12.yaml": """\
        date: 2026-01-12
        kind: did-not-attend
        notes: MISSED-CONTACT-NOTE
        """,
    "clients/tm/sessions/2026-02-02.yaml": """\
        date: 2026-02-02
        kind: session
        measurements: {walk: 5}
        """,
}


def share_html(make_practice, tmp_path, settings: str) -> str:
    root = make_practice({**FILES, "goalbook.yaml": settings})
    result = build_book(root, tmp_path / "out.html", client="tm", share=True)
    assert result.ok, [p.message for p in result.problems]
    return result.out.read_text(encoding="utf-8")


def test_by_default_only_what_is_written_for_the_client(make_practice, tmp_path):
    html = share_html(make_practice, tmp_path, SETTINGS)
    for meant in ("FOR-CLIENT-CLIENT", "FOR-CLIENT-GOAL", "FOR-CLIENT-SESSION", "CURRENT-GOAL", "ACHIEVED-GOAL"):
        assert meant in html, meant
    for kept_out in ("CLINICIAN-CLIENT-NOTE", "CLINICIAN-GOAL-NOTE", "CLINICIAN-RELEVANT", "CLINICIAN-SESSION-NOTE", "CLINICIAN-OLD-GOAL-NOTE",
                     "OLD-GOAL", "DROPPED-GOAL", "MISSED-CONTACT-NOTE", "Did not attend", "PRIVATE-"):
        assert kept_out not in html, kept_out
    # The current goal comes before the achieved one, and does not link to the goal it replaced.
    assert html.index("CURRENT-GOAL") < html.index("ACHIEVED-GOAL")
    assert "This goal replaces" not in html and 'href="#goal-walk-old"' not in html


def test_what_the_practice_opts_into(make_practice, tmp_path):
    html = share_html(make_practice, tmp_path, OPT_IN)
    for shown in ("CLINICIAN-CLIENT-NOTE", "CLINICIAN-GOAL-NOTE", "CLINICIAN-RELEVANT", "CLINICIAN-SESSION-NOTE", "OLD-GOAL",
                  "DROPPED-GOAL", "MISSED-CONTACT-NOTE", "Did not attend", "FOR-CLIENT-GOAL"):
        assert shown in html, shown
    assert "PRIVATE-" not in html  # private notes never, whatever the settings
    # Current goals first, the replaced and dropped ones after them.
    cards = [m.group(1) for m in re.finditer(r'<article class="card goal[^"]*" id="goal-([a-z-]+)"', html)]
    assert cards == ["walk", "done", "walk-old", "dropped"]


def test_share_file_is_named_and_headed_for_the_client(make_practice):
    root = make_practice({**FILES, "goalbook.yaml": SETTINGS})
    share = build_book(root, client="tm", share=True).out
    assert share == root / "_book" / "for-client-tm.html"
    html = share.read_text(encoding="utf-8")
    assert re.search(r'<p class="share-banner"[^>]*><strong>For Tom M\.</strong> · your own copy', html)
    clinician = (build_book(root).out / "clients" / "tm.html").read_text(encoding="utf-8")
    assert "Clinician view · private" in clinician and "your own copy" not in clinician


def test_a_full_build_refreshes_a_share_file_in_the_book(make_practice):
    root = make_practice({**FILES, "goalbook.yaml": SETTINGS})
    share = build_book(root, client="tm", share=True).out
    assert "NEW-WORDS" not in share.read_text(encoding="utf-8")
    session = root / "clients/tm/sessions/2026-02-02.yaml"
    session.write_text(session.read_text() + "for_client: NEW-WORDS for you.\n")
    assert build_book(root).ok
    assert "NEW-WORDS" in share.read_text(encoding="utf-8")


def test_a_change_without_a_reliable_change_threshold_says_not_judged_to_client_and_clinician(make_practice):
    # PHQ-2 has no published reliable-change threshold: a change from 5 to 1 is shown, not judged.
    files = {**FILES, "goalbook.yaml": SETTINGS,
             "clients/tm/sessions/2026-01-05.yaml": "date: 2026-01-05\nkind: intake\nquestionnaires: {phq2: {total: 5}}\n",
             "clients/tm/sessions/2026-02-02.yaml": "date: 2026-02-02\nkind: session\nquestionnaires: {phq2: {total: 1}}\n"}
    root = make_practice(files)
    share = build_book(root, client="tm", share=True).out.read_text(encoding="utf-8")
    section = share[share.index('id="questionnaire-phq2"'):]
    assert "not judged" in section and "—</span>" not in section
    assert "this questionnaire has no published threshold for a reliable change" in section
    result = build_book(root)
    caseload = (result.out / "index.html").read_text(encoding="utf-8")
    client = (result.out / "clients" / "tm.html").read_text(encoding="utf-8")
    for page in (caseload, client):  # first → latest says the change is not judged, not nothing
        assert '<strong>1</strong>' in page and '<span class="change change-not-judged">change not judged</span>' in page
    assert "First → latest: 5 → 1, <span class=\"change change-not-judged\">not judged" in client


def test_a_share_file_written_elsewhere_is_flagged_on_the_caseload_once_the_records_change(make_practice, tmp_path):
    root = make_practice({**FILES, "goalbook.yaml": SETTINGS})
    elsewhere = tmp_path / "handed-out" / "tom.html"
    assert build_book(root, elsewhere, client="tm", share=True).ok
    in_book = build_book(root, client="tm", share=True).out  # in _book/: refreshed by each full build
    caseload = build_book(root).out / "index.html"
    assert "out of date" not in caseload.read_text(encoding="utf-8")  # nothing has changed yet
    session = root / "clients/tm/sessions/2026-02-02.yaml"
    session.write_text(session.read_text() + "for_client: NEW-WORDS for you.\n")
    assert build_book(root).ok
    html = caseload.read_text(encoding="utf-8")
    # The practice's today is 2026-03-31: the file was written then, from the records as they were.
    assert "Share page for Tom M. written on 31 Mar 2026 is out of date" in html
    assert str(elsewhere) in html and str(in_book) not in html  # the book's own share file is refreshed
    assert "NEW-WORDS" not in elsewhere.read_text(encoding="utf-8")  # the build never touches it
    # Written again from the new records: no longer flagged. A file that is gone is not flagged either.
    assert build_book(root, elsewhere, client="tm", share=True).ok
    assert build_book(root).ok and "out of date" not in caseload.read_text(encoding="utf-8")
    session.write_text(session.read_text() + "notes: more\n")
    elsewhere.unlink()
    assert build_book(root).ok and "out of date" not in caseload.read_text(encoding="utf-8")


def test_share_files_are_recorded_in_the_one_store_and_an_older_log_is_removed(make_practice, tmp_path):
    root = make_practice({**FILES, "goalbook.yaml": SETTINGS})
    cache = root / ".goalbook-cache"
    cache.mkdir(mode=0o700)
    (cache / "share-files.json").write_text('{"/elsewhere/tom.html": {"client": "tm"}}', encoding="utf-8")
    elsewhere = tmp_path / "handed-out" / "tom.html"
    assert build_book(root, elsewhere, client="tm", share=True).ok
    assert not (cache / "share-files.json").exists()  # an earlier goalbook's own file: gone
    session = root / "clients/tm/sessions/2026-02-02.yaml"
    session.write_text(session.read_text() + "for_client: NEW-WORDS for you.\n")
    # A new process (nothing in memory) still knows the file from the store, and flags it.
    assert "is out of date" in (build_book(root).out / "index.html").read_text(encoding="utf-8")
    assert not [p.name for p in cache.iterdir() if p.suffix == ".json"]  # no file format of its own
