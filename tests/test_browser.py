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

from goalbook.build import build_book

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
# Outside the source tree: $GOALBOOK_ARTIFACTS, else a folder in the temporary directory.
ARTIFACTS = Path(os.environ.get("GOALBOOK_ARTIFACTS") or Path(tempfile.gettempdir()) / "goalbook-artifacts")
EXAMPLE = Path(__file__).resolve().parent.parent / "example-practice"
SMALL = Path(__file__).resolve().parent / "golden" / "practice"


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("GOALBOOK_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here but cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


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


class Watched:
    """A page with every request and console error recorded."""

    def __init__(self, browser, width: int = 1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def non_file_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("file://")]

    def close(self) -> None:
        self.context.close()


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


PHONE = 390  # CSS px: a common phone width (iPhone 12–15)


def test_every_page_fits_a_phone_without_sideways_scrolling(browser, book):
    """At 390 px no page is wider than the screen: wide tables scroll inside their own box instead."""
    out, _, share = book
    w = Watched(browser, width=PHONE)
    try:
        pages = sorted(out.rglob("*.html")) + [share]
        too_wide = {}
        for page in pages:
            w.open(page)
            width = w.page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            if width > PHONE:
                too_wide[page.name] = width
        assert too_wide == {}, f"wider than a {PHONE} px phone: {too_wide}"
        # The check can fail: a table too wide for the phone is there, scrolling in its own box.
        w.open(out / "clients" / f"{book[1]}.html")
        scrollers = w.page.evaluate("""() => [...document.querySelectorAll('.table-scroll')]
            .filter(box => box.scrollWidth > box.clientWidth).length""")
        assert scrollers >= 1
        assert w.non_file_requests() == [] and w.errors == []
    finally:
        w.close()
