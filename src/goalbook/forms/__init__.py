"""Questionnaire forms clients fill in themselves: the page, the practice key, the encrypted reply,
the record of forms issued, and importing a reply into the client's record."""
