import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from learnloop.core.testing import Personas, PersonFactory, racing_writers
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import booking_cancel, session_book, session_create
from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Statement
from learnloop.people.models import Person


def _session(actor: Person, capacity: int = 2) -> Session:
    item = item_create(
        actor=None,
        kind=CatalogItem.Kind.LIVE_SESSION,
        title="Facilitation workshop",
        summary="Practise running sessions.",
    )
    start = timezone.now() + dt.timedelta(days=7)
    return session_create(
        actor=actor,
        item=item,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Berlin",
        capacity=capacity,
    )


def test_seats_then_waitlist_then_promotion_in_order(personas: Personas) -> None:
    session = _session(personas.lena, capacity=2)
    alice = session_book(actor=personas.alice, session=session)
    bob = session_book(actor=personas.bob, session=session)
    oscar = session_book(actor=personas.oscar, session=session)
    mona = session_book(actor=personas.mona, session=session)
    assert [b.status for b in (alice, bob, oscar, mona)] == ["booked", "booked", "waitlisted", "waitlisted"]
    assert session_book(actor=personas.alice, session=session).pk == alice.pk  # booking twice is harmless
    promoted = booking_cancel(actor=personas.alice, booking=alice)
    assert promoted is not None and promoted.person == personas.oscar
    assert Booking.objects.get(pk=mona.pk).status == "waitlisted"
    assert Statement.objects.filter(person=personas.oscar, verb_id=VERBS["registered"].iri).exists()


@pytest.mark.django_db(transaction=True)
def test_the_promoted_person_is_emailed_by_the_worker(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    alice = session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    booking_cancel(actor=personas.alice, booking=alice)
    call_command("worker", "--batch", verbosity=0)
    (message,) = mail.outbox
    assert message.to == [personas.bob.email] and "a seat opened up" in message.body.lower()
    # It goes through notify (kind "waitlist"), so it is in the app too and follows the person's choice.
    from learnloop.notifications.models import Notification

    assert Notification.objects.filter(recipient=personas.bob, kind="waitlist").count() == 1


def test_bad_sessions_and_cancellations_are_refused(personas: Personas) -> None:
    book = item_create(actor=None, kind=CatalogItem.Kind.BOOK, title="A book", summary="x", author="A")
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        session_create(
            actor=personas.lena,
            item=book,
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
            time_zone="Mars/Base",
            capacity=0,
        )
    assert {"item", "ends_at", "time_zone", "capacity"} <= set(caught.value.message_dict)
    session = _session(personas.lena)
    with pytest.raises(ValidationError):
        session_create(
            actor=personas.alice,
            item=session.item,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            time_zone="UTC",
            capacity=5,
        )
    booking = session_book(actor=personas.alice, session=session)
    with pytest.raises(ValidationError):
        booking_cancel(actor=personas.oscar, booking=booking)
    booking_cancel(actor=personas.lena, booking=booking)  # the L&D team may cancel for someone
    with pytest.raises(ValidationError):
        booking_cancel(actor=personas.alice, booking=booking)


@racing_writers
@pytest.mark.django_db(transaction=True)
def test_many_people_racing_for_the_last_seat_get_exactly_one_seat(personas: Personas) -> None:
    session = _session(personas.lena, capacity=1)
    racers = [PersonFactory.create() for _ in range(12)]

    def book(person_id: int) -> str:
        try:
            return session_book(actor=Person.objects.get(pk=person_id), session=session).status
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(book, [p.pk for p in racers]))
    assert statuses.count("booked") == 1 and statuses.count("waitlisted") == 11
    assert Booking.objects.filter(session=session, status="booked").count() == 1


def test_the_item_page_books_and_shows_seats(personas: Personas) -> None:
    from django.test import Client

    session = _session(personas.lena, capacity=1)
    client = Client()
    client.force_login(personas.alice)
    page = client.get(f"/catalog/{session.item_id}/").content.decode()
    assert "1 seat left" in page and "Book a seat" in page
    client.post(f"/catalog/sessions/{session.pk}/book/")
    other = Client()
    other.force_login(personas.bob)
    assert "Join the waitlist" in other.get(f"/catalog/{session.item_id}/").content.decode()
    other.post(f"/catalog/sessions/{session.pk}/book/")
    assert Booking.objects.get(person=personas.bob).status == "waitlisted"
