"""The transfer check job: 30, 60 and 90 days after someone completes an item attached to one of their
goals, ask them and their manager whether it was applied on the job.

`transfer_checks_create` runs every hour from the worker. It is idempotent (one check per enrolment,
offset and respondent, guarded by a unique constraint; notifications carry the check's id as their
dedupe key), and the checks are staggered: each becomes due on its own day (`offset_due`), so a person
never finds the 30-, 60- and 90-day questions about one item waiting at once. After the worker was down,
only the latest offset whose day has come is asked.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from learnloop.core.audit import audit_event_build
from learnloop.core.models import AuditEvent
from learnloop.learning.models import Enrollment
from learnloop.notifications.services import notify
from learnloop.plans.models import Goal, TransferCheck

# Completions older than this are not asked about any more (the last check is at 90 days).
LOOK_BACK = dt.timedelta(days=400)


def offset_due(*, completed_on: dt.date, today: dt.date) -> int | None:
    """Which check is due `today` for learning completed on `completed_on`: the latest of the 30-, 60- and
    90-day checks whose day has come (day 29: none; day 30 to 59: the 30-day one; day 60 to 89: the 60-day
    one; from day 90: the 90-day one). Checks are staggered: each becomes due on its own day, and one whose
    day passed while it was never asked (the worker was down) is left out, as the later question covers it."""
    days = (today - completed_on).days
    passed = [offset for offset in TransferCheck.OFFSETS if offset <= days]
    return passed[-1] if passed else None


def _due_checks(today: dt.date) -> list[TransferCheck]:
    """Unsaved checks that are due `today` and not asked yet (three queries)."""
    enrollments = list(
        Enrollment.objects.filter(
            status=Enrollment.Status.COMPLETED,
            completed_at__date__lte=today - dt.timedelta(days=min(TransferCheck.OFFSETS)),
            completed_at__date__gte=today - LOOK_BACK,
            item__plan_goals__plan__person=F("person"),
        )
        .select_related("person__manager", "item")
        .distinct()
    )
    if not enrollments:
        return []
    goal_of: dict[tuple[int, int], int] = {}
    for goal_id, person_id, item_id in Goal.objects.filter(
        plan__person_id__in={e.person_id for e in enrollments}, items__in={e.item_id for e in enrollments}
    ).values_list("pk", "plan__person_id", "items"):
        goal_of.setdefault((person_id, item_id), goal_id)
    # The latest offset already asked, per enrolment and respondent.
    asked: dict[tuple[int, int], int] = {}
    for enrollment_id, asked_offset, respondent_id in TransferCheck.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "offset_days", "respondent_id"):
        asked[(enrollment_id, respondent_id)] = max(asked_offset, asked.get((enrollment_id, respondent_id), 0))
    due = []
    for enrollment in enrollments:
        assert enrollment.completed_at is not None
        completed_on = timezone.localdate(enrollment.completed_at)
        offset = offset_due(completed_on=completed_on, today=today)
        if offset is None:
            continue
        person = enrollment.person
        respondents = [person] + ([person.manager] if person.manager is not None else [])
        for respondent in respondents:
            if asked.get((enrollment.pk, respondent.pk), 0) >= offset:
                continue
            due.append(
                TransferCheck(
                    enrollment=enrollment,
                    goal_id=goal_of.get((person.pk, enrollment.item_id)),
                    learner=person,
                    respondent=respondent,
                    offset_days=offset,
                    due_on=completed_on + dt.timedelta(days=offset),
                )
            )
    return due


def transfer_checks_create(*, now: dt.datetime | None = None, today: dt.date | None = None) -> int:
    """Create the transfer checks due `today` (by default the day of `now`, by default now) and notify each
    respondent. Returns how many were created."""
    today = today or timezone.localdate(now or timezone.now())
    created = 0
    for check in _due_checks(today):
        with transaction.atomic():
            saved, made = TransferCheck.objects.get_or_create(
                enrollment=check.enrollment,
                offset_days=check.offset_days,
                respondent_id=check.respondent_id,
                defaults={
                    "goal_id": check.goal_id,
                    "learner": check.learner,
                    "due_on": check.due_on,
                },
            )
            if not made:
                continue
            audit_event_build(
                actor=None,
                action="transfer_check.create",
                target=saved,
                changes={"offset_days": [None, saved.offset_days]},
                source=AuditEvent.Source.TASK,
            ).save()
            item = check.enrollment.item.title
            if saved.by_learner:
                title = f"{saved.offset_days} days on: have you used “{item}” at work?"
            else:
                title = f"{saved.offset_days} days on: has {check.learner.display_name} used “{item}” at work?"
            notify(
                recipient=check.respondent,
                kind="transfer_check",
                title=title,
                body="Two minutes: say whether it was applied and how. The answers show what learning works.",
                url=reverse("plans:transfer_answer", kwargs={"check_id": saved.pk}),
                dedupe_key=f"transfer:{saved.pk}",
            )
            created += 1
    return created
