import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.testing import Personas
from learnloop.learning.enrollment import enrollment_drop
from learnloop.learning.models import Booking, CatalogItem, Enrollment, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import (
    booking_cancel,
    booking_mark_attendance,
    session_book,
    session_reminders_send,
)
from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Statement
from learnloop.notifications.models import Notification
from learnloop.notifications.services import Choice, preferences_set
from learnloop.people.models import Person


def _session(*, starts_in: dt.timedelta, owner: Person | None = None, presenter: Person | None = None) -> Session:
    item = item_create(
        actor=None, kind=CatalogItem.Kind.LIVE_SESSION, title="Coaching workshop", summary="Practise coaching."
    )
    if owner is not None:
        CatalogItem.objects.filter(pk=item.pk).update(owner=owner)
        item.refresh_from_db()
    start = timezone.now() + starts_in
    return Session.objects.create(
        item=item,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Berlin",
        capacity=3,
        presenter=presenter,
        location="Berlin, room Spree",
    )


def _seat(session: Session, person: Person, status: str = "booked") -> Booking:
    return Booking.objects.create(session=session, person=person, status=status, queued_at=timezone.now())


def test_attending_records_a_statement_and_completes_the_enrolment(personas: Personas) -> None:
    session = _session(starts_in=-dt.timedelta(hours=1), presenter=personas.oscar)
    booking = _seat(session, personas.alice)
    marked = booking_mark_attendance(actor=personas.oscar, booking=booking, attended=True)
    assert marked.status == "attended" and marked.sequence == 1
    enrollment = Enrollment.objects.get(person=personas.alice, item=session.item)
    assert enrollment.status == "completed" and enrollment.completed_at is not None
    verbs = set(Statement.objects.filter(person=personas.alice).values_list("verb_id", flat=True))
    assert {VERBS["attended"].iri, VERBS["completed"].iri} <= verbs
    # Marking again changes nothing; a later no-show keeps the completion (the statements keep both).
    assert booking_mark_attendance(actor=personas.oscar, booking=booking, attended=True).sequence == 1
    assert booking_mark_attendance(actor=personas.oscar, booking=booking, attended=False).status == "no_show"
    assert Enrollment.objects.get(pk=enrollment.pk).status == "completed"


def test_a_dropped_enrolment_is_reopened_and_completed_by_attending(personas: Personas) -> None:
    from learnloop.learning.enrollment import enrollment_enrol

    session = _session(starts_in=-dt.timedelta(hours=1))
    enrollment = enrollment_enrol(actor=personas.alice, person=personas.alice, item=session.item)
    enrollment_drop(actor=personas.alice, enrollment=enrollment)
    booking_mark_attendance(actor=personas.lena, booking=_seat(session, personas.alice), attended=True)
    assert Enrollment.objects.get(pk=enrollment.pk).status == "completed"


def test_no_show_does_not_complete(personas: Personas) -> None:
    session = _session(starts_in=-dt.timedelta(hours=1))
    booking_mark_attendance(actor=personas.lena, booking=_seat(session, personas.alice), attended=False)
    assert not Enrollment.objects.filter(person=personas.alice).exists()
    assert not Statement.objects.filter(person=personas.alice, verb_id=VERBS["attended"].iri).exists()


def test_who_takes_attendance_and_when(personas: Personas) -> None:
    session = _session(starts_in=-dt.timedelta(hours=1), owner=personas.mona, presenter=personas.oscar)
    booking = _seat(session, personas.alice)
    for outsider in (personas.alice, personas.bob, personas.pat):
        with pytest.raises(ValidationError):
            booking_mark_attendance(actor=outsider, booking=booking, attended=True)
    for allowed in (personas.oscar, personas.mona, personas.lena, personas.otto):
        assert policy.can(allowed, "take_attendance", session)
    # The rule as a filter agrees with the rule for one object.
    for person in (personas.alice, personas.bob, personas.oscar, personas.mona, personas.lena, personas.pat):
        in_scope = policy.scope(person, "take_attendance", Session.objects.all()).filter(pk=session.pk).exists()
        assert in_scope == policy.can(person, "take_attendance", session), person
    waiting = _seat(session, personas.bob, "waitlisted")
    with pytest.raises(ValidationError, match="seat"):
        booking_mark_attendance(actor=personas.lena, booking=waiting, attended=True)
    future = _session(starts_in=dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="started"):
        booking_mark_attendance(actor=personas.lena, booking=_seat(future, personas.alice), attended=True)


def test_the_roster_page_marks_attendance(personas: Personas) -> None:
    session = _session(starts_in=-dt.timedelta(hours=1), presenter=personas.oscar)
    booking = _seat(session, personas.alice)
    _seat(session, personas.bob, "waitlisted")
    client = Client()
    client.force_login(personas.oscar)
    page = client.get(f"/catalog/sessions/{session.pk}/roster/").content.decode()
    assert "Alice Adams" in page and "Bob Brown" in page and "On the waitlist" in page
    response = client.post(f"/catalog/sessions/{session.pk}/attendance/", {"booking": booking.pk, "attended": "yes"})
    assert response.status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == "attended"
    assert client.post(f"/catalog/sessions/{session.pk}/attendance/", {"booking": "x"}).status_code == 404
    outsider = Client()
    outsider.force_login(personas.bob)
    assert outsider.get(f"/catalog/sessions/{session.pk}/roster/").status_code == 404


def test_reminders_go_once_a_day_ahead_to_people_with_a_seat(personas: Personas) -> None:
    now = timezone.now()
    soon = _session(starts_in=dt.timedelta(hours=20))
    later = _session(starts_in=dt.timedelta(hours=30))
    _seat(soon, personas.alice)
    _seat(soon, personas.bob, "waitlisted")
    _seat(soon, personas.oscar, "cancelled")
    _seat(later, personas.alice)
    assert session_reminders_send(now=now) == 1
    assert session_reminders_send(now=now + dt.timedelta(minutes=15)) == 0  # idempotent
    (reminder,) = Notification.objects.filter(kind="session_reminder")
    assert reminder.recipient == personas.alice and "Coaching workshop" in reminder.title
    assert reminder.url == f"/catalog/{soon.item_id}/"
    assert session_reminders_send(now=now + dt.timedelta(hours=7)) == 1  # the later one is now a day ahead
    # A moved session is reminded again at its new time.
    Session.objects.filter(pk=soon.pk).update(starts_at=soon.starts_at + dt.timedelta(hours=2))
    assert session_reminders_send(now=now + dt.timedelta(hours=1)) == 1


def test_reminders_are_a_registered_periodic_job() -> None:
    from learnloop.core import schedule

    assert "learning.session_reminders" in {job.name for job in schedule.jobs()}


@pytest.mark.django_db(transaction=True)
def test_waitlist_promotion_follows_the_persons_notification_choice(personas: Personas) -> None:
    preferences_set(actor=personas.bob, choices={"waitlist": Choice(in_app=True, email=False)})
    session = _session(starts_in=dt.timedelta(days=3))
    Session.objects.filter(pk=session.pk).update(capacity=1)
    alice = session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    booking_cancel(actor=personas.alice, booking=alice)
    call_command("worker", "--batch", "--no-schedule", verbosity=0)
    assert mail.outbox == []
    (note,) = Notification.objects.filter(recipient=personas.bob, kind="waitlist")
    assert "You have a seat" in note.title and note.read_at is None


def test_session_and_booking_rules_agree_as_filters_and_for_one_object(personas: Personas) -> None:
    """The Via rules (a session through its item, a booking through its session) scope like they answer."""
    draft = _session(starts_in=dt.timedelta(days=1), owner=personas.mona, presenter=personas.oscar)
    CatalogItem.objects.filter(pk=draft.item_id).update(is_published=False)
    draft.item.refresh_from_db()
    published = _session(starts_in=dt.timedelta(days=2), presenter=personas.bob)
    bookings = [_seat(draft, personas.alice), _seat(published, personas.alice), _seat(published, personas.oscar)]
    people = [personas.alice, personas.bob, personas.mona, personas.oscar, personas.lena, personas.pat]
    checks: list[tuple[str, Any]] = [
        ("view", draft),
        ("view", published),
        ("take_attendance", draft),
        ("take_attendance", published),
    ]
    checks += [(action, b) for b in bookings for action in ("view", "cancel")]
    for person in people:
        for action, obj in checks:
            fresh = type(obj).objects.get(pk=obj.pk)
            in_scope = policy.scope(person, action, type(obj).objects.all()).filter(pk=obj.pk).exists()
            assert in_scope == policy.can(person, action, fresh), (person, action, obj)
    assert not policy.can(personas.alice, "view", draft) and policy.can(personas.mona, "view", draft)
    assert policy.can(personas.bob, "view", bookings[2]) and not policy.can(personas.bob, "cancel", bookings[2])


def test_a_lunch_and_learn_gets_its_recording_and_write_up_with_credit_to_the_presenter(personas: Personas) -> None:
    from learnloop.learning.sessions import session_follow_up

    session = _session(starts_in=-dt.timedelta(hours=3), presenter=personas.oscar)
    upcoming = _session(starts_in=dt.timedelta(days=2), presenter=personas.oscar)
    with pytest.raises(ValidationError) as early:
        session_follow_up(actor=personas.oscar, session=upcoming, recording_url="", write_up="Too soon")
    assert "session" in early.value.message_dict
    with pytest.raises(ValidationError) as bad:
        session_follow_up(actor=personas.oscar, session=session, recording_url="not a link", write_up="")
    assert "recording_url" in bad.value.message_dict
    with pytest.raises(ValidationError) as empty:
        session_follow_up(actor=personas.oscar, session=session, recording_url=" ", write_up=" ")
    assert "write_up" in empty.value.message_dict
    with pytest.raises(ValidationError):
        session_follow_up(actor=personas.alice, session=session, recording_url="", write_up="Not mine to write")
    session_follow_up(
        actor=personas.oscar,
        session=session,
        recording_url="https://video.example/coaching",
        write_up="## What we covered\n\n<script>alert(1)</script>Three questions that open a conversation.",
    )
    session_follow_up(actor=personas.oscar, session=session, recording_url="", write_up="Edited.")
    # The presenter is credited once, however often the write-up is edited.
    assert Statement.objects.filter(person=personas.oscar, verb_id=VERBS["shared"].iri).count() == 1
    client = Client()
    client.force_login(personas.alice)
    page = client.get(f"/catalog/{session.item_id}/").content.decode()
    assert "Recordings and write-ups" in page and "presented by" in page and "Oscar" in page
    assert "Edited." in page and "<script>" not in page


def test_the_follow_up_form_shows_errors_on_the_roster(personas: Personas) -> None:
    session = _session(starts_in=-dt.timedelta(hours=3), presenter=personas.oscar)
    client = Client()
    client.force_login(personas.oscar)
    answer = client.post(f"/catalog/sessions/{session.pk}/follow-up/", {"recording_url": "ftp://x", "write_up": ""})
    assert answer.status_code == 400 and "full web address" in answer.content.decode()
    assert Session.objects.get(pk=session.pk).followed_up_at is None
