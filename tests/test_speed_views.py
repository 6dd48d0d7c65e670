"""The client view's shortcuts must give exactly what the plain ways give.

Each test compares a fast path with the slow way it replaced (kept here as the reference), value for
value: floats are compared with ==, since the book prints them.
"""

from __future__ import annotations

import random

from goalbook.clinical import change, scoring
from goalbook.clinical.change import Change, jacobson_truax
from goalbook.clinical.instruments import load_instruments
from goalbook.clinical.scoring import Score
from goalbook.number_text import plain_number

INSTRUMENTS, _ = load_instruments(None)


def same_object(made: object, expected: object) -> None:
    """Equal, of the same class, with the same fields in the same order (as the class's ``__init__`` makes)."""
    assert type(made) is type(expected) and made == expected and repr(made) == repr(expected)
    assert list(vars(made).items()) == list(vars(expected).items())


# --- Scores: made by a quick constructor ----------------------------------------------------------------


def test_a_score_is_what_the_score_class_makes():
    rng = random.Random(5)
    for inst in INSTRUMENTS.values():
        for _ in range(40):
            answers = [rng.choice(item.values) for item in inst.items]
            if inst.prorate_up_to and rng.random() < 0.3:
                answers[rng.randrange(len(answers))] = None
            if scoring.answer_problems(inst, answers):
                continue
            for worked in (True, False):
                made = scoring.score(inst, answers, worked=worked)
                same_object(made, Score(**vars(made)))


# --- Change: the rule worked out once per instrument -----------------------------------------------------


def classify_each_time(instrument, first_total, last_total, subscale=None):
    """``change.classify`` as it was: the threshold and its formula worked out for every pair."""
    rc = instrument.reliable_change
    cutoff = instrument.cutoff
    if subscale is not None:
        rc, cutoff = None, instrument.subscale(subscale).cutoff
    delta = last_total - first_total
    improving = delta < 0 if instrument.direction == "higher_is_worse" else delta > 0
    reliable = "none" if rc is not None else "not-judged"
    threshold = rci = None
    how, source, inclusive = "", "", True
    if rc is not None:
        threshold, inclusive, source = rc.threshold, rc.inclusive, rc.source
        if rc.points is not None:
            how = f"published threshold: a change of at least {plain_number(rc.points)} points"
        else:
            jt = jacobson_truax(rc.sd, rc.reliability)
            how = f"Jacobson–Truax: {jt.formula()}"
            rci = delta / jt.s_diff
        if delta != 0 and rc.is_reliable(delta):
            reliable = "improvement" if improving else "deterioration"
    crossed = None
    if cutoff is not None:
        crossed = cutoff.is_clinical(first_total) and not cutoff.is_clinical(last_total)
    if reliable == "improvement":
        category = "recovered" if crossed else "improved"
    elif reliable == "deterioration":
        category = "deteriorated"
    elif reliable == "not-judged":
        category = "not-judged"
    else:
        category = "unchanged"
    return Change(
        instrument=instrument.id, short_name=instrument.short_name, first=first_total, last=last_total,
        delta=delta, direction=instrument.direction, reliable=reliable, threshold=threshold,
        threshold_inclusive=inclusive, threshold_source=source, threshold_how=how, rci=rci, cutoff=cutoff,
        crossed_cutoff=crossed, category=category,
    )


def test_a_change_judged_by_the_rule_equals_one_judged_from_scratch():
    rng = random.Random(9)
    for inst in INSTRUMENTS.values():
        for subscale in (None, *(s.id for s in inst.subscales)):
            rule = change.change_rule(inst, subscale)
            low, high = float(inst.min_total), float(inst.max_total)
            for _ in range(300):
                first = rng.choice([rng.randint(int(low), int(high)), round(rng.uniform(low, high), 1)])
                last = rng.choice([first, rng.randint(int(low), int(high)), round(rng.uniform(low, high), 1)])
                expected = classify_each_time(inst, first, last, subscale)
                same_object(rule.classify(first, last), expected)
                same_object(change.classify(inst, first, last, subscale), expected)
                assert rule.classify(first, last).explain() == expected.explain()
                assert rule.classify(first, last).explain_category() == expected.explain_category()
