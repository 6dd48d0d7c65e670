"""Notes as Markdown, safely: raw HTML is shown as text, links only to http(s), mailto and #anchors,
images shown as their text (a book that loads no remote image can make no request)."""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

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
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = _validate_link
    md.add_render_rule("image", _image_as_text)
    md.add_render_rule("link_open", _link_open)
    return md


# Plain prose that no Markdown rule can touch: no emphasis, code, link, entity or HTML character,
# and no line that could open a block (list, heading, rule, quote, code: they start with a
# digit, a mark or indentation, or end in the spaces of a hard break). Most notes are such
# prose; for them markdown-it's output is simply paragraphs of the lines, with `"` escaped, and
# parsing them cost a fifth of a page's render time (issue 6). Anything else goes to markdown-it.
# tests/test_markdown.py checks the two agree on every note it can make of these characters.
_PLAIN_LINE = r"""[A-Za-z"'(\u00a1-\uffff](?:[A-Za-z0-9 ,.;:'?()%/"\u00a1-\uffff-]*[A-Za-z0-9,.;:'?()%/"\u00a1-\uffff-])?"""
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
    paragraphs = [p.strip("\n") for p in re.split(r"\n\n+", text.strip("\n"))]
    return "\n".join(f"<p>{p}</p>" for p in paragraphs).replace('"', "&quot;")


def _plain(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text)) and (text.isascii() or not _has_odd_space(text))


def _shortcut(text: str) -> str | None:
    """The HTML of plain prose (with simple emphasis) without markdown-it, or None for anything else."""
    if "*" not in text:
        return _plain_paragraphs(text) if _plain(text) else None
    bare = _EMPHASIS.sub(r"\2", text)
    if "*" in bare or not _plain(bare):
        return None
    return _plain_paragraphs(_EMPHASIS.sub(_tagged, text))


def render_markdown(text: str | None) -> Markup:
    """Markdown → safe HTML. Empty text gives empty markup."""
    if not text or not text.strip():
        return Markup("")
    html = _shortcut(text)
    return Markup(html if html is not None else _parser().render(text).strip())


def _has_odd_space(text: str) -> bool:
    """Unicode spaces and controls (no-break space, line separators): markdown-it's own rules."""
    return any(ord(ch) > 127 and (ch.isspace() or not ch.isprintable()) for ch in text)
