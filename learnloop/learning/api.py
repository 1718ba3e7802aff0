"""REST endpoints for the catalog."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDateTime, Count, Id, SmallCount
from learnloop.learning import selectors, services
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learning.sessions import booking_cancel, booking_mark_attendance, session_book
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
    skill: Id | None = Field(None, description="Items that teach this skill")
    language: str = ""


class TaughtIn(Schema):
    skill_id: Id
    target_level: SmallCount


class ItemIn(Schema):
    kind: CatalogItem.Kind
    title: str
    summary: str
    delivery: CatalogItem.Delivery = CatalogItem.Delivery.NONE
    url: str = ""
    lesson: str = ""
    duration_minutes: Count | None = None
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
def catalog_detail(request: HttpRequest, item_id: Id) -> CatalogItem:
    return selectors.item_get(actor=actor(request), item_id=item_id)


@router.post("/catalog", response={201: ItemOut}, summary="Add a catalog item (L&D admins)")
def catalog_create(request: HttpRequest, payload: ItemIn) -> Status:
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


# --- Sessions ------------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    item_id: int
    item_title: str = Field(..., alias="item.title")
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    capacity: int
    seats_left: int
    waiting: int
    location: str
    online_url: str
    presenter_id: int | None

    @staticmethod
    def resolve_seats_left(session: Session) -> int:
        return max(0, session.capacity - session.taken)  # type: ignore[attr-defined]


class SessionFilters(Schema):
    item: Id | None = Field(None, description="Sessions of this catalog item")
    from_: ApiDateTime | None = Field(None, alias="from", description="Starting at or after (default: now)")
    to: ApiDateTime | None = Field(None, description="Starting before")


class BookingOut(Schema):
    id: int
    session_id: int
    person_id: int
    person: str = Field(..., alias="person.display_name")
    status: str
    queued_at: dt.datetime


class AttendanceIn(Schema):
    booking_id: Id
    attended: bool = Field(..., description="true: attended; false: did not attend (no-show)")


@router.get("/sessions", response=list[SessionOut], summary="Upcoming sessions, with seats left")
@paginate(LimitOffsetPagination)
def sessions_list(request: HttpRequest, filters: Query[SessionFilters]) -> Any:
    return selectors.sessions_list(actor=actor(request), item_id=filters.item, since=filters.from_, until=filters.to)


@router.get("/sessions/{session_id}", response=SessionOut, summary="One session, with seats left")
def sessions_detail(request: HttpRequest, session_id: Id) -> Session:
    return selectors.session_get(actor=actor(request), session_id=session_id)


@router.post(
    "/sessions/{session_id}/booking",
    response={201: BookingOut},
    summary="Book a seat (or join the waitlist when it is full)",
)
def sessions_book(request: HttpRequest, session_id: Id) -> Status:
    session = selectors.session_get(actor=actor(request), session_id=session_id)
    booking = session_book(actor=actor(request), session=session, source=API_SOURCE)
    return Status(201, Booking.objects.select_related("person").get(pk=booking.pk))


@router.delete("/sessions/{session_id}/booking", response=BookingOut, summary="Cancel my booking")
def sessions_cancel(request: HttpRequest, session_id: Id) -> Booking:
    session = selectors.session_get(actor=actor(request), session_id=session_id)
    booking = Booking.objects.filter(session=session, person=actor(request)).first()
    if booking is None:
        raise Http404
    booking_cancel(actor=actor(request), booking=booking, source=API_SOURCE)
    return Booking.objects.select_related("person").get(pk=booking.pk)


@router.get(
    "/sessions/{session_id}/roster",
    response=list[BookingOut],
    summary="Who booked (presenter, item owner, L&D admins)",
)
def sessions_roster(request: HttpRequest, session_id: Id) -> list[Booking]:
    session = selectors.session_get(actor=actor(request), session_id=session_id, action="take_attendance")
    return selectors.roster(session)


@router.post(
    "/sessions/{session_id}/attendance",
    response=BookingOut,
    summary="Mark someone attended or a no-show (presenter, item owner, L&D admins)",
)
def sessions_attendance(request: HttpRequest, session_id: Id, payload: AttendanceIn) -> Booking:
    session = selectors.session_get(actor=actor(request), session_id=session_id, action="take_attendance")
    booking = Booking.objects.filter(session=session, pk=payload.booking_id).first()
    if booking is None:
        raise ValidationError({"booking_id": ["No booking with this id on this session."]})
    booking_mark_attendance(actor=actor(request), booking=booking, attended=payload.attended, source=API_SOURCE)
    return Booking.objects.select_related("person").get(pk=booking.pk)
