"""A therapist's first weeks with goalbook, end to end, as the README tells it.

`init`, then the scaffolded files filled in the way a person edits them (remove the `#`, replace
`~`), `check` after every step, commits by two clinicians on the days the sessions happened,
`build`, `log`, `build --as-of` an earlier date, a share page, and `watch` picking up a save.
Everything is fictional.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from goalbook.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CLINICIANS = {"mk": ("Maya Keller", "maya@example.org"), "so": ("Sam Ortiz", "sam@example.org")}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1774958400")  # 2026-03-31 12:00 UTC


def goalbook(*args: str, root: Path) -> str:
    """Run a command from inside the practice, as a user would; fail the test on a non-zero exit."""
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
    assert result.exit_code == 0, f"goalbook {' '.join(args)}:\n{result.output}"
    return result.output


def check_clean(root: Path) -> str:
    """`goalbook check` passes, and nothing in it is an error."""
    output = goalbook("check", root=root)
    assert ": error:" not in output, output
    return output


def commit(root: Path, who: str, day: str, message: str) -> None:
    """Commit everything as ``who`` on ``day`` (the pre-commit hook that `init` installed runs)."""
    name, email = CLINICIANS[who]
    stamp = f"{day}T18:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q", "-m", message],
                   cwd=root, check=True, env=env, capture_output=True)


def edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, (path.name, old)
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def fill_session(path: Path, notes: str, private: str = "", **values: str) -> None:
    """Uncomment a pre-filled line and write its value, keeping the comment after it."""
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        key = key.replace("_", "-")
        line = re.compile(rf"^  # {re.escape(key)}: (\[[^\]\n]*\]|~)", re.MULTILINE)
        text, n = line.subn(f"  {key}: {value}".replace("\\", "\\\\"), text, count=1)
        assert n == 1, (path.name, key, text)
    text = text.replace("notes: |\n\n", f"notes: |\n  {notes}\n\n", 1)
    if private:
        text = text.replace("private_notes: |\n\n", f"private_notes: |\n  {private}\n\n", 1)
    path.write_text(text, encoding="utf-8")


def fill_goal(text: str, goal_id: str, fields: dict[str, str], measure: str, steps: str = "") -> str:
    """Fill in the skeleton `new goal` appended: values before the comments, measure and steps below."""
    start = text.index(f"  - id: {goal_id}\n")
    head, goal = text[:start], text[start:]
    for key, value in fields.items():
        written = f"    {key}: {value}".replace("\\", "\\\\")
        goal, n = re.subn(rf"^    {key}:[^\n#]*(#.*)?$", written, goal, count=1, flags=re.MULTILINE)
        assert n == 1, key
    goal = goal.replace("    measure:                    # how progress is measured; one of:\n",
                        f"    measure:\n{measure}", 1)
    if steps:
        goal = goal.replace("    steps:                      # action steps (homework) and how often:\n",
                            f"    steps:\n{steps}", 1)
    return head + goal


@pytest.fixture
def practice(tmp_path) -> Path:
    """A practice made by `init`, with the placeholder clinician replaced, and a client with goals."""
    root = tmp_path / "harbour-lane"
    out = goalbook("init", str(root), root=tmp_path)
    assert "put your name" in out and (root / ".git/hooks/pre-commit").is_file()
    edit(root / "goalbook.yaml",
         ("  - id: me       ", "  - id: mk       "),
         ('"Your name"', '"Maya Keller"'),
         ("    # role: Counselling psychologist\n",
          "    role: Counselling psychologist\n  - id: so\n    name: Sam Ortiz\n"))
    check_clean(root)

    out = goalbook("new", "client", "lena-h", "--name", "Lena H.", root=root)
    assert "next: write the client's hopes" in out
    edit(root / "clients/lena-h/client.yaml",
         ("start_date: 2026-03-31", "start_date: 2026-01-07"),
         ("status: referred ", "status: active   "),
         ('  # - "To stand up in meetings without my heart racing."',
          '  - "To enjoy weekends again instead of lying in bed."\n  - I want to feel like myself with my kids.'),
         ("  # - id: work-anxiety\n  #   name: Managing anxiety at work\n  #   priority: 1",
          ("  - id: low-mood\n    name: Lifting low mood\n    priority: 1\n"
           "  - id: work-stress\n    name: Anxiety at work\n    priority: 2")),
         ("  # - instrument: phq9 ", "  - instrument: phq9 "),
         ("  #   every_weeks: 4", "    every_weeks: 2"),
         ("private_notes: |\n", "private_notes: |\n  Sister's illness in the autumn: not for the share page.\n"))
    check_clean(root)

    for goal_id in ("mood", "speak-up", "phq"):
        goalbook("new", "goal", "lena-h", "--id", goal_id, root=root)
    goals = root / "clients/lena-h/goals.yaml"
    text = goals.read_text(encoding="utf-8")
    common = {"status": "active", "target_date": "2026-06-30", "review_date": "2026-04-15"}
    text = fill_goal(text, "mood", {
        "title": "Lift my mood through daily activity", "own_words": '"Get out of the house and feel lighter."',
        "category": "behavioral-change", "focus_area": "low-mood", "set_date": "2026-01-14",
        "achievable": "She walked daily until the autumn and has a dog.",
        "relevant": '"Her hope: to enjoy weekends again."', "baseline": "3", "target": "50% higher", **common,
    }, "      type: rating\n      label: Mood today\n",
        "      - id: walk\n        action: Walk for 30 minutes\n        times: 5\n        per: week\n")
    text = fill_goal(text, "speak-up", {
        "title": "Tell my manager when the workload is too much", "own_words": '"Say no without a week of guilt."',
        "category": "communication-skills", "focus_area": "work-stress", "set_date": "2026-01-21",
        "achievable": "She already does this for her team.", "relevant": "More evenings with her children.",
        "baseline": "-1", **common,
    }, "      type: gas\n      weight: 2\n      levels:\n"
       "        much_less: Takes on every extra task and works late\n"
       "        less: Mentions the workload to a colleague only\n"
       "        expected: Raises it once with her manager\n"
       "        more: Raises it and agrees a change\n"
       "        much_more: Raises it whenever it builds up\n",
        "      - id: note-load\n        action: Note the week's extra tasks on Friday\n        times: 1\n        per: week\n")
    text = fill_goal(text, "phq", {
        "title": "Depression score out of the clinical range", "own_words": '"Feel normal again."',
        "category": "emotional-regulation", "focus_area": "low-mood", "set_date": "2026-01-07",
        "achievable": "Moderate depression, good support at home.", "relevant": "Feeling like herself with the kids.",
        "baseline": "16", "target": "9", **common,
    }, "      type: questionnaire\n      instrument: phq9\n",
        "      - id: bedtime\n        action: Lights out by 23:00\n        times: 1\n        per: day\n")
    goals.write_text(text, encoding="utf-8")
    output = check_clean(root)
    assert "goals.yaml" not in output  # every SMART field filled: no warning about the goals
    return root


# PHQ-9 answers: 2+3+2+2+2+2+1+2+0 = 16 → 2+2+2+2+1+1+1+1+0 = 12 → 1+1+1+1+1+1+1+1+0 = 8.
SESSIONS = [
    ("2026-01-07", "mk", {"phq9": "[2, 3, 2, 2, 2, 2, 1, 2, 0]"}, "Intake: a flat autumn since returning to work."),
    ("2026-01-21", "mk", {"phq9": "[2, 2, 2, 2, 1, 1, 1, 1, 0]", "mood": "4", "walk": "3", "bedtime": "9"},
     "Two walks with the dog; *bedtime* slipped at the weekend."),
    ("2026-02-04", "so", {"phq9": "[1, 1, 1, 1, 1, 1, 1, 1, 0]", "mood": "5", "speak_up": "0", "walk": "8",
                          "bedtime": "12", "note_load": "2"},
     "Raised the workload with her manager on Monday."),
]


def test_the_first_weeks_of_practice(practice, tmp_path):
    root = practice
    sessions = root / "clients/lena-h/sessions"
    for day, who, values, notes in SESSIONS:
        out = goalbook("new", "session", "lena-h", "--date", day, root=root)
        assert f"wrote clients/lena-h/sessions/{day}.yaml" in out
        path = sessions / f"{day}.yaml"
        fill_session(path, notes, private="Discussed her sister's illness." if who == "so" else "", **values)
        output = check_clean(root)
        assert "only set on" not in output  # no line offered for a goal that did not exist yet
        commit(root, who, day, f"Lena: session {day}")
    # Before the goals were set, the intake offered nothing to measure for them.
    intake = (sessions / "2026-01-07.yaml").read_text()
    assert "mood:" not in intake and "walk:" not in intake and "phq9: [2, 3" in intake

    # A missed appointment, then a target revised together.
    goalbook("new", "session", "lena-h", "--date", "2026-02-11", "--kind", "did-not-attend", root=root)
    fill_session(sessions / "2026-02-11.yaml", "Did not attend; texted to rebook.")
    edit(root / "clients/lena-h/goals.yaml", ("    target: 9\n", "    target: 7\n"))
    check_clean(root)
    commit(root, "mk", "2026-02-12", "Lena: DNA; PHQ-9 target lowered")

    # The book, the audit trail in words, by two clinicians.
    assert "Built 1 client" in goalbook("build", root=root)
    page = (root / "_book/clients/lena-h.html").read_text()
    assert "Lift my mood through daily activity" in page and "Tell my manager" in page
    log = goalbook("log", "lena-h", root=root)
    assert "Maya Keller" in log and "Sam Ortiz" in log
    assert "target 9 → 7" in log

    # The record as it stood on 25 January: the 4 February session is not in it yet.
    goalbook("build", "--as-of", "2026-01-25", "-o", str(tmp_path / "then"), root=root)
    then = (tmp_path / "then/clients/lena-h.html").read_text()
    assert "Raised the workload" not in then and "Two walks with the dog" in then

    # The client's own page leaves every private note, and by default the clinician's notes, out of the file.
    goalbook("build", "--client", "lena-h", "--share", "-o", str(tmp_path / "share"), root=root)
    shared = (tmp_path / "share/for-client-lena-h.html").read_text()
    assert "Tell my manager" in shared and "For Lena" in shared
    assert "Raised the workload" not in shared
    assert "sister" not in shared.lower()


def test_watch_rebuilds_after_a_save(practice):
    from goalbook.live.watch import watch

    builds: list[object] = []
    rebuilt = threading.Event()
    stop = threading.Event()

    def on_build(result: object) -> None:
        builds.append(result)
        if len(builds) >= 2:
            rebuilt.set()

    thread = threading.Thread(target=watch, args=(practice,), daemon=True,
                              kwargs={"poll": True, "on_build": on_build, "stop_event": stop})
    thread.start()
    try:
        for _ in range(100):  # the first build, bounded
            if builds:
                break
            threading.Event().wait(0.1)
        assert builds, "watch did not build the book"
        edit(practice / "clients/lena-h/client.yaml", ("notes: |\n", "notes: |\n  Referred by her GP.\n"))
        assert rebuilt.wait(20), "watch did not rebuild after a save"
    finally:
        stop.set()
        thread.join(10)
    assert "Referred by her GP." in (practice / "_book/clients/lena-h.html").read_text()
