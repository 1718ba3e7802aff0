"""What a goal asks of its person (overdue, ready to be marked achieved) on the plan and home, and the
reminder a manager sends to someone in their team who has no plan."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from learnloop.core.models import AuditEvent
from learnloop.core.templatetags.dates import day
from learnloop.core.testing import Personas, PersonFactory
from learnloop.notifications.models import Notification
from learnloop.plans import selectors, services
from learnloop.plans.models import Goal, Plan
from learnloop.plans.tests.helpers import enrol, item

pytestmark = pytest.mark.django_db
START = dt.date(2031, 1, 1)
DUE = dt.date(2031, 6, 30)


def _plan(person, period="2031", status=Plan.Status.OPEN, ends_on=dt.date(2031, 12, 31), starts_on=START):
    return Plan.objects.create(person=person, period=period, starts_on=starts_on, ends_on=ends_on, status=status)


def _goal(plan, due_on=DUE, **extra):
    fields = {"kind": Goal.Kind.OUTCOME, "outcome": "Run our retros", "measure": "3", **extra}
    return Goal.objects.create(plan=plan, due_on=due_on, **fields)


def _flags(goal, today):
    (plan,) = selectors.with_flags([Plan.objects.get(pk=goal.plan_id)], today=today)
    (flagged,) = [g for g in plan.goals.all() if g.pk == goal.pk]
    return flagged.overdue_since, flagged.ready_to_achieve  # type: ignore[attr-defined]


def test_a_goal_is_overdue_from_the_day_after_its_due_date(personas: Personas) -> None:
    goal = _goal(_plan(personas.alice))
    assert _flags(goal, DUE - dt.timedelta(days=1)) == (None, False)
    assert _flags(goal, DUE) == (None, False)  # due today is not late yet
    assert _flags(goal, DUE + dt.timedelta(days=1)) == (DUE, False)


def test_achieved_goals_closed_plans_and_undated_goals_are_never_overdue(personas: Personas) -> None:
    late = DUE + dt.timedelta(days=10)
    plan = _plan(personas.alice)
    assert _flags(_goal(plan, completed_at=dt.datetime(2031, 6, 1, tzinfo=dt.UTC)), late) == (None, False)
    assert _flags(_goal(plan, due_on=None), late) == (None, False)
    closed = _plan(personas.alice, period="2030", status=Plan.Status.CLOSED)
    assert _flags(_goal(closed), late) == (None, False)


def test_a_goal_is_ready_to_achieve_when_all_its_learning_is_done(personas: Personas) -> None:
    goal = _goal(_plan(personas.alice))
    first, second = item("Retro basics"), item("Retro formats")
    goal.items.add(first, second)
    enrol(personas.alice, first, status="completed", progress=100)
    enrolment = enrol(personas.alice, second, status="in_progress", progress=99)
    assert _flags(goal, START) == (None, False)  # 99.5% is not done
    enrolment.status, enrolment.progress = "completed", 100
    enrolment.save()
    assert _flags(goal, START) == (None, True)
    # Overdue and done: both are said.
    assert _flags(goal, DUE + dt.timedelta(days=1)) == (DUE, True)
    goal.items.clear()
    assert _flags(goal, START) == (None, False)  # no learning attached: nothing to be done


def test_the_plan_page_flags_and_one_click_marks_achieved(personas: Personas) -> None:
    # The page reads today's date: the plan and its goals are placed around it.
    today = timezone.localdate()
    plan = _plan(personas.alice, starts_on=today - dt.timedelta(days=100), ends_on=today + dt.timedelta(days=300))
    late = _goal(plan, due_on=today - dt.timedelta(days=30))
    ready = _goal(plan, due_on=today + dt.timedelta(days=30), outcome="Coach two colleagues")
    since = f"Overdue since {day(late.due_on)}."
    done = item("Coaching basics")
    ready.items.add(done)
    enrol(personas.alice, done, status="completed", progress=100)
    owner = Client()
    owner.force_login(personas.alice)
    html = owner.get(f"/plans/{plan.pk}/").content.decode()
    assert since in html and f'href="/plans/goals/{late.pk}/edit/"' in html
    assert "All the learning for this goal is done." in html and "Did you reach it?" in html
    assert html.count(f'action="/plans/goals/{ready.pk}/complete/"') == 1
    # Their manager sees the flags, without the owner's buttons.
    manager = Client()
    manager.force_login(personas.bob)
    seen = manager.get(f"/plans/{plan.pk}/").content.decode()
    assert since in seen and "Worth a word in your next 1:1" in seen
    assert "/complete/" not in seen
    owner.post(f"/plans/goals/{ready.pk}/complete/")
    assert Goal.objects.get(pk=ready.pk).completed_at is not None
    assert AuditEvent.objects.filter(action="goal.complete", object_id=str(ready.pk)).exists()


def test_the_home_panel_flags_overdue_and_ready_goals(personas: Personas) -> None:
    plan = _plan(personas.alice)
    _goal(plan, due_on=dt.date(2031, 2, 1))
    ready = _goal(plan, due_on=dt.date(2031, 11, 1))
    ready.items.add(item("Coaching basics"))
    enrol(personas.alice, item("Coaching basics"), status="completed", progress=100)
    panel = selectors.home_panel_context(personas.alice, today=dt.date(2031, 3, 1))
    assert panel is not None and (panel["overdue"], panel["ready"]) == (1, 1)
    assert selectors.home_panel_context(personas.alice, today=dt.date(2031, 2, 1))["overdue"] == 0  # type: ignore[index]


def test_the_home_page_shows_the_flags(personas: Personas) -> None:
    # The page reads today's date: the plan and the goal are placed around it.
    today = timezone.localdate()
    plan = Plan.objects.create(
        person=personas.alice,
        period="now",
        starts_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=300),
    )
    late = _goal(plan, due_on=today - dt.timedelta(days=3))
    late.items.add(item("Coaching basics"))
    enrol(personas.alice, item("Coaching basics"), status="completed", progress=100)
    client = Client()
    client.force_login(personas.alice)
    home = client.get("/").content.decode()
    assert f"overdue since {day(late.due_on)}" in home and "1 goal overdue." in home
    assert "1 goal with all its learning done:" in home
    assert f'action="/plans/goals/{late.pk}/complete/"' in home


# --- Team plans: reports without a plan, and a reminder ---------------------------------------------


def test_team_plans_lists_reports_without_a_plan(personas: Personas) -> None:
    _plan(personas.alice, ends_on=dt.date(2999, 12, 31))
    PersonFactory.create(manager=personas.alice, first_name="Nina", last_name="Novak")  # further down
    PersonFactory.create(manager=personas.bob, first_name="Ravi", last_name="Rao", is_active=False)
    manager = Client()
    manager.force_login(personas.bob)
    html = manager.get("/plans/team/").content.decode()
    section = html[html.index('id="no-plan-heading"') :]
    names = re.findall(r'href="/people/\d+/">([^<]+)</a>', section)
    assert names == ["Nina Novak"]  # everyone active under Bob without an open plan
    assert all(p.display_name in names for p in selectors.team_without_plan(actor=personas.bob))
    assert personas.oscar.display_name not in names  # not Bob's report


def test_a_reminder_is_sent_once_audited_and_only_to_the_team(personas: Personas) -> None:
    report = PersonFactory.create(manager=personas.bob)
    today = dt.date(2031, 3, 1)
    assert services.plan_nudge(actor=personas.bob, person=report, today=today) is True
    assert services.plan_nudge(actor=personas.bob, person=report, today=today) is False  # deduped
    (note,) = Notification.objects.filter(recipient=report, kind="plan_nudge")
    assert "asks you to start your development plan" in note.title and note.url == "/plans/new/"
    assert AuditEvent.objects.filter(action="plan.nudge", object_id=str(report.pk)).count() == 1
    assert services.plan_nudge(actor=personas.bob, person=report, today=dt.date(2031, 4, 1)) is True  # a new month
    (listed,) = [p for p in selectors.team_without_plan(actor=personas.bob, today=today) if p.pk == report.pk]
    assert listed.nudged_at is not None  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        services.plan_nudge(actor=personas.oscar, person=report, today=today)
    _plan(report, ends_on=dt.date(2999, 12, 31))
    with pytest.raises(ValidationError) as exc:
        services.plan_nudge(actor=personas.bob, person=report, today=today)
    assert "already has a plan" in exc.value.messages[0]


def test_the_reminder_button_and_api(personas: Personas) -> None:
    report = PersonFactory.create(manager=personas.bob)
    manager = Client()
    manager.force_login(personas.bob)
    page = manager.get("/plans/team/?period=2031").content.decode()
    assert f'action="/plans/team/nudge/{report.pk}/"' in page and 'name="period" value="2031"' in page
    answer = manager.post(f"/plans/team/nudge/{report.pk}/", {"period": "2031"}, follow=True).content.decode()
    assert "has a reminder to start their plan" in answer and "reminded" in answer
    api = manager.post(f"/api/v1/plans/team/{report.pk}/nudge", {"period": "2031"}, content_type="application/json")
    assert api.status_code == 200 and api.json() == {"sent": False}
    listed = manager.get("/api/v1/plans/team/without-plan?period=2031").json()["items"]
    assert any(row["id"] == report.pk and row["nudged_at"] for row in listed)
