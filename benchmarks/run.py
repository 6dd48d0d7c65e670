"""Measure goalbook against the parse floor, at the scale of a group practice.

    python benchmarks/run.py                      # 100 and 1,000 clients × 40 sessions
    python benchmarks/run.py --clients 100        # quick mode: one size
    python benchmarks/run.py --keep /tmp/gb-bench --markdown --json results.json

For each size it writes a synthetic practice (``make_practice.py``; into a temporary folder, or
reused from ``--keep DIR``) and runs every stage in a fresh Python process, one after another:

    floor       read and parse every YAML file with libyaml (yaml.CSafeLoader), in one process
    check       cold `check` (no cache)
    check-warm  `check` again, with the cache the first check left
    build       cold `build` (no cache, no book)
    rebuild     `build` again with nothing changed
    edit-one    `build` after editing one session file
    watch       in `watch`, the time from saving a session file until its page has changed

Each stage reports the time spent in the library call ("work", what a long-running `watch` pays)
and the time of the whole process (interpreter start and imports included); ratios are work ÷
floor work, measured in the same run. Peak memory is the child's maximum resident set size
(``os.wait4``, which also counts the children it waited for, such as a process pool).
A stage whose goalbook module does not exist yet is shown as missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_practice import make_practice

STAGES = ("floor", "check", "check-warm", "build", "rebuild", "edit-one", "watch")
# As ratios to the floor: the work of the library call, except edit-one, whose target is the whole
# process (interpreter start included; the "process × floor" column).
TARGETS = {"build": 1.3, "rebuild": 0.1, "edit-one": 0.08}
CACHE = ".goalbook-cache"
BOOK = "_book"


# --- the child: one stage in a fresh process -------------------------------------------------


def yaml_files(root: Path) -> list[Path]:
    """Every YAML file goalbook reads (hidden folders, the book and the cache skipped)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        found += [Path(folder, f) for f in sorted(files) if f.endswith((".yaml", ".yml"))]
    return found


def stage_floor(root: Path) -> dict:
    import yaml

    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    start = time.perf_counter()
    files = yaml_files(root)
    for path in files:
        yaml.load(path.read_bytes(), Loader=loader)
    return {"seconds": time.perf_counter() - start, "files": len(files), "libyaml": yaml.__with_libyaml__}


def stage_check(root: Path) -> dict:
    from goalbook.checks import run_checks  # what `goalbook check` runs

    start = time.perf_counter()
    problems = run_checks(root).problems
    seconds = time.perf_counter() - start
    errors = [p for p in problems if p.severity == "error"]
    return {"seconds": seconds, "errors": len(errors), "warnings": len(problems) - len(errors),
            "first_error": f"{errors[0].location()}: {errors[0].message}" if errors else ""}


def stage_build(root: Path) -> dict:
    from goalbook.build import build_book

    start = time.perf_counter()
    result = build_book(root, root / BOOK)
    seconds = time.perf_counter() - start
    errors = [p for p in result.problems if p.severity == "error"]
    return {"seconds": seconds, "ok": bool(result.ok), "pages": getattr(result, "pages", None),
            "errors": len(errors), "first_error": f"{errors[0].location()}: {errors[0].message}" if errors else ""}


def stage_watch(root: Path) -> dict:
    """Start `watch`, save one session file by rename (as editors do), time until its page changed."""
    import threading

    from goalbook.live import watch

    out = root / BOOK
    stop = threading.Event()
    builds: list[float] = []
    thread = threading.Thread(
        target=watch.watch, args=(root, out), kwargs={"on_build": lambda *a, **k: builds.append(time.perf_counter()),
                                                      "stop_event": stop}, daemon=True)
    thread.start()
    session, page = edit_target(root)
    deadline = time.monotonic() + 600
    while not builds and time.monotonic() < deadline:  # the first build when watch starts
        time.sleep(0.01)
    time.sleep(0.5)  # let the observer settle
    before = page.read_bytes() if page.exists() else b""
    original = session.read_bytes()
    try:
        edited = edit_bytes(original, 2)
        tmp = session.with_name(".~" + session.name)
        start = time.perf_counter()
        tmp.write_bytes(edited)
        os.replace(tmp, session)
        changed = None
        while time.perf_counter() - start < 60:
            try:
                if page.read_bytes() != before:
                    changed = time.perf_counter() - start
                    break
            except FileNotFoundError:
                pass  # the book is being swapped in
            time.sleep(0.005)
    finally:
        stop.set()
        thread.join(10)
        session.write_bytes(original)
    if changed is None:
        return {"seconds": None, "note": "the page did not change within 60 s"}
    return {"seconds": changed, "page": str(page.relative_to(root))}


def edit_target(root: Path) -> tuple[Path, Path]:
    """The session file the edit stages change (a middle client, a middle session) and its page."""
    clients = sorted(p for p in (root / "clients").iterdir() if p.is_dir())
    client = clients[len(clients) // 2]
    sessions = sorted((client / "sessions").glob("*.yaml"))
    return sessions[len(sessions) // 2], root / BOOK / "clients" / f"{client.name}.html"


def edit_bytes(data: bytes, minutes: int) -> bytes:
    """The same session a few minutes later: a real change that stays valid."""
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("time: "):
            hh, mm = line.split('"')[1].split(":")
            lines[i] = f'time: "{hh}:{(int(mm) + minutes) % 60:02d}"\n'
            return "".join(lines).encode("utf-8")
    return (text + "# edited\n").encode("utf-8")


def switch_off_speedups() -> None:
    """``--baseline``: goalbook without its speed seam (no store, no workers, jsonschema on every file)."""
    from goalbook import fastschema
    from goalbook.incremental import session

    os.environ["GOALBOOK_NO_CACHE"] = "1"
    fastschema.is_valid = lambda data, kind: False
    session.PARALLEL_MIN = 10**9


def run_stage(name: str, root: Path) -> dict:
    if os.environ.get("GOALBOOK_BENCH_BASELINE") == "1":
        switch_off_speedups()
    functions = {"floor": stage_floor, "check": stage_check, "check-warm": stage_check, "build": stage_build,
                 "rebuild": stage_build, "edit-one": stage_build, "watch": stage_watch}
    try:
        return functions[name](root)
    except ModuleNotFoundError as err:
        if err.name and err.name.startswith("goalbook"):
            return {"missing": err.name}
        raise
    except ImportError as err:  # the module exists but is half-written
        return {"missing": str(err)}


# --- the parent: prepare each stage, run it in a child, collect ---------------------------------


@dataclass
class Result:
    clients: int
    sessions: int
    stage: str
    seconds: float | None = None  # work inside the process
    process_seconds: float | None = None  # the whole child process
    peak_mb: float | None = None
    ratio: float | None = None
    note: str = ""


def child(stage: str, root: Path) -> tuple[dict, float, float]:
    """Run one stage in a fresh interpreter; its report, process seconds and peak RSS in MB."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        # Modules load from their cached bytecode, as after `pip install` (which compiles it):
        # with PYTHONDONTWRITEBYTECODE set, every child would compile goalbook from source again.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--stage", stage, str(root)],
                                stdout=out, cwd=root, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        return {"failed": f"exit {proc.returncode}"}, seconds, usage.ru_maxrss / 1024
    return json.loads(text.strip().splitlines()[-1]), seconds, usage.ru_maxrss / 1024  # ru_maxrss is KiB


def prepare(stage: str, root: Path) -> None:
    if stage in ("check", "build"):  # cold: no cache, no book
        shutil.rmtree(root / CACHE, ignore_errors=True)
    if stage == "build":
        shutil.rmtree(root / BOOK, ignore_errors=True)


def measure(clients: int, sessions: int, seed: int, keep: Path | None, stages: list[str],
            repeat: int = 1) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="goalbook-bench-") as tmp:
        root = (keep or Path(tmp)) / f"practice-{clients}x{sessions}-s{seed}"
        if not (root / "goalbook.yaml").is_file():
            print(f"writing {clients} clients × {sessions} sessions to {root} …", file=sys.stderr)
            make_practice(root, clients, sessions, seed)
        for path in yaml_files(root):  # the page cache warm for every stage alike
            path.read_bytes()
        session, _ = edit_target(root)
        original = session.read_bytes()
        results: list[Result] = []
        floor = None
        try:
            for stage in stages:
                runs = []
                for attempt in range(max(1, repeat)):
                    prepare(stage, root)
                    if stage == "edit-one":  # a different edit each time, so each build has work to do
                        session.write_bytes(edit_bytes(original, 1 + attempt))
                    print(f"  {clients} clients: {stage} …", file=sys.stderr)
                    runs.append(child(stage, root))
                # the fastest run: the others were slowed down by something else on the machine
                report, process_seconds, _ = min(runs, key=lambda r: (r[0].get("seconds") is None, r[0].get("seconds") or 0))
                peak = max(r[2] for r in runs)
                result = Result(clients, sessions, stage, report.get("seconds"), process_seconds, peak)
                if "missing" in report:
                    result.note = f"missing: {report['missing']}"
                    result.process_seconds = result.peak_mb = None
                elif "failed" in report:
                    result.note = report["failed"]
                elif report.get("first_error"):
                    result.note = f"{report['errors']} errors, first: {report['first_error']}"
                elif report.get("note"):
                    result.note = report["note"]
                if stage == "floor":
                    floor = result.seconds
                    result.note = f"{report.get('files')} files"
                if floor and result.seconds is not None:
                    result.ratio = result.seconds / floor
                results.append(result)
        finally:
            session.write_bytes(original)
        return results


# --- reporting -----------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import yaml

    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "pyyaml": f"{yaml.__version__} ({'libyaml' if yaml.__with_libyaml__ else 'pure Python'})",
            "system": f"{platform.system()} {platform.release()}"}


def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table(results: list[Result], markdown: bool) -> str:
    head = ["clients", "stage", "work s", "× floor", "target", "process s", "process × floor", "peak MB", "note"]
    floors = {r.clients: r.seconds for r in results if r.stage == "floor"}
    rows = [[str(r.clients), r.stage, fmt(r.seconds, ".3f"), fmt(r.ratio, ".3f"),
             f"≤ {TARGETS[r.stage]}" if r.stage in TARGETS else "", fmt(r.process_seconds, ".2f"),
             fmt(r.process_seconds / floors[r.clients] if r.process_seconds and floors.get(r.clients) else None, ".3f"),
             fmt(r.peak_mb, ".0f"), r.note] for r in results]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    return "\n".join("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip() for row in [head, *rows])


def scaling(results: list[Result]) -> list[str]:
    """Time per client for each stage across sizes: flat means linear growth."""
    lines = []
    for stage in STAGES:
        per = [(r.clients, r.seconds / r.clients) for r in results if r.stage == stage and r.seconds]
        if len(per) > 1:
            lines.append(f"{stage}: " + ", ".join(f"{1000 * s:.2f} ms/client at {n}" for n, s in per))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, action="append", help="practice size (repeatable); default 100 and 1000")
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write (or reuse) the practices here instead of a temp folder")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated, from {', '.join(STAGES)}")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables for benchmarks/README.md")
    parser.add_argument("--json", type=Path, help="also save the results as JSON")
    parser.add_argument("--baseline", action="store_true",
                        help="measure with the speed seam switched off (no store, no workers, no compiled schema check)")
    parser.add_argument("--repeat", type=int, default=1, help="run each stage N times and keep the fastest")
    parser.add_argument("--stage", help=argparse.SUPPRESS)  # internal: run one stage in this process
    parser.add_argument("practice", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.practice.resolve())))
        return 0
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(unknown)}")
    if "floor" in stages:
        stages.remove("floor")
    stages.insert(0, "floor")  # ratios need the floor first
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    if args.baseline:
        os.environ["GOALBOOK_BENCH_BASELINE"] = "1"  # read by each stage's child process
    results: list[Result] = []
    for clients in args.clients or [100, 1000]:
        results += measure(clients, args.sessions, args.seed, args.keep and args.keep.resolve(), stages, args.repeat)
    info = machine()
    about = (f"{info['cpus']} CPUs ({info['cpu']}), Python {info['python']}, PyYAML {info['pyyaml']}, "
             f"{info['system']}")
    print(about if not args.markdown else f"Machine: {about}\n")
    print(table(results, args.markdown))
    lines = scaling(results)
    if lines:
        print("\nTime per client (flat = linear):" if not args.markdown else "\nTime per client (flat = linear):\n")
        print("\n".join(("- " if args.markdown else "  ") + line for line in lines))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": [asdict(r) for r in results]}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
