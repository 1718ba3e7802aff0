"""The SMART check, one rule at a time (a pure function: no database)."""

import datetime as dt

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from learnloop.plans.smart import GoalDraft, PlanWindow, advise, weekly_learning_minutes

TODAY = dt.date(2026, 3, 2)
WINDOW = PlanWindow(starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
GOOD_SKILL = GoalDraft(
    kind="skill",
    skill_name="Coaching",
    target_level=3,
    current_level=2.0,
    due_on=dt.date(2026, 9, 30),
    has_link=True,
    item_minutes=240,
)
GOOD_OUTCOME = GoalDraft(
    kind="outcome",
    outcome="Facilitate our team's retrospectives",
    measure="Run 3 retrospectives by June with a written action list",
    due_on=dt.date(2026, 6, 30),
    has_link=True,
)


def _rules(draft: GoalDraft, weekly: int = 120) -> dict[str, str]:
    return {a.rule: a.message for a in advise(draft, window=WINDOW, today=TODAY, weekly_minutes=weekly)}


def _with(draft: GoalDraft, **changes: object) -> GoalDraft:
    return GoalDraft(**{**draft.__dict__, **changes})


def test_a_smart_goal_gets_no_advice() -> None:
    assert _rules(GOOD_SKILL) == {}
    assert _rules(GOOD_OUTCOME) == {}


def test_it_asks_an_outcome_for_a_measure() -> None:
    advice = advise(_with(GOOD_OUTCOME, measure=""), window=WINDOW, today=TODAY, weekly_minutes=120)
    assert [(a.rule, a.field) for a in advice] == [("measurable", "measure")]
    assert "How will you and your manager know" in advice[0].message


def test_it_names_vague_words_unless_the_measure_has_a_number() -> None:
    vague = _with(GOOD_OUTCOME, outcome="Get better at retrospectives", measure="Improve how they feel")
    assert "“better”" in _rules(vague)["measurable"]
    assert "measurable" not in _rules(_with(vague, measure="Improve the retro score from 3 to 4"))


def test_an_outcome_needs_words() -> None:
    assert "Say what will be different" in _rules(_with(GOOD_OUTCOME, outcome=" "))["measurable"]


def test_a_skill_goal_needs_a_skill_and_a_target() -> None:
    assert "Choose the skill" in _rules(_with(GOOD_SKILL, skill_name=""))["measurable"]
    assert "Which level of Coaching" in _rules(_with(GOOD_SKILL, target_level=None))["measurable"]


def test_a_skill_target_must_be_above_the_calibrated_level() -> None:
    message = _rules(_with(GOOD_SKILL, target_level=3, current_level=3.2))["measurable"]
    assert "already 3.2" in message and "Aim one level higher" in message
    assert "measurable" not in _rules(_with(GOOD_SKILL, target_level=4, current_level=3.2))
    # Not rated yet: any target is growth.
    assert "measurable" not in _rules(_with(GOOD_SKILL, current_level=None))


def test_a_skill_target_stays_on_the_scale_and_the_top_points_to_an_outcome() -> None:
    on_four = _with(GOOD_SKILL, top_level=4)
    assert "measurable" not in _rules(on_four)
    assert _rules(_with(on_four, target_level=5))["measurable"] == (
        "The proficiency scale goes from 1 to 4: aim for one of those."
    )
    at_top = _rules(_with(on_four, target_level=4, current_level=4.0))["measurable"]
    assert "already 4.0, the top of the scale" in at_top and "outcome goal" in at_top


def test_it_asks_for_a_due_date_inside_the_period() -> None:
    assert (
        "Give the goal a due date, before the plan ends on 31 December 2026"
        in _rules(_with(GOOD_SKILL, due_on=None))["time_bound"]
    )
    assert "outside this plan's period" in _rules(_with(GOOD_SKILL, due_on=dt.date(2027, 2, 1)))["time_bound"]
    assert "outside this plan's period" in _rules(_with(GOOD_SKILL, due_on=dt.date(2025, 12, 31)))["time_bound"]
    assert "has passed" in _rules(_with(GOOD_SKILL, due_on=dt.date(2026, 2, 1)))["time_bound"]


def test_it_asks_for_a_link_to_an_objective_or_role_path() -> None:
    assert "org objective or to your role path" in _rules(_with(GOOD_SKILL, has_link=False))["relevant"]


def test_it_compares_effort_with_learning_time() -> None:
    # Due in 2 weeks with 2 hours a week: 4 hours available.
    soon = _with(GOOD_SKILL, due_on=TODAY + dt.timedelta(days=14))
    assert "achievable" not in _rules(_with(soon, item_minutes=240))
    message = _rules(_with(soon, item_minutes=241))["achievable"]
    assert "about 4 hours" in message and "2 hours a week" in message
    # More weekly time makes the same goal fit.
    assert "achievable" not in _rules(_with(soon, item_minutes=300), weekly=180)


def test_no_effort_advice_without_a_date_or_items() -> None:
    assert "achievable" not in _rules(_with(GOOD_SKILL, due_on=None, item_minutes=10_000))
    assert "achievable" not in _rules(_with(GOOD_SKILL, item_minutes=0))


def test_advice_comes_most_fundamental_first() -> None:
    draft = GoalDraft(kind="outcome", outcome="Be better", due_on=None, has_link=False)
    assert [a.rule for a in advise(draft, window=WINDOW, today=TODAY, weekly_minutes=120)] == [
        "measurable",
        "time_bound",
        "relevant",
    ]


@pytest.mark.django_db
@override_settings(LEARNING_TIME_DEFAULT_WEEKLY_MINUTES=90)
def test_weekly_minutes_are_the_persons_learning_time_budget(personas) -> None:
    from learnloop.learningtime.services import person_budget_set, team_budget_set

    assert weekly_learning_minutes(personas.alice) == 90  # the organization's default
    team_budget_set(actor=personas.bob, weekly_minutes=180)
    assert weekly_learning_minutes(personas.alice) == 180  # her manager's team default
    person_budget_set(actor=personas.bob, person=personas.alice, weekly_minutes=240)
    assert weekly_learning_minutes(personas.alice) == 240  # her own


@given(
    minutes=st.integers(min_value=0, max_value=20_000),
    weekly=st.integers(min_value=1, max_value=600),
    days_left=st.integers(min_value=0, max_value=300),
)
def test_effort_advice_appears_exactly_when_the_learning_does_not_fit(
    minutes: int, weekly: int, days_left: int
) -> None:
    due = TODAY + dt.timedelta(days=days_left)
    draft = _with(GOOD_SKILL, item_minutes=minutes, due_on=due)
    weeks = max(1, -(-days_left // 7))
    assert ("achievable" in _rules(draft, weekly)) == (minutes > weekly * weeks)


@given(
    kind=st.sampled_from(["skill", "outcome"]),
    text=st.text(max_size=80),
    target=st.none() | st.integers(min_value=1, max_value=5),
    current=st.none() | st.floats(min_value=1, max_value=5, allow_nan=False),
    due=st.none() | st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31)),
    linked=st.booleans(),
)
def test_advice_is_at_most_one_per_rule_and_always_names_a_field(
    kind: str, text: str, target: int | None, current: float | None, due: dt.date | None, linked: bool
) -> None:
    draft = GoalDraft(
        kind=kind,
        skill_name=text[:20],
        target_level=target,
        current_level=current,
        outcome=text,
        measure=text[::-1],
        due_on=due,
        has_link=linked,
        item_minutes=len(text) * 30,
    )
    advice = advise(draft, window=WINDOW, today=TODAY, weekly_minutes=120)
    rules = [a.rule for a in advice]
    assert len(rules) == len(set(rules))
    assert set(rules) <= {"measurable", "time_bound", "relevant", "achievable"}
    assert all(a.field and a.message.strip() for a in advice)
    assert ("relevant" in rules) == (not linked)
