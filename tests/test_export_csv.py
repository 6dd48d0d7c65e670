"""`goalbook export csv`: tidy files whose totals are the book's, a dictionary of every column,
deterministic owner-only output, and pseudonyms that are keyed, consistent and stable."""

from __future__ import annotations

import csv
import stat

import pytest
from click.testing import CliRunner

from goalbook.checks import check_practice
from goalbook.cli import main
from goalbook.views.score_views import instrument_views


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch):
    """The pseudonym key is made in the user's config folder: a temporary one here."""
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def export(practice, out, *args):
    result = CliRunner().invoke(main, ["export", "csv", "--practice", str(practice), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return {p.name: list(csv.DictReader(p.open(encoding="utf-8", newline=""))) for p in sorted(out.glob("*.csv"))}


def test_administration_totals_are_the_books(example_copy, tmp_path):
    files = export(example_copy, tmp_path / "csv")
    practice, _ = check_practice(example_copy)
    book = {}
    for client in practice.clients:
        for iv in instrument_views(client, practice, audience="clinician"):
            for row in iv.rows:
                book[(client.id, row.date.isoformat(), iv.id, iv.respondent, row.session_file)] = (row.total, row.band)
    exported = {(r["client_id"], r["date"], r["instrument"], r["respondent"], r["file"]): (float(r["total"]), r["band"])
                for r in files["administrations.csv"]}
    assert exported == book and len(book) > 50


def test_item_answers_and_measurements_are_one_row_per_observation(example_copy, tmp_path):
    files = export(example_copy, tmp_path / "csv")
    practice, _ = check_practice(example_copy)
    answers = sum(len(a.answers) for c in practice.clients for a in c.administrations() if a.answers is not None)
    assert len(files["item_answers.csv"]) == answers
    measurements = sum(len(s.measurements) for c in practice.clients for s in c.sessions)
    assert len(files["goal_measurements.csv"]) == measurements
    assert len(files["contacts.csv"]) == sum(len(c.sessions) for c in practice.clients)
    assert {r["end_reason"] for r in files["clients.csv"] if r["client_id"] == "erin-s"} == {"planned"}
    steps = {(r["client_id"], r["step_id"]): r["minutes"] for r in files["action_steps.csv"]}
    assert steps == {(c.id, st.id): "" if st.minutes is None else str(st.minutes)
                     for c in practice.clients for g in c.goals for st in g.steps}


def test_the_dictionary_describes_every_column_of_every_file(example_copy, tmp_path):
    out = tmp_path / "csv"
    files = export(example_copy, out)
    described = {(r["file"], r["column"]) for r in files["data_dictionary.csv"] if r["column"]}
    assert all(r["description"] for r in files["data_dictionary.csv"])
    for path in out.glob("*.csv"):
        if path.name == "data_dictionary.csv":
            continue
        header = next(csv.reader(path.open(encoding="utf-8")))
        assert {(path.name, h) for h in header} <= described, path.name
    assert len(described) == sum(len(next(csv.reader(p.open(encoding="utf-8")))) for p in out.glob("*.csv")
                                 if p.name != "data_dictionary.csv")


def test_output_is_deterministic_and_owner_only(example_copy, tmp_path):
    export(example_copy, tmp_path / "one")
    export(example_copy, tmp_path / "two")
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    assert one == {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert stat.S_IMODE((tmp_path / "one").stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (tmp_path / "one").iterdir())
    assert (tmp_path / "one" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_default_folder_is_inside_the_practice_and_git_ignored(example_copy):
    result = CliRunner().invoke(main, ["export", "csv", "--practice", str(example_copy)])
    assert result.exit_code == 0, result.output
    assert (example_copy / "_export" / "csv" / "clients.csv").is_file()
    # and the practice still checks clean of errors with the export inside it
    _, problems = check_practice(example_copy)
    assert not [p for p in problems if p.is_error]


def test_pseudonyms_are_keyed_consistent_stable_and_leave_out_free_text(example_copy, tmp_path, config_home):
    files = export(example_copy, tmp_path / "p1", "--pseudonymise")
    key = config_home / "goalbook" / "pseudonym.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    ids = {r["client_id"] for r in files["clients.csv"]}
    assert len(ids) == 7 and all(i.startswith("p-") and len(i) == 18 for i in ids)
    for name, rows in files.items():
        if rows and "client_id" in rows[0]:
            assert {r["client_id"] for r in rows} <= ids, name  # the same hash in every file
    # Stable between exports with the same key; different with another key.
    assert export(example_copy, tmp_path / "p2", "--pseudonymise") == files
    other = export(example_copy, tmp_path / "p3", "--pseudonymise", "--key-file", str(tmp_path / "other.key"))
    assert not ids & {r["client_id"] for r in other["clients.csv"]}
    # No real id, name, note or session path anywhere.
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "p1").glob("*.csv")
                     if p.name != "data_dictionary.csv")
    for leak in ("ana-r", "Ana R.", "Erin", "clients/", "panic", "Box breathing"):
        assert leak not in text, leak
    assert "name" not in files["clients.csv"][0] and "notes" not in files["contacts.csv"][0]


def test_a_damaged_key_file_is_refused_with_a_hint(example_copy, tmp_path):
    bad = tmp_path / "bad.key"
    bad.write_text("not hex\n")
    result = CliRunner().invoke(main, ["export", "csv", "--practice", str(example_copy), "--out",
                                       str(tmp_path / "x"), "--pseudonymise", "--key-file", str(bad)])
    assert result.exit_code != 0 and "not a goalbook pseudonym key" in result.output
    assert not (tmp_path / "x").exists()


def test_a_practice_with_errors_is_not_exported(example_copy, tmp_path):
    client = example_copy / "clients" / "ana-r" / "client.yaml"
    client.write_text(client.read_text(encoding="utf-8").replace("status: active", "status: happy"), encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "csv", "--practice", str(example_copy), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "clients/ana-r/client.yaml:" in result.output and "Not exported" in result.output
    assert not (tmp_path / "x").exists()
