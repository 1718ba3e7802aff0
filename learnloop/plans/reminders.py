"""Reminders for plan goals: due within a week, or past due. Run every six hours by the worker."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from learnloop.notifications.services import notify
from learnloop.plans.models import Goal, Plan


def goal_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind people of open plan goals due within a week (`due_soon`) or past due (`overdue`), once per
    goal and due date: moving the date earns a new reminder. Returns how many were sent."""
    today = timezone.localdate(now or timezone.now())
    goals = (
        Goal.objects.filter(
            completed_at__isnull=True,
            plan__status=Plan.Status.OPEN,
            due_on__isnull=False,
            due_on__lte=today + dt.timedelta(days=7),
            due_on__gte=today - dt.timedelta(days=30),
        )
        .select_related("plan__person", "skill")
        .order_by("pk")
    )
    sent = 0
    for goal in goals:
        assert goal.due_on is not None
        overdue = goal.due_on < today
        note = notify(
            recipient=goal.plan.person,
            kind="overdue" if overdue else "due_soon",
            title=f"Plan goal {'was due' if overdue else 'due'} {goal.due_on:%d %b}: {goal}",
            body="Update the goal, move its date, or mark it achieved, so your plan tells the truth.",
            url=reverse("plans:plan", kwargs={"plan_id": goal.plan_id}) + f"#goal-{goal.pk}",
            dedupe_key=f"goal:{goal.pk}:{goal.due_on.isoformat()}:{'overdue' if overdue else 'soon'}",
        )
        sent += note is not None
    return sent
