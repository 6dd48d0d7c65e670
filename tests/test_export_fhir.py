"""`goalbook export fhir`: every resource is valid FHIR (fhir.resources' R4B models: R4B does not change
these resource types from R4), every reference resolves within the export, patients are pseudonyms
only, and the totals are the book's."""

from __future__ import annotations

import importlib
import json
import stat

import pytest
from click.testing import CliRunner

from goalbook.checks import check_practice
from goalbook.cli import main
from goalbook.views.score_views import instrument_views

MODELS = {
    "Patient": "patient", "RelatedPerson": "relatedperson", "Questionnaire": "questionnaire",
    "QuestionnaireResponse": "questionnaireresponse", "Observation": "observation", "Goal": "goal",
    "CarePlan": "careplan",
}


@pytest.fixture
def exported(example_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    out = tmp_path / "fhir"
    result = CliRunner().invoke(main, ["export", "fhir", "--practice", str(example_copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    resources = {p.stem: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
                 for p in sorted(out.glob("*.ndjson"))}
    return example_copy, out, resources


def test_every_resource_is_valid_fhir(exported):
    _, _, resources = exported
    assert {"Patient", "Questionnaire", "QuestionnaireResponse", "Observation", "Goal", "CarePlan"} <= set(resources)
    for kind, items in resources.items():
        model = getattr(importlib.import_module(f"fhir.resources.R4B.{MODELS[kind]}"), kind)
        for item in items:
            assert item["resourceType"] == kind
            model.model_validate(item)  # raises on anything that is not valid FHIR


def test_every_reference_resolves_within_the_export(exported):
    _, _, resources = exported
    ids = {f"{kind}/{r['id']}" for kind, items in resources.items() for r in items}
    urls = {q["url"] for q in resources["Questionnaire"]}
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "reference" in node:
                found.append(node["reference"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for items in resources.values():
        walk(items)
    assert found and set(found) <= ids
    assert {qr["questionnaire"] for qr in resources["QuestionnaireResponse"]} <= urls


def test_patients_are_pseudonyms_only(exported):
    _, out, resources = exported
    assert all(set(p) == {"resourceType", "id", "active"} for p in resources["Patient"])
    text = "".join(p.read_text(encoding="utf-8") for p in out.glob("*.ndjson"))
    for leak in ("ana-r", "Ana R.", "clients/", "erin-s"):
        assert leak not in text, leak
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in out.iterdir())


def test_observations_carry_the_books_totals_and_loinc_codes(exported):
    root, _, resources = exported
    practice, _ = check_practice(root)
    book = sorted((row.date.isoformat(), iv.id, row.total) for c in practice.clients
                  for iv in instrument_views(c, practice, audience="clinician") for row in iv.rows)
    loinc = {"phq9": "44261-6", "gad7": "70274-6"}
    exported_totals = []
    for obs in resources["Observation"]:
        own = next(c["code"] for c in obs["code"]["coding"] if c["system"] == "urn:goalbook:instrument")
        instrument = own.removesuffix("-total")
        exported_totals.append((obs["effectiveDateTime"], instrument, float(obs["valueQuantity"]["value"])))
        codes = [c["code"] for c in obs["code"]["coding"] if c["system"] == "http://loinc.org"]
        assert codes == ([loinc[instrument]] if instrument in loinc else [])
    assert sorted(exported_totals) == book


def test_goals_and_action_steps(exported):
    root, _, resources = exported
    practice, _ = check_practice(root)
    goals = [g for c in practice.clients for g in c.goals]
    assert len(resources["Goal"]) == len(goals)
    statuses = sorted(g["lifecycleStatus"] for g in resources["Goal"])
    expected = {"proposed": "proposed", "active": "active", "achieved": "completed", "paused": "on-hold",
                "discontinued": "cancelled", "revised": "cancelled"}
    assert statuses == sorted(expected[g.status] for g in goals)
    steps = [s for g in goals for s in g.steps]
    activities = [a["detail"] for cp in resources["CarePlan"] for a in cp["activity"]]
    assert sorted((a["scheduledTiming"]["repeat"]["frequency"], a["scheduledTiming"]["repeat"]["periodUnit"])
                  for a in activities) == sorted((s.times, {"day": "d", "week": "wk", "month": "mo"}[s.per])
                                                 for s in steps)
    # A step's duration ("10 minutes, 5 times a week") is the Timing's duration.
    timed = [(a["scheduledTiming"]["repeat"].get("duration"), a["scheduledTiming"]["repeat"].get("durationUnit"))
             for a in activities if "duration" in a["scheduledTiming"]["repeat"]]
    assert sorted(timed) == sorted((s.minutes, "min") for s in steps if s.minutes)
    with_dates = [g for g in resources["Goal"] if any("dueDate" in t for t in g.get("target", []))]
    assert len(with_dates) == sum(1 for g in goals if g.target_date)


def test_export_is_deterministic(exported, tmp_path):
    root, out, _ = exported
    again = tmp_path / "again"
    assert CliRunner().invoke(main, ["export", "fhir", "--practice", str(root), "--out", str(again)]).exit_code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {p.name: p.read_bytes() for p in again.iterdir()}


def test_a_respondents_answers_come_from_a_related_person(example_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    client = example_copy / "clients" / "ana-r" / "client.yaml"
    client.write_text(client.read_text(encoding="utf-8") + "respondents:\n  - {id: sam, name: Sam, relation: partner}\n",
                      encoding="utf-8")
    session = example_copy / "clients" / "ana-r" / "sessions" / "2026-03-23.yaml"
    text = session.read_text(encoding="utf-8")
    assert "questionnaires:\n" in text
    session.write_text(text.replace("questionnaires:\n", "questionnaires:\n  phq9:\n    answers: [1, 1, 1, 1, 1, 1, 1, 1, 0]\n"
                                    "    respondent: sam\n", 1), encoding="utf-8")
    out = tmp_path / "fhir"
    result = CliRunner().invoke(main, ["export", "fhir", "--practice", str(example_copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    read = {p.stem: [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()] for p in out.glob("*.ndjson")}
    from fhir.resources.R4B.relatedperson import RelatedPerson

    (qr,) = [qr for qr in read["QuestionnaireResponse"] if qr["authored"] == "2026-03-23" and "source" in qr
             and qr["questionnaire"].endswith(":phq9")]
    people = {f"RelatedPerson/{p['id']}": p for p in read["RelatedPerson"]}
    person = people[qr["source"]["reference"]]
    RelatedPerson.model_validate(person)
    assert "Sam" not in json.dumps(person) and person["relationship"][0]["coding"][0]["code"] == "SIGOTHR"
    assert qr["subject"] == person["patient"]
