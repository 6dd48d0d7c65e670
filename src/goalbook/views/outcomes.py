"""What the outcomes page shows: the practice's referrals, courses and outcomes over a period, overall
and per clinician, each figure with the rule that made it.

Per client the numbers come from the clinical modules (``nhs.paired_outcome``, ``change.classify``,
``scoring``, ``gas.t_score``); the practice-level statistics from ``outcome_stats``. This module only
decides which courses count in which figure, and words the figures for the page. No I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from goalbook.clinical import change, gas, nhs
from goalbook.clinical.episodes import episodes
from goalbook.clinical.outcome_stats import (
    EFFECT_RULE,
    SMALL_N,
    WILSON_RULE,
    Paired,
    Rate,
    mean,
    paired,
    rate,
)
from goalbook.number_text import fixed, percent, short_number
from goalbook.records import model
from goalbook.views.score_views import NOT_TREATMENT, Scores, adm_key, book_date, client_scores

# A course ends with one of these reasons (client.yaml `end_reason`); "planned" is a planned discharge.
END_REASONS: dict[str, str] = {  # the labels of model.END_REASONS
    "planned": "Planned discharge",
    "dropped-out": "Dropped out",
    "referred-on": "Referred on",
    "other": "Other reason",
}
NOT_ATTENDED = model.NOT_A_CONTACT_KINDS  # did-not-attend, cancelled, a self-report between contacts
MIN_TREATMENT_CONTACTS = 2  # NHS Talking Therapies: a finished course has at least two treatment contacts
TOO_FEW = "too few to report"
SUPPRESSION_RULE = (f"Small numbers are not reported: a count from 1 to {SMALL_N - 1}, and any rate, mean or "
                    f"effect size over fewer than {SMALL_N} courses, reads “{TOO_FEW}”, so that no client "
                    "can be recognised when the page is shown outside the practice.")
PERIOD_FORM = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*$")


# --- The period --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def text(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @classmethod
    def last_year(cls, today: date) -> Period:
        """The 12 months up to and including ``today``."""
        try:
            start = today.replace(year=today.year - 1)
        except ValueError:  # 29 February: a year earlier has no such day
            start = today.replace(year=today.year - 1, day=28)
        return cls(start + timedelta(days=1), today)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-01-01..2026-06-30``; raises ValueError with what is wrong and how to write it."""
        m = PERIOD_FORM.match(text)
        if not m:
            raise ValueError(f"'{text}' is not a period: write it as START..END, e.g. 2026-01-01..2026-06-30")
        try:
            start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
        except ValueError as exc:
            raise ValueError(f"'{text}' has a date that does not exist ({exc}): check the month and day") from None
        if end < start:
            raise ValueError(f"'{text}' ends before it starts: put the earlier date first")
        return cls(start, end)


# --- One client's course -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NhsFlags:
    """One client's NHS Talking Therapies paired outcome (from ``nhs.paired_outcome``), as counted."""

    caseness: bool
    recovery: bool
    reliable_improvement: bool
    reliable_recovery: bool
    reliable_deterioration: bool
    mixed: bool

    @classmethod
    def of(cls, outcome: nhs.NhsOutcome) -> NhsFlags:
        return cls(*(bool(getattr(outcome, name)) for name in NHS_FLAGS))


NHS_FLAGS = ("caseness", "recovery", "reliable_improvement", "reliable_recovery", "reliable_deterioration", "mixed")


@dataclass(frozen=True)
class Course:
    """What the outcomes page needs of one client, whatever the period."""

    client: str
    clinician: str
    referred: date  # client.yaml start_date: the first contact, taken as the referral
    first_treatment: date | None  # the first attended treatment contact
    ended: date | None  # end_date of a discharged client
    end_reason: str  # one of END_REASONS, or "" when not recorded
    attended: int  # attended contacts of any kind
    treatment: int  # attended treatment contacts (not intake or assessment)
    contact_dates: tuple[date, ...]  # attended contacts
    totals: dict[str, tuple[float, float]]  # instrument → first and last total (given at least twice)
    nhs: NhsFlags | None  # PHQ-9 and GAD-7 each given at least twice
    gas_t: float | None  # Kiresuk–Sherman T over the client's current GAS goals
    goal_statuses: tuple[str, ...]

    @property
    def finished(self) -> bool:
        return self.ended is not None and self.treatment >= MIN_TREATMENT_CONTACTS

    def to_json(self) -> list[Any]:
        day = _iso
        return [self.client, self.clinician, day(self.referred), day(self.first_treatment), day(self.ended),
                self.end_reason, self.attended, self.treatment, [d.isoformat() for d in self.contact_dates],
                {k: list(v) for k, v in self.totals.items()},
                None if self.nhs is None else [getattr(self.nhs, f) for f in NHS_FLAGS], self.gas_t,
                list(self.goal_statuses)]

    @classmethod
    def from_json(cls, raw: list[Any]) -> Course:
        (client, clinician, referred, first, ended, reason, attended, treatment, contacts, totals, flags, gas_t,
         statuses) = raw
        return cls(str(client), str(clinician), date.fromisoformat(referred), _day(first), _day(ended), str(reason),
                   int(attended), int(treatment), tuple(date.fromisoformat(d) for d in contacts),
                   {str(k): (float(v[0]), float(v[1])) for k, v in totals.items()},
                   None if flags is None else NhsFlags(*map(bool, flags)),
                   None if gas_t is None else float(gas_t), tuple(map(str, statuses)))


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _gas_t(client: model.Client) -> float | None:
    """The client's GAS T-score as the client's book shows it: current goals (not proposed, revised or
    discontinued), each at its latest measured level or else its baseline."""
    levels, weights = [], []
    for g in client.goals:
        if g.measure is None or g.measure.type != "gas" or g.status in ("revised", "discontinued", "proposed"):
            continue
        measured = [s.measurements[g.id] for s in client.sessions if g.id in s.measurements]
        level = measured[-1] if measured else g.baseline
        if level is None:
            return None
        levels.append(int(level))
        weights.append(g.measure.weight or 1.0)
    if not levels:
        return None
    try:
        return gas.t_score(levels, weights).t_score
    except ValueError:
        return None


def client_courses(client: model.Client, practice: model.Practice, scores: Scores | None = None) -> list[Course]:
    """One course per episode of care (``clinical.episodes``): a client discharged who comes back with an
    intake is a new referral. An earlier episode ended at its discharge contact (its ending reason is
    not recorded: client.yaml holds the latest one); the latest ends at ``end_date`` when discharged.
    Goals and the GAS T-score are the client's as they stand now, counted with the latest course only.
    ``scores``: the client's ``client_scores`` when the caller has them (the client's page read them too)."""
    if scores is None:
        scores = client_scores(client, practice)
    spans = episodes(client)
    out = []
    for k, ep in enumerate(spans):
        latest = k == len(spans) - 1
        sessions = [s for s in client.sessions if ep.start <= s.date and (ep.end is None or s.date <= ep.end)]
        if latest:
            ended = client.end_date if client.status == "discharged" else None
            reason = client.end_reason
        else:
            ended, reason = spans[k + 1].discharged, ""
        out.append(_course(client, sessions, scores, referred=client.start_date if k == 0 else ep.start,
                           ended=ended, end_reason=reason, with_goals=latest))
    return out


def _course(client: model.Client, sessions: list[model.Session], scores: Scores, *, referred: date,
            ended: date | None, end_reason: str, with_goals: bool) -> Course:
    attended = [s for s in sessions if s.kind not in NOT_ATTENDED]
    treatment = [s for s in attended if s.kind not in NOT_TREATMENT]
    totals: dict[str, tuple[float, float]] = {}
    by_instrument: dict[str, list[float]] = {}
    own = [a for s in sessions for a in s.administrations if not a.respondent]  # the client's own answers
    for adm in sorted(own, key=lambda a: (a.date, a.session_file)):
        score = scores.get(adm_key(adm))  # None: an unknown questionnaire, or one that cannot be scored
        if score is not None:
            by_instrument.setdefault(adm.instrument, []).append(float(score.total))
    for inst_id, values in by_instrument.items():
        if len(values) >= 2:
            totals[inst_id] = (values[0], values[-1])
    outcome = None
    if "phq9" in totals and "gad7" in totals:
        (p1, p2), (g1, g2) = totals["phq9"], totals["gad7"]
        outcome = NhsFlags.of(nhs.paired_outcome(p1, p2, g1, g2))
    return Course(
        client=client.id, clinician=client.clinician, referred=referred,
        first_treatment=treatment[0].date if treatment else None, ended=ended, end_reason=end_reason or "",
        attended=len(attended), treatment=len(treatment), contact_dates=tuple(s.date for s in attended),
        totals=totals, nhs=outcome, gas_t=_gas_t(client) if with_goals else None,
        goal_statuses=tuple(g.status for g in client.goals) if with_goals else (),
    )


# --- The page's figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    suppressed: bool = False


@dataclass
class Row:
    label: str
    rule: str
    cells: list[Cell]


@dataclass
class Section:
    id: str
    title: str
    lede: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Group:
    """All clinicians, or one: the courses whose figures fill one column."""

    label: str
    courses: list[Course]


@dataclass
class OutcomesView:
    practice: str
    period: Period
    today: date
    groups: list[str]  # column headings: "All clinicians", then each clinician
    sections: list[Section]
    suppression_rule: str = SUPPRESSION_RULE
    rate_rule: str = WILSON_RULE
    effect_rule: str = EFFECT_RULE

    @property
    def period_text(self) -> str:
        return f"{book_date(self.period.start)} to {book_date(self.period.end)}"


def count_cell(n: int) -> Cell:
    return Cell(TOO_FEW, True) if 0 < n < SMALL_N else Cell(str(n))


def minus(x: float) -> str:
    """An effect size to two decimals with a true minus sign: −0.33."""
    return fixed(x, 2).replace("-", "−")  # half up, the book's one rounding rule


def pct(x: float) -> str:
    # Half up, and never 100 % unless every one counted (the book's one rule); a no-break space: "29 %"
    # never splits across lines.
    return percent(100 * x).replace("%", "\u00a0%")


def rate_cell(r: Rate) -> Cell:
    if r.n == 0:
        return Cell("none to report")
    if r.suppressed:
        return Cell(TOO_FEW, True)
    return Cell(f"{r.k}\u00a0/\u00a0{r.n} · {pct(r.p)} ({pct(r.low)}–{pct(r.high)})")  # type: ignore[arg-type]


def mean_cell(values: Sequence[float], unit: str = "") -> Cell:
    if not values:
        return Cell("none to report")
    if len(values) < SMALL_N:
        return Cell(TOO_FEW, True)
    return Cell(f"{short_number(mean(values))}{unit} (n = {len(values)})")


def effect_cell(p: Paired) -> Cell:
    if p.n == 0:
        return Cell("none to report")
    if p.suppressed:
        return Cell(TOO_FEW, True)
    if p.d_z is None:
        return Cell(f"not defined: every change was the same (n = {p.n})")
    return Cell(f"d_z {minus(p.d_z)} ({minus(p.low)} to {minus(p.high)}), n = {p.n}")  # type: ignore[arg-type]


def _row(label: str, rule: str, groups: list[Group], cell: Callable[[list[Course]], Cell]) -> Row:
    return Row(label, rule, [cell(g.courses) for g in groups])


def _flow(groups: list[Group], period: Period) -> Section:
    def ended(cs: list[Course]) -> list[Course]:
        return [c for c in cs if c.ended in period]

    s = Section("flow", "Referrals and courses",
                "Who came, who started treatment and how their courses ended in the period.")
    s.rows.append(_row("Referrals", "clients whose start date (the first contact, taken as the referral) is in "
                       "the period; a client who comes back after a discharge with a new intake is a new referral",
                       groups, lambda cs: count_cell(sum(c.referred in period for c in cs))))
    s.rows.append(_row("Entered treatment", "clients whose first attended treatment contact (not intake or "
                       "assessment) is in the period", groups,
                       lambda cs: count_cell(sum(c.first_treatment in period for c in cs))))
    s.rows.append(_row("Courses ended", "courses ended in the period: a discharged client's end date, or the "
                       "discharge contact of a course the client later came back from", groups,
                       lambda cs: count_cell(len(ended(cs)))))
    s.rows.append(_row("Finished courses", f"courses ended in the period with at least {MIN_TREATMENT_CONTACTS} "
                       "attended treatment contacts (the NHS Talking Therapies rule)", groups,
                       lambda cs: count_cell(sum(c.finished for c in ended(cs)))))
    s.rows.append(_row("Ended without a planned discharge", "of the courses ended in the period whose ending "
                       "reason is recorded, those not ended by a planned discharge (dropped out, referred on or "
                       "another reason)", groups,
                       lambda cs: rate_cell(rate(sum(c.end_reason != "planned" for c in ended(cs) if c.end_reason),
                                                 sum(bool(c.end_reason) for c in ended(cs))))))
    for reason, label in [*END_REASONS.items(), ("", "Reason not recorded")]:
        s.rows.append(_row(f"Ended: {label.lower()}", f"courses ended in the period with end_reason: {reason} in client.yaml"
                           if reason else "courses ended in the period without an end_reason in client.yaml",
                           groups, lambda cs, r=reason: count_cell(sum(c.end_reason == r for c in ended(cs)))))
    return s


def _finished(cs: list[Course], period: Period) -> list[Course]:
    return [c for c in cs if c.finished and c.ended in period]


def _nhs_rates(r: nhs.NhsRules) -> tuple[tuple[str, str, str], ...]:
    """Each NHS rate's name, label and rule, worded from the rules ``nhs.paired_outcome`` applies."""
    fall = f"a fall of at least {r.phq9_reliable} points on PHQ-9 or {r.gad7_reliable} on GAD-7"
    rise = f"a rise of at least {r.phq9_reliable} points on PHQ-9 or {r.gad7_reliable} on GAD-7"
    return (
        ("recovery", "Recovery",
         f"below caseness on both at the last score (PHQ-9 < {r.phq9_caseness} and GAD-7 < {r.gad7_caseness})"),
        ("reliable_improvement", "Reliable improvement",
         fall + (", and no reliable rise on the other" if r.improvement_requires_no_deterioration else "")),
        ("reliable_recovery", "Reliable recovery", "both recovery and reliable improvement"),
        ("reliable_deterioration", "Reliable deterioration",
         rise + (", and no reliable fall on the other" if r.deterioration_requires_no_improvement else "")),
    )


def _nhs(groups: list[Group], period: Period) -> Section:
    r = nhs.NhsRules()
    scope = (f"finished courses in the period with a first and last PHQ-9 and GAD-7 that were at caseness at the "
             f"first score (PHQ-9 ≥ {r.phq9_caseness} or GAD-7 ≥ {r.gad7_caseness})")

    def at_caseness(cs: list[Course]) -> list[NhsFlags]:
        return [c.nhs for c in _finished(cs, period) if c.nhs is not None and c.nhs.caseness]

    s = Section("nhs", "NHS Talking Therapies paired outcomes",
                f"Among {scope}, each as k / n, the percentage and its {WILSON_RULE}.")
    s.rows.append(_row("Finished courses at caseness", scope, groups, lambda cs: count_cell(len(at_caseness(cs)))))
    for name, label, rule in _nhs_rates(r):
        s.rows.append(_row(label, f"{rule}; judged per client as on the client's page ({nhs.SOURCE})", groups,
                           lambda cs, n=name: rate_cell(rate(sum(bool(getattr(o, n)) for o in at_caseness(cs)),
                                                             len(at_caseness(cs))))))
    s.rows.append(_row("Mixed", "reliable improvement on one measure and reliable deterioration on the other: "
                       "counted as the rules above say, and shown on its own so it is never hidden", groups,
                       lambda cs: count_cell(sum(bool(o.mixed) for o in at_caseness(cs)))))
    return s


def _completeness(groups: list[Group], period: Period) -> Section:
    s = Section("completeness", "Data completeness",
                "Missing outcomes bias every other figure: a course without a last score is often one that "
                "went less well. NHS Talking Therapies reports this share for that reason.")
    s.rows.append(_row("Paired PHQ-9 and GAD-7", "finished courses in the period with PHQ-9 and GAD-7 each given "
                       "at least twice, of all finished courses", groups,
                       lambda cs: rate_cell(rate(sum(c.nhs is not None for c in _finished(cs, period)),
                                                 len(_finished(cs, period))))))
    s.rows.append(_row("Any paired questionnaire", "finished courses in the period with a first and a last score on "
                       "at least one questionnaire, of all finished courses", groups,
                       lambda cs: rate_cell(rate(sum(bool(c.totals) for c in _finished(cs, period)),
                                                 len(_finished(cs, period))))))
    return s


CATEGORY_LABELS = (
    ("recovered", "Recovered", "reliable improvement, and moved from the clinical range to outside it"),
    ("improved", "Improved", "reliable improvement, not recovered"),
    ("unchanged", "Unchanged", "a change within measurement error"),
    ("deteriorated", "Deteriorated", "reliable deterioration"),
)
# No reliable-change threshold, no judgement: such a questionnaire's courses are counted as not judged,
# never as unchanged (``change.classify``).
NOT_JUDGED_LABEL = ("not-judged", "Not judged", "no published reliable-change threshold: the change is shown, not judged")


def _instrument(inst, groups: list[Group], period: Period) -> Section:
    name = inst.short_name or inst.name
    better = inst.direction == "higher_is_better"

    def pairs(cs: list[Course]) -> list[tuple[float, float]]:
        return [c.totals[inst.id] for c in _finished(cs, period) if inst.id in c.totals]

    def categories(cs: list[Course]) -> Counter[str]:
        return Counter(change.classify(inst, a, b).category for a, b in pairs(cs))

    rc = (f"reliable change {inst.reliable_change.describe()}" if inst.reliable_change else
          "no published reliable-change threshold, so no course is judged")
    cutoff = f"clinical cut-off {inst.cutoff.describe()}" if inst.cutoff else "no clinical cut-off"
    s = Section(f"instrument-{inst.id}", f"{name}: first and last scores",
                f"Finished courses in the period with {name} given at least twice; "
                f"{'higher is better' if better else 'lower is better'}. Each course falls in one "
                f"Jacobson–Truax category, judged per client as on the client's page: {rc}; {cutoff}.")
    s.rows.append(_row("Courses with a pair", f"finished courses in the period with a first and last {name}", groups,
                       lambda cs: count_cell(len(pairs(cs)))))
    for cat, label, rule in (CATEGORY_LABELS if inst.reliable_change else (NOT_JUDGED_LABEL,)):
        s.rows.append(_row(label, rule, groups,
                           lambda cs, k=cat: rate_cell(rate(categories(cs)[k], len(pairs(cs))))))
    s.rows.append(_row("Mean first score", f"mean of the first {name} total of each course", groups,
                       lambda cs: mean_cell([a for a, _ in pairs(cs)])))
    s.rows.append(_row("Mean last score", f"mean of the last {name} total of each course", groups,
                       lambda cs: mean_cell([b for _, b in pairs(cs)])))
    s.rows.append(_row("Pre–post effect size", EFFECT_RULE + "; positive is improvement", groups,
                       lambda cs: effect_cell(paired([a for a, _ in pairs(cs)], [b for _, b in pairs(cs)],
                                                     higher_is_better=better))))
    return s


GOAL_COUNTS = (("achieved", "Goals achieved"), ("active", "Goals active"), ("revised", "Goals revised"),
               ("discontinued", "Goals discontinued"))


def _goals(groups: list[Group], period: Period) -> Section:
    def seen(cs: list[Course]) -> list[Course]:
        return [c for c in cs if any(d in period for d in c.contact_dates)]

    s = Section("goals", "Goals", "Clients with at least one attended contact in the period, and their goals "
                "as they stand now.")
    s.rows.append(_row("Mean GAS T-score", "mean over those clients with Goal Attainment Scaling goals of the "
                       f"Kiresuk–Sherman T-score of their current goals at the latest level ({gas.SOURCE}, "
                       f"ρ = {gas.RHO}); 50 means every goal met as expected", groups,
                       lambda cs: mean_cell([c.gas_t for c in seen(cs) if c.gas_t is not None])))
    for status, label in GOAL_COUNTS:
        s.rows.append(_row(label, f"goals with status: {status}, of those clients", groups,
                           lambda cs, st=status: count_cell(sum(g == st for c in seen(cs) for g in c.goal_statuses))))
    return s


def _contacts(groups: list[Group], period: Period) -> Section:
    s = Section("contacts", "Contacts and waiting", "How long courses were and how long clients waited.")
    s.rows.append(_row("Mean contacts per finished course", "attended contacts of any kind (not did-not-attend or "
                       "cancelled) of each finished course in the period", groups,
                       lambda cs: mean_cell([c.attended for c in _finished(cs, period)])))
    s.rows.append(_row("Mean wait to treatment", "days from the start date (the referral) to the first attended "
                       "treatment contact, for clients who entered treatment in the period", groups,
                       lambda cs: mean_cell([(c.first_treatment - c.referred).days for c in cs
                                             if c.first_treatment in period], " days")))
    return s


def outcomes_view(practice: model.Practice, period: Period | None = None,
                  courses: list[Course] | None = None) -> OutcomesView:
    """The page's figures; ``courses``: each client's ``course`` when already known (kept between builds)."""
    period = period or Period.last_year(practice.today)
    if courses is None:
        courses = [one for c in practice.clients for one in client_courses(c, practice)]
    groups = [Group("All clinicians", courses)]
    for cid, clinician in practice.clinicians.items():
        mine = [c for c in courses if c.clinician == cid]
        if mine:
            groups.append(Group(clinician.name, mine))
    sections = [_flow(groups, period), _nhs(groups, period), _completeness(groups, period)]
    used = sorted({i for c in _finished(courses, period) for i in c.totals})
    sections += [_instrument(practice.instruments[i], groups, period) for i in used if i in practice.instruments]
    sections += [_goals(groups, period), _contacts(groups, period)]
    return OutcomesView(practice.name, period, practice.today, [g.label for g in groups], sections)
