"""The personal iCalendar feed (RFC 5545): learning blocks and booked sessions, one VEVENT each.

Each event keeps its UID for life and raises SEQUENCE on every change, so a subscribed calendar
replaces its copy; cancelled blocks and bookings stay in the feed with STATUS:CANCELLED so calendars
remove them. Times carry the TZID of the zone they were planned in, with a VTIMEZONE for each zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from learnloop import __version__
from learnloop.learning.models import Booking
from learnloop.learningtime.models import LearningBlock
from learnloop.people.models import Person

# How far back the feed reaches; older events have long left anyone's calendar view.
HISTORY = dt.timedelta(days=90)
BOOKING_STATUSES = (Booking.Status.BOOKED, Booking.Status.ATTENDED, Booking.Status.NO_SHOW, Booking.Status.CANCELLED)


def _host() -> str:
    # From the configured site, never the request: a UID must stay the same whichever address the feed is
    # fetched from, or calendars would show every event twice.
    return urlsplit(settings.SITE_URL).hostname or "learnloop"


def block_uid(block: LearningBlock) -> str:
    return f"block-{block.uid}@{_host()}"


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.pk}@{_host()}"


def _event(
    *,
    uid: str,
    stamp: dt.datetime,
    starts: dt.datetime,
    ends: dt.datetime,
    zone: str,
    summary: str,
    description: str,
    url: str,
    sequence: int,
    cancelled: bool,
    location: str = "",
) -> Event:
    tz = zoneinfo.ZoneInfo(zone)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", starts.astimezone(tz))
    event.add("dtend", ends.astimezone(tz))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def calendar_for(person: Person, *, now: dt.datetime | None = None, site: str | None = None) -> bytes:
    """The person's feed as iCalendar text, its links on `site` (the address the feed was fetched from;
    SITE_URL when not given). Two queries whatever the number of events."""
    now = now or timezone.now()
    site = site or settings.SITE_URL
    since = now - HISTORY
    calendar = Calendar()
    calendar.add("prodid", f"-//learnloop//learning time {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Learning time (learnloop)")
    calendar.add("x-wr-timezone", person.time_zone)
    page = f"{site}{reverse('learningtime:mine')}"
    blocks = LearningBlock.objects.filter(person=person, ends_at__gte=since).select_related("item")
    for block in blocks.order_by("starts_at", "pk"):
        description = block.note
        if block.item is not None:
            description = f"{block.item.title}\n\n{description}".strip()
        calendar.add_component(
            _event(
                uid=block_uid(block),
                stamp=block.updated_at,
                starts=block.starts_at,
                ends=block.ends_at,
                zone=block.time_zone,
                summary=f"Learning: {block.title}",
                description=description,
                url=page,
                sequence=block.sequence,
                cancelled=block.status == LearningBlock.Status.CANCELLED,
            )
        )
    bookings = Booking.objects.filter(
        person=person, status__in=BOOKING_STATUSES, session__ends_at__gte=since
    ).select_related("session__item")
    for booking in bookings.order_by("session__starts_at", "pk"):
        session = booking.session
        item_url = f"{site}{reverse('learning:item', kwargs={'item_id': session.item_id})}"
        calendar.add_component(
            _event(
                uid=booking_uid(booking),
                stamp=booking.changed_at,
                starts=session.starts_at,
                ends=session.ends_at,
                zone=session.time_zone,
                summary=session.item.title,
                description="\n\n".join(p for p in (session.item.summary, session.online_url) if p),
                url=item_url,
                sequence=booking.sequence,
                cancelled=booking.status == Booking.Status.CANCELLED,
                location=session.location or session.online_url,
            )
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()
