"""Scoring one administration of a questionnaire: pure functions, no I/O.

Answers are the option values of the responses chosen, one per item in form order, ``None`` for a
missing item. Reverse-keyed items are reversed here (lowest + highest option − answer), so a therapist
always writes the value of the response as printed for a normal item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from goalbook.formatting import plain_number
from goalbook.instruments import Band, Instrument

AnswerProblem = tuple[int | None, str, str]  # (0-based answer index or None for the whole list, message, hint)


class ScoringError(ValueError):
    """Answers that ``answer_problems`` would reject were passed to ``score``: a programming error."""


@dataclass(frozen=True)
class Flag:
    """A critical item whose answer meets its condition, e.g. PHQ-9 item 9 answered 1 (condition > 0)."""

    item: int
    answer: int
    condition: str
    reason: str
    source: str = ""

    def explain(self) -> str:
        return f"item {self.item} answered {self.answer} (flag when {self.condition}): {self.reason}"


@dataclass(frozen=True)
class SubscaleScore:
    id: str
    name: str
    total: float | None  # None when all of its items are missing
    band: Band | None
    above_cutoff: bool | None
    items: tuple[int, ...]


@dataclass(frozen=True)
class Score:
    instrument: str
    total: float
    band: Band | None
    above_cutoff: bool | None  # None: the instrument has no cut-off
    flags: tuple[Flag, ...] = ()
    subscales: dict[str, SubscaleScore] = field(default_factory=dict)
    prorated: bool = False
    prorate_how: str = ""  # e.g. "1 item missing: mean of 9 answered items (2.33) × 10 items = 23.3"
    missing: tuple[int, ...] = ()  # item numbers left empty
    answers: tuple[int | None, ...] = ()  # as given
    item_scores: tuple[int | None, ...] = ()  # after reversal
    steps: tuple[str, ...] = ()  # how the total was reached, in words
    source: str = ""  # where the bands and cut-off come from
    from_total_only: bool = False

    def explain(self) -> str:
        band = f", {self.band.label}" if self.band else ""
        return f"{plain_number(self.total)}{band}: " + "; ".join(self.steps)


def _range_text(values: tuple[int, ...]) -> str:
    lo, hi = values[0], values[-1]
    if list(values) == list(range(lo, hi + 1)):
        return f"{lo}–{hi}"
    return ", ".join(map(str, values))


def _is_answer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _missing_words(n: int) -> str:
    return "none" if n == 0 else ("1 item" if n == 1 else f"up to {n} items")


def answer_problems(instrument: Instrument, answers: Sequence[object]) -> list[AnswerProblem]:
    """Everything wrong with a list of answers, in plain words for a therapist (empty when fine)."""
    name = instrument.short_name
    n = instrument.item_count
    if len(answers) != n:
        return [(None, f"{name} has {n} items; this lists {len(answers)} answer{'s' if len(answers) != 1 else ''}",
                 ("give one answer per item in form order, writing null for an item left empty, "
                 "or record only `{total: N}` if that is all you have"))]
    out: list[AnswerProblem] = []
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        item = instrument.items[index]
        allowed = item.values
        if answer in allowed and _is_answer(answer):
            continue  # the usual case: no option list to spell out (issue 6: speed)
        options = ", ".join(f"{o.value} = {o.label}" for o in sorted(item.options, key=lambda o: o.value))
        if not _is_answer(answer):
            out.append((index, f"answer {answer!r} to item {item.number} is not a number",
                        f"{name} answers are whole numbers: {options}"))
        elif answer not in allowed:
            out.append((index, (f"answer {answer} to item {item.number} is not an option of {name} "
                        f"({_range_text(allowed)})"), f"{name} answers: {options}"))
    missing = [i.number for i, a in zip(instrument.items, answers) if a is None and not i.optional]
    if len(missing) > instrument.prorate_up_to:
        k = len(missing)
        allows = _missing_words(instrument.prorate_up_to)
        out.append((None, (f"{k} item{'s' if k != 1 else ''} missing (item{'s' if k != 1 else ''} "
                    f"{', '.join(map(str, missing))}); {name} allows {allows} to be missing"),
                    ("fill in the missing answers if you can; otherwise record only `{total: N}` when a total "
                    "was scored on paper, or leave the questionnaire out of this session")))
    return out


def score(instrument: Instrument, answers: Sequence[int | None]) -> Score:
    """Total, band, cut-off, critical-item flags and subscales of one complete (or proratable) set of answers."""
    problems = answer_problems(instrument, answers)
    if problems:
        raise ScoringError(problems[0][1])
    items = instrument.items
    scored: list[int | None] = []
    for item, answer in zip(items, answers):
        if answer is None:
            # An optional item left empty (not applicable) scores as its lowest value; a missing one stays None.
            scored.append(item.values[0] if item.optional else None)  # values are sorted
        elif item.number in instrument.reverse_items:
            scored.append(item.values[0] + item.values[-1] - answer)
        else:
            scored.append(answer)
    missing = tuple(i.number for i, a in zip(items, answers) if a is None and not i.optional)
    steps: list[str] = []
    if instrument.reverse_items:
        rev = ", ".join(f"item {n} {answers[n - 1]} → {scored[n - 1]}" for n in instrument.reverse_items
                        if answers[n - 1] is not None)
        first = items[instrument.reverse_items[0] - 1].values
        steps.append(f"items {', '.join(map(str, instrument.reverse_items))} reverse-scored "
                     f"({min(first) + max(first)} − answer){': ' + rev if rev else ''}")
    skipped = [i.number for i, a in zip(items, answers) if a is None and i.optional]
    if skipped:
        steps.append(f"item {', '.join(map(str, skipped))} not applicable, scored {min(items[skipped[0] - 1].values)}")
    total, how = _combine(instrument, scored, [i.number for i in items])
    steps.append(how)
    prorate_how = how if missing else ""
    flags = tuple(
        Flag(c.item, answers[c.item - 1], c.condition, c.reason, c.source)  # type: ignore[arg-type]
        for c in instrument.critical_items
        if c.triggered(answers[c.item - 1])  # type: ignore[arg-type]
    )
    subscales: dict[str, SubscaleScore] = {}
    for s in instrument.subscales:
        s_total: float | None
        if all(scored[n - 1] is None for n in s.items):
            s_total = None
        else:
            s_total, s_how = _combine(instrument, scored, list(s.items))
            steps.append(f"{s.name}: {s_how}")
        subscales[s.id] = SubscaleScore(
            s.id, s.name, s_total,
            instrument.band_for(s_total, s.bands) if s_total is not None and s.bands else None,
            s.cutoff.is_clinical(s_total) if s.cutoff and s_total is not None else None, s.items,
        )
    band = instrument.band_for(total) if instrument.bands else None
    return Score(
        instrument=instrument.id, total=total, band=band,
        above_cutoff=instrument.cutoff.is_clinical(total) if instrument.cutoff else None,
        flags=flags, subscales=subscales, prorated=bool(missing), prorate_how=prorate_how, missing=missing,
        answers=tuple(answers), item_scores=tuple(scored), steps=tuple(steps) + _band_steps(instrument, total, band),
        source=instrument.bands_source,
    )


def score_total(instrument: Instrument, total: float) -> Score:
    """Only a total is known (scored on paper): band and cut-off, but no item flags or subscales.

    The total is on the reported scale, after any multiplier (WHO-5: the percentage 0–100, not the raw 0–25)."""
    band = instrument.band_for(total) if instrument.bands else None
    given = "total given, items not known"
    if instrument.multiplier != 1:
        given += (f" (read as the reported score {plain_number(instrument.min_total)}–{plain_number(instrument.max_total)}, "
                  f"i.e. raw × {plain_number(instrument.multiplier)})")
    if instrument.critical_items:
        given += "; critical items (" + ", ".join(f"item {c.item}" for c in instrument.critical_items) + \
            ") could not be checked"
    return Score(
        instrument=instrument.id, total=total, band=band,
        above_cutoff=instrument.cutoff.is_clinical(total) if instrument.cutoff else None,
        steps=(given,) + _band_steps(instrument, total, band),
        source=instrument.bands_source, from_total_only=True,
    )


def _combine(instrument: Instrument, scored: Sequence[int | None], numbers: list[int]) -> tuple[float, str]:
    """Sum or mean of the items ``numbers``, prorated over missing ones, times the multiplier; with the sum shown."""
    values = [scored[n - 1] for n in numbers]
    present = [v for v in values if v is not None]
    raw = sum(present)
    k = len(values)
    missing = k - len(present)
    mult = instrument.multiplier
    times = f" × {plain_number(mult)}" if mult != 1 else ""
    if instrument.method == "mean":
        mean = raw / len(present)
        total = mean * mult
        how = f"mean of {len(present)} answered items = {plain_number(raw)} / {len(present)} = {mean:.2f}{times}"
    elif missing:
        # Prorating: the answered items' mean stands in for the missing ones (CORE-10: mean × 10).
        mean = raw / len(present)
        total = mean * k * mult
        how = (f"{missing} item{'s' if missing != 1 else ''} missing: mean of {len(present)} answered items "
               f"({plain_number(raw)} / {len(present)} = {mean:.2f}) × {k} items{times}")
    else:
        total = raw * mult
        how = f"sum of {k} items = {plain_number(raw)}{times}"
    total = round(total, 6)  # 23.333333 stays exact enough; 40.00000001 from float steps becomes 40
    total = int(total) if float(total).is_integer() else total
    if how.endswith(f"= {plain_number(total)}"):
        return total, how
    return total, f"{how} = {plain_number(total)}"


def _band_steps(instrument: Instrument, total: float, band: Band | None) -> tuple[str, ...]:
    out = []
    if band is not None:
        out.append(f"band {band.label} ({plain_number(band.min)}–{plain_number(band.max)}, {instrument.bands_source})")
    if instrument.cutoff is not None:
        clinical = instrument.cutoff.is_clinical(total)
        out.append(f"{'in' if clinical else 'not in'} the clinical range (cut-off {instrument.cutoff.describe()}, "
                   f"{instrument.cutoff.source})")
    return tuple(out)
