"""A client's form in a real browser (Debian's chromium via Playwright, never a downloaded browser).

Proves: the page's HPKE gives RFC 9180's A.1 values; a client can answer by taps on a phone and with
the keyboard alone on a computer; the safety message appears the moment a risk item is endorsed;
the reply (the downloaded file, or the copied text) imports and its scores reach the client's page;
the form makes no request that is not its own file. Screenshots go to $GOALBOOK_SCREENSHOTS if set.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from browsing import RecordedTab
from click.testing import CliRunner

from goalbook.build import build_book
from goalbook.cli import main

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parent.parent / "example-practice"
SAFETY = "If you are thinking of harming yourself, call your GP today, or 999 in an emergency."
# The client answers on 30 March 2026, the day before the example practice's fixed "today".
ANSWERED = "2026-03-30T09:14:00Z"

# RFC 9180, appendix A.1 (A.1.1 base setup and its first encryption, sequence number 0).
A1 = {
    "info": "4f6465206f6e2061204772656369616e2055726e",
    "skEm": "52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
    "pkRm": "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
    "enc": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
    "shared_secret": "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    "key_schedule_context": "00725611c9d98c07c03f60095cd32d400d8347d45ed67097bbad50fc56da742d07cb6cffde367bb"
                            "0565ba28bb02c90744a20f5ef37f30523526106f637abb05449",
    "secret": "12fff91991e93b48de37e7daddb52981084bd8aa64289c3788471d9a9712f397",
    "key": "4531685d41d65f03dc48f6b8302c05b0",
    "base_nonce": "56d890e5accaaf011cff4b7d",
    "pt": "4265617574792069732074727574682c20747275746820626561757479",
    "aad": "436f756e742d30",
    "ct": "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
}


@pytest.fixture
def practice(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    root = tmp_path / "practice"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("_book", ".goalbook-cache", "_forms", "forms"))
    with open(root / "goalbook.yaml", "a", encoding="utf-8") as out:
        out.write(f'safety_message: "{SAFETY}"\n')
    return root


def goalbook(root: Path, *args: str, input: str | None = None):
    result = CliRunner().invoke(main, [*args, "--practice", str(root)], input=input)
    return result


def make_form(root: Path, client: str, *instruments: str) -> tuple[Path, str]:
    result = goalbook(root, "form", client, *[x for i in instruments for x in ("--instrument", i)])
    assert result.exit_code == 0, result.output
    form_id = re.search(r"form (f-\d{8}-[a-z2-7]{6})", result.output).group(1)
    return root / "_forms" / f"{client}-{form_id}.html", form_id


class Client(RecordedTab):
    """A browser tab as the client's device, with every request and page error recorded."""

    def __init__(self, browser, width: int, height: int, touch: bool):
        super().__init__(browser.new_context(viewport={"width": width, "height": height}, has_touch=touch,
                                             accept_downloads=True, timezone_id="Europe/London"))
        self.page.clock.set_fixed_time(ANSWERED)

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri())

    def shot(self, name: str) -> None:
        folder = os.environ.get("GOALBOOK_SCREENSHOTS")
        if folder:
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_rfc9180_a1_vectors_in_the_browser(browser, practice):
    form, _ = make_form(practice, "ana-r", "gad7")
    c = Client(browser, 1280, 900, touch=False)
    try:
        c.open(form)
        got = c.page.evaluate("""async (v) => {
          const h = s => new Uint8Array(s.match(/../g).map(x => parseInt(x, 16)));
          const x = a => Array.from(a).map(b => b.toString(16).padStart(2, '0')).join('');
          const r = await GoalbookHPKE.seal(h(v.pkRm), h(v.info), h(v.aad), h(v.pt), h(v.skEm));
          return {enc: x(r.enc), shared_secret: x(r.sharedSecret), key_schedule_context: x(r.context),
                  secret: x(r.secret), key: x(r.key), base_nonce: x(r.baseNonce), ct: x(r.ct)};
        }""", A1)
        assert got == {k: A1[k] for k in got}
        assert c.errors == []
    finally:
        c.close()


def test_phone_taps_safety_message_download_import_and_the_book(browser, practice, tmp_path):
    form, form_id = make_form(practice, "ana-r", "phq9", "gad7")
    from playwright.sync_api import expect

    c = Client(browser, 390, 844, touch=True)
    page = c.page
    try:
        c.open(form)
        c.shot("form-phone-intro")
        page.tap("#start")
        for n in range(1, 17):  # PHQ-9 items 1–9, then GAD-7 items 1–7: "Several days" (1) each
            assert page.locator("#progress-text").inner_text() == f"Question {n} of 16"
            safety = page.locator("#question .safety")
            assert safety.is_visible() == (n > 9)  # from the endorsement on, it stays in view
            page.get_by_label("Several days").tap()
            if n == 9:  # PHQ-9 item 9 above 0: the message at once, and the page waits for the client
                assert safety.is_visible() and SAFETY in safety.inner_text()
                c.shot("form-phone-safety")
                page.tap("#next")
            if n < 16:  # the tap alone moves on to the next question
                expect(page.locator("#progress-text")).to_have_text(f"Question {n + 1} of 16")
        page.wait_for_selector("#review:not([hidden])")
        assert page.locator("#review-summary").inner_text() == "You have answered 16 of 16 questions."
        page.tap("#finish")
        page.wait_for_selector("#done:not([hidden])")
        assert page.locator("#done .safety").is_visible()
        c.shot("form-phone-done")
        with page.expect_download() as download:
            page.tap("#download")
        reply = tmp_path / "reply.txt"
        download.value.save_as(reply)
        assert reply.read_text().startswith(f"-----BEGIN GOALBOOK REPLY-----\nform: {form_id}\n")
        assert [u for u in c.requests if not u.startswith("file://")] == []
        assert c.errors == []
    finally:
        c.close()
    result = goalbook(practice, "import", str(reply))
    assert result.exit_code == 0, result.output
    # PHQ-9: 9 × 1 = 9 → Mild (5–9), item 9 flagged; GAD-7: 7 × 1 = 7 → Mild (5–9).
    assert "PHQ-9: 9, Mild" in result.output and "FLAG PHQ-9 item 9 answered 1" in result.output
    assert "GAD-7: 7, Mild" in result.output
    session = practice / "clients/ana-r/sessions/2026-03-30-self-report.yaml"
    assert f"source: {{form: {form_id}, answered_at: \"2026-03-30T09:14Z\"}}" in session.read_text()
    built = build_book(practice)
    assert built.ok, [str(p) for p in built.problems if p.is_error]
    html = (built.out / "clients" / "ana-r.html").read_text()
    assert "30 Mar 2026" in html and "Answered without a contact" in html
    for instrument, total in (("phq9", "9"), ("gad7", "7")):
        row = re.search(rf'<tr id="adm-{instrument}-2026-03-30-self-report".*?</tr>', html, re.DOTALL)
        assert row, f"no {instrument} row for 30 Mar 2026"
        assert "30 Mar 2026" in row.group(0) and f">{total}<" in row.group(0), row.group(0)


def test_keyboard_only_at_1280_with_an_item_left_out_and_the_copied_text(browser, practice):
    # CORE-10 allows one missing item (prorated), so the form asks to confirm and then sends.
    from playwright.sync_api import expect

    form, _ = make_form(practice, "chloe-m", "core10")
    c = Client(browser, 1280, 900, touch=False)
    page = c.page
    try:
        c.open(form)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "start"
        page.keyboard.press("Enter")
        for n in range(1, 11):
            assert page.evaluate("document.activeElement.name") == "answer"  # focus lands on the choices
            if n != 4:  # item 4 left out
                page.keyboard.press("Space")  # picks the first choice, "Not at all" (0)
            page.keyboard.press("Enter")
        page.wait_for_selector("#review:not([hidden])")
        assert page.locator("#review-summary").inner_text() == "You have answered 9 of 10 questions."
        finish = page.locator("#finish")
        assert finish.inner_text() == "Send with 1 unanswered"
        finish.focus()
        page.keyboard.press("Enter")
        assert "Are you sure? 1 question is unanswered." in page.locator("#finish-why").inner_text()
        assert page.locator("#done").is_hidden()
        page.keyboard.press("Enter")
        page.wait_for_selector("#done:not([hidden])")
        page.locator("#copy").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#copied")).to_contain_text("Copied")  # after the clipboard's promise
        text = page.input_value("#reply-text")
        c.shot("form-desktop-done")
        assert [u for u in c.requests if not u.startswith("file://")] == []
        assert c.errors == []
    finally:
        c.close()
    result = goalbook(practice, "import", input=f"Hi, here are my answers:\n\n{text}\nChloe\n")
    assert result.exit_code == 0, result.output
    written = (practice / "clients/chloe-m/sessions/2026-03-30-self-report.yaml").read_text()
    assert "answers: [0, 0, 0, ~, 0, 0, 0, 0, 0, 0]" in written


def test_no_submit_with_items_missing_and_200_percent_zoom(browser, practice):
    form, _ = make_form(practice, "ana-r", "gad7")
    c = Client(browser, 640, 450, touch=False)  # a 1280 × 900 screen at 200 % zoom
    page = c.page
    try:
        c.open(form)
        page.click("#start")
        # Nothing needs sideways scrolling, and every choice is a large target.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        sizes = page.eval_on_selector_all("#item label", "ls => ls.map(l => l.getBoundingClientRect().height)")
        assert len(sizes) == 4 and min(sizes) >= 44
        for _ in range(7):
            page.click("#next")
        assert page.locator("#finish").is_disabled()
        assert "Please answer every question of GAD-7 before sending" in page.locator("#finish-why").inner_text()
        page.get_by_role("button", name="Answer GAD-7 question 3").click()
        assert page.locator("#progress-text").inner_text() == "Question 3 of 7"
        assert c.errors == []
    finally:
        c.close()
