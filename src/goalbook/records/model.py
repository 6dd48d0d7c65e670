"""The practice as plain data classes, built from validated YAML (see docs/format.md).

Nothing here reads files or knows about YAML or JSON Schema: ``load.py`` builds these objects,
``check``, the statistics and the book read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

STANDARD_CATEGORIES: dict[str, str] = {
    "emotional-regulation": "Emotional regulation",
    "cognitive-restructuring": "Cognitive restructuring",
    "behavioral-change": "Behavioral change",
    "communication-skills": "Communication skills",
    "relationship-improvement": "Relationship improvement",
    "personal-growth": "Personal growth",
}

CLIENT_STATUSES = ("referred", "active", "paused", "discharged")
END_REASONS = ("planned", "dropped-out", "referred-on", "other")  # client.yaml `end_reason`
GOAL_STATUSES = ("proposed", "active", "achieved", "paused", "discontinued", "revised")
SESSION_KINDS = (
    "intake", "assessment", "session", "review", "check-in", "discharge", "did-not-attend", "cancelled",
)
# Session kinds that are not a contact: no appointment attended, "no contact" not reset. A
# self-report holds questionnaires answered without a contact (a form filled in at home).
NOT_A_CONTACT_KINDS = ("did-not-attend", "cancelled", "self-report")
PERIODS = ("day", "week", "month")
# Who else may answer a client's questionnaires (couples and family work), as client.yaml names them.
RESPONDENT_RELATIONS = ("partner", "parent", "teacher", "other")
# GAS level names in the YAML, in order −2 … +2.
GAS_LEVELS: dict[str, int] = {"much_less": -2, "less": -1, "expected": 0, "more": 1, "much_more": 2}

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
SESSION_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([a-z0-9][a-z0-9-]*))?\.ya?ml$")
RELATIVE_TARGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*(lower|higher)\s*$")

Direction = Literal["decrease", "increase"]


@dataclass(frozen=True)
class Clinician:
    id: str
    name: str
    role: str = ""


@dataclass(frozen=True)
class AlertSettings:
    no_contact_days: int = 28
    review_every_weeks: int = 6


@dataclass(frozen=True)
class ShareSettings:
    """What a client's share page may show besides what is written for the client (``for_client``).

    Everything is off by default: the share page is the client's, not a copy of the clinician's."""

    clinician_notes: bool = False  # the notes of the client, goals and sessions, as the clinician wrote them
    missed_contacts: bool = False  # did-not-attend and cancelled contacts in the timeline
    past_goals: bool = False  # revised and discontinued goals


@dataclass(frozen=True)
class LifeEvent:
    """Something in the client's life that may explain a change: drawn on every chart of the client."""

    date: date
    text: str


@dataclass(frozen=True)
class AlertReview:
    """The clinician's review of a critical-item alert, kept in the client's file (and so in git).

    It covers every endorsement on or before ``date`` (of ``instrument`` only, when given)."""

    date: date
    by: str
    note: str
    instrument: str = ""


@dataclass(frozen=True)
class FocusArea:
    id: str
    name: str
    priority: int = 1


@dataclass(frozen=True)
class Respondent:
    """Someone other than the client who answers some of their questionnaires (client.yaml `respondents`)."""

    id: str
    name: str
    relation: str  # one of RESPONDENT_RELATIONS

    @property
    def label(self) -> str:
        """``Sam (partner)``: the name with the relation, so a reader never has to guess who answered."""
        return f"{self.name} ({self.relation})"


@dataclass(frozen=True)
class Schedule:
    """Give ``instrument`` every ``every_weeks`` weeks, to the client or (``respondent``) to someone else."""

    instrument: str
    every_weeks: int
    respondent: str = ""  # a Respondent id; "" = the client


@dataclass(frozen=True)
class Measure:
    type: Literal["questionnaire", "rating", "count", "gas"]
    instrument: str | None = None  # questionnaire
    subscale: str | None = None  # questionnaire, optional
    label: str = ""  # rating, count
    min: float = 0  # rating
    max: float = 10  # rating
    per: str | None = None  # count: day | week | month
    levels: dict[int, str] = field(default_factory=dict)  # gas: −2 … +2 → description
    weight: float = 1.0  # gas


@dataclass(frozen=True)
class Target:
    """As written: an absolute ``value``, or ``percent`` lower/higher than the baseline."""

    text: str
    value: float | None = None
    percent: float | None = None
    relative: Literal["lower", "higher"] | None = None

    def resolve(self, baseline: float | None) -> float | None:
        """The target as a number on the measure's scale, or None when it cannot be known."""
        if self.value is not None:
            return self.value
        if baseline is None or self.percent is None:
            return None
        factor = self.percent / 100
        return baseline * (1 - factor) if self.relative == "lower" else baseline * (1 + factor)

    @classmethod
    def parse(cls, raw: Any) -> Target | None:
        if raw is None:
            return None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return cls(text=str(raw), value=float(raw))
        m = RELATIVE_TARGET.match(str(raw))
        if not m:
            return None
        return cls(text=str(raw), percent=float(m.group(1)), relative=m.group(2))  # type: ignore[arg-type]


@dataclass(frozen=True)
class ActionStep:
    id: str
    action: str
    times: int
    per: str  # day | week | month
    goal_id: str
    minutes: int | None = None  # how long each time ("30 minutes, 5 times a week")
    start: date | None = None  # `from:`: the day the step starts, when after its goal was set


@dataclass(frozen=True)
class Goal:
    id: str
    title: str
    status: str
    set_date: date
    own_words: str = ""
    category: str = ""
    focus_area: str = ""
    target_date: date | None = None
    review_date: date | None = None
    achievable: str = ""
    relevant: str = ""
    measure: Measure | None = None
    baseline: float | None = None
    target: Target | None = None
    direction: Direction | None = None  # as written; see analysis for the effective direction
    steps: tuple[ActionStep, ...] = ()
    revises: str | None = None
    notes: str = ""
    for_client: str = ""  # written to the client: the only goal note on the share page by default
    line: int = 0  # where the goal starts in goals.yaml, for links and messages


@dataclass(frozen=True)
class Administration:
    """One questionnaire given in one session: item answers (None = missing) or only a total."""

    instrument: str
    date: date
    answers: tuple[int | None, ...] | None = None
    total: float | None = None
    session_file: str = ""
    # Written as {raw: N}: the raw sum before the instrument's multiplier (WHO-5 raw 0–25, reported as
    # raw × 4). Only the instrument knows the multiplier, so the reported total is worked out from it.
    raw_total: float | None = None
    # Where the answers came from, when written by import/enter: a form id and when it was answered,
    # or how they were typed in (paper, by-hand). Empty: typed into the YAML as before.
    form: str = ""
    answered_at: str = ""
    entered: str = ""
    respondent: str = ""  # who answered: a Respondent id of the client; "" = the client themself
    in_mapping: bool = False  # written as {answers: [...], ...}: the items are under `answers`


@dataclass(frozen=True)
class Session:
    date: date
    kind: str
    file: str  # path relative to the practice, e.g. clients/ana-r/sessions/2025-10-13.yaml
    time: str = ""
    clinician: str = ""
    administrations: tuple[Administration, ...] = ()
    measurements: dict[str, float] = field(default_factory=dict)
    homework: dict[str, int] = field(default_factory=dict)
    # Minutes reported with the times ({times: 4, minutes: 110}), for steps that have minutes.
    homework_minutes: dict[str, float] = field(default_factory=dict)
    notes: str = ""
    private_notes: str = ""
    for_client: str = ""  # written to the client: the only session note on the share page by default

    @property
    def sort_key(self) -> tuple[date, str, str]:
        return (self.date, self.time, self.file)


@dataclass
class Client:
    id: str
    name: str
    clinician: str
    start_date: date
    status: str
    folder: str  # clients/<id>
    end_date: date | None = None
    end_reason: str = ""  # why the course ended (END_REASONS), "" when not recorded
    pronouns: str = ""
    hopes: tuple[str, ...] = ()
    focus_areas: tuple[FocusArea, ...] = ()
    questionnaires: tuple[Schedule, ...] = ()
    respondents: tuple[Respondent, ...] = ()
    notes: str = ""
    private_notes: str = ""
    for_client: str = ""  # written to the client, for the share page
    events: tuple[LifeEvent, ...] = ()  # sorted by date
    alert_reviews: tuple[AlertReview, ...] = ()  # in the file's order
    # `returned:` days a discharged client came back, each starting an episode of care (``clinical.episodes``)
    returned: tuple[date, ...] = ()
    goals: list[Goal] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)  # sorted by date, time, file name

    def goal(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)

    def steps(self) -> dict[str, ActionStep]:
        return {s.id: s for g in self.goals for s in g.steps}

    def administrations(self, instrument: str | None = None, respondent: str | None = None) -> list[Administration]:
        """Every administration in session order; only ``instrument``'s, only ``respondent``'s ("" = the
        client's own answers) when given."""
        return [
            a for s in self.sessions for a in s.administrations
            if (instrument is None or a.instrument == instrument) and (respondent is None or a.respondent == respondent)
        ]

    def respondent(self, respondent_id: str) -> Respondent | None:
        return next((r for r in self.respondents if r.id == respondent_id), None)


@dataclass
class Practice:
    root: Path
    name: str
    clinicians: dict[str, Clinician]
    today: date  # resolved: --today, the practice's `today:`, SOURCE_DATE_EPOCH, else the clock
    today_fixed: bool = False  # True when `today:` in goalbook.yaml (or --today) fixed it
    output: str = "_book"
    categories: dict[str, str] = field(default_factory=lambda: dict(STANDARD_CATEGORIES))
    alerts: AlertSettings = field(default_factory=AlertSettings)
    share: ShareSettings = field(default_factory=ShareSettings)
    clients: list[Client] = field(default_factory=list)  # sorted by id
    instruments: dict[str, Any] = field(default_factory=dict)  # id → instruments.Instrument
    # Shown on a client's form the moment a critical item is endorsed (the practice's own words:
    # whom to call, when). Empty: `goalbook form` refuses instruments with critical items.
    safety_message: str = ""

    def client(self, client_id: str) -> Client | None:
        return next((c for c in self.clients if c.id == client_id), None)


# --- The audit trail (git history), built by ``audit.py`` and shown by the book and `goalbook log`.


@dataclass(frozen=True)
class HistoryEntry:
    """One commit that touched a client's files, with what it changed said in words."""

    commit: str  # full hash
    date: str  # author date, ISO 8601 (YYYY-MM-DD HH:MM)
    author: str
    message: str  # the commit's subject line
    changes: tuple[str, ...] = ()  # e.g. "goal 'presentations': target 9 → 7", "session 2025-11-03 added"

    @property
    def short(self) -> str:
        return self.commit[:7]


@dataclass(frozen=True)
class RepoState:
    """What the book was built from: the commit, and files with uncommitted changes."""

    is_repo: bool
    commit: str | None = None  # full hash of HEAD; None in a repository with no commits
    dirty: tuple[str, ...] = ()  # practice-relative paths with uncommitted changes (incl. untracked)


T = TypeVar("T")


def quick_constructor(cls: type[T]) -> Callable[..., T]:
    """A keyword-only constructor of the frozen data class ``cls`` for the loader's hot loops.

    It makes what ``cls(**values)`` makes — every field, in field order, defaults filled in — but
    fills the instance's dict at once: the generated ``__init__`` of a frozen class calls
    ``object.__setattr__`` once per field, which costs more than the rest of building a session.
    Like ``__init__`` it refuses a missing or unknown field. Only for plain data classes: no
    ``__post_init__`` (it would not be called), no slots, every field an argument of ``__init__``.
    """
    if (not hasattr(cls, "__dataclass_fields__") or hasattr(cls, "__post_init__") or "__slots__" in vars(cls)
            or not all(f.init for f in fields(cls))):
        raise TypeError(f"{cls.__name__} is not a plain data class")
    template: dict[str, Any] = {}
    required: set[str] = set()
    factories: list[tuple[str, Callable[[], Any]]] = []
    for f in fields(cls):
        template[f.name] = None if f.default is MISSING else f.default
        if f.default_factory is not MISSING:
            factories.append((f.name, f.default_factory))
        elif f.default is MISSING:
            required.add(f.name)
    size = len(template)
    new, set_dict = object.__new__, object.__setattr__

    def make(**values: Any) -> T:
        state = {**template, **values}  # in field order: a given field keeps its place
        if len(state) != size or not values.keys() >= required:  # an unknown field adds a key
            missing, unknown = sorted(required - values.keys()), sorted(values.keys() - template.keys())
            raise TypeError(f"{cls.__name__}: missing {missing}, unknown {unknown}")
        for name, factory in factories:
            if name not in values:
                state[name] = factory()
        made = new(cls)
        set_dict(made, "__dict__", state)
        return made

    return make
