"""Every text field arrives escaped on every page: no script, no event handler, no javascript: link."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from goalbook.build import build_book

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>"
Q = "'" + PAYLOAD + "'"  # a YAML single-quoted scalar (the payload holds no single quote)
# Markdown fields: a JSON string is a valid YAML double-quoted scalar, newlines and all.
BLOCK = json.dumps(PAYLOAD + "\n\n[click](javascript:alert(3)) and ![pic](http://example.invalid/x.png)\n")

FILES = {
    "goalbook.yaml": f"""\
        name: {Q}
        clinicians:
          - id: tc
            name: {Q}
            role: {Q}
        today: 2026-03-31
        goal_categories:
          - id: own-category
            label: {Q}
        """,
    "clients/xs/client.yaml": f"""\
        id: xs
        name: {Q}
        clinician: tc
        start_date: 2026-01-05
        status: active
        pronouns: {Q}
        hopes:
          - {Q}
        focus_areas:
          - id: area
            name: {Q}
            priority: 1
        respondents:
          - id: other
            name: {Q}
            relation: partner
        questionnaires:
          - instrument: phq9
            every_weeks: 2
        notes: {BLOCK}
        private_notes: {BLOCK}
        for_client: {BLOCK}
        """,
    # Someone else's answers: their name heads a section, a chart, a group label (an attribute) and a line.
    "clients/xs/sessions/2026-03-23-self-report.yaml": """\
        date: 2026-03-23
        kind: self-report
        questionnaires:
          phq9:
            answers: [1, 1, 1, 1, 1, 1, 1, 1, 1]
            respondent: other
        """,
    "clients/xs/goals.yaml": f"""\
        goals:
          - id: rated
            title: {Q}
            own_words: {Q}
            category: own-category
            focus_area: area
            status: active
            set_date: 2026-01-05
            target_date: 2026-06-01
            review_date: 2026-04-20
            achievable: {Q}
            relevant: {Q}
            measure:
              type: rating
              label: {Q}
            baseline: 8
            target: 4
            steps:
              - id: step-one
                action: {Q}
                times: 3
                per: week
            notes: {BLOCK}
            for_client: {BLOCK}
          - id: scaled
            title: {Q}
            status: active
            set_date: 2026-01-05
            target_date: 2026-06-01
            review_date: 2026-04-20
            measure:
              type: gas
              levels:
                much_less: {Q}
                less: {Q}
                expected: {Q}
                more: {Q}
                much_more: {Q}
            baseline: -1
        """,
    "clients/xs/sessions/2026-01-05.yaml": f"""\
        date: 2026-01-05
        kind: intake
        questionnaires:
          phq9: [1, 2, 1, 1, 0, 1, 1, 0, 1]
        measurements:
          rated: 7
          scaled: -1
        notes: {BLOCK}
        private_notes: {BLOCK}
        for_client: {BLOCK}
        """,
    "clients/xs/sessions/2026-03-23.yaml": f"""\
        date: 2026-03-23
        kind: session
        questionnaires:
          phq9: [1, 1, 1, 1, 0, 1, 1, 0, 0]
        measurements:
          rated: 5
          scaled: 0
        homework:
          step-one: 9
        notes: {BLOCK}
        private_notes: {BLOCK}
        for_client: {BLOCK}
        """,
}

DANGEROUS_TAGS = {"script", "img", "iframe", "object", "embed", "frame", "base", "form", "link", "meta"}


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.meta = 0

    def handle_starttag(self, tag, attrs):
        if tag == "meta" or (tag == "link" and dict(attrs) == {"rel": "icon", "href": "data:,"}):
            self.meta += tag == "meta"
            return  # our own head
        if tag in DANGEROUS_TAGS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "xlink:href") and value and \
                    value.strip().lower().replace("\t", "").startswith(("javascript:", "data:", "vbscript:")):
                self.bad.append(f"{tag} {name}={value}")


def audit(path: Path) -> Audit:
    parser = Audit()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_payload_in_every_text_field_is_escaped_on_every_page(make_practice, tmp_path):
    root = make_practice(FILES)
    result = build_book(root, tmp_path / "book")
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    share = build_book(root, tmp_path / "book", client="xs", share=True)
    assert share.ok
    pages = sorted((tmp_path / "book").rglob("*.html"))
    assert [p.relative_to(tmp_path / "book").as_posix() for p in pages] == ["clients/xs.html", "for-client-xs.html", "index.html",
                                                                                   "outcomes.html"]
    for page in pages:
        found = audit(page)
        assert found.bad == [], (page.name, found.bad)
        assert found.meta == 6  # our own: charset, CSP, referrer, robots, viewport, generator
        text = page.read_text(encoding="utf-8")
        # The text did arrive, as text.
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_the_client_page_shows_each_field(make_practice, tmp_path):
    root = make_practice(FILES)
    build_book(root, tmp_path / "book")
    text = (tmp_path / "book/clients/xs.html").read_text(encoding="utf-8")
    # name, pronouns, hope, focus area, notes×(client, private, goal, 2 sessions × 2), title×2, own words,
    # achievable, relevant, measure label, step action, 5 GAS levels, clinician role, category: many times.
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 25
    assert "[image: pic]" in text  # Markdown images become text: nothing is fetched
