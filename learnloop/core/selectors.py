"""Reads for cross-cutting records (the audit trail, import jobs)."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from learnloop.core import policy
from learnloop.core.models import AuditEvent, ImportJob

# Newest first; `id` breaks ties between events written in the same instant, so the order is stable.
AUDIT_ORDER = ("-created_at", "-id")
AUDIT_PAGE_SIZE = 50
# How many names the "who" search suggests: enough to pick from, never the whole company.
AUDIT_ACTOR_SUGGESTIONS = 10
# The most distinct actions or object types a filter lists (there are a few dozen of each).
AUDIT_DISTINCT_LIMIT = 500
EXPORT_CHUNK = 1000


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
    return events.order_by(*AUDIT_ORDER)


def _older_than(event: AuditEvent) -> Q:
    return Q(created_at__lt=event.created_at) | Q(created_at=event.created_at, id__lt=event.pk)


def _newer_than(event: AuditEvent) -> Q:
    return Q(created_at__gt=event.created_at) | Q(created_at=event.created_at, id__gt=event.pk)


class AuditPage:
    """One page of events, newest first, found from a cursor (an event's id) rather than an offset: events
    written while someone reads never shift a page, and page 2,000 costs what page 1 does."""

    def __init__(self, events: list[AuditEvent], *, has_newer: bool, has_older: bool) -> None:
        self.events = events
        self.has_newer = has_newer
        self.has_older = has_older

    def __iter__(self) -> Iterator[AuditEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    @property
    def newer_cursor(self) -> int | None:
        return self.events[0].pk if self.events and self.has_newer else None

    @property
    def older_cursor(self) -> int | None:
        return self.events[-1].pk if self.events and self.has_older else None


def audit_event_page(
    events: QuerySet[AuditEvent],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """The events just older than event `before`, just newer than event `after`, or the newest ones."""
    anchor_id = before or after
    anchor = AuditEvent.objects.filter(pk=anchor_id).only("created_at").first() if anchor_id else None
    if anchor is None:
        rows = list(events[: size + 1])
        return AuditPage(rows[:size], has_newer=False, has_older=len(rows) > size)
    if before:
        rows = list(events.filter(_older_than(anchor))[: size + 1])
        return AuditPage(rows[:size], has_newer=True, has_older=len(rows) > size)
    rows = list(events.filter(_newer_than(anchor)).order_by("created_at", "id")[: size + 1])
    return AuditPage(rows[:size][::-1], has_newer=len(rows) > size, has_older=True)


def audit_event_chunks(events: QuerySet[AuditEvent], *, size: int = EXPORT_CHUNK) -> Iterator[list[AuditEvent]]:
    """Every event of `events`, newest first, a chunk at a time: an export of a million events never holds
    more than one chunk in memory, and each chunk is one indexed query."""
    last: AuditEvent | None = None
    while True:
        chunk = list((events if last is None else events.filter(_older_than(last)))[:size])
        if chunk:
            yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1]


def _distinct_values(column: str) -> list[str]:
    """The distinct values of an indexed column, in order, by a loose index scan: one index probe per
    value (a recursive CTE both databases run), so 23 object types cost 23 probes, not a read of every
    event. A plain DISTINCT would read them all, and with the model's ordering it was not even distinct."""
    if column not in ("action", "object_type"):
        raise ValueError(column)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = f"""
        WITH RECURSIVE found(value) AS (
            SELECT MIN({column}) FROM {table}
            UNION ALL
            SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value)
            FROM found WHERE found.value IS NOT NULL
        )
        SELECT value FROM found WHERE value IS NOT NULL LIMIT %s
    """  # noqa: S608 - the column is one of two names checked above, the table is the model's
    with connection.cursor() as cursor:
        cursor.execute(sql, [AUDIT_DISTINCT_LIMIT])
        return [row[0] for row in cursor.fetchall()]


def audit_actions() -> list[str]:
    return _distinct_values("action")


def audit_object_types() -> list[str]:
    return _distinct_values("object_type")


def audit_actor_suggestions(*, actor: Any, search: str) -> list[Any]:
    """People whose name or email matches `search`, to filter the trail by who acted (leavers included:
    the trail outlives them). Bounded: the first few matches, never the directory."""
    from learnloop.people.selectors import person_list

    if not search.strip():
        return []
    people = person_list(actor=actor, search=search[:100], include_inactive=True)
    return list(people[:AUDIT_ACTOR_SUGGESTIONS])


def import_jobs_recent(*, actor: Any, kind: str, limit: int = 5) -> list[ImportJob]:
    """The person's latest imports of one kind, for the import page (without the file or its problems)."""
    return list(ImportJob.objects.filter(actor=actor, kind=kind).defer("content", "errors")[:limit])
