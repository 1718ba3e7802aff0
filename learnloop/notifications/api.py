"""REST endpoints for a person's own notifications and notification choices."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from learnloop.core.api import API_SOURCE, LimitOffsetPagination, actor
from learnloop.core.bounds import Id, OneLine
from learnloop.notifications import services
from learnloop.notifications.kinds import KINDS
from learnloop.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationFilters(Schema):
    unread: bool = False


class MarkReadIn(Schema):
    ids: list[Id] | None = None


class MarkReadOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: str
    label: str
    description: str
    in_app: bool
    email: bool


class PreferenceIn(Schema):
    kind: Annotated[str, Field(max_length=40), OneLine]
    in_app: bool
    email: bool


@router.get("/notifications", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(LimitOffsetPagination)
def notifications_list(request: HttpRequest, filters: Query[NotificationFilters]) -> Any:
    rows = Notification.objects.filter(recipient=actor(request))
    return rows.filter(read_at__isnull=True) if filters.unread else rows


@router.post("/notifications/read", response=MarkReadOut, summary="Mark my notifications read (all when no ids)")
def notifications_mark_read(request: HttpRequest, payload: MarkReadIn) -> dict[str, int]:
    return {"marked": services.notification_mark_read(actor=actor(request), ids=payload.ids)}


def _preferences(request: HttpRequest) -> list[dict[str, Any]]:
    current = services.preferences_all(actor(request))
    return [
        {
            "kind": key,
            "label": kind.label,
            "description": kind.description,
            "in_app": current[key].in_app,
            "email": current[key].email,
        }
        for key, kind in KINDS.items()
    ]


@router.get("/notifications/preferences", response=list[PreferenceOut], summary="What I am told about, and how")
def preferences_get(request: HttpRequest) -> list[dict[str, Any]]:
    return _preferences(request)


@router.put("/notifications/preferences", response=list[PreferenceOut], summary="Change what I am told about")
def preferences_put(request: HttpRequest, payload: list[PreferenceIn]) -> list[dict[str, Any]]:
    services.preferences_set(
        actor=actor(request),
        choices={row.kind: services.Choice(in_app=row.in_app, email=row.email) for row in payload},
        source=API_SOURCE,
    )
    return _preferences(request)
