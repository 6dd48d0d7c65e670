"""Notes as Markdown, safely: raw HTML is shown as text, links only to http(s), mailto and #anchors,
images shown as their text (a book that loads no remote image can make no request)."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(SAFE_SCHEMES) or u.startswith("#")


def _image_as_text(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return str(escape(f"[image: {alt}]" if alt else "[image]"))


def _link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if not href.startswith("#"):
        # Leaving the book must not tell the other site where the reader came from.
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


@cache
def _parser() -> MarkdownIt:
    # Imported on first need: most notes take the shortcut below, and importing markdown-it
    # compiles many regular expressions, a cost a one-edit rebuild should not pay for nothing.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = _validate_link
    md.add_render_rule("image", _image_as_text)
    md.add_render_rule("link_open", _link_open)
    return md


def beyond_latin1(ascii_chars: str) -> str:
    """A character class: ``ascii_chars`` and every character from U+00A1 to U+FFFF.

    Written as its complement, which is the same set: ``re`` compiles a class holding that range
    into a 65,536-entry map, slowly, in every `build` that renders a note (a one-edit rebuild
    included); the complement compiles at once."""
    left_out = "".join(re.escape(chr(c)) for c in range(0x20, 0x7F) if chr(c) not in ascii_chars)
    return rf"[^\x00-\x1f{left_out}\x7f-\xa0\U00010000-\U0010ffff]"


# Plain prose that no Markdown rule can touch: no emphasis, code, link, entity or HTML character,
# and no line that could open a block (list, heading, rule, quote, code: they start with a
# mark, indentation or a number and "." or ")", or end in the spaces of a hard break). Most
# notes are such prose; for them markdown-it's output is simply paragraphs of the lines, with
# `"` escaped, and parsing them is a large part of a page's render time (benchmarks/
# markdown_shortcut.py measures it on a cold build). Anything else goes to markdown-it. tests/test_markdown_plain.py checks the two agree on every note it can
# make of these characters.
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_LINE_START = rf"""(?:{beyond_latin1(_LETTERS + '"' + "'(")}|[0-9]+(?={beyond_latin1(_LETTERS + ' ,;:?(%/-' + '"' + "'")}))"""
_TEXT = _LETTERS + "0123456789,.;:?()%/-\"'"
_PLAIN_LINE = rf"""{_LINE_START}(?:{beyond_latin1(_TEXT + " ")}*{beyond_latin1(_TEXT)})?"""
_PLAIN = re.compile(rf"\n*{_PLAIN_LINE}(?:\n+{_PLAIN_LINE})*\n*")


# Simple emphasis in such prose: `*words*` or `**words**` on one line, starting and ending with a
# letter or digit, opened after a space, a quote or a bracket and closed before one or before
# punctuation. Such a delimiter can only open, or only close (CommonMark's flanking rules), so
# the pairs cannot be read any other way; any other `*` leaves the note to markdown-it.
_EMPHASIS = re.compile(r"""(?:(?<=[ ("'])|(?<=^))(\*\*?)([A-Za-z0-9](?:[^*\n]*[A-Za-z0-9])?)\1(?=[ .,;:?)"']|$)""",
                       re.MULTILINE)


def _tagged(match: re.Match[str]) -> str:
    tag = "strong" if len(match[1]) == 2 else "em"
    return f"<{tag}>{match[2]}</{tag}>"


def _plain_paragraphs(text: str) -> str:
    paragraphs = [p.strip("\n") for p in _blocks(text)]
    return "\n".join(f"<p>{p}</p>" for p in paragraphs).replace('"', "&quot;")


def _plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text)) and (text.isascii() or not _has_odd_space(text))


# A simple list in such prose: a block of `- ` lines, each item one plain line (many notes end in
# "For next time:" and two or three steps). Set apart by blank lines, such a list is "tight"
# and each item's text is its paragraph's; a list right under a line of text, an item that
# runs on to a second line, or two lists with only a blank line between (one "loose" list to
# CommonMark) all go to markdown-it. tests/test_markdown_lists.py holds the two to the same bytes.
_PLAIN_LINE_RE = re.compile(_PLAIN_LINE)
_LIST_LINE_RE = re.compile(rf"- {_PLAIN_LINE}")


def _paragraphs_and_lists(bare: str, tagged: str) -> str | None:
    """The HTML of paragraphs and simple lists; ``bare`` is the note without its emphasis marks
    (checked), ``tagged`` the same note with them turned into tags (written)."""
    if not (bare.isascii() or not _has_odd_space(bare)):
        return None
    html = []
    after_list = False
    for block, out in zip(_blocks(bare), _blocks(tagged), strict=True):
        lines = block.split("\n")
        if all(_PLAIN_LINE_RE.fullmatch(line) for line in lines):
            html.append(f"<p>{out}</p>")
            after_list = False
        elif all(_LIST_LINE_RE.fullmatch(line) for line in lines) and not after_list:
            html.append("<ul>\n" + "".join(f"<li>{item[2:]}</li>\n" for item in out.split("\n")) + "</ul>")
            after_list = True
        else:
            return None
    return "\n".join(html).replace('"', "&quot;")


_BLANK_LINES = re.compile(r"\n\n+")


def _blocks(text: str) -> list[str]:
    return _BLANK_LINES.split(text.strip("\n"))


def _shortcut(text: str) -> str | None:
    """The HTML of plain prose (with simple emphasis and lists) without markdown-it, or None for anything else."""
    bare = tagged = text
    if "*" in text:
        bare = _EMPHASIS.sub(r"\2", text)
        if "*" in bare:
            return None
        tagged = _EMPHASIS.sub(_tagged, text)
    if bare.startswith("- ") or "\n- " in bare:  # a list line is never a plain one: skip that test
        return _paragraphs_and_lists(bare, tagged)
    return _plain_paragraphs(tagged) if _plain(bare) else None


def render_markdown(text: str | None) -> Markup:
    """Markdown → safe HTML. Empty text gives empty markup."""
    if not text or not text.strip():
        return Markup("")
    html = _shortcut(text)
    return Markup(html if html is not None else _parser().render(text).strip())


def _has_odd_space(text: str) -> bool:
    """Unicode spaces and controls (no-break space, line separators): markdown-it's own rules."""
    return any(ord(ch) > 127 and (ch.isspace() or not ch.isprintable()) for ch in text)
