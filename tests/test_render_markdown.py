"""Notes as Markdown: formatting kept, raw HTML shown as text, only safe links, no images fetched."""

from __future__ import annotations

import pytest

from goalbook.render.markdown import render_markdown


def test_formatting_lists_and_emphasis():
    html = render_markdown("Agreed:\n\n1. **walk** daily\n2. *rest*\n")
    assert html == "<p>Agreed:</p>\n<ol>\n<li><strong>walk</strong> daily</li>\n<li><em>rest</em></li>\n</ol>"


def test_raw_html_is_text():
    html = render_markdown('Hi <script>alert(1)</script> <img src=x onerror="alert(1)"> <b>bold</b>')
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<b>x</b>", "vbscript:msgbox(1)", "file:///etc/passwd",
                                 "ftp://example.invalid/", "//example.invalid/x"])
def test_unsafe_links_are_not_links(url):
    html = render_markdown(f"[click]({url})")
    assert "<a" not in html and "click" in html


@pytest.mark.parametrize("url, rel", [("https://example.org/a", True), ("http://example.org/", True),
                                      ("mailto:someone@example.org", True), ("#goal-sleep", False)])
def test_safe_links_stay_links(url, rel):
    html = render_markdown(f"[see]({url})")
    assert f'<a href="{url}"' in html
    assert ('rel="noopener noreferrer"' in html) is rel


def test_images_become_their_text():
    html = render_markdown("![a chart](https://example.org/c.png) and ![](https://example.org/d.png)")
    assert "<img" not in html and "example.org" not in html
    assert html == "<p>[image: a chart] and [image]</p>"


def test_empty_text_gives_nothing():
    assert render_markdown("") == "" and render_markdown(None) == "" and render_markdown("  \n") == ""
