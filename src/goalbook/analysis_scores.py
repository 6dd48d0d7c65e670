"""Questionnaire views for the book: every administration scored, banded and compared with the first.

The numbers come from ``scoring``, ``change`` and ``nhs`` (each result shows its work); this module
only arranges them for the page and words them for the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from goalbook import change, model, nhs, scoring
from goalbook.instruments import Instrument
from goalbook.scoring import Score

Audience = Literal["clinician", "client"]


def _anchor(*parts: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


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
    category: str  # recovered | improved | unchanged | deteriorated | ""
    category_explain: str  # why, with the cut-off
    items: list[ItemCell] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # critical items, clinician only
    prorated: str = ""
    only_total: bool = False


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

    @property
    def latest(self) -> ScoreRow | None:
        return self.rows[-1] if self.rows else None

    @property
    def first(self) -> ScoreRow | None:
        return self.rows[0] if self.rows else None


@dataclass(frozen=True)
class NhsLine:
    label: str
    value: str  # "yes" / "no" / "not applicable" / "mixed …"
    rule: str


@dataclass
class NhsView:
    summary: str
    lines: list[NhsLine]
    phq9: tuple[str, str]  # (first, last) totals as text
    gad7: tuple[str, str]


def num(x: float | None) -> str:
    if x is None:
        return "—"
    x = round(float(x), 1)
    return str(int(x)) if x.is_integer() else f"{x:.1f}"


def signed(x: float | None) -> str:
    if x is None:
        return "—"
    if x == 0:
        return "0"
    return ("+" if x > 0 else "−") + num(abs(x))


def _bands(inst: Instrument) -> list[BandInfo]:
    levels = len(inst.bands)
    # Shade by severity (0 = best band whatever the direction), so the worst band is darkest.
    top = max((b.severity for b in inst.bands), default=0)
    return [BandInfo(float(b.min), float(b.max), b.label, b.severity, max(levels, top + 1)) for b in inst.bands]


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
        return scoring.score(inst, list(adm.answers))
    return scoring.score_total(inst, float(adm.total or 0))


RELIABLE_WORDS = {"improvement": "reliable improvement", "deterioration": "reliable deterioration",
                  "none": "no reliable change"}


def instrument_view(inst: Instrument, adms: list[model.Administration], *, audience: Audience) -> InstrumentView:
    rows: list[ScoreRow] = []
    first_total: float | None = None
    for adm in sorted(adms, key=lambda a: (a.date, a.session_file)):
        score = _score(inst, adm)
        total = float(score.total)
        delta_text = reliable = reliable_text = explain = category = category_explain = ""
        if first_total is not None:
            ch = change.classify(inst, first_total, total)
            delta_text = signed(ch.delta)
            reliable = ch.reliable if ch.threshold is not None else ""
            reliable_text = RELIABLE_WORDS.get(reliable, "")
            explain = ch.explain()
            category, category_explain = ch.category, ch.explain_category()
        else:
            first_total = total
        stem = adm.session_file.rsplit("/", 1)[-1].split(".")[0]
        clinician = audience == "clinician"
        flagged = {f.item for f in score.flags}
        items = []
        if adm.answers is not None and clinician:
            items = [ItemCell(i + 1, "—" if a is None else str(a), (i + 1) in flagged) for i, a in enumerate(adm.answers)]
        rows.append(ScoreRow(
            instrument=adm.instrument,
            session_file=adm.session_file,
            anchor=_anchor("adm", adm.instrument, stem),
            date=adm.date,
            total=total,
            total_text=num(total),
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
            prorated=(score.prorate_how or "prorated") if score.prorated else "",
            only_total=adm.answers is None,
        ))
    return InstrumentView(
        id=inst.id,
        name=inst.name,
        short_name=inst.short_name or inst.name,
        anchor=_anchor("questionnaire", inst.id),
        low=float(inst.min_total),
        high=float(inst.max_total),
        higher_is_better=inst.direction == "higher_is_better",
        bands=_bands(inst),
        cutoff=_cutoff(inst)[0],
        cutoff_text=_cutoff(inst)[1],
        reliable_text=_reliable_text(inst),
        citation=inst.citation,
        licence=inst.licence.attribution or inst.licence.note,
        rows=rows,
        item_count=inst.item_count,
    )


def instrument_views(client: model.Client, practice: model.Practice, *, audience: Audience) -> list[InstrumentView]:
    """One view per questionnaire given to the client (or scheduled), in a stable order."""
    ids = sorted({a.instrument for a in client.administrations()} | {s.instrument for s in client.questionnaires})
    out = []
    for inst_id in ids:
        inst = practice.instruments.get(inst_id)
        if inst is None:
            continue  # check reports unknown instruments as errors; the book is never built with them
        out.append(instrument_view(inst, client.administrations(inst_id), audience=audience))
    return out


def nhs_view(instruments: list[InstrumentView]) -> NhsView | None:
    """The NHS Talking Therapies paired outcome, when PHQ-9 and GAD-7 were each given at least twice."""
    by_id = {iv.id: iv for iv in instruments}
    phq, gad = by_id.get("phq9"), by_id.get("gad7")
    if not phq or not gad or len(phq.rows) < 2 or len(gad.rows) < 2:
        return None
    first_p, last_p, first_g, last_g = phq.rows[0], phq.rows[-1], gad.rows[0], gad.rows[-1]
    if None in (first_p.total, last_p.total, first_g.total, last_g.total):
        return None
    outcome = nhs.paired_outcome(first_p.total, last_p.total, first_g.total, last_g.total)  # type: ignore[arg-type]
    return NhsView(
        summary=outcome.summary,
        lines=_nhs_lines(outcome),
        phq9=(first_p.total_text, last_p.total_text),
        gad7=(first_g.total_text, last_g.total_text),
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
        lines.append(NhsLine(label, text, outcome.rules.get(name, "")))
    return lines
