"""The README's file examples are real: each YAML block with a schema line validates against it."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from goalbook.records import validate, yamlload

BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
SCHEMA = re.compile(r"\$schema=\S*?(\w+)\.schema\.json")


def _examples() -> list[tuple[str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = []
    for block in BLOCK.findall(text):
        kind = SCHEMA.search(block.splitlines()[0])
        if kind:
            found.append((kind.group(1), block))
    return found


def test_readme_has_examples_of_each_file_kind():
    assert {kind for kind, _ in _examples()} == {"client", "goals", "session"}


@pytest.mark.parametrize("kind,block", _examples(), ids=[k for k, _ in _examples()])
def test_readme_example_is_valid(kind, block):
    data, problems = yamlload.load_yaml_bytes(block.encode(), f"README ({kind})")
    assert problems == []
    assert validate.validate(data, kind, f"README ({kind})", block.encode()) == []


# The commands table: `| `goalbook VERB [SUB] ARGS [--option …]` | what it does |`.
ROW = re.compile(r"^\| `goalbook ((?:new |export )?[a-z]+)([^`]*)` \|", re.MULTILINE)


def _command_rows() -> list[tuple[str, list[str]]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [(verb, re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", rest)) for verb, rest in ROW.findall(text)]


def test_readme_lists_every_command():
    verbs = {verb.split()[0] for verb, _ in _command_rows()}
    assert verbs >= {"init", "new", "check", "build", "watch", "serve", "log", "score", "instruments"}


@pytest.mark.parametrize("verb,options", _command_rows(), ids=[v for v, _ in _command_rows()])
def test_readme_command_options_exist(verb, options):
    """Every option the README shows for a command is one the command accepts (its --help lists it)."""
    from click.testing import CliRunner

    from goalbook.cli import main

    result = CliRunner().invoke(main, [*verb.split(), "--help"])
    assert result.exit_code == 0, result.output
    for option in options:
        assert re.search(rf"(?<![\w-]){re.escape(option)}\b", result.output), (verb, option)
