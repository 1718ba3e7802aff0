"""Words for the demo catalog: reflections people write when they complete something, lunch-and-learn
write-ups, and the small files behind the uploaded-file items. Kept apart from demo.py, which decides who
does what and when."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence

# Per skill category: (what I learned, how I will apply it); {l} is the skill in lower case.
REFLECTIONS: dict[str, list[tuple[str, str]]] = {
    "Engineering practices": [
        (
            "Small, reviewable changes beat one big pull request: the reviewer catches more and I get answers "
            "the same day.",
            "Split the payments refactor into three pull requests of under 300 lines each.",
        ),
        (
            "The failure modes matter more than the happy path; I had never written down what happens when the "
            "queue is full.",
            "Add a 'what breaks' section to the design doc for our next service and review it with the team.",
        ),
        (
            "Flaky tests usually hide a timing assumption; waiting on a condition instead of sleeping fixed three "
            "of ours.",
            "Go through the ten slowest tests in our pipeline and remove the fixed sleeps.",
        ),
        (
            "Most of {l} is about making the next person's job easier, not about clever code.",
            "Pair with the new joiner on the next ticket and ask them where the code confused them.",
        ),
    ],
    "Data": [
        (
            "A chart should make one point; I used to put every series on the same axes.",
            "Redo the weekly churn chart with one message in its title and the rest in a table below.",
        ),
        (
            "Decide the metric and the sample size before the experiment starts, not when the numbers look good.",
            "Write the pre-registration for the onboarding email test before it goes live next sprint.",
        ),
        (
            "Averages hid the long tail in our response times; the 95th percentile tells the real story.",
            "Switch the support dashboard to medians and the 95th percentile.",
        ),
        (
            "Naming columns after what the business calls them saves more time than any clever model.",
            "Rename the three confusing fields in our customer table and document them in the catalog.",
        ),
    ],
    "Product and design": [
        (
            "Ask about the last time someone did the task, not what they would like: the stories are specific.",
            "Use the 'tell me about the last time' question in the five customer interviews this month.",
        ),
        (
            "A paper prototype in front of three people found the navigation problem in an afternoon.",
            "Test the new settings page as clickable sketches before the team builds it.",
        ),
        (
            "Saying no to a good idea is part of {l}; the roadmap only works if it leaves things out.",
            "Move two items off the next quarter's roadmap and explain why in the product review.",
        ),
        (
            "Plain words in buttons halved the support questions in the example we looked at.",
            "Rewrite the error messages of the import screen with the content designer.",
        ),
    ],
    "Leadership": [
        (
            "Asking 'what is the real challenge here for you?' and then staying quiet works better than advice.",
            "Start my next three 1:1s with a question and hold back my own suggestion for five minutes.",
        ),
        (
            "Feedback lands when it names a specific moment and its effect, and when I ask for their view.",
            "Give Sam feedback on the design review this week using situation, behaviour and impact.",
        ),
        (
            "Delegating the outcome, not the task, means agreeing what 'done' looks like up front.",
            "Hand the release checklist to Alex with the goal and the deadline, and check in only on Fridays.",
        ),
        (
            "People speak up when the leader admits their own mistakes first.",
            "Open the next retrospective with something I got wrong this sprint.",
        ),
    ],
    "Communication": [
        (
            "Put the decision I need in the first two lines; most readers stop there.",
            "Rewrite the budget request so the ask and the deadline are in the first paragraph.",
        ),
        (
            "One message per slide and a story arc made the talk much easier to follow.",
            "Rebuild the quarterly review deck around three messages and rehearse it with a colleague.",
        ),
        (
            "Stakeholders mind surprises more than bad news; a short weekly note prevents most escalations.",
            "Send a five-line status note to the finance and sales leads every Friday.",
        ),
        (
            "Separating interests from positions opened options neither side had considered.",
            "Prepare the vendor renewal by listing what matters to them, not just our price target.",
        ),
    ],
    "Customers and sales": [
        (
            "Letting the customer describe their current process first told me more than any demo.",
            "Open the next three discovery calls with questions only, no slides for the first 20 minutes.",
        ),
        (
            "Customers who reach a first success in week one renew far more often.",
            "Add a week-one check-in call to the onboarding plan for new accounts.",
        ),
        (
            "Reproducing the problem before answering saves a round trip most of the time.",
            "Ask for the exact steps and a screenshot in the first reply to every new ticket.",
        ),
        (
            "An honest pipeline with fewer deals is more useful to the team than an optimistic one.",
            "Clean out the stalled deals in my pipeline before the forecast call.",
        ),
    ],
    "Business and finance": [
        (
            "Separate the assumptions from the mechanics of a model so others can challenge them.",
            "Move all inputs of the hiring-plan model onto one sheet with a source for each.",
        ),
        (
            "Variance is only useful with a short explanation of why; the numbers alone start arguments.",
            "Add a one-line reason to each variance over 5% in the monthly report.",
        ),
        (
            "Asking 'compared with what?' is the quickest test of any number in a meeting.",
            "Bring a baseline for every metric in the next business review.",
        ),
    ],
    "People and learning": [
        (
            "Learning changes behaviour when people practise on their own cases, not on made-up ones.",
            "Rework the onboarding module so every exercise uses the participant's own team.",
        ),
        (
            "Structured questions and a scoring guide make interview debriefs shorter and fairer.",
            "Use the scorecard for the two open roles in Customer Success and compare the debriefs.",
        ),
        (
            "Skills data is only useful for planning when managers trust how it was collected.",
            "Walk the department heads through how the skill levels are calibrated before the planning round.",
        ),
    ],
    "Ways of working": [
        (
            "Writing the context down before the meeting meant half of our meetings were no longer needed.",
            "Replace the Monday status meeting with a written update and a 15-minute call for blockers.",
        ),
        (
            "A retrospective needs one action with an owner, not a list of twelve good intentions.",
            "End our next retrospective with a single action and check it at the start of the one after.",
        ),
        (
            "A small experiment with a clear stop rule is easier to agree on than a big change.",
            "Propose a four-week trial of no-meeting Wednesdays with a survey at the end.",
        ),
        (
            "Knowledge only spreads when it is easy to find; our wiki pages had no owners.",
            "Give each page in our team space an owner and a 'last checked' date.",
        ),
    ],
}
GENERAL = [
    (
        "The most useful part of the {l} material was the checklist; I had been doing half of it by instinct.",
        "Use the checklist on the next piece of work and note which steps I skipped.",
    ),
    (
        "I underestimated how much {l} depends on preparation.",
        "Block 30 minutes to prepare before the next time I need it.",
    ),
]
# Stretch assignments, by title: what people wrote when they finished the real piece of work.
STRETCH_REFLECTIONS: dict[str, list[tuple[str, str]]] = {
    "Lead the next quarter's incident review": [
        (
            "Running the review myself showed how much depends on a blameless tone: people shared far more once "
            "I opened with what the timeline did not show.",
            "Hand the facilitation guide to the next reviewer and keep the action tracker in the team channel.",
        ),
        (
            "Collecting the incidents was the hard part; half had no timeline until I asked for one.",
            "Add a timeline template to the incident channel so the next review starts with facts.",
        ),
    ],
    "Facilitate a cross-team planning session": [
        (
            "Two teams agreed on priorities once dependencies were on one wall; most conflicts were about timing.",
            "Share the dependency map before the next planning round so teams arrive with proposals.",
        ),
        (
            "Timeboxing each topic and parking the rest kept the session to three hours.",
            "Write up the parking lot and agree owners for each item within a week.",
        ),
    ],
    "Design an interview loop": [
        (
            "Writing the scoring guide first forced us to agree what 'good' means for the role.",
            "Run calibration with the other interviewers after the first five candidates.",
        ),
        (
            "Structured questions made the debrief 20 minutes shorter and much less about gut feeling.",
            "Offer the loop to the data team for their analyst role.",
        ),
    ],
    "Rebuild the team dashboard": [
        (
            "Starting from the three questions the team asks every Monday removed two thirds of the charts.",
            "Review the dashboard with the team after a month and delete what nobody used.",
        ),
        (
            "Agreeing the definitions of 'active customer' took longer than building the charts.",
            "Publish the definitions next to the dashboard so other teams reuse them.",
        ),
    ],
    "Start a community of practice": [
        (
            "Four sessions were enough to find a core group; the hard part is handing it over before I move on.",
            "Pair with my successor on the next two sessions and then step back.",
        ),
        (
            "People came for the practical demos, not the slides; short show-and-tells worked best.",
            "Keep every session to two 15-minute demos and a shared notes page.",
        ),
    ],
}
OPENERS = {
    "book": ["From the book:", "Reading it with the book club:", ""],
    "self_paced": ["", "From the exercises:", ""],
    "live_session": ["In the workshop:", "From the practice rounds:", ""],
    "lunch_and_learn": ["From the talk:", ""],
    "cohort": ["From our cohort's discussions:", ""],
    "mentoring": ["From the conversations with my mentor:", ""],
}


def reflection(*, kind: str, title: str, skill: str, category: str, rng: random.Random) -> tuple[str, str]:
    """What a person wrote on completing an item: (what I learned, how I will apply it)."""
    lower = skill[0].lower() + skill[1:] if skill else "this"
    if kind == "stretch" and title in STRETCH_REFLECTIONS:
        return rng.choice(STRETCH_REFLECTIONS[title])
    learned, apply_plan = rng.choice(REFLECTIONS.get(category) or GENERAL)
    opener = rng.choice(OPENERS.get(kind, [""]))
    learned = learned.format(l=lower)
    if opener:
        learned = f"{opener} {learned[0].lower()}{learned[1:]}"
    # Not everyone writes both halves.
    return learned, apply_plan if rng.random() < 0.7 else ""


# Lunch and learns that took place, with a recording and a write-up: skill -> the write-up.
WRITE_UPS: dict[str, str] = {
    "Incident response": """\
## What we covered

How the Atlas team ran last month's checkout outage: who took which role, how the status page was updated
every 30 minutes, and what the review found.

## Three things to take away

1. Name an incident lead in the first five minutes, even for a small incident.
2. Keep a timeline in the incident channel as you go; it makes the review an hour shorter.
3. Reviews are about the system, not the person: "what made this easy to get wrong?"

## Questions from the room

- *Who updates customers?* The incident lead asks Customer Success; the lead does not write it.
- *When do we page a second team?* As soon as the cause might be theirs; a false alarm costs less.

Slides and the timeline template are linked from the recording.
""",
    "Asynchronous collaboration": """\
## What we covered

How the Bengaluru and Berlin teams replaced two daily calls with written updates, and what they kept
synchronous on purpose.

## Three things to take away

1. Write for the reader in the other time zone: the decision needed, the deadline, the context.
2. Decisions live in one place (the team's decision log), not in threads.
3. Keep one short overlap call a week for the things that need a conversation.

## Questions from the room

- *How do you avoid walls of text?* A template: context, proposal, what I need from you, by when.
""",
    "Data visualisation": """\
## What we covered

Before and after: three dashboards from Sales and Support redesigned so each chart makes one point.

## Three things to take away

1. Put the message in the chart's title ("Churn fell after the onboarding change"), not just "Churn".
2. Start the axis at zero for bars; lines may zoom in.
3. Colour for meaning only: one highlight, the rest grey.

## Questions from the room

- *Pie charts?* Rarely; a sorted bar chart answers the same question more clearly.
""",
    "Giving feedback": """\
## What we covered

A short role-play of a difficult feedback conversation, then the same conversation with situation,
behaviour and impact, and a question at the end.

## Three things to take away

1. Be specific: one moment, what you saw, the effect it had.
2. Ask for their view before suggesting anything.
3. Give positive feedback with the same care; it is how people know what to keep doing.

## Questions from the room

- *Feedback to your manager?* Ask first whether they want it now, and keep it about one situation.
""",
    "Experiment design": """\
## What we covered

How the growth team ran the onboarding email test: the hypothesis, the sample size calculation, and why
they stopped looking at the results until the planned end date.

## Three things to take away

1. Write the hypothesis and the success metric down before launching.
2. Work out the sample size first; small effects need more people than you think.
3. Peeking and stopping early makes random noise look like a win.

## Questions from the room

- *What if the test is too slow?* Test a bigger change, or pick a metric closer to the change.
""",
    "Customer onboarding": """\
## What we covered

What the Customer Success team learned from 40 new accounts: the first success in week one matters more
than any training session.

## Three things to take away

1. Agree the customer's first goal on the kick-off call and write it down together.
2. Check in at the end of week one, not after a month.
3. Hand over to support with the customer's goals, not only the contract.

## Questions from the room

- *Large accounts?* Same steps, one first goal per department.
""",
}

INCIDENT_REVIEW_TEMPLATE = """\
# Incident review: <title>

Date of the incident: <yyyy-mm-dd>  ·  Incident lead: <name>  ·  Review facilitator: <name>

## Summary
Two or three sentences: what customers saw, for how long, and how it ended.

## Timeline (times in UTC)
| time | what happened | who noticed or acted |
|---|---|---|
| | | |

## What made this easy to get wrong?
Describe the conditions, not the person. Which signals were missing or misleading?

## What went well
-

## Actions
| action | owner | due |
|---|---|---|
| | | |

Share the review in #incidents within five working days.
"""
INTERVIEW_SCORECARD = [
    ("competency", "question", "what a strong answer shows", "score 1-4", "evidence (quote the candidate)"),
    (
        "Problem solving",
        "Tell me about a hard problem you solved recently. What made it hard?",
        "Breaks the problem down; names trade-offs",
        "",
        "",
    ),
    (
        "Collaboration",
        "Describe a disagreement with a colleague. How did it end?",
        "Listens; looks for the shared goal",
        "",
        "",
    ),
    (
        "Ownership",
        "Tell me about something that went wrong on your watch.",
        "Owns the outcome; says what changed afterwards",
        "",
        "",
    ),
    ("Learning", "What have you learned in the last six months, and how?", "Specific; applied it at work", "", ""),
    (
        "Role skills",
        "Walk me through how you would approach <role task>.",
        "Structured; asks clarifying questions",
        "",
        "",
    ),
]
FEEDBACK_PLANNER_LINES = [
    "Feedback conversation planner",
    "",
    "1. The situation: when and where exactly?",
    "2. The behaviour: what did you see or hear? (facts, not labels)",
    "3. The impact: what effect did it have on you, the team or the work?",
    "4. Your question: how do they see it?",
    "5. Next step: what will each of you do, and when will you check in?",
    "",
    "Before: pick a private moment within a few days of the situation.",
    "After: write down what you agreed and thank them for listening.",
]


def csv_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a line of text each: a real file for the demo's uploaded items."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 12 Tf 16 TL 56 780 Td " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text.encode("latin-1")) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
