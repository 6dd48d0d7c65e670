"""What a newly recorded questionnaire says, in a few lines for the terminal: the total and band, the
critical items endorsed, and the change from that respondent's first answers — as the book shows them."""

from __future__ import annotations

from goalbook.records import model
from goalbook.views.score_views import book_date, instrument_views


def arrived_lines(practice: model.Practice, client: model.Client, instrument: str, respondent: str,
                  session_file: str) -> list[str]:
    """The lines for the administration of ``instrument`` by ``respondent`` ("" = the client) recorded in
    ``session_file`` (practice-relative); empty when it is not in the record."""
    view = next((iv for iv in instrument_views(client, practice, audience="clinician")
                 if iv.id == instrument and iv.respondent == respondent), None)
    if view is None:
        return []
    at = next((k for k, r in enumerate(view.rows) if r.session_file == session_file), None)
    if at is None:
        return []
    row = view.rows[at]
    band = f" — {row.band}" if row.band else ""
    who = f", answered by {view.answered_by}" if view.answered_by else ""
    lines = [f"{view.short_name} on {book_date(row.date)}{who}: total {row.total_text}{band}"]
    if row.prorated:
        lines.append(f"  {row.prorated}")
    for sub in row.subscales:
        if sub.total is not None:
            lines.append(f"  {sub.name}: {sub.total_text}{' — ' + sub.band if sub.band else ''}")
    lines += [f"  FLAG {flag}" for flag in row.flags]
    if view.first_of(row) is row:  # the first of its episode of care (the first of all, usually)
        lines.append("  the first answers to it" + (f" by {view.answered_by}" if view.answered_by else "")
                     + ": later ones are compared with these")
    else:
        first = view.first_of(row)  # the first answers of this row's episode of care
        lines.append(f"  change from the first ({book_date(first.date)}, {first.total_text}): {row.change_explain}")
        if row.category_explain:
            lines.append(f"  {row.category_explain}")
    return lines
