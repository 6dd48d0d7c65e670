"""The practice as FHIR R4 resources, one NDJSON file per resource type (the FHIR Bulk Data format).
Pure: resources are plain dicts; ``files`` turns them into NDJSON bytes.

- Patient: the client's pseudonym only (``export.pseudonyms``): no name, no birth date, no address.
- RelatedPerson: someone else who answers a client's questionnaires (a partner, a parent), pseudonymised.
- Questionnaire: every questionnaire the records use, built-in or the practice's own; item wording only
  where the licence allows it (else the short label).
- QuestionnaireResponse: one per administration, its item answers as integers; ``source`` is the
  RelatedPerson when someone other than the client answered.
- Observation: the total score of each administration, coded with LOINC where the instrument file gives a
  verified code (``loinc:``), and always with goalbook's own code; derived from its QuestionnaireResponse.
- Goal: description, start, target (value and due date), lifecycle and achievement status.
- CarePlan: one per client with action steps: each step an activity with its frequency, linked to its Goal.

Every reference points at a resource in the same export. The tests validate each resource with the
``fhir.resources`` R4B models (R4B does not change these resource types from R4).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from goalbook.export.pseudonyms import Pseudonyms
from goalbook.records import model
from goalbook.views.score_views import score_of

LOINC = "http://loinc.org"
GOALBOOK_INSTRUMENTS = "urn:goalbook:instrument"  # goalbook's own code for a questionnaire's total
QUESTIONNAIRE_URL = "urn:goalbook:questionnaire:"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
UCUM = "http://unitsofmeasure.org"
RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"

# goalbook's goal status → FHIR Goal.lifecycleStatus and (when one applies) achievementStatus.
LIFECYCLE = {"proposed": "proposed", "active": "active", "achieved": "completed", "paused": "on-hold",
             "discontinued": "cancelled", "revised": "cancelled"}
ACHIEVED = {"achieved": "achieved", "discontinued": "not-achieved", "active": "in-progress", "paused": "in-progress"}
PERIOD_UNIT = {"day": "d", "week": "wk", "month": "mo"}
RELATION_CODES = {"partner": ("SIGOTHR", "significant other"), "parent": ("PRN", "parent")}

RESOURCE_TYPES = ("Patient", "RelatedPerson", "Questionnaire", "QuestionnaireResponse", "Observation", "Goal",
                  "CarePlan")


def _id(*parts: str) -> str:
    """A short stable id from parts that may hold ids a pseudonym must not reveal."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def _ref(kind: str, rid: str) -> dict[str, str]:
    return {"reference": f"{kind}/{rid}"}


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _repeat(step: model.ActionStep) -> dict[str, Any]:
    """"5 times a week, 30 minutes each, from 1 March" as a FHIR Timing.repeat."""
    repeat: dict[str, Any] = {"frequency": step.times, "period": 1, "periodUnit": PERIOD_UNIT[step.per]}
    if step.minutes:
        repeat.update(duration=step.minutes, durationUnit="min")
    if step.start:
        repeat["boundsPeriod"] = {"start": step.start.isoformat()}
    return repeat


def questionnaire(inst: Any) -> dict[str, Any]:
    items = []
    for item in inst.items:
        entry: dict[str, Any] = {
            "linkId": str(item.number), "text": item.display, "type": "choice", "required": not item.optional,
            "answerOption": [{"valueCoding": {"system": f"{QUESTIONNAIRE_URL}{inst.id}:options",
                                              "code": str(o.value), "display": o.label}} for o in item.options],
        }
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire", "id": inst.id, "url": QUESTIONNAIRE_URL + inst.id,
        "version": str(inst.version), "name": "".join(ch for ch in inst.short_name if ch.isalnum()) or inst.id,
        "title": inst.name, "status": "active", "subjectType": ["Patient"],
        "description": f"{inst.name}. {inst.citation}", "copyright": str(inst.licence), "item": items,
    }
    if inst.loinc_total:
        resource["code"] = [{"system": LOINC, "code": inst.loinc_total, "display": f"{inst.short_name} total score"}]
    return resource


def practice_resources(practice: model.Practice, pseudonyms: Pseudonyms) -> dict[str, list[dict[str, Any]]]:
    """Resource type → its resources, each list sorted by id: the same records give the same export."""
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in RESOURCE_TYPES}
    used: set[str] = set()
    for client in practice.clients:
        pid = pseudonyms.client(client.id)
        patient = _ref("Patient", pid)
        out["Patient"].append({"resourceType": "Patient", "id": pid, "active": client.status != "discharged"})
        related: dict[str, str] = {}
        for r in client.respondents:
            rid = pseudonyms.respondent(client.id, r.id)
            related[r.id] = rid
            person: dict[str, Any] = {"resourceType": "RelatedPerson", "id": rid, "patient": patient}
            code = RELATION_CODES.get(r.relation)
            person["relationship"] = [{"coding": [{"system": RELATIONSHIP, "code": code[0], "display": code[1]}]}
                                      if code else {"text": r.relation}]
            out["RelatedPerson"].append(person)
        for s in client.sessions:
            for adm in s.administrations:
                inst = practice.instruments.get(adm.instrument)
                if inst is None:
                    continue
                used.add(inst.id)
                key = _id(pid, s.file, adm.instrument, adm.respondent)
                qr_id, day = f"qr-{key}", adm.date.isoformat()
                qr: dict[str, Any] = {
                    "resourceType": "QuestionnaireResponse", "id": qr_id,
                    "questionnaire": QUESTIONNAIRE_URL + inst.id, "status": "completed", "subject": patient,
                    "authored": day,
                    "item": [{"linkId": str(n), "answer": [{"valueCoding": {
                        "system": f"{QUESTIONNAIRE_URL}{inst.id}:options", "code": str(a)}}]}
                        for n, a in enumerate(adm.answers or (), start=1) if a is not None],
                }
                if adm.respondent in related:
                    qr["source"] = _ref("RelatedPerson", related[adm.respondent])
                if not qr["item"]:
                    del qr["item"]  # a total only: the answers were not recorded
                out["QuestionnaireResponse"].append(qr)
                score = score_of(inst, adm)
                if score is None:
                    continue
                coding = [{"system": GOALBOOK_INSTRUMENTS, "code": f"{inst.id}-total",
                           "display": f"{inst.short_name} total score"}]
                if inst.loinc_total:
                    coding.insert(0, {"system": LOINC, "code": inst.loinc_total,
                                      "display": f"{inst.short_name} total score"})
                obs: dict[str, Any] = {
                    "resourceType": "Observation", "id": f"obs-{key}", "status": "final",
                    "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
                    "code": {"coding": coding, "text": f"{inst.short_name} total score"},
                    "subject": patient, "effectiveDateTime": day,
                    "valueQuantity": {"value": _number(score.total), "unit": "{score}", "system": UCUM,
                                      "code": "{score}"},
                    "derivedFrom": [_ref("QuestionnaireResponse", qr_id)],
                }
                if score.band is not None:
                    obs["interpretation"] = [{"text": score.band.label}]
                if adm.respondent in related:
                    obs["performer"] = [_ref("RelatedPerson", related[adm.respondent])]
                out["Observation"].append(obs)
        goal_ids: dict[str, str] = {}
        for g in client.goals:
            gid = goal_ids[g.id] = f"goal-{_id(pid, g.id)}"
            goal: dict[str, Any] = {
                "resourceType": "Goal", "id": gid, "lifecycleStatus": LIFECYCLE.get(g.status, "active"),
                "description": {"text": g.title}, "subject": patient, "startDate": g.set_date.isoformat(),
            }
            if g.status in ACHIEVED:
                goal["achievementStatus"] = {"coding": [{"system": ACHIEVEMENT, "code": ACHIEVED[g.status]}]}
            target: dict[str, Any] = {}
            value = g.target.resolve(g.baseline) if g.target else None
            m = g.measure
            if m is not None:
                label = {"questionnaire": f"{m.instrument} total", "gas": "Goal Attainment Scaling level"}.get(
                    m.type, m.label or m.type)
                target["measure"] = {"text": label}
            if value is not None:
                target["detailQuantity"] = {"value": _number(value)}
            elif m is not None and m.type == "gas":
                target["detailQuantity"] = {"value": 0}  # GAS: the expected level is the target
            if g.target_date:
                target["dueDate"] = g.target_date.isoformat()
            if target:
                goal["target"] = [target]
            out["Goal"].append(goal)
        for g in client.goals:  # a revised goal's successor points back at it
            if g.revises and g.revises in goal_ids:
                own = next(x for x in out["Goal"] if x["id"] == goal_ids[g.id])
                own["note"] = [{"text": f"Replaces Goal/{goal_ids[g.revises]}"}]
        activities = [
            {"detail": {
                "status": "in-progress" if g.status == "active" else ("completed" if g.status == "achieved"
                                                                      else "on-hold" if g.status == "paused"
                                                                      else "not-started" if g.status == "proposed"
                                                                      else "stopped"),
                "description": step.action, "goal": [_ref("Goal", goal_ids[g.id])],
                "scheduledTiming": {"repeat": _repeat(step)},
            }}
            for g in client.goals for step in g.steps
        ]
        if activities:
            out["CarePlan"].append({
                "resourceType": "CarePlan", "id": f"careplan-{_id(pid)}",
                "status": "completed" if client.status == "discharged" else "active", "intent": "plan",
                "subject": patient, "goal": [_ref("Goal", gid) for gid in goal_ids.values()],
                "activity": activities,
            })
    out["Questionnaire"] = [questionnaire(practice.instruments[i]) for i in sorted(used)]
    for items in out.values():
        items.sort(key=lambda r: r["id"])
    return out


def ndjson(resources: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"
                    for r in resources)


def files(resources: dict[str, list[dict[str, Any]]]) -> dict[str, bytes]:
    """One ``<Type>.ndjson`` per resource type that has any resource."""
    return {f"{kind}.ndjson": ndjson(items) for kind, items in resources.items() if items}
