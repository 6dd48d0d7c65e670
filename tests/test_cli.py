"""The command line as a whole: help starts without importing the heavy modules; faults never
show a traceback."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from goalbook.cli import main


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for verb in ("init", "new", "check", "build", "watch", "serve", "log", "score", "instruments"):
        assert f"  {verb} " in result.output


def test_help_does_not_import_yaml_jsonschema_or_jinja():
    code = ("import sys; from goalbook.cli import main\n"
            "try: main(['--help'])\nexcept SystemExit: pass\n"
            "print(sorted(m for m in ('yaml', 'jsonschema', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def test_an_internal_fault_in_any_command_is_one_line_and_exit_3(monkeypatch, make_practice):
    root = make_practice()
    from goalbook import build

    def broken(*args, **kwargs):
        raise RuntimeError("something inside goalbook broke")

    monkeypatch.setattr(build, "build_book", broken)
    monkeypatch.delenv("GOALBOOK_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert "internal error (RuntimeError: something inside goalbook broke)" in result.output
    assert "GOALBOOK_DEBUG=1" in result.output


def test_goalbook_debug_shows_the_fault(monkeypatch, make_practice):
    root = make_practice()
    from goalbook import build

    monkeypatch.setattr(build, "build_book", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    monkeypatch.setenv("GOALBOOK_DEBUG", "1")
    result = CliRunner().invoke(main, ["build", str(root)])
    assert isinstance(result.exception, RuntimeError)
