"""Who answers a questionnaire when it is not the client: a respondent named in client.yaml."""

from __future__ import annotations

from goalbook.errors import GoalbookError
from goalbook.records.model import Client, Respondent


def find_respondent(client: Client, respondent_id: str | None) -> Respondent | None:
    """The client's respondent ``respondent_id`` (None for none given: the client answers); a
    ``GoalbookError`` saying how to add them when client.yaml does not name them."""
    if not respondent_id:
        return None
    person = client.respondent(respondent_id)
    if person is None:
        known = ", ".join(r.id for r in client.respondents) or "none yet"
        raise GoalbookError(
            f"{client.id} has no respondent '{respondent_id}' (respondents: {known})",
            hint=f"add them under `respondents:` in clients/{client.id}/client.yaml with an id, a name and a "
                 "relation (partner, parent, teacher or other)")
    return person
