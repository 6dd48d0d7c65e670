"""A questionnaire's table rows, written in Python rather than by a Jinja loop.

A client seen weekly for a year has about a hundred administrations, each row with a dozen
escaped fields and three macro calls (band, reliable change, subscale cells): the loop was the
largest single cost of rendering a page. The markup is exactly what the template
loop in ``cards.html`` (and its macros) wrote, whitespace included; ``tests/test_render_golden.py`` holds it to
that, byte for byte.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from goalbook.render import pages
from goalbook.render.escaping import text

FLAGGED = ' class="flagged"'
TOTAL_ONLY = ' <span class="muted small">(total only)</span>'
RELIABLE = {  # row.reliable → (class, mark, clinician's words, client's words)
    "improvement": ("chg chg-better", "◆", "reliable improvement", "a real improvement"),
    "deterioration": ("chg chg-worse", "△", "reliable deterioration", "a real change for the worse"),
}


def band_badge(row: Any, plain: str = "") -> str:
    """As the ``band_badge`` macro in ``macros.html`` (tests/test_render_rows.py compares the two):
    the band's label, or the client's words for it, as a shaded tag."""
    if not row.band:
        return ""
    return f'<span class="band-tag sev-{text(row.band_level)}">{text(plain or row.band)}</span>'


def reliable_badge(row: Any, share: bool) -> str:
    """The row's reliable-change badge (each one but "first" ends in a newline, as the macro this
    replaced wrote it)."""
    known = RELIABLE.get(row.reliable)
    if known is not None:
        css, mark, clinician, client = known
        return f'<span class="{css}"><span aria-hidden="true">{mark}</span> {client if share else clinician}</span>\n'
    if row.reliable == "none":
        return f'<span class="chg">{"within the usual ups and downs" if share else "no reliable change"}</span>\n'
    if row.delta_text:
        # No published threshold: the change is shown and said to be not judged, on both pages.
        return '<span class="chg muted">not judged</span>\n'
    return '<span class="muted">first</span>'


def subscale_cell(cell: Any, sub: Any, iv: Any, share: bool) -> str:
    """One subscale score in a table cell: score, band (the client's words on the share page), change."""
    if cell.total is None:
        return '<td class="num sub"><span class="muted">—</span></td>\n'
    out = f'<td class="num sub"><strong>{text(cell.total_text)}</strong>'
    if cell.band:
        plain = pages.plain_band(sub.bands, cell.band_level, iv.higher_is_better) if share else ""
        out += " " + band_badge(cell, plain)
    if cell.delta_text:
        out += (' <span class="sub-delta"><span class="visually-hidden">change from the first: </span>'
                f"{text(cell.delta_text)}</span>")
    return out + "</td>\n"


def score_rows(iv: Any, share: bool, lead: bool, totals: bool, has_bands: bool) -> Markup:
    """Every row of ``iv``'s table of administrations."""
    out: list[str] = []
    add = out.append
    labels = getattr(iv, "episode_labels", {})
    episode = 0
    badges: dict[tuple[Any, Any, str], str] = {}
    for r in iv.rows:
        if labels and r.episode != episode:  # a returning client: each episode's rows under its label
            episode = r.episode
            add(f'      <tr class="episode"><th colspan="20" scope="rowgroup">{text(labels.get(episode, ""))}'
                f'{"" if episode == 1 else " — change from this episode’s first score"}</th></tr>\n')
        cells = ""
        if r.subscales and (lead or not share):
            cells = "".join(subscale_cell(c, iv.subscales[i], iv, share) for i, c in enumerate(r.subscales))
        # A date we format ourselves (digits and a month's name): nothing to escape.
        add(f'      <tr id="{text(r.anchor)}"{FLAGGED if r.flags else ""}>\n'
            f'        <th scope="row">{pages.fmt_date(r.date)}{TOTAL_ONLY if r.only_total and not totals else ""}</th>\n'
            f'{cells if lead else ""}')
        if totals:
            badge = ""
            if has_bands:
                plain = pages.plain_band(iv.bands, r.band_level, iv.higher_is_better) if share else ""
                # Rows repeat a few bands: each badge is written once.
                badge = badges.get((r.band, r.band_level, plain))
                if badge is None:
                    badge = badges[(r.band, r.band_level, plain)] = f"        <td>{band_badge(r, plain)}</td>\n"
            add(f'        <td class="num"><strong>{text(r.total_text)}</strong>{TOTAL_ONLY if r.only_total else ""}</td>\n'
                f'{badge}        <td class="num">{text(r.delta_text or "—")}</td>\n'
                f"        <td>{reliable_badge(r, share)}</td>\n")
        if not share:
            if not r.reliable:
                category = "—"
            elif r.category == "recovered":
                category = "<strong>recovered</strong>"
            else:
                category = text(r.category or "—")
            add(f"        <td>{category}</td>\n{'' if lead else cells}        <td>\n")
            if r.items:
                add(pages.item_answers(r.items))
            elif r.items_note:
                add(f'<span class="items-note">{text(r.items_note)}</span>')
            else:
                add('<span class="muted">—</span>')
            for f in r.flags:
                add(f'<span class="flag-text"><strong>Flag:</strong> {text(f)}</span>')
            if r.risk_note and not r.only_total:  # a total-only row says it in its items note
                add(f'<span class="flag-text risk-unanswered"><strong>Flag:</strong> {text(r.risk_note)}</span>')
            if r.next_step:
                add(f'<span class="next-step block"><strong>Next:</strong> {text(r.next_step_rule)}</span>')
            if r.prorated:
                add(f'<span class="method block">{text(r.prorated)}</span>')
            add("        </td>\n")
        add("      </tr>\n")
    return Markup("".join(out))
