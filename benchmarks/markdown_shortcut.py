"""What the plain-prose shortcut of ``render/markdown.py`` saves on a cold build.

    python benchmarks/markdown_shortcut.py PRACTICE [--rounds N]

1. Every note of the practice (client, goal and session notes, private ones too) rendered with
   the shortcut and with markdown-it alone, in this process, best of three.
2. Cold builds (no cache, a new process each, kept to that one process so that its CPU time is
   the whole cost) with the shortcut and without it, alternating, ``--rounds`` of each; the
   practice's ``.goalbook-cache/`` is removed before each.
The shortcut is worth keeping only if it saves more than 5 % of a cold build.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = """
import sys, threading, time
from pathlib import Path
from goalbook.render import markdown
if sys.argv[3] == "off":
    markdown._shortcut = lambda text: None
# A second thread keeps the whole build in this one process, so its CPU time is the whole cost.
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
from goalbook.build import build_book
start, cpu = time.perf_counter(), time.process_time()
result = build_book(Path(sys.argv[1]), Path(sys.argv[2]))
print(time.perf_counter() - start, time.process_time() - cpu, result.ok)
"""


def notes(root: Path) -> list[str]:
    from goalbook.records.load import load_practice

    practice, _problems = load_practice(root)
    assert practice is not None
    found = []
    for client in practice.clients:
        found += [client.notes, getattr(client, "private_notes", "")]
        found += [goal.notes for goal in client.goals]
        for session in client.sessions:
            found += [session.notes, session.private_notes]
    return [text for text in found if text and text.strip()]


def time_notes(texts: list[str]) -> tuple[float, float, int]:
    from goalbook.render import markdown

    markdown._parser()  # import and set up markdown-it outside the timing
    real = markdown._shortcut
    taken = sum(real(text) is not None for text in texts)
    best = {}
    for name, shortcut in (("with", real), ("without", lambda text: None)):
        markdown._shortcut = shortcut
        best[name] = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for text in texts:
                markdown.render_markdown(text)
            best[name] = min(best[name], time.perf_counter() - start)
    markdown._shortcut = real
    return best["with"], best["without"], taken


def cold_build(root: Path, shortcut: bool) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one cold build, in one process."""
    shutil.rmtree(root / ".goalbook-cache", ignore_errors=True)
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([sys.executable, "-c", BUILD, str(root), str(Path(out) / "book"),
                               "on" if shortcut else "off"], capture_output=True, text=True, check=True)
    seconds, cpu, ok = done.stdout.split()
    assert ok == "True", done.stdout + done.stderr
    return float(seconds), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("practice", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    texts = notes(args.practice)
    with_it, without, taken = time_notes(texts)
    print(f"{len(texts)} notes, {taken} taken by the shortcut: {with_it:.2f} s with it, "
          f"{without:.2f} s with markdown-it alone (saves {without - with_it:.2f} s on one core)")
    builds: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(args.rounds):
        for shortcut in (True, False):
            builds[shortcut].append(cold_build(args.practice, shortcut))
    for what, index in (("wall-clock", 0), ("CPU", 1)):
        on = min(b[index] for b in builds[True])
        off = min(b[index] for b in builds[False])
        print(f"cold build {what}, best of {args.rounds}: {on:.2f} s with the shortcut, {off:.2f} s "
              f"without ({(off - on) / off * 100:+.1f} % of the build without it)")
    cpu_off = min(b[1] for b in builds[False])
    print(f"notes alone: the shortcut saves {(without - with_it) / cpu_off * 100:.1f} % of the CPU of a "
          f"cold build without it")
    shutil.rmtree(args.practice / ".goalbook-cache", ignore_errors=True)


if __name__ == "__main__":
    main()
