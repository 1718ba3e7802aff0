"""Learning recorded after the fact (the demo's history): the services' `at`, and the statements written in
bulk for enrolments and bookings are the ones the services record, dated when each step happened."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learnloop.core.testing import Personas
from learnloop.learning.enrollment import (
    enrollment_complete,
    enrollment_enrol,
    enrollment_history,
    enrollment_progress,
)
from learnloop.learning.models import Booking, CatalogItem, Enrollment, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import booking_history, booking_mark_attendance, session_book
from learnloop.lrs.events import VERBS, event_statement, record_events
from learnloop.lrs.models import Statement
from learnloop.people.models import Person
from learnloop.skills.models import SkillAssessment
from learnloop.skills.services import skill_create

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


@pytest.fixture
def course(db: None) -> CatalogItem:
    coaching = skill_create(actor=None, name="Coaching")
    return item_create(
        actor=None, kind="self_paced", title="Coaching basics", summary="Ask more.", skills=[(coaching, 3)]
    )


@pytest.fixture
def workshop(db: None) -> CatalogItem:
    feedback = skill_create(actor=None, name="Giving feedback")
    return item_create(
        actor=None, kind="live_session", title="Feedback workshop", summary="Practise.", skills=[(feedback, 3)]
    )


def _session(item: CatalogItem, *, starts: dt.datetime) -> Session:
    return Session.objects.create(
        item=item, starts_at=starts, ends_at=starts + dt.timedelta(hours=2), time_zone="Europe/Berlin", capacity=5
    )


def _same(built: dict[str, Any], stored: Statement) -> None:
    """A statement built for the history says what the service's stored one says, bar what the LRS sets."""
    ignored = ("id", "timestamp", "stored", "authority", "version")
    assert {k: v for k, v in built.items() if k not in ignored} == {
        k: v for k, v in stored.data.items() if k not in ignored
    }


def _stored(person: Person, verb: str) -> Statement:
    return Statement.objects.get(person=person, verb_id=VERBS[verb].iri)


def _moment(statement: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(statement["timestamp"])


def test_an_enrolment_history_is_the_services_statements_dated_at_each_step(
    personas: Personas, course: CatalogItem
) -> None:
    enrollment = enrollment_enrol(actor=personas.alice, person=personas.alice, item=course)
    enrollment_progress(actor=personas.alice, enrollment=enrollment, percent=40)
    enrollment = Enrollment.objects.select_related("person", "item").get(pk=enrollment.pk)
    registered, launched = enrollment_history(enrollment)
    _same(registered, _stored(personas.alice, "registered"))
    _same(launched, _stored(personas.alice, "launched"))
    assert (_moment(registered), _moment(launched)) == (enrollment.enrolled_at, enrollment.started_at)

    enrollment_complete(actor=personas.alice, enrollment=enrollment, learned="Questions first", apply_plan="Next 1:1")
    enrollment = Enrollment.objects.select_related("person", "item").get(pk=enrollment.pk)
    registered, completed = enrollment_history(enrollment)
    _same(completed, _stored(personas.alice, "completed"))
    assert completed["result"] == {"completion": True}
    assert _moment(completed) == enrollment.completed_at


def test_a_booking_history_is_the_services_statements_dated_at_each_step(
    personas: Personas, workshop: CatalogItem
) -> None:
    session = _session(workshop, starts=timezone.now() + DAY)
    booking = session_book(actor=personas.alice, session=session)
    waiting = Booking.objects.create(
        session=session, person=personas.bob, status="waitlisted", queued_at=timezone.now()
    )
    (registered,) = booking_history(Booking.objects.select_related("person", "session__item").get(pk=booking.pk))
    _same(registered, _stored(personas.alice, "registered"))
    assert _moment(registered) == booking.queued_at
    assert booking_history(waiting) == []  # a waitlist place records nothing

    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - DAY)  # it has taken place
    booking_mark_attendance(actor=personas.lena, booking=booking, attended=True)
    booking = Booking.objects.select_related("person", "session__item").get(pk=booking.pk)
    attended = booking_history(booking)[1]
    _same(attended, _stored(personas.alice, "attended"))
    assert _moment(attended) == booking.changed_at


def test_attendance_taken_after_the_fact_is_dated_at_the_session(personas: Personas, workshop: CatalogItem) -> None:
    session = _session(workshop, starts=timezone.now() - 30 * DAY)
    booking = Booking.objects.create(
        session=session, person=personas.alice, status="booked", queued_at=session.starts_at
    )
    with pytest.raises(ValidationError) as refused:
        booking_mark_attendance(
            actor=personas.lena, booking=booking, attended=True, at=session.starts_at - dt.timedelta(minutes=1)
        )
    assert "at" in refused.value.message_dict
    assert Booking.objects.get(pk=booking.pk).status == "booked" and not Statement.objects.exists()

    booking_mark_attendance(actor=personas.lena, booking=booking, attended=True, at=session.ends_at)
    enrollment = Enrollment.objects.get(person=personas.alice, item=workshop)
    assert (enrollment.enrolled_at, enrollment.completed_at) == (session.ends_at, session.ends_at)
    for verb in ("attended", "registered", "completed"):
        assert _stored(personas.alice, verb).timestamp == session.ends_at, verb
    evidence = SkillAssessment.objects.get(person=personas.alice, source="evidence")
    assert evidence.assessed_at == session.ends_at  # skill history shows the growth when it happened


def test_a_completion_recorded_after_the_fact_is_dated_then_but_never_ahead(
    personas: Personas, course: CatalogItem
) -> None:
    enrolled, done = timezone.now() - 40 * DAY, timezone.now() - 30 * DAY
    enrollment = enrollment_enrol(actor=personas.alice, person=personas.alice, item=course, at=enrolled)
    with pytest.raises(ValidationError) as refused:
        enrollment_complete(actor=personas.alice, enrollment=enrollment, at=timezone.now() + DAY)
    assert "at" in refused.value.message_dict
    assert Enrollment.objects.get(pk=enrollment.pk).status == "enrolled"
    enrollment_complete(actor=personas.alice, enrollment=enrollment, at=done)
    enrollment.refresh_from_db()
    assert (enrollment.enrolled_at, enrollment.started_at, enrollment.completed_at) == (enrolled, done, done)
    assert _stored(personas.alice, "registered").timestamp == enrolled
    assert _stored(personas.alice, "completed").timestamp == done
    assert SkillAssessment.objects.get(person=personas.alice, source="evidence").assessed_at == done


def test_many_statements_are_stored_at_once_in_the_order_they_happened(personas: Personas, course: CatalogItem) -> None:
    now = timezone.now()

    def event(verb: str, days_ago: int) -> dict[str, Any]:
        return event_statement(
            person=personas.alice,
            verb=verb,
            activity_id="https://example.com/course",
            activity_name="A course",
            activity_type="course",
            timestamp=now - days_ago * DAY,
        )

    assert record_events([event("completed", 1), event("registered", 9), event("launched", 5)]) == 3
    stored = list(Statement.objects.order_by("seq"))
    assert [s.verb_id for s in stored] == [VERBS[v].iri for v in ("registered", "launched", "completed")]
    assert [s.timestamp for s in stored] == [now - 9 * DAY, now - 5 * DAY, now - DAY]
    assert {s.person_id for s in stored} == {personas.alice.pk} and record_events([]) == 0
