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
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@pytest.fixture
def pages(small_practice, tmp_path) -> dict[str, str]:
    out = tmp_path / "book"
    assert build_book(small_practice, out).ok
    share = build_book(small_practice, tmp_path / "ab-share.html", client="ab", share=True)
    assert share.ok
    return {
        "index": (out / "index.html").read_text(encoding="utf-8"),
        "ab": (out / "clients" / "ab.html").read_text(encoding="utf-8"),
        "share": share.out.read_text(encoding="utf-8"),
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
    assert re.search(r"% of aim 80%\* 80% 71% 70% 70%\*", text), text
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
