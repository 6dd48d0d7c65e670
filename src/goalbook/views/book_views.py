"""What the book shows, worked out from the model and the statistics — so templates stay dumb.

``practice_view`` gives the caseload (clients and alerts ranked by urgency); ``client_view`` gives
one client's book. ``audience="client"`` builds the share view: clinician-only material (private
notes, alerts, item answers and critical-item flags, the audit trail) is never put into it, so it
cannot reach the share file even through a template mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from goalbook.clinical.episodes import episodes as episodes_of
from goalbook.number_text import short_number
from goalbook.records import model
from goalbook.views.goal_views import GasView, GoalView, gas_view, goal_views
from goalbook.views.score_views import (
    InstrumentView,
    NhsView,
    ScoreRow,
    Scores,
    anchor,
    book_date,
    instrument_groups,
    instrument_views,
    nhs_view,
    questionnaire_anchor,
)

Audience = Literal["clinician", "client"]
NO_CONTACT_KINDS = model.NOT_A_CONTACT_KINDS
# The share page's order of goals: what the client is working on now comes first; goals replaced
# or dropped come last, and only when the practice asks for them (``share: {past_goals: true}``).
SHARE_GOAL_ORDER = ("active", "proposed", "paused", "achieved", "revised", "discontinued")
PAST_GOALS = ("revised", "discontinued")
MISSED_KINDS = ("did-not-attend", "cancelled")  # a self-report is not a missed contact
STATUS_LABELS = {"referred": "Referred", "active": "Active", "paused": "Paused", "discharged": "Discharged"}
KIND_LABELS = {
    "intake": "Intake", "assessment": "Assessment", "session": "Session", "review": "Review",
    "check-in": "Check-in", "discharge": "Discharge", "did-not-attend": "Did not attend", "cancelled": "Cancelled",
    "self-report": "Answered without a contact",
}

REVIEW_RULE = (
    "A critical item (e.g. PHQ-9 item 9 above 0) stays an alert until you record a review in the client's "
    "file (alert_reviews: date, by, note); an endorsement after the review's date opens it again. Nothing "
    "else clears it: not time, not a later lower score."
)

# Alert kinds, most urgent first (the design brief's order).
ALERT_ORDER = (
    "critical-item", "deterioration", "questionnaire-overdue", "review-overdue", "target-passed", "no-contact",
)
ALERT_LABELS = {
    "critical-item": "Critical item endorsed",
    "deterioration": "Reliable deterioration",
    "questionnaire-overdue": "Questionnaire overdue",
    "review-overdue": "Goal review overdue",
    "target-passed": "Target date passed",
    "no-contact": "No contact",
}


@dataclass(frozen=True)
class Alert:
    kind: str
    client_id: str
    client_name: str
    when: date | None  # the date the alert is about (administration, due date, target date, last contact)
    why: str  # one plain sentence
    anchor: str  # evidence on the client's page
    # Within a kind: more days overdue / more recent risk sorts first.
    weight: int = 0

    @property
    def rank(self) -> int:
        return ALERT_ORDER.index(self.kind)

    @property
    def label(self) -> str:
        return ALERT_LABELS[self.kind]

    @property
    def href(self) -> str:
        return f"clients/{self.client_id}.html#{self.anchor}"


@dataclass(frozen=True)
class SessionView:
    anchor: str
    date: date
    time: str
    kind: str
    kind_label: str
    clinician: str
    attended: bool
    notes: str
    private_notes: str
    questionnaires: list[tuple[str, str, str]]  # (short name, total text, anchor)
    measurements: list[tuple[str, str]]  # (goal title, value)
    homework: list[tuple[str, int]]  # (step action, times)


@dataclass(frozen=True)
class Due:
    instrument: str
    name: str
    every_weeks: int
    last: date | None
    due: date | None  # None while the client is paused: nothing is due until the work resumes
    overdue: bool
    paused: bool = False
    respondent: str = ""  # "" = the client; else the respondent id the schedule gives it to

    @property
    def anchor(self) -> str:
        return questionnaire_anchor(self.instrument, self.respondent)


@dataclass
class ClientView:
    audience: Audience
    id: str
    name: str
    pronouns: str
    status: str
    status_label: str
    clinician: str
    start_date: date
    end_date: date | None
    last_contact: date | None
    contacts: int
    hopes: list[str]
    focus_areas: list[model.FocusArea]
    notes: str
    private_notes: str
    goals: list[GoalView]
    instruments: list[InstrumentView]
    schedule: list[Due]
    nhs: NhsView | None
    gas: GasView | None
    sessions: list[SessionView]  # newest first
    alerts: list[Alert] = field(default_factory=list)
    # Critical items endorsed earlier and no longer in the alerts: the clinician should still know.
    past_flags: list[tuple[str, str, str]] = field(default_factory=list)  # (short name, text, anchor)
    events: list[model.LifeEvent] = field(default_factory=list)  # by date; clinician only
    due_week: list[Any] = field(default_factory=list)  # DueItem: what falls due this week; clinician only
    # Critical-item alerts reviewed in the client's file: (short name, "… Reviewed on … by …: …", anchor).
    reviewed: list[tuple[str, str, str]] = field(default_factory=list)
    history: list[Any] | None = None  # model.HistoryEntry, clinician only
    dirty: list[str] = field(default_factory=list)  # this client's files with uncommitted changes
    # Per questionnaire id: (what it measures, its time frame) — the share page explains each one.
    instrument_about: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def active_goals(self) -> list[GoalView]:
        return [g for g in self.goals if g.status == "active"]

    @property
    def instrument_groups(self) -> list[list[InstrumentView]]:
        """Each questionnaire's series together: two partners answering the same measure, side by side."""
        return instrument_groups(self.instruments)

    @property
    def last_session(self) -> SessionView | None:
        """The latest contact that took place: where the next session picks up."""
        return next((s for s in self.sessions if s.attended), None)


@dataclass(frozen=True)
class AlertGroup:
    """One client's alerts on the caseload, most urgent first: one busy client stays one block."""

    client_id: str
    client_name: str
    clinician: str
    last_contact: date | None
    alerts: tuple[Alert, ...]

    @property
    def href(self) -> str:
        return f"clients/{self.client_id}.html#attention"

    @property
    def top(self) -> Alert:
        return self.alerts[0]


DUE_WINDOW_DAYS = 7  # "due this week": today and the six days after it


@dataclass(frozen=True)
class DueItem:
    """Something falling due this week: a questionnaire, a goal review or a goal's target date."""

    date: date
    client_id: str
    client_name: str
    what: str  # "GAD-7 due", "review of “Walk daily”"
    anchor: str

    @property
    def href(self) -> str:
        return f"clients/{self.client_id}.html#{self.anchor}"

    @property
    def sort_key(self) -> list[Any]:
        return [self.date.isoformat(), self.client_name, self.client_id, self.what]


def due_this_week(view: ClientView, today: date) -> list[DueItem]:
    """What falls due from today through the next six days (what is already overdue is an alert)."""
    if view.status != "active":
        return []
    end = today + timedelta(days=DUE_WINDOW_DAYS - 1)
    out = []
    for due in view.schedule:
        if due.due is not None and today <= due.due <= end:
            out.append(DueItem(due.due, view.id, view.name, f"{due.name} due (every {_weeks(due.every_weeks)})",
                               anchor("questionnaire", due.instrument)))
    for g in view.active_goals:
        if g.review_due is not None and today <= g.review_due <= end:
            out.append(DueItem(g.review_due, view.id, view.name, f"goal review: “{g.title}”", g.anchor))
        if g.target_date is not None and today <= g.target_date <= end and not g.reached:
            out.append(DueItem(g.target_date, view.id, view.name, f"target date: “{g.title}”", g.anchor))
    return sorted(out, key=lambda d: d.sort_key)


@dataclass
class PracticeView:
    name: str
    today: date
    clients: list[ClientView]
    alerts: list[Alert]
    clinicians: dict[str, str]
    repo: Any = None  # model.RepoState, or None when the audit trail is unavailable
    as_of: str | None = None
    alert_groups: list[AlertGroup] = field(default_factory=list)
    critical_rule: str = ""  # said under the alerts: why a critical item is (still) listed
    due: list[Any] = field(default_factory=list)  # DueItem (or its ready markup), by date, across the caseload
    # (share_log.StaleShare, client name): share files written elsewhere whose client's records changed since
    stale_shares: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.critical_rule = self.critical_rule or REVIEW_RULE


def last_contact(client: model.Client) -> date | None:
    attended = [s.date for s in client.sessions if s.kind not in NO_CONTACT_KINDS]
    return max(attended) if attended else None


def schedule_due(client: model.Client, practice: model.Practice) -> list[Due]:
    """When each scheduled questionnaire is next due: never given → due at the start date.

    A discharged client's course has ended, so nothing is due (an empty list); a paused client's
    questionnaires are listed as paused, with no date and never overdue."""
    if client.status == "discharged":
        return []
    paused = client.status == "paused"
    out = []
    for sched in sorted(client.questionnaires, key=lambda s: (s.instrument, s.respondent)):
        given = [a.date for a in client.administrations(sched.instrument, sched.respondent)]
        last = max(given) if given else None
        due = (last + timedelta(weeks=sched.every_weeks)) if last else client.start_date
        inst = practice.instruments.get(sched.instrument)
        name = (inst.short_name or inst.name) if inst else sched.instrument
        if sched.respondent:
            person = client.respondent(sched.respondent)
            name += f", {person.label if person else sched.respondent}"
        if paused:
            out.append(Due(sched.instrument, name, sched.every_weeks, last, None, False, paused=True,
                           respondent=sched.respondent))
        else:
            out.append(Due(sched.instrument, name, sched.every_weeks, last, due, due < practice.today,
                           respondent=sched.respondent))
    return out


def measure_labels(client: model.Client) -> dict[str, str]:
    """Each goal's name beside its measurements: the measure's own label ("Anxiety before presenting")
    reads shorter than the goal's title. The first goal of an id wins, as in ``Client.goal``."""
    labels: dict[str, str] = {}
    for goal in client.goals:
        if goal.id not in labels:
            labels[goal.id] = goal.measure.label if goal.measure and goal.measure.label else goal.title
    return labels


def _session_view(session: model.Session, client: model.Client, practice: model.Practice,
                  scores: dict[tuple[str, str, str], tuple[str, str]], audience: Audience,
                  steps: dict[str, model.ActionStep], labels: dict[str, str], texts: dict[float, str]
                  ) -> SessionView:
    """``steps`` and ``labels``: the client's ``steps()`` and ``measure_labels``, worked out once per client;
    ``texts``: each measured value's text (``_num``) as made so far for the client's sessions."""
    measurements = []
    for goal_id, value in sorted(session.measurements.items()):
        text = texts.get(value)
        if text is None:
            text = texts[value] = _num(value)
        measurements.append((labels.get(goal_id, goal_id), text))
    homework = [(steps[s].action if s in steps else s, n) for s, n in sorted(session.homework.items())]
    stem = session.file.rsplit("/", 1)[-1].split(".")[0]
    questionnaires = []
    for adm in session.administrations:
        if adm.respondent and audience == "client":
            continue  # the share page holds the client's own answers only (``instrument_views``)
        inst = practice.instruments.get(adm.instrument)
        name = (inst.short_name or inst.name) if inst else adm.instrument
        if adm.respondent:
            person = client.respondent(adm.respondent)
            name += f", {person.label if person else adm.respondent}"
        text, row_anchor = scores.get((adm.instrument, adm.respondent, session.file), ("", ""))
        questionnaires.append((name, text, row_anchor or anchor("adm", adm.instrument, stem)))
    # Name the clinician only when someone other than the client's own clinician saw them.
    other = session.clinician and session.clinician != client.clinician
    clinician = practice.clinicians.get(session.clinician) if other else None
    return SessionView(
        anchor=anchor("session", stem),
        date=session.date,
        time=session.time,
        kind=session.kind,
        kind_label=KIND_LABELS.get(session.kind, session.kind),
        clinician=(clinician.name if clinician else session.clinician) if other else "",
        attended=session.kind not in NO_CONTACT_KINDS,
        notes=session.notes,
        private_notes=session.private_notes if audience == "clinician" else "",
        questionnaires=questionnaires,
        measurements=measurements,
        homework=homework,
    )


def subscales_lead(iv: InstrumentView) -> bool:
    """Lead with the subscales when the total is not to be read on its own (DASS-21: its authors say so)."""
    return bool(iv.subscales) and bool(iv.total_note)


def score_text(iv: InstrumentView, row: ScoreRow) -> str:
    """One administration in a line: the total, or the subscale scores where those lead."""
    if subscales_lead(iv):
        known = [f"{c.name} {c.total_text}" for c in row.subscales if c.total is not None]
        if known:
            return ", ".join(known)
    return row.total_text


def client_view(practice: model.Practice, client: model.Client, *, audience: Audience = "clinician",
                history: list[Any] | None = None, dirty: Sequence[str] = (), scores: Scores | None = None
                ) -> ClientView:
    """The client's page. ``scores``: the client's ``score_views.client_scores`` when the caller has them."""
    clinician = practice.clinicians.get(client.clinician)
    care = episodes_of(client)  # the client's episodes of care, read by the questionnaires, goals and NHS outcome
    instruments = instrument_views(client, practice, audience=audience, scores=scores, care=care)
    # Each administration's line in the session timeline, and its row's anchor (the same id, made once).
    lines = {(row.instrument, iv.respondent, row.session_file): (score_text(iv, row), row.anchor)
             for iv in instruments for row in iv.rows}
    goals = goal_views(client, practice, instruments, care)
    view = ClientView(
        audience=audience,
        id=client.id,
        name=client.name,
        pronouns=client.pronouns,
        status=client.status,
        status_label=STATUS_LABELS.get(client.status, client.status),
        clinician=clinician.name if clinician else client.clinician,
        start_date=client.start_date,
        end_date=client.end_date,
        last_contact=last_contact(client),
        contacts=sum(s.kind not in NO_CONTACT_KINDS for s in client.sessions),
        hopes=list(client.hopes),
        focus_areas=sorted(client.focus_areas, key=lambda f: (f.priority, f.name)),
        notes=client.notes,
        private_notes=client.private_notes if audience == "clinician" else "",
        goals=goals,
        instruments=instruments,
        schedule=schedule_due(client, practice),
        nhs=nhs_view(instruments, client, care),
        gas=gas_view(goals),
        sessions=_session_views(client, practice, lines, audience),
        instrument_about={iv.id: (getattr(practice.instruments[iv.id], "measures", ""),
                                  getattr(practice.instruments[iv.id], "time_frame", ""))
                          for iv in instruments if iv.id in practice.instruments},
    )
    if audience == "client":
        _keep_for_client(view, client, practice.share)
    if audience == "clinician":
        view.alerts = client_alerts(view, client, practice)
        view.past_flags = past_flags(view.instruments, client.alert_reviews)
        view.reviewed = reviewed_flags(view.instruments, client.alert_reviews, practice.clinicians)
        view.history = history
        view.dirty = sorted(dirty)
        view.events = list(client.events)
        view.due_week = due_this_week(view, practice.today)
    return view


def for_client_text(written_for_client: str, clinician_notes: str, settings: model.ShareSettings) -> str:
    """What a share page says of a client, goal or session: the words written to the client, and
    the clinician's own notes only when the practice chose to share them."""
    parts = [written_for_client.strip()]
    if settings.clinician_notes:
        parts.append(clinician_notes.strip())
    return "\n\n".join(p for p in parts if p)


def _keep_for_client(view: ClientView, client: model.Client, settings: model.ShareSettings) -> None:
    """Reduce a share view to what is meant for the client (privacy by default, ``model.ShareSettings``)."""
    view.notes = for_client_text(client.for_client, client.notes, settings)
    by_file = {s.file: s for s in client.sessions}
    stems = {anchor("session", s.file.rsplit("/", 1)[-1].split(".")[0]): s for s in by_file.values()}
    sessions = []
    for sv in view.sessions:
        if sv.kind in MISSED_KINDS and not settings.missed_contacts:
            continue
        source = stems.get(sv.anchor)
        notes = for_client_text(source.for_client, source.notes, settings) if source else ""
        sessions.append(replace(sv, notes=notes, private_notes=""))
    view.sessions = sessions
    # ``goal_views`` keeps the file's order: each view beside the goal it was made from.
    shown = [(g, source) for g, source in zip(view.goals, client.goals, strict=True)
             if settings.past_goals or g.status not in PAST_GOALS]
    kept = {g.anchor for g, _ in shown}
    rank = {status: k for k, status in enumerate(SHARE_GOAL_ORDER)}
    goals = []
    for g, source in sorted(shown, key=lambda pair: rank.get(pair[0].status, len(rank))):  # stable within a status
        goals.append(replace(
            g, notes=for_client_text(source.for_client, source.notes, settings),
            # "Why it matters" is the clinician's sentence about the client ("his hope of …").
            relevant=g.relevant if settings.clinician_notes else "",
            # Never point at a goal the page leaves out.
            revises=g.revises if g.revises and g.revises[0] in kept else None,
            revised_into=[(a, t) for a, t in g.revised_into if a in kept],
        ))
    view.goals = goals


def _session_views(client: model.Client, practice: model.Practice,
                   scores: dict[tuple[str, str, str], tuple[str, str]], audience: Audience) -> list[SessionView]:
    """Every session, newest first. A goal is measured on a few values again and again, so each value's
    text is made once."""
    steps, labels = client.steps(), measure_labels(client)
    texts: dict[float, str] = {}
    return [_session_view(s, client, practice, scores, audience, steps, labels, texts)
            for s in reversed(client.sessions) if audience == "clinician" or not _others_only(s)]


def _others_only(session: model.Session) -> bool:
    """A self-report holding only someone else's answers: nothing of it belongs on the share page."""
    return (session.kind == "self-report" and bool(session.administrations)
            and all(a.respondent for a in session.administrations))


def client_alerts(view: ClientView, client: model.Client, practice: model.Practice) -> list[Alert]:
    """Everything on this client that needs the clinician's attention, most urgent first.

    An endorsed critical item alerts whatever the client's status and whatever kind of contact it was
    recorded at (a discharge, a cancelled one): risk is never left in a table cell. A discharged
    client's course has ended, so nothing else alerts."""
    today = practice.today
    out: list[Alert] = []

    def add(kind: str, when: date | None, why: str, where: str, weight: int = 0) -> None:
        out.append(Alert(kind, client.id, client.name, when, why, where, weight))

    for iv in view.instruments:
        # every respondent's endorsement alerts: a partner's item 9 is risk the clinician must see too
        row, review = critical_review(iv, client.alert_reviews)
        if row is not None and review is None:
            k = iv.rows.index(row)
            earlier = _endorsed_before(iv.rows, k)
            said = [f"Also endorsed on {_and([_d(r.date) for r in earlier])}."] if earlier else []
            why = f"{iv.label} on {_d(row.date)}: " + _flag_text(row, said + _followup_sentences(iv.rows, k))
            add("critical-item", row.date, why, row.anchor, -row.date.toordinal())
    if client.status == "discharged":
        return sort_alerts(out)
    for iv in view.instruments:
        if iv.primary and len(iv.rows) >= 2 and iv.rows[-1].reliable == "deterioration":
            row = iv.rows[-1]
            first = iv.first_of(row)  # the first score of the latest row's episode of care
            add("deterioration", row.date, f"{iv.label} {first.total_text} → {row.total_text} "
                f"since {_d(first.date)}: {row.change_explain}", row.anchor, -row.date.toordinal())
    if client.status == "active":  # a paused or discharged client has nothing due (``schedule_due``)
        for due in view.schedule:
            if due.overdue and due.due is not None:
                since = f"last given {_d(due.last)}" if due.last else "not given yet"
                add("questionnaire-overdue", due.due, f"{due.name} is due every {_weeks(due.every_weeks)}; "
                    f"{since}, due {_d(due.due)} ({(today - due.due).days} days ago)",
                    due.anchor, due.due.toordinal())
    for g in view.goals:
        if g.status != "active":
            continue
        if g.review_due is not None and g.review_due < today:
            how = "review date" if g.review_date else f"no review date; every {_weeks(practice.alerts.review_every_weeks)} by default"
            add("review-overdue", g.review_due, f"“{g.title}”: {how}, due {_d(g.review_due)} "
                f"({(today - g.review_due).days} days ago)", g.anchor, g.review_due.toordinal())
        if g.target_date is not None and g.target_date < today and not g.reached:
            add("target-passed", g.target_date, f"“{g.title}”: target date {_d(g.target_date)} passed "
                f"and the target ({g.target_text}) is not reached yet", g.anchor, g.target_date.toordinal())
    if client.status == "active":
        seen = view.last_contact or client.start_date
        days = (today - seen).days
        if days > practice.alerts.no_contact_days:
            what = f"last contact {_d(seen)}" if view.last_contact else f"no contact since the start on {_d(seen)}"
            add("no-contact", seen, f"{what}, {days} days ago (alert after {practice.alerts.no_contact_days})",
                "sessions", seen.toordinal())
    return sort_alerts(out)


# --- Critical items: what followed an endorsement --------------------------------------------------


@dataclass(frozen=True)
class FlagFollowup:
    """What the next administrations said about the items flagged at one administration."""

    outcome: Literal["below", "again", "unknown"]  # answered below the flag / endorsed again / not known
    row: ScoreRow | None  # the administration that answered it (below or again)
    unasked: tuple[ScoreRow, ...] = ()  # later entries in between that could not tell (total only, item left empty)


def flag_followup(rows: Sequence[ScoreRow], k: int) -> FlagFollowup:
    """Follow the items flagged at ``rows[k]`` through the later administrations (clinician view rows).

    A total-only entry, or one with the item left empty, says nothing about the item: it is passed over,
    never counted as "below the flag": the item was not asked."""
    items = {c.number for c in rows[k].items if c.flagged}
    unasked: list[ScoreRow] = []
    for later in rows[k + 1:]:
        answers = {c.number: c for c in later.items if c.number in items}
        if any(c.flagged for c in answers.values()):
            return FlagFollowup("again", later, tuple(unasked))
        if items and len(answers) == len(items) and all(c.answer != "—" for c in answers.values()):
            return FlagFollowup("below", later, tuple(unasked))
        unasked.append(later)
    return FlagFollowup("unknown", None, tuple(unasked))


def _endorsed_before(rows: Sequence[ScoreRow], k: int) -> list[ScoreRow]:
    """Earlier administrations whose endorsement ran on, unbroken, into ``rows[k]`` (oldest first)."""
    chain, head = [], rows[k]
    for j in range(k - 1, -1, -1):
        if rows[j].flags:
            follow = flag_followup(rows, j)
            if follow.outcome != "again" or follow.row is not head:
                break
            chain.append(rows[j])
            head = rows[j]
    return chain[::-1]


def _followup_sentences(rows: Sequence[ScoreRow], k: int) -> list[str]:
    follow = flag_followup(rows, k)
    out = []
    if follow.outcome == "below" and follow.row is not None:
        out.append(f"Answered below the flag on {_d(follow.row.date)}.")
    elif follow.outcome == "again" and follow.row is not None:
        out.append(f"Endorsed again on {_d(follow.row.date)}.")
    if follow.unasked and follow.outcome != "again":
        # Why an old endorsement still shows although newer scores exist.
        how = "recorded as a total only" if all(r.only_total for r in follow.unasked) else "without an answer to it"
        out.append(f"Not asked {'since' if follow.outcome == 'unknown' else 'in between'}: "
                   f"{_and([_d(r.date) for r in follow.unasked])} {how}.")
    return out


def _flag_text(row: ScoreRow, sentences: Sequence[str]) -> str:
    """The flags as given, then what followed, as sentences (the flag reasons end with a full stop)."""
    text = "; ".join(row.flags)
    if not sentences:
        return text
    return text + ("" if text.endswith(".") else ".") + " " + " ".join(sentences)


def critical_review(iv: InstrumentView, reviews: Sequence[model.AlertReview]
                    ) -> tuple[ScoreRow | None, model.AlertReview | None]:
    """The latest endorsement of a critical item on ``iv`` and the review that covers it (rule:
    ``REVIEW_RULE``): the first review dated on or after it, for this questionnaire or for all.
    (None, None): never endorsed; (row, None): an open alert."""
    flagged = [r for r in iv.rows if r.flags]
    if not flagged:
        return None, None
    row = flagged[-1]
    review = next((r for r in sorted(reviews, key=lambda r: r.date)
                   if r.date >= row.date and r.instrument in ("", iv.id)), None)
    return row, review


def reviewed_flags(instruments: Sequence[InstrumentView], reviews: Sequence[model.AlertReview],
                   clinicians: dict[str, model.Clinician]) -> list[tuple[str, str, str]]:
    """Critical-item alerts the clinician has reviewed: (short name, "reviewed on … by …: …", anchor)."""
    out = []
    for iv in instruments:
        row, review = critical_review(iv, reviews)
        if row is None or review is None:
            continue
        who = clinicians[review.by].name if review.by in clinicians else review.by
        text = f"{_d(row.date)}: {'; '.join(row.flags).rstrip('.')}. Reviewed on {_d(review.date)} by {who}: {review.note}"
        out.append((iv.label, text, row.anchor))
    return out


def past_flags(instruments: Sequence[InstrumentView], reviews: Sequence[model.AlertReview] = ()
               ) -> list[tuple[str, str, str]]:
    """Critical items endorsed earlier that are not (or no longer) an alert: (short name, text, anchor).

    The latest endorsement (an alert, or listed as reviewed), and the earlier ones its ``also
    endorsed on`` names, are left out."""
    out = []
    for iv in instruments:
        alert = critical_review(iv, reviews)[0]  # as ``client_alerts``
        covered: set[int] = set()
        if alert is not None:
            k = iv.rows.index(alert)
            covered = {id(alert)} | {id(r) for r in _endorsed_before(iv.rows, k)}
        for k, r in enumerate(iv.rows):
            if r.flags and id(r) not in covered:
                out.append((iv.label, f"{_d(r.date)}: " + _flag_text(r, _followup_sentences(iv.rows, k)),
                            r.anchor))
    return out


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _alert_key(a: Alert) -> tuple:
    return (a.rank, a.weight, a.client_name, a.client_id, a.anchor)


def sort_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    return sorted(alerts, key=_alert_key)


def group_alerts(clients: Sequence[ClientView]) -> list[AlertGroup]:
    """Alerts per client; the client whose most urgent alert is most urgent comes first. On a tie
    the next alert decides, and a further reason outranks none (hence the end marker)."""
    groups = [
        AlertGroup(c.id, c.name, c.clinician, c.last_contact, tuple(sort_alerts(c.alerts)))
        for c in clients if c.alerts
    ]
    return sorted(groups, key=alert_group_key)


def alert_group_key(group: AlertGroup) -> list[Any]:
    """Where a client's block of alerts stands on the caseload: by its alerts' urgency in turn (a
    further reason outranks none, hence the end marker), then name and id. Plain lists, so the page
    cache can keep the key as JSON and sort kept and new blocks exactly as a cold build does."""
    end = [len(ALERT_ORDER), 0]
    return [[[a.rank, a.weight] for a in group.alerts] + [end], group.client_name, group.client_id]


def practice_view(practice: model.Practice, clients: Sequence[ClientView], *, repo: Any = None,
                  as_of: str | None = None) -> PracticeView:
    return PracticeView(
        name=practice.name,
        today=practice.today,
        clients=list(clients),
        alerts=sort_alerts([a for c in clients for a in c.alerts]),
        clinicians={c.id: c.name for c in practice.clinicians.values()},
        repo=repo,
        as_of=as_of,
        alert_groups=group_alerts(clients),
        due=sorted((d for c in clients for d in c.due_week), key=lambda d: d.sort_key),
    )


def _d(d: date | None) -> str:
    """``16 Feb 2026``, as everywhere else in the book (alerts are read next to those dates)."""
    return book_date(d)


def _weeks(n: int) -> str:
    return "week" if n == 1 else f"{n} weeks"


def _num(x: float | None) -> str:
    return short_number(x)
