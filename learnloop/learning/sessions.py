"""Booking sessions: seats are handed out under a lock on the session, so the last seat goes to exactly
one person however many ask at once, and a cancelled seat goes to the first person on the waitlist."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.core.tasks import email_send
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.lrs.events import activity_iri, record_event
from learnloop.people.models import Person

SCHEDULED_KINDS = (CatalogItem.Kind.LIVE_SESSION, CatalogItem.Kind.COHORT, CatalogItem.Kind.LUNCH_AND_LEARN)
Status = Booking.Status
Source = AuditEvent.Source


@transaction.atomic
def session_create(
    *,
    actor: Person,
    item: CatalogItem,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    capacity: int,
    location: str = "",
    online_url: str = "",
    presenter: Person | None = None,
    source: str = Source.WEB,
) -> Session:
    if not policy.can(actor, "change", item):
        raise ValidationError({"item": ["You cannot schedule sessions of this item."]})
    errors: dict[str, list[str]] = {}
    if item.kind not in SCHEDULED_KINDS:
        errors["item"] = ["Only live sessions, cohorts and lunch and learns have sessions."]
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = [f"{time_zone!r} is not an IANA time zone."]
    if ends_at <= starts_at:
        errors["ends_at"] = ["A session ends after it starts."]
    if capacity < 1:
        errors["capacity"] = ["A session needs at least one seat."]
    if errors:
        raise ValidationError(errors)
    session = Session.objects.create(
        item=item,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        capacity=capacity,
        location=location.strip(),
        online_url=online_url,
        presenter=presenter,
    )
    audit_record(
        actor=actor,
        action="session.create",
        target=session,
        changes={"starts_at": [None, starts_at.isoformat()], "capacity": [None, capacity]},
        source=source,
    )
    return session


def _seats_taken(session: Session) -> int:
    return Booking.objects.filter(session=session, status__in=(Status.BOOKED, Status.ATTENDED)).count()


@transaction.atomic
def session_book(*, actor: Person, session: Session, source: str = Source.WEB) -> Booking:
    """A seat if one is free, else a place on the waitlist. Booking again is harmless."""
    # The row lock makes concurrent bookings of one session queue up here, so counting seats and
    # taking one is a single step (SQLite's IMMEDIATE transactions serialize writers the same way).
    locked = Session.objects.select_for_update().select_related("item").get(pk=session.pk)
    if locked.starts_at <= timezone.now():
        raise ValidationError({"session": ["This session has already started."]})
    existing = Booking.objects.filter(session=locked, person=actor).first()
    if existing is not None and existing.status != Status.CANCELLED:
        return existing
    status = Status.BOOKED if _seats_taken(locked) < locked.capacity else Status.WAITLISTED
    if existing is None:
        booking = Booking.objects.create(session=locked, person=actor, status=status, queued_at=timezone.now())
    else:
        booking = existing
        booking.status, booking.queued_at = status, timezone.now()
        booking.save(update_fields=["status", "queued_at"])
    audit_record(
        actor=actor, action=f"booking.{status}", target=booking, changes={"status": [None, status]}, source=source
    )
    if status == Status.BOOKED:
        _record_registration(booking)
    return booking


def _record_registration(booking: Booking) -> None:
    record_event(
        person=booking.person,
        verb="registered",
        activity_id=activity_iri("session", booking.session_id),
        activity_name=str(booking.session),
        activity_type="meeting",
        context_activities={"parent": [activity_iri("catalog-item", booking.session.item_id)]},
    )


@transaction.atomic
def booking_cancel(*, actor: Person, booking: Booking, source: str = Source.WEB) -> Booking | None:
    """Cancel; a freed seat goes to the first person on the waitlist. Returns the promoted booking."""
    session = Session.objects.select_for_update().select_related("item").get(pk=booking.session_id)
    booking = Booking.objects.select_related("person").get(pk=booking.pk)
    if actor.pk != booking.person_id and not policy.can(actor, "change", session.item):
        raise ValidationError({"booking": ["You cannot cancel someone else's booking."]})
    if booking.status not in (Status.BOOKED, Status.WAITLISTED):
        raise ValidationError({"booking": ["This booking is not active."]})
    freed = booking.status == Status.BOOKED
    booking.status = Status.CANCELLED
    booking.save(update_fields=["status"])
    audit_record(
        actor=actor, action="booking.cancel", target=booking, changes={"status": [None, "cancelled"]}, source=source
    )
    if not freed or _seats_taken(session) >= session.capacity:
        return None
    promoted = (
        Booking.objects.select_related("person")
        .filter(session=session, status=Status.WAITLISTED)
        .order_by("queued_at", "id")
        .first()
    )
    if promoted is None:
        return None
    promoted.status, promoted.queued_at = Status.BOOKED, timezone.now()
    promoted.save(update_fields=["status", "queued_at"])
    audit_record(
        actor=None,
        action="booking.promote",
        target=promoted,
        changes={"status": ["waitlisted", "booked"]},
        source=Source.SYSTEM,
    )
    _record_registration(promoted)
    subject = f"You have a seat: {session.item.title}"
    body = (
        f"Hello {promoted.person.display_name},\n\nA seat opened up and it is yours: {session.item.title}, "
        f"{session.starts_at.astimezone(zoneinfo.ZoneInfo(promoted.person.time_zone)):%A %d %B %Y, %H:%M} "
        f"({promoted.person.time_zone}).\n\nIf you cannot come, cancel so the next person gets the seat.\n"
    )
    email = promoted.person.email
    if email:
        transaction.on_commit(lambda: email_send.enqueue(subject=subject, body=body, to=[email]))
    return promoted
