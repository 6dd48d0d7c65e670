"""Time the yes/no schema check of every file of a practice, with each candidate validator.

    python benchmarks/schema_check.py PRACTICE [PRACTICE ...]

The files are parsed once (goalbook's strict YAML loader); then each validator answers "valid?"
for every file, best of three rounds. jsonschema stays for the messages; this decides which
library answers the question asked for every file of every cold build.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from goalbook import resources
from goalbook.records import yamlload
from goalbook.records.schema_formats import FORMATS


def practice_files(root: Path) -> list[tuple[str, Any]]:
    """(kind, data) for every YAML file of the practice, parsed."""
    found = []
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root)
        if rel.parts[0].startswith("."):
            continue
        if rel.as_posix() == "goalbook.yaml":
            kind = "practice"
        elif rel.parts[0] == "instruments":
            kind = "instrument"
        elif len(rel.parts) == 3 and rel.name == "client.yaml":
            kind = "client"
        elif len(rel.parts) == 3 and rel.name == "goals.yaml":
            kind = "goals"
        elif len(rel.parts) == 4 and rel.parts[2] == "sessions":
            kind = "session"
        else:
            continue
        data, _problems = yamlload.load_yaml(path, rel.as_posix())
        if data is not None:
            found.append((kind, data))
    return found


def schema(kind: str) -> dict[str, Any]:
    return json.loads(resources.schema_path(kind).read_text(encoding="utf-8"))


def candidates() -> dict[str, Callable[[str], Callable[[Any], bool]]]:
    def with_jsonschema(kind: str) -> Callable[[Any], bool]:
        from jsonschema import Draft7Validator, FormatChecker

        checker = FormatChecker(formats=())
        for name, check in FORMATS.items():
            checker.checks(name)(check)
        return Draft7Validator(schema(kind), format_checker=checker).is_valid

    def with_fastjsonschema(kind: str) -> Callable[[Any], bool]:
        import fastjsonschema

        check = fastjsonschema.compile(schema(kind), formats=dict(FORMATS))

        def valid(data: Any) -> bool:
            try:
                check(data)
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        return valid

    def with_jsonschema_rs(kind: str) -> Callable[[Any], bool]:
        import jsonschema_rs

        return jsonschema_rs.Draft7Validator(schema(kind), formats=dict(FORMATS),
                                             validate_formats=True).is_valid

    return {"jsonschema": with_jsonschema, "fastjsonschema": with_fastjsonschema,
            "jsonschema-rs": with_jsonschema_rs}


def measure(files: list[tuple[str, Any]]) -> None:
    kinds = sorted({kind for kind, _ in files})
    for name, make in candidates().items():
        start = time.perf_counter()
        checks = {kind: make(kind) for kind in kinds}
        setup = time.perf_counter() - start
        best = float("inf")
        gc.disable()
        for _ in range(3):
            start = time.perf_counter()
            valid = sum(checks[kind](data) for kind, data in files)
            best = min(best, time.perf_counter() - start)
        gc.enable()
        print(f"  {name:<28} {best * 1000:9.1f} ms  ({best / len(files) * 1e6:6.1f} µs a file; "
              f"compile {setup * 1000:.0f} ms; {valid}/{len(files)} valid)")


def main() -> None:
    for root in map(Path, sys.argv[1:]):
        files = practice_files(root)
        print(f"{root}: {len(files)} files")
        measure(files)


if __name__ == "__main__":
    main()
