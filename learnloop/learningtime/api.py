"""REST endpoints for learning time: budgets, learning blocks, the weekly summary, the calendar address."""

import datetime as dt
import zoneinfo
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDateTime, Count, Id, OneLine, Text
from learnloop.learning.models import CatalogItem
from learnloop.learningtime import selectors, services
from learnloop.learningtime.models import LearningBlock, PersonBudget
from learnloop.people.models import Person

router = Router(tags=["learning time"])


class BudgetOut(Schema):
    person_id: int
    weekly_minutes: int
    source: str = Field(..., description='"person" (set for them), "team" (their manager\'s default) or "site"')


class BudgetIn(Schema):
    weekly_minutes: Count | None = Field(..., description="Minutes a week; null removes it so the default applies")


class TeamBudgetOut(Schema):
    weekly_minutes: int | None


class BlockOut(Schema):
    id: int
    uid: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    item_id: int | None
    note: str
    status: str
    sequence: int
    minutes: int

    @staticmethod
    def resolve_uid(block: LearningBlock) -> str:
        return str(block.uid)


class BlockIn(Schema):
    title: Annotated[str, Field(max_length=150), OneLine]
    starts_at: ApiDateTime = Field(..., description="With an offset, or local time in your time zone")
    ends_at: ApiDateTime
    item_id: Id | None = None
    note: Text = ""


class BlockPatch(Schema):
    title: Annotated[str, Field(max_length=150), OneLine] | None = None
    starts_at: ApiDateTime | None = None
    ends_at: ApiDateTime | None = None
    item_id: Id | None = None
    note: Text | None = None
    status: LearningBlock.Status | None = Field(None, description="planned, done or skipped; cancelled cancels")


class BlockFilters(Schema):
    from_: ApiDateTime | None = Field(None, alias="from")
    to: ApiDateTime | None = None


class WeekOut(Schema):
    start: dt.date
    budget: int
    planned: int
    used: int


class SummaryFilters(Schema):
    weeks: int = Field(12, ge=1, le=52)


class FeedOut(Schema):
    url: str


def _aware(moment: dt.datetime | None, person: Person) -> dt.datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(person.time_zone))


def _item(person: Person, item_id: int | None) -> CatalogItem | None:
    if item_id is None:
        return None
    item = CatalogItem.objects.filter(pk=item_id).first()
    if item is None or not policy.can(person, "view", item):
        raise ValidationError({"item_id": ["There is no such catalog item."]})
    return item


@router.get("/learning-time/budget", response=BudgetOut, summary="My effective weekly learning-time budget")
def budget_mine(request: HttpRequest) -> dict[str, Any]:
    person = actor(request)
    budget = selectors.budget_for(person)
    return {"person_id": person.pk, "weekly_minutes": budget.minutes, "source": budget.source}


@router.get(
    "/learning-time/budget/{person_id}",
    response=BudgetOut,
    summary="Someone's weekly budget (themselves, their managers, people admins)",
)
def budget_of(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    person = get_object_or_404(Person, pk=person_id, is_active=True)
    policy.require(actor(request), "view", PersonBudget(person=person))
    budget = selectors.budget_for(person)
    return {"person_id": person.pk, "weekly_minutes": budget.minutes, "source": budget.source}


@router.put(
    "/learning-time/budget/{person_id}",
    response=BudgetOut,
    summary="Set someone's own weekly budget (their managers, people admins)",
)
def budget_set(request: HttpRequest, person_id: Id, payload: BudgetIn) -> dict[str, Any]:
    person = get_object_or_404(Person, pk=person_id, is_active=True)
    policy.require(actor(request), "change", PersonBudget(person=person))
    services.person_budget_set(
        actor=actor(request), person=person, weekly_minutes=payload.weekly_minutes, source=API_SOURCE
    )
    budget = selectors.budget_for(person)
    return {"person_id": person.pk, "weekly_minutes": budget.minutes, "source": budget.source}


@router.put("/learning-time/team-budget", response=TeamBudgetOut, summary="Set my team's default (managers)")
def team_budget_set(request: HttpRequest, payload: BudgetIn) -> dict[str, Any]:
    services.team_budget_set(actor=actor(request), weekly_minutes=payload.weekly_minutes, source=API_SOURCE)
    return {"weekly_minutes": payload.weekly_minutes}


@router.get("/learning-time/blocks", response=list[BlockOut], summary="My learning blocks")
@paginate(LimitOffsetPagination)
def blocks_list(request: HttpRequest, filters: Query[BlockFilters]) -> Any:
    person = actor(request)
    return selectors.blocks_for(actor=person, since=_aware(filters.from_, person), until=_aware(filters.to, person))


@router.post("/learning-time/blocks", response={201: BlockOut}, summary="Plan a learning block")
def blocks_create(request: HttpRequest, payload: BlockIn) -> Status:
    person = actor(request)
    block = services.block_create(
        actor=person,
        title=payload.title,
        starts_at=_aware(payload.starts_at, person),
        ends_at=_aware(payload.ends_at, person),
        item=_item(person, payload.item_id),
        note=payload.note,
        source=API_SOURCE,
    )
    return Status(201, block)


@router.get("/learning-time/blocks/{block_id}", response=BlockOut, summary="One of my learning blocks")
def blocks_detail(request: HttpRequest, block_id: Id) -> LearningBlock:
    return selectors.block_get(actor=actor(request), block_id=block_id)


@router.patch("/learning-time/blocks/{block_id}", response=BlockOut, summary="Edit or move a block, or set its status")
def blocks_update(request: HttpRequest, block_id: Id, payload: BlockPatch) -> LearningBlock:
    person = actor(request)
    block = selectors.block_get(actor=person, block_id=block_id, action="change")
    given = payload.model_dump(exclude_unset=True)
    status = given.pop("status", None)
    if given:
        block = services.block_update(
            actor=person,
            block=block,
            title=given.get("title", block.title),
            starts_at=_aware(given["starts_at"], person) if "starts_at" in given else block.starts_at,
            ends_at=_aware(given["ends_at"], person) if "ends_at" in given else block.ends_at,
            item=_item(person, given["item_id"]) if "item_id" in given else block.item,
            note=given.get("note", block.note) or "",
            source=API_SOURCE,
        )
    if status == LearningBlock.Status.CANCELLED:
        block = services.block_cancel(actor=person, block=block, source=API_SOURCE)
    elif status is not None:
        block = services.block_set_status(actor=person, block=block, status=status, source=API_SOURCE)
    return block


@router.delete("/learning-time/blocks/{block_id}", response=BlockOut, summary="Cancel a block")
def blocks_cancel(request: HttpRequest, block_id: Id) -> LearningBlock:
    person = actor(request)
    block = selectors.block_get(actor=person, block_id=block_id, action="change")
    return services.block_cancel(actor=person, block=block, source=API_SOURCE)


@router.get("/learning-time/summary", response=list[WeekOut], summary="Planned and used minutes per week")
def summary(request: HttpRequest, filters: Query[SummaryFilters]) -> list[selectors.Week]:
    return selectors.weekly_summary(actor(request), weeks=filters.weeks)


@router.post(
    "/learning-time/feed",
    response={201: FeedOut},
    summary="A new secret calendar address (the old one stops working); shown only in this answer",
)
def feed_create(request: HttpRequest) -> Status:
    from learnloop.learningtime.views import feed_url

    secret = services.feed_rotate(actor=actor(request), source=API_SOURCE)
    return Status(201, {"url": feed_url(secret, request)})


@router.delete("/learning-time/feed", response={204: None}, summary="Turn off my calendar address")
def feed_delete(request: HttpRequest) -> Status:
    services.feed_revoke(actor=actor(request), source=API_SOURCE)
    return Status(204, None)
