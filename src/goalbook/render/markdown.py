"""Notes as Markdown, safely: raw HTML is shown as text, links only to http(s), mailto and #anchors,
images shown as their text (a book that loads no remote image can make no request)."""

from __future__ import annotations

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


def render_markdown(text: str | None) -> Markup:
    """Markdown → safe HTML. Empty text gives empty markup."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_parser().render(text).strip())
