"""The transfer check job: 30, 60 and 90 days after someone completes an item attached to one of their
goals, ask them and their manager whether it was applied on the job.

`transfer_checks_create` runs every hour from the worker. It is idempotent (one check per enrolment,
offset and respondent, guarded by a unique constraint; notifications carry the check's id as their
dedupe key) and it catches up: every offset that has passed is created, however long the worker was down.
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


def _due_checks(now: dt.datetime) -> list[TransferCheck]:
    """Unsaved checks that are due by `now` and do not exist yet (three queries)."""
    first_due = now - dt.timedelta(days=min(TransferCheck.OFFSETS))
    enrollments = list(
        Enrollment.objects.filter(
            status=Enrollment.Status.COMPLETED,
            completed_at__lte=first_due,
            completed_at__gte=now - LOOK_BACK,
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
    existing = set(
        TransferCheck.objects.filter(enrollment__in=enrollments).values_list(
            "enrollment_id", "offset_days", "respondent_id"
        )
    )
    due = []
    for enrollment in enrollments:
        assert enrollment.completed_at is not None
        person = enrollment.person
        respondents = [person] + ([person.manager] if person.manager is not None else [])
        for offset in TransferCheck.OFFSETS:
            due_at = enrollment.completed_at + dt.timedelta(days=offset)
            if due_at > now:
                continue
            for respondent in respondents:
                if (enrollment.pk, offset, respondent.pk) in existing:
                    continue
                due.append(
                    TransferCheck(
                        enrollment=enrollment,
                        goal_id=goal_of.get((person.pk, enrollment.item_id)),
                        learner=person,
                        respondent=respondent,
                        offset_days=offset,
                        due_on=due_at.date(),
                    )
                )
    return due


def transfer_checks_create(*, now: dt.datetime | None = None) -> int:
    """Create the transfer checks due by `now` and notify each respondent. Returns how many were created."""
    now = now or timezone.now()
    created = 0
    for check in _due_checks(now):
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
