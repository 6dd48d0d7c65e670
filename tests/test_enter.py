"""`goalbook enter`: a questionnaire answered on paper, typed in item by item.

The conversation is driven through a real pseudo-terminal (the stdlib's ``pty``), as a therapist
types it; the record is then read back. Totals worked out by hand in the comments.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from goalbook.cli import main
from goalbook.clinical.instruments import load_instruments
from goalbook.forms.guided_entry import GuidedEntry, Stopped, converse

CLIENT = """\
    id: ana-r
    name: Ana R.
    clinician: tc
    start_date: 2026-01-05
    status: active
    respondents:
      - id: sam
        name: Sam
        relation: partner
    """
# A session on 12 Jan 2026 with Ana's PHQ-9 (total 1×9 = 9) and a note the writer must keep as it is.
SESSION = """\
    date: 2026-01-12
    kind: session
    questionnaires:
      phq9: [1, 1, 1, 1, 1, 1, 1, 1, 1]
    notes: Talked about the move.   # kept
    """


@pytest.fixture
def practice(make_practice) -> Path:
    return make_practice({"clients/ana-r/client.yaml": CLIENT, "clients/ana-r/sessions/2026-01-12.yaml": SESSION})


class Terminal:
    """`goalbook ARGS…` on a pseudo-terminal: read what it shows, type lines."""

    def __init__(self, root: Path, *args: str) -> None:
        env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "GOALBOOK_DEBUG": "1"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: goalbook itself, in the practice folder
            os.chdir(root)
            os.execve(sys.executable, [sys.executable, "-m", "goalbook", *args], env)
        self.seen = ""
        self.typed_at = 0  # how much had been shown when a line was last typed

    def expect(self, text: str) -> None:
        """Read until ``text`` has been shown (anywhere so far)."""
        while text not in self.seen:
            self._more()

    def type(self, *lines: str) -> None:
        for line in lines:
            os.write(self.fd, (line + "\n").encode())
        self.typed_at = len(self.seen)

    def answer(self, prompt: str, line: str) -> None:
        """Wait for ``prompt`` shown since the last line typed, then type ``line``."""
        while prompt not in self.seen[self.typed_at:]:
            self._more()
        self.type(line)

    def _more(self) -> None:
        """Read what the terminal shows next; fail when nothing comes (a generous limit: the machine is
        shared) or goalbook has ended."""
        ready, _, _ = select.select([self.fd], [], [], 120)
        if not ready:
            raise AssertionError(f"nothing more shown; the terminal shows:\n{self.seen[-2000:]}")
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            raise AssertionError(f"goalbook ended; the terminal shows:\n{self.seen[-2000:]}")
        self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")

    def finish(self) -> int:
        """Read to the end; the exit code."""
        while True:
            ready, _, _ = select.select([self.fd], [], [], 60)
            if not ready:
                os.kill(self.pid, signal.SIGKILL)
                raise AssertionError(f"goalbook did not end; the terminal shows:\n{self.seen[-2000:]}")
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_a_phq9_typed_in_with_a_mistake_a_step_back_and_a_change_at_the_summary(practice):
    term = Terminal(practice, "enter", "ana-r", "phq9", "--date", "2026-01-26")
    term.expect("PHQ-9 for Ana R. on 2026-01-26, answered by Ana R. (client).")
    term.expect("Item 1 of 9: Little interest or pleasure in doing things")
    term.expect("  3  Nearly every day")
    term.answer("[0–3, q quit] > ", "2")
    term.answer("Item 2 of 9", "7")  # not an option
    term.expect("7 is not an answer to item 2: type one of 0, 1, 2, 3")
    term.type("s")  # PHQ-9 allows no item to be missing
    term.expect("item 2 cannot be skipped: every item must be answered")
    term.type("b")  # back to item 1: its answer is asked again
    term.expect("(was: 2)")
    term.type("3")
    for _ in range(2, 10):
        term.answer("[0–3, b back, q quit] > ", "1")
    term.expect("[y save, 1–9 change that item, b back, q quit] > ")
    assert "   1  Little interest or pleasure in doing things" in term.seen
    assert "  Total 11 — Moderate" in term.seen  # 3 + 1×8 = 11, before item 9 is changed
    term.type("9")  # change item 9 from the summary, then back to the summary
    term.expect("(was: 1)")
    term.type("0")
    term.answer("[y save, 1–9 change that item", "y")
    assert "  Total 10 — Moderate" in term.seen
    assert term.finish() == 0
    # 3 + 1×7 + 0 = 10: Moderate (10–14); from 9 on 12 Jan: +1 (< 6, not reliable).
    assert "Saved: clients/ana-r/sessions/2026-01-26-self-report.yaml (created)." in term.seen
    assert "PHQ-9 on 26 Jan 2026: total 10 — Moderate" in term.seen
    assert "change from the first (12 Jan 2026, 9): no reliable change: +1 point (threshold 6" in term.seen
    assert "FLAG" not in term.seen
    written = yaml.safe_load((practice / "clients/ana-r/sessions/2026-01-26-self-report.yaml").read_text())
    assert written == {"date": date(2026, 1, 26), "kind": "self-report", "questionnaires": {
        "phq9": {"answers": [3, 1, 1, 1, 1, 1, 1, 1, 0], "source": {"entered": "paper"}}}}


def test_quitting_writes_nothing(practice):
    before = sorted(p.name for p in (practice / "clients/ana-r/sessions").iterdir())
    term = Terminal(practice, "enter", "ana-r", "gad7", "--date", "2026-01-12")
    term.answer("[0–3, q quit] > ", "1")
    term.answer("[0–3, b back, q quit] > ", "q")
    assert term.finish() == 1
    assert "Stopped: nothing was written." in term.seen
    assert sorted(p.name for p in (practice / "clients/ana-r/sessions").iterdir()) == before


def test_a_partners_answers_go_into_the_days_session_with_who_answered(practice):
    term = Terminal(practice, "enter", "ana-r", "gad7", "--date", "2026-01-12", "--respondent", "sam")
    term.expect("GAD-7 for Ana R. on 2026-01-12, answered by Sam (partner).")
    term.answer("[0–3, q quit] > ", "2")
    for _ in range(2, 8):
        term.answer("[0–3, b back, q quit] > ", "2")
    term.answer("[y save", "y")
    assert term.finish() == 0
    # The 12 Jan session has no GAD-7 yet: the answers join it, after its PHQ-9, and no line of it changes.
    session = (practice / "clients/ana-r/sessions/2026-01-12.yaml").read_text()
    old = textwrap.dedent(SESSION)
    assert [line for line in session.splitlines() if line in old.splitlines()] == old.splitlines()
    assert [line for line in session.splitlines() if line not in old.splitlines()] == [
        "  gad7:", "    answers: [2, 2, 2, 2, 2, 2, 2]", "    source: {entered: paper}", "    respondent: sam"]
    # 2×7 = 14: Moderate (10–14); Sam's first GAD-7, so nothing to compare with yet.
    assert "GAD-7 on 12 Jan 2026, answered by Sam (partner): total 14 — Moderate" in term.seen
    assert "the first answers to it by Sam (partner)" in term.seen


def test_an_item_may_be_skipped_only_as_far_as_the_questionnaire_allows():
    instruments, _ = load_instruments(None)
    core10 = instruments["core10"]
    assert core10.prorate_up_to == 1
    entry = GuidedEntry(core10)
    assert entry.respond("s") is None  # item 1 left empty: CORE-10 allows one
    assert entry.position == 1
    assert entry.respond("s") == "item 2 cannot be skipped: CORE-10 allows at most 1 item left empty"
    assert entry.respond("u") is None and entry.position == 0  # undo: item 1 is asked again
    assert entry.respond("4") is None  # item 1 answered after all: a skip is free again
    assert entry.respond("s") is None and entry.answers[:2] == [4, None]


def test_the_conversation_stops_at_the_end_of_input_and_saves_nothing():
    instruments, _ = load_instruments(None)
    typed = iter(["1", "2"])

    def ask(prompt: str) -> str:
        return next(typed)  # StopIteration is not EOF: make it so below

    def ask_eof(prompt: str) -> str:
        try:
            return ask(prompt)
        except StopIteration:
            raise EOFError from None

    with pytest.raises(Stopped):
        converse(GuidedEntry(instruments["gad7"]), ask_eof, lambda line: None, [])


@pytest.mark.parametrize(("args", "said"), [
    (["--respondent", "pat"], "ana-r has no respondent 'pat' (respondents: sam)"),
    (["--date", "2026-02-30"], "--date 2026-02-30 is not a date"),
    (["--date", "2026-04-01"], "--date 2026-04-01 is after today (2026-03-31)"),
])
def test_refused_before_any_question(practice, args, said):
    result = CliRunner().invoke(main, ["enter", "ana-r", "gad7", "--practice", str(practice), *args], input="")
    assert result.exit_code == 2 and said in result.output
    assert "Item 1" not in result.output


def test_an_unknown_questionnaire_is_refused_with_a_suggestion(practice):
    result = CliRunner().invoke(main, ["enter", "ana-r", "gad-7", "--practice", str(practice)], input="")
    assert result.exit_code == 2 and "unknown questionnaire 'gad-7'" in result.output and "gad7" in result.output


def test_a_questionnaire_already_recorded_that_day_is_refused_before_the_first_question(practice):
    # Ana's PHQ-9 of 12 Jan is in the session file (line 4): nothing is asked, nothing changes.
    before = (practice / "clients/ana-r/sessions/2026-01-12.yaml").read_bytes()
    result = CliRunner().invoke(main, ["enter", "ana-r", "phq9", "--date", "2026-01-12", "--practice", str(practice)],
                                input="1\n")
    assert result.exit_code == 2 and "Item 1" not in result.output
    assert ("PHQ-9 is already recorded for 2026-01-12 in clients/ana-r/sessions/2026-01-12.yaml:4; "
            "nothing was asked or written") in result.output
    assert (practice / "clients/ana-r/sessions/2026-01-12.yaml").read_bytes() == before


def test_the_summary_shows_the_total_prorated_when_an_item_was_skipped():
    instruments, _ = load_instruments(None)
    typed = iter(["s"] + ["2"] * 9 + ["y"])
    said: list[str] = []
    answers = converse(GuidedEntry(instruments["core10"]), lambda prompt: next(typed), said.append, [])
    assert answers == (None, 2, 2, 2, 2, 2, 2, 2, 2, 2)
    # Item 1 skipped; items 2 and 3 reversed (4 − 2 = 2): nine items scoring 2, mean 2 × 10 items = 20,
    # "Moderate-to-severe" (20–24).
    total = next(line for line in said if line.startswith("  Total"))
    assert total.startswith("  Total 20 — Moderate-to-severe (prorated: ")


def test_names_and_wording_from_the_files_cannot_act_on_the_terminal(make_practice):
    # YAML's escapes for ESC and BEL: the name, read, would retitle the terminal.
    root = make_practice({"clients/ana-r/client.yaml": CLIENT.replace("name: Sam", 'name: "Sam\\e]0;pwned\\a"')})
    result = CliRunner().invoke(main, ["enter", "ana-r", "gad7", "--date", "2026-01-12", "--respondent", "sam",
                                       "--practice", str(root)], input="1\n" * 7 + "y\n")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "answered by Sam\\x1b]0;pwned\\x07 (partner)" in result.output
