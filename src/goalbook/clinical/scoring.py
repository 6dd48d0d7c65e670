"""Scoring one administration of a questionnaire: pure functions, no I/O.

Answers are the option values of the responses chosen, one per item in form order, ``None`` for a
missing item. Reverse-keyed items are reversed here (lowest + highest option − answer), so a therapist
always writes the value of the response as printed for a normal item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from operator import contains

from goalbook.clinical.instruments import Band, Instrument, Item
from goalbook.number_text import fixed, plain_number
from goalbook.records.model import quick_constructor

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
    # Critical items with no answer: left empty and prorated over, or never asked (a total only).
    # A risk item nobody answered is said wherever the score is shown, never filled in silently.
    critical_unanswered: tuple[int, ...] = ()

    def explain(self) -> str:
        band = f", {self.band.label}" if self.band else ""
        return f"{plain_number(self.total)}{band}: " + "; ".join(self.steps)


# ``Score(**fields)`` without the frozen class's per-field ``__init__``: a book scores every administration.
_new_score = quick_constructor(Score)


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
    if _all_plain_options(instrument.item_values, answers):
        return []  # the usual case: nothing missing, nothing to spell out
    out: list[AnswerProblem] = []
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        item = instrument.items[index]
        allowed = item.values
        if answer in allowed and _is_answer(answer):
            continue  # an answer among the options: nothing to spell out
        options = ", ".join(f"{o.value} = {o.label}" for o in sorted(item.options, key=lambda o: o.value))
        if not _is_answer(answer):
            out.append((index, f"answer {answer!r} to item {item.number} is not a number",
                        f"{name} answers are whole numbers: {options}"))
        elif answer not in allowed:
            out.append((index, (f"answer {answer} to item {item.number} is not an option of {name} "
                        f"({_range_text(allowed)})"), f"{name} answers: {options}"))
    missing = _missing(instrument.items, answers)
    if len(missing) > instrument.prorate_up_to:
        k = len(missing)
        allows = _missing_words(instrument.prorate_up_to)
        out.append((None, (f"{k} item{'s' if k != 1 else ''} missing (item{'s' if k != 1 else ''} "
                    f"{', '.join(map(str, missing))}); {name} allows {allows} to be missing"),
                    ("fill in the missing answers if you can; otherwise record only `{total: N}` when a total "
                    "was scored on paper, or leave the questionnaire out of this session")))
    return out


def _all_plain_options(values: Sequence[tuple[int, ...]], answers: Sequence[object]) -> bool:
    """Every answer a plain int (never None or bool) among its item's option ``values``, checked in bulk."""
    return set(map(type, answers)) == {int} and all(map(contains, values, answers))


def score(instrument: Instrument, answers: Sequence[int | None], *, worked: bool = True) -> Score:
    """Total, band, cut-off, critical-item flags and subscales of one complete (or proratable) set of answers.

    ``worked=False`` leaves out the worked steps (``steps`` is empty; every other field is the same):
    the book shows the total, band, flags and any prorating, never the working."""
    items = instrument.items
    # The usual case: a plain option for every item, so nothing to report and nothing missing.
    complete = len(answers) == len(items) and _all_plain_options(instrument.item_values, answers)
    if not complete:
        problems = answer_problems(instrument, answers)
        if problems:
            raise ScoringError(problems[0][1])
    scored = _item_scores(instrument, answers)
    missing = () if complete else tuple(_missing(items, answers))
    # Every item counts towards the total (items are in form order, numbered from 1: checked on loading).
    # How a prorated total was reached is shown even without the working (``prorate_how``).
    total, how = _combine(instrument, scored, say=worked or bool(missing))
    prorate_how = how if missing else ""
    flags = _flags(instrument, answers) if instrument.critical_items else ()
    unanswered = tuple(c.item for c in instrument.critical_items if c.item in missing) if missing else ()
    subscales: dict[str, SubscaleScore] = {}
    subscale_steps: list[str] = []
    for s in instrument.subscales:
        s_total: float | None
        if all(scored[n - 1] is None for n in s.items):
            s_total = None
        else:
            s_total, s_how = _combine(instrument, [scored[n - 1] for n in s.items], say=worked)
            if worked:
                subscale_steps.append(f"{s.name}: {s_how}")
        subscales[s.id] = SubscaleScore(
            s.id, s.name, s_total,
            instrument.band_for(s_total, s.bands) if s_total is not None and s.bands else None,
            s.cutoff.is_clinical(s_total) if s.cutoff and s_total is not None else None, s.items,
        )
    band = instrument.band_for(total) if instrument.bands else None
    steps: tuple[str, ...] = ()
    if worked:
        steps = (_item_steps(instrument, answers, scored) + (how, *subscale_steps)
                 + _band_steps(instrument, total, band))
    return _new_score(
        instrument=instrument.id, total=total, band=band,
        above_cutoff=instrument.cutoff.is_clinical(total) if instrument.cutoff else None,
        flags=flags, subscales=subscales, prorated=bool(missing), prorate_how=prorate_how, missing=missing,
        answers=tuple(answers), item_scores=tuple(scored), steps=steps, source=instrument.bands_source,
        critical_unanswered=unanswered,
    )


def risk_unanswered_text(items: Sequence[int], *, total_only: bool = False) -> str:
    """"risk item 6 not answered": said wherever a score whose critical item has no answer is shown."""
    if not items:
        return ""
    which = ("item " if len(items) == 1 else "items ") + ", ".join(map(str, items))
    why = "only the total was recorded" if total_only else "the total is prorated without it"
    return f"risk {which} not answered: {why}"


def _flags(instrument: Instrument, answers: Sequence[int | None]) -> tuple[Flag, ...]:
    """The critical items whose answer meets their condition."""
    return tuple(
        Flag(c.item, answers[c.item - 1], c.condition, c.reason, c.source)  # type: ignore[arg-type]
        for c in instrument.critical_items
        if c.triggered(answers[c.item - 1])  # type: ignore[arg-type]
    )


def _missing(items: Sequence[Item], answers: Sequence[object]) -> list[int]:
    """The numbers of the required items left empty (an optional item may rightly be empty)."""
    if None not in answers:
        return []  # the usual case, told without looking at each item
    return [i.number for i, a in zip(items, answers) if a is None and not i.optional]


def _item_scores(instrument: Instrument, answers: Sequence[int | None]) -> list[int | None]:
    """Each item's score: reverse-keyed items reversed, an optional item left empty at its lowest value,
    a missing item None."""
    if not instrument.reverse_items and None not in answers:
        return list(answers)  # the usual case: every item scores as answered
    scored: list[int | None] = []
    for item, answer in zip(instrument.items, answers):
        if answer is None:
            # An optional item left empty (not applicable) scores as its lowest value; a missing one stays None.
            scored.append(item.values[0] if item.optional else None)  # values are sorted
        elif item.number in instrument.reverse_items:
            scored.append(item.values[0] + item.values[-1] - answer)
        else:
            scored.append(answer)
    return scored


def _item_steps(instrument: Instrument, answers: Sequence[int | None],
                scored: Sequence[int | None]) -> tuple[str, ...]:
    """The working before the total: reverse-scored items, and optional items not applicable."""
    items = instrument.items
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
    return tuple(steps)


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
        critical_unanswered=tuple(c.item for c in instrument.critical_items),
    )


def score_raw_total(instrument: Instrument, raw: float) -> Score:
    """Only the raw sum is known (WHO-5 raw 0–25): the reported total is raw × the multiplier."""
    total = raw * instrument.multiplier
    total = int(total) if float(total).is_integer() else total
    base = score_total(instrument, total)
    how = (f"raw total {plain_number(raw)} given, items not known: × {plain_number(instrument.multiplier)} "
           f"= {plain_number(total)}")
    return replace(base, steps=(how, *base.steps[1:]))


def possible_total_problem(instrument: Instrument, total: float, *, raw: bool = False) -> tuple[str, str] | None:
    """(message, hint) when ``total`` (the reported total, or with ``raw`` the raw sum) cannot be
    a total of ``instrument``: outside its range, or not whole where every answer is a whole number
    and nothing is prorated (a prorated mean may be fractional: CORE-10 23.3 is possible)."""
    mult = instrument.multiplier
    name = instrument.short_name
    if raw and mult == 1:
        return (f"{name} has no raw score apart from its total",
                f"write the total as `{{total: {plain_number(total)}}}`")
    low, high = instrument.min_total, instrument.max_total
    if raw:
        low, high = low / mult, high / mult
    what = "raw total" if raw else "total"
    if not low - 1e-9 <= total <= high + 1e-9:
        return ((f"a {what} of {plain_number(total)} is outside the possible {name} {what}s "
                f"{plain_number(low)}–{plain_number(high)}"), "check the total on the score sheet")
    if instrument.method != "sum" or instrument.prorate_up_to > 0:
        return None
    sums = total if raw else total / mult
    if abs(sums - round(sums)) < 1e-9:
        return None
    if raw or mult == 1:
        return (f"a {what} of {plain_number(total)} is impossible: a {name} {what} is a sum of whole-number answers",
                "write the whole number from the score sheet")
    steps = ", ".join(plain_number(k * mult) for k in range(4)) + ", …"
    return ((f"a total of {plain_number(total)} cannot be a {name} score: the reported score is the raw sum × "
            f"{plain_number(mult)}, so it moves in steps of {plain_number(mult)} ({steps})"),
            (f"if {plain_number(total)} is the raw sum ({plain_number(low / mult)}–{plain_number(high / mult)}), "
            f"write `{{raw: {plain_number(total)}}}`; otherwise check the score sheet"))


def _combine(instrument: Instrument, values: Sequence[int | None], *, say: bool = True) -> tuple[float, str]:
    """Sum or mean of the item scores ``values``, prorated over missing ones (None), times the multiplier;
    with the sum shown (``say=False``: the total alone, with "" for the words)."""
    present = [v for v in values if v is not None] if None in values else values
    raw = sum(present)
    k = len(values)
    missing = k - len(present)
    mult = instrument.multiplier
    mean = None
    if instrument.method == "mean":
        mean = raw / len(present)
        total = mean * mult
    elif missing:
        # Prorating: the answered items' mean stands in for the missing ones (CORE-10: mean × 10).
        mean = raw / len(present)
        total = mean * k * mult
    else:
        total = raw * mult
    total = round(total, 6)  # 23.333333 stays exact enough; 40.00000001 from float steps becomes 40
    total = int(total) if float(total).is_integer() else total
    return total, (_combine_words(instrument, raw, len(present), k, mean, total) if say else "")


def _combine_words(instrument: Instrument, raw: float, answered: int, k: int, mean: float | None,
                   total: float) -> str:
    """How ``_combine`` reached ``total``, e.g. "sum of 9 items = 14" or the prorated mean."""
    mult = instrument.multiplier
    times = f" × {plain_number(mult)}" if mult != 1 else ""
    missing = k - answered
    if instrument.method == "mean":
        how = f"mean of {answered} answered items = {plain_number(raw)} / {answered} = {fixed(mean or 0, 2)}{times}"
    elif missing:
        how = (f"{missing} item{'s' if missing != 1 else ''} missing: mean of {answered} answered items "
               f"({plain_number(raw)} / {answered} = {fixed(mean or 0, 2)}) × {k} items{times}")
    else:
        how = f"sum of {k} items = {plain_number(raw)}{times}"
    if how.endswith(f"= {plain_number(total)}"):
        return how
    return f"{how} = {plain_number(total)}"


def _band_steps(instrument: Instrument, total: float, band: Band | None) -> tuple[str, ...]:
    out = []
    if band is not None:
        out.append(f"band {band.label} ({plain_number(band.min)}–{plain_number(band.max)}, {instrument.bands_source})")
    if instrument.cutoff is not None:
        clinical = instrument.cutoff.is_clinical(total)
        out.append(f"{'in' if clinical else 'not in'} the clinical range (cut-off {instrument.cutoff.describe()}, "
                   f"{instrument.cutoff.source})")
    return tuple(out)
