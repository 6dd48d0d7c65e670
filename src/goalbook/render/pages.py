"""The Jinja2 environment (autoescape on, strict undefined) and the page renderers.

Charts are drawn here, from the view data, and handed to the templates as ready markup so the
templates only place things. CSS is read from ``templates/book/book.css`` and inlined in each page:
a page opened from disk, or mailed to a client, needs nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from goalbook import __version__
from goalbook.number_text import half_up, percent, short_number
from goalbook.render import charts
from goalbook.render.escaping import text
from goalbook.render.markdown import render_markdown
from goalbook.resources import data_dir
from goalbook.views.book_views import DUE_WINDOW_DAYS, ClientView, PracticeView, subscales_lead
from goalbook.views.score_views import BandInfo, InstrumentView

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def fmt_date(d: date | None, empty: str = "—") -> str:
    """``3 Mar 2026``: unambiguous for readers on both sides of the Atlantic."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else empty


fmt_num = short_number  # a score to one decimal, "—" when missing


def fmt_signed(x: float | None) -> str:
    if x is None:
        return "—"
    return "0" if x == 0 else ("+" if x > 0 else "−") + fmt_num(abs(x))


def fmt_about(x: float | None) -> str:
    """A whole number, or ``≈ 4`` when the true value is not whole (times are counted, not measured)."""
    if x is None:
        return "—"
    whole = int(half_up(x))
    return str(whole) if abs(x - whole) < 0.05 else f"≈ {whole}"


def fmt_pct(x: float | None) -> str:
    """A percent of an aim, half up, never 100% unless reached (``formatting.percent``)."""
    return percent(x)


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def short_subscale(name: str) -> str:
    """A table heading for a subscale: "B" for "B: Intrusion" (the names are listed under the table)."""
    head, sep, _ = name.partition(":")
    return head.strip() if sep and len(head.strip()) <= 3 else name


def item_ranges(items: tuple[int, ...] | list[int]) -> str:
    """``1–5`` for consecutive items, ``3, 5, 10`` otherwise."""
    out: list[str] = []
    for n in sorted(items):
        if out and out[-1].split("–")[-1] == str(n - 1):
            out[-1] = out[-1].split("–")[0] + f"–{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def join_clauses(parts: Any) -> str:
    """Clauses as one sentence: ``a; b; c.`` (each may come with its own full stop)."""
    parts = [str(x).strip().rstrip(".") for x in parts if x]
    return "; ".join(parts) + "." if parts else ""


def subscale_since(iv: InstrumentView, sub_id: str) -> date | None:
    """The date of a subscale's first known score: what its change is counted from."""
    return next((r.date for r in iv.rows for c in r.subscales if c.id == sub_id and c.total is not None), None)


@cache
def _plain_levels() -> dict[str, Any]:
    return environment().get_template("share_words.html").module.PLAIN_LEVELS  # type: ignore[attr-defined]


def plain_band(bands: list[BandInfo], level: int, higher_is_better: bool, long: bool = False) -> str:
    """Plain words for a band on the share page (the words are data, in ``share_words.html``).

    ``level`` is the band's severity (0 = the best band); a scale with a band count not listed there
    takes its word from the longest list at the same relative position."""
    if level < 0 or not bands:
        return ""
    levels = max(b.levels for b in bands)
    words = _plain_levels()["better" if higher_is_better else "worse"]
    scale = words.get(levels)
    if scale is None:
        scale = words[max(k for k in words if isinstance(k, int))]
        level = int(level * (len(scale) - 1) / max(1, levels - 1) + 0.5)  # half up: never round down a risk
    return scale[min(level, len(scale) - 1)][1 if long else 0]


def plain_noun(iv: InstrumentView) -> str:
    """What the plain band words count: "Difficulties", or "Well-being" when higher is better."""
    return str(_plain_levels()["better" if iv.higher_is_better else "worse"]["noun"])


def item_answers(items: Any) -> Markup:
    """A row's item answers in groups of five. Built here rather than by a template loop: a
    client page has about a thousand of them, and Jinja's per-item escaping of each is slow."""
    cells = [f'<mark class="item-flag" title="item {it.number}">{text(it.answer)}</mark>' if it.flagged
             else f'<span title="item {it.number}">{text(it.answer)}</span>' for it in items]
    groups = ['<span class="item-group">' + "".join(cells[start:start + 5]) + "</span>"
              for start in range(0, len(cells), 5)]
    return Markup('<span class="items">' + " ".join(groups) + "</span>")


def score_spark(iv: InstrumentView) -> Markup:
    """A questionnaire's totals as a sparkline (none where the subscales lead: the total is not read)."""
    if subscales_lead(iv):
        return Markup("")
    return charts.sparkline(f"{iv.label} totals", [(r.date, r.total) for r in iv.rows if r.total is not None],
                            iv.low, iv.high)


def goal_spark(g: Any) -> Markup:
    """A goal's baseline (unless measured on the day it was set) and measurements as a sparkline."""
    values = [(p.date, p.value) for p in g.points]
    if g.baseline is not None and not any(d <= g.set_date for d, _ in values):
        values.insert(0, (g.set_date, g.baseline))
    return charts.sparkline(g.title, sorted(values, key=lambda v: v[0]), g.low, g.high)


@dataclass(frozen=True)
class Glance:
    """What a client's first screen and the client's caseload row both show, drawn once for the two:
    each active goal's sparkline, and each questionnaire given so far in a line (first → latest, its
    sparkline), in the view's order."""

    goals: list[Markup]
    scores: list[Markup]


def glance_of(view: ClientView) -> Glance:
    trend_score = environment().get_template("macros.html").module.trend_score  # type: ignore[attr-defined]
    return Glance([goal_spark(g) for g in view.active_goals], [trend_score(iv) for iv in view.instruments if iv.rows])


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(data_dir("templates") / "book")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=render_markdown, d=fmt_date, num=fmt_num, signed=fmt_signed, pct=fmt_pct, about=fmt_about)
    env.filters.update(ranges=item_ranges, short_subscale=short_subscale, clauses=join_clauses,
                       item_answers=item_answers)
    env.globals.update(score_spark=score_spark, goal_spark=goal_spark, glance_of=glance_of)
    env.globals.update(plural=plural, version=__version__, subscales_lead=subscales_lead, plain_band=plain_band,
                       plain_noun=plain_noun, subscale_since=subscale_since)
    from goalbook.render.goal_rows import (
        point_rows,
        report_rows,
        smart_items,
        step_blocks,
        week_rows,
    )
    from goalbook.render.score_rows import score_rows  # they use this module's formatters
    from goalbook.render.session_items import session_items, timeline

    env.globals.update(score_rows=score_rows, session_items=session_items, timeline=timeline, point_rows=point_rows,
                       report_rows=report_rows, week_rows=week_rows, step_blocks=step_blocks,
                       smart_items=smart_items)
    return env


@cache
def stylesheet() -> Markup:
    css = (data_dir("templates") / "book" / "book.css").read_text(encoding="utf-8")
    # Our own file, but never let it close the <style> element early.
    return Markup(css.replace("</", "<\\/"))


def _both(draw: Any, chart_id: str, title: str, desc: str, **kwargs: Any) -> Markup:
    """A chart as drawn for a wide screen and for a phone (``chart-id-n``): book.css shows one of them."""
    return draw(chart_id, title, desc, **kwargs) + draw(f"{chart_id}-n", title, desc, narrow=True, **kwargs)


def _client_charts(view: ClientView) -> dict[str, Markup]:
    out: dict[str, Markup] = {}
    events = [charts.Event(e.date, str(k), e.text) for k, e in enumerate(view.events, start=1)]
    for g in view.goals:
        if not g.points and g.baseline is None:
            continue
        by = f" by {fmt_date(g.target_date)}" if g.target_date else ""
        if view.audience == "client":
            desc = (f"Where you started: {fmt_num(g.baseline)}; what we aim for: {g.target_text}{by}; "
                    f"{plural(len(g.points), 'score')} so far, the latest {g.latest_text}.")
        else:
            desc = (f"{g.measure_text}. Baseline {fmt_num(g.baseline)}, target {g.target_text}{by}; "
                    f"{len(g.points)} measurements, latest {g.latest_text}; trend {g.trend_text}.")
        out[g.anchor] = _both(
            charts.goal_chart, f"chart-{g.anchor}", f"Progress: {g.title}", desc,
            points=charts.Series.of([p.date for p in g.points], [p.value for p in g.points]),
            low=g.low, high=g.high, start=g.start, end=g.end, baseline=g.baseline, target=g.target,
            target_date=g.target_date, trend=g.trend,
            level_labels=({k: f"{fmt_signed(k)} {v}" for k, v in g.gas_levels.items()} if g.gas_levels else None),
            words=("start", "aim", "aim by") if view.audience == "client" else ("baseline", "target", "target date"),
            events=events,
        ) + charts.event_legend(events, g.start, g.end)
        for s in g.steps:
            if s.weeks:
                out[f"{g.anchor}-{s.id}"] = charts.adherence_chart(
                    f"chart-{g.anchor}-{s.id}", f"Practice per week: {s.action}",
                    f"Asked {s.frequency}. Each bar is the share of that done in a week; "
                    f"{fmt_pct(s.percent)} over all reported weeks, the aim met in {s.weeks_met} of "
                    f"{plural(s.weeks_known, 'week')}.",
                    [charts.WeekBar(w.label, w.percent, w.met, w.partial, w.parts if w.split else ())
                     for w in s.weeks],
                )
    for group in view.instrument_groups:
        # Several respondents' series of one questionnaire stand side by side: one time axis for all.
        dates = [r.date for iv in group for r in iv.rows] if len(group) > 1 else []
        axis = (min(dates), max(dates)) if dates else None
        for iv in group:
            if iv.rows:
                # A returning client: where each later episode of care starts, marked like a life event.
                starts = [charts.Event(d, f"E{n}", f"episode {n} starts: change is measured from here")
                          for n, d in iv.episode_starts.items()] if view.audience == "clinician" else []
                marks = sorted([*events, *starts], key=lambda e: e.when)
                out.update(_instrument_charts(iv, client=view.audience == "client", axis=axis, events=marks))
    return out


def _instrument_charts(iv: InstrumentView, *, client: bool, axis: tuple[date, date] | None = None,
                       events: Sequence[charts.Event] = ()) -> dict[str, Markup]:
    """The totals chart, or — when the subscales lead — one small chart per subscale with its own bands.
    ``axis``: the first and last date the time axis spans, when other charts are read beside this one."""
    def band_words(bands: list[BandInfo], label: str, level: int) -> str:
        return (plain_band(bands, level, iv.higher_is_better, long=True) if client else label) or "no band"

    def chart_bands(bands: list[BandInfo]) -> list[charts.Band]:
        return [charts.Band(b.low, b.high, plain_band(bands, b.level, iv.higher_is_better) if client else b.label,
                            b.level, b.levels) for b in bands]

    first, latest = iv.rows[0], iv.rows[-1]
    span = f"from {fmt_date(first.date)} to {fmt_date(latest.date)}"
    start, end = axis or (first.date, latest.date)
    if not subscales_lead(iv):
        marks = {"improvement": "improvement", "deterioration": "deterioration"}
        scored = [r for r in iv.rows if r.total is not None]
        points = charts.Series.of([r.date for r in scored], [r.total for r in scored],
                                  ["flagged" if r.flags else marks.get(r.reliable, "plain") for r in scored])
        desc = (f"{len(iv.rows)} administrations {span}; first {first.total_text}, latest {latest.total_text} "
                f"({band_words(iv.bands, latest.band, latest.band_level)}).")
        return {iv.anchor: _both(
            charts.questionnaire_chart, f"chart-{iv.anchor}", f"{iv.label} totals over time", desc,
            points=points, bands=chart_bands(iv.bands),
            low=iv.low, high=iv.high, cutoff=iv.cutoff, start=start, end=end,
            cutoff_label="threshold" if client else "clinical cutoff", events=events,
        ) + charts.event_legend(events, start, end)}
    out: dict[str, Markup] = {}
    for sub in iv.subscales:
        cells = [(r.date, c) for r in iv.rows for c in r.subscales if c.id == sub.id and c.total is not None]
        if not cells:
            continue  # only totals recorded so far: the table says so
        (_, c0), (_, c1) = cells[0], cells[-1]
        desc = (f"{sub.name}: {plural(len(cells), 'administration')} {span}; first {c0.total_text}, "
                f"latest {c1.total_text} ({band_words(sub.bands, c1.band, c1.band_level)}).")
        key = f"{iv.anchor}-{sub.id}"
        out[key] = _both(
            charts.questionnaire_chart, f"chart-{key}", f"{iv.label} {sub.name} over time", desc,
            points=charts.Series.of([d for d, _ in cells], [c.total for _, c in cells]),
            bands=chart_bands(sub.bands),
            low=sub.low, high=sub.high, cutoff=None, start=start, end=end, width=charts.SMALL_WIDTH,
            events=events,
        ) + charts.event_legend(events, start, end)
    return out


def css_string(words: str) -> Markup:
    """``words`` as a CSS string literal: letters, digits and spaces as they are, anything else as a
    hex escape, so no name can end the string, the rule or the <style> element."""
    safe = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in words)
    return Markup(f'"{safe}"')


def render_client(view: ClientView, *, practice_name: str, today: date, repo: Any = None,
                  as_of: str | None = None, glance: Glance | None = None) -> str:
    """The client's page; ``glance``: the view's ``glance_of``, when the caseload row has it too."""
    share = view.audience == "client"
    if glance is None and not share:  # the share page has no first screen of sparklines
        glance = glance_of(view)
    return environment().get_template("share.html" if share else "client.html").render(
        c=view, charts=_client_charts(view), glance=glance, practice_name=practice_name, today=today, repo=repo,
        as_of=as_of, css=stylesheet(), share=share,
        print_head=css_string(f"{view.name} · {'private' if share else 'confidential'}"),
        root="" if share else "../",
    )


def render_caseload(view: PracticeView) -> str:
    return environment().get_template("caseload.html").render(
        p=view, practice_name=view.name, today=view.today, repo=view.repo, as_of=view.as_of,
        css=stylesheet(), share=False, root="", week=timedelta(days=DUE_WINDOW_DAYS - 1),
        print_head=css_string(f"{view.name} · caseload · confidential"),
    )


def caseload_row(view: ClientView, glance: Glance | None = None) -> Markup:
    """One client's row of the caseload table (kept with the client's page between builds);
    ``glance``: the view's ``glance_of``, when the client's page has it too."""
    return environment().get_template("caseload_parts.html").module.client_row(view, glance or glance_of(view))


def caseload_due_item(item: Any) -> Markup:
    """One item of the caseload's "due this week" (kept with the client's page between builds)."""
    return environment().get_template("caseload_parts.html").module.due_item(item)


def caseload_alert_group(group: Any) -> Markup:
    """One client's block of alerts on the caseload."""
    return environment().get_template("caseload_parts.html").module.alert_group(group)
