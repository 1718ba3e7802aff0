import datetime as dt
from typing import Any

import icalendar
import pytest
import vobject
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.testing import Personas
from learnloop.learning.sessions import booking_cancel
from learnloop.learningtime.feed import calendar_for
from learnloop.learningtime.models import CalendarFeed
from learnloop.learningtime.selectors import feed_hash
from learnloop.learningtime.services import block_cancel, block_update, feed_revoke, feed_rotate
from learnloop.learningtime.tests.factories import block, local, session_with_booking


def _path(secret: str) -> str:
    return f"/learning-time/feed/{secret}.ics"


def _fetch(secret: str) -> str:
    response = Client().get(_path(secret))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content.decode()


def _by_uid_icalendar(text: str) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(text)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _by_uid_vobject(text: str) -> dict[str, Any]:
    calendar = vobject.readOne(text)
    return {event.uid.value: event for event in calendar.vevent_list}


@pytest.fixture
def planned(personas: Personas):
    alice = personas.alice
    start = local(alice, 2030, 3, 4, 9, 0)  # a Monday morning in Berlin
    first = block(alice, start, 90, "Read chapter 3")
    second = block(alice, start + dt.timedelta(days=1), 30, "Practise")
    booking = session_with_booking(alice, dt.datetime(2030, 3, 5, 14, 0, tzinfo=dt.UTC), 60)
    return first, second, booking


def test_the_feed_parses_in_two_independent_parsers_with_uids_zones_and_sequence(personas: Personas, planned) -> None:
    first, second, booking = planned
    secret = feed_rotate(actor=personas.alice)
    text = _fetch(secret)

    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["VERSION"]) == "2.0" and "learnloop" in str(calendar["PRODID"])
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Berlin", "America/New_York"}
    events = _by_uid_icalendar(text)
    assert len(events) == 3
    block_uid = f"block-{first.uid}@127.0.0.1"
    ical_block = events[block_uid]
    assert ical_block["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert ical_block.decoded("DTSTART") == local(personas.alice, 2030, 3, 4, 9, 0)
    assert ical_block.decoded("DTEND") - ical_block.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert ical_block.decoded("DTSTAMP").tzinfo is not None
    assert int(str(ical_block["SEQUENCE"])) == 0 and str(ical_block["STATUS"]) == "CONFIRMED"
    assert str(ical_block["SUMMARY"]) == "Learning: Read chapter 3"
    session_event = events[f"booking-{booking.pk}@127.0.0.1"]
    assert session_event["DTSTART"].params["TZID"] == "America/New_York"
    assert session_event.decoded("DTSTART") == dt.datetime(2030, 3, 5, 14, 0, tzinfo=dt.UTC)
    assert str(session_event["LOCATION"]) == "Berlin, room Spree"
    assert str(session_event["URL"]).endswith(f"/catalog/{booking.session.item_id}/")

    other = _by_uid_vobject(text)
    assert set(other) == set(events)
    v_block = other[block_uid]
    assert v_block.dtstart.value == local(personas.alice, 2030, 3, 4, 9, 0)
    assert v_block.dtstart.value.utcoffset() == dt.timedelta(hours=1)
    # vobject builds the zone from the feed's own VTIMEZONE (the offset above) and keeps its TZID.
    assert vobject.icalendar.TimezoneComponent.pickTzid(v_block.dtstart.value.tzinfo) == "Europe/Berlin"
    assert int(v_block.sequence.value) == 0

    # Move a block and cancel the other and the booking: same UIDs, higher SEQUENCE, cancelled status.
    block_update(
        actor=personas.alice,
        block=first,
        title="Read chapter 4",
        starts_at=local(personas.alice, 2030, 3, 4, 13, 0),
        ends_at=local(personas.alice, 2030, 3, 4, 14, 0),
    )
    block_cancel(actor=personas.alice, block=second)
    booking_cancel(actor=personas.alice, booking=booking)
    text = _fetch(secret)
    for parsed in (_by_uid_icalendar(text), _by_uid_vobject(text)):
        assert set(parsed) == set(events)
    events, other = _by_uid_icalendar(text), _by_uid_vobject(text)
    assert int(str(events[block_uid]["SEQUENCE"])) == 1 and int(other[block_uid].sequence.value) == 1
    assert other[block_uid].dtstart.value == local(personas.alice, 2030, 3, 4, 13, 0)
    assert str(events[block_uid]["SUMMARY"]) == "Learning: Read chapter 4"
    cancelled_block = f"block-{second.uid}@127.0.0.1"
    assert str(events[cancelled_block]["STATUS"]) == "CANCELLED" and int(str(events[cancelled_block]["SEQUENCE"])) == 1
    cancelled_booking = other[f"booking-{booking.pk}@127.0.0.1"]
    assert cancelled_booking.status.value == "CANCELLED" and int(cancelled_booking.sequence.value) == 1


def test_only_a_hash_is_kept_and_revoked_or_replaced_secrets_give_404(personas: Personas) -> None:
    secret = feed_rotate(actor=personas.alice)
    feed = CalendarFeed.objects.get(person=personas.alice)
    assert feed.secret_hash == feed_hash(secret) and secret not in feed.secret_hash
    assert Client().get(_path(secret)).status_code == 200
    newer = feed_rotate(actor=personas.alice)
    assert Client().get(_path(secret)).status_code == 404
    assert Client().get(_path(newer)).status_code == 200
    feed_revoke(actor=personas.alice)
    assert Client().get(_path(newer)).status_code == 404
    assert Client().get(_path("")).status_code == 404
    assert Client().get(_path("not-a-secret")).status_code == 404


def test_leavers_feeds_stop(personas: Personas) -> None:
    secret = feed_rotate(actor=personas.alice)
    personas.alice.is_active = False
    personas.alice.save(update_fields=["is_active"])
    assert Client().get(_path(secret)).status_code == 404


def test_feed_queries_do_not_grow_with_events(personas: Personas) -> None:
    alice = personas.alice
    secret = feed_rotate(actor=alice)
    start = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _fetch(secret)
        return len(queries)

    block(alice, start)
    session_with_booking(alice, start + dt.timedelta(days=1))
    few = count()
    for day in range(2, 12):
        block(alice, start + dt.timedelta(days=day))
        session_with_booking(alice, start + dt.timedelta(days=day, hours=3), zone="Asia/Kolkata")
    assert count() == few


def test_addresses_follow_the_host_and_port_the_request_came_to(personas: Personas, planned) -> None:
    """A demo on port 9000 (or a second host name) hands out its own addresses, not SITE_URL's; UIDs stay."""
    _, _, booking = planned
    browser = Client(HTTP_HOST="127.0.0.1:9000")
    browser.force_login(personas.alice)
    page = browser.post("/learning-time/feed/new/").content.decode()
    url = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    assert url.startswith("http://127.0.0.1:9000/learning-time/feed/") and url.endswith(".ics")
    secret = token_create(actor=personas.alice, person=personas.alice, name="calendar").secret
    api = Client(HTTP_HOST="localhost:9000", headers={"Authorization": f"Bearer {secret}"})
    assert api.post("/api/v1/learning-time/feed").json()["url"].startswith("http://localhost:9000/learning-time/feed/")
    secret = feed_rotate(actor=personas.alice)

    fetched = Client(HTTP_HOST="localhost:9000").get(_path(secret)).content.decode()
    events = _by_uid_icalendar(fetched)
    assert {str(event["URL"]) for event in events.values()} == {
        "http://localhost:9000/learning-time/",
        f"http://localhost:9000/catalog/{booking.session.item_id}/",
    }
    assert "127.0.0.1:8000" not in fetched
    # The UIDs come from the configured site: the same events whichever address the calendar uses.
    assert set(events) == set(_by_uid_icalendar(_fetch(secret)))


@override_settings(SITE_URL="https://learn.example.com")
def test_without_a_request_the_feed_links_to_the_configured_site(personas: Personas, planned) -> None:
    text = calendar_for(personas.alice).decode()
    links = {str(event["URL"]) for event in icalendar.Calendar.from_ical(text).walk("VEVENT")}
    assert links and all(link.startswith("https://learn.example.com/") for link in links)
