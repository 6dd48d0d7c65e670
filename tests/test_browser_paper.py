"""The paper form and the side-by-side respondents in a real browser (Debian's chromium via Playwright)."""

from __future__ import annotations

import re

import pytest
from test_paper_form import CLIENT

from goalbook.build import build_book
from goalbook.checks import check_practice
from goalbook.render import paper_form as pf

pytestmark = pytest.mark.browser

# A4 is 210 mm wide, Letter 8.5 in: CSS pixels at 96 per inch.
PAGE_WIDTH = {"a4": 210 / 25.4 * 96, "letter": 8.5 * 96}


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_each_questionnaire_fits_the_paper_on_pages_of_its_own(browser, make_practice, tmp_path, paper):
    practice, _ = check_practice(make_practice({"clients/ana-r/client.yaml": CLIENT}))
    form = pf.paper_form(practice, practice.client("ana-r"), ["phq9", "gad7"], paper=paper)
    path = tmp_path / "form.html"
    pf.write_paper_form(pf.render_paper_form(form), path)
    page = browser.new_page(viewport={"width": round(PAGE_WIDTH[paper]), "height": 1100})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    # Nothing runs off the side of the sheet: the widest element fits the page.
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # Every answer box is drawn (a square with a border), one per answer: PHQ-9 9 × 4 + GAD-7 7 × 4 = 64.
    sizes = page.eval_on_selector_all(".box-mark", "els => els.map(e => [e.offsetWidth, e.offsetHeight])")
    assert len(sizes) == 64 and all(w == h and w >= 15 for w, h in sizes)
    pdf = page.pdf(prefer_css_page_size=True)
    page.close()
    # PHQ-9 on the first sheet, GAD-7 starting the second: two pages, nothing fetched but the file.
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
    assert requests == [path.as_uri()]


def test_two_partners_side_by_side_at_desktop_width_and_stacked_on_a_phone(browser, make_practice):
    from test_respondents import couple

    practice = couple(make_practice)
    build_book(practice.root)
    url = (practice.root / "_book" / "clients" / "ana-r.html").as_uri()
    boxes = {}
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(url)
        boxes[width] = [page.locator(f"#{a}").bounding_box() for a in ("questionnaire-gad7", "questionnaire-gad7-sam")]
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.close()
    ana, sam = boxes[1280]
    assert sam["x"] > ana["x"] + ana["width"] - 1 and abs(sam["y"] - ana["y"]) < 1  # next to each other
    ana, sam = boxes[390]
    assert sam["y"] >= ana["y"] + ana["height"] - 1  # one under the other
