"""`goalbook score`: the calculator. Parses the command line and calls scoring, change and gas."""

from __future__ import annotations

import difflib
import json
import math
from pathlib import Path
from typing import Any

import click

from goalbook.errors import GoalbookError
from goalbook.number_text import fixed, half_up, plain_number

MISSING_WORDS = ("null", "-", "?")  # ways to write a missing answer on the command line


def _number_text(x: float | None) -> Any:
    """JSON numbers as written: 11 not 11.0; prorated totals to 2 decimals."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _parse_number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GoalbookError(f"{what} '{text}' is not a number", hint="write it as digits, e.g. 12") from None
    if not math.isfinite(value):  # float() also reads "nan", "inf" and 1e400 (= inf)
        raise GoalbookError(f"{what} '{text}' is not a number goalbook can use", hint="write it as digits, e.g. 12")
    return int(value) if value.is_integer() else value


def practice_root(practice: str | None) -> Path | None:
    """--practice DIR, else the practice around the current folder, else none (built-ins only)."""
    from goalbook.records.locate import find_practice, practice_or_fail

    return practice_or_fail(practice) if practice else find_practice()


def load_for_command(practice: str | None) -> dict[str, Any]:
    from goalbook.clinical.instruments import load_instruments
    from goalbook.problems import format_text

    instruments, problems = load_instruments(practice_root(practice))
    errors = [p for p in problems if p.is_error]
    if errors:
        click.echo(format_text(errors), err=True, nl=False)
        click.echo("note: definitions with errors are left out; run `goalbook check` for details", err=True)
    return instruments


def find_instrument(instruments: dict[str, Any], name: str) -> Any:
    key = name.lower()
    if key in instruments:
        return instruments[key]
    close = difflib.get_close_matches(key, list(instruments) + ["gas"], n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise GoalbookError(f"unknown questionnaire '{name}'",
                        hint=f"{hint}known: {', '.join(instruments)} and gas (`goalbook instruments` lists them)")


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("instrument")
@click.argument("values", nargs=-1)
@click.option("--change", "change", nargs=2, metavar="FIRST LAST", help="Classify the change between two totals.")
@click.option("--weights", metavar="W,W,…", help="GAS only: one weight per goal, comma-separated.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--practice", metavar="DIR", help="Use this practice's own questionnaire definitions too.")
def command(instrument: str, values: tuple[str, ...], change: tuple[str, str] | None, weights: str | None,
            as_json: bool, practice: str | None) -> None:
    """Score answers, classify a change, or compute a GAS T-score.

    \b
      goalbook score phq9 1 2 0 3 1 1 2 0 1      answers in item order (null or - for a missing item)
      goalbook score phq9 --change 18 10          reliable and clinically significant change
      goalbook score gas --weights 2,1,3 -- 1 0 -1  GAS T-score from levels -2 … +2
    """
    if instrument.lower() == "gas":
        _gas(values, weights, as_json, change)
        return
    if weights:
        raise GoalbookError("--weights is for `goalbook score gas` only")
    inst = find_instrument(load_for_command(practice), instrument)
    if change:
        if values:
            raise GoalbookError("give either answers or --change FIRST LAST, not both")
        _change(inst, change, as_json)
    elif values:
        _answers(inst, values, as_json)
    else:
        raise GoalbookError(f"give the {inst.item_count} answers of {inst.short_name}, or --change FIRST LAST",
                            hint=f"e.g. goalbook score {inst.id} " + " ".join(["0"] * inst.item_count))


def _answers(inst: Any, values: tuple[str, ...], as_json: bool) -> None:
    from goalbook.clinical import scoring

    answers: list[int | None] = []
    for k, text in enumerate(values, start=1):
        if text.lower() in MISSING_WORDS:
            answers.append(None)
            continue
        try:
            answers.append(int(text))
        except ValueError:
            kind = "a whole number" if _is_decimal(text) else "a number"
            raise GoalbookError(f"answer '{text}' to item {k} is not {kind}",
                                hint=f"write each answer as the value of the response, e.g. "
                                     f"{', '.join(str(v) for v in inst.allowed_values(min(k, inst.item_count)))}; "
                                     "null or - for a missing item") from None
    problems = scoring.answer_problems(inst, answers)
    if problems:
        first = problems[0]
        extra = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        hint = first[2]
        if len(answers) != inst.item_count:  # the engine's hint speaks of session files
            hint = (f"give {inst.item_count} answers in item order, with null or - for an item left empty; "
                    f"for a change between two totals use --change FIRST LAST")
        raise GoalbookError(first[1] + extra, hint=hint)
    result = scoring.score(inst, answers)
    next_step = inst.next_step(result.total, tuple(answers))
    if as_json:
        click.echo(json.dumps({
            "total": _number_text(result.total),
            "band": result.band.label if result.band else None,
            "flags": [f.item for f in result.flags],
            "critical_unanswered": list(result.critical_unanswered),
            "next_step": next_step.say if next_step else None,
            "subscales": {sid: {"total": _number_text(s.total), "band": s.band.label if s.band else None}
                          for sid, s in result.subscales.items()},
        }, ensure_ascii=False))
        return
    band = f" — {result.band.label}" if result.band else ""
    click.echo(f"{inst.short_name} total {plain_number(result.total)}{band}")
    for step in result.steps:
        click.echo(f"  {step}")
    if inst.total_note:
        click.echo(f"  note: {inst.total_note}")
    for sub in result.subscales.values():
        sb = f" — {sub.band.label}" if sub.band else ""
        click.echo(f"  {sub.name}: {plain_number(sub.total) if sub.total is not None else '—'}{sb}")
    for flag in result.flags:
        click.echo(f"  FLAG {flag.explain()}")
    if result.critical_unanswered:
        click.echo(f"  FLAG {scoring.risk_unanswered_text(result.critical_unanswered)}")
    if next_step is not None:
        click.echo(f"  NEXT {next_step.explain()}")


def _is_decimal(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _change(inst: Any, change: tuple[str, str], as_json: bool) -> None:
    from goalbook.clinical.change import classify, signed
    first, last = (_parse_number(change[0], "FIRST"), _parse_number(change[1], "LAST"))
    from goalbook.clinical.scoring import possible_total_problem

    for label, value in (("FIRST", first), ("LAST", last)):
        if not inst.min_total <= value <= inst.max_total:
            raise GoalbookError(f"{label} total {plain_number(value)} is outside the {inst.short_name} range "
                                f"{plain_number(inst.min_total)}–{plain_number(inst.max_total)}")
        problem = possible_total_problem(inst, value)
        if problem is not None:
            hint = problem[1]
            if inst.multiplier != 1 and "{raw:" in hint:  # on the command line the total is given as reported
                hint = (f"if {plain_number(value)} is the raw sum, give it × {plain_number(inst.multiplier)} = "
                        f"{plain_number(value * inst.multiplier)}")
            raise GoalbookError(f"{label}: {problem[0]}", hint=hint)
    result = classify(inst, first, last)
    if as_json:
        click.echo(json.dumps({"delta": _number_text(result.delta), "reliable": result.reliable,
                               "category": result.category}, ensure_ascii=False))
        return
    click.echo(f"{inst.short_name} {plain_number(first)} → {plain_number(last)}: {result.explain()}")
    click.echo(f"  {result.explain_category()}")
    if result.threshold_how:
        click.echo(f"  {result.threshold_how}")
    if result.rci is not None:
        click.echo(f"  RC = {signed(result.delta)} / S_diff = {signed(half_up(result.rci, 2))} (reliable when |RC| > 1.96)")


def _gas(values: tuple[str, ...], weights: str | None, as_json: bool, change: Any) -> None:
    from goalbook.clinical import gas

    if change:
        raise GoalbookError("--change is for questionnaires; for GAS give the levels after --")
    if not values:
        raise GoalbookError("give the level of each goal (−2 … +2) after --",
                            hint="e.g. goalbook score gas -- 1 1 0 -1")
    levels = []
    for k, text in enumerate(values, start=1):
        try:
            level = int(text)
        except ValueError:
            raise GoalbookError(f"GAS level '{text}' of goal {k} is not a number",
                                hint="levels are -2, -1, 0, 1 or 2") from None
        if level not in gas.LEVELS:
            raise GoalbookError(f"GAS level {level} of goal {k} is outside −2 … +2",
                                hint="-2 much less than expected … 0 expected … +2 much more than expected")
        levels.append(level)
    w = [_parse_number(x.strip(), "weight") for x in weights.split(",") if x.strip()] if weights else None
    try:
        result = gas.t_score(levels, w)
    except ValueError as err:  # the engine owns the rules for weights; its message says what to do
        raise GoalbookError(str(err)) from None
    if as_json:
        click.echo(json.dumps({"t_score": round(result.t_score, 2)}))
        return
    click.echo(f"GAS T-score {fixed(result.t_score, 1)}")
    click.echo(f"  {result.formula}")
