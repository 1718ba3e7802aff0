"""REST endpoints for the catalog."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, actor
from learnloop.learning import selectors, services
from learnloop.learning.models import CatalogItem
from learnloop.skills.models import Skill

router = Router(tags=["catalog"])


class TaughtOut(Schema):
    skill_id: int
    skill: str = Field(..., alias="skill.name")
    target_level: int


class ItemOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    delivery: str
    url: str
    duration_minutes: int | None
    language: str
    audience: str
    author: str
    is_published: bool
    skills: list[TaughtOut] = Field(..., alias="skills_taught")

    @staticmethod
    def resolve_skills(item: CatalogItem) -> list[Any]:
        return list(item.skills_taught.all())


class ItemFilters(FilterSchema):
    q: str = Field("", description="Full-text search in title, summary, audience and author")
    kind: CatalogItem.Kind | None = None
    skill: int | None = Field(None, description="Items that teach this skill")
    language: str = ""


class TaughtIn(Schema):
    skill_id: int
    target_level: int


class ItemIn(Schema):
    kind: CatalogItem.Kind
    title: str
    summary: str
    delivery: CatalogItem.Delivery = CatalogItem.Delivery.NONE
    url: str = ""
    lesson: str = ""
    duration_minutes: int | None = None
    language: str = "en"
    audience: str = ""
    author: str = ""
    isbn: str = ""
    scope: str = ""
    is_published: bool = True
    skills: list[TaughtIn] = []


@router.get("/catalog", response=list[ItemOut], summary="Browse and search the catalog")
@paginate(LimitOffsetPagination)
def catalog_list(request: HttpRequest, filters: Query[ItemFilters]) -> Any:
    return selectors.catalog_list(
        actor=actor(request), text=filters.q, kind=filters.kind or "", skill_id=filters.skill, language=filters.language
    )


@router.get("/catalog/{item_id}", response=ItemOut, summary="One catalog item")
def catalog_detail(request: HttpRequest, item_id: int) -> CatalogItem:
    return selectors.item_get(actor=actor(request), item_id=item_id)


@router.post("/catalog", response={201: ItemOut}, summary="Add a catalog item (L&D admins)")
def catalog_create(request: HttpRequest, payload: ItemIn) -> Status:
    from django.core.exceptions import ValidationError

    policy.require(actor(request), "create", CatalogItem)
    data = payload.model_dump(exclude={"skills"})
    skills = {s.pk: s for s in Skill.objects.filter(pk__in=[t.skill_id for t in payload.skills])}
    missing = [t.skill_id for t in payload.skills if t.skill_id not in skills]
    if missing:
        raise ValidationError({"skills": [f"No skill has id {missing[0]}."]})
    item = services.item_create(
        actor=actor(request),
        owner=actor(request),
        source=API_SOURCE,
        skills=[(skills[t.skill_id], t.target_level) for t in payload.skills],
        **data,
    )
    return Status(201, selectors.item_get(actor=actor(request), item_id=item.pk))
