"""One session of the timeline, written in Python rather than by a Jinja macro.

A year of weekly sessions is fifty entries per page, each with a dozen escaped fields: as a
macro they cost a tenth of a page's render time (issue 6). The markup is exactly what the
``session_item`` macro in ``cards.html`` wrote, whitespace included (``tests/test_render_golden.py``).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from goalbook.render.markdown import render_markdown
from goalbook.render.pages import fmt_date, plural

PRIVATE_LABEL = '<p class="private-label">Private note · clinician only · never shared</p>'


def session_item(s: Any, share: bool = False) -> Markup:
    out = [(f'<li class="session session-{escape(s.kind)}{"" if s.attended else " not-attended"}" '
            f'id="{escape(s.anchor)}">\n'),
           f'  <p class="session-head"><time datetime="{escape(s.date.isoformat())}">{escape(fmt_date(s.date))}</time>']
    if s.time:
        out.append(f' <span class="muted">{escape(s.time)}</span>')
    out.append(f'    <span class="kind">{escape(s.kind_label)}</span>')
    if not share and s.clinician:
        out.append(f'<span class="muted small">with {escape(s.clinician)}</span>')
    out.append("</p>\n")
    if s.questionnaires or s.measurements or s.homework:
        out.append('  <ul class="session-facts">\n')
        out += [f'<li><a href="#{escape(a)}">{escape(name)}</a> {escape(total)}</li>' for name, total, a in s.questionnaires]
        out += [f"<li>{escape(title)}: {escape(value)}</li>" for title, value in s.measurements]
        out += [f"<li>{escape(action)}: {escape(plural(n, 'time'))}</li>" for action, n in s.homework]
        out.append("  </ul>\n")
    if s.notes:
        out.append(f'<div class="prose">{render_markdown(s.notes)}</div>')
    if s.private_notes and not share:
        out.append(f'  <aside class="private" aria-label="Private note">{PRIVATE_LABEL}'
                   f'<div class="prose">{render_markdown(s.private_notes)}</div></aside>\n')
    out.append("</li>\n")
    return Markup("".join(out))
