"""Booking sessions: seats are handed out under a lock on the session, so the last seat goes to exactly
one person however many ask at once, and a cancelled seat goes to the first person on the waitlist.
After a session, its presenter, the item's owner or the L&D team takes attendance; attending completes
the person's enrolment in the item. A periodic job reminds people of their sessions a day before."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.lrs.events import activity_iri, record_event
from learnloop.notifications.services import notify
from learnloop.people.models import Person

SCHEDULED_KINDS = (CatalogItem.Kind.LIVE_SESSION, CatalogItem.Kind.COHORT, CatalogItem.Kind.LUNCH_AND_LEARN)
Status = Booking.Status
Source = AuditEvent.Source
# Bookings that hold a seat (a no-show held one too).
SEATED = (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW)
REMINDER_AHEAD = dt.timedelta(hours=24)


def _changed(booking: Booking, status: str, *fields: str) -> None:
    """Set a booking's status and bump what calendar feeds read (SEQUENCE, DTSTAMP)."""
    booking.status, booking.sequence, booking.changed_at = status, booking.sequence + 1, timezone.now()
    booking.save(update_fields=["status", "sequence", "changed_at", *fields])


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
    return Booking.objects.filter(session=session, status__in=SEATED).count()


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
        booking.queued_at = timezone.now()
        _changed(booking, status, "queued_at")
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
    if not policy.can(actor, "cancel", booking):
        raise ValidationError({"booking": ["You cannot cancel someone else's booking."]})
    if booking.status not in (Status.BOOKED, Status.WAITLISTED):
        raise ValidationError({"booking": ["This booking is not active."]})
    freed = booking.status == Status.BOOKED
    _changed(booking, Status.CANCELLED)
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
    promoted.queued_at = timezone.now()
    _changed(promoted, Status.BOOKED, "queued_at")
    audit_record(
        actor=None,
        action="booking.promote",
        target=promoted,
        changes={"status": ["waitlisted", "booked"]},
        source=Source.SYSTEM,
    )
    _record_registration(promoted)
    person = promoted.person
    # Through notify, so people choose in-app, email or both (the waitlist kind emails by default).
    notify(
        recipient=person,
        kind="waitlist",
        title=f"You have a seat: {session.item.title}",
        body=(
            f"A seat opened up and it is yours: {session.item.title}, "
            f"{session_when(session, zoneinfo.ZoneInfo(person.time_zone))}. "
            "If you cannot come, cancel so the next person gets the seat."
        ),
        url=reverse("learning:item", kwargs={"item_id": session.item_id}),
        dedupe_key=f"booking:{promoted.pk}:promoted:{promoted.sequence}",
    )
    return promoted


@transaction.atomic
def booking_mark_attendance(*, actor: Person, booking: Booking, attended: bool, source: str = Source.WEB) -> Booking:
    """Mark a seated person as attended or a no-show, once the session has started.

    Attending records an xAPI "attended" statement and completes the person's enrolment in the item
    (enrolling them first if they booked without enrolling). Marking a no-show later does not undo a
    completion: the statement stream keeps both events.
    """
    from learnloop.learning.enrollment import enrollment_complete, enrollment_enrol
    from learnloop.learning.models import Enrollment

    session = Session.objects.select_for_update().select_related("item").get(pk=booking.session_id)
    booking = Booking.objects.select_related("person").get(pk=booking.pk)
    booking.session = session
    if not policy.can(actor, "take_attendance", session):
        raise ValidationError({"booking": ["Only the presenter, the item's owner or the L&D team take attendance."]})
    if booking.status not in SEATED:
        raise ValidationError({"booking": ["Only people with a seat can be marked; this booking has none."]})
    if session.starts_at > timezone.now():
        raise ValidationError({"booking": ["Attendance can be taken once the session has started."]})
    status = Status.ATTENDED if attended else Status.NO_SHOW
    if booking.status == status:
        return booking
    before = booking.status
    _changed(booking, status)
    audit_record(
        actor=actor, action=f"booking.{status}", target=booking, changes={"status": [before, status]}, source=source
    )
    if attended:
        record_event(
            person=booking.person,
            verb="attended",
            activity_id=activity_iri("session", session.pk),
            activity_name=str(session),
            activity_type="meeting",
            context_activities={"parent": [activity_iri("catalog-item", session.item_id)]},
        )
        enrollment = Enrollment.objects.filter(person=booking.person, item=session.item).first()
        if enrollment is None or enrollment.status == Enrollment.Status.DROPPED:
            enrollment = enrollment_enrol(actor=None, person=booking.person, item=session.item, source=source)
        enrollment_complete(actor=actor, enrollment=enrollment, source=source)
    return booking


DASH = "\N{EN DASH}"


def _span(starts: dt.datetime, ends: dt.datetime, start_format: str) -> str:
    """ "Tue 3 Dec 2026, 10:00-11:00": `start_format` for the start, the end's day only when it differs."""
    end_format = "H:i" if ends.date() == starts.date() else "D j M, H:i"
    return f"{dateformat.format(starts, start_format)}{DASH}{dateformat.format(ends, end_format)}"


def session_when(session: Session, zone: dt.tzinfo | None = None) -> str:
    """When a session runs, for someone in `zone` (by default the active one: the viewer's).

    "Tue 3 Dec 2026, 10:00-11:00 your time (16:00-17:00 Asia/Singapore)" when the session was planned in
    another zone, "Tue 3 Dec 2026, 10:00-11:00 (Europe/Berlin)" when it is the reader's own (with an en
    dash between the times).
    """
    reader = zone or timezone.get_current_timezone()
    starts, ends = timezone.localtime(session.starts_at, reader), timezone.localtime(session.ends_at, reader)
    here = _span(starts, ends, "D j M Y, H:i")
    if getattr(reader, "key", str(reader)) == session.time_zone:
        return f"{here} ({session.time_zone})"
    own = zoneinfo.ZoneInfo(session.time_zone)
    there_starts, there_ends = timezone.localtime(session.starts_at, own), timezone.localtime(session.ends_at, own)
    there = _span(there_starts, there_ends, "H:i" if there_starts.date() == starts.date() else "D j M, H:i")
    return f"{here} your time ({there} {session.time_zone})"


def session_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind everyone with a seat of sessions starting within the next day. Idempotent: one reminder per
    booking and start time (a session moved to another time is reminded again). Returns how many were sent."""
    now = now or timezone.now()
    bookings = Booking.objects.filter(
        status=Status.BOOKED, session__starts_at__gt=now, session__starts_at__lte=now + REMINDER_AHEAD
    ).select_related("person", "session__item")
    sent = 0
    for booking in bookings:
        session, person = booking.session, booking.person
        zone = zoneinfo.ZoneInfo(person.time_zone)
        today = timezone.localdate(now, zone) == timezone.localdate(session.starts_at, zone)
        where = session.location or session.online_url
        reminder = notify(
            recipient=person,
            kind="session_reminder",
            title=f"{'Today' if today else 'Tomorrow'}: {session.item.title}",
            body=f"{session.item.title}: {session_when(session, zone)}" + (f", {where}." if where else "."),
            url=reverse("learning:item", kwargs={"item_id": session.item_id}),
            dedupe_key=f"booking:{booking.pk}:{session.starts_at.isoformat()}",
        )
        sent += reminder is not None
    return sent


@transaction.atomic
def session_follow_up(
    *, actor: Person, session: Session, recording_url: str, write_up: str, source: str = Source.WEB
) -> Session:
    """After a session: its recording and a write-up, shown on the item to everyone who missed it. The
    first follow-up credits the presenter with an xAPI "shared" statement about the session."""
    if not policy.can(actor, "take_attendance", session):
        raise ValidationError({"session": ["Only the presenter, the item's owner and the L&D team follow up."]})
    session = Session.objects.select_for_update(of=("self",)).select_related("item", "presenter").get(pk=session.pk)
    if session.starts_at > timezone.now():
        raise ValidationError({"session": ["Add the recording and write-up once the session has taken place."]})
    recording_url, write_up = recording_url.strip(), write_up.strip()
    if not recording_url and not write_up:
        raise ValidationError({"write_up": ["Add a recording link, a write-up, or both."]})
    if len(write_up) > 50_000:
        raise ValidationError({"write_up": ["Keep the write-up under 50,000 characters."]})
    if recording_url:
        try:
            URLValidator(schemes=["http", "https"])(recording_url)
        except ValidationError:
            raise ValidationError({"recording_url": ["Give the recording's full web address (https://...)."]}) from None
    before = {"recording_url": session.recording_url, "write_up": session.write_up}
    first = session.followed_up_at is None
    session.recording_url, session.write_up = recording_url, write_up
    session.followed_up_at = timezone.now()
    session.save(update_fields=["recording_url", "write_up", "followed_up_at"])
    changes = {k: [v, getattr(session, k)] for k, v in before.items() if v != getattr(session, k)}
    audit_record(actor=actor, action="session.follow_up", target=session, changes=changes, source=source)
    if first and session.presenter is not None:
        record_event(
            person=session.presenter,
            verb="shared",
            activity_id=activity_iri("session", session.pk),
            activity_name=f"{session.item.title} ({session.starts_at:%Y-%m-%d})",
            activity_type="meeting",
        )
    return session
