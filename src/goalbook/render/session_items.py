"""The sessions of the timeline, written in Python rather than by a Jinja macro.

A year of weekly sessions is fifty entries per page, each with a dozen escaped fields: as a
macro they are a large part of a page's render time. The markup is exactly what the
``session_item`` macro once in ``cards.html`` wrote, whitespace included (``tests/test_render_golden.py``).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from goalbook.render.escaping import text
from goalbook.render.markdown import render_markdown
from goalbook.render.pages import fmt_date, plural

NOT_HELD = ("Recorded at a contact marked as not taking place: used as recorded below; "
            "`goalbook check` warns. Correct the kind, or move the answers to the contact they came from.")
PRIVATE_LABEL = '<p class="private-label">Private note · clinician only · never shared</p>'


def session_items(sessions: Any, share: bool = False, events: Any = ()) -> Markup:
    """Every entry of the timeline: one call from the template rather than one per session.

    ``events`` (life events, oldest first) go in among the sessions, newest first like them; an
    event on a session's day comes after it (above it in the list)."""
    if not events:
        return Markup("".join([session_item(s, share) for s in sessions]))
    return Markup(_numbered_items(sessions, share, list(enumerate(events, start=1))))


RECENT_SESSIONS = 4  # the timeline shows this many contacts; the earlier ones are behind a disclosure


def timeline(sessions: Any, share: bool = False, events: Any = ()) -> Markup:
    """The session timeline, newest first: the latest contacts in view, the earlier ones (and the life
    events before them) in a disclosure."""
    sessions = list(sessions)
    if len(sessions) <= RECENT_SESSIONS + 2:  # two more are shorter than the disclosure's line
        return Markup(f'<ol class="timeline">{session_items(sessions, share, events)}</ol>')
    recent, older = sessions[:RECENT_SESSIONS], sessions[RECENT_SESSIONS:]
    since = recent[-1].date
    numbered = list(enumerate(events, start=1))
    # Events keep the numbers their charts show, whichever list they fall in.
    later = _numbered_items(recent, share, [(n, e) for n, e in numbered if e.date >= since])
    earlier = _numbered_items(older, share, [(n, e) for n, e in numbered if e.date < since])
    return Markup(f'<ol class="timeline">{later}</ol>\n<details class="more"><summary>Earlier contacts '
                  f'({len(older)}, {fmt_date(older[-1].date)} to {fmt_date(older[0].date)})</summary>\n'
                  f'<ol class="timeline">{earlier}</ol>\n</details>')


def _numbered_items(sessions: Any, share: bool, numbered: Any) -> str:
    ordered = sorted(numbered, key=lambda ke: ke[1].date, reverse=True)
    out, k = [], 0
    for s in sessions:
        while k < len(ordered) and ordered[k][1].date >= s.date:
            out.append(event_item(*ordered[k]))
            k += 1
        out.append(session_item(s, share))
    out += [event_item(n, e) for n, e in ordered[k:]]
    return "".join(out)


def event_item(number: int, event: Any) -> str:
    """A life event in the timeline, with the number its charts show."""
    return (f'<li class="session life-event" id="event-{number}">\n'
            f'  <p class="session-head"><time datetime="{event.date.isoformat()}">{fmt_date(event.date)}</time>'
            f'    <span class="kind">Life event <span class="event-num">{number}</span></span></p>\n'
            f'  <p>{text(event.text)}</p>\n</li>\n')


def session_item(s: Any, share: bool = False) -> str:
    """One session's entry (safe markup, as a plain str: the timeline wraps them all at once)."""
    # The date, as ISO and as we format it, is digits and a month's name: nothing to escape.
    out = [(f'<li class="session session-{text(s.kind)}{"" if s.attended else " not-attended"}" '
            f'id="{text(s.anchor)}">\n'),
           f'  <p class="session-head"><time datetime="{s.date.isoformat()}">{fmt_date(s.date)}</time>']
    if s.time:
        out.append(f' <span class="muted">{text(s.time)}</span>')
    out.append(f'    <span class="kind">{text(s.kind_label)}</span>')
    if not share and s.clinician:
        out.append(f'<span class="muted small">with {text(s.clinician)}</span>')
    out.append("</p>\n")
    if s.questionnaires or s.measurements or s.homework:
        if not s.attended and not share and s.kind != "self-report":  # a self-report is data without a contact
            # Data at a contact that did not take place is used as recorded; `goalbook check` warns.
            out.append(f'  <p class="risk-unanswered">{NOT_HELD}</p>\n')
        out.append('  <ul class="session-facts">\n')
        out += [f'<li><a href="#{text(a)}">{text(name)}</a> {text(total)}</li>' for name, total, a in s.questionnaires]
        out += [f"<li>{text(title)}: {text(value)}</li>" for title, value in s.measurements]
        out += [f"<li>{text(action)}: {text(plural(n, 'time'))}</li>" for action, n in s.homework]
        out.append("  </ul>\n")
    if s.notes:
        out.append(f'<div class="prose">{render_markdown(s.notes)}</div>')
    if s.private_notes and not share:
        out.append(f'  <aside class="private" aria-label="Private note">{PRIVATE_LABEL}'
                   f'<div class="prose">{render_markdown(s.private_notes)}</div></aside>\n')
    out.append("</li>\n")
    return "".join(out)
