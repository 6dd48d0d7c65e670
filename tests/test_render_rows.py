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


# The loop goal_card ran in cards.html before goal_rows.step_blocks wrote it.
STEPS_LOOP = """\
  {% for s in g.steps %}
    <div class="step" id="{{ g.anchor }}-{{ s.id }}">
      <p class="step-head"><strong>{{ s.action }}</strong> <span class="freq">{{ s.frequency }}</span></p>
      {% if s.weeks_known %}
      <p class="step-summary">
      {% if share %}Since {{ (s.start or g.set_date)|d }} you did this <strong>{{ s.percent|pct }}</strong> as often as we planned, and as planned or more in {{ s.weeks_met }} of {{ plural(s.weeks_known, 'week') }}.{% if s.minutes_asked %} Time spent: <strong>{{ s.minutes_percent|pct }}</strong> of the minutes we planned.{% endif %}
      {% else %}Since {{ (s.start or g.set_date)|d }}{% if s.start %} (when this step started){% endif %}: <strong>{{ s.percent|pct }} of the aim</strong> overall; aim met in {{ s.weeks_met }} of {{ plural(s.weeks_known, 'week') }} reported.{% if s.minutes_asked %} Minutes: <strong>{{ s.minutes_percent|pct }} of the aim</strong> ({{ s.minutes_done|num }} of {{ s.minutes_asked|about }} minutes, on the reports that gave minutes).{% endif %}{% endif %}
      </p>
      {% set key = g.anchor ~ '-' ~ s.id %}
      {# Shown once: what was reported at each session; the same practice week by week behind a disclosure. #}
      <div class="table-scroll">
      <table class="data compact reports">
        <caption>{{ 'What you reported at each session' if share else 'Reported at sessions' }}{% if s.hidden_reports %} (latest {{ s.reports|length }}){% endif %}</caption>
        <thead><tr><th scope="col">Session</th><th scope="col">Done</th><th scope="col">Over</th><th scope="col">{{ 'Planned' if share else 'Aim' }}</th><th scope="col">%</th>{% if s.minutes %}<th scope="col">Minutes{{ ' of planned' if share else ' of aim' }}</th>{% endif %}</tr></thead>
        <tbody>
        {% if s.reports %}{{ report_rows(s.reports, s.minutes) }}{% endif %}
        </tbody>
      </table>
      </div>
      <details class="step-weeks">
      <summary>{{ 'Week by week' if share else 'Week by week, and how the weeks are worked out' }}</summary>
      {% if key in charts %}<figure class="chart-figure small">{{ charts[key] }}</figure>{% endif %}
      <div class="table-scroll">
      <table class="data compact weeks">
        <caption>{{ 'Each week, as a share of what we planned' if share else 'Per week, percent of the aim' }}{% if s.hidden_weeks %} (the last {{ s.weeks|length }} weeks){% endif %}</caption>
        <thead><tr><th scope="col">Week of</th><th scope="col">{{ 'Done' if share else '% of aim' }}</th></tr></thead>
        <tbody>{{ week_rows(s.weeks) }}</tbody>
      </table>
      </div>
      <p class="method">{{ 'A count you give at a session is shared evenly over the days since the session before. * only part of that week so far; ? not talked about yet.' if share else 'A count reported at a session is spread evenly over the days since the previous contact, and each week compared with the aim for its covered days. * part of the week covered so far; ? not reported yet.' }}</p>
      </details>
      {% else %}<p class="muted">{{ 'We have not talked about this one yet.' if share else 'No practice reported yet.' }}</p>{% endif %}
    </div>
  {% endfor %}
"""


def test_step_blocks_write_what_the_template_loop_wrote(example_practice):
    from goalbook.checks import check_practice
    from goalbook.render.goal_rows import step_blocks
    from goalbook.views import book_views

    practice, _ = check_practice(example_practice)
    assert practice is not None
    loop = pages.environment().from_string(STEPS_LOOP)
    compared = 0
    for client in practice.clients:
        for audience in ("clinician", "client"):
            view = book_views.client_view(practice, client, audience=audience)
            charts = pages._client_charts(view)
            for g in view.goals:
                share = audience == "client"
                assert str(step_blocks(g, charts, share)) == loop.render(g=g, charts=charts, share=share)
                compared += len(g.steps)
    assert compared > 10
