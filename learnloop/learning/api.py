"""REST endpoints for the catalog."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDateTime, Count, Id, Line, OneLine, SmallCount, Text
from learnloop.learning import selectors, services
from learnloop.learning.enrollment import (
    enrollment_complete,
    enrollment_drop,
    enrollment_enrol,
    enrollment_progress,
    enrollment_retake,
)
from learnloop.learning.models import Booking, CatalogItem, Enrollment, Session
from learnloop.learning.sessions import (
    booking_cancel,
    booking_mark_attendance,
    session_book,
    session_cancel,
    session_create,
    session_update,
)
from learnloop.people.models import Person
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
    scope: str
    owner_id: int | None
    sponsor_id: int | None
    is_published: bool
    skills: list[TaughtOut] = Field(..., alias="skills_taught")

    @staticmethod
    def resolve_skills(item: CatalogItem) -> list[Any]:
        return list(item.skills_taught.all())


class ItemFilters(FilterSchema):
    q: Line = Field("", description="Full-text search in title, summary, audience and author")
    kind: CatalogItem.Kind | None = None
    skill: Id | None = Field(None, description="Items that teach this skill")
    language: Annotated[str, Field(max_length=10), OneLine] = ""


class TaughtIn(Schema):
    skill_id: Id
    target_level: SmallCount


class ItemIn(Schema):
    kind: CatalogItem.Kind
    title: Annotated[str, Field(max_length=150), OneLine]
    summary: Text
    delivery: CatalogItem.Delivery = CatalogItem.Delivery.NONE
    url: Annotated[str, Field(max_length=500), OneLine] = ""
    lesson: Text = ""
    duration_minutes: Count | None = None
    language: Annotated[str, Field(max_length=10), OneLine] = "en"
    audience: Line = ""
    author: Line = ""
    isbn: Annotated[str, Field(max_length=17), OneLine] = ""
    scope: Text = ""
    sponsor_id: Id | None = Field(None, description="Stretch assignments: the person who backs the work")
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
    data = payload.model_dump(exclude={"skills", "sponsor_id"})
    data["sponsor"] = _person(request, payload.sponsor_id, field="sponsor_id")
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


def _person(request: HttpRequest, person_id: int | None, *, field: str) -> Person | None:
    """The active person `person_id` names, if the caller may see them; else a 400 on `field`."""
    if person_id is None:
        return None
    person = selectors.pickable_people(actor=actor(request)).filter(pk=person_id).first()
    if person is None:
        raise ValidationError({field: [f"No active person has id {person_id}."]})
    return person


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
    cancelled_at: dt.datetime | None
    cancel_reason: str

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


class SessionIn(Schema):
    starts_at: ApiDateTime = Field(..., description="With an offset, or without one for the time in `time_zone`")
    ends_at: ApiDateTime
    time_zone: Annotated[str, Field(max_length=64), OneLine] = Field(
        ..., description="IANA time zone the session is planned in, e.g. Europe/Berlin"
    )
    capacity: Count
    location: Line = ""
    online_url: Annotated[str, Field(max_length=500), OneLine] = ""
    presenter_id: Id | None = None


class SessionPatch(Schema):
    starts_at: ApiDateTime | None = None
    ends_at: ApiDateTime | None = None
    time_zone: Annotated[str, Field(max_length=64), OneLine] | None = None
    capacity: Count | None = None
    location: Line | None = None
    online_url: Annotated[str, Field(max_length=500), OneLine] | None = None
    presenter_id: Id | None = Field(None, description="null removes the presenter")


class SessionCancelIn(Schema):
    reason: Annotated[str, Field(max_length=500), OneLine] = Field("", description="Sent to everyone booked or waiting")


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
    "/catalog/{item_id}/sessions",
    response={201: SessionOut},
    summary="Schedule a session of a live session, cohort or lunch and learn (the item's owner, L&D admins)",
)
def sessions_create(request: HttpRequest, item_id: Id, payload: SessionIn) -> Status:
    item = policy.get_or_404(actor(request), "schedule", CatalogItem.objects.all(), pk=item_id)
    fields = payload.model_dump(exclude={"presenter_id"})
    presenter = _person(request, payload.presenter_id, field="presenter_id")
    session = session_create(actor=actor(request), item=item, presenter=presenter, source=API_SOURCE, **fields)
    return Status(201, selectors.session_get(actor=actor(request), session_id=session.pk))


@router.patch(
    "/sessions/{session_id}",
    response=SessionOut,
    summary="Reschedule, move, resize or change the presenter (the item's owner, L&D admins)",
)
def sessions_update(request: HttpRequest, session_id: Id, payload: SessionPatch) -> Session:
    session = selectors.session_get(actor=actor(request), session_id=session_id, action="change")
    changes = payload.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name != "presenter_id":
            raise ValidationError({name: ["Give a value, or leave the field out to keep it."]})
    if "presenter_id" in changes:
        changes["presenter"] = _person(request, changes.pop("presenter_id"), field="presenter_id")
    session_update(actor=actor(request), session=session, source=API_SOURCE, **changes)
    return selectors.session_get(actor=actor(request), session_id=session.pk)


@router.post(
    "/sessions/{session_id}/cancel",
    response=SessionOut,
    summary="Cancel a session: every booking too, and everyone is told (the item's owner, L&D admins)",
)
def sessions_cancel_all(request: HttpRequest, session_id: Id, payload: SessionCancelIn) -> Session:
    session = selectors.session_get(actor=actor(request), session_id=session_id, action="cancel")
    session_cancel(actor=actor(request), session=session, reason=payload.reason, source=API_SOURCE)
    return selectors.session_get(actor=actor(request), session_id=session.pk)


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


# --- Enrolments ----------------------------------------------------------------------------------


class SkillRef(Schema):
    id: int
    name: str


class StretchReflectionOut(Schema):
    outcome: str = Field(..., description="What was the outcome for the sponsor?")
    learned: str = Field(..., description="What did I learn?")
    do_differently: str = Field(..., description="What would I do differently?")
    skills_grown: list[SkillRef] = Field(..., description="Which of the assignment's skills grew")


def _may_read_reflection(enrollment: Enrollment, request: HttpRequest) -> bool:
    """A reflection is for the person, their managers and a stretch assignment's sponsor: not for admins who
    may list enrolments (people admins see that someone completed, not what they wrote)."""
    if not (enrollment.learned or enrollment.apply_plan):
        return True  # nothing written: no need to ask the policy
    return policy.can(actor(request), "view_reflection", enrollment)


def _stretch_reflection(enrollment: Enrollment, request: HttpRequest) -> dict[str, Any] | None:
    """A completed stretch assignment's closing reflection, when the caller may read it (the person, their
    managers, the assignment's sponsor)."""
    if enrollment.item.kind != CatalogItem.Kind.STRETCH or enrollment.status != Enrollment.Status.COMPLETED:
        return None
    if not policy.can(actor(request), "view_reflection", enrollment):
        return None
    return {
        "outcome": enrollment.outcome,
        "learned": enrollment.learned,
        "do_differently": enrollment.do_differently,
        "skills_grown": list(enrollment.skills_grown.all()),
    }


class EnrollmentOut(Schema):
    id: int
    person_id: int
    item_id: int
    item_title: str = Field(..., alias="item.title")
    item_kind: str = Field(..., alias="item.kind")
    status: str
    progress: int = Field(..., description="Percent, 0 to 100")
    registration: str = Field(..., description="The xAPI registration every statement about this attempt carries")
    enrolled_at: dt.datetime
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    dropped_at: dt.datetime | None
    previously_completed_at: dt.datetime | None = Field(
        ..., description="When an earlier attempt was completed, if this one is a retake"
    )
    learned: str = Field(
        ...,
        description="Reflection: what did I learn? Empty for callers who may not read reflections (only the "
        "person, their managers and a stretch assignment's sponsor may)",
    )
    apply_plan: str = Field(..., description="Reflection: how will I apply it? Empty as for learned")
    stretch_reflection: StretchReflectionOut | None = Field(
        None,
        description="A completed stretch assignment's closing reflection; null for other items and for "
        "callers who may not read it (only the person, their managers and the sponsor may)",
    )

    @staticmethod
    def resolve_registration(enrollment: Enrollment) -> str:
        return str(enrollment.registration)

    @staticmethod
    def resolve_stretch_reflection(enrollment: Enrollment, context: dict[str, Any]) -> dict[str, Any] | None:
        return _stretch_reflection(enrollment, context["request"])

    @staticmethod
    def resolve_learned(enrollment: Enrollment, context: dict[str, Any]) -> str:
        return enrollment.learned if _may_read_reflection(enrollment, context["request"]) else ""

    @staticmethod
    def resolve_apply_plan(enrollment: Enrollment, context: dict[str, Any]) -> str:
        return enrollment.apply_plan if _may_read_reflection(enrollment, context["request"]) else ""


class EnrollmentFilters(Schema):
    status: Enrollment.Status | None = None
    item: Id | None = Field(None, description="Only the enrolment in this catalog item")


class EnrolIn(Schema):
    item_id: Id


class ProgressIn(Schema):
    progress: int = Field(..., ge=0, le=100, description="Percent done, 0 to 100; progress never goes back")


class CompleteIn(Schema):
    learned: Text = Field(
        "", description="Reflection: what did I learn? Optional, except for stretch assignments, which need it"
    )
    apply_plan: Text = Field("", description="Optional reflection: how will I apply it?")
    outcome: Text = Field("", description="Stretch assignments only, and needed there: the outcome for the sponsor")
    do_differently: Text = Field("", description="Stretch assignments only, optional: what would I do differently?")
    skills_grown: list[Id] = Field(
        [], max_length=100, description="Stretch assignments only, optional: ids of the item's skills that grew"
    )


class ReflectionOut(Schema):
    enrollment_id: int = Field(..., alias="pk")
    person_id: int
    person: str = Field(..., alias="person.display_name")
    completed_at: dt.datetime | None
    outcome: str
    learned: str
    do_differently: str
    skills_grown: list[SkillRef]

    @staticmethod
    def resolve_skills_grown(enrollment: Enrollment) -> list[Any]:
        return list(enrollment.skills_grown.all())


def _mine(request: HttpRequest, enrollment_id: Id) -> Enrollment:
    """The caller's own enrolment; anyone else's is missing (managers read theirs, never change them)."""
    return selectors.enrollment_get(actor=actor(request), enrollment_id=enrollment_id, action="change")


@router.get("/enrollments", response=list[EnrollmentOut], summary="My enrolments", tags=["enrolments"])
@paginate(LimitOffsetPagination)
def enrollment_list(request: HttpRequest, filters: Query[EnrollmentFilters]) -> Any:
    me = actor(request)
    return selectors.enrollment_list(actor=me, person=me, status=filters.status or "", item_id=filters.item)


@router.get(
    "/people/{person_id}/enrollments",
    response=list[EnrollmentOut],
    summary="A person's enrolments (the person, their managers, people admins)",
    tags=["enrolments"],
)
@paginate(LimitOffsetPagination)
def person_enrollment_list(request: HttpRequest, person_id: Id, filters: Query[EnrollmentFilters]) -> Any:
    person = policy.get_or_404(actor(request), "view_enrollments", Person.objects.all(), pk=person_id)
    return selectors.enrollment_list(
        actor=actor(request), person=person, status=filters.status or "", item_id=filters.item
    )


@router.post(
    "/enrollments",
    response={200: EnrollmentOut, 201: EnrollmentOut},
    summary="Enrol in a catalog item (201; 200 when already enrolled)",
    tags=["enrolments"],
)
def enrollment_create(request: HttpRequest, payload: EnrolIn) -> Status:
    me = actor(request)
    item = policy.scope(me, "view", CatalogItem.objects.filter(pk=payload.item_id)).first()
    if item is None:
        # Drafts the caller may not see get the same answer as ids that do not exist.
        raise ValidationError({"item_id": [f"No catalog item you can see has id {payload.item_id}."]})
    before = Enrollment.objects.filter(person=me, item=item).values_list("status", flat=True).first()
    try:
        enrollment = enrollment_enrol(actor=me, person=me, item=item, source=API_SOURCE)
    except ValidationError as exc:
        raise ValidationError({"item_id": exc.message_dict.get("item", exc.messages)}) from exc
    already = before is not None and before != Enrollment.Status.DROPPED
    return Status(200 if already else 201, enrollment)


@router.get(
    "/enrollments/{enrollment_id}",
    response=EnrollmentOut,
    summary="One enrolment (the person, their managers, people admins)",
    tags=["enrolments"],
)
def enrollment_detail(request: HttpRequest, enrollment_id: Id) -> Enrollment:
    return selectors.enrollment_get(actor=actor(request), enrollment_id=enrollment_id)


@router.post(
    "/enrollments/{enrollment_id}/progress",
    response=EnrollmentOut,
    summary="Record progress on my enrolment (starts it)",
    tags=["enrolments"],
)
def enrollment_progress_post(request: HttpRequest, enrollment_id: Id, payload: ProgressIn) -> Enrollment:
    return enrollment_progress(
        actor=actor(request), enrollment=_mine(request, enrollment_id), percent=payload.progress, source=API_SOURCE
    )


@router.post(
    "/enrollments/{enrollment_id}/complete",
    response=EnrollmentOut,
    summary="Complete my enrolment, with a reflection (stretch assignments: their own; adds skill evidence)",
    tags=["enrolments"],
)
def enrollment_complete_post(request: HttpRequest, enrollment_id: Id, payload: CompleteIn) -> Enrollment:
    return enrollment_complete(
        actor=actor(request),
        enrollment=_mine(request, enrollment_id),
        learned=payload.learned,
        apply_plan=payload.apply_plan,
        outcome=payload.outcome,
        do_differently=payload.do_differently,
        skills_grown=payload.skills_grown,
        source=API_SOURCE,
    )


@router.post(
    "/enrollments/{enrollment_id}/drop", response=EnrollmentOut, summary="Drop my enrolment", tags=["enrolments"]
)
def enrollment_drop_post(request: HttpRequest, enrollment_id: Id) -> Enrollment:
    return enrollment_drop(actor=actor(request), enrollment=_mine(request, enrollment_id), source=API_SOURCE)


@router.post(
    "/enrollments/{enrollment_id}/retake",
    response=EnrollmentOut,
    summary="Take a completed item again: a new attempt; the earlier completion still counts",
    tags=["enrolments"],
)
def enrollment_retake_post(request: HttpRequest, enrollment_id: Id) -> Enrollment:
    return enrollment_retake(actor=actor(request), enrollment=_mine(request, enrollment_id), source=API_SOURCE)


@router.get(
    "/catalog/{item_id}/reflections",
    response=list[ReflectionOut],
    summary="Closing reflections on a stretch assignment (mine, my reports', all of them for its sponsor)",
    tags=["enrolments"],
)
@paginate(LimitOffsetPagination)
def catalog_reflections(request: HttpRequest, item_id: Id) -> Any:
    item = selectors.item_get(actor=actor(request), item_id=item_id)
    return selectors.stretch_reflections(actor=actor(request), item=item)
