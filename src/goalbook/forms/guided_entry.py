"""Guided entry of one questionnaire in the terminal: item by item, with the answer labels.

The rules this module keeps:

* Each item is shown with its wording (or its label, where the licence keeps the wording out) and
  every answer as ``value  label``; the answer is typed as its value.
* ``b`` (or ``u``) goes back one item (its answer is asked again: an undo); ``s`` skips an item only where
  the questionnaire allows it (an optional item, or fewer items left empty than its prorating rule
  allows); ``q`` stops, and nothing is written.
* At the end a summary shows every answer; typing an item's number changes that answer, ``y``
  saves. Nothing reaches the record before ``y``.

The conversation takes its input and output as two functions, so it is tested without a terminal
and driven by `goalbook enter` through a real one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from goalbook.clinical import scoring
from goalbook.clinical.instruments import Instrument, Item
from goalbook.clinical.scoring import answer_problems
from goalbook.number_text import plain_number

BACK, SKIP, QUIT, SAVE = "b", "s", "q", "y"
BACK_WORDS = (BACK, "back", "u", "undo")  # going back one item undoes its answer: it is asked again
SUMMARY_WIDTH = 58  # characters of item wording in the summary lines


class Stopped(Exception):
    """The user stopped (``q``, end of input or Ctrl-C): nothing is written."""


@dataclass
class GuidedEntry:
    """The answers so far, and which item is asked next (``position`` == item count: the summary)."""

    instrument: Instrument
    answers: list[int | None] = field(default_factory=list)
    given: list[bool] = field(default_factory=list)
    position: int = 0
    back_to_summary: bool = False  # an answer changed from the summary returns there

    def __post_init__(self) -> None:
        n = self.instrument.item_count
        self.answers = self.answers or [None] * n
        self.given = self.given or [False] * n

    @property
    def item(self) -> Item:
        return self.instrument.items[self.position]

    @property
    def at_summary(self) -> bool:
        return self.position >= self.instrument.item_count

    def may_skip(self) -> bool:
        if self.item.optional:
            return True
        skipped = sum(1 for k, item in enumerate(self.instrument.items)
                      if k != self.position and self.given[k] and self.answers[k] is None and not item.optional)
        return skipped < self.instrument.prorate_up_to

    def item_lines(self) -> list[str]:
        item, n = self.item, self.instrument.item_count
        lines = [f"Item {item.number} of {n}: {item.display}"]
        lines += [f"  {o.value}  {o.label}" for o in sorted(item.options, key=lambda o: o.value)]
        if self.given[self.position]:
            was = self.answers[self.position]
            lines.append(f"  (was: {'skipped' if was is None else was})")
        return lines

    def item_prompt(self) -> str:
        values = [str(v) for v in self.item.values]
        choices = f"{values[0]}–{values[-1]}" if len(values) > 2 else " or ".join(values)
        keys = [choices] + (["b back"] if self.position > 0 else []) + (["s skip"] if self.may_skip() else [])
        return f"[{', '.join(keys + ['q quit'])}] > "

    def respond(self, text: str) -> str | None:
        """Take one line typed at an item; return a message to show when it was not an answer."""
        word = text.strip().lower()
        if word == QUIT:
            raise Stopped
        if word in BACK_WORDS:
            if self.position == 0:
                return "this is the first item: there is nothing to go back to"
            self.position -= 1
            return None
        if word == SKIP:
            if not self.may_skip():
                allows = self.instrument.prorate_up_to
                why = ("every item must be answered" if allows == 0
                       else f"{self.instrument.short_name} allows at most {allows} item{'s' if allows != 1 else ''} "
                            "left empty")
                return f"item {self.item.number} cannot be skipped: {why}"
            self._record(None)
            return None
        if not word:
            return self._what_to_type()[0].upper() + self._what_to_type()[1:]
        try:
            value = int(word)
        except ValueError:
            return f"'{text.strip()}' is not an answer: {self._what_to_type()}"
        if value not in self.item.values:
            return f"{value} is not an answer to item {self.item.number}: {self._what_to_type()}"
        self._record(value)
        return None

    def _what_to_type(self) -> str:
        values = ", ".join(str(v) for v in self.item.values)
        return f"type one of {values} (b to go back, q to quit)"

    def _record(self, value: int | None) -> None:
        self.answers[self.position] = value
        self.given[self.position] = True
        self.position = self.instrument.item_count if self.back_to_summary else self.position + 1
        self.back_to_summary = False

    def summary_lines(self) -> list[str]:
        lines = []
        for item, answer in zip(self.instrument.items, self.answers):
            words = item.display if len(item.display) <= SUMMARY_WIDTH else item.display[:SUMMARY_WIDTH - 1] + "…"
            label = next((o.label for o in item.options if o.value == answer), "")
            shown = "—  skipped" if answer is None else f"{answer}  {label}"
            lines.append(f"  {item.number:>2}  {words:<{SUMMARY_WIDTH}}  {shown}")
        return lines

    def total_line(self) -> str:
        """The total as scored, to check against a total added up on the paper."""
        problems = answer_problems(self.instrument, self.answers)
        if problems:
            return f"  Not scorable yet: {problems[0][1]}"
        score = scoring.score(self.instrument, self.answers, worked=False)
        band = f" — {score.band.label}" if score.band else ""
        prorated = f" (prorated: {score.prorate_how})" if score.prorated else ""
        return f"  Total {plain_number(score.total)}{band}{prorated}"

    def summary_prompt(self) -> str:
        return f"[y save, 1–{self.instrument.item_count} change that item, b back, q quit] > "

    def respond_to_summary(self, text: str) -> bool | str:
        """Take one line typed at the summary: True to save, or a message (possibly "") to show."""
        word = text.strip().lower()
        if word == SAVE:
            return True
        if word == QUIT:
            raise Stopped
        if word in BACK_WORDS:
            self.position = self.instrument.item_count - 1
            return ""
        try:
            number = int(word)
        except ValueError:
            return f"'{text.strip()}' is not one of the choices: type y to save, an item number to change it"
        if not 1 <= number <= self.instrument.item_count:
            return f"there is no item {number}: the items are 1–{self.instrument.item_count}"
        self.position, self.back_to_summary = number - 1, True
        return ""


def converse(entry: GuidedEntry, ask: Callable[[str], str], say: Callable[[str], None],
             heading: list[str]) -> tuple[int | None, ...]:
    """Ask every item, then the summary, until saved; the answers in item order.

    ``ask`` shows a prompt and returns the line typed (``EOFError``/``KeyboardInterrupt`` stop, as ``q``).
    Raises ``Stopped`` when the user stops: nothing is to be written."""
    for line in heading:
        say(line)
    shown = -1  # the item whose lines are on the screen: after a wrong answer only the prompt is asked again
    try:
        while True:
            if entry.at_summary:
                shown = -1
                say("")
                say("Summary:")
                for line in entry.summary_lines():
                    say(line)
                say(entry.total_line())
                said = entry.respond_to_summary(ask(entry.summary_prompt()))
                if said is True:
                    return tuple(entry.answers)
                if said:
                    say(str(said))
                continue
            if shown != entry.position:
                say("")
                for line in entry.item_lines():
                    say(line)
                shown = entry.position
            message = entry.respond(ask(entry.item_prompt()))
            if message:
                say(message)
    except (EOFError, KeyboardInterrupt):
        raise Stopped from None
