"""The build's progress bar: click's, drawn at a terminal for builds of many pages only."""

from __future__ import annotations

import io

from goalbook.commands.build import PROGRESS_MIN_PAGES, PageBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_build_draws_the_bar_up_to_the_last_page_and_gives_the_cursor_back():
    screen = Terminal()
    bar = PageBar(screen)
    total = PROGRESS_MIN_PAGES + 10
    for done in (0, 1, total // 2, total):
        bar(done, total)
    bar.close()
    drawn = screen.getvalue()
    assert "Building" in drawn
    assert f"{total // 2}/{total}" in drawn
    assert f"{total}/{total}" in drawn
    assert "[" + "#" * 36 + "]" in drawn  # full
    assert drawn.endswith("\x1b[?25h\n")  # the cursor shown again, the summary on a line of its own


def test_a_short_build_draws_nothing():
    screen = Terminal()
    bar = PageBar(screen)
    for done in range(PROGRESS_MIN_PAGES):
        bar(done, PROGRESS_MIN_PAGES - 1)
    bar.close()
    assert screen.getvalue() == ""
