"""The seat and waitlist rules of docs/catalog.md ("Sessions and booking"), each checked where it can
quietly break: which bookings hold a seat, who is first on the waitlist, and what a promotion writes."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.learning import sessions
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import booking_cancel, session_book, session_create, waitlist_promote_next
from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Statement
from learnloop.notifications.models import Notification
from learnloop.people.models import Person

pytestmark = pytest.mark.django_db


def _session(actor: Person, capacity: int) -> Session:
    item = item_create(actor=None, kind=CatalogItem.Kind.LIVE_SESSION, title="Facilitation", summary="Practise.")
    start = timezone.now() + dt.timedelta(days=7)
    return session_create(
        actor=actor,
        item=item,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Berlin",
        capacity=capacity,
    )


@pytest.mark.parametrize(("held", "seated"), [("attended", True), ("no_show", True), ("cancelled", False)])
def test_attended_and_no_show_bookings_keep_their_seat(personas: Personas, held: str, seated: bool) -> None:
    session = _session(personas.lena, capacity=1)
    first = session_book(actor=personas.alice, session=session)
    Booking.objects.filter(pk=first.pk).update(status=held)
    second = session_book(actor=personas.bob, session=session)
    assert second.status == ("waitlisted" if seated else "booked")


def test_the_waitlist_is_first_come_first_served_with_ties_by_booking_order(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    session_book(actor=personas.alice, session=session)
    bob = session_book(actor=personas.bob, session=session)
    oscar = session_book(actor=personas.oscar, session=session)
    mona = session_book(actor=personas.mona, session=session)
    # Oscar queued earliest; Bob and Mona at the same moment, Bob's booking first.
    same = timezone.now() - dt.timedelta(hours=1)
    Booking.objects.filter(pk=oscar.pk).update(queued_at=same - dt.timedelta(seconds=1))
    Booking.objects.filter(pk__in=[bob.pk, mona.pk]).update(queued_at=same)
    locked = Session.objects.select_related("item").get(pk=session.pk)
    order = [waitlist_promote_next(locked) for _ in range(4)]
    assert [b.person if b else None for b in order] == [personas.oscar, personas.bob, personas.mona, None]


def test_a_promotion_gives_the_seat_tells_the_person_and_records_it(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    alice = session_book(actor=personas.alice, session=session)
    waiting = session_book(actor=personas.bob, session=session)
    before = timezone.now()
    promoted = booking_cancel(actor=personas.alice, booking=alice)
    assert promoted is not None and promoted.pk == waiting.pk
    stored = Booking.objects.get(pk=waiting.pk)
    assert stored.status == "booked" and stored.sequence == waiting.sequence + 1
    assert stored.queued_at >= before and stored.changed_at >= before
    event = AuditEvent.objects.get(action="booking.promote")
    assert event.actor is None and event.source == "system" and event.changes == {"status": ["waitlisted", "booked"]}
    notification = Notification.objects.get(recipient=personas.bob, kind="waitlist")
    assert notification.title == "You have a seat: Facilitation"
    assert notification.body.startswith("A seat opened up and it is yours: Facilitation, ")
    assert notification.body.endswith("If you cannot come, cancel so the next person gets the seat.")
    assert notification.url == f"/catalog/{session.item_id}/"
    assert notification.dedupe_key == f"booking:{waiting.pk}:promoted:{stored.sequence}"
    assert Statement.objects.filter(person=personas.bob, verb_id=VERBS["registered"].iri).count() == 1


def test_a_promotion_after_a_second_cancellation_is_told_again(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    alice = session_book(actor=personas.alice, session=session)
    bob = session_book(actor=personas.bob, session=session)
    booking_cancel(actor=personas.alice, booking=alice)
    booking_cancel(actor=personas.bob, booking=Booking.objects.get(pk=bob.pk))
    session_book(actor=personas.bob, session=session)  # a seat again, straight away
    assert Notification.objects.filter(recipient=personas.bob, kind="waitlist").count() == 1


def test_cancelling_a_waitlist_place_or_a_seat_nobody_waits_for_promotes_nobody(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    alice = session_book(actor=personas.alice, session=session)
    bob = session_book(actor=personas.bob, session=session)
    assert booking_cancel(actor=personas.bob, booking=bob) is None
    assert Booking.objects.get(pk=alice.pk).status == "booked"
    assert booking_cancel(actor=personas.alice, booking=alice) is None
    assert not AuditEvent.objects.filter(action="booking.promote").exists()


def test_every_status_change_bumps_the_calendar_sequence(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    booking = session_book(actor=personas.alice, session=session)
    start = Booking.objects.get(pk=booking.pk)
    booking_cancel(actor=personas.alice, booking=booking)
    cancelled = Booking.objects.get(pk=booking.pk)
    assert (cancelled.status, cancelled.sequence) == ("cancelled", start.sequence + 1)
    assert cancelled.changed_at >= start.changed_at
    again = session_book(actor=personas.alice, session=session)
    assert (again.pk, again.status, Booking.objects.get(pk=booking.pk).sequence) == (
        booking.pk,
        "booked",
        start.sequence + 2,
    )


def test_only_the_people_still_waiting_have_their_pages_retired(personas: Personas, monkeypatch: Any) -> None:
    session = _session(personas.lena, capacity=1)
    alice = session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    session_book(actor=personas.oscar, session=session)
    bumped: list[str] = []
    monkeypatch.setattr(sessions, "version_bump", bumped.append)
    booking_cancel(actor=personas.alice, booking=alice)
    # Bob and Oscar waited when the seat came free; Bob is promoted, Oscar moves up.
    assert bumped == [f"person:{personas.bob.pk}", f"person:{personas.oscar.pk}"]


def test_a_freed_seat_goes_to_this_sessions_waitlist_only(personas: Personas, monkeypatch: Any) -> None:
    other = _session(personas.lena, capacity=1)
    session_book(actor=personas.mona, session=other)
    waiting_elsewhere = session_book(actor=personas.oscar, session=other)  # queued first, for another session
    session = _session(personas.lena, capacity=1)
    alice = session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    bumped: list[str] = []
    monkeypatch.setattr(sessions, "version_bump", bumped.append)
    promoted = booking_cancel(actor=personas.alice, booking=alice)
    assert promoted is not None and promoted.person == personas.bob
    assert Booking.objects.get(pk=waiting_elsewhere.pk).status == "waitlisted"
    assert bumped == [f"person:{personas.bob.pk}"]  # Oscar's place on the other waitlist did not move
