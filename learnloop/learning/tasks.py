"""Statements from external content move catalog progress (the mapping is in docs/catalog.md).

Any write client may send any statement, so a statement moves learning only when its client is trusted
for the activity (an IRI prefix set on the client, see docs/xapi.md) and the item is published and open
to the person. Every other statement is still stored: it just changes no enrolment or skill evidence.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.core.tasks import durable_task
from learnloop.learning.enrollment import enrollment_complete, enrollment_progress
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.lrs.consumers import NewStatement
from learnloop.lrs.models import Statement

ADL = "http://adlnet.gov/expapi/verbs/"
COMPLETING = {f"{ADL}completed", f"{ADL}passed", f"{ADL}mastered"}
STARTING = {
    f"{ADL}launched",
    f"{ADL}initialized",
    f"{ADL}attempted",
    f"{ADL}progressed",
    f"{ADL}experienced",
    f"{ADL}failed",
    f"{ADL}resumed",
}
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def _item_id_pattern() -> re.Pattern[str]:
    return re.compile(re.escape(f"{settings.SITE_URL}/xapi/activities/catalog-item/") + r"(\d+)$")


def _items_for(activity_ids: set[str]) -> dict[str, CatalogItem]:
    """Catalog items by activity id: learnloop's own item IRI, or the item's content URL."""
    pattern = _item_id_pattern()
    by_pk = {int(m.group(1)): a for a in activity_ids if (m := pattern.match(a))}
    found = {by_pk[item.pk]: item for item in CatalogItem.objects.filter(pk__in=by_pk)}
    for item in CatalogItem.objects.filter(url__in=activity_ids - set(found)).exclude(url=""):
        found[item.url] = item
    return found


def _may_move(statement: Statement, item: CatalogItem) -> bool:
    """Whether this statement may move the person's learning on this item: its client is trusted for the
    activity now (an admin may have withdrawn trust since it arrived), and the item is published and
    open to the person (an unpublished draft is never enrolled in from outside)."""
    client = statement.client
    return (
        client is not None
        and client.trusts(statement.object_ref)
        and item.is_published
        and policy.can(statement.person, "view", item)
    )


def _moves_progress(verb_id: str, result: dict[str, Any]) -> bool:
    return verb_id in COMPLETING or verb_id in STARTING or result.get("completion") is True


def _progress_of(result: dict[str, Any]) -> int | None:
    value = (result.get("extensions") or {}).get(PROGRESS_EXTENSION)
    return int(value) if isinstance(value, int | float) and 0 <= value <= 100 else None


@durable_task()
def apply_external_statements(*, statement_ids: list[str]) -> int:
    """Move enrolments for statements about catalog items by people learnloop knows; returns how many moved."""
    statements = list(
        Statement.objects.filter(
            statement_id__in=statement_ids, voided=False, person__isnull=False, object_type="Activity"
        )
        .select_related("person", "client")
        .order_by("seq")
    )
    items = _items_for({s.object_ref for s in statements})
    moved = 0
    for statement in statements:
        item = items.get(statement.object_ref)
        verb = statement.verb_id
        result = statement.data.get("result") or {}
        if item is None or not _moves_progress(verb, result) or not _may_move(statement, item):
            continue
        completes = verb in COMPLETING or result.get("completion") is True
        # When it happened, as the content says (a player may send statements late, offline or in bulk),
        # but never later than now.
        happened = min(statement.timestamp, timezone.now())
        with transaction.atomic():
            enrollment, created = Enrollment.objects.get_or_create(
                person=statement.person,
                item=item,
                defaults={"registration": uuid.uuid4(), "enrolled_at": happened},
            )
            if created:
                audit_record(
                    actor=None,
                    action="enrollment.enrol",
                    target=enrollment,
                    changes={"item": [None, item.title], "via": [None, "xAPI statement"]},
                    source=AuditEvent.Source.TASK,
                )
            if enrollment.status in (Enrollment.Status.COMPLETED, Enrollment.Status.DROPPED):
                continue
            # Dated when it happened (so the skill evidence is too), but never before the enrolment or
            # its start, nor after now.
            at = min(max(happened, enrollment.started_at or enrollment.enrolled_at), timezone.now())
            if completes:
                enrollment_complete(actor=None, enrollment=enrollment, at=at, source=AuditEvent.Source.TASK)
            else:
                enrollment_progress(
                    actor=None,
                    enrollment=enrollment,
                    percent=_progress_of(result) or 0,
                    at=at,
                    source=AuditEvent.Source.TASK,
                )
            moved += 1
    return moved


def enqueue_external_statements(statements: list[NewStatement]) -> None:
    """The LRS's consumer: a task only for statements that may move an enrolment (a learnloop person's,
    about an activity its client is trusted for, with a starting or completing verb); the task matches
    them to catalog items and checks again."""
    ids = [
        s.statement_id
        for s in statements
        if s.person_id is not None
        and s.object_type == "Activity"
        and s.trusted
        and _moves_progress(s.verb_id, s.result or {})
    ]
    if ids:
        apply_external_statements.enqueue(statement_ids=ids)
