"""The Jinja2 environment (autoescape on, strict undefined) and the page renderers.

Charts are drawn here, from the view data, and handed to the templates as ready markup so the
templates only place things. CSS is read from ``templates/book/book.css`` and inlined in each page:
a page opened from disk, or mailed to a client, needs nothing else.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from goalbook import __version__
from goalbook.analysis import ClientView, PracticeView
from goalbook.render import charts
from goalbook.render.markdown import render_markdown
from goalbook.resources import data_dir

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def fmt_date(d: date | None, empty: str = "—") -> str:
    """``3 Mar 2026``: unambiguous for readers on both sides of the Atlantic."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else empty


def fmt_num(x: float | None) -> str:
    if x is None:
        return "—"
    x = round(float(x), 1)
    return str(int(x)) if x.is_integer() else f"{x:.1f}"


def fmt_signed(x: float | None) -> str:
    if x is None:
        return "—"
    return "0" if x == 0 else ("+" if x > 0 else "−") + fmt_num(abs(x))


def fmt_about(x: float | None) -> str:
    """A whole number, or ``≈ 4`` when the true value is not whole (times are counted, not measured)."""
    if x is None:
        return "—"
    whole = round(x)
    return str(whole) if abs(x - whole) < 0.05 else f"≈ {whole}"


def fmt_pct(x: float | None) -> str:
    return "—" if x is None else f"{round(x):d}%"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


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
    env.globals.update(plural=plural, version=__version__)
    return env


@cache
def stylesheet() -> Markup:
    css = (data_dir("templates") / "book" / "book.css").read_text(encoding="utf-8")
    # Our own file, but never let it close the <style> element early.
    return Markup(css.replace("</", "<\\/"))


def _client_charts(view: ClientView) -> dict[str, Markup]:
    out: dict[str, Markup] = {}
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
        out[g.anchor] = charts.goal_chart(
            f"chart-{g.anchor}", f"Progress: {g.title}", desc,
            points=[charts.Point(p.date, p.value) for p in g.points],
            low=g.low, high=g.high, start=g.start, end=g.end, baseline=g.baseline, target=g.target,
            target_date=g.target_date, trend=g.trend,
            level_labels=({k: f"{fmt_signed(k)} {v}" for k, v in g.gas_levels.items()} if g.gas_levels else None),
            words=("start", "aim", "aim by") if view.audience == "client" else ("baseline", "target", "target date"),
        )
        for s in g.steps:
            if s.weeks:
                out[f"{g.anchor}-{s.id}"] = charts.adherence_chart(
                    f"chart-{g.anchor}-{s.id}", f"Practice per week: {s.action}",
                    f"Asked {s.frequency}. Each bar is the share of that done in a week; "
                    f"{fmt_pct(s.percent)} over all reported weeks, the aim met in {s.weeks_met} of "
                    f"{plural(s.weeks_known, 'week')}.",
                    [charts.WeekBar(w.short_label, w.percent, w.met, w.partial) for w in s.weeks],
                )
    for iv in view.instruments:
        if not iv.rows:
            continue
        marks = {"improvement": "improvement", "deterioration": "deterioration"}
        points = [charts.Point(r.date, r.total, "flagged" if r.flags else marks.get(r.reliable, "plain"))
                  for r in iv.rows if r.total is not None]
        latest = iv.rows[-1]
        desc = (f"{len(iv.rows)} administrations from {fmt_date(iv.rows[0].date)} to {fmt_date(latest.date)}; "
                f"first {iv.rows[0].total_text}, latest {latest.total_text} ({latest.band or 'no band'}).")
        out[iv.anchor] = charts.questionnaire_chart(
            f"chart-{iv.anchor}", f"{iv.short_name} totals over time", desc,
            points=points,
            bands=[charts.Band(b.low, b.high, b.label, b.level, b.levels) for b in iv.bands],
            low=iv.low, high=iv.high, cutoff=iv.cutoff, start=iv.rows[0].date, end=latest.date,
            cutoff_label="threshold" if view.audience == "client" else "clinical cutoff",
        )
    return out


def render_client(view: ClientView, *, practice_name: str, today: date, repo: Any = None,
                  as_of: str | None = None) -> str:
    template = "share.html" if view.audience == "client" else "client.html"
    return environment().get_template(template).render(
        c=view, charts=_client_charts(view), practice_name=practice_name, today=today, repo=repo,
        as_of=as_of, css=stylesheet(), share=view.audience == "client",
        root="" if view.audience == "client" else "../",
    )


def render_caseload(view: PracticeView) -> str:
    return environment().get_template("caseload.html").render(
        p=view, practice_name=view.name, today=view.today, repo=view.repo, as_of=view.as_of,
        css=stylesheet(), share=False, root="",
    )


def caseload_row(view: ClientView) -> Markup:
    """One client's row of the caseload table (kept with the client's page between builds)."""
    return environment().get_template("caseload_parts.html").module.client_row(view)


def caseload_alert_group(group: Any) -> Markup:
    """One client's block of alerts on the caseload."""
    return environment().get_template("caseload_parts.html").module.alert_group(group)
