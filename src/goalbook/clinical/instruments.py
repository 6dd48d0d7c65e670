"""Questionnaire definitions: loaded from YAML data files, checked, and turned into ``Instrument`` values.

Built-in definitions live in goalbook's ``instruments/`` folder; a practice adds or overrides them in its
own ``instruments/*.yaml``. What the schema cannot check is in ``instrument_rules.py``;
the scoring rules themselves are in ``scoring.py`` and ``change.py``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

from goalbook.number_text import fixed, plain_number
from goalbook.problems import Problem
from goalbook.resources import data_dir

InstrumentDirection = Literal["higher_is_worse", "higher_is_better"]

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq,
}
RULE_SIGNS = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "==": "="}
_CONDITION = re.compile(r"^(>=|<=|==|>|<) ?(-?[0-9]+)$")
# Slack for comparing floats that come from a multiplier or a prorated mean.
EPSILON = 1e-9


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int
    options: tuple[Option, ...]
    text: str = ""  # the published wording, only where the licence allows it
    label: str = ""  # a short label otherwise
    optional: bool = False  # may rightly be left empty (not applicable): scores as the lowest value
    note: str = ""

    @property
    def display(self) -> str:
        return self.text or self.label or f"Item {self.number}"

    @cached_property  # asked for every answer of every administration
    def values(self) -> tuple[int, ...]:
        return tuple(sorted(o.value for o in self.options))


@dataclass(frozen=True)
class Band:
    """An inclusive range of the reported score. ``severity`` 0 is the best band whatever the direction."""

    min: float
    max: float
    label: str
    severity: int = 0


@dataclass(frozen=True)
class Cutoff:
    value: float
    rule: str  # a score is in the clinical range when `score <rule> value`
    source: str
    unconfirmed: bool = False
    note: str = ""

    def is_clinical(self, score: float) -> bool:
        return COMPARISONS[self.rule](score, self.value)

    def describe(self) -> str:
        return f"{RULE_SIGNS[self.rule]} {plain_number(self.value)}"


@dataclass(frozen=True)
class ReliableChange:
    """Published ``points`` (|change| ≥ points is reliable), or Jacobson–Truax from ``sd`` and ``reliability``
    (|change| > 1.96 · sd · √(2 · (1 − reliability)))."""

    source: str
    points: float | None = None
    sd: float | None = None
    reliability: float | None = None
    unconfirmed: bool = False
    note: str = ""

    @cached_property  # asked for every change judged
    def threshold(self) -> float:
        if self.points is not None:
            return self.points
        assert self.sd is not None and self.reliability is not None
        # One formula for the judgement and for its explanation (change.py imports this module).
        from goalbook.clinical.change import jacobson_truax

        return jacobson_truax(self.sd, self.reliability).points

    @property
    def inclusive(self) -> bool:
        """Published points are "at least N"; a J&T threshold must be exceeded (|RC| > 1.96)."""
        return self.points is not None

    def is_reliable(self, delta: float) -> bool:
        size = abs(delta)
        t = self.threshold
        return size >= t - EPSILON if self.inclusive else size > t + EPSILON

    def explain(self) -> str:
        return "Reliable change: " + self.describe()

    def describe(self) -> str:
        if self.points is not None:
            return f"≥ {plain_number(self.points)} points ({self.source})"
        return (f"> {fixed(self.threshold, 2)} points: Jacobson–Truax 1.96 × {plain_number(self.sd)} × √(2 × (1 − "
                f"{plain_number(self.reliability)})) ({self.source})")


@dataclass(frozen=True)
class CriticalItem:
    item: int
    op: str
    value: int
    reason: str
    source: str = ""
    unconfirmed: bool = False
    note: str = ""

    @property
    def condition(self) -> str:
        return f"{self.op} {self.value}"

    def triggered(self, answer: int | None) -> bool:
        return answer is not None and COMPARISONS[self.op](answer, self.value)


@dataclass(frozen=True)
class NextStep:
    """What a clinician does next when the reported total meets ``op value`` (a positive screen: give
    the full questionnaire). Data in the definition, shown beside the score — never only a comment."""

    op: str
    value: float
    say: str
    source: str
    unconfirmed: bool = False
    note: str = ""
    on_items: bool = False  # `when_any_item:` the condition is on each item's answer, not the total

    @property
    def condition(self) -> str:
        return f"{RULE_SIGNS[self.op]} {plain_number(self.value)}"

    def applies(self, total: float, answers: tuple[int | None, ...] | None = None) -> bool:
        """Whether the step applies: to the total, or (``on_items``) to any answered item."""
        if self.on_items:
            return answers is not None and any(a is not None and COMPARISONS[self.op](a, self.value) for a in answers)
        return COMPARISONS[self.op](total, self.value)

    def explain(self) -> str:
        what = "an item answered" if self.on_items else "total"
        return f"{self.say} ({what} {self.condition}: {self.source}{'; unconfirmed' if self.unconfirmed else ''})"


@dataclass(frozen=True)
class Subscale:
    id: str
    name: str
    items: tuple[int, ...]
    min_total: float
    max_total: float
    bands: tuple[Band, ...] = ()
    cutoff: Cutoff | None = None
    bands_source: str = ""


@dataclass(frozen=True)
class Norm:
    mean: float
    sd: float


@dataclass(frozen=True)
class Norms:
    clinical: Norm
    general: Norm
    source: str


@dataclass(frozen=True)
class Licence:
    item_text: Literal["verbatim", "labels"]
    note: str
    attribution: str = ""
    unconfirmed: bool = False

    def __str__(self) -> str:
        return f"{self.note}. {self.attribution}".strip() if self.attribution else self.note


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    short_name: str
    version: str
    direction: InstrumentDirection
    items: tuple[Item, ...]
    min_total: float  # range of the reported total, after the multiplier
    max_total: float
    licence: Licence
    citation: str
    method: Literal["sum", "mean"] = "sum"
    multiplier: float = 1
    prorate_up_to: int = 0  # how many items may be missing (then the total is prorated)
    missing_source: str = ""
    reverse_items: tuple[int, ...] = ()
    bands: tuple[Band, ...] = ()
    bands_source: str = ""
    cutoff: Cutoff | None = None
    reliable_change: ReliableChange | None = None
    critical_items: tuple[CriticalItem, ...] = ()
    next_steps: tuple[NextStep, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    norms: Norms | None = None
    measures: str = ""
    time_frame: str = ""
    instructions: str = ""
    total_note: str = ""
    notes: str = ""
    unconfirmed: tuple[str, ...] = ()  # what could not be checked against a primary source, in words
    builtin: bool = True
    source: str = ""  # path of the definition file
    overrides_builtin: bool = False
    loinc_total: str = ""  # LOINC code of the total score (FHIR export), "" when none was verified
    loinc_source: str = ""

    @property
    def item_count(self) -> int:
        return len(self.items)

    @cached_property  # asked for every administration of every session
    def item_values(self) -> tuple[tuple[int, ...], ...]:
        """Each item's option values (``Item.values``), in item order."""
        return tuple(item.values for item in self.items)

    def allowed_values(self, item_number: int) -> tuple[int, ...]:
        """The option values of item ``item_number`` (1-based), lowest first."""
        return self.items[item_number - 1].values

    def next_step(self, total: float, answers: tuple[int | None, ...] | None = None) -> NextStep | None:
        """The first of ``next_steps`` whose condition the reported total (or an item of ``answers``) meets."""
        return next((s for s in self.next_steps if s.applies(total, answers)), None)

    def subscale(self, subscale_id: str) -> Subscale | None:
        return next((s for s in self.subscales if s.id == subscale_id), None)

    def band_for(self, score: float, bands: tuple[Band, ...] | None = None) -> Band | None:
        """The band holding ``score``. A fractional (prorated) score belongs to the band whose range starts
        at or below it and before the next band starts, so 14.4 is "11–14", not a gap."""
        bands = self.bands if bands is None else bands
        found = None
        for band in bands:  # sorted lowest first
            if score >= band.min - EPSILON:
                found = band
        if found is None or score > bands[-1].max + EPSILON:
            return None
        return found


# --- Loading -------------------------------------------------------------------------------------


def load_instruments(practice_root: Path | None) -> tuple[dict[str, Instrument], list[Problem]]:
    """Built-ins plus ``<practice>/instruments/*.yaml``; a practice file with a built-in's id overrides it.

    A practice definition with errors is left out (the built-in of the same id, if any, stays)."""
    builtins, problems = _builtin_instruments()
    result = dict(builtins)
    problems = list(problems)
    folder = practice_root / "instruments" if practice_root is not None else None
    if folder is not None and folder.is_dir():
        files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        seen: dict[str, str] = {}
        for path in files:
            display = f"instruments/{path.name}"
            inst, found = load_definition(path, display, builtin=False)
            problems.extend(found)
            if inst is None:
                continue
            if inst.id in seen:
                problems.append(Problem(display, 0, 0, "error", "instrument-duplicate",
                                        f"instrument id '{inst.id}' is also defined in {seen[inst.id]}",
                                        "give each definition its own id (and file name)"))
                continue
            seen[inst.id] = display
            if inst.id in builtins:
                inst = replace(inst, overrides_builtin=True)
            result[inst.id] = inst
    return dict(sorted(result.items())), problems


@cache
def _builtin_instruments() -> tuple[dict[str, Instrument], tuple[Problem, ...]]:
    """Loaded once per process: the files ship with goalbook and do not change while it runs."""
    found: dict[str, Instrument] = {}
    problems: list[Problem] = []
    for path in sorted(data_dir("instruments").glob("*.yaml")):
        inst, errs = load_definition(path, f"goalbook/instruments/{path.name}", builtin=True)
        problems.extend(errs)
        if inst is not None:
            found[inst.id] = inst
    return found, tuple(problems)


def load_definition(path: Path, display: str, *, builtin: bool) -> tuple[Instrument | None, list[Problem]]:
    """One definition file: YAML → schema → sense checks → ``Instrument`` (None when it has errors)."""
    from goalbook import fastschema
    from goalbook.clinical.instrument_rules import (
        definition_problems,  # it imports Item and items_range from here
    )
    from goalbook.records.yamlload import load_yaml, position  # the only module that imports yaml

    data, problems = load_yaml(path, display)
    if data is None or any(p.is_error for p in problems):
        return None, problems
    # The fast schema check answers "certainly valid" at a fraction of jsonschema's cost;
    # anything else is explained by jsonschema, as for every practice file (load.py).
    if not fastschema.is_valid(data, "instrument"):
        from goalbook.records.validate import (
            validate,  # the only module that knows jsonschema: imported only now
        )

        problems = list(problems) + validate(data, "instrument", display, path)
    if any(p.is_error for p in problems):
        return None, problems
    sense = definition_problems(data, display, path.stem, locate=lambda pointer: position(path, pointer))
    problems.extend(sense)
    if any(p.is_error for p in sense):
        return None, problems
    return build_instrument(data, builtin=builtin, source=str(path)), problems


# --- Building ------------------------------------------------------------------------------------


def build_instrument(data: dict[str, Any], *, builtin: bool, source: str = "") -> Instrument:
    """An ``Instrument`` from a schema-valid, sense-checked definition."""
    default_options = tuple(Option(o["value"], o["label"]) for o in data.get("options", []))
    sets = {name: tuple(Option(o["value"], o["label"]) for o in opts)
            for name, opts in (data.get("option_sets") or {}).items()}
    items = tuple(
        Item(number=i["number"], options=sets[i["options"]] if "options" in i else default_options,
             text=i.get("text", ""), label=i.get("label", ""), optional=bool(i.get("optional", False)),
             note=i.get("note", ""))
        for i in sorted(data["items"], key=lambda i: i["number"])
    )
    scoring = data["scoring"]
    method = scoring["method"]
    multiplier = scoring.get("multiplier", 1)
    missing = scoring.get("missing") or {}
    direction = data["direction"]
    unconfirmed: list[str] = []

    def note_unconfirmed(what: str, block: dict[str, Any] | None) -> None:
        if block and block.get("unconfirmed"):
            unconfirmed.append(f"{what}: {block.get('note') or 'not checked against a primary source'}")

    lo, hi = items_range(items, method, multiplier, [i.number for i in items])
    bands, bands_source = _bands(data.get("bands"), direction)
    note_unconfirmed("bands", data.get("bands"))
    cutoff = _cutoff(data.get("cutoff"))
    note_unconfirmed("cut-off", data.get("cutoff"))
    rc = None
    if data.get("reliable_change"):
        r = data["reliable_change"]
        rc = ReliableChange(source=r["source"], points=r.get("points"), sd=r.get("sd"),
                            reliability=r.get("reliability"), unconfirmed=bool(r.get("unconfirmed")),
                            note=r.get("note", ""))
        note_unconfirmed("reliable change", r)
    note_unconfirmed("missing items", missing)
    critical = []
    for c in data.get("critical_items") or []:
        m = _CONDITION.match(c["condition"])
        assert m  # schema pattern
        critical.append(CriticalItem(item=c["item"], op=m.group(1), value=int(m.group(2)), reason=c["reason"],
                                     source=c.get("source", ""), unconfirmed=bool(c.get("unconfirmed")),
                                     note=c.get("note", "")))
        note_unconfirmed(f"item {c['item']} flag", c)
    next_steps = []
    for n in data.get("next_steps") or []:
        when = n.get("when") or n.get("when_any_item")
        m = _CONDITION.match(when)
        assert m  # schema pattern
        next_steps.append(NextStep(op=m.group(1), value=int(m.group(2)), say=n["say"], source=n["source"],
                                   unconfirmed=bool(n.get("unconfirmed")), note=n.get("note", ""),
                                   on_items="when" not in n))
        note_unconfirmed(f"next step when {'an item' if 'when' not in n else 'the total'} is {when}", n)
    subscales = []
    for s in data.get("subscales") or []:
        s_lo, s_hi = items_range(items, method, multiplier, s["items"])
        s_bands, s_source = _bands(s.get("bands"), direction)
        note_unconfirmed(f"{s['name']} bands", s.get("bands"))
        subscales.append(Subscale(id=s["id"], name=s["name"], items=tuple(s["items"]), min_total=s_lo,
                                  max_total=s_hi, bands=s_bands, cutoff=_cutoff(s.get("cutoff")),
                                  bands_source=s_source))
    lic = data["licence"]
    licence = Licence(item_text=lic["item_text"], note=lic["note"], attribution=lic.get("attribution", ""),
                      unconfirmed=bool(lic.get("unconfirmed")))
    if licence.unconfirmed:
        unconfirmed.append("licence terms: not re-checked; see the notes")
    norms = None
    if data.get("norms"):
        n = data["norms"]
        norms = Norms(Norm(n["clinical"]["mean"], n["clinical"]["sd"]),
                      Norm(n["general"]["mean"], n["general"]["sd"]), n["source"])
    return Instrument(
        id=data["id"], name=data["name"], short_name=data["short_name"], version=str(data["version"]),
        direction=direction, items=items, min_total=lo, max_total=hi, licence=licence,
        citation=data["citation"], method=method, multiplier=multiplier,
        loinc_total=(data.get("loinc") or {}).get("total", ""), loinc_source=(data.get("loinc") or {}).get("source", ""),
        prorate_up_to=int(missing.get("prorate_up_to", 0)), missing_source=missing.get("source", ""),
        reverse_items=tuple(sorted(data.get("reverse_items") or [])), bands=bands, bands_source=bands_source,
        cutoff=cutoff, reliable_change=rc, critical_items=tuple(critical), next_steps=tuple(next_steps),
        subscales=tuple(subscales),
        norms=norms, measures=data.get("measures", ""), time_frame=data.get("time_frame", ""),
        instructions=data.get("instructions", ""), total_note=scoring.get("total_note", ""),
        notes=data.get("notes", ""), unconfirmed=tuple(unconfirmed), builtin=builtin, source=source,
    )


def items_range(items: tuple[Item, ...], method: str, multiplier: float, numbers: list[int]) -> tuple[float, float]:
    """Lowest and highest reported score of the items ``numbers`` (reversal keeps each item's range)."""
    chosen = [items[n - 1] for n in numbers]
    lo = sum(min(i.values) for i in chosen)
    hi = sum(max(i.values) for i in chosen)
    if method == "mean":
        lo, hi = lo / len(chosen), hi / len(chosen)
    return _tidy(lo * multiplier), _tidy(hi * multiplier)


def _tidy(x: float) -> float:
    """Keep whole numbers whole (27, not 27.0) so they print and compare as written."""
    return int(x) if float(x).is_integer() else x


def _bands(block: dict[str, Any] | None, direction: str) -> tuple[tuple[Band, ...], str]:
    if not block:
        return (), ""
    ranges = sorted(block["ranges"], key=lambda r: r["min"])
    n = len(ranges)
    # Severity 0 = best: the lowest band when higher is worse, the highest when higher is better.
    bands = tuple(
        Band(r["min"], r["max"], r["label"], i if direction == "higher_is_worse" else n - 1 - i)
        for i, r in enumerate(ranges)
    )
    return bands, block["source"]


def _cutoff(block: dict[str, Any] | None) -> Cutoff | None:
    if not block:
        return None
    return Cutoff(block["value"], block["rule"], block["source"], bool(block.get("unconfirmed")),
                  block.get("note", ""))


# --- Listing -------------------------------------------------------------------------------------


def instrument_table(instruments: dict[str, Instrument]) -> str:
    """The `goalbook instruments` listing: one row per questionnaire, then what is unconfirmed."""
    header = ("id", "name", "items", "range", "cut-off", "from", "licence")
    rows = []
    for inst in sorted(instruments.values(), key=lambda i: i.id):
        origin = "built-in" if inst.builtin else ("practice, overrides built-in" if inst.overrides_builtin
                                                  else "practice")
        flag = " *" if inst.unconfirmed else ""
        rows.append((inst.id, inst.short_name + flag, str(inst.item_count),
                     f"{plain_number(inst.min_total)}–{plain_number(inst.max_total)}",
                     inst.cutoff.describe() if inst.cutoff else "—", origin, inst.licence.note))
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1] for r in [header, *rows]]
    notes = [f"* {inst.short_name} unconfirmed — {u}" for inst in sorted(instruments.values(), key=lambda i: i.id)
             for u in inst.unconfirmed]
    if notes:
        lines += ["", "* Values not checked against a primary source (shown wherever they are used):", *notes]
    return "\n".join(line.rstrip() for line in lines) + "\n"
