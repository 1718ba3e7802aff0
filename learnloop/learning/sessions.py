"""Booking sessions: seats are handed out under a lock on the session, so the last seat goes to exactly
one person however many ask at once, and a cancelled seat goes to the first person on the waitlist.
After a session, its presenter, the item's owner or the L&D team takes attendance; attending completes
the person's enrolment in the item. A periodic job reminds people of their sessions a day before."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import dateformat, timezone

from learnloop.core import policy
from learnloop.core.audit import audit_event_build, audit_record, field_changes, snapshot
from learnloop.core.models import AuditEvent
from learnloop.core.response_cache import PERSON, version_bump
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.lrs.events import Event, activity_iri, event_statement, record_event
from learnloop.notifications.services import notify
from learnloop.people.models import Person

SCHEDULED_KINDS = (CatalogItem.Kind.LIVE_SESSION, CatalogItem.Kind.COHORT, CatalogItem.Kind.LUNCH_AND_LEARN)
Status = Booking.Status
Source = AuditEvent.Source
# Bookings that hold a seat (a no-show held one too).
SEATED = (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW)
REMINDER_AHEAD = dt.timedelta(hours=24)
MAX_CAPACITY = 10_000
# What an owner may change about a session, and of those what booked people and their calendars see.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "time_zone", "capacity", "location", "online_url", "presenter")
NOTICEABLE = ("starts_at", "ends_at", "time_zone", "location", "online_url")
ACTIVE = (Status.BOOKED, Status.WAITLISTED)


def _changed(booking: Booking, status: str, *fields: str) -> None:
    """Set a booking's status and bump what calendar feeds read (SEQUENCE, DTSTAMP)."""
    booking.status, booking.sequence, booking.changed_at = status, booking.sequence + 1, timezone.now()
    booking.save(update_fields=["status", "sequence", "changed_at", *fields])


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _in_zone(value: dt.datetime, zone: str) -> dt.datetime:
    """An aware moment: a naive (wall-clock) time is read in the session's zone, as people plan it."""
    return value.replace(tzinfo=zoneinfo.ZoneInfo(zone)) if timezone.is_naive(value) else value


def _schedule_errors(
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    time_zone: str,
    capacity: int,
    location: str,
    online_url: str,
) -> tuple[dict[str, list[str]], dt.datetime, dt.datetime]:
    """What is wrong with a session's time, place and size (a message per field), and its times made aware."""
    errors: dict[str, list[str]] = {}
    if time_zone not in _zones():
        errors["time_zone"] = [f"{time_zone!r} is not an IANA time zone (for example Europe/Berlin)."]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        # Far-off years are typing slips, and converting them between zones can overflow.
        if not 1900 <= value.year <= 2999:
            errors[name] = ["Give a year from 1900 to 2999."]
    if not {"starts_at", "ends_at"} & set(errors):
        if "time_zone" not in errors:
            # In UTC, as the database returns them, so an unchanged time compares (and audits) as unchanged.
            starts_at = _in_zone(starts_at, time_zone).astimezone(dt.UTC)
            ends_at = _in_zone(ends_at, time_zone).astimezone(dt.UTC)
        # Without a zone, naive times cannot be placed; aware ones (offsets given) still compare.
        if timezone.is_aware(starts_at) == timezone.is_aware(ends_at) and ends_at <= starts_at:
            errors["ends_at"] = ["A session ends after it starts."]
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [f"Give a capacity from 1 to {MAX_CAPACITY:,} seats."]
    if len(location) > 200:
        errors["location"] = ["Keep the place under 200 characters."]
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            errors["online_url"] = ["Give the meeting's full web address (https://...)."]
        if len(online_url) > 500:
            errors["online_url"] = ["Keep the address under 500 characters."]
    return errors, starts_at, ends_at


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
    """A new session of a live session, cohort or lunch and learn. Naive times are read in `time_zone`."""
    if not policy.can(actor, "schedule", item):
        raise ValidationError({"item": ["You cannot schedule sessions of this item."]})
    fields: dict[str, Any] = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "time_zone": time_zone,
        "capacity": capacity,
        "location": location.strip(),
        "online_url": online_url.strip(),
    }
    errors, fields["starts_at"], fields["ends_at"] = _schedule_errors(**fields)
    if item.kind not in SCHEDULED_KINDS:
        errors["item"] = ["Only live sessions, cohorts and lunch and learns have sessions."]
    if presenter is not None and not presenter.is_active:
        errors["presenter"] = ["Choose someone who still works here."]
    if errors:
        raise ValidationError(errors)
    session = Session.objects.create(item=item, presenter=presenter, **fields)
    audit_record(
        actor=actor,
        action="session.create",
        target=session,
        changes=field_changes(before={}, after=snapshot(session, SCHEDULE_FIELDS)),
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
    if locked.cancelled_at is not None:
        raise ValidationError({"session": ["This session was cancelled."]})
    if locked.starts_at <= timezone.now():
        raise ValidationError({"session": ["This session has already started."]})
    existing = Booking.objects.filter(session=locked, person=actor).first()
    if existing is not None and existing.status != Status.CANCELLED:
        return existing
    # Learning blocks take the same person lock, so neither a second booking nor a block can slip into
    # the time between this check and the booking's commit.
    Person.objects.select_for_update().filter(pk=actor.pk).first()
    clash = booking_clash(person=actor, starts_at=locked.starts_at, ends_at=locked.ends_at, exclude=locked)
    if clash:
        raise ValidationError({"session": [clash]})
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


def booking_clash(
    *, person: Person, starts_at: dt.datetime, ends_at: dt.datetime, exclude: Session | None = None
) -> str:
    """Why `person` cannot be in a session from `starts_at` to `ends_at`: another session they have a
    seat or a waitlist place in, or a learning block of theirs, at the same time (touching is fine). The
    message names it and its time in the person's zone; empty when nothing overlaps."""
    from learnloop.learningtime.models import LearningBlock

    zone = zoneinfo.ZoneInfo(person.time_zone)
    bookings = Booking.objects.filter(
        person=person,
        status__in=(*ACTIVE, Status.ATTENDED),
        session__cancelled_at__isnull=True,
        session__starts_at__lt=ends_at,
        session__ends_at__gt=starts_at,
    )
    if exclude is not None:
        bookings = bookings.exclude(session=exclude)
    other = bookings.select_related("session__item").order_by("session__starts_at").first()
    if other is not None:
        place = " (you are on its waitlist)" if other.status == Status.WAITLISTED else ""
        return (
            f"This overlaps your session “{other.session.item.title}”{place} on "
            f"{session_when(other.session, zone)}. Cancel that booking first, or pick another session."
        )
    block = (
        LearningBlock.objects.filter(person=person, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status=LearningBlock.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )
    if block is not None:
        span = _span(timezone.localtime(block.starts_at, zone), timezone.localtime(block.ends_at, zone), "D j M Y, H:i")
        return (
            f"This overlaps your learning block “{block.title}” on {span} ({person.time_zone}). "
            "Move the block on the learning-time page, or pick another session."
        )
    return ""


def _session_event(booking: Booking, verb: str, *, at: dt.datetime | None = None) -> Event:
    """A booking's statement about its session (`registered` for a seat, `attended`), in the item's context."""
    return {
        "person": booking.person,
        "verb": verb,
        "activity_id": activity_iri("session", booking.session_id),
        "activity_name": str(booking.session),
        "activity_type": "meeting",
        "context_activities": {"parent": [activity_iri("catalog-item", booking.session.item_id)]},
        "timestamp": at,
    }


def _record_registration(booking: Booking) -> None:
    record_event(**_session_event(booking, "registered"))


def booking_history(booking: Booking) -> list[dict[str, Any]]:
    """The statements the services would have recorded for a booking as it stands, each dated when its step
    happened: `registered` when the seat was taken (`queued_at`; none for a waitlist place) and `attended`
    when attendance was taken (`changed_at`). For bookings written in bulk (the demo), stored with
    `record_events`; the booking's session, its item and the person should be loaded."""
    events = []
    if booking.status in SEATED:
        events.append(event_statement(**_session_event(booking, "registered", at=booking.queued_at)))
    if booking.status == Status.ATTENDED:
        events.append(event_statement(**_session_event(booking, "attended", at=booking.changed_at)))
    return events


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
    _waitlist_moved(session)
    if not freed or _seats_taken(session) >= session.capacity:
        return None
    return waitlist_promote_next(session)


def _waitlist_moved(session: Session) -> None:
    """Retire the cached pages of everyone waiting for `session`: their place in the queue changed."""
    for person_id in Booking.objects.filter(session=session, status=Status.WAITLISTED).values_list(
        "person_id", flat=True
    ):
        version_bump(PERSON.format(person=person_id))


def waitlist_promote_next(session: Session) -> Booking | None:
    """Give the first person on the waitlist a seat and tell them. The caller holds the session's row lock
    (with its item loaded) and has checked that a seat is free. Returns the promoted booking, or None."""
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
def booking_mark_attendance(
    *, actor: Person, booking: Booking, attended: bool, at: dt.datetime | None = None, source: str = Source.WEB
) -> Booking:
    """Mark a seated person as attended or a no-show, once the session has started.

    Attending records an xAPI "attended" statement and completes the person's enrolment in the item
    (enrolling them first if they booked without enrolling). Marking a no-show later does not undo a
    completion: the statement stream keeps both events. `at` dates attendance recorded after the fact
    (the demo's history: the statement, the completion and its skill evidence); by default it is now.
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
    if at is not None and at < session.starts_at:
        raise ValidationError({"at": ["People attend a session once it has started."]})
    status = Status.ATTENDED if attended else Status.NO_SHOW
    if booking.status == status:
        return booking
    before = booking.status
    _changed(booking, status)
    audit_record(
        actor=actor, action=f"booking.{status}", target=booking, changes={"status": [before, status]}, source=source
    )
    if attended:
        record_event(**_session_event(booking, "attended", at=at))
        enrollment = Enrollment.objects.filter(person=booking.person, item=session.item).first()
        if enrollment is None or enrollment.status == Enrollment.Status.DROPPED:
            enrollment = enrollment_enrol(actor=None, person=booking.person, item=session.item, at=at, source=source)
        enrollment_complete(actor=actor, enrollment=enrollment, at=at, source=source, by_attendance=True)
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
    if session.cancelled_at is not None:
        raise ValidationError({"session": ["This session was cancelled: there is nothing to follow up."]})
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
            activity_name=str(session),
            activity_type="meeting",
        )
    return session


def _tell_booked(
    session: Session,
    *,
    actor: Person,
    now: dt.datetime,
    title: str,
    body: Callable[[str, str, bool], str],
    cancel: bool = False,
    source: str,
) -> int:
    """Bump every active booking's calendar event (SEQUENCE and DTSTAMP; cancelled too with `cancel`),
    retire the people's cached pages and notify them. `body(when, where, waiting)` words the message for
    one person: when in their own zone, where the session is, whether they were on the waitlist. Returns
    how many bookings changed."""
    active = list(Booking.objects.filter(session=session, status__in=ACTIVE).select_related("person"))
    update: dict[str, Any] = {"sequence": F("sequence") + 1, "changed_at": now}
    if cancel:
        update["status"] = Status.CANCELLED
        AuditEvent.objects.bulk_create(
            audit_event_build(
                actor=actor,
                action="booking.cancel",
                target=booking,
                changes={"status": [booking.status, Status.CANCELLED], "reason": [None, "session cancelled"]},
                source=source,
            )
            for booking in active
        )
    Booking.objects.filter(pk__in=[b.pk for b in active]).update(**update)
    url = reverse("learning:item", kwargs={"item_id": session.item_id})
    where = session.location or session.online_url
    for booking in active:
        person = booking.person
        version_bump(PERSON.format(person=person.pk))
        when = session_when(session, zoneinfo.ZoneInfo(person.time_zone))
        notify(
            recipient=person,
            kind="session_change",
            title=title,
            body=body(when, where, booking.status == Status.WAITLISTED),
            url=url,
            dedupe_key=f"booking:{booking.pk}:changed:{booking.sequence + 1}",
        )
    return len(active)


def _locked(session: Session) -> Session:
    # Only the session row is locked: PostgreSQL refuses FOR UPDATE on the nullable outer join a
    # presenter would add, and the item is only read.
    return Session.objects.select_for_update(of=("self",)).select_related("item").get(pk=session.pk)


@transaction.atomic
def session_update(*, actor: Person, session: Session, source: str = Source.WEB, **changes: Any) -> Session:
    """Reschedule, move, resize or change the presenter of a session that has not started.

    A change people would notice (time, zone, place, link) raises the SEQUENCE of every booking's calendar
    event and sends everyone booked or waiting a `session_change` notification. Capacity cannot go below the
    seats taken; more seats go to the waitlist in order. Naive times are read in the session's zone.
    """
    unknown = set(changes) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    session = _locked(session)
    if not policy.can(actor, "change", session):
        raise ValidationError({"session": ["Only the item's owner and the L&D team change its sessions."]})
    if session.cancelled_at is not None:
        raise ValidationError({"session": ["This session was cancelled; schedule a new one instead."]})
    now = timezone.now()
    for text in ("location", "online_url"):
        if text in changes:
            changes[text] = (changes[text] or "").strip()
    merged = {name: changes.get(name, getattr(session, name)) for name in SCHEDULE_FIELDS}
    errors, merged["starts_at"], merged["ends_at"] = _schedule_errors(
        **{name: merged[name] for name in SCHEDULE_FIELDS if name != "presenter"}
    )
    if (
        not errors
        and "starts_at" in changes
        and merged["starts_at"] != session.starts_at
        and merged["starts_at"] <= now
    ):
        errors["starts_at"] = ["Move the session to a time in the future."]
    presenter = merged["presenter"]
    if "presenter" in changes and presenter is not None and not presenter.is_active:
        errors["presenter"] = ["Choose someone who still works here."]
    taken = _seats_taken(session)
    if "capacity" not in errors and merged["capacity"] < taken:
        errors["capacity"] = [
            f"{taken} people have a seat, so the capacity cannot go below {taken}. "
            "Cancel bookings first, or keep the capacity."
        ]
    if errors:
        raise ValidationError(errors)
    before = snapshot(session, SCHEDULE_FIELDS)
    for name, value in merged.items():
        setattr(session, name, value)
    diff = field_changes(before=before, after=snapshot(session, SCHEDULE_FIELDS))
    if not diff:
        return session
    if before["starts_at"] <= now and set(diff) - {"presenter"}:
        raise ValidationError({"session": ["This session has started: only its presenter can still change."]})
    session.save(update_fields=[name for name in SCHEDULE_FIELDS if name in diff])
    audit_record(actor=actor, action="session.update", target=session, changes=diff, source=source)
    if set(diff) & set(NOTICEABLE):
        moved = bool({"starts_at", "ends_at"} & set(diff))
        title = session.item.title

        def changed_body(when: str, where: str, waiting: bool) -> str:
            place = f", {where}" if where else ""
            queue = " You are still on the waitlist." if waiting else ""
            return f"{title} is now {when}{place}.{queue} Your calendar feed has the new details."

        _tell_booked(
            session,
            actor=actor,
            now=now,
            title=f"{'Moved' if moved else 'Changed'}: {title}",
            body=changed_body,
            source=source,
        )
    if "capacity" in diff and diff["capacity"][1] > diff["capacity"][0]:
        while _seats_taken(session) < session.capacity and waitlist_promote_next(session) is not None:
            pass
        _waitlist_moved(session)
    return session


@transaction.atomic
def session_cancel(*, actor: Person, session: Session, reason: str = "", source: str = Source.WEB) -> Session:
    """Call off a session that has not started: every booking and waitlist place is cancelled (calendar
    feeds show the event as cancelled), and everyone is told, with the reason when one is given."""
    session = _locked(session)
    if not policy.can(actor, "cancel", session):
        raise ValidationError({"session": ["Only the item's owner and the L&D team cancel its sessions."]})
    if session.cancelled_at is not None:
        raise ValidationError({"session": ["This session is already cancelled."]})
    now = timezone.now()
    if session.starts_at <= now:
        raise ValidationError({"session": ["This session has started and can no longer be cancelled."]})
    reason = reason.strip()
    if len(reason) > 500:
        raise ValidationError({"reason": ["Keep the reason under 500 characters."]})
    session.cancelled_at, session.cancel_reason = now, reason
    session.save(update_fields=["cancelled_at", "cancel_reason"])
    title = session.item.title

    def cancelled_body(when: str, where: str, waiting: bool) -> str:
        why = f" {reason}" if reason else ""
        return f"{title} on {when} is cancelled.{why} Look for another session on the item's page."

    told = _tell_booked(
        session,
        actor=actor,
        now=now,
        title=f"Cancelled: {title}",
        body=cancelled_body,
        cancel=True,
        source=source,
    )
    audit_record(
        actor=actor,
        action="session.cancel",
        target=session,
        changes={"cancelled_at": [None, now.isoformat()], "reason": ["", reason], "bookings_cancelled": [0, told]},
        source=source,
    )
    return session
