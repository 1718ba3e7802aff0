"""Scheduling sessions: create, reschedule, resize and cancel, with calendar feeds and people kept in step."""

import datetime as dt
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas, PersonFactory
from learnloop.learning import selectors
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import (
    booking_cancel,
    session_book,
    session_cancel,
    session_create,
    session_follow_up,
    session_update,
)
from learnloop.learningtime.feed import calendar_for
from learnloop.notifications.models import Notification

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _workshop(owner: Any = None, kind: str = CatalogItem.Kind.LIVE_SESSION) -> CatalogItem:
    return item_create(actor=None, kind=kind, title="Feedback workshop", summary="Practise feedback.", owner=owner)


def _next_week(hour: int = 10) -> dt.datetime:
    """A naive wall-clock time a week from now, as a form or API client gives it."""
    day = timezone.localdate(timezone.now(), BERLIN) + dt.timedelta(days=7)
    return dt.datetime(day.year, day.month, day.day, hour, 0)  # noqa: DTZ001 (wall-clock, placed in its zone)


def _session(actor: Any, capacity: int = 2, item: CatalogItem | None = None, later: int = 0) -> Session:
    start = _next_week() + dt.timedelta(days=later)
    return session_create(
        actor=actor,
        item=item or _workshop(),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Berlin",
        capacity=capacity,
        location="Berlin, room Spree",
    )


def _feed_event(person: Any, session: Session) -> Any:
    booking = Booking.objects.get(person=person, session=session)
    calendar = icalendar.Calendar.from_ical(calendar_for(person))
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"booking-{booking.pk}@")]
    return event


def _told(person: Any, kind: str = "session_change") -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind).order_by("pk"))


def test_it_reads_wall_clock_times_in_the_sessions_zone(personas: Personas) -> None:
    session = _session(personas.lena)
    start = _next_week()
    assert session.starts_at == start.replace(tzinfo=BERLIN)
    event = AuditEvent.objects.get(action="session.create", object_id=str(session.pk))
    assert event.actor == personas.lena and event.changes["capacity"] == [None, 2]


def test_the_items_owner_schedules_but_a_colleague_cannot(personas: Personas) -> None:
    item = _workshop(owner=personas.alice)
    assert _session(personas.alice, item=item).item == item
    with pytest.raises(ValidationError) as caught:
        _session(personas.oscar, item=item)
    assert "item" in caught.value.message_dict


def test_only_scheduled_formats_have_sessions(personas: Personas) -> None:
    book = item_create(actor=None, kind="book", title="A book", summary="Read it.", author="A. Writer")
    with pytest.raises(ValidationError) as caught:
        _session(personas.lena, item=book)
    assert "item" in caught.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": _next_week(9)}, "ends_at"),
        ({"starts_at": dt.datetime(1899, 12, 31, 10, 0)}, "starts_at"),  # noqa: DTZ001
        ({"ends_at": dt.datetime(3000, 1, 1, 10, 0)}, "ends_at"),  # noqa: DTZ001
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 10**12}, "capacity"),
        ({"online_url": "ftp://files.example/x"}, "online_url"),
        ({"location": "x" * 201}, "location"),
    ],
)
def test_bad_schedules_name_the_field_and_write_nothing(
    personas: Personas, changes: dict[str, Any], field: str
) -> None:
    session = _session(personas.lena)
    before = {name: getattr(session, name) for name in ("starts_at", "ends_at", "time_zone", "capacity")}
    with pytest.raises(ValidationError) as caught:
        session_update(actor=personas.lena, session=session, **changes)
    assert field in caught.value.message_dict
    session.refresh_from_db()
    assert {name: getattr(session, name) for name in before} == before
    assert not AuditEvent.objects.filter(action="session.update").exists()
    fields = {
        "starts_at": _next_week(),
        "ends_at": _next_week(12),
        "time_zone": "Europe/Berlin",
        "capacity": 5,
        **changes,
    }
    with pytest.raises(ValidationError) as caught:
        session_create(actor=personas.lena, item=session.item, **fields)
    assert field in caught.value.message_dict
    assert Session.objects.count() == 1


def test_a_reschedule_raises_the_feeds_sequence_and_tells_the_booked(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)  # waitlisted
    before = _feed_event(personas.alice, session)
    session_update(
        actor=personas.lena, session=session, starts_at=_next_week(14), ends_at=_next_week(16), location="Online"
    )
    after = _feed_event(personas.alice, session)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTAMP"].dt >= before["DTSTAMP"].dt
    assert after["DTSTART"].dt == _next_week(14).replace(tzinfo=BERLIN)
    assert str(after["LOCATION"]) == "Online"
    assert str(after["STATUS"]) == "CONFIRMED"
    (alice_told,) = _told(personas.alice)
    assert alice_told.title == "Moved: Feedback workshop"
    assert "14:00" in alice_told.body and "Online" in alice_told.body
    (bob_told,) = _told(personas.bob)
    assert "waitlist" in bob_told.body
    assert not _told(personas.oscar)
    event = AuditEvent.objects.get(action="session.update")
    assert set(event.changes) == {"starts_at", "ends_at", "location"}
    # A second move is a second update: a higher SEQUENCE again, and a second notification.
    session_update(actor=personas.lena, session=session, starts_at=_next_week(15))
    assert int(_feed_event(personas.alice, session)["SEQUENCE"]) > int(after["SEQUENCE"])
    assert len(_told(personas.alice)) == 2


def test_saving_an_unchanged_session_tells_nobody(personas: Personas) -> None:
    session = _session(personas.lena)
    session_book(actor=personas.alice, session=session)
    session_update(actor=personas.lena, session=session, starts_at=_next_week(), capacity=2)
    assert not _told(personas.alice)
    assert not AuditEvent.objects.filter(action="session.update").exists()


def test_a_new_presenter_or_more_seats_are_no_news_to_the_booked(personas: Personas) -> None:
    session = _session(personas.lena)
    session_book(actor=personas.alice, session=session)
    sequence = Booking.objects.get(person=personas.alice).sequence
    session_update(actor=personas.lena, session=session, presenter=personas.oscar, capacity=4)
    assert not _told(personas.alice)
    assert Booking.objects.get(person=personas.alice).sequence == sequence
    session.refresh_from_db()
    assert (session.presenter, session.capacity) == (personas.oscar, 4)


def test_capacity_cannot_drop_below_the_seats_taken(personas: Personas) -> None:
    session = _session(personas.lena, capacity=3)
    session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    with pytest.raises(ValidationError) as caught:
        session_update(actor=personas.lena, session=session, capacity=1)
    assert "cannot go below 2" in caught.value.message_dict["capacity"][0]
    session.refresh_from_db()
    assert session.capacity == 3


def test_fewer_seats_keep_the_waitlist_working(personas: Personas) -> None:
    session = _session(personas.lena, capacity=4)
    alice = session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    session_update(actor=personas.lena, session=session, capacity=2)
    oscar = session_book(actor=personas.oscar, session=session)
    assert oscar.status == "waitlisted"
    promoted = booking_cancel(actor=personas.alice, booking=alice)
    assert promoted is not None and promoted.person == personas.oscar


def test_more_seats_go_to_the_waitlist_in_order(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    for person in (personas.alice, personas.bob, personas.oscar, personas.mona):
        session_book(actor=person, session=session)
    session_update(actor=personas.lena, session=session, capacity=3)
    status = dict(Booking.objects.filter(session=session).values_list("person__first_name", "status"))
    assert status == {"Alice": "booked", "Bob": "booked", "Oscar": "booked", "Mona": "waitlisted"}
    assert [n.title for n in _told(personas.bob, "waitlist")] == ["You have a seat: Feedback workshop"]
    assert not _told(personas.mona, "waitlist")
    assert AuditEvent.objects.filter(action="booking.promote").count() == 2
    (mona,) = [b for b in selectors.my_upcoming_bookings(person=personas.mona)]
    assert mona.ahead == 0  # type: ignore[attr-defined]


def test_cancelling_a_session_cancels_its_bookings_everywhere(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    before = _feed_event(personas.alice, session)
    session_cancel(actor=personas.lena, session=session, reason="The trainer is ill.")
    after = _feed_event(personas.alice, session)
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert set(Booking.objects.filter(session=session).values_list("status", flat=True)) == {"cancelled"}
    assert "The trainer is ill." in _told(personas.alice)[0].body
    assert _told(personas.bob)[0].title == "Cancelled: Feedback workshop"
    assert AuditEvent.objects.filter(action="booking.cancel").count() == 2
    assert AuditEvent.objects.get(action="session.cancel").changes["bookings_cancelled"] == [0, 2]
    assert not selectors.upcoming_sessions(actor=personas.oscar, item=session.item)
    assert not selectors.sessions_list(actor=personas.oscar).exists()
    assert not selectors.my_upcoming_bookings(person=personas.alice)
    with pytest.raises(ValidationError) as caught:
        session_book(actor=personas.oscar, session=session)
    assert "cancelled" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        session_cancel(actor=personas.lena, session=session)
    with pytest.raises(ValidationError):
        session_update(actor=personas.lena, session=session, capacity=5)
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert not selectors.past_sessions_to_take(actor=personas.lena, item=session.item)
    with pytest.raises(ValidationError):
        session_follow_up(actor=personas.lena, session=session, recording_url="", write_up="Notes.")


def test_a_started_session_keeps_its_time_but_may_get_a_presenter(personas: Personas) -> None:
    start = timezone.now() - dt.timedelta(minutes=30)
    session = session_create(
        actor=personas.lena,
        item=_workshop(),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Berlin",
        capacity=3,
    )
    with pytest.raises(ValidationError) as caught:
        session_update(actor=personas.lena, session=session, location="Elsewhere")
    assert "session" in caught.value.message_dict
    with pytest.raises(ValidationError):
        session_cancel(actor=personas.lena, session=session)
    session_update(actor=personas.lena, session=session, presenter=personas.oscar)
    session.refresh_from_db()
    assert session.presenter == personas.oscar


def test_a_session_cannot_move_into_the_past(personas: Personas) -> None:
    session = _session(personas.lena)
    with pytest.raises(ValidationError) as caught:
        session_update(
            actor=personas.lena,
            session=session,
            starts_at=timezone.now() - dt.timedelta(days=1),
            ends_at=timezone.now() - dt.timedelta(hours=23),
        )
    assert "starts_at" in caught.value.message_dict


def test_only_the_owner_and_ld_change_or_cancel(personas: Personas) -> None:
    session = _session(personas.alice, item=_workshop(owner=personas.alice))
    for stranger in (personas.oscar, personas.bob):
        with pytest.raises(ValidationError):
            session_update(actor=stranger, session=session, capacity=9)
        with pytest.raises(ValidationError):
            session_cancel(actor=stranger, session=session)
    session_update(actor=personas.alice, session=session, capacity=9)
    session_cancel(actor=personas.lena, session=session)


# --- "Upcoming sessions" on my home and My learning ------------------------------------------------


def test_my_upcoming_sessions_show_seats_and_waitlist_places(client: Any, personas: Personas) -> None:
    full = _session(personas.lena, capacity=1)
    session_book(actor=personas.oscar, session=full)
    session_book(actor=personas.bob, session=full)
    session_book(actor=personas.alice, session=full)  # second on the waitlist
    seat = _session(personas.lena, capacity=5, item=_workshop(kind=CatalogItem.Kind.LUNCH_AND_LEARN), later=1)
    session_book(actor=personas.alice, session=seat)
    client.force_login(personas.alice)
    for page in ("/", "/catalog/mine/"):
        html = client.get(page).content.decode()
        assert "Upcoming sessions" in html
        assert "waitlist, place 2" in html
        assert "booked" in html
        assert f'href="/catalog/{seat.item_id}/"' in html


def test_no_panel_without_bookings(client: Any, personas: Personas) -> None:
    client.force_login(personas.oscar)
    assert "my-sessions-heading" not in client.get("/").content.decode()
    assert "my-sessions-heading" not in client.get("/catalog/mine/").content.decode()


def test_a_waitlist_place_moving_retires_the_cached_home(client: Any, personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    session_book(actor=personas.oscar, session=session)
    bob = session_book(actor=personas.bob, session=session)
    session_book(actor=personas.alice, session=session)
    client.force_login(personas.alice)
    client.get("/accounts/tokens/")  # the CSRF cookie, as in a browser: pages are cached from here on
    assert "waitlist, place 2" in client.get("/").content.decode()
    booking_cancel(actor=personas.bob, booking=bob)
    assert "waitlist, place 1" in client.get("/").content.decode()


def test_upcoming_sessions_cost_the_same_queries_for_one_or_many(personas: Personas) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            panel = selectors.home_panel(personas.alice)
        assert panel is not None
        return len(queries)

    session_book(actor=personas.alice, session=_session(personas.lena))
    count()  # the person's roles, read once per request
    one = count()
    for day in range(1, 5):
        session = _session(personas.lena, capacity=1, later=day)
        session_book(actor=PersonFactory.create(), session=session)
        session_book(actor=personas.alice, session=session)
    assert len(selectors.home_panel(personas.alice)["bookings"]) == 5  # type: ignore[index]
    assert count() == one == 1
