"""The smaller slips a new user met: each through the command line, as they typed it."""

from __future__ import annotations

from click.testing import CliRunner

from goalbook.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_new_client_with_a_number_for_an_id_writes_a_file_check_accepts(tmp_path):
    practice = tmp_path / "p"
    assert run("init", str(practice), "--no-hook").exit_code == 0
    settings = practice / "goalbook.yaml"
    settings.write_text(settings.read_text().replace('name: "Your name"', 'name: "Robin Vale"'))
    assert run("new", "client", "0", "--practice", str(practice)).exit_code == 0
    assert 'id: "0"' in (practice / "clients/0/client.yaml").read_text()
    checked = run("check", str(practice))
    assert "client-id-mismatch" not in checked.output and "is not" not in checked.output.split("hint")[0], \
        checked.output


def test_new_client_takes_the_first_clinician_in_goalbook_yaml(tmp_path):
    practice = tmp_path / "p"
    assert run("init", str(practice), "--no-hook").exit_code == 0
    (practice / "goalbook.yaml").write_text(
        "name: Test Practice\nclinicians:\n  - id: zoe\n    name: Zoe Park\n  - id: al\n    name: Al Moss\n")
    done = run("new", "client", "ana-r", "--practice", str(practice))
    assert done.exit_code == 0, done.output
    assert "clinician: zoe" in (practice / "clients/ana-r/client.yaml").read_text()


def test_an_empty_as_of_or_output_is_refused(small_practice):
    for option in ("--as-of", "-o", "--client"):
        done = run("build", str(small_practice), option, "")
        assert done.exit_code == 2 and "is empty" in done.output, (option, done.output)
    assert not (small_practice / "_book").exists()


def test_a_session_file_ending_in_capitals_is_an_error_with_the_rename(small_practice):
    session = small_practice / "clients/ab/sessions/2026-03-16.yaml"
    session.rename(session.with_name("2026-03-16.YAML"))
    done = run("check", str(small_practice))
    assert done.exit_code == 1
    assert "clients/ab/sessions/2026-03-16.YAML: error:" in done.output
    assert "rename the file to 2026-03-16.yaml" in done.output


def test_two_clients_with_one_name_are_pointed_out(small_practice):
    client = small_practice / "clients/cd/client.yaml"
    other = (small_practice / "clients/ab/client.yaml").read_text().splitlines()[1]  # name: Alex B.
    text = client.read_text()
    name_line = next(line for line in text.splitlines() if line.startswith("name:"))
    client.write_text(text.replace(name_line, other, 1))
    done = run("check", str(small_practice))
    assert "same name" in done.output and "clients/cd/client.yaml:" in done.output, done.output


def test_an_unclosed_quote_is_reported_where_it_opens(small_practice):
    client = small_practice / "clients/ab/client.yaml"
    lines = client.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("hopes:")) + 1
    lines[at] = '  - "To feel less on edge\n'
    lines.insert(at + 1, '  - "To sleep through the night."\n')
    client.write_text("".join(lines))
    done = run("check", str(small_practice))
    assert f"clients/ab/client.yaml:{at + 1}:5: error: this quoted text is never closed" in done.output, done.output


def test_a_gas_level_written_plus_one_is_accepted(small_practice):
    session = small_practice / "clients/ab/sessions/2026-03-30.yaml"
    session.write_text(session.read_text().replace("  ask-help: 0\n", "  ask-help: +1\n"))
    done = run("check", str(small_practice))
    assert done.exit_code == 0, done.output
    assert run("build", str(small_practice)).exit_code == 0


def test_a_day_that_does_not_exist_says_why(small_practice):
    done = run("new", "session", "ab", "--date", "2026-11-31", "--practice", str(small_practice))
    assert done.exit_code == 2 and "November has 30 days" in done.output
    done = run("build", str(small_practice), "--today", "2026-02-29")
    assert "2026 is not a leap year, so February has 28 days" in done.output


def test_a_record_date_that_does_not_exist_says_why(small_practice):
    session = small_practice / "clients/ab/sessions/2026-03-30.yaml"
    session.write_text(session.read_text().replace("date: 2026-03-30", "date: 2026-04-31"))
    done = run("check", str(small_practice))
    assert "April has 30 days" in done.output, done.output
