"""What the instrument schema cannot say about a questionnaire definition: item numbering, option
sets, item references, a declared range that matches the items, bands that tile the range, and a
cut-off on the right side. Run by ``instruments.load_definition`` after the schema check.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from goalbook.clinical.instruments import EPSILON, Item, Option, items_range
from goalbook.number_text import plain_number
from goalbook.problems import Problem

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
        err("instrument-range", f"range {plain_number(declared['min'])}–{plain_number(declared['max'])} does not match the items: "
            f"their options and multiplier give {plain_number(lo)}–{plain_number(hi)}",
            f"set `range: {{min: {plain_number(lo)}, max: {plain_number(hi)}}}` or correct the options", ("range",))
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
                err("instrument-bands", f"{bands_name}: '{r['label']}' runs from {plain_number(r['min'])} down to "
                    f"{plain_number(r['max'])}", "write each band as min ≤ max", (*at, k))
        ordered = sorted(ranges, key=lambda r: r["min"])
        if ordered[0]["min"] != lo:
            err("instrument-bands", f"{bands_name} start at {plain_number(ordered[0]['min'])}, but the lowest possible "
                f"score is {plain_number(lo)}", f"let the first band start at {plain_number(lo)}", at)
        top = max(r["max"] for r in ordered)
        if top != hi:
            err("instrument-bands", f"{bands_name} end at {plain_number(top)}, but the highest possible score is "
                f"{plain_number(hi)}", f"let the last band end at {plain_number(hi)}", at)
        for a, b in itertools.pairwise(ordered):
            if b["min"] <= a["max"]:
                err("instrument-bands", f"{bands_name} overlap: '{a['label']}' ({plain_number(a['min'])}–{plain_number(a['max'])}) "
                    f"and '{b['label']}' ({plain_number(b['min'])}–{plain_number(b['max'])})",
                    f"start '{b['label']}' at {plain_number(a['max'] + 1)}", (*at, ranges.index(b)))
            elif b["min"] != a["max"] + 1:
                err("instrument-bands", f"{bands_name} leave a gap between {plain_number(a['max'])} and {plain_number(b['min'])} "
                    f"('{a['label']}' and '{b['label']}')", f"start '{b['label']}' at {plain_number(a['max'] + 1)}",
                    (*at, ranges.index(b)))
    if cutoff:
        at = (*where, "cutoff")
        if not lo <= cutoff["value"] <= hi:
            err("instrument-cutoff", f"{cutoff_name} {plain_number(cutoff['value'])} is outside the range "
                f"{plain_number(lo)}–{plain_number(hi)}", "use a cut-off score that can occur", (*at, "value"))
        worse_up = direction == "higher_is_worse"
        if (cutoff["rule"] in (">=", ">")) != worse_up:
            want = "`>=` or `>`" if worse_up else "`<=` or `<`"
            err("instrument-cutoff", f"{cutoff_name} rule '{cutoff['rule']}' does not fit direction {direction}",
                f"use {want}: the clinical range is where scores are worse", (*at, "rule"))
