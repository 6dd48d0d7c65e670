"""Property tests (hypothesis): totals stay in range, reverse scoring is symmetric, every total has a band."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goalbook.clinical import scoring
from goalbook.clinical.instruments import load_instruments

INSTRUMENTS, _ = load_instruments(None)
IDS = sorted(INSTRUMENTS)


@st.composite
def answers_for(draw, instrument):
    """Valid answers, with up to the allowed number of missing items (and optional items left empty)."""
    answers = [draw(st.sampled_from(instrument.allowed_values(n))) for n in range(1, instrument.item_count + 1)]
    for item in instrument.items:
        if item.optional and draw(st.booleans()):
            answers[item.number - 1] = None
    k = draw(st.integers(0, instrument.prorate_up_to))
    required = [i.number for i in instrument.items if not i.optional]
    for n in draw(st.permutations(required))[:k]:
        answers[n - 1] = None
    return answers


@pytest.mark.parametrize("instrument_id", IDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_total_within_range(instrument_id, data):
    inst = INSTRUMENTS[instrument_id]
    result = scoring.score(inst, data.draw(answers_for(inst)))
    assert inst.min_total <= result.total <= inst.max_total
    for sub in inst.subscales:
        assert sub.min_total <= result.subscales[sub.id].total <= sub.max_total


@pytest.mark.parametrize("instrument_id", IDS)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_band_for_every_score(instrument_id, data):
    inst = INSTRUMENTS[instrument_id]
    result = scoring.score(inst, data.draw(answers_for(inst)))
    if inst.bands:
        assert result.band is not None
    for sub in inst.subscales:
        if sub.bands:
            assert result.subscales[sub.id].band is not None


@pytest.mark.parametrize("instrument_id", [i for i in IDS if INSTRUMENTS[i].bands])
def test_every_integer_total_has_exactly_one_band(instrument_id):
    inst = INSTRUMENTS[instrument_id]
    for total in range(int(inst.min_total), int(inst.max_total) + 1):
        holding = [b for b in inst.bands if b.min <= total <= b.max]
        assert len(holding) == 1, total
        assert inst.band_for(total) == holding[0]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([i for i in IDS if INSTRUMENTS[i].bands]), st.floats(0, 1))
def test_fractional_totals_have_a_band(instrument_id, fraction):
    inst = INSTRUMENTS[instrument_id]
    total = inst.min_total + fraction * (inst.max_total - inst.min_total)
    assert inst.band_for(total) is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=10, max_size=10))
def test_core10_reverse_scoring_is_symmetric(answers):
    # Flipping every response (a → 4 − a) flips every item score, reversed items included,
    # so the total becomes 40 − total.
    core = INSTRUMENTS["core10"]
    flipped = [4 - a for a in answers]
    assert scoring.score(core, flipped).total == 40 - scoring.score(core, answers).total


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=10, max_size=10), st.integers(0, 4))
def test_core10_reverse_items_move_against_the_others(answers, value):
    # Raising the answer to item 2 (reversed) by one lowers the total by one; item 1 raises it by one.
    core = INSTRUMENTS["core10"]
    base = scoring.score(core, answers).total
    if answers[1] < 4:
        up = list(answers)
        up[1] += 1
        assert scoring.score(core, up).total == base - 1
    if answers[0] < 4:
        up = list(answers)
        up[0] += 1
        assert scoring.score(core, up).total == base + 1
