"""Small builders for learning-time tests."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learningtime.models import LearningBlock
from learnloop.learningtime.services import block_create
from learnloop.people.models import Person


def local(person: Person, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(person.time_zone))


def block(person: Person, start: dt.datetime, minutes: int = 60, title: str = "Read") -> LearningBlock:
    return block_create(actor=person, title=title, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes))


def session_with_booking(
    person: Person, start: dt.datetime, minutes: int = 90, status: str = "booked", zone: str = "America/New_York"
) -> Booking:
    item, _ = CatalogItem.objects.get_or_create(
        title="Facilitation workshop", defaults={"kind": "live_session", "summary": "Practise running sessions."}
    )
    session = Session.objects.create(
        item=item,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        time_zone=zone,
        capacity=10,
        location="Berlin, room Spree",
    )
    return Booking.objects.create(session=session, person=person, status=status, queued_at=timezone.now())
