"""A booking that overlaps the person's other sessions or learning blocks is refused, naming what it
overlaps and when; live formats are completed by attendance only."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.testing import Personas, racing_writers
from learnloop.learning.enrollment import enrollment_complete, enrollment_enrol, enrollment_progress
from learnloop.learning.models import Booking, CatalogItem, Enrollment, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import booking_cancel, booking_mark_attendance, session_book, session_cancel
from learnloop.learningtime.models import LearningBlock
from learnloop.learningtime.services import block_create
from learnloop.people.models import Person

# A Monday at 09:00 UTC, well ahead of any run of the suite, so "has it started" never depends on today.
MONDAY = dt.datetime(2999, 1, 7, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _session(title: str, starts_at: dt.datetime, hours: float = 1, capacity: int = 5) -> Session:
    item = CatalogItem.objects.filter(title=title).first() or item_create(
        actor=None, kind=CatalogItem.Kind.LIVE_SESSION, title=title, summary="Practise."
    )
    return Session.objects.create(
        item=item,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        time_zone="Europe/Berlin",
        capacity=capacity,
    )


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return exc.value.message_dict["session"]


def test_an_overlapping_booking_is_refused_naming_the_other_session_in_the_persons_zone(personas: Personas) -> None:
    first = _session("Negotiation lab", MONDAY)
    session_book(actor=personas.alice, session=first)
    clash = _session("Coaching workshop", MONDAY + dt.timedelta(minutes=30))
    with pytest.raises(ValidationError) as exc:
        session_book(actor=personas.alice, session=clash)
    (message,) = _messages(exc)
    # Alice is in Berlin: 09:00 UTC in January is 10:00 there.
    assert "“Negotiation lab”" in message and "Mon 7 Jan 2999, 10:00\N{EN DASH}11:00" in message
    assert not Booking.objects.filter(session=clash).exists()
    # Someone else is not held back by Alice's bookings.
    assert session_book(actor=personas.bob, session=clash).status == "booked"


def test_the_message_gives_the_time_in_the_readers_own_zone(personas: Personas) -> None:
    personas.bob.time_zone = "Asia/Singapore"
    personas.bob.save(update_fields=["time_zone"])
    session_book(actor=personas.bob, session=_session("Negotiation lab", MONDAY))
    with pytest.raises(ValidationError) as exc:
        session_book(actor=personas.bob, session=_session("Coaching workshop", MONDAY))
    assert "Mon 7 Jan 2999, 17:00\N{EN DASH}18:00 your time (10:00\N{EN DASH}11:00 Europe/Berlin)" in _messages(exc)[0]


def test_touching_sessions_and_cancelled_ones_do_not_clash(personas: Personas) -> None:
    first = _session("Negotiation lab", MONDAY)
    session_book(actor=personas.alice, session=first)
    assert session_book(actor=personas.alice, session=_session("Right after", MONDAY + HOUR)).status == "booked"
    assert session_book(actor=personas.alice, session=_session("Right before", MONDAY - HOUR)).status == "booked"
    # A minute of overlap at either end is an overlap.
    for start in (MONDAY + HOUR - dt.timedelta(minutes=1), MONDAY - HOUR + dt.timedelta(minutes=1)):
        with pytest.raises(ValidationError):
            session_book(actor=personas.alice, session=_session("Overlapping", start))
    booking_cancel(actor=personas.alice, booking=Booking.objects.get(session=first, person=personas.alice))
    assert session_book(actor=personas.alice, session=_session("In its place", MONDAY)).status == "booked"


def test_a_cancelled_session_frees_the_time(personas: Personas) -> None:
    first = _session("Negotiation lab", MONDAY)
    session_book(actor=personas.alice, session=first)
    session_cancel(actor=personas.lena, session=first)
    assert session_book(actor=personas.alice, session=_session("Coaching workshop", MONDAY)).status == "booked"


def test_a_waitlist_place_counts_as_a_clash(personas: Personas) -> None:
    full = _session("Negotiation lab", MONDAY, capacity=1)
    session_book(actor=personas.bob, session=full)
    assert session_book(actor=personas.alice, session=full).status == "waitlisted"
    with pytest.raises(ValidationError) as exc:
        session_book(actor=personas.alice, session=_session("Coaching workshop", MONDAY))
    assert "you are on its waitlist" in _messages(exc)[0]


def test_booking_the_same_session_again_is_still_harmless(personas: Personas) -> None:
    session = _session("Negotiation lab", MONDAY)
    booking = session_book(actor=personas.alice, session=session)
    assert session_book(actor=personas.alice, session=session).pk == booking.pk


def test_a_learning_block_at_the_same_time_is_named(personas: Personas) -> None:
    block = block_create(
        actor=personas.alice, title="Read chapter 3", starts_at=MONDAY + HOUR, ends_at=MONDAY + 2 * HOUR
    )
    with pytest.raises(ValidationError) as exc:
        session_book(actor=personas.alice, session=_session("Coaching workshop", MONDAY, hours=1.5))
    (message,) = _messages(exc)
    assert "learning block “Read chapter 3”" in message and "Mon 7 Jan 2999, 11:00\N{EN DASH}12:00" in message
    assert "(Europe/Berlin)" in message
    LearningBlock.objects.filter(pk=block.pk).update(status=LearningBlock.Status.CANCELLED)
    assert session_book(actor=personas.alice, session=_session("Coaching workshop", MONDAY, hours=1.5)).status


def test_the_item_page_shows_the_conflict_and_the_api_names_the_field(personas: Personas) -> None:
    session_book(actor=personas.alice, session=_session("Negotiation lab", MONDAY))
    clash = _session("Coaching workshop", MONDAY)
    page = Client()
    page.force_login(personas.alice)
    shown = page.post(f"/catalog/sessions/{clash.pk}/book/", follow=True).content.decode()
    assert "This overlaps your session “Negotiation lab”" in shown
    api = Client(
        headers={
            "Authorization": f"Bearer {token_create(actor=personas.alice, person=personas.alice, name='t').secret}"
        }
    )
    answer = api.post(f"/api/v1/sessions/{clash.pk}/booking")
    assert answer.status_code == 400
    assert "Negotiation lab" in answer.json()["error"]["fields"]["session"][0]
    assert not Booking.objects.filter(session=clash).exists()


@racing_writers
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_bookings_at_once_give_one_seat(personas: Personas) -> None:
    sessions = [_session(f"Workshop {n}", MONDAY + dt.timedelta(minutes=10 * n)) for n in range(6)]

    def book(session: Session) -> str:
        try:
            return session_book(actor=Person.objects.get(pk=personas.alice.pk), session=session).status
        except ValidationError:
            return "refused"
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(book, sessions))
    assert outcomes.count("booked") == 1 and outcomes.count("refused") == 5
    assert Booking.objects.filter(person=personas.alice).count() == 1


# --- Live formats are completed by attending -------------------------------------------------------


def _live_enrolment(person: Person) -> Enrollment:
    item = item_create(actor=None, kind=CatalogItem.Kind.LIVE_SESSION, title="Feedback workshop", summary="Practise.")
    return enrollment_enrol(actor=person, person=person, item=item)


def test_a_live_item_takes_no_progress_or_completion_from_the_person(personas: Personas) -> None:
    enrollment = _live_enrolment(personas.alice)
    with pytest.raises(ValidationError) as progress:
        enrollment_progress(actor=personas.alice, enrollment=enrollment, percent=50)
    assert "completed when you attend a session" in progress.value.message_dict["progress"][0]
    with pytest.raises(ValidationError) as complete:
        enrollment_complete(actor=personas.alice, enrollment=enrollment)
    assert "completed when you attend a session" in complete.value.message_dict["status"][0]
    assert Enrollment.objects.get(pk=enrollment.pk).status == "enrolled"


def test_attendance_still_completes_a_live_item(personas: Personas) -> None:
    enrollment = _live_enrolment(personas.alice)
    started = timezone.now() - HOUR
    session = Session.objects.create(
        item=enrollment.item, starts_at=started, ends_at=started + HOUR, time_zone="UTC", capacity=3
    )
    booking = Booking.objects.create(session=session, person=personas.alice, status="booked", queued_at=started)
    booking_mark_attendance(actor=personas.lena, booking=booking, attended=True)
    assert Enrollment.objects.get(pk=enrollment.pk).status == "completed"


def test_the_item_page_and_api_offer_no_self_completion_for_live_formats(personas: Personas) -> None:
    enrollment = _live_enrolment(personas.alice)
    page = Client()
    page.force_login(personas.alice)
    html = page.get(f"/catalog/{enrollment.item_id}/").content.decode()
    assert "Progress (%)" not in html and "Mark complete" not in html
    assert "You complete it by attending a session" in html
    shown = page.get(f"/catalog/{enrollment.item_id}/complete/", follow=True).content.decode()
    assert "it is completed when you attend a session" in shown
    page.post(f"/catalog/{enrollment.item_id}/progress/", {"progress": "60"})
    assert Enrollment.objects.get(pk=enrollment.pk).progress == 0
    api = Client(
        headers={
            "Authorization": f"Bearer {token_create(actor=personas.alice, person=personas.alice, name='t').secret}"
        }
    )
    url = f"/api/v1/enrollments/{enrollment.pk}"
    progress: Any = api.post(f"{url}/progress", {"progress": 60}, content_type="application/json")
    assert progress.status_code == 400 and "progress" in progress.json()["error"]["fields"]
    complete: Any = api.post(f"{url}/complete", {}, content_type="application/json")
    assert complete.status_code == 400 and "status" in complete.json()["error"]["fields"]
    assert Enrollment.objects.get(pk=enrollment.pk).status == "enrolled"


def test_a_self_paced_item_still_offers_progress_and_completion(personas: Personas) -> None:
    item = item_create(actor=None, kind=CatalogItem.Kind.SELF_PACED, title="Coaching basics", summary="Ask.")
    enrollment_enrol(actor=personas.alice, person=personas.alice, item=item)
    page = Client()
    page.force_login(personas.alice)
    html = page.get(f"/catalog/{item.pk}/").content.decode()
    assert "Progress (%)" in html and "Mark complete" in html
