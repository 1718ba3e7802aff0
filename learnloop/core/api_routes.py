"""REST endpoints for the audit trail."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDateTime, Id
from learnloop.core.models import AuditEvent
from learnloop.core.selectors import audit_event_list

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    created_at: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    changes: dict[str, Any]
    source: str


class AuditFilters(FilterSchema):
    actor: Id | None = Field(None, description="Person id of who acted")
    action: str = Field("", description='Action, or its start ("person." matches every person action)')
    object_type: str = Field("", description='For example "people.person"')
    object_id: str = ""
    since: ApiDateTime | None = None
    until: ApiDateTime | None = None


@router.get("/audit-events", response=list[AuditEventOut], summary="The audit trail (people and org admins)")
@paginate(LimitOffsetPagination)
def audit_events(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    policy.require(actor(request), "view", AuditEvent)
    return audit_event_list(
        actor=actor(request),
        actor_id=filters.actor,
        action=filters.action,
        object_type=filters.object_type,
        object_id=filters.object_id,
        since=filters.since,
        until=filters.until,
    )
