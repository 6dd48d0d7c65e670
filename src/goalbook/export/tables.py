"""The practice as tidy tables: one row per observation, one column per variable, ISO dates. Pure: the
CSV writer (``csv_files``) and the tests read these; nothing here touches a file.

With ``pseudonyms`` every client id (and respondent id) is replaced by its keyed hash, and every free
text column (names, notes, goal wording, session file paths, which hold the client id) is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from goalbook.export.pseudonyms import Pseudonyms
from goalbook.records import model
from goalbook.views.score_views import score_of


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | date | integer | number | boolean
    description: str
    free_text: bool = False  # left out of a pseudonymised export


@dataclass
class Table:
    name: str  # the file name without .csv
    description: str
    columns: list[Column]
    rows: list[list[Any]]


C = Column
CLIENT_ID = C("client_id", "text", "The client's id (the folder name under clients/); with --pseudonymise a keyed "
              "hash, the same in every file")
DATE = C("date", "date", "The date of the contact (YYYY-MM-DD)")
FILE = C("file", "text", "The session file it was recorded in, relative to the practice", free_text=True)

SCHEMA: dict[str, tuple[str, list[Column]]] = {
    "clients": ("One row per client.", [
        CLIENT_ID,
        C("name", "text", "Display name from client.yaml", free_text=True),
        C("clinician", "text", "The clinician id from goalbook.yaml"),
        C("status", "text", "referred | active | paused | discharged"),
        C("start_date", "date", "Date of the first contact (taken as the referral)"),
        C("end_date", "date", "Date the work ended; empty when not ended"),
        C("end_reason", "text", "planned | dropped-out | referred-on | other; empty when not recorded"),
        C("notes", "text", "The client's notes (Markdown)", free_text=True),
        C("private_notes", "text", "Clinician-only notes (Markdown)", free_text=True),
    ]),
    "contacts": ("One row per session file: a contact, a missed one, or a self-report.", [
        CLIENT_ID, DATE,
        C("time", "text", "Time of day as written (HH:MM); empty when not given"),
        C("kind", "text", "intake | assessment | session | review | check-in | discharge | did-not-attend | "
                          "cancelled | self-report"),
        C("attended", "boolean", "true for a contact that took place (not did-not-attend, cancelled or a "
                                 "self-report between contacts)"),
        C("clinician", "text", "The clinician of the contact when the session says so, else the client's"),
        FILE,
        C("notes", "text", "Session notes (Markdown)", free_text=True),
        C("private_notes", "text", "Clinician-only session notes (Markdown)", free_text=True),
    ]),
    "administrations": ("One row per questionnaire given: the total as the book scores it.", [
        CLIENT_ID, DATE,
        C("instrument", "text", "Questionnaire id (see `goalbook instruments`)"),
        C("respondent", "text", "Who answered: empty for the client, else the respondent's id (hashed with "
                                "--pseudonymise)"),
        C("total", "number", "The total on the reported scale (prorated when items were missing and the "
                             "questionnaire allows it)"),
        C("band", "text", "The severity band of the total; empty when the questionnaire has none"),
        C("above_cutoff", "boolean", "true when the total is in the clinical range; empty without a cut-off"),
        C("prorated", "boolean", "true when missing items were prorated"),
        C("flags", "text", "Critical items whose answer met their condition, as item numbers separated by ';'"),
        C("items_recorded", "boolean", "true when the item answers were recorded, false for a total only"),
        FILE,
    ]),
    "item_answers": ("One row per item answer of a questionnaire given with its answers.", [
        CLIENT_ID, DATE,
        C("instrument", "text", "Questionnaire id"),
        C("respondent", "text", "As in administrations"),
        C("item", "integer", "Item number, from 1"),
        C("answer", "integer", "The answer as given (before any reversal); empty when missing"),
        FILE,
    ]),
    "goals": ("One row per goal.", [
        CLIENT_ID,
        C("goal_id", "text", "The goal's id within the client"),
        C("title", "text", "The goal as written", free_text=True),
        C("own_words", "text", "The client's own words", free_text=True),
        C("status", "text", "proposed | active | achieved | paused | discontinued | revised"),
        C("category", "text", "Goal category id"),
        C("focus_area", "text", "Focus area id"),
        C("set_date", "date", "When the goal was set"),
        C("target_date", "date", "When it should be reached; empty when not given"),
        C("review_date", "date", "Next review; empty when not given"),
        C("measure_type", "text", "questionnaire | rating | count | gas; empty without a measure"),
        C("measure_instrument", "text", "The questionnaire of a questionnaire measure"),
        C("measure_label", "text", "What a rating or count measures", free_text=True),
        C("gas_weight", "number", "The weight of a GAS goal"),
        C("baseline", "number", "The baseline as written; empty when not given"),
        C("target", "text", "The target as written (a number or 'N% lower/higher')"),
        C("target_value", "number", "The target on the measure's scale; empty when it cannot be known"),
        C("revises", "text", "The id of the goal this one replaces"),
    ]),
    "goal_measurements": ("One row per measurement of a goal written in a session.", [
        CLIENT_ID, DATE,
        C("goal_id", "text", "The goal measured"),
        C("value", "number", "The value (a GAS level is −2 … +2)"),
        FILE,
    ]),
    "action_steps": ("One row per action step of a goal.", [
        CLIENT_ID,
        C("goal_id", "text", "The goal the step belongs to"),
        C("step_id", "text", "The step's id within the client"),
        C("action", "text", "What the client does", free_text=True),
        C("times", "integer", "How many times …"),
        C("per", "text", "… per day | week | month"),
        C("minutes", "integer", "How long each time, in minutes; empty when not given"),
        C("start_date", "date", "The day the step starts (`from:`); empty when it starts with its goal"),
    ]),
    "homework": ("One row per action step reported in a session.", [
        CLIENT_ID, DATE,
        C("step_id", "text", "The action step"),
        C("times_done", "integer", "Times done since the previous contact"),
        C("minutes", "number", "Minutes spent, when reported; empty otherwise"),
        FILE,
    ]),
}


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def _bool(x: bool | None) -> str:
    return "" if x is None else ("true" if x else "false")


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def practice_tables(practice: model.Practice, pseudonyms: Pseudonyms | None = None) -> list[Table]:
    """Every table, rows by client, then in the records' order (sessions by date, time and file):
    the same records give the same tables."""
    cid: Callable[[str], str] = pseudonyms.client if pseudonyms else (lambda x: x)

    def who(client: model.Client, respondent: str) -> str:
        return pseudonyms.respondent(client.id, respondent) if pseudonyms else respondent

    rows: dict[str, list[list[Any]]] = {name: [] for name in SCHEMA}
    for client in practice.clients:
        c = cid(client.id)
        rows["clients"].append([c, client.name, client.clinician, client.status, _day(client.start_date),
                                _day(client.end_date), client.end_reason, client.notes, client.private_notes])
        for s in client.sessions:
            rows["contacts"].append([c, _day(s.date), s.time, s.kind, _bool(s.kind not in model.NOT_A_CONTACT_KINDS),
                                     s.clinician or client.clinician, s.file, s.notes, s.private_notes])
            for adm in s.administrations:
                inst = practice.instruments.get(adm.instrument)
                score = score_of(inst, adm) if inst is not None else None
                respondent = who(client, adm.respondent)
                rows["administrations"].append([
                    c, _day(adm.date), adm.instrument, respondent,
                    _num(score.total) if score else "", score.band.label if score and score.band else "",
                    _bool(score.above_cutoff) if score else "", _bool(score.prorated) if score else "",
                    ";".join(str(f.item) for f in score.flags) if score else "",
                    _bool(adm.answers is not None), s.file])
                for number, answer in enumerate(adm.answers or (), start=1):
                    rows["item_answers"].append([c, _day(adm.date), adm.instrument, respondent, number,
                                                 "" if answer is None else answer, s.file])
            for goal_id, value in s.measurements.items():
                rows["goal_measurements"].append([c, _day(s.date), goal_id, _num(value), s.file])
            for step_id, times in s.homework.items():
                rows["homework"].append([c, _day(s.date), step_id, times, _num(s.homework_minutes.get(step_id)),
                                         s.file])
        for g in client.goals:
            m = g.measure
            target_value = g.target.resolve(g.baseline) if g.target else None
            rows["goals"].append([
                c, g.id, g.title, g.own_words, g.status, g.category, g.focus_area, _day(g.set_date),
                _day(g.target_date), _day(g.review_date), m.type if m else "", (m.instrument or "") if m else "",
                m.label if m else "", _num(m.weight) if m and m.type == "gas" else "", _num(g.baseline),
                g.target.text if g.target else "", _num(target_value), g.revises or ""])
            for step in g.steps:
                rows["action_steps"].append([c, g.id, step.id, step.action, step.times, step.per,
                                             "" if step.minutes is None else step.minutes, _day(step.start)])
    tables = []
    for name, (description, columns) in SCHEMA.items():
        keep = [i for i, col in enumerate(columns) if not (pseudonyms and col.free_text)]
        body = [[row[i] for i in keep] for row in rows[name]]
        # By client only (stable: each client's rows stay in date order). Pseudonymised, the rows follow
        # the hashes, so their order says nothing of the real ids' alphabetical order.
        body.sort(key=lambda r: r[0])
        tables.append(Table(name, description, [columns[i] for i in keep], body))
    return tables


def dictionary(tables: Iterable[Table]) -> Table:
    """The data dictionary: one row per column of every table written."""
    cols = [C("file", "text", "The CSV file"), C("column", "text", "The column's name"),
            C("type", "text", "text | date | integer | number | boolean (true/false); empty cells are missing"),
            C("description", "text", "What the column holds")]
    body = [[f"{t.name}.csv", "", "", t.description] for t in tables]
    body += [[f"{t.name}.csv", col.name, col.type, col.description] for t in tables for col in t.columns]
    return Table("data_dictionary", "Every column of every file", cols, body)
