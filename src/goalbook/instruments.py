"""Questionnaire definitions: loaded from YAML data files, checked, and turned into ``Instrument`` values.

Built-in definitions live in goalbook's ``instruments/`` folder; a practice adds or overrides them in its
own ``instruments/*.yaml``. The scoring rules themselves are in ``scoring.py`` and ``change.py``.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

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

    @cached_property  # asked for every answer of every administration (issue 6: speed)
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
        return f"{RULE_SIGNS[self.rule]} {_num(self.value)}"


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

    @property
    def threshold(self) -> float:
        if self.points is not None:
            return self.points
        assert self.sd is not None and self.reliability is not None
        return 1.96 * self.sd * math.sqrt(2 * (1 - self.reliability))

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
            return f"≥ {_num(self.points)} points ({self.source})"
        return (f"> {self.threshold:.2f} points: Jacobson–Truax 1.96 × {_num(self.sd)} × √(2 × (1 − "
                f"{_num(self.reliability)})) ({self.source})")


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

    @property
    def item_count(self) -> int:
        return len(self.items)

    def allowed_values(self, item_number: int) -> tuple[int, ...]:
        """The option values of item ``item_number`` (1-based), lowest first."""
        return self.items[item_number - 1].values

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


def _num(x: float | None) -> str:
    """6.0 → "6", 6.75 → "6.75": numbers as a clinician writes them."""
    if x is None:
        return "?"
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


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
                inst = _replace(inst, overrides_builtin=True)
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
    from goalbook.validate import validate  # the only module that knows jsonschema
    from goalbook.yamlload import load_yaml, position  # the only module that imports yaml

    data, problems = load_yaml(path, display)
    if data is None or any(p.is_error for p in problems):
        return None, problems
    problems = list(problems) + validate(data, "instrument", display, path)
    if any(p.is_error for p in problems):
        return None, problems
    sense = definition_problems(data, display, path.stem, locate=lambda pointer: position(path, pointer))
    problems.extend(sense)
    if any(p.is_error for p in sense):
        return None, problems
    return build_instrument(data, builtin=builtin, source=str(path)), problems


def _replace(inst: Instrument, **changes: Any) -> Instrument:
    from dataclasses import replace

    return replace(inst, **changes)


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
        prorate_up_to=int(missing.get("prorate_up_to", 0)), missing_source=missing.get("source", ""),
        reverse_items=tuple(sorted(data.get("reverse_items") or [])), bands=bands, bands_source=bands_source,
        cutoff=cutoff, reliable_change=rc, critical_items=tuple(critical), subscales=tuple(subscales),
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


# --- Sense checks (after the schema) -------------------------------------------------------------


Locate = Callable[[tuple[str | int, ...]], tuple[int, int]]


def definition_problems(data: dict[str, Any], display: str, file_stem: str | None = None,
                        locate: Locate | None = None) -> list[Problem]:
    """What the schema cannot say: references between parts of a definition, ranges, bands that tile the
    range. ``locate(pointer)`` gives the (line, column) of a field; without it problems name the whole file."""
    out: list[Problem] = []

    def err(code: str, message: str, hint: str, pointer: tuple[str | int, ...] = ()) -> None:
        line, column = locate(pointer) if locate else (0, 0)
        out.append(Problem(display, line, column, "error", code, message, hint))

    name = data.get("short_name") or data.get("id")
    if file_stem is not None and data["id"] != file_stem:
        err("instrument-id", f"the id '{data['id']}' differs from the file name '{file_stem}'",
            f"rename the file to {data['id']}.yaml or set `id: {file_stem}`", ("id",))
    numbers = [i["number"] for i in data["items"]]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        err("instrument-items", f"items of {name} are numbered {numbers}; they must run 1, 2, 3 … without gaps "
            "or repeats", "number the items in form order from 1", ("items",))
        return out  # everything below refers to item numbers
    sets = data.get("option_sets") or {}
    for k, item in enumerate(data["items"]):
        if "options" in item and item["options"] not in sets:
            err("instrument-options", f"item {item['number']} uses option set '{item['options']}', which is not "
                "defined", "add it under `option_sets:` or remove `options:` from the item", ("items", k, "options"))
        if "options" not in item and not data.get("options"):
            err("instrument-options", f"item {item['number']} has no options: there is no `options:` list",
                "add `options:` with the responses and their values", ("items", k))
    for set_name, opts, pointer in [("(options)", data.get("options"), ("options",)),
                                    *[(n, o, ("option_sets", n)) for n, o in sets.items()]]:
        values = [o["value"] for o in opts or []]
        if len(values) != len(set(values)):
            where = "`options:`" if set_name == "(options)" else f"option set '{set_name}'"
            err("instrument-options", f"{where} gives the same value twice: {values}",
                "each response needs its own value", pointer)
    if data.get("licence", {}).get("item_text") == "labels":
        for k, item in enumerate(data["items"]):
            if "text" in item:
                err("instrument-licence", f"licence says `item_text: labels`, but item {item['number']} carries "
                    "`text:`", "use `label:` for the items, or set `item_text: verbatim` if the licence allows "
                    "the wording", ("items", k, "text"))
    n = len(numbers)

    def check_refs(what: str, refs: list[int], pointer: tuple[str | int, ...]) -> bool:
        bad = sorted(r for r in refs if not 1 <= r <= n)
        if bad:
            err("instrument-item-ref", f"{what} refers to item {', '.join(map(str, bad))}, but {name} has "
                f"items 1–{n}", "use item numbers that exist", pointer)
        return not bad

    check_refs("reverse_items", data.get("reverse_items") or [], ("reverse_items",))
    for k, c in enumerate(data.get("critical_items") or []):
        check_refs("critical_items", [c["item"]], ("critical_items", k, "item"))
    if any(p.code in ("instrument-options", "instrument-item-ref") for p in out):
        return out
    # Ranges need the option values of every item.
    default = [o["value"] for o in data.get("options") or []]
    values = {i["number"]: ([o["value"] for o in sets[i["options"]]] if "options" in i else default)
              for i in data["items"]}
    shim = tuple(Item(number=k, options=tuple(Option(v, "") for v in vs)) for k, vs in sorted(values.items()))
    method = data["scoring"]["method"]
    mult = data["scoring"].get("multiplier", 1)
    lo, hi = items_range(shim, method, mult, numbers)
    declared = data["range"]
    if abs(declared["min"] - lo) > EPSILON or abs(declared["max"] - hi) > EPSILON:
        err("instrument-range", f"range {_num(declared['min'])}–{_num(declared['max'])} does not match the items: "
            f"their options and multiplier give {_num(lo)}–{_num(hi)}",
            f"set `range: {{min: {_num(lo)}, max: {_num(hi)}}}` or correct the options", ("range",))
    prorate = (data["scoring"].get("missing") or {}).get("prorate_up_to", 0)
    if prorate >= n:
        err("instrument-missing", f"prorate_up_to is {prorate}, but {name} has only {n} items",
            "allow fewer missing items than there are items", ("scoring", "missing", "prorate_up_to"))
    direction = data["direction"]
    _check_scale(err, "bands", "cutoff", data.get("bands"), data.get("cutoff"), lo, hi, direction, ())
    ids: set[str] = set()
    for k, s in enumerate(data.get("subscales") or []):
        where = ("subscales", k)
        if s["id"] in ids:
            err("instrument-subscale", f"subscale id '{s['id']}' is used twice", "give each subscale its own id",
                (*where, "id"))
        ids.add(s["id"])
        if check_refs(f"subscale '{s['id']}'", s["items"], (*where, "items")):
            s_lo, s_hi = items_range(shim, method, mult, s["items"])
            _check_scale(err, f"subscale '{s['id']}' bands", f"subscale '{s['id']}' cutoff", s.get("bands"),
                         s.get("cutoff"), s_lo, s_hi, direction, where)
    return out


def _check_scale(err: Callable[..., None], bands_name: str, cutoff_name: str, bands: dict | None,
                 cutoff: dict | None, lo: float, hi: float, direction: str, where: tuple[str | int, ...]) -> None:
    """Bands tile [lo, hi] (each band starts 1 above the one before ends); the cut-off lies inside the range
    and points the way the direction says."""
    if bands:
        ranges = bands["ranges"]
        at = (*where, "bands", "ranges")
        for k, r in enumerate(ranges):
            if r["min"] > r["max"]:
                err("instrument-bands", f"{bands_name}: '{r['label']}' runs from {_num(r['min'])} down to "
                    f"{_num(r['max'])}", "write each band as min ≤ max", (*at, k))
        ordered = sorted(ranges, key=lambda r: r["min"])
        if ordered[0]["min"] != lo:
            err("instrument-bands", f"{bands_name} start at {_num(ordered[0]['min'])}, but the lowest possible "
                f"score is {_num(lo)}", f"let the first band start at {_num(lo)}", at)
        top = max(r["max"] for r in ordered)
        if top != hi:
            err("instrument-bands", f"{bands_name} end at {_num(top)}, but the highest possible score is "
                f"{_num(hi)}", f"let the last band end at {_num(hi)}", at)
        for a, b in itertools.pairwise(ordered):
            if b["min"] <= a["max"]:
                err("instrument-bands", f"{bands_name} overlap: '{a['label']}' ({_num(a['min'])}–{_num(a['max'])}) "
                    f"and '{b['label']}' ({_num(b['min'])}–{_num(b['max'])})",
                    f"start '{b['label']}' at {_num(a['max'] + 1)}", (*at, ranges.index(b)))
            elif b["min"] != a["max"] + 1:
                err("instrument-bands", f"{bands_name} leave a gap between {_num(a['max'])} and {_num(b['min'])} "
                    f"('{a['label']}' and '{b['label']}')", f"start '{b['label']}' at {_num(a['max'] + 1)}",
                    (*at, ranges.index(b)))
    if cutoff:
        at = (*where, "cutoff")
        if not lo <= cutoff["value"] <= hi:
            err("instrument-cutoff", f"{cutoff_name} {_num(cutoff['value'])} is outside the range "
                f"{_num(lo)}–{_num(hi)}", "use a cut-off score that can occur", (*at, "value"))
        worse_up = direction == "higher_is_worse"
        if (cutoff["rule"] in (">=", ">")) != worse_up:
            want = "`>=` or `>`" if worse_up else "`<=` or `<`"
            err("instrument-cutoff", f"{cutoff_name} rule '{cutoff['rule']}' does not fit direction {direction}",
                f"use {want}: the clinical range is where scores are worse", (*at, "rule"))


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
                     f"{_num(inst.min_total)}–{_num(inst.max_total)}",
                     inst.cutoff.describe() if inst.cutoff else "—", origin, inst.licence.note))
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + "  " + r[-1] for r in [header, *rows]]
    notes = [f"* {inst.short_name} unconfirmed — {u}" for inst in sorted(instruments.values(), key=lambda i: i.id)
             for u in inst.unconfirmed]
    if notes:
        lines += ["", "* Values not checked against a primary source (shown wherever they are used):", *notes]
    return "\n".join(line.rstrip() for line in lines) + "\n"
