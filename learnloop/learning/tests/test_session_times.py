"""Session times in the reader's own time zone, naming the session's zone when it differs."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from learnloop.core.testing import Personas
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import DASH, session_reminders_send, session_when
from learnloop.notifications.models import Notification
from learnloop.people.models import Person

pytestmark = pytest.mark.django_db
# 08:00-09:00 UTC on Tuesday 3 December 2030: 16:00-17:00 in Singapore, 09:00-10:00 in Berlin.
STARTS = dt.datetime(2030, 12, 3, 8, 0, tzinfo=dt.UTC)


def _said(text: str) -> str:
    """Expected text written with hyphens; pages and notifications use an en dash between times."""
    return text.replace("-", DASH)


def _session(starts_at: dt.datetime = STARTS) -> Session:
    item = item_create(actor=None, kind=CatalogItem.Kind.LIVE_SESSION, title="Negotiation lab", summary="Practise.")
    return Session.objects.create(
        item=item,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        time_zone="Asia/Singapore",
        capacity=5,
    )


def _in_zone(person: Person, zone: str) -> Person:
    Person.objects.filter(pk=person.pk).update(time_zone=zone)
    person.refresh_from_db()
    return person


def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def test_it_says_the_readers_time_and_the_sessions_own() -> None:
    session = _session()
    assert session_when(session, _zone("Europe/Berlin")) == _said(
        "Tue 3 Dec 2030, 09:00-10:00 your time (16:00-17:00 Asia/Singapore)"
    )
    assert session_when(session, _zone("Asia/Singapore")) == _said("Tue 3 Dec 2030, 16:00-17:00 (Asia/Singapore)")
    # Monday evening in Honolulu is Tuesday afternoon in Singapore: the other day is named.
    assert session_when(session, _zone("Pacific/Honolulu")) == _said(
        "Mon 2 Dec 2030, 22:00-23:00 your time (Tue 3 Dec, 16:00-17:00 Asia/Singapore)"
    )
    late = _session(STARTS + dt.timedelta(hours=14, minutes=30))  # 22:30 UTC
    assert session_when(late, _zone("Europe/Berlin")) == _said(
        "Tue 3 Dec 2030, 23:30-Wed 4 Dec, 00:30 your time (Wed 4 Dec, 06:30-07:30 Asia/Singapore)"
    )
    with timezone.override("Asia/Tokyo"):  # by default, the active zone: the viewer's
        assert session_when(session).startswith(_said("Tue 3 Dec 2030, 17:00-18:00 your time"))


def test_the_item_page_shows_each_viewer_their_own_time(personas: Personas) -> None:
    session = _session()
    pages = {}
    for person, zone in ((personas.alice, "Europe/Berlin"), (personas.bob, "America/New_York")):
        client = Client()
        client.force_login(_in_zone(person, zone))
        pages[zone] = client.get(f"/catalog/{session.item_id}/").content.decode()
    assert _said("Tue 3 Dec 2030, 09:00-10:00 your time (16:00-17:00 Asia/Singapore)") in pages["Europe/Berlin"]
    assert _said("Tue 3 Dec 2030, 03:00-04:00 your time (16:00-17:00 Asia/Singapore)") in pages["America/New_York"]
    assert 'datetime="2030-12-03T03:00:00-05:00"' in pages["America/New_York"]


def test_the_roster_shows_the_viewers_time(personas: Personas) -> None:
    session = _session()
    client = Client()
    client.force_login(_in_zone(personas.lena, "Asia/Singapore"))
    page = client.get(f"/catalog/sessions/{session.pk}/roster/").content.decode()
    assert _said("Tue 3 Dec 2030, 16:00-17:00 (Asia/Singapore)") in page and "your time" not in page


def test_the_learning_time_page_shows_a_booked_session_in_the_persons_zone(personas: Personas) -> None:
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    session = _session(start)
    Booking.objects.create(session=session, person=personas.alice, status="booked", queued_at=timezone.now())
    client = Client()
    client.force_login(_in_zone(personas.alice, "America/Chicago"))
    page = client.get("/learning-time/").content.decode()
    local = timezone.localtime(start, _zone("America/Chicago"))
    assert _said(f"{local:%H:%M}-") in page and "your time" in page and "Asia/Singapore)" in page


def test_a_reminder_is_in_the_recipients_zone(personas: Personas) -> None:
    session = _session()
    Booking.objects.create(session=session, person=personas.alice, status="booked", queued_at=timezone.now())
    _in_zone(personas.alice, "Europe/London")
    assert session_reminders_send(now=STARTS - dt.timedelta(hours=20)) == 1
    (reminder,) = Notification.objects.filter(kind="session_reminder")
    assert reminder.title == "Tomorrow: Negotiation lab"
    assert _said("Tue 3 Dec 2030, 08:00-09:00 your time (16:00-17:00 Asia/Singapore)") in reminder.body


def test_a_reminder_the_same_day_says_today(personas: Personas) -> None:
    session = _session()
    Booking.objects.create(session=session, person=personas.alice, status="booked", queued_at=timezone.now())
    assert session_reminders_send(now=STARTS - dt.timedelta(hours=3)) == 1  # 06:00 in Berlin, the same day
    assert Notification.objects.get(kind="session_reminder").title == "Today: Negotiation lab"
