"""The README's file examples are real: each YAML block with a schema line validates against it."""

from __future__ import annotations

import re

import pytest

from goalbook import validate, yamlload
from conftest import REPO

BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)
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
