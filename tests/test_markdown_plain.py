"""The plain-prose shortcut of render_markdown must give exactly what markdown-it gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from goalbook.render import markdown
from goalbook.render.markdown import render_markdown

EXAMPLE = Path(__file__).resolve().parents[1] / "example-practice"

# Characters the shortcut accepts, and neighbours that must send a note to markdown-it.
PIECES = ["Ana", "slept", "well", " ", " ", "  ", "\n", "\n", "\n\n", "\n \n", ",", ".", ";", ":", "'", "?",
          "(", ")", "%", "/", '"', "-", "--", "---", "1", "1.", "2)", "7", "é", "–", "→", "\u00a0", "\u2028",
          "*", "**", " *Ana*", "**8 out of 10**", "*", " **x", "y* ", "***", "\t", "=", "==", "*", "_", "#", ">", "<b>", "&amp;", "&", "[x](#a)", "`", "\\", "+", "\r\n", "    "]

SAFE = PIECES[:PIECES.index("\t")]


def markdown_it(text: str) -> str:
    return markdown._parser().render(text).strip()


def test_plain_prose_takes_the_shortcut_and_matches_markdown_it():
    text = 'Slept 7 hours; "better than before" (she said).\nWalked 20% further -- twice.\n\nNext: rest.\n'
    assert markdown._shortcut(text) is not None
    assert render_markdown(text) == markdown_it(text)
    assert render_markdown(text) == ('<p>Slept 7 hours; &quot;better than before&quot; (she said).\n'
                                     'Walked 20% further -- twice.</p>\n<p>Next: rest.</p>')


def test_simple_emphasis_takes_the_shortcut():
    text = 'Rated it *during* the meeting: **8 out of 10** ("*hard*").\n'
    assert markdown._shortcut(text) is not None
    assert render_markdown(text) == markdown_it(text)
    assert "<em>during</em>" in render_markdown(text) and "<strong>8 out of 10</strong>" in render_markdown(text)


def test_block_starts_are_left_to_markdown_it():
    for text in ["Plan:\n- walk", "Plan\n---", "Plan\n===", "1. walk", "Walk  \nrest", "Walk\n    code",
                 "A\u00a0\nB", "Rest\t", "a _b_", "a *b* *c", "*a **b** c*", "* item"]:
        assert markdown._shortcut(text) is None
        assert render_markdown(text) == markdown_it(text)


def test_every_example_note_renders_as_markdown_it_renders_it():
    seen = 0
    for path in sorted(EXAMPLE.glob("clients/*/sessions/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("notes", "private_notes"):
            if data.get(key):
                seen += 1
                assert render_markdown(data[key]) == markdown_it(data[key]), path
    assert seen > 10


def random_notes_agree(count: int) -> None:
    rng = random.Random(6)
    shortcut = 0
    for _ in range(count):
        pieces = SAFE if rng.random() < 0.5 else PIECES
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        if not text.strip():
            continue
        shortcut += markdown._shortcut(text) is not None
        assert render_markdown(text) == markdown_it(text), repr(text)
    assert shortcut > count // 40  # the shortcut itself was exercised, not only markdown-it


def test_random_notes_agree_with_markdown_it():
    random_notes_agree(3000)


@pytest.mark.slow
def test_many_random_notes_agree_with_markdown_it():
    random_notes_agree(20000)


# Every code point below U+0800 and around each boundary of the classes; the long form takes all.
SOME_CODE_POINTS = sorted(set(range(0x800)) | set(range(0xFF00, 0x10100)) | set(range(0x10FF00, 0x110000))
                          | set(random.Random(6).sample(range(0x800, 0x110000), 20000)))


def test_the_classes_written_as_complements_hold_exactly_the_characters_meant():
    complements_hold(SOME_CODE_POINTS)


@pytest.mark.slow
def test_the_classes_written_as_complements_hold_for_every_code_point():
    complements_hold(range(0x110000))


def complements_hold(code_points) -> None:
    """markdown.beyond_latin1 writes "these ASCII characters and U+00A1–U+FFFF" as a complement
    (it compiles much faster); compared here with the class written out."""
    import re

    for ascii_chars, written_out in [
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\"'(", r"""[A-Za-z"'(\u00a1-\uffff]"""),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ,;:'?(%/\"-", r"""[A-Za-z ,;:'?(%/"\u00a1-\uffff-]"""),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,.;:'?()%/\"-",
         r"""[A-Za-z0-9 ,.;:'?()%/"\u00a1-\uffff-]"""),
        ("]^\\-[", r"[\]\^\\\-\[\u00a1-\uffff]"),  # characters that are special inside a class
    ]:
        fast, slow = re.compile(markdown.beyond_latin1(ascii_chars)), re.compile(written_out)
        differ = [hex(c) for c in code_points if bool(fast.fullmatch(chr(c))) != bool(slow.fullmatch(chr(c)))]
        assert differ == [], (ascii_chars, differ[:5])
