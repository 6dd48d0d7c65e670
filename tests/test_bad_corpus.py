"""`goalbook check` on every broken practice of tests/data/bad (see its README.md).

For each case: the exit code is the expected one, nothing prints a traceback, every problem has
a path and a line wherever the problem is inside a file, the expected problems are reported at
the expected file and line, and no other kind of problem turns up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from goalbook.checks import CODES
from goalbook.cli import main

CORPUS = Path(__file__).parent / "data" / "bad"
SESSION = "clients/ana-r/sessions/2026-01-26.yaml"

# Problems about a whole file or folder: no line to point at.
WHOLE_FILE = {"missing-file", "unknown-file", "unreadable", "bad-folder-name", "bad-file-name",
              "duplicate-file", "binary", "too-large", "empty", "encoding"}
# Codes of the YAML and schema stages (yamlload.py, validate.py) the corpus must show too.
LOADER_CODES = {"duplicate-key", "syntax", "ambiguous-value", "alias", "too-deep", "too-large", "binary",
                "encoding", "empty", "unknown-field", "missing-field", "bad-value", "bad-date", "wrong-type"}


@dataclass
class Case:
    name: str
    exit: int
    expected: list[tuple[str, str, str, int | None]]  # severity, code, path, line
    delete: list[str] = field(default_factory=list)
    folder: Path | None = None  # overlay from the corpus
    make: object = None  # or a function writing the oddity into the practice

    def build(self, dest: Path) -> Path:
        shutil.copytree(CORPUS / "base", dest)
        if self.folder is not None:
            for path in sorted(self.folder.rglob("*")):
                if path.is_file() and path.name != "EXPECT":
                    target = dest / path.relative_to(self.folder)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
        for rel in self.delete:
            (dest / rel).unlink()
        if self.make is not None:
            self.make(dest)
        return dest


def read_case(folder: Path) -> Case:
    case = Case(folder.name, 1, [], folder=folder)
    for line in (folder / "EXPECT").read_text(encoding="utf-8").splitlines():
        word, _, rest = line.partition(" ")
        if word == "exit":
            case.exit = int(rest)
        elif word == "delete":
            case.delete.append(rest)
        elif word in ("error", "warning"):
            code, _, where = rest.partition(" ")
            path, _, number = where.rpartition(":") if where.rsplit(":", 1)[-1].isdigit() else (where, "", "")
            case.expected.append((word, code, path, int(number) if number else None))
        elif line.strip():
            raise ValueError(f"{folder}/EXPECT: cannot read {line!r}")
    return case


def _write(rel: str, content: bytes):
    def make(root: Path) -> None:
        (root / rel).write_bytes(content)
    return make


def _symlink_loop(root: Path) -> None:
    link = root / "clients/ana-r/sessions/2026-02-02.yaml"
    try:
        os.symlink(link.name, link)  # points at itself
    except (OSError, NotImplementedError):
        pytest.skip("this platform cannot make symlinks")


HEAD = b"date: 2026-01-26\nkind: session\n"
GENERATED = [
    Case("gen-100k-deep-flow", 1, [("error", "too-deep", SESSION, 3)],
         make=_write(SESSION, HEAD + b"notes: " + b"[" * 100_000 + b"]" * 100_000 + b"\n")),
    Case("gen-100k-deep-block", 1, [("error", "too-deep", SESSION, None)],
         make=_write(SESSION, HEAD + b"notes:\n" + b"- " * 100_000 + b"x\n")),
    Case("gen-3mb-file", 1, [("error", "too-large", SESSION, None)],
         make=_write(SESSION, HEAD + b"notes: |\n" + (b"  " + b"x" * 78 + b"\n") * 40_000)),
    Case("gen-symlink-loop", 0, [("warning", "unreadable", "clients/ana-r/sessions/2026-02-02.yaml", None)],
         make=_symlink_loop),
]
CASES = {c.name: c for c in [read_case(f) for f in sorted((CORPUS / "cases").iterdir())] + GENERATED}


def _relative(problem: dict, root: Path) -> dict:
    prefix = f"{root}/"
    assert problem["path"].startswith(prefix), problem
    return {**problem, "path": problem["path"][len(prefix):]}


def assert_report(case: Case, problems: list[dict]) -> None:
    for p in problems:
        assert p["path"] and p["message"] and p["code"], p
        if p["code"] not in WHOLE_FILE:
            assert p["line"] >= 1 and p["column"] >= 1, p
    found = {(p["severity"], p["code"], p["path"], p["line"]) for p in problems}
    for severity, code, path, line in case.expected:
        if line is None:
            assert any(f[:3] == (severity, code, path) for f in found), (case.name, code, sorted(found))
        else:
            assert (severity, code, path, line) in found, (case.name, code, line, sorted(found))
    assert {p["code"] for p in problems} <= {e[1] for e in case.expected}, (case.name, sorted(found))


@pytest.mark.parametrize("name", CASES)
def test_case_with_click_runner(tmp_path, name):
    case = CASES[name]
    root = case.build(tmp_path / "practice")
    text = CliRunner().invoke(main, ["check", str(root)])
    assert "Traceback" not in text.output and text.exception is None or isinstance(text.exception, SystemExit)
    assert text.exit_code == case.exit, text.output
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    assert result.exit_code == case.exit
    assert_report(case, [_relative(p, root) for p in json.loads(result.stdout)])


@pytest.mark.parametrize("name", CASES)
def test_case_in_a_real_process(tmp_path, name):
    case = CASES[name]
    root = case.build(tmp_path / "practice")
    env = {k: v for k, v in os.environ.items() if k != "GOALBOOK_DEBUG"}
    proc = subprocess.run([sys.executable, "-m", "goalbook", "check", str(root)],
                          check=False, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == case.exit, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.splitlines()[-1].endswith(" s)")  # the summary line


def test_base_practice_is_clean(tmp_path):
    base = shutil.copytree(CORPUS / "base", tmp_path / "base")
    result = CliRunner().invoke(main, ["check", str(base)])
    assert result.exit_code == 0 and result.stdout == "", result.output


def test_corpus_covers_every_code():
    expected = {e[1] for case in CASES.values() for e in case.expected}
    assert set(CODES) | LOADER_CODES <= expected, sorted(set(CODES) | LOADER_CODES - expected)
    assert len([c for c in CASES.values() if c.folder is not None]) >= 30
