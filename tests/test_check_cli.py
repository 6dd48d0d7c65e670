"""`goalbook check` as a therapist meets it: exit codes, `path:line:col` output, JSON, --strict.

Each broken practice is the clean one of test_check.py with one mistake; every test asserts the
exit code and the file and line the mistake is reported at.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_check import CLEAN, CLIENT, GOALS, SESSION_2, C, line_of, with_changes

from goalbook import checks
from goalbook.cli import main

S2 = f"{C}/sessions/2026-01-26.yaml"


def run(root, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["check", str(root), *args], env=env)


def located(result, root, rel: str, line: int) -> bool:
    """The text output names ``rel`` at ``line`` in the editor's `path:line:col:` form."""
    return f"{root}/{rel}:{line}:" in result.stdout


def problems_json(root, *args: str) -> list[dict]:
    result = run(root, "--format", "json", *args)
    return json.loads(result.stdout)


def test_clean_practice_exits_0_with_a_summary(make_practice):
    result = run(make_practice(CLEAN))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("0 errors, 0 warnings in 5 files (")


CASES = {
    # name: (files changed, file reported, line or None for the whole file, code)
    "duplicated key": (
        {"goals": GOALS.replace("    baseline: 8\n", "    baseline: 8\n    status: paused\n")},
        f"{C}/goals.yaml", line_of(GOALS, "baseline: 8") + 1, "duplicate-key"),
    "misspelt field": (
        {"goals": GOALS.replace("target_date:", "targte_date:")},
        f"{C}/goals.yaml", line_of(GOALS, "target_date:"), "unknown-field"),
    "broken line": (
        {"s2": SESSION_2.replace("kind: session", "kind: session: weekly")},
        S2, line_of(SESSION_2, "kind: session"), "syntax"),
    "unquoted no": (
        {"goals": GOALS.replace('own_words: "I want to get through my slides without wanting to run out."',
                                "own_words: no")},
        f"{C}/goals.yaml", line_of(GOALS, "own_words"), "ambiguous-value"),
    "answer out of range": (
        {"s2": SESSION_2.replace("[1, 2, 1, 2, 1, 0, 1]", "[1, 2, 1, 2, 1, 0, 7]")},
        S2, line_of(SESSION_2, "gad7"), "answer-out-of-range"),
    "wrong number of answers": (
        {"s2": SESSION_2.replace("[1, 2, 1, 2, 1, 0, 1]", "[1, 2, 1, 2, 1, 0, 1, 2]")},
        S2, line_of(SESSION_2, "gad7"), "wrong-answer-count"),
    "unknown goal": (
        {"s2": SESSION_2.replace("presentations: 6", "presenting: 6")},
        S2, line_of(SESSION_2, "presentations: 6"), "unknown-goal"),
    "date differs from file name": (
        {"s2": SESSION_2.replace("date: 2026-01-26", "date: 2026-01-25")},
        S2, 1, "date-mismatch"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_mistake_exits_1_at_the_right_file_and_line(make_practice, name):
    changes, rel, line, code = CASES[name]
    root = make_practice(with_changes(**changes))
    result = run(root)
    assert result.exit_code == 1, result.output
    assert located(result, root, rel, line), result.stdout
    assert "Traceback" not in result.output
    assert [(p["path"], p["line"]) for p in problems_json(root) if p["code"] == code] == [(f"{root}/{rel}", line)]


def test_binary_file_exits_1_naming_the_file(make_practice):
    files = dict(CLEAN)
    files[S2] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"
    root = make_practice(files)
    result = run(root)
    assert result.exit_code == 1
    assert f"{root}/{S2}: error:" in result.stdout  # no line: the whole file is the problem
    assert [p["code"] for p in problems_json(root)] == ["binary"]


def test_text_output_has_excerpt_caret_and_hint(make_practice):
    root = make_practice(with_changes(s2=SESSION_2.replace("presentations: 6", "presenting: 6")))
    lines = run(root).stdout.splitlines()
    line = line_of(SESSION_2, "presentations: 6")
    assert lines[0] == (f"{root}/{S2}:{line}:3: error: this session measures the goal 'presenting', "
                        "but the client has no goal with that id")
    assert lines[1].endswith(f"{line} |   presenting: 6")
    assert lines[2].endswith("|   ^")
    assert lines[3].startswith("  hint: did you mean 'presentations'?")


def test_json_shape(make_practice):
    root = make_practice(with_changes(s2=SESSION_2.replace("presentations: 6", "presenting: 6")))
    result = run(root, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 1
    assert set(data[0]) == {"path", "line", "column", "severity", "code", "message", "hint"}
    assert data[0]["severity"] == "error" and data[0]["code"] == "unknown-goal" and data[0]["column"] == 3
    assert "error" in result.stderr  # the summary stays out of the JSON


def test_strict_fails_on_warnings(make_practice):
    root = make_practice(with_changes(goals=GOALS.replace("    relevant: Her hope of speaking up in meetings.\n", "")))
    result = run(root)
    assert result.exit_code == 0 and "warning: the goal 'presentations' does not say why it matters" in result.stdout
    assert result.stderr.startswith("0 errors, 1 warning in 5 files")
    assert run(root, "--strict").exit_code == 1


def test_today_option_and_bad_date(make_practice):
    root = make_practice(CLEAN)
    result = run(root, "--today", "2026-01-20")  # the session of 2026-01-26 is then in the future
    assert result.exit_code == 1 and f"{root}/{S2}:1:" in result.stdout
    bad = run(root, "--today", "31/03/2026")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_not_a_practice_is_a_usage_error(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "no goalbook.yaml" in result.output and "Traceback" not in result.output


def test_finds_the_practice_from_a_subfolder(make_practice, monkeypatch):
    root = make_practice(with_changes(s2=SESSION_2.replace("presentations: 6", "presenting: 6")))
    monkeypatch.chdir(root / C)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"../../{S2}:")  # clickable from where the command ran


def test_internal_error_is_one_line_and_exit_3(make_practice, monkeypatch):
    root = make_practice(CLEAN)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(checks, "run_checks", broken)
    result = run(root)
    assert result.exit_code == 3
    assert "internal error" in result.stderr and "please report" in result.stderr
    assert "Traceback" not in result.output
    debug = run(root, env={"GOALBOOK_DEBUG": "1"})
    assert isinstance(debug.exception, ZeroDivisionError)


def test_an_internal_error_while_reading_a_file_names_that_file(make_practice, monkeypatch):
    from goalbook.records import yamlload

    root = make_practice(CLEAN)
    real_path, real_bytes = yamlload.load_yaml, yamlload.load_yaml_bytes

    def broken_on_s2(real):
        def load(source, display, *args, **kwargs):
            if display == S2:
                raise ZeroDivisionError("boom")
            return real(source, display, *args, **kwargs)
        return load

    monkeypatch.setattr(yamlload, "load_yaml", broken_on_s2(real_path))
    monkeypatch.setattr(yamlload, "load_yaml_bytes", broken_on_s2(real_bytes))
    result = run(root, env={"GOALBOOK_NO_CACHE": "1"})
    assert result.exit_code == 3
    assert f"internal error while reading {S2} (ZeroDivisionError)" in result.stderr


def test_colour_only_for_a_terminal_that_wants_it():
    class Tty:
        def isatty(self):
            return True

    assert checks.use_colour(Tty(), {"TERM": "xterm"})
    assert not checks.use_colour(Tty(), {"TERM": "xterm", "NO_COLOR": ""})
    assert not checks.use_colour(Tty(), {"TERM": "dumb"})
    assert not checks.use_colour(object(), {})


def test_a_clinician_reference_in_client_yaml(make_practice):
    root = make_practice(with_changes(client=CLIENT.replace("clinician: tc", "clinician: mk")))
    result = run(root)
    assert result.exit_code == 1 and located(result, root, f"{C}/client.yaml", line_of(CLIENT, "clinician:"))


def test_colour_marks_severity_and_location(make_practice):
    root = make_practice(with_changes(s2=SESSION_2.replace("presentations: 6", "presenting: 6")))
    _, problems = checks.check_practice(root)
    coloured = checks.format_report(problems, root, colour=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured and "\x1b[1m" in coloured
    assert "\x1b[" not in checks.format_report(problems, root)


def test_example_practice_passes(example_practice):
    result = run(example_practice)
    assert result.exit_code == 0, result.output
