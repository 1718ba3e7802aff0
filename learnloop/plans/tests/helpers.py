"""Small builders for plan tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.people.models import Person
from learnloop.plans.models import Goal, Objective, Plan, TransferCheck

# Plans tests run at a frozen moment in this year (conftest.py), so due dates never slip into the past.
YEAR = 2026
FROZEN_AT = dt.datetime(YEAR, 6, 10, 9, 0, tzinfo=dt.UTC)


def item(title: str = "Coaching basics", minutes: int | None = 60, **extra: Any) -> CatalogItem:
    return CatalogItem.objects.get_or_create(
        title=title, defaults={"kind": "self_paced", "summary": "x", "duration_minutes": minutes, **extra}
    )[0]


def objective(title: str = "Grow our coaching culture") -> Objective:
    return Objective.objects.get_or_create(title=title, defaults={"period": str(YEAR)})[0]


def plan_of(person: Person, period: str = str(YEAR)) -> Plan:
    return Plan.objects.get_or_create(
        person=person,
        period=period,
        defaults={"starts_on": dt.date(YEAR, 1, 1), "ends_on": dt.date(YEAR, 12, 31)},
    )[0]


def goal_of(person: Person, *items: CatalogItem) -> Goal:
    plan = plan_of(person)
    goal = Goal.objects.filter(plan=plan).first()
    if goal is None:
        goal = Goal.objects.create(
            plan=plan,
            kind=Goal.Kind.OUTCOME,
            outcome="Run our team retrospectives",
            measure="3 retrospectives run by June",
            objective=objective(),
            due_on=dt.date(YEAR, 12, 1),
        )
    if items:
        goal.items.add(*items)
    return goal


def enrol(
    person: Person, catalog_item: CatalogItem, *, status: str = "enrolled", progress: int = 0, **extra: Any
) -> Enrollment:
    return Enrollment.objects.create(
        person=person,
        item=catalog_item,
        status=status,
        progress=progress,
        registration=uuid.uuid4(),
        enrolled_at=timezone.now(),
        **extra,
    )


def check_for(respondent: Person) -> TransferCheck:
    """A transfer check the respondent is asked, about their own completed goal learning."""
    existing = TransferCheck.objects.filter(respondent=respondent).first()
    if existing:
        return existing
    catalog_item = item("Retro facilitation")
    goal = goal_of(respondent, catalog_item)
    enrollment = Enrollment.objects.filter(person=respondent, item=catalog_item).first() or enrol(
        respondent, catalog_item, status="completed", progress=100, completed_at=timezone.now() - dt.timedelta(days=31)
    )
    return TransferCheck.objects.create(
        enrollment=enrollment,
        goal=goal,
        learner=respondent,
        respondent=respondent,
        offset_days=30,
        due_on=timezone.localdate(),
    )
