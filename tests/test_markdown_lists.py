"""The shortcut of render_markdown for simple lists and lines that start with a number
must give exactly what markdown-it gives (see tests/test_markdown_plain.py for plain prose)."""

from __future__ import annotations

import random

import pytest
from test_markdown_plain import markdown_it

from goalbook.render import markdown
from goalbook.render.markdown import render_markdown

# Lines the shortcut accepts, and neighbours that must send a note to markdown-it.
LINES = ["Walk for 30 minutes", "For next time:", '"Quoted" words (yes)', "It's *fine* now", "**Bold** start",
         "5-4-3-2-1 grounding", "20% done", "3 walks", "10:30 call", "é ok", "– dash",
         "- Walk", "- Screens off at 22:30", "- *em* item", "- **b**", "- 5-4-3-2-1 grounding", "- é item", "- (paren)",
         "- 'q'", '- item with "quote"', "", "", "",
         "2023", "1. one", "2) two", "5.5 h", "-  two spaces", "- ", "-", "- - x", "- 1. x", "- 2023", "-x", "* star",
         "+ plus", "  - indented", "    code", " lead", "trail ", "trail  ", "---", "===", "# h", "> q", "- #", "- >",
         "- a\u00a0b", "Line\twith tab", "- <b>", "- a & b", "- [x](#a)", "- `c`", "- -", "*a **b** c*"]
SAFE = LINES[:LINES.index("2023")]


def test_a_note_ending_in_a_list_takes_the_shortcut():
    text = "Slept better; walked twice.\n\nFor next time:\n\n- A five-minute *shutdown* ritual\n- 5-4-3-2-1 grounding\n"
    assert markdown._shortcut(text) is not None
    assert render_markdown(text) == markdown_it(text)
    assert render_markdown(text) == ("<p>Slept better; walked twice.</p>\n<p>For next time:</p>\n<ul>\n"
                                     "<li>A five-minute <em>shutdown</em> ritual</li>\n<li>5-4-3-2-1 grounding</li>\n</ul>")


def test_lists_that_are_not_simple_are_left_to_markdown_it():
    for text in ["Plan:\n- walk", "- walk\nrest", "- walk\n\n- rest", "- walk\n  rest", "- 1. walk", "1. walk",
                 "2) walk", "- walk\n* rest", "-  walk", "- walk  \n- rest", "- walk\n---", "Walk\n- - -"]:
        assert markdown._shortcut(text) is None, repr(text)
        assert render_markdown(text) == markdown_it(text)


def test_random_notes_with_lists_agree_with_markdown_it():
    random_lists_agree(4000)


@pytest.mark.slow
def test_many_random_notes_with_lists_agree_with_markdown_it():
    random_lists_agree(30000)


def random_lists_agree(count: int) -> None:
    rng = random.Random(6)
    lists = 0
    for _ in range(count):
        lines = SAFE if rng.random() < 0.5 else LINES
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(1, 9)))
        text = ("\n" if rng.random() < 0.2 else "") + text + ("\n" if rng.random() < 0.5 else "")
        if not text.strip():
            continue
        html = markdown._shortcut(text)
        lists += html is not None and "<ul>" in html
        assert render_markdown(text) == markdown_it(text), repr(text)
    assert lists > count // 60  # the list shortcut itself was exercised, not only markdown-it
