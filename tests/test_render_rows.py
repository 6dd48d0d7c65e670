"""The table rows written in Python (render/score_rows.py) against the macros they stand for."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from goalbook.render import pages
from goalbook.render.score_rows import band_badge, reliable_badge


def macro(name: str):
    return getattr(pages.environment().get_template("macros.html").module, name)


@pytest.mark.parametrize("band", ["", "Moderate", "<b>odd & \"quoted\"</b>"])
@pytest.mark.parametrize("plain", ["", "Some difficulties"])
@pytest.mark.parametrize("level", [-1, 0, 3])
def test_band_badge_writes_what_the_macro_writes(band, plain, level):
    row = SimpleNamespace(band=band, band_level=level)
    assert band_badge(row, plain) == str(macro("band_badge")(row, plain))


def test_band_badge_escapes_the_label():
    row = SimpleNamespace(band="<script>", band_level=1)
    assert band_badge(row) == '<span class="band-tag sev-1">&lt;script&gt;</span>'
    assert band_badge(SimpleNamespace(band="", band_level=1)) == ""


@pytest.mark.parametrize("share", [False, True])
def test_reliable_badge_words_each_judgement(share):
    def badge(reliable: str, delta: str = "+3") -> str:
        return reliable_badge(SimpleNamespace(reliable=reliable, delta_text=delta), share)

    assert "◆" in badge("improvement") and "△" in badge("deterioration")
    assert badge("none").startswith('<span class="chg">')
    # No reliable-change threshold: "not judged" on the client's page too (it said "—" there).
    assert badge("", delta="+3") == '<span class="chg muted">not judged</span>\n'
    assert badge("", delta="") == '<span class="muted">first</span>'  # the first administration
    words = ("a real improvement", "a real change for the worse") if share else ("reliable improvement",
                                                                                 "reliable deterioration")
    assert words[0] in badge("improvement") and words[1] in badge("deterioration")


# The loop goal_card ran in cards.html before goal_rows.smart_items wrote it.
SMART_LOOP = """\
  {% for s in parts %}
    <div class="smart-item {{ 'ok' if s.ok else 'missing' }}">
      <dt><span class="letter" aria-hidden="true">{{ s.letter }}</span> {{ s.name }}{% if not s.ok %} <span class="missing-tag">missing</span>{% endif %}</dt>
      <dd>{{ s.text }}</dd>
    </div>
  {% endfor %}
"""


def test_smart_items_write_what_the_template_loop_wrote():
    from goalbook.render.goal_rows import smart_items
    from goalbook.views.goal_views import SmartItem

    parts = [SmartItem("S", "Specific", "Walk <30 min> & 'rest'", True), SmartItem("M", "Measurable", "", False),
             SmartItem("<", "\"Odd\" & name", "text\nover two lines", False)]
    loop = pages.environment().from_string(SMART_LOOP)
    for some in (parts, parts[:1], []):
        assert str(smart_items(some)) == loop.render(parts=some)
