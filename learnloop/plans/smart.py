"""The SMART check: friendly, specific advice on a plan goal as it is written. It never blocks a save.

`advise()` is pure (a draft and the facts it needs in, advice out), so each rule is tested on its own;
`goal_facts()` gathers the facts from the database for a person.

Rules, each producing at most one piece of advice:

- measurable: an outcome needs a measure, without vague words unless the measure names a number;
  a skill goal needs a target level on the scale, above the person's calibrated level today (someone
  already at the top is pointed to an outcome goal).
- time-bound: a due date, inside the plan's period, not in the past.
- relevant: a link to an org objective or to the person's role path.
- achievable: the attached items' durations fit the learning time the person has until the due date
  (weekly learning minutes x weeks left).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

VAGUE_WORDS = (
    "better",
    "improve",
    "improved",
    "more",
    "understand",
    "familiar",
    "learn about",
    "get good at",
    "some",
    "stuff",
    "etc",
    "as needed",
    "try to",
)
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class GoalDraft:
    kind: str  # "skill" or "outcome"
    skill_name: str = ""
    target_level: int | None = None
    current_level: float | None = None
    top_level: int | None = None  # the proficiency scale's top
    outcome: str = ""
    measure: str = ""
    due_on: dt.date | None = None
    has_link: bool = False
    item_minutes: int = 0
    items_without_duration: int = 0


@dataclass(frozen=True)
class PlanWindow:
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class Advice:
    rule: str  # measurable, time_bound, relevant, achievable
    field: str
    message: str


def weekly_learning_minutes(person: Any) -> int:
    """The minutes a week `person` can spend learning: their learning-time budget (their own, their
    manager's team default, or the organization's; see docs/learning-time.md)."""
    from learnloop.learningtime.selectors import weekly_budget_minutes

    return weekly_budget_minutes(person)


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _vague_words(text: str) -> list[str]:
    lowered = f" {text.lower()} "
    return [word for word in VAGUE_WORDS if re.search(rf"\b{re.escape(word)}\b", lowered)]


def _hours(minutes: float) -> str:
    hours = minutes / 60
    return f"{hours:.0f} hour{'s' if round(hours) != 1 else ''}" if hours >= 1 else f"{minutes:.0f} minutes"


def _measurable(draft: GoalDraft) -> Advice | None:
    if draft.kind == "outcome":
        if not draft.outcome.strip():
            return Advice("measurable", "outcome", "Say what will be different when this goal is done.")
        if not draft.measure.strip():
            return Advice(
                "measurable",
                "measure",
                "How will you and your manager know it is done? Add a measure, such as a number, "
                "a date something ships, or feedback from someone specific.",
            )
        vague = _vague_words(f"{draft.outcome} {draft.measure}")
        if vague and not _NUMBER.search(draft.measure):
            words = ", ".join(f"“{w}”" for w in vague[:3])
            return Advice(
                "measurable",
                "measure",
                f"Words like {words} are hard to check. Can the measure name a number or a concrete result, "
                "like “run 3 retrospectives” or “review time under 2 days”?",
            )
        return None
    if not draft.skill_name:
        return Advice("measurable", "skill", "Choose the skill this goal grows.")
    if draft.target_level is None:
        return Advice("measurable", "target_level", f"Which level of {draft.skill_name} are you aiming for?")
    top = draft.top_level
    if top is not None and not 1 <= draft.target_level <= top:
        return Advice(
            "measurable", "target_level", f"The proficiency scale goes from 1 to {top}: aim for one of those."
        )
    if top is not None and draft.current_level is not None and draft.current_level >= top:
        return Advice(
            "measurable",
            "target_level",
            f"Your calibrated level in {draft.skill_name} is already {draft.current_level:.1f}, the top of the "
            "scale. An outcome goal can say what you will do with it, such as coaching others.",
        )
    if draft.current_level is not None and draft.target_level <= draft.current_level:
        return Advice(
            "measurable",
            "target_level",
            f"Your calibrated level in {draft.skill_name} is already {draft.current_level:.1f}, so level "
            f"{draft.target_level} is reached. Aim one level higher to make this a growth goal.",
        )
    return None


def _time_bound(draft: GoalDraft, window: PlanWindow, today: dt.date) -> Advice | None:
    if draft.due_on is None:
        return Advice(
            "time_bound", "due_on", f"Give the goal a due date, before the plan ends on {_date(window.ends_on)}."
        )
    if not window.starts_on <= draft.due_on <= window.ends_on:
        return Advice(
            "time_bound",
            "due_on",
            f"The due date is outside this plan's period ({_date(window.starts_on)} to "
            f"{_date(window.ends_on)}). Move it inside, or put the goal in another plan.",
        )
    if draft.due_on < today:
        return Advice("time_bound", "due_on", "The due date has passed. Set a new date you can still reach.")
    return None


def _relevant(draft: GoalDraft) -> Advice | None:
    if draft.has_link:
        return None
    return Advice(
        "relevant",
        "objective",
        "Link the goal to an org objective or to your role path, so you and your manager can see why it matters.",
    )


def _achievable(draft: GoalDraft, today: dt.date, weekly_minutes: int) -> Advice | None:
    if draft.due_on is None or draft.item_minutes <= 0 or draft.due_on < today:
        return None
    weeks = max(1, math.ceil((draft.due_on - today).days / 7))
    available = weekly_minutes * weeks
    if draft.item_minutes <= available:
        return None
    return Advice(
        "achievable",
        "items",
        f"The learning attached takes about {_hours(draft.item_minutes)}, but with {_hours(weekly_minutes)} a week "
        f"you have about {_hours(available)} before the due date. Move the date, drop an item, "
        "or agree more learning time with your manager.",
    )


def advise(draft: GoalDraft, *, window: PlanWindow, today: dt.date, weekly_minutes: int) -> list[Advice]:
    """Every piece of advice for `draft`, most fundamental first; an empty list means the goal is SMART."""
    found = [
        _measurable(draft),
        _time_bound(draft, window, today),
        _relevant(draft),
        _achievable(draft, today, weekly_minutes),
    ]
    return [advice for advice in found if advice is not None]
