"""Write a deterministic synthetic practice in the real format, for benchmarks and scale tests.

    python benchmarks/make_practice.py OUT --clients N --sessions M [--seed S]

Every person is invented. Each client follows one of a few clinical stories (work anxiety, low
mood, relationships, trauma, self-esteem, work-life balance) with a trajectory (improving, slow,
setback, deteriorating), so the charts and alerts in the book look like a practice in daily use:
3–4 goals with action steps (some Goal Attainment Scales), 2–3 questionnaires a session with item
answers valid for the instrument, goal measurements, homework counts and a few sentences of notes.

Client ``i`` depends only on the seed and ``i`` (its own random generator), so a 1,000-client
practice contains the 100-client one: time per client can be compared across sizes.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

TODAY = date(2026, 3, 31)  # fixed, so the book looks the same on every run


@dataclass(frozen=True)
class Spec:
    """What a valid answer list looks like for one built-in instrument."""

    items: int
    top: int  # answers are 0..top
    reversed: tuple[int, ...] = ()  # 1-based items scored top − answer
    risk_item: int | None = None  # 1-based item flagged when above 0
    higher_is_worse: bool = True
    start: tuple[int, int] = (0, 0)  # total at intake (range), in the clinical range
    end: tuple[int, int] = (0, 0)  # total when the work has gone well


INSTRUMENTS: dict[str, Spec] = {
    "phq9": Spec(9, 3, risk_item=9, start=(11, 21), end=(3, 8)),
    "gad7": Spec(7, 3, start=(10, 18), end=(2, 7)),
    "core10": Spec(10, 4, reversed=(2, 3), risk_item=6, start=(15, 27), end=(5, 10)),
    "who5": Spec(5, 5, higher_is_worse=False, start=(5, 11), end=(14, 20)),
    "pcl5": Spec(20, 4, start=(36, 58), end=(12, 26)),
}


@dataclass(frozen=True)
class GoalTemplate:
    id: str
    title: str
    own_words: str
    category: str
    focus_area: str
    achievable: str
    relevant: str
    measure: str  # rating | count | questionnaire | gas
    label: str = ""  # rating/count label, or the instrument id of a questionnaire goal
    baseline: tuple[int, int] = (0, 0)
    target: tuple[int, int] = (0, 0)
    steps: tuple[tuple[str, str, int, str], ...] = ()  # (id, action, times, per)
    levels: tuple[str, str, str, str, str] = ("", "", "", "", "")  # gas: −2 … +2


@dataclass(frozen=True)
class Story:
    key: str
    focus_areas: tuple[tuple[str, str], ...]
    hopes: tuple[str, ...]
    instruments: tuple[str, ...]  # the first is the main one; 2–3 are given each session
    goals: tuple[GoalTemplate, ...]
    notes: tuple[str, ...]


STORIES: tuple[Story, ...] = (
    Story(
        key="work-anxiety",
        focus_areas=(("work-anxiety", "Managing anxiety at work"), ("self-trust", "Trusting own judgement")),
        hopes=(
            "To stand up in meetings without my heart racing.",
            "To enjoy my job again instead of dreading Monday mornings.",
            "To stop rereading every e-mail five times before I send it.",
        ),
        instruments=("gad7", "phq9", "core10"),
        goals=(
            GoalTemplate(
                "presentations", "Present at the weekly team meeting with manageable anxiety",
                "I want to get through my slides without wanting to run out.", "emotional-regulation",
                "work-anxiety", "Already presents to two colleagues without difficulty.",
                "Linked to the hope of leading the client project next year.",
                "rating", "Anxiety before presenting", (7, 9), (3, 4),
                (("box-breathing", "Box breathing for five minutes", 3, "week"),
                 ("rehearse-aloud", "Rehearse the first two slides aloud", 2, "week")),
            ),
            GoalTemplate(
                "speak-up", "Offer an opinion in meetings each week", "I want people to hear my ideas.",
                "communication-skills", "work-anxiety", "Speaks up freely in one-to-one meetings.",
                "Part of being seen as ready for promotion.", "count", "Times I spoke up in a meeting",
                (0, 1), (3, 4), (("prepare-one-point", "Write down one point to raise before the meeting", 2, "week"),),
            ),
            GoalTemplate(
                "worry-less", "Bring general worry down to the mild range", "I want my head to be quieter.",
                "cognitive-restructuring", "work-anxiety", "Worry eased on holiday last summer.",
                "Worry spoils evenings with the family.", "questionnaire", "gad7",
                steps=(("worry-window", "Keep worries for a fifteen-minute worry window", 1, "day"),),
            ),
            GoalTemplate(
                "send-emails", "Send routine e-mails without checking them over and over",
                "I want to press send and move on.", "behavioral-change", "self-trust",
                "Already sends short messages to friends without checking.",
                "Checking costs an hour a day.", "gas",
                steps=(("send-once", "Send routine e-mails after one read-through", 3, "week"),),
                levels=("Rereads every e-mail five times or more", "Rereads routine e-mails three times",
                        "Sends routine e-mails after one read-through", "Also sends the weekly report after one read",
                        "Sends all e-mails after one read, without asking anyone to check"),
            ),
        ),
        notes=(
            "We went through last week's meeting step by step.",
            "Practised the opening of the presentation aloud twice.",
            "Noticed the racing heart starts the evening before, not in the room.",
            "Talked about what a good-enough slide deck looks like.",
            "Explored the thought *everyone will see I'm nervous* and the evidence for and against it.",
        ),
    ),
    Story(
        key="low-mood",
        focus_areas=(("low-mood", "Lifting low mood"), ("sleep", "A steadier sleep routine"),
                     ("friendships", "Reconnecting with friends")),
        hopes=(
            "To feel like myself again.",
            "To get up in the morning without dreading the day.",
            "To see my friends again instead of cancelling.",
        ),
        instruments=("phq9", "gad7", "who5"),
        goals=(
            GoalTemplate(
                "walking", "Walk outdoors on most days", "Getting outside makes the day feel less heavy.",
                "behavioral-change", "low-mood", "Used to walk the dog every day before the winter.",
                "Linked to the hope 'to feel like myself again'.", "count",
                "Days with a 30-minute walk", (0, 1), (4, 5),
                (("walk-30", "Walk for 30 minutes", 5, "week"),),
            ),
            GoalTemplate(
                "sleep-routine", "Keep a regular bedtime and wake time", "I want to wake up rested.",
                "behavioral-change", "sleep", "Already manages it at weekends.",
                "Poor sleep makes every low day worse.", "rating", "Sleep quality", (2, 4), (7, 8),
                (("screens-off", "Screens off at 22:30", 1, "day"), ("same-wake-time", "Get up at the same time", 5, "week")),
            ),
            GoalTemplate(
                "mood", "Bring depressive symptoms below the clinical range", "I want the fog to lift.",
                "emotional-regulation", "low-mood", "Mood lifted last spring with more activity.",
                "Linked to the hope 'to feel like myself again'.", "questionnaire", "phq9",
                steps=(("activity-plan", "Plan three small pleasant activities", 1, "week"),),
            ),
            GoalTemplate(
                "reconnect", "Keep in touch with friends", "I want to stop cancelling on people.",
                "relationship-improvement", "friendships", "Two close friends keep sending invitations.",
                "Friends were the first hope named at intake.", "gas",
                steps=(("message-friend", "Send a message to a friend", 2, "week"),),
                levels=("Cancels every plan and replies to no one", "Replies to messages but makes no plans",
                        "Meets one friend every two weeks", "Meets a friend every week",
                        "Meets friends weekly and joins a group activity"),
            ),
        ),
        notes=(
            "Mood a little brighter this week; managed two walks in the park.",
            "Reviewed the activity diary together.",
            "Low energy on Monday and Tuesday, better after seeing a friend on Wednesday.",
            "Talked about how cancelling plans feels like relief at first and then like loss.",
            "Sleep diary shows bedtime drifting later at weekends.",
        ),
    ),
    Story(
        key="relationships",
        focus_areas=(("assertiveness", "Saying what I need"), ("couple", "Calmer disagreements at home")),
        hopes=(
            "To ask for what I need without feeling guilty.",
            "To argue less and listen more at home.",
        ),
        instruments=("core10", "phq9", "gad7"),
        goals=(
            GoalTemplate(
                "assertive-requests", "Make assertive requests at work and at home",
                "I want to say what I need out loud.", "communication-skills", "assertiveness",
                "Already does it well on behalf of others.", "Asking for help is the main hope.",
                "count", "Assertive requests made", (0, 1), (2, 3),
                (("i-statements", "Practise an I-statement", 2, "week"),),
            ),
            GoalTemplate(
                "calm-disagreement", "Raise a disagreement calmly", "I want to disagree without shouting.",
                "relationship-improvement", "couple", "Already manages calm talks with a sibling.",
                "Linked to the hope of arguing less at home.", "gas",
                steps=(("time-out", "Take a ten-minute time-out when voices rise", 1, "week"),),
                levels=("Shouts or walks out of most disagreements", "Stays in the room but voices get raised",
                        "Raises a disagreement calmly once a week", "Raises disagreements calmly most times",
                        "Raises disagreements calmly and they agree a plan"),
            ),
            GoalTemplate(
                "conflict-distress", "Recover more quickly after an argument", "I want to let go sooner.",
                "emotional-regulation", "couple", "Recovers quickly from arguments with colleagues.",
                "Long sulks spoil whole weekends.", "rating", "Distress an hour after an argument",
                (7, 9), (3, 4), (("pause-breathe", "Pause and breathe before replying", 3, "week"),),
            ),
            GoalTemplate(
                "shared-time", "Spend evenings together without phones", "We used to talk every evening.",
                "relationship-improvement", "couple", "They already keep Sunday lunch phone-free.",
                "Time together matters to both partners.", "count", "Phone-free evenings together",
                (0, 1), (3, 4), (("plan-evening", "Plan one evening together", 1, "week"),),
            ),
        ),
        notes=(
            "Role-played a request to the manager about the rota.",
            "Discussed a disagreement about money and what each partner heard.",
            "Noticed an apology comes before almost every request.",
            "Practised the **broken record** technique with a low-stakes example.",
            "Reviewed which requests went well and why.",
        ),
    ),
    Story(
        key="trauma",
        focus_areas=(("trauma", "Recovering after the accident"), ("sleep", "Sleeping through the night")),
        hopes=(
            "To drive to work again without shaking.",
            "To sleep through the night.",
            "To be less jumpy with the children.",
        ),
        instruments=("pcl5", "phq9", "gad7"),
        goals=(
            GoalTemplate(
                "nightmares", "Fewer nights broken by nightmares", "I want to sleep through the night.",
                "emotional-regulation", "sleep", "Nightmares were rare before the accident.",
                "Sleep is the main hope.", "count", "Nights with nightmares", (4, 6), (1, 2),
                (("wind-down", "A thirty-minute wind-down routine", 1, "day"),),
            ),
            GoalTemplate(
                "grounding", "Stay grounded when reminded of the accident", "I want to stay in the here and now.",
                "emotional-regulation", "trauma", "Already uses breathing at the dentist.",
                "Being less jumpy with the children.", "rating", "Distress when reminded", (7, 9), (3, 4),
                (("grounding-54321", "5-4-3-2-1 grounding exercise", 1, "day"),),
            ),
            GoalTemplate(
                "trauma-symptoms", "Bring PTSD symptoms below the probable-PTSD range",
                "I want the accident to feel like the past.", "cognitive-restructuring", "trauma",
                "Symptoms were milder in the first month.", "Driving again and sleeping.",
                "questionnaire", "pcl5", steps=(("impact-worksheet", "Write the weekly impact worksheet", 2, "week"),),
            ),
            GoalTemplate(
                "drive-route", "Drive the route past the junction again", "I want my car back.",
                "behavioral-change", "trauma", "Drives other routes with a passenger.",
                "Driving to work is a named hope.", "gas",
                steps=(("graded-drive", "A planned step on the driving ladder", 2, "week"),),
                levels=("Avoids driving altogether", "Drives short routes with a passenger",
                        "Drives the old route with a passenger", "Drives the old route alone once a week",
                        "Drives the old route to work every day"),
            ),
        ),
        notes=(
            "Worked on the trauma narrative; stayed with the hardest moment a little longer than last time.",
            "Reviewed the driving ladder and chose the next step together.",
            "Nightmares less frequent this week; wind-down routine kept on most nights.",
            "Talked about the guilt about the other driver.",
            "Grounding helped in the supermarket when a siren went past.",
        ),
    ),
    Story(
        key="self-esteem",
        focus_areas=(("self-worth", "Being kinder to myself"), ("boundaries", "Saying no")),
        hopes=(
            "To like the person in the mirror.",
            "To stop saying yes to everything.",
        ),
        instruments=("phq9", "who5", "core10"),
        goals=(
            GoalTemplate(
                "gratitude", "Notice what went well each day", "I want to see the good things too.",
                "personal-growth", "self-worth", "Keeps a diary already.", "Linked to the hope 'to like the person in the mirror'.",
                "rating", "How much I like myself", (2, 4), (6, 7),
                (("gratitude-journal", "Three entries in the gratitude journal", 3, "day"),),
            ),
            GoalTemplate(
                "inner-critic", "Answer the inner critic kindly", "The voice in my head is so harsh.",
                "cognitive-restructuring", "self-worth", "Talks kindly to friends in the same situation.",
                "Harsh self-talk drives the low mood.", "rating", "Harshness of the inner critic", (7, 9), (3, 4),
                (("catch-critic", "Write down one critical thought and a kinder answer", 1, "day"),),
            ),
            GoalTemplate(
                "mood-lift", "Bring low mood into the mild range", "I want to feel lighter.",
                "emotional-regulation", "self-worth", "Felt well for most of last year.",
                "Mood colours everything else.", "questionnaire", "phq9",
                steps=(("kind-act", "One kind act for myself", 3, "week"),),
            ),
            GoalTemplate(
                "say-no", "Say no to extra requests", "I want my evenings back.",
                "communication-skills", "boundaries", "Already says no to family members.",
                "Linked to the hope of not saying yes to everything.", "gas",
                steps=(("pause-before-yes", "Pause a day before agreeing to a request", 2, "week"),),
                levels=("Agrees to every request on the spot", "Agrees but mentions being busy",
                        "Says no to one request a week", "Says no to most extra requests",
                        "Says no without apologising or explaining at length"),
            ),
        ),
        notes=(
            "Read three gratitude entries aloud; smiled at the one about the neighbour's cat.",
            "Caught the critic three times this week and wrote kinder answers.",
            "Talked about where the belief *I must earn my place* comes from.",
            "Practised saying no to a colleague in a role-play.",
            "Noticed a pattern: the critic is loudest on Sunday evenings.",
        ),
    ),
    Story(
        key="work-life-balance",
        focus_areas=(("balance", "Work-life balance"), ("stress", "Managing stress")),
        hopes=(
            "To be home for dinner with the kids.",
            "To have a weekend that feels like a weekend.",
        ),
        instruments=("gad7", "who5", "phq9"),
        goals=(
            GoalTemplate(
                "log-off", "Log off by 7 pm on workdays", "I want my evenings back.", "work-life-balance",
                "balance", "Did it for a month last spring.", "Dinner with the children.",
                "count", "Evenings logged off by 7 pm", (0, 1), (4, 5),
                (("shutdown-ritual", "A five-minute shutdown ritual", 5, "week"),),
            ),
            GoalTemplate(
                "rested-monday", "Start the week rested", "I want Mondays to feel normal.", "work-life-balance",
                "balance", "Weekends without e-mail have worked before.", "Linked to the hope of real weekends.",
                "rating", "How rested I feel on Monday", (2, 4), (6, 8),
                (("free-day", "One day of the weekend without work", 1, "week"),),
            ),
            GoalTemplate(
                "stress-down", "Bring anxiety down to the mild range", "I want to stop feeling on edge.",
                "emotional-regulation", "stress", "Stress was manageable in the previous job.",
                "Stress spills into family time.", "questionnaire", "gad7",
                steps=(("breathing-break", "Two-minute breathing break at lunch", 3, "week"),),
            ),
            GoalTemplate(
                "choir", "Go back to the choir", "Singing was the one thing that was mine.", "personal-growth",
                "balance", "Sang with the choir for ten years.", "Linked to having time of one's own.", "gas",
                steps=(("choir-practice", "Go to choir practice", 1, "week"),),
                levels=("Has not been to the choir for a year", "Has contacted the choir leader",
                        "Goes to practice twice a month", "Goes to practice every week",
                        "Goes every week and sings in the spring concert"),
            ),
        ),
        notes=(
            "Looked at a typical week in detail and found three evenings lost to e-mail.",
            "Discussed what the manager actually expects after hours.",
            "Kept the shutdown ritual on four days; Thursday was the exception.",
            "Talked about the pleasure of singing again.",
            "Planned a weekend with one day fully off.",
        ),
    ),
)

GENERIC_NOTES = (
    "Reviewed the homework and what got in the way.",
    "Agreed to keep the same steps for another week.",
    "Set the agenda together at the start.",
    "Checked in on sleep, appetite and energy.",
    "Summarised the session together at the end.",
    "Client reflected that small steps add up.",
    "Talked through a difficult moment from the weekend.",
    "Looked back at the goals and how they feel now.",
)

PRIVATE_NOTES = (
    "Consider a referral to the GP about sleep medication if no change in four weeks.",
    "Supervision: discuss pacing of exposure work.",
    "Mentioned family history of depression; explore next time.",
    "Possible overlap with workplace grievance; keep notes factual.",
)

FIRST_NAMES = (
    "Ana", "Ben", "Carla", "Dev", "Elif", "Finn", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca",
    "Mira", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Ugo", "Vera", "Wim", "Xenia",
    "Yusuf", "Zoe",
)
CLINICIANS = (
    ("mk", "Maya Keller", "Counselling psychologist"), ("jd", "Jonah Dale", "Psychotherapist"),
    ("sr", "Sofia Rinaldi", "Clinical psychologist"), ("tb", "Tomas Berg", "CBT therapist"),
    ("an", "Amara Nwosu", "Counsellor"), ("lh", "Lena Hart", "Family therapist"),
    ("ob", "Oskar Brandt", "Psychotherapist"), ("pv", "Priya Varma", "Counselling psychologist"),
)
PRONOUNS = ("she/her", "he/him", "they/them")
TIMES = ("09:00", "10:00", "11:00", "13:30", "14:00", "15:00", "16:30", "17:30")
TRAJECTORIES = ("improving",) * 10 + ("slow",) * 4 + ("setback",) * 3 + ("deteriorating",) * 2 + ("early",)


def q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def block(key: str, text: str, indent: str = "") -> str:
    body = "".join(f"{indent}  {line}\n" if line else "\n" for line in text.splitlines())
    return f"{indent}{key}: |\n{body}"


def progress(trajectory: str, t: float) -> float:
    """How far the client has come (0 = intake, 1 = the hoped-for end) at time t in 0..1."""
    if trajectory == "slow":
        return 0.5 * t
    if trajectory == "setback":
        return 0.9 * t - 0.5 * math.exp(-((t - 0.55) ** 2) / 0.01)
    if trajectory == "deteriorating":
        return -0.4 * t
    if trajectory == "early":
        return min(1.0, 1.7 * t)
    return t**0.8


def item_answers(total: int, spec: Spec, rng: random.Random, risk: int = 0) -> list[int]:
    """Item answers whose scored total is ``total``, looking like a real form."""
    n, top = spec.items, spec.top
    scored = [0] * n
    fixed = {spec.risk_item - 1: risk} if spec.risk_item else {}
    free = [i for i in range(n) if i not in fixed]
    remaining = max(0, min(total - sum(fixed.values()), top * len(free)))
    base, extra = divmod(remaining, len(free))
    for i in free:
        scored[i] = base
    for i in rng.sample(free, extra):
        scored[i] += 1
    for _ in range(n):  # move points between items so the answers are not flat
        a, b = rng.sample(free, 2)
        if scored[a] > 0 and scored[b] < top:
            scored[a] -= 1
            scored[b] += 1
    for i, v in fixed.items():
        scored[i] = v
    # reversed items are written as answered, scored top − answer
    return [top - v if i + 1 in spec.reversed else v for i, v in enumerate(scored)]


@dataclass
class Contact:
    date: date
    kind: str
    suffix: str = ""  # "-phone" for a second contact that day
    p: float = 0.0  # progress at this contact


@dataclass
class GoalPlan:
    tpl: GoalTemplate
    id: str
    steps: tuple[tuple[str, str, int, str], ...]
    baseline: int
    target: int
    status: str
    set_date: date
    first: int  # first contact index this goal is measured at
    last: int  # last contact index (inclusive)
    revises: str | None = None
    target_text: str = ""


@dataclass
class ClientPlan:
    id: str
    name: str
    story: Story
    clinician: str
    status: str
    trajectory: str
    contacts: list[Contact]
    instruments: tuple[str, ...]
    goals: list[GoalPlan] = field(default_factory=list)
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)  # instrument → (intake, hoped end)


def plan_contacts(rng: random.Random, sessions: int, status: str, trajectory: str) -> list[Contact]:
    gaps = [0] + [rng.choice((7, 7, 7, 7, 7, 7, 14, 14, 6, 8)) for _ in range(sessions - 1)]
    phone = rng.randrange(3, sessions - 1) if sessions > 6 and rng.random() < 0.15 else None
    if phone is not None:
        gaps[phone] = 0
    if status == "active":
        last = TODAY - timedelta(days=rng.choice((0, 1, 2, 5, 6, 7, 9, 12)) if rng.random() < 0.9 else rng.randint(30, 60))
    elif status == "paused":
        last = TODAY - timedelta(days=rng.randint(40, 120))
    else:
        last = TODAY - timedelta(days=rng.randint(20, 400))
    day = last - timedelta(days=sum(gaps))
    contacts = []
    for i, gap in enumerate(gaps):
        day += timedelta(days=gap)
        t = i / max(1, sessions - 1)
        if i == 0:
            kind = "intake"
        elif i == phone:
            kind = "check-in"
        elif i == sessions - 1 and status == "discharged":
            kind = "discharge"
        elif i % 8 == 0:
            kind = "review"
        elif i < sessions - 1 and rng.random() < 0.04:
            kind = "did-not-attend"
        else:
            kind = "session"
        contacts.append(Contact(day, kind, "-phone" if i == phone else "", progress(trajectory, t)))
    return contacts


def plan_client(index: int, seed: int, sessions: int, clinicians: list[str]) -> ClientPlan:
    rng = random.Random(f"{seed}:{index}")
    story = STORIES[rng.randrange(len(STORIES))]
    first = rng.choice(FIRST_NAMES)
    initial = chr(ord("A") + rng.randrange(26))
    roll = rng.random()
    status = "active" if roll < 0.75 else "discharged" if roll < 0.9 else "paused"
    trajectory = "improving" if status == "discharged" else rng.choice(TRAJECTORIES)
    contacts = plan_contacts(rng, sessions, status, trajectory)
    instruments = story.instruments[: rng.choice((2, 3))]
    plan = ClientPlan(
        id=f"{first.lower()}-{initial.lower()}-{index + 1:04d}", name=f"{first} {initial}.", story=story,
        clinician=clinicians[index % len(clinicians)], status=status, trajectory=trajectory,
        contacts=contacts, instruments=instruments,
    )
    for inst in instruments:
        spec = INSTRUMENTS[inst]
        plan.totals[inst] = (rng.randint(*spec.start), rng.randint(*spec.end))
    templates = [g for g in story.goals if g.measure != "questionnaire" or g.label in instruments]
    templates = rng.sample(templates, min(len(templates), rng.choice((3, 4))))
    templates.sort(key=lambda g: story.goals.index(g))
    start = contacts[0].date
    last = len(contacts) - 1
    for tpl in templates:
        plan.goals.append(plan_goal(rng, plan, tpl, tpl.id, tpl.steps, start, 0, last))
    revise = len(contacts) >= 12 and rng.random() < 0.15
    if revise:
        old = plan.goals[rng.randrange(len(plan.goals))]
        at = rng.randrange(len(contacts) // 3, 2 * len(contacts) // 3)
        while at < last and (contacts[at].kind != "session" or contacts[at].date == contacts[at - 1].date):
            at += 1
        old.status, old.last = "revised", at - 1
        steps = tuple((f"{sid}-v2", action, times + 1 if per == "week" else times, per) for sid, action, times, per in old.steps)
        new = plan_goal(rng, plan, old.tpl, f"{old.id}-v2", steps, contacts[at].date, at, last)
        new.revises = old.id
        plan.goals.insert(plan.goals.index(old) + 1, new)
    return plan


def plan_goal(rng: random.Random, plan: ClientPlan, tpl: GoalTemplate, goal_id: str,
              steps: tuple[tuple[str, str, int, str], ...], set_date: date, first: int, last: int) -> GoalPlan:
    if tpl.measure == "questionnaire":
        spec = INSTRUMENTS[tpl.label]
        baseline = plan.totals[tpl.label][0]
        # a target below the clinical range, always better than the baseline
        target = min(spec.end[1] + 2, baseline - 4)
    elif tpl.measure == "gas":
        baseline, target = rng.choice((-2, -2, -1)), 0
    else:
        baseline, target = rng.randint(*tpl.baseline), rng.randint(*tpl.target)
    status = {"discharged": "achieved", "paused": "paused"}.get(plan.status, "active")
    target_text = str(target)
    if tpl.measure == "rating" and target < baseline and baseline % 2 == 0 and rng.random() < 0.5:
        target_text, target = "50% lower", baseline // 2
    return GoalPlan(tpl, goal_id, steps, baseline, target, status, set_date, first, last, target_text=target_text)


def measurement(rng: random.Random, goal: GoalPlan, p: float) -> int:
    tpl = goal.tpl
    if tpl.measure == "gas":
        return max(-2, min(2, round(goal.baseline + (1 - goal.baseline) * p + rng.gauss(0, 0.4))))
    value = goal.baseline + (goal.target - goal.baseline) * p + rng.gauss(0, 0.8)
    return max(0, min(10, round(value))) if tpl.measure == "rating" else max(0, round(value))


def write_settings(root: Path, clinicians: list[tuple[str, str, str]], clients: int) -> None:
    lines = [
        "# yaml-language-server: $schema=schemas/practice.schema.json",
        f"name: {q(f'Synthetic Group Practice ({clients} clients)')}",
        "clinicians:",
    ]
    for cid, name, role in clinicians:
        lines += [f"  - id: {cid}", f"    name: {name}", f"    role: {role}"]
    lines += [
        "# fixed so the book (and every benchmark run) looks the same whenever it is built",
        f"today: {TODAY.isoformat()}",
        "output: _book",
        "goal_categories:",
        "  - id: work-life-balance",
        "    label: Work-life balance",
        "alerts:",
        "  no_contact_days: 28",
        "  review_every_weeks: 6",
    ]
    (root / "goalbook.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def client_yaml(rng: random.Random, plan: ClientPlan) -> str:
    story = plan.story
    out = [
        "# yaml-language-server: $schema=../../schemas/client.schema.json",
        f"id: {plan.id}",
        f"name: {q(plan.name)}",
        f"clinician: {plan.clinician}",
        f"start_date: {plan.contacts[0].date.isoformat()}",
        f"status: {plan.status}",
    ]
    if plan.status == "discharged":
        out.append(f"end_date: {plan.contacts[-1].date.isoformat()}")
    out.append(f"pronouns: {rng.choice(PRONOUNS)}")
    out.append("hopes:")
    out += [f"  - {q(h)}" for h in rng.sample(story.hopes, min(2, len(story.hopes)))]
    out.append("focus_areas:")
    for priority, (fid, name) in enumerate(story.focus_areas, start=1):
        out += [f"  - id: {fid}", f"    name: {q(name)}", f"    priority: {priority}"]
    out.append("questionnaires:")
    for i, inst in enumerate(plan.instruments):
        out += [f"  - instrument: {inst}", f"    every_weeks: {2 if i == 0 else 4}"]
    text = "\n".join(out) + "\n"
    referral = rng.choice(("Referred by the GP.", "Referred by occupational health.", "Self-referral."))
    text += block("notes", f"{referral}\nMain concern at intake: {story.focus_areas[0][1].lower()}.")
    if rng.random() < 0.3:
        text += block("private_notes", rng.choice(PRIVATE_NOTES))
    return text


def goals_yaml(plan: ClientPlan) -> str:
    out = ["# yaml-language-server: $schema=../../schemas/goals.schema.json", "goals:"]
    for g in plan.goals:
        tpl = g.tpl
        target_date = g.set_date + timedelta(weeks=20)
        if g.status == "active":
            target_date = max(target_date, TODAY + timedelta(weeks=6 + len(g.id) % 6))
        out += [
            f"  - id: {g.id}",
            f"    title: {q(tpl.title)}",
            f"    own_words: {q(tpl.own_words)}",
            f"    category: {tpl.category}",
            f"    focus_area: {tpl.focus_area}",
            f"    status: {g.status}",
            f"    set_date: {g.set_date.isoformat()}",
            f"    target_date: {target_date.isoformat()}",
        ]
        if g.status in ("active", "paused"):
            out.append(f"    review_date: {(TODAY + timedelta(days=7 + len(g.id) % 21)).isoformat()}")
        out += [f"    achievable: {q(tpl.achievable)}", f"    relevant: {q(tpl.relevant)}", "    measure:"]
        if tpl.measure == "questionnaire":
            out += ["      type: questionnaire", f"      instrument: {tpl.label}"]
        elif tpl.measure == "rating":
            out += ["      type: rating", f"      label: {q(tpl.label)}", "      min: 0", "      max: 10"]
        elif tpl.measure == "count":
            out += ["      type: count", f"      label: {q(tpl.label)}", "      per: week"]
        else:
            out += ["      type: gas", f"      weight: {1 + len(g.id) % 2}", "      levels:"]
            for name, text in zip(("much_less", "less", "expected", "more", "much_more"), tpl.levels):
                out.append(f"        {name}: {q(text)}")
        out.append(f"    baseline: {g.baseline}")
        if tpl.measure != "gas":
            out.append(f"    target: {q(g.target_text) if not g.target_text.lstrip('-').isdigit() else g.target_text}")
            out.append(f"    direction: {'decrease' if g.target < g.baseline else 'increase'}")
        out.append("    steps:")
        for sid, action, times, per in g.steps:
            out += [f"      - id: {sid}", f"        action: {q(action)}", f"        times: {times}", f"        per: {per}"]
        if g.revises:
            out.append(f"    revises: {g.revises}")
    return "\n".join(out) + "\n"


def session_yaml(rng: random.Random, plan: ClientPlan, i: int, clinicians: list[str]) -> str:
    c = plan.contacts[i]
    out = [
        "# yaml-language-server: $schema=../../../schemas/session.schema.json",
        f"date: {c.date.isoformat()}",
        f"time: {q(rng.choice(TIMES))}",
        f"kind: {c.kind}",
    ]
    if c.kind != "check-in" and rng.random() < 0.03:  # a colleague covering
        out.append(f"clinician: {rng.choice(clinicians)}")
    risk = 1 if plan.trajectory in ("deteriorating", "setback") and rng.random() < 0.12 else 0
    if c.kind == "did-not-attend":
        text = "\n".join(out) + "\n"
        return text + block("notes", "Did not attend. Sent a text offering a new appointment.")
    given = plan.instruments[:1] if c.kind == "check-in" else plan.instruments
    out.append("questionnaires:")
    for inst in given:
        spec = INSTRUMENTS[inst]
        start, end = plan.totals[inst]
        hi = spec.items * spec.top
        total = max(0, min(hi, round(start + (end - start) * c.p + rng.gauss(0, 1.5))))
        if i == 0:
            total = start  # the intake score is the baseline of questionnaire goals
        if i == 0 and inst != plan.instruments[0] and rng.random() < 0.05:
            # only the total known, from the referral letter; a WHO-5 raw sum says it is raw
            key = "raw" if inst == "who5" else "total"
            out.append(f"  {inst}: {{{key}: {total}}}")
            continue
        answers = item_answers(total, spec, rng, risk if spec.risk_item else 0)
        out.append(f"  {inst}: [{', '.join(map(str, answers))}]")
    active = [g for g in plan.goals if g.first <= i <= g.last]
    values = {g.id: measurement(rng, g, c.p) for g in active if g.tpl.measure != "questionnaire"}
    if i == 0:
        values = {g.id: g.baseline for g in active if g.tpl.measure != "questionnaire"}
    if values:
        out.append("measurements:")
        out += [f"  {gid}: {v}" for gid, v in values.items()]
    days = (c.date - plan.contacts[i - 1].date).days if i else 0
    if days:
        done = {}
        adherence = 0.45 + 0.4 * max(0.0, c.p)
        for g in active:
            if g.first == i:
                continue
            for sid, _, times, per in g.steps:
                expected = times * days / {"day": 1, "week": 7, "month": 30}[per]
                done[sid] = max(0, round(expected * adherence + rng.gauss(0, 0.7)))
        if done:
            out.append("homework:")
            out += [f"  {sid}: {n}" for sid, n in done.items()]
    text = "\n".join(out) + "\n"
    sentences = rng.sample(plan.story.notes, 2) + rng.sample(GENERIC_NOTES, rng.choice((1, 2)))
    if c.kind == "intake":
        sentences = ["First meeting: history, hopes and what brings them now.", *sentences[:1]]
    notes = " ".join(sentences)
    if rng.random() < 0.15 and active:
        steps = [action for g in active for _, action, _, _ in g.steps][:2]
        notes += "\n\nFor next time:\n\n" + "\n".join(f"- {s}" for s in steps)
    text += block("notes", notes)
    flagged = [{"phq9": "PHQ-9 item 9", "core10": "CORE-10 item 6"}[i] for i in given if risk and i in ("phq9", "core10")]
    if flagged:
        text += block("private_notes", f"{' and '.join(flagged)} endorsed: passive thoughts, no plan or intent.\n"
                      "Safety plan reviewed together; agreed to call the crisis line if the thoughts get stronger.")
    elif rng.random() < 0.06:
        text += block("private_notes", rng.choice(PRIVATE_NOTES))
    return text


def session_file_name(c: Contact) -> str:
    return f"{c.date.isoformat()}{c.suffix}.yaml"


def make_practice(out: Path, clients: int, sessions: int, seed: int = 1) -> Path:
    """Write the practice into ``out`` (created; must be empty or missing). Returns ``out``."""
    if clients < 1 or sessions < 1:
        raise ValueError("need at least one client and one session")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; refusing to write a practice into it")
    (out / "clients").mkdir(parents=True, exist_ok=True)
    team = list(CLINICIANS[: max(2, min(len(CLINICIANS), math.ceil(clients / 125)))])
    ids = [cid for cid, _, _ in team]
    write_settings(out, team, clients)
    (out / ".gitignore").write_text("_book/\n.goalbook-cache/\n", encoding="utf-8")
    copy_schemas(out)
    for index in range(clients):
        plan = plan_client(index, seed, sessions, ids)
        rng = random.Random(f"{seed}:{index}:text")
        folder = out / "clients" / plan.id
        (folder / "sessions").mkdir(parents=True)
        (folder / "client.yaml").write_text(client_yaml(rng, plan), encoding="utf-8")
        (folder / "goals.yaml").write_text(goals_yaml(plan), encoding="utf-8")
        for i, contact in enumerate(plan.contacts):
            path = folder / "sessions" / session_file_name(contact)
            path.write_text(session_yaml(rng, plan, i, ids), encoding="utf-8")
    return out


def copy_schemas(out: Path) -> None:
    """Copies of goalbook's schemas, as `init` writes them, so the modelines resolve offline."""
    try:
        from goalbook.resources import data_dir

        schemas = data_dir("schemas")
    except (ImportError, FileNotFoundError):
        return
    files = sorted(schemas.glob("*.schema.json"))
    if files:
        (out / "schemas").mkdir(exist_ok=True)
        for f in files:
            shutil.copyfile(f, out / "schemas" / f.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must be empty or missing)")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=40, help="session files per client")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        make_practice(args.out, args.clients, args.sessions, args.seed)
    except (FileExistsError, ValueError) as err:
        print(f"make_practice: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.clients} clients × {args.sessions} sessions to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
