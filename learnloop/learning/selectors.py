"""Reads for the catalog."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from learnloop.core import policy
from learnloop.learning.models import Booking, CatalogItem, Enrollment, ItemSkill, Session
from learnloop.learning.search import search
from learnloop.learning.sessions import SEATED
from learnloop.people.models import Person


def catalog_list(
    *,
    actor: Person,
    text: str = "",
    kind: str = "",
    skill_id: int | None = None,
    language: str = "",
) -> QuerySet[CatalogItem]:
    """Browse and search: published items (and the actor's own drafts), filtered, best match first."""
    items = policy.scope(actor, "view", CatalogItem.objects.all())
    if kind:
        items = items.filter(kind=kind)
    if skill_id is not None:
        items = items.filter(skills_taught__skill_id=skill_id)
    if language:
        items = items.filter(language=language)
    items = items.prefetch_related(
        Prefetch("skills_taught", queryset=ItemSkill.objects.select_related("skill").order_by("skill__name"))
    )
    return search(items, text) if text.strip() else items.order_by("title")


def item_get(*, actor: Person, item_id: int) -> CatalogItem:
    items = CatalogItem.objects.select_related("owner", "sponsor").prefetch_related(
        Prefetch("skills_taught", queryset=ItemSkill.objects.select_related("skill").order_by("skill__name"))
    )
    return policy.get_or_404(actor, "view", items, pk=item_id)


def pickable_people(*, actor: Person) -> QuerySet[Person]:
    """Who the actor may name as a sponsor or presenter: active people they can see, by name."""
    people = policy.scope(actor, "view", Person.objects.filter(is_active=True))
    return people.order_by("last_name", "first_name", "pk")


def languages() -> list[str]:
    return list(CatalogItem.objects.order_by("language").values_list("language", flat=True).distinct())


def upcoming_sessions(*, actor: Person, item: CatalogItem) -> list[dict[str, object]]:
    """The item's future sessions with seats left and the actor's own booking (two queries)."""
    sessions = list(
        Session.objects.filter(item=item, starts_at__gt=timezone.now(), cancelled_at__isnull=True).annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=SEATED)),
            waiting=Count("bookings", filter=Q(bookings__status="waitlisted")),
        )
    )
    mine = {b.session_id: b for b in Booking.objects.filter(session__in=sessions, person=actor)}
    for s in sessions:
        s.item = item
    return [
        {
            "session": s,
            "seats_left": max(0, s.capacity - s.taken),
            "waiting": s.waiting,
            "booking": mine.get(s.pk),
            "can_roster": policy.can(actor, "take_attendance", s),
        }
        for s in sessions
    ]


def past_sessions_to_take(*, actor: Person, item: CatalogItem, limit: int = 5) -> list[Session]:
    """The item's latest sessions that have started, where the actor may take attendance (one query)."""
    taken_place = Session.objects.filter(item=item, starts_at__lte=timezone.now(), cancelled_at__isnull=True)
    sessions = policy.scope(actor, "take_attendance", taken_place)
    found = list(sessions.order_by("-starts_at")[:limit])
    for s in found:
        s.item = item
    return found


def followed_up_sessions(*, item: CatalogItem, limit: int = 10) -> list[Session]:
    """The item's past sessions with a recording or write-up, newest first, with their presenter (one
    query; the caller has already been allowed to view the item)."""
    found = list(
        Session.objects.filter(item=item, followed_up_at__isnull=False)
        .select_related("presenter")
        .order_by("-starts_at")[:limit]
    )
    for s in found:
        s.item = item
    return found


def sessions_to_manage(*, item: CatalogItem) -> list[Session]:
    """The item's sessions that have not ended, cancelled ones included, with seats taken and the waitlist
    counted and their presenter (one query; the caller has been allowed to schedule the item's sessions)."""
    found: list[Session] = list(
        Session.objects.filter(item=item, ends_at__gt=timezone.now())
        .select_related("presenter")
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=SEATED)),
            waiting=Count("bookings", filter=Q(bookings__status="waitlisted")),
        )
        .order_by("starts_at", "pk")
    )
    for s in found:
        s.item = item
    return found


def my_upcoming_bookings(*, person: Person, limit: int = 5) -> list[Booking]:
    """The person's next sessions: a seat or a waitlist place (with `ahead`, how many wait before them), soonest
    first, only sessions not cancelled and of items they may still see. One query whatever their history."""
    ahead = (
        Booking.objects.filter(session=OuterRef("session"), status=Booking.Status.WAITLISTED)
        .filter(Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    coming = Session.objects.filter(ends_at__gt=timezone.now(), cancelled_at__isnull=True)
    visible = policy.scope(person, "view", coming)
    return list(
        Booking.objects.filter(
            person=person, status__in=(Booking.Status.BOOKED, Booking.Status.WAITLISTED), session__in=visible
        )
        .select_related("session__item")
        .annotate(ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), 0))
        .order_by("session__starts_at", "pk")[:limit]
    )


def sessions_list(
    *,
    actor: Person,
    item_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Session]:
    """Sessions of items the actor may see, upcoming by default, with seats taken and the waitlist counted."""
    sessions = policy.scope(actor, "view", Session.objects.select_related("item")).filter(cancelled_at__isnull=True)
    sessions = sessions.filter(starts_at__gte=since if since is not None else timezone.now())
    if until is not None:
        sessions = sessions.filter(starts_at__lt=until)
    if item_id is not None:
        sessions = sessions.filter(item_id=item_id)
    return sessions.annotate(
        taken=Count("bookings", filter=Q(bookings__status__in=SEATED)),
        waiting=Count("bookings", filter=Q(bookings__status="waitlisted")),
    ).order_by("starts_at", "pk")


def session_get(*, actor: Person, session_id: int, action: str = "view") -> Session:
    sessions = Session.objects.select_related("item", "presenter", "item__owner").annotate(
        taken=Count("bookings", filter=Q(bookings__status__in=SEATED)),
        waiting=Count("bookings", filter=Q(bookings__status="waitlisted")),
    )
    return policy.get_or_404(actor, action, sessions, pk=session_id)


def roster(session: Session) -> list[Booking]:
    """Everyone with a seat or on the waitlist, seated first, then in the order they queued."""
    bookings = Booking.objects.filter(session=session).exclude(status="cancelled").select_related("person")
    order = {"booked": 0, "attended": 0, "no_show": 0, "waitlisted": 1}
    return sorted(bookings, key=lambda b: (order[b.status], b.person.last_name, b.person.first_name, b.pk))


def home_panel(person: Person) -> dict[str, Any] | None:
    """ "Upcoming sessions" on my home: the next seats and waitlist places, or nothing when there are none."""
    bookings = my_upcoming_bookings(person=person)
    return {"bookings": bookings, "zone": person.time_zone} if bookings else None


def enrollment_list(
    *, actor: Person, person: Person, status: str = "", item_id: int | None = None
) -> QuerySet[Enrollment]:
    """A person's enrolments the actor may see, ordered as on *My learning* (by status, then newest
    first), with their item: one query for a page of them."""
    enrollments = policy.scope(actor, "view", Enrollment.objects.filter(person=person).select_related("item"))
    enrollments = enrollments.prefetch_related("skills_grown")
    if status:
        enrollments = enrollments.filter(status=status)
    if item_id is not None:
        enrollments = enrollments.filter(item_id=item_id)
    return enrollments.order_by("status", "-enrolled_at", "-pk")


def enrollment_get(*, actor: Person, enrollment_id: int, action: str = "view") -> Enrollment:
    enrollments = Enrollment.objects.select_related("item", "person").prefetch_related("skills_grown")
    return policy.get_or_404(actor, action, enrollments, pk=enrollment_id)


def stretch_reflections(*, actor: Person, item: CatalogItem) -> QuerySet[Enrollment]:
    """The closing reflections on a stretch assignment that the actor may read (their own, their
    reports', and every one when they sponsor it), newest first, with the person and the skills that
    grew: two queries for any number."""
    if item.kind != CatalogItem.Kind.STRETCH:
        return Enrollment.objects.none()
    completed = Enrollment.objects.filter(item=item, status=Enrollment.Status.COMPLETED)
    return (
        policy.scope(actor, "view_reflection", completed)
        .select_related("person")
        .prefetch_related("skills_grown")
        .order_by("-completed_at", "-pk")
    )
