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


# Every boundary docs/plans.md promises, each side of it.


def _advice(draft: GoalDraft, *, today: dt.date = TODAY, weekly: int = 120) -> dict[str, tuple[str, str]]:
    return {a.rule: (a.field, a.message) for a in advise(draft, window=WINDOW, today=today, weekly_minutes=weekly)}


def test_a_due_date_on_the_plans_first_or_last_day_is_inside_the_period() -> None:
    first, last = WINDOW.starts_on, WINDOW.ends_on
    assert "time_bound" not in _advice(_with(GOOD_SKILL, due_on=first, item_minutes=0), today=first)
    assert "time_bound" not in _advice(_with(GOOD_SKILL, due_on=last))
    outside = (
        "The due date is outside this plan's period (1 January 2026 to 31 December 2026). Move it inside, "
        "or put the goal in another plan."
    )
    assert _advice(_with(GOOD_SKILL, due_on=first - dt.timedelta(days=1)), today=first - dt.timedelta(days=1))[
        "time_bound"
    ] == ("due_on", outside)
    assert _advice(_with(GOOD_SKILL, due_on=last + dt.timedelta(days=1)))["time_bound"] == ("due_on", outside)


def test_a_goal_due_today_has_not_passed_but_one_due_yesterday_has() -> None:
    assert "time_bound" not in _advice(_with(GOOD_SKILL, due_on=TODAY))
    assert _advice(_with(GOOD_SKILL, due_on=TODAY - dt.timedelta(days=1)))["time_bound"] == (
        "due_on",
        "The due date has passed. Set a new date you can still reach.",
    )


def test_a_missing_due_date_names_the_plans_last_day() -> None:
    assert _advice(_with(GOOD_SKILL, due_on=None))["time_bound"] == (
        "due_on",
        "Give the goal a due date, before the plan ends on 31 December 2026.",
    )


def test_a_goal_due_today_still_has_this_weeks_learning_time() -> None:
    due_today = _with(GOOD_SKILL, due_on=TODAY)
    assert "achievable" not in _advice(_with(due_today, item_minutes=120))
    assert "achievable" in _advice(_with(due_today, item_minutes=121))
    # A passed date is the time-bound rule's business; effort advice would only repeat it.
    assert "achievable" not in _advice(_with(GOOD_SKILL, due_on=TODAY - dt.timedelta(days=1), item_minutes=9_999))


def test_weeks_left_are_counted_in_whole_weeks_rounded_up() -> None:
    in_seven_days = _with(GOOD_SKILL, due_on=TODAY + dt.timedelta(days=7))
    assert "achievable" not in _advice(_with(in_seven_days, item_minutes=120))
    assert "achievable" in _advice(_with(in_seven_days, item_minutes=121))
    in_eight_days = _with(GOOD_SKILL, due_on=TODAY + dt.timedelta(days=8))
    assert "achievable" not in _advice(_with(in_eight_days, item_minutes=240))
    assert "achievable" in _advice(_with(in_eight_days, item_minutes=241))


def test_items_without_minutes_ask_nothing_of_the_time() -> None:
    assert "achievable" not in _advice(_with(GOOD_SKILL, due_on=TODAY, item_minutes=0), weekly=0)
    assert "achievable" in _advice(_with(GOOD_SKILL, due_on=TODAY, item_minutes=1), weekly=0)


def test_the_effort_advice_speaks_in_hours_and_minutes_with_the_right_plural() -> None:
    due_today = _with(GOOD_SKILL, due_on=TODAY)
    assert _advice(_with(due_today, item_minutes=61), weekly=60)["achievable"] == (
        "items",
        "The learning attached takes about 1 hour, but with 1 hour a week you have about 1 hour before the "
        "due date. Move the date, drop an item, or agree more learning time with your manager.",
    )
    message = _advice(_with(due_today, item_minutes=150), weekly=59)["achievable"][1]
    assert message.startswith("The learning attached takes about 2 hours, but with 59 minutes a week you have about ")
    assert "about 59 minutes before the due date" in message
    in_three_weeks = _with(GOOD_SKILL, due_on=TODAY + dt.timedelta(days=21))
    message = _advice(_with(in_three_weeks, item_minutes=600), weekly=100)["achievable"][1]
    assert "takes about 10 hours, but with 2 hours a week you have about 5 hours before" in message


def test_a_target_of_level_1_is_on_the_scale_and_level_0_is_not() -> None:
    on_five = _with(GOOD_SKILL, top_level=5, current_level=None)
    assert "measurable" not in _advice(_with(on_five, target_level=1))
    assert "measurable" not in _advice(_with(on_five, target_level=5))
    off = ("target_level", "The proficiency scale goes from 1 to 5: aim for one of those.")
    assert _advice(_with(on_five, target_level=0))["measurable"] == off
    assert _advice(_with(on_five, target_level=6))["measurable"] == off


def test_a_target_must_be_strictly_above_the_calibrated_level() -> None:
    assert _advice(_with(GOOD_SKILL, target_level=3, current_level=3.0))["measurable"] == (
        "target_level",
        "Your calibrated level in Coaching is already 3.0, so level 3 is reached. Aim one level higher to make "
        "this a growth goal.",
    )
    assert "measurable" not in _advice(_with(GOOD_SKILL, target_level=3, current_level=2.9))
    assert "measurable" not in _advice(_with(GOOD_SKILL, target_level=1, current_level=None, top_level=5))


def test_only_someone_at_the_very_top_is_pointed_to_an_outcome_goal() -> None:
    at_top = _advice(_with(GOOD_SKILL, target_level=5, current_level=5.0, top_level=5))["measurable"]
    assert at_top == (
        "target_level",
        "Your calibrated level in Coaching is already 5.0, the top of the scale. An outcome goal can say what "
        "you will do with it, such as coaching others.",
    )
    assert "measurable" not in _advice(_with(GOOD_SKILL, target_level=5, current_level=4.9, top_level=5))
    # Without a known scale only the calibrated level is compared.
    assert _advice(_with(GOOD_SKILL, target_level=5, current_level=5.0))["measurable"][1].endswith(
        "Aim one level higher to make this a growth goal."
    )


def test_the_skill_and_target_questions_are_worded_for_the_person() -> None:
    assert _advice(_with(GOOD_SKILL, skill_name=""))["measurable"] == ("skill", "Choose the skill this goal grows.")
    assert _advice(_with(GOOD_SKILL, target_level=None))["measurable"] == (
        "target_level",
        "Which level of Coaching are you aiming for?",
    )


def test_an_outcome_is_asked_for_words_then_a_measure() -> None:
    assert _advice(_with(GOOD_OUTCOME, outcome="  "))["measurable"] == (
        "outcome",
        "Say what will be different when this goal is done.",
    )
    assert _advice(_with(GOOD_OUTCOME, measure="  "))["measurable"] == (
        "measure",
        "How will you and your manager know it is done? Add a measure, such as a number, a date something ships, "
        "or feedback from someone specific.",
    )


def test_vague_words_are_whole_words_and_at_most_three_are_named() -> None:
    vague = _with(GOOD_OUTCOME, outcome="Improve and understand some stuff", measure="Feel better")
    assert _advice(vague)["measurable"] == (
        "measure",
        "Words like “better”, “improve”, “understand” are hard to check. Can the measure name a number or a "
        "concrete result, like “run 3 retrospectives” or “review time under 2 days”?",
    )
    # "Somerset" holds "some" and "Moreover" holds "more", but neither is the vague word.
    assert "measurable" not in _advice(
        _with(GOOD_OUTCOME, outcome="Open the Somerset office", measure="Moreover: open")
    )
    # A number in the outcome alone does not make the measure checkable.
    assert "measurable" in _advice(_with(GOOD_OUTCOME, outcome="Improve 3 things", measure="Feel better"))


def test_the_relevance_advice_names_the_objective_field() -> None:
    assert _advice(_with(GOOD_SKILL, has_link=False))["relevant"] == (
        "objective",
        "Link the goal to an org objective or to your role path, so you and your manager can see why it matters.",
    )
