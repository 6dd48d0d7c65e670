"""Episodes of care: a client who was discharged and comes back starts a new episode. Pure functions.

An episode starts at the first contact; a new one starts at an `intake` contact after a `discharge`
contact. Change from the first score, the NHS paired outcome and a goal's questionnaire progress are
measured within one episode — a score from a course that ended is not the baseline of the next —
while earlier episodes stay in the book, labelled.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from goalbook.records import model

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Episode:
    number: int  # 1, 2, … in date order
    start: date
    end: date | None  # the last day before the next episode; None for the latest
    discharged: date | None = None  # the discharge contact that ended the episode before this one

    @property
    def label(self) -> str:
        """"Episode 2, from 3 May 2026 (returned after discharge on 1 Apr 2026)"."""
        text = f"Episode {self.number}, from {_d(self.start)}"
        if self.end is not None:
            text += f" to {_d(self.end)}"
        if self.discharged is not None:
            text += f" (returned after discharge on {_d(self.discharged)})"
        elif self.number > 1:
            text += " (returned)"
        return text


def _d(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def episode_starts(client: model.Client) -> list[tuple[date, date | None]]:
    """(first day, discharge date) of every return: an intake contact after a discharge contact, and
    each day written in client.yaml's `returned:` (its discharge is the last discharge contact before
    it, if any)."""
    out: list[tuple[date, date | None]] = []
    discharged: date | None = None
    for s in client.sessions:  # sorted by date, time, file
        if s.kind == "discharge":
            discharged = s.date
        elif s.kind == "intake" and discharged is not None:
            out.append((s.date, discharged))
            discharged = None
    inferred = {d for d, _ in out}
    for day in client.returned:
        if day not in inferred:
            before = [s.date for s in client.sessions if s.kind == "discharge" and s.date < day]
            out.append((day, max(before) if before else None))
    return sorted(out)


def episodes(client: model.Client) -> list[Episode]:
    """Every episode of the client, oldest first (one, for a client who never came back)."""
    first = min([client.start_date] + [s.date for s in client.sessions[:1]])
    returns = episode_starts(client)
    # A return on or before the first day starts nothing: there is no earlier episode to end.
    starts = [(first, None)] + [(d, discharged) for d, discharged in returns if d > first]
    out = []
    for k, (start, discharged) in enumerate(starts):
        end = starts[k + 1][0] - timedelta(days=1) if k + 1 < len(starts) else None
        out.append(Episode(k + 1, start, end, discharged))
    return out


def episode_number(starts: Sequence[date], day: date) -> int:
    """The episode ``day`` falls in, given the start dates of the later episodes (1 before any)."""
    return bisect_right(list(starts), day) + 1
