"""The built book in a real browser (Debian's chromium via Playwright, never a downloaded browser).

Proves: no network request of any kind, no console errors, every page reachable from the caseload,
every chart next to its table. Saves screenshots of the caseload, a client book, its print PDF and
the share page for people to look at, to $GOALBOOK_ARTIFACTS (default: goalbook-artifacts in the
temporary directory).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from browsing import RecordedTab

from goalbook.build import build_book

pytestmark = pytest.mark.browser

# Outside the source tree: $GOALBOOK_ARTIFACTS, else a folder in the temporary directory.
ARTIFACTS = Path(os.environ.get("GOALBOOK_ARTIFACTS") or Path(tempfile.gettempdir()) / "goalbook-artifacts")
EXAMPLE = Path(__file__).resolve().parent.parent / "example-practice"
SMALL = Path(__file__).resolve().parent / "golden" / "practice"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, str, Path]:
    """The example practice's book (the small test practice while the example is missing)."""
    source = EXAMPLE if (EXAMPLE / "goalbook.yaml").is_file() else SMALL
    practice = tmp_path_factory.mktemp("practice") / "p"
    shutil.copytree(source, practice, ignore=shutil.ignore_patterns("_book", ".goalbook-cache"))
    result = build_book(practice)
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    first = min(p.stem for p in (result.out / "clients").glob("*.html"))
    share = build_book(practice, client=first, share=True)
    assert share.ok
    return result.out, first, share.out


class Watched(RecordedTab):
    """A page with every request and console error recorded."""

    def __init__(self, browser, width: int = 1280):
        super().__init__(browser.new_context(viewport={"width": width, "height": 900}))

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def non_file_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("file://")]


def test_every_page_reachable_no_network_no_console_errors(browser, book):
    out, _, share = book
    w = Watched(browser)
    try:
        todo, seen = [out / "index.html"], set()
        while todo:
            page = todo.pop()
            if page in seen:
                continue
            seen.add(page)
            w.open(page)
            for href in w.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                url = urlparse(href)
                assert url.scheme in ("file", "http", "https", "mailto"), href
                if url.scheme == "file" and url.path.endswith(".html"):
                    target = Path(unquote(url.path))
                    assert target.is_file(), f"broken link {href} on {page.name}"
                    todo.append(target)
        w.open(share)
        assert w.non_file_requests() == []
        assert w.errors == []
    finally:
        w.close()
    pages = {p for p in out.rglob("*.html") if p != share}
    assert seen == pages, f"not reachable from the caseload: {sorted(map(str, pages - seen))}"


def test_each_chart_has_its_table(browser, book):
    out, _, _ = book
    w = Watched(browser)
    try:
        charts_seen = 0
        for page in sorted(out.rglob("*.html")):
            w.open(page)
            missing = w.page.evaluate("""() => [...document.querySelectorAll('svg.chart')].filter(svg => {
                const box = svg.closest('.step, .chart-and-table, section.instrument');
                const t = box && box.querySelector('table caption');
                return !(t && svg.getAttribute('role') === 'img' && svg.querySelector('title') && svg.querySelector('desc'));
              }).map(svg => svg.id)""")
            assert missing == [], (page.name, missing)
            charts_seen += w.page.evaluate("document.querySelectorAll('svg.chart').length")
        assert charts_seen >= 4
        assert w.non_file_requests() == [] and w.errors == []
    finally:
        w.close()


def test_screenshots_and_print(browser, book):
    out, first, share = book
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    w = Watched(browser)
    try:
        w.open(out / "index.html")
        w.page.screenshot(path=str(ARTIFACTS / "caseload.png"), full_page=True)
        w.open(out / "clients" / f"{first}.html")
        w.page.screenshot(path=str(ARTIFACTS / "client.png"), full_page=True)
        # Print: no navigation chrome, and the page renders to A4 PDF pages.
        w.page.emulate_media(media="print")
        assert w.page.evaluate("getComputedStyle(document.querySelector('.masthead')).display") == "none"
        w.page.screenshot(path=str(ARTIFACTS / "client-print.png"), full_page=True)
        pdf = w.page.pdf(format="A4", print_background=True)
        (ARTIFACTS / "client-print.pdf").write_bytes(pdf)
        # Pages after the first carry whose record it is, "confidential" and the page number (the
        # page margins' rule, with the name escaped for CSS); every disclosure prints open.
        style = w.page.evaluate("document.querySelector('style').textContent")
        assert "@page { @top-left { content: " in style and "confidential" in style
        assert "counter(page)" in style and "@page :first { @top-left { content: none; } }" in style
        folded = "() => [...document.querySelectorAll('details:not([open]) > :not(summary)')].map(e => e.checkVisibility())"
        assert set(w.page.evaluate(folded)) == {True}
        w.page.emulate_media(media="screen")
        assert set(w.page.evaluate(folded)) == {False}  # on screen they are folded
        w.page.emulate_media(media="print")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + \
            pdf.count(b"/Type/Page") >= 2
        w.page.emulate_media(media="screen")
        w.open(share)
        w.page.screenshot(path=str(ARTIFACTS / "share.png"), full_page=True)
        assert w.non_file_requests() == [] and w.errors == []
    finally:
        w.close()
    for name in ("caseload.png", "client.png", "client-print.png", "client-print.pdf", "share.png"):
        assert (ARTIFACTS / name).stat().st_size > 1000


WIDTHS = (320, 390, 1280)  # CSS px: the narrowest phone in use, a common phone, a laptop
SMALLEST_TEXT = 11  # CSS px, on screen (an SVG's text times the chart's scale)

# Every visible element inside the screen's width, and no visible text under SMALLEST_TEXT px.
# Every disclosure is opened first: what it holds must fit as well once a reader opens it.
# Invisible elements are passed over: display none, or clipped to nothing for screen readers only
# (the skip link, visually hidden words, a phone's table head).
LAYOUT_PROBLEMS = """(smallest) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const width = document.documentElement.clientWidth;
  const clippedAway = el => { for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.clip !== 'auto' || s.clipPath !== 'none' || a.classList.contains('skip')) return true; }
    return false; };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') :
     (el.className && el.className.baseVal ? '.' + el.className.baseVal.split(' ').join('.') : ''));
  const over = [], small = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || clippedAway(el)) continue;
    if (!el.checkVisibility()) continue;  // inside a closed disclosure: not shown
    if (r.left < -0.5 || r.right > width + 0.5) over.push(`${name(el)} ${Math.round(r.left)}–${Math.round(r.right)}`);
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text) continue;
    let size = parseFloat(s.fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) size *= el.getScreenCTM().a;
    if (size < smallest - 0.05) small.push(`${name(el)} ${size.toFixed(1)}px: ${el.textContent.trim().slice(0, 30)}`);
  }
  const page = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  return {page, width, over: over.slice(0, 12), small: small.slice(0, 12)};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen_with_legible_text(browser, book, width):
    """At 320, 390 and 1280 px: no page scrolls sideways, no visible element (a table's text, a
    chart's label) reaches past the screen's edge, and no visible text is smaller than 11 px."""
    out, first, share = book
    ARTIFACTS.mkdir(exist_ok=True)
    w = Watched(browser, width=width)
    try:
        problems = {}
        for page in sorted(out.rglob("*.html")) + [share]:
            w.open(page)
            found = w.page.evaluate(LAYOUT_PROBLEMS, SMALLEST_TEXT)
            if found["page"] > width or found["over"] or found["small"]:
                problems[page.name] = found
        for name, page in (("caseload", out / "index.html"), ("client", out / "clients" / f"{first}.html"),
                           ("share", share)):
            w.open(page)
            w.page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert problems == {}, problems
        assert w.non_file_requests() == [] and w.errors == []
    finally:
        w.close()
