"""Questionnaire views for the book: every administration scored, banded and compared with the first.

The numbers come from ``scoring``, ``change`` and ``nhs`` (each result shows its work); this module
only arranges them for the page and words them for the reader.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from operator import getitem
from typing import Literal

from goalbook.clinical import change, nhs, scoring
from goalbook.clinical.episodes import Episode, episode_number
from goalbook.clinical.episodes import episodes as episodes_of
from goalbook.clinical.instruments import Band, Instrument
from goalbook.clinical.scoring import Score
from goalbook.number_text import short_number
from goalbook.records import model

Audience = Literal["clinician", "client"]


def anchor(*parts: str) -> str:
    """An HTML id from ids and dates (already slugs, but never trust data in markup)."""
    text = "-".join(parts).lower()
    if text.isascii() and text.replace("-", "").isalnum():
        return text.strip("-")  # already a slug (the usual case): the regex would change nothing
    return re.sub(r"[^a-z0-9-]+", "-", text).strip("-")


@dataclass(frozen=True)
class ItemCell:
    number: int
    answer: str
    flagged: bool


@dataclass(frozen=True)
class BandInfo:
    low: float
    high: float
    label: str
    level: int
    levels: int


@dataclass(frozen=True)
class SubscaleCell:
    """One subscale of one administration (DASS-21 depression, PCL-5 cluster B …)."""

    id: str
    name: str
    total: float | None  # None: every item of the subscale was missing, or only a total was recorded
    total_text: str
    band: str
    band_level: int  # 0 = least severe; -1 when the subscale has no bands
    delta_text: str  # change from the first administration's subscale score, "" on the first row


@dataclass(frozen=True)
class SubscaleInfo:
    """A subscale's scale for the chart and the table header."""

    id: str
    name: str
    items: tuple[int, ...]
    low: float
    high: float
    bands: list[BandInfo]
    bands_source: str


@dataclass
class ScoreRow:
    instrument: str
    session_file: str
    anchor: str
    date: date
    total: float | None
    total_text: str
    band: str
    band_level: int  # 0 = least severe, for shading; -1 when unknown
    above_cutoff: bool | None
    delta_text: str  # change from the first administration, e.g. "−8"
    reliable: str  # improvement | deterioration | none | "" (first row)
    reliable_text: str  # for the reader: "reliable improvement"
    change_explain: str  # the statistics' own explanation, with threshold and source
    category: str  # recovered | improved | unchanged | deteriorated | not-judged | ""
    category_explain: str  # why, with the cut-off
    items: list[ItemCell] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # critical items, clinician only
    prorated: str = ""
    only_total: bool = False
    subscales: list[SubscaleCell] = field(default_factory=list)
    # What a total-only entry cannot tell, e.g. "total only: item answers not recorded, so item 9 could not
    # be checked"; clinician only.
    items_note: str = ""
    # "risk item 6 not answered: …" when a critical item has no answer (prorated over, or a total only);
    # clinician only. Said on the row, beside the latest score on the client page and on the caseload.
    risk_note: str = ""
    episode: int = 1  # the episode of care this administration belongs to (``clinical.episodes``)
    # What to do next by the instrument's own rule ("positive screen: give the full PHQ-9"), and that
    # rule with its source; clinician only.
    next_step: str = ""
    next_step_rule: str = ""


@dataclass
class InstrumentView:
    id: str
    name: str
    short_name: str
    anchor: str
    low: float
    high: float
    higher_is_better: bool
    bands: list[BandInfo]
    cutoff: float | None
    cutoff_text: str
    reliable_text: str  # how reliable change is judged for this instrument, with its source
    citation: str
    licence: str
    rows: list[ScoreRow]
    item_count: int = 0
    subscales: list[SubscaleInfo] = field(default_factory=list)
    total_note: str = ""  # e.g. DASS-21: the authors do not recommend interpreting the total
    critical_rule: str = ""  # which items are flagged and why, with the source (clinician only)
    unconfirmed: list[str] = field(default_factory=list)  # values not checked against a primary source
    time_frame: str = ""  # "last 2 weeks": what the answers are about
    measures: str = ""  # "depression severity"
    # Who answered: "" for the client's own series; else a respondent id from client.yaml. Each respondent's
    # answers are a series of their own (change is first → latest within it).
    respondent: str = ""
    answered_by: str = ""  # "Sam (partner)"; for the client's own series only when others answered it too
    # True for the series the NHS outcome and the caseload alerts read: the client's own answers, or a
    # questionnaire the schedule gives to another respondent (e.g. a parent-report measure).
    primary: bool = True
    # Episodes of care (``clinical.episodes``): each row's ``episode``; change is measured from the
    # first row of the same episode. Labels of the episodes the rows fall in, by number, when more than one.
    episode_labels: dict[int, str] = field(default_factory=dict)
    episode_starts: dict[int, date] = field(default_factory=dict)  # the later episodes' first days, by number

    def first_of(self, row: ScoreRow) -> ScoreRow:
        """The first administration of ``row``'s episode: what its change is measured from."""
        return next(r for r in self.rows if r.episode == row.episode)

    @property
    def label(self) -> str:
        """``GAD-7``, or ``GAD-7, Sam (partner)`` when it says who answered."""
        return f"{self.short_name}, {self.answered_by}" if self.answered_by else self.short_name

    @property
    def latest(self) -> ScoreRow | None:
        return self.rows[-1] if self.rows else None

    @property
    def first(self) -> ScoreRow | None:
        """The first score of the latest score's episode of care: "first → latest" is read within it."""
        return self.first_of(self.rows[-1]) if self.rows else None


@dataclass(frozen=True)
class NhsLine:
    label: str
    value: str  # "yes" / "no" / "not applicable" / "mixed …"
    rule: str


NHS_RULES_NOTE = (
    "This outcome follows NHS Talking Therapies' paired rules for PHQ-9 and GAD-7 together (caseness PHQ-9 ≥ 10 "
    "or GAD-7 ≥ 8; reliable change 6 and 4 points). The “recovered” and “improved” categories in each "
    "questionnaire's table follow Jacobson & Truax (1991) on that questionnaire alone, with its own cut-off "
    "and threshold: the two can differ, and each is right by its own rule.")


@dataclass
class NhsView:
    summary: str
    lines: list[NhsLine]  # empty when not eligible
    phq9: tuple[str, str]  # (first, last) totals as text
    gad7: tuple[str, str]
    scope: str = ""  # which scores were paired and why this course counts (or does not yet)
    eligible: bool = True  # False: fewer than 2 treatment appointments, so no outcome is given
    provisional: bool = False  # True: the course has not finished (client not discharged)
    treatment_appointments: int | None = None
    # "PHQ-9 2 Mar 2026 → 30 Mar 2026; GAD-7 16 Mar 2026 → 30 Mar 2026" when the paired scores come from
    # different contacts (the pair is first-with-first and last-with-last, whatever their dates).
    dates: str = ""
    # Which rule each label on the page follows, so "recovered" in a table and "Recovery: no" here
    # never read as a contradiction.
    rules_note: str = NHS_RULES_NOTE


def num(x: float | None) -> str:
    """A score as the book shows it (one rule for the whole book: ``number_text.short_number``)."""
    return short_number(x)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def book_date(d: date | None) -> str:
    """``16 Feb 2026``, the date style of the whole book (the templates' ``d`` filter): sentences worked
    out here are read next to those dates."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else "—"


def signed(x: float | None) -> str:
    if x is None:
        return "—"
    if x == 0:
        return "0"
    return ("+" if x > 0 else "−") + num(abs(x))


def _bands(inst: Instrument, bands: tuple[Band, ...] | None = None) -> list[BandInfo]:
    bands = inst.bands if bands is None else bands
    levels = len(bands)
    # Shade by severity (0 = best band whatever the direction), so the worst band is darkest.
    top = max((b.severity for b in bands), default=0)
    return [BandInfo(float(b.min), float(b.max), b.label, b.severity, max(levels, top + 1)) for b in bands]


def _critical_rule(inst: Instrument) -> str:
    if not inst.critical_items:
        return ""
    parts = []
    for c in inst.critical_items:
        flag = f"item {c.item} {c.condition}: {c.reason}"
        if c.source:
            flag += f" ({c.source}{'; unconfirmed' if c.unconfirmed else ''})"
        parts.append(flag)
    return "Flagged whatever the total: " + "; ".join(parts)


def _items_note(inst: Instrument) -> str:
    """Said on a `{total: N}` row: what cannot be known without the item answers."""
    lost = []
    if inst.critical_items:
        lost.append("critical item" + ("s " if len(inst.critical_items) > 1 else " ")
                    + ", ".join(str(c.item) for c in inst.critical_items) + " could not be checked")
    if inst.subscales:
        lost.append("no subscale scores")
    return "total only: item answers not recorded" + (f", so {' and '.join(lost)}" if lost else "")


def _band_level(score: Score) -> int:
    return score.band.severity if score.band is not None else -1


def _cutoff(inst: Instrument) -> tuple[float | None, str]:
    cut = inst.cutoff
    if cut is None:
        return None, ""
    words = f"Clinical range: total {cut.describe()} ({cut.source}{', unconfirmed' if cut.unconfirmed else ''})"
    return float(cut.value), words


def _reliable_text(inst: Instrument) -> str:
    rc = inst.reliable_change
    if rc is None:
        return "No published reliable-change threshold for this questionnaire: changes are shown, not judged."
    return f"Reliable change: {rc.describe()}{' (unconfirmed)' if rc.unconfirmed else ''}."


def _score(inst: Instrument, adm: model.Administration) -> Score:
    if adm.answers is not None:
        # The book shows the total, band, flags and prorating, not the worked steps.
        return scoring.score(inst, adm.answers, worked=False)
    if adm.raw_total is not None:
        return scoring.score_raw_total(inst, float(adm.raw_total))
    return scoring.score_total(inst, float(adm.total or 0))


def score_of(inst: Instrument, adm: model.Administration) -> Score | None:
    """The administration scored as the client's book scores it, or None when it cannot be (``check``
    reports why; a book is never built with it)."""
    if adm.answers is None and adm.raw_total is None and adm.total is None:
        return None
    try:
        return _score(inst, adm)
    except (scoring.ScoringError, TypeError, ValueError):
        return None


# One administration of a client: its session file and questionnaire (a session gives each questionnaire
# once: its questionnaires are a mapping by instrument id).
AdmKey = tuple[str, str]
Scores = Mapping[AdmKey, Score | None]


def adm_key(adm: model.Administration) -> AdmKey:
    return adm.session_file, adm.instrument


def client_scores(client: model.Client, practice: model.Practice) -> dict[AdmKey, Score | None]:
    """Every administration of a known questionnaire scored once (``score_of``), by ``adm_key``: the
    client's page and its outcome courses both read these, so no score is worked out twice."""
    instruments = practice.instruments
    return {adm_key(a): score_of(instruments[a.instrument], a)
            for s in client.sessions for a in s.administrations if a.instrument in instruments}


RELIABLE_WORDS = {"improvement": "reliable improvement", "deterioration": "reliable deterioration",
                  "none": "no reliable change"}


def instrument_view(inst: Instrument, adms: list[model.Administration], *, audience: Audience,
                    respondent: str = "", answered_by: str = "", primary: bool = True,
                    episodes: Sequence[Episode] = (), scores: Scores | None = None) -> InstrumentView:
    """One series: ``adms`` are all answered by one respondent ("" = the client), first → latest.

    With ``episodes`` (a returning client), change is measured from the first score of each row's own
    episode: a score from a course that ended is not the baseline of the next. ``scores``: the client's
    ``client_scores`` when the caller has them; an administration without one is scored here."""
    rows: list[ScoreRow] = []
    first_total: float | None = None
    first_sub: dict[str, float] = {}  # each subscale's first known score, for "change from first"
    judged: dict[float, tuple[str, ...]] = {}  # total → the words of its change from the first total
    cells = ItemCells()  # shared by the rows
    texts: dict[float | None, str] = {}  # each score's text (``num``), made once: scores repeat
    clinician = audience == "clinician"
    rule = change.change_rule(inst)  # how each row's change from the first is judged
    who = (respondent,) if respondent else ()  # in each row's anchor
    items_note = _items_note(inst) if clinician else ""  # said on each row with a total only
    starts = [e.start for e in episodes[1:]]
    current = 1
    for adm in sorted(adms, key=lambda a: (a.date, a.session_file)):
        episode = episode_number(starts, adm.date) if starts else 1
        if episode != current:  # a new episode: its first score is the new "first"
            current, first_total, first_sub, judged = episode, None, {}, {}
        score = scores.get(adm_key(adm)) if scores is not None else None
        if score is None:  # not scored yet, or cannot be: ``_score`` raises why
            score = _score(inst, adm)
        total = float(score.total)
        subscales = []
        for sub in inst.subscales:
            ss = score.subscales.get(sub.id)
            s_total = None if ss is None or ss.total is None else float(ss.total)
            s_delta = ""
            if s_total is not None:
                if sub.id in first_sub:
                    s_delta = signed(s_total - first_sub[sub.id])
                else:
                    first_sub[sub.id] = s_total
            s_text = texts.get(s_total)
            if s_text is None:
                s_text = texts[s_total] = num(s_total)
            subscales.append(SubscaleCell(
                sub.id, sub.name, s_total, s_text,
                ss.band.label if ss is not None and ss.band is not None else "",
                ss.band.severity if ss is not None and ss.band is not None else -1, s_delta,
            ))
        delta_text = reliable = reliable_text = explain = category = category_explain = ""
        if first_total is not None:
            # The change from first depends only on this total: worked out once per distinct total.
            words = judged.get(total)
            if words is None:
                ch = rule.classify(first_total, total)
                reliable = ch.reliable if ch.reliable != "not-judged" else ""  # "" reads "not judged"
                words = judged[total] = (signed(ch.delta), reliable, RELIABLE_WORDS.get(reliable, ""), ch.explain(),
                                         ch.category, ch.explain_category())
            delta_text, reliable, reliable_text, explain, category, category_explain = words
        else:
            first_total = total
        total_text = texts.get(total)
        if total_text is None:
            total_text = texts[total] = num(total)
        stem = adm.session_file.rsplit("/", 1)[-1].split(".")[0]
        step = inst.next_step(total, adm.answers) if clinician and inst.next_steps else None
        items = []
        if adm.answers is not None and clinician:
            items = cells.row(adm.answers, [f.item for f in score.flags])
        rows.append(ScoreRow(
            instrument=adm.instrument,
            session_file=adm.session_file,
            anchor=anchor("adm", adm.instrument, *who, stem),
            date=adm.date,
            total=total,
            total_text=total_text,
            band=score.band.label if score.band else "",
            band_level=_band_level(score),
            above_cutoff=score.above_cutoff,
            delta_text=delta_text,
            reliable=reliable,
            reliable_text=reliable_text,
            change_explain=explain,
            category=category,
            category_explain=category_explain,
            items=items,
            flags=[f.explain() for f in score.flags] if clinician else [],
            prorated=f"prorated — {score.prorate_how}" if score.prorated else "",
            only_total=adm.answers is None,
            subscales=subscales,
            items_note=items_note if adm.answers is None else "",
            risk_note=scoring.risk_unanswered_text(score.critical_unanswered, total_only=adm.answers is None)
            if clinician and score.critical_unanswered else "",
            next_step=step.say if step else "",
            next_step_rule=step.explain() if step else "",
            episode=episode,
        ))
    cutoff, cutoff_text = _cutoff(inst)
    return InstrumentView(
        id=inst.id,
        name=inst.name,
        short_name=inst.short_name or inst.name,
        anchor=questionnaire_anchor(inst.id, respondent),
        low=float(inst.min_total),
        high=float(inst.max_total),
        higher_is_better=inst.direction == "higher_is_better",
        bands=_bands(inst),
        cutoff=cutoff,
        cutoff_text=cutoff_text,
        reliable_text=_reliable_text(inst),
        citation=inst.citation,
        licence=inst.licence.attribution or inst.licence.note,
        rows=rows,
        item_count=inst.item_count,
        subscales=[SubscaleInfo(s.id, s.name, s.items, float(s.min_total), float(s.max_total), _bands(inst, s.bands),
                                s.bands_source) for s in inst.subscales],
        total_note=inst.total_note,
        critical_rule=_critical_rule(inst) if audience == "clinician" else "",
        unconfirmed=list(inst.unconfirmed) if audience == "clinician" else [],
        time_frame=inst.time_frame,
        measures=inst.measures,
        respondent=respondent,
        answered_by=answered_by,
        primary=primary,
        episode_labels=({e.number: e.label for e in episodes if any(r.episode == e.number for r in rows)}
                        if len(episodes) > 1 else {}),
        episode_starts={e.number: e.start for e in episodes[1:]},
    )


def questionnaire_anchor(instrument: str, respondent: str = "") -> str:
    """The id of one series' section on the client's page: ``questionnaire-gad7``, ``questionnaire-gad7-sam``."""
    return anchor("questionnaire", instrument, *([respondent] if respondent else []))


class _AnswerCells(dict[int | None, ItemCell]):
    """One item's cells, not flagged, by answer: each made on first use."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number

    def __missing__(self, answer: int | None) -> ItemCell:
        cell = self[answer] = ItemCell(self.number, "—" if answer is None else str(answer), False)
        return cell


class ItemCells:
    """The item cells of one view, shared by its rows. Each item has a few possible answers, so each
    cell (frozen) is made once per view: by item and answer, and apart for a flagged answer."""

    def __init__(self) -> None:
        self._items: list[_AnswerCells] = []  # item k + 1's cells
        self._flagged: dict[tuple[int, int | None], ItemCell] = {}

    def row(self, answers: Sequence[int | None], flagged: Collection[int]) -> list[ItemCell]:
        """One cell per answer; an item whose number is in ``flagged`` is flagged."""
        items = self._items
        while len(items) < len(answers):
            items.append(_AnswerCells(len(items) + 1))
        cells = list(map(getitem, items, answers))
        for number in flagged:
            if 1 <= number <= len(cells):
                key = (number, answers[number - 1])
                cell = self._flagged.get(key)
                if cell is None:
                    cell = self._flagged[key] = replace(cells[number - 1], flagged=True)
                cells[number - 1] = cell
        return cells


def instrument_views(client: model.Client, practice: model.Practice, *, audience: Audience,
                     scores: Scores | None = None, care: Sequence[Episode] | None = None) -> list[InstrumentView]:
    """One view per questionnaire and respondent, in a stable order: by questionnaire id, the client's own
    answers first, then each respondent's in client.yaml order (answers by a respondent client.yaml does not
    name come last; check reports them). The client's own series is listed when given or scheduled to them;
    another respondent's when they answered it or it is scheduled to them.

    The share view (``audience="client"``) holds the client's own answers only: what someone else said about
    them is for the clinician to discuss, not to hand over in a file. ``care``: the client's episodes of care
    (``episodes.episodes``) when the caller has them."""
    given: dict[tuple[str, str], list[model.Administration]] = {}  # (instrument, respondent) → in one pass
    for adm in client.administrations():
        given.setdefault((adm.instrument, adm.respondent), []).append(adm)
    scheduled = {(s.instrument, s.respondent) for s in client.questionnaires}
    order = {r.id: k for k, r in enumerate(client.respondents)}
    series = sorted(given.keys() | scheduled,
                    key=lambda k: (k[0], k[1] != "", order.get(k[1], len(order)), k[1]))
    if audience == "client":
        series = [k for k in series if not k[1]]
    others = {inst_id for inst_id, who in series if who}
    care = episodes_of(client) if care is None else care
    out = []
    for inst_id, who in series:
        inst = practice.instruments.get(inst_id)
        if inst is None:
            continue  # check reports unknown instruments as errors; the book is never built with them
        if who:
            person = client.respondent(who)
            answered_by = person.label if person else who
        else:
            answered_by = f"{client.name} (client)" if inst_id in others else ""
        out.append(instrument_view(inst, given.get((inst_id, who), []), audience=audience, respondent=who,
                                   answered_by=answered_by, primary=not who or (inst_id, who) in scheduled,
                                   episodes=care, scores=scores))
    return out


def instrument_groups(instruments: Sequence[InstrumentView]) -> list[list[InstrumentView]]:
    """The views of one questionnaire together (several respondents' series of it are shown side by side)."""
    groups: list[list[InstrumentView]] = []
    for iv in instruments:
        if groups and groups[-1][0].id == iv.id:
            groups[-1].append(iv)
        else:
            groups.append([iv])
    return groups


# --- NHS Talking Therapies paired outcome --------------------------------------------------------------

# Attended contacts that are not treatment: the NHS counts a finished course by treatment appointments.
NOT_TREATMENT = ("intake", "assessment", *model.NOT_A_CONTACT_KINDS)
MIN_TREATMENT_APPOINTMENTS = 2
NHS_SCOPE_RULE = ("NHS Talking Therapies reports the first and last scores of a referral that finished a course "
                  f"of treatment: at least {MIN_TREATMENT_APPOINTMENTS} attended treatment appointments "
                  "(intake and assessment contacts are not treatment).")


def treatment_appointments(client: model.Client, since: date | None = None) -> int:
    """Attended treatment appointments (of the episode from ``since``, when given)."""
    return sum(s.kind not in NOT_TREATMENT and (since is None or s.date >= since) for s in client.sessions)


def nhs_view(instruments: list[InstrumentView], client: model.Client | None = None,
             care: Sequence[Episode] | None = None) -> NhsView | None:
    """The NHS Talking Therapies paired outcome, when PHQ-9 and GAD-7 were each given at least twice.

    With ``client``, the NHS scope rule is applied: fewer than 2 treatment appointments → no outcome, only
    the reason (``eligible`` False, no lines); a client not yet discharged → the outcome so far
    (``provisional``), first vs latest. Without it the scope cannot be told and ``scope`` says so.
    ``care``: the client's episodes of care (``episodes.episodes``) when the caller has them."""
    by_id = {iv.id: iv for iv in instruments if not iv.respondent}  # the client's own answers only
    phq, gad = by_id.get("phq9"), by_id.get("gad7")
    # A returning client: the outcome of the current episode only (earlier ones stay in the tables).
    if care is None:
        care = episodes_of(client) if client is not None else []
    episode = care[-1] if len(care) > 1 else None
    phq_rows = [r for r in phq.rows if r.episode == episode.number] if phq and episode else (phq.rows if phq else [])
    gad_rows = [r for r in gad.rows if r.episode == episode.number] if gad and episode else (gad.rows if gad else [])
    if len(phq_rows) < 2 or len(gad_rows) < 2:
        return None  # nothing to pair: a single (e.g. intake) score is shown in its table, without a change
    first_p, last_p, first_g, last_g = phq_rows[0], phq_rows[-1], gad_rows[0], gad_rows[-1]
    if None in (first_p.total, last_p.total, first_g.total, last_g.total):
        return None
    totals = ((first_p.total_text, last_p.total_text), (first_g.total_text, last_g.total_text))
    if client is None:
        scope, provisional, count = "Course not checked: treatment appointments were not counted.", False, None
    else:
        count = treatment_appointments(client, episode.start if episode else None)
        if count < MIN_TREATMENT_APPOINTMENTS:
            return NhsView(
                summary=(f"No paired outcome yet: {count} attended treatment appointment"
                         f"{'s' if count != 1 else ''} so far, and the NHS counts a course from "
                         f"{MIN_TREATMENT_APPOINTMENTS}."),
                lines=[], phq9=totals[0], gad7=totals[1], scope=NHS_SCOPE_RULE, eligible=False,
                provisional=True, treatment_appointments=count)
        provisional = client.status != "discharged"
        which = ("Course not finished: the outcome so far, first and latest scores" if provisional
                 else "Finished course: first and last scores")
        scope = f"{which} ({count} treatment appointments). {NHS_SCOPE_RULE}"
        if episode is not None:
            scope = f"{episode.label}: a returning client's outcome is measured within the episode. {scope}"
    outcome = nhs.paired_outcome(first_p.total, last_p.total, first_g.total, last_g.total)  # type: ignore[arg-type]
    dates = ""
    if first_p.date != first_g.date or last_p.date != last_g.date:
        dates = (f"PHQ-9 {book_date(first_p.date)} → {book_date(last_p.date)}; "
                 f"GAD-7 {book_date(first_g.date)} → {book_date(last_g.date)}")
    return NhsView(
        summary=("So far: " if provisional else "") + outcome.summary,
        lines=_nhs_lines(outcome),
        phq9=totals[0],
        gad7=totals[1],
        scope=scope,
        eligible=True,
        provisional=provisional,
        treatment_appointments=count,
        dates=dates,
    )


NHS_FIELDS = (
    ("caseness", "Caseness at the start"),
    ("recovery", "Recovery"),
    ("reliable_improvement", "Reliable improvement"),
    ("reliable_recovery", "Reliable recovery"),
    ("reliable_deterioration", "Reliable deterioration"),
    ("mixed", "Mixed (improved on one, worse on the other)"),
)


def _nhs_lines(outcome: nhs.NhsOutcome) -> list[NhsLine]:
    lines = []
    for name, label in NHS_FIELDS:
        value = getattr(outcome, name)
        text = "not applicable (not at caseness at the start)" if value is None else ("yes" if value else "no")
        if outcome.mixed and name == "mixed":
            text = "yes: " + outcome.mixed_text
        elif outcome.mixed and value is False and name != "recovery":
            text = "no: mixed (see below)"
        lines.append(NhsLine(label, text, outcome.rules.get(name, "")))
    return lines
