"""A small fictional practice whose outcome figures are worked out by hand in tests/test_outcomes.py.

Period 2026-01-01..2026-06-30, today 2026-07-15. Clinician aa (Alex Aalto) has six finished courses
c1…c6; clinician bb (Bea Berg) has d1 (dropped out after one treatment contact), d2 (referred before
the period, still in treatment) and d3 (referred in the period, not yet seen).

Every c-course: referred (start_date) 2026-01-05, an assessment that day with the first PHQ-9 and
GAD-7, treatment sessions on 12 and 19 January, a discharge session on 2 February with the last
scores, and one GAS goal (baseline −1) measured at the discharge. c1 has one more session (26 Jan);
c6 missed one (did-not-attend, 26 Jan).
"""

from __future__ import annotations

SETTINGS = """\
name: Outcome Test Practice
clinicians:
  - id: aa
    name: Alex Aalto
  - id: bb
    name: Bea Berg
today: 2026-07-15
"""

PERIOD = "2026-01-01..2026-06-30"

# id: (PHQ-9 first, last), (GAD-7 first, last), end_reason, GAS level at discharge, goal status
COURSES = {
    "c1": ((18, 6), (15, 5), "planned", 1, "achieved"),
    "c2": ((14, 12), (12, 10), "planned", 0, "active"),
    "c3": ((12, 9), (9, 7), "planned", -1, "active"),
    "c4": ((10, 17), (8, 8), "planned", -2, "active"),
    "c5": ((20, 8), (16, 4), "planned", 1, "achieved"),
    "c6": ((5, 4), (3, 3), "referred-on", 0, "paused"),
}


def _client(cid: str, clinician: str, start: str, status: str, end: str = "", reason: str = "") -> str:
    text = (f"id: {cid}\nname: Client {cid.upper()}\nclinician: {clinician}\nstart_date: {start}\n"
            f"status: {status}\n")
    if end:
        text += f"end_date: {end}\n"
    if reason:
        text += f"end_reason: {reason}\n"
    return text


def _gas_goals(level_status: str) -> str:
    return f"""\
goals:
  - id: speak-up
    title: Speak up in the weekly meeting
    status: {level_status}
    set_date: 2026-01-05
    measure:
      type: gas
      levels:
        much_less: Says nothing
        less: Speaks when asked
        expected: Speaks once
        more: Speaks twice
        much_more: Leads an item
    baseline: -1
"""


def _session(day: str, kind: str, phq: int | None = None, gad: int | None = None, gas: int | None = None) -> str:
    text = f"date: {day}\nkind: {kind}\n"
    if phq is not None:
        text += f"questionnaires:\n  phq9: {{total: {phq}}}\n  gad7: {{total: {gad}}}\n"
    if gas is not None:
        text += f"measurements:\n  speak-up: {gas}\n"
    return text


def files() -> dict[str, str]:
    out = {"goalbook.yaml": SETTINGS}
    for cid, ((p1, p2), (g1, g2), reason, level, status) in COURSES.items():
        base = f"clients/{cid}"
        out[f"{base}/client.yaml"] = _client(cid, "aa", "2026-01-05", "discharged", "2026-02-02", reason)
        out[f"{base}/goals.yaml"] = _gas_goals(status)
        out[f"{base}/sessions/2026-01-05.yaml"] = _session("2026-01-05", "assessment", p1, g1)
        out[f"{base}/sessions/2026-01-12.yaml"] = _session("2026-01-12", "session")
        out[f"{base}/sessions/2026-01-19.yaml"] = _session("2026-01-19", "session")
        out[f"{base}/sessions/2026-02-02.yaml"] = _session("2026-02-02", "discharge", p2, g2, level)
    out["clients/c1/sessions/2026-01-26.yaml"] = _session("2026-01-26", "session")
    out["clients/c6/sessions/2026-01-26.yaml"] = _session("2026-01-26", "did-not-attend")
    # d1: referred 1 Feb, assessed 10 Feb, one treatment session 20 Feb, then stopped coming.
    out["clients/d1/client.yaml"] = _client("d1", "bb", "2026-02-01", "discharged", "2026-03-01", "dropped-out")
    out["clients/d1/sessions/2026-02-10.yaml"] = _session("2026-02-10", "assessment", 15, 12)
    out["clients/d1/sessions/2026-02-20.yaml"] = _session("2026-02-20", "session")
    # d2: referred before the period, in treatment since November, seen in the period; not ended.
    out["clients/d2/client.yaml"] = _client("d2", "bb", "2025-11-01", "active")
    out["clients/d2/sessions/2025-11-10.yaml"] = _session("2025-11-10", "session")
    out["clients/d2/sessions/2026-01-14.yaml"] = _session("2026-01-14", "session")
    # d3: referred in the period, not seen yet.
    out["clients/d3/client.yaml"] = _client("d3", "bb", "2026-05-01", "referred")
    return out
