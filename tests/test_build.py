"""The build pipeline and the output folder: determinism, safety on errors, permissions, privacy."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from goalbook.build import build_book
from goalbook.cli import main
from goalbook.errors import GoalbookError
from goalbook.output import MARKER

CSP = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'\">")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the manifest as the files it records (its stats differ between copies)."""
    from goalbook.output import MARKER, Manifest

    found = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if MARKER in found:
        manifest = Manifest.from_bytes(found[MARKER])
        found[MARKER] = repr(sorted(manifest.files) if manifest else found[MARKER]).encode()
    return found


def test_builds_caseload_and_one_page_per_client(small_practice):
    result = build_book(small_practice)
    assert result.ok and not [p for p in result.problems if p.is_error]
    assert result.out == small_practice / "_book"
    assert result.clients == 2 and result.pages == 4
    assert sorted(tree(result.out)) == [MARKER, "clients/ab.html", "clients/cd.html", "index.html", "outcomes.html"]


def test_two_builds_are_byte_identical(small_practice, tmp_path):
    first = build_book(small_practice, tmp_path / "one")
    second = build_book(small_practice, tmp_path / "two")
    assert first.ok and second.ok
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_a_rebuild_leaves_unchanged_files_untouched(small_practice):
    out = build_book(small_practice).out
    before = {p: os.stat(out / p).st_ino for p in tree(out)}
    build_book(small_practice)
    after = {p: os.stat(out / p).st_ino for p in tree(out)}
    assert before == after  # same inode: the bytes were not rewritten


def test_a_broken_practice_leaves_the_previous_book_byte_for_byte(small_practice):
    out = build_book(small_practice).out
    before = tree(out)
    session = small_practice / "clients/ab/sessions/2026-03-30.yaml"
    session.write_text(session.read_text().replace("kind: session", "kind: session\nkind: intake"))
    result = build_book(small_practice)
    assert not result.ok
    assert any(p.code == "duplicate-key" and p.path.endswith("2026-03-30.yaml") for p in result.problems)
    assert tree(out) == before
    assert not [p for p in out.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]


def test_permissions_are_owner_only(small_practice):
    out = build_book(small_practice).out
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "clients").stat().st_mode) == 0o700
    for rel in tree(out):
        assert stat.S_IMODE((out / rel).stat().st_mode) == 0o600, rel


def test_never_writes_a_source_file(small_practice):
    sources = {p: p.read_bytes() for p in small_practice.rglob("*.yaml")}
    build_book(small_practice)
    build_book(small_practice, client="ab", share=True)
    assert {p: p.read_bytes() for p in small_practice.rglob("*.yaml")} == sources


def test_refuses_a_folder_it_did_not_write(small_practice, tmp_path):
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "letter.txt").write_text("not ours")
    with pytest.raises(GoalbookError, match="did not write"):
        build_book(small_practice, foreign)
    assert (foreign / "letter.txt").read_text() == "not ours"
    assert sorted(p.name for p in foreign.iterdir()) == ["letter.txt"]


@pytest.mark.parametrize("inside", [".", "clients", "clients/ab"])
def test_refuses_to_write_over_the_practice(small_practice, inside):
    with pytest.raises(GoalbookError):
        build_book(small_practice, small_practice / inside)


def test_every_page_carries_the_privacy_head(small_practice):
    out = build_book(small_practice).out
    share = build_book(small_practice, client="ab", share=True).out
    pages = [out / p for p in tree(out) if p.endswith(".html")]
    assert share in pages and len(pages) == 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!doctype html>\n<html lang=\"en\">")
        assert CSP in html
        assert '<meta name="referrer" content="no-referrer">' in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert '<a class="skip" href="#main">' in html
        # Nothing that could fetch: no script, no external resources, no remote stylesheet.
        assert "<script" not in html and "<link rel=\"stylesheet\"" not in html
        assert not re.search(r'\ssrc=', html)


def test_share_file_has_no_private_notes_and_no_other_client(small_practice, tmp_path):
    result = build_book(small_practice, tmp_path / "share" / "for-alex.html", client="ab", share=True)
    assert result.ok and result.out == tmp_path / "share" / "for-alex.html"
    html = result.out.read_text(encoding="utf-8")
    assert "Alex B." in html and "Your goals" in html and "How you’ve been feeling" in html
    for secret in ("PRIVATE-AB-CLIENT", "PRIVATE-AB-SESSION", "PRIVATE-AB-RISK", "PRIVATE-CD-SESSION",
                   "Private note", "clinician only"):
        assert secret not in html, secret
    # No other client, no caseload, no clinician-only alerts or item-level flags.
    for other in ("Casey D.", "clients/cd", "Walk for 30 minutes", "index.html", "Needs attention",
                  "Critical item", "item 9", "Thoughts of being better off dead"):
        assert other not in html, other
    assert stat.S_IMODE(result.out.stat().st_mode) == 0o600


def test_clinician_page_shows_private_notes_marked_as_such(small_practice):
    html = (build_book(small_practice).out / "clients/ab.html").read_text(encoding="utf-8")
    assert "PRIVATE-AB-SESSION" in html and "PRIVATE-AB-CLIENT" in html
    assert html.count("clinician only · never shared") == 3  # the client's notes and two sessions


def test_share_into_the_output_folder_survives_a_full_rebuild(small_practice):
    share = build_book(small_practice, client="ab", share=True).out
    assert share == small_practice / "_book" / "for-client-ab.html"
    content = share.read_bytes()
    build_book(small_practice)
    assert share.read_bytes() == content


def test_one_client_build_keeps_the_other_pages(small_practice):
    out = build_book(small_practice).out
    before = tree(out)
    result = build_book(small_practice, client="cd")
    assert result.ok and result.pages == 1 and tree(out) == before


def test_unknown_client_is_a_usage_error_with_a_suggestion(small_practice):
    with pytest.raises(GoalbookError, match="did you mean 'ab'"):
        build_book(small_practice, client="abc")


def test_progress_is_reported_for_every_page(small_practice):
    calls: list[tuple[int, int]] = []
    build_book(small_practice, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


# --- the command -------------------------------------------------------------------------------


def test_cli_builds_and_prints_one_summary_line(small_practice):
    result = CliRunner().invoke(main, ["build", str(small_practice), "--quiet"])
    assert result.exit_code == 0 and result.output == ""
    result = CliRunner().invoke(main, ["build", str(small_practice)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"Built 2 clients, 4 pages, 4 warnings in \d+\.\d\d s → .*_book/", last), last


def test_cli_refuses_to_build_on_errors_and_lists_problems_like_check(small_practice):
    out = build_book(small_practice).out
    before = tree(out)
    goals = small_practice / "clients/cd/goals.yaml"
    goals.write_text(goals.read_text().replace("status: active", "status: actve"))
    built = CliRunner().invoke(main, ["build", str(small_practice)])
    checked = CliRunner().invoke(main, ["check", str(small_practice)])
    assert built.exit_code == 1 and checked.exit_code == 1
    assert "clients/cd/goals.yaml:6:13: error: 'actve' is not a goal status" in built.output
    # The same report as `check` (its summary line aside).
    assert checked.output.split("clients/cd/goals.yaml", 1)[1].splitlines()[0] in built.output
    assert "previous book is unchanged" in built.output
    assert tree(out) == before


def test_cli_share_to_an_exact_file(small_practice, tmp_path):
    target = tmp_path / "out" / "alex.html"
    result = CliRunner().invoke(main, ["build", str(small_practice), "--client", "ab", "--share", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.is_file() and "Built 1 client, 1 page" in result.output


def test_cli_share_without_client_is_a_usage_error(small_practice):
    result = CliRunner().invoke(main, ["build", str(small_practice), "--share"])
    assert result.exit_code == 2 and "--client" in result.output


@pytest.mark.parametrize("target, words", [
    ("goalbook.yaml", "this is the practice's settings file, goalbook.yaml"),
    ("clients", "this is inside the practice's clients/ folder, where your records live"),
    ("clients/ab/book", "this is inside the practice's clients/ folder, where your records live"),
])
def test_an_output_among_the_records_is_refused_in_plain_words(small_practice, target, words):
    before = {p: p.read_bytes() for p in small_practice.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["build", str(small_practice), "-o", str(small_practice / target)])
    assert result.exit_code == 2
    assert words in result.output and "hint: choose an output folder of its own" in result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in small_practice.rglob("*") if p.is_file() and ".goalbook-cache" not in p.parts} \
        == {p: b for p, b in before.items() if ".goalbook-cache" not in p.parts}
