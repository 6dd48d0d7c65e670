"""The synthetic practice behind the benchmarks (benchmarks/make_practice.py) and the runner's helpers.

The generator must write the real format, valid for `goalbook check`, the same bytes for the same
seed, and answers valid for each instrument's published item count and options.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import make_practice as mp
import run as bench

TODAY = dt.date(2026, 3, 31)
# Item count and highest option, from the published forms (see /work/shared/instruments.md),
# written out here rather than taken from the generator.
FORMS = {"phq9": (9, 3), "gad7": (7, 3), "core10": (10, 4), "who5": (5, 5), "pcl5": (20, 4)}


def load(path: Path):
    return yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def practice(tmp_path_factory) -> Path:
    return mp.make_practice(tmp_path_factory.mktemp("gen") / "p", clients=24, sessions=30, seed=7)


def clients_of(root: Path):
    for folder in sorted((root / "clients").iterdir()):
        sessions = {p.name: load(p) for p in sorted((folder / "sessions").glob("*.yaml"))}
        yield folder, load(folder / "client.yaml"), load(folder / "goals.yaml")["goals"], sessions


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path):
    a = mp.make_practice(tmp_path / "a", clients=5, sessions=6, seed=3)
    b = mp.make_practice(tmp_path / "b", clients=5, sessions=6, seed=3)
    c = mp.make_practice(tmp_path / "c", clients=5, sessions=6, seed=4)
    assert tree(a) == tree(b)
    assert tree(a) != tree(c)


def test_a_client_does_not_depend_on_the_practice_size(tmp_path):
    small = tree(mp.make_practice(tmp_path / "small", clients=3, sessions=8, seed=2))
    large = tree(mp.make_practice(tmp_path / "large", clients=6, sessions=8, seed=2))
    client_files = {k: v for k, v in small.items() if k.startswith("clients/")}
    assert client_files and all(large[k] == v for k, v in client_files.items())


def test_sizes_as_asked(practice):
    folders = list((practice / "clients").iterdir())
    assert len(folders) == 24
    assert all(len(list((f / "sessions").glob("*.yaml"))) == 30 for f in folders)
    settings = load(practice / "goalbook.yaml")
    assert str(settings["today"]) == "2026-03-31"
    assert len(settings["clinicians"]) >= 2


def test_every_file_starts_with_the_schema_modeline(practice):
    for path in practice.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path


def test_answers_are_valid_for_each_instrument(practice):
    seen = set()
    for _, _, _, sessions in clients_of(practice):
        for session in sessions.values():
            for inst, answers in (session.get("questionnaires") or {}).items():
                items, top = FORMS[inst]
                seen.add(inst)
                if isinstance(answers, dict):
                    # a total-only entry is the raw sum of the item answers ({raw: N} for WHO-5)
                    (key,) = answers
                    assert key == ("raw" if inst == "who5" else "total"), (inst, answers)
                    assert 0 <= answers[key] <= items * top
                    continue
                assert len(answers) == items, (inst, answers)
                assert all(isinstance(a, int) and 0 <= a <= top for a in answers), (inst, answers)
    assert {"phq9", "gad7"} <= seen


def test_references_dates_and_targets_make_sense(practice):
    for folder, client, goals, sessions in clients_of(practice):
        assert client["id"] == folder.name
        start = as_date(client["start_date"])
        goal_ids = {g["id"] for g in goals}
        step_ids = [s["id"] for g in goals for s in g["steps"]]
        assert len(step_ids) == len(set(step_ids)), "step ids are unique within a client"
        scheduled = {q["instrument"] for q in client["questionnaires"]}
        for name, s in sessions.items():
            day = as_date(s["date"])
            assert name.startswith(day.isoformat())
            assert start <= day <= TODAY
            assert set(s.get("questionnaires") or {}) <= scheduled
            assert set(s.get("measurements") or {}) <= goal_ids
            assert set(s.get("homework") or {}) <= set(step_ids)
        for g in goals:
            assert g["steps"], "every goal has an action step"
            if g["measure"]["type"] == "gas":
                assert -2 <= g["baseline"] <= 2
                continue
            target = g["target"]
            if isinstance(target, str):
                assert target.endswith("% lower") and g["direction"] == "decrease"
            elif g["direction"] == "decrease":
                assert target < g["baseline"]
            else:
                assert target > g["baseline"]
            if g["status"] == "active":
                assert as_date(g["target_date"]) > TODAY and as_date(g["review_date"]) > TODAY
        revised = {g["revises"] for g in goals if "revises" in g}
        assert all(g["status"] == "revised" for g in goals if g["id"] in revised)


def test_clients_look_like_a_real_caseload(practice):
    goal_counts, measure_types, per_session, statuses = [], set(), [], set()
    first_phq9, last_phq9 = [], []
    for _, client, goals, sessions in clients_of(practice):
        statuses.add(client["status"])
        goal_counts.append(len([g for g in goals if g["status"] != "revised"]))
        measure_types |= {g["measure"]["type"] for g in goals}
        ordered = [sessions[k] for k in sorted(sessions)]
        per_session += [len(s.get("questionnaires") or {}) for s in ordered if s["kind"] == "session"]
        scores = [s["questionnaires"]["phq9"] for s in ordered
                  if isinstance((s.get("questionnaires") or {}).get("phq9"), list)]
        if len(scores) > 2:
            first_phq9.append(sum(scores[0]))
            last_phq9.append(sum(scores[-1]))
        notes = ordered[1]["notes"]
        assert notes.count(".") >= 3, "a few sentences of notes"
    assert all(3 <= n <= 4 for n in goal_counts)
    assert measure_types == {"rating", "count", "questionnaire", "gas"}
    assert set(per_session) <= {2, 3} and 3 in per_session
    assert {"active", "discharged"} <= statuses
    # most stories improve: on average PHQ-9 comes down from intake to the latest session
    assert sum(last_phq9) < sum(first_phq9)


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        mp.make_practice(tmp_path, clients=1, sessions=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_passes_the_strict_loader_and_schemas(practice):
    yamlload = pytest.importorskip("goalbook.records.yamlload")
    validate = pytest.importorskip("goalbook.records.validate")
    kinds = {"goalbook.yaml": "practice", "client.yaml": "client", "goals.yaml": "goals"}
    for path in sorted(practice.rglob("*.yaml")):
        display = path.relative_to(practice).as_posix()
        data, problems = yamlload.load_yaml(path, display)
        assert problems == [], problems
        kind = kinds.get(path.name, "session")
        assert validate.validate(data, kind, display, path) == []


def test_passes_goalbook_check(practice):
    pytest.importorskip("goalbook.records.validate")
    pytest.importorskip("goalbook.clinical.instruments")
    checks = pytest.importorskip("goalbook.checks")
    _, problems = checks.check_practice(practice)
    errors = [p for p in problems if p.severity == "error"]
    assert errors == []


# --- benchmarks/run.py helpers


def test_the_benchmark_edit_moves_the_session_time_and_keeps_the_rest():
    before = b'date: 2025-10-13\ntime: "14:59"\nkind: session\n'
    after = bench.edit_bytes(before, 2)
    assert after == b'date: 2025-10-13\ntime: "14:01"\nkind: session\n'


def test_floor_stage_parses_every_yaml_file(practice):
    report = bench.stage_floor(practice)
    assert report["files"] == 1 + 24 * 2 + 24 * 30


def test_runner_quick_mode_prints_the_floor(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--clients", "2", "--sessions", "3",
         "--stages", "floor", "--keep", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("2 ") and " floor " in line)
    assert "11 files" in row  # goalbook.yaml + 2 × (client.yaml, goals.yaml, 3 sessions)
