"""Reads for cross-cutting records (the audit trail, import jobs)."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from learnloop.core import policy
from learnloop.core.models import AuditEvent, ImportJob


def audit_event_list(
    *,
    actor: object,
    actor_id: int | None = None,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    events = policy.scope(actor, "view", AuditEvent.objects.select_related("actor"))
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action__startswith=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def import_jobs_recent(*, actor: Any, kind: str, limit: int = 5) -> list[ImportJob]:
    """The person's latest imports of one kind, for the import page (without the file or its problems)."""
    return list(ImportJob.objects.filter(actor=actor, kind=kind).defer("content", "errors")[:limit])
