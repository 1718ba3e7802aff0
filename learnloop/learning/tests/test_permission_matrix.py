from typing import Any

from django.urls import reverse

from learnloop.core.testing import Row, anyone, matrix_test, only_roles, own_or
from learnloop.learning.models import CatalogItem

API = "/api/v1"
LD = ("ld_admin", "org_admin")


def _published() -> CatalogItem:
    return CatalogItem.objects.get_or_create(title="Published", defaults={"kind": "self_paced", "summary": "x"})[0]


def _everyone_enrolled(item: CatalogItem | None = None) -> CatalogItem:
    """The published item (or `item`), with an enrolment for every person, so each role acts on its own."""
    import uuid

    from django.utils import timezone

    from learnloop.learning.models import Enrollment
    from learnloop.people.models import Person

    item = item or _published()
    for person in Person.objects.all():
        Enrollment.objects.get_or_create(
            person=person, item=item, defaults={"registration": uuid.uuid4(), "enrolled_at": timezone.now()}
        )
    return item


def _on_item(name: str) -> Any:
    return lambda _: reverse(name, kwargs={"item_id": _everyone_enrolled().pk})


def _a_session() -> Any:
    import datetime as dt

    from django.utils import timezone

    from learnloop.learning.models import Session

    item = CatalogItem.objects.get_or_create(title="Workshop", defaults={"kind": "live_session", "summary": "x"})[0]
    start = timezone.now() + dt.timedelta(days=3)
    return Session.objects.get_or_create(
        item=item, defaults={"starts_at": start, "ends_at": start + dt.timedelta(hours=1), "capacity": 5}
    )[0]


def _booking_of(person: Any) -> Any:
    from django.utils import timezone

    from learnloop.learning.models import Booking

    return Booking.objects.create(session=_a_session(), person=person, status="booked", queued_at=timezone.now())


def _started_session_with_booking() -> Any:
    """A session that began an hour ago, with alice booked on it (attendance can be taken)."""
    import datetime as dt

    from django.utils import timezone

    from learnloop.learning.models import Booking, Session
    from learnloop.people.models import Person

    item = CatalogItem.objects.get_or_create(title="Past workshop", defaults={"kind": "live_session", "summary": "x"})[
        0
    ]
    start = timezone.now() - dt.timedelta(hours=1)
    session = Session.objects.get_or_create(
        item=item, defaults={"starts_at": start, "ends_at": start + dt.timedelta(hours=2), "capacity": 5}
    )[0]
    alice = Person.objects.get(first_name="Alice")
    Booking.objects.get_or_create(
        session=session, person=alice, defaults={"status": "booked", "queued_at": timezone.now()}
    )
    return session


def _attendance(_: Any) -> dict[str, Any]:
    from learnloop.learning.models import Booking

    return {"booking": Booking.objects.get(session__item__title="Past workshop").pk, "attended": "yes"}


def _attendance_json(_: Any) -> dict[str, Any]:
    from learnloop.learning.models import Booking

    return {"booking_id": Booking.objects.get(session__item__title="Past workshop").pk, "attended": True}


def _everyone_booked() -> Any:
    """The upcoming session with a booking for every person, so each role cancels their own."""
    from django.utils import timezone

    from learnloop.learning.models import Booking
    from learnloop.people.models import Person

    session = _a_session()
    for person in Person.objects.all():
        Booking.objects.get_or_create(
            session=session, person=person, defaults={"status": "booked", "queued_at": timezone.now()}
        )
    return session


def _owned_item(person: Any) -> CatalogItem:
    """A live session item the person owns: its owner and the L&D team schedule its sessions."""
    return CatalogItem.objects.create(kind="live_session", title=f"{person} workshop", summary="x", owner=person)


def _owned_session(person: Any) -> Any:
    import datetime as dt

    from django.utils import timezone

    from learnloop.learning.models import Session

    start = timezone.now() + dt.timedelta(days=3)
    return Session.objects.create(
        item=_owned_item(person), starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=5
    )


def _schedule_form(_: Any) -> dict[str, Any]:
    import datetime as dt

    day = dt.date.today() + dt.timedelta(days=10)  # noqa: DTZ011 (a wall-clock date in the form)
    return {
        "starts_at": f"{day}T10:00",
        "ends_at": f"{day}T11:30",
        "time_zone": "Europe/Berlin",
        "capacity": "8",
        "location": "Berlin, room Spree",
    }


def _schedule_json(_: Any) -> dict[str, Any]:
    return {**_schedule_form(None), "capacity": 8}


def _enrolment_of(person: Any, status: str = "enrolled") -> Any:
    """The person's enrolment in the published item (completed ones can be taken again)."""
    import uuid

    from django.utils import timezone

    from learnloop.learning.models import Enrollment

    done = {"progress": 100, "completed_at": timezone.now()} if status == "completed" else {}
    return Enrollment.objects.create(
        person=person, item=_published(), registration=uuid.uuid4(), enrolled_at=timezone.now(), status=status, **done
    )


# A person's enrolments are read by them, their managers and people admins; only the person changes them.
READERS = own_or("people_admin", "org_admin", reports=True)


def _with_file(*, published: bool) -> CatalogItem:
    """An item delivered as an uploaded file (a draft's file is as private as the draft)."""
    from django.core.files.base import ContentFile

    title = "Checklist" if published else "Draft checklist"
    found = CatalogItem.objects.filter(title=title).first()
    if found is not None:
        return found
    return CatalogItem.objects.create(
        title=title,
        kind="self_paced",
        summary="x",
        delivery="file",
        is_published=published,
        file=ContentFile(b"1. Check\n", name="checklist.md"),
    )


def _form(_: Any) -> dict[str, Any]:
    return {"kind": "self_paced", "title": "New item", "summary": "Learn it.", "delivery": "none", "language": "en"}


ROWS = [
    Row("learning:catalog", "GET", lambda _: reverse("learning:catalog"), anyone, per_object=False),
    Row(
        "learning:item",
        "GET",
        lambda _: reverse("learning:item", kwargs={"item_id": _published().pk}),
        anyone,
        per_object=False,
    ),
    Row(
        "learning:item_file",
        "GET",
        lambda _: reverse("learning:item_file", kwargs={"item_id": _with_file(published=True).pk}),
        anyone,
        per_object=False,
    ),
    Row(
        "learning:item_file",
        "GET",
        lambda _: reverse("learning:item_file", kwargs={"item_id": _with_file(published=False).pk}),
        only_roles(*LD),
        per_object=False,
    ),
    Row("learning:item_create", "GET", lambda _: reverse("learning:item_create"), only_roles(*LD), per_object=False),
    # Skill suggestions for the item form: skill names are no secret, so anyone signed in may ask.
    Row(
        "learning:skill_search",
        "GET",
        lambda _: reverse("learning:skill_search") + "?q=coach",
        anyone,
        per_object=False,
    ),
    Row(
        "learning:item_create",
        "POST",
        lambda _: reverse("learning:item_create"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_form,
    ),
    # Items are edited by their owner or the L&D team; this one has no owner.
    Row(
        "learning:item_edit",
        "GET",
        lambda _: reverse("learning:item_edit", kwargs={"item_id": _published().pk}),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "learning:item_edit",
        "POST",
        lambda _: reverse("learning:item_edit", kwargs={"item_id": _published().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_form,
    ),
    Row(
        "learning:session_book",
        "POST",
        lambda _: reverse("learning:session_book", kwargs={"session_id": _a_session().pk}),
        anyone,
        per_object=False,
        ok=302,
    ),
    # People cancel their own bookings; the L&D team may cancel anyone's.
    Row(
        "learning:booking_cancel",
        "POST",
        lambda b: reverse("learning:booking_cancel", kwargs={"booking_id": b.pk}),
        own_or(*LD),
        ok=302,
        subject=_booking_of,
    ),
    # Rosters and attendance: the presenter, the item's owner and the L&D team (this item has neither
    # presenter nor owner; test_attendance checks presenters and owners).
    Row(
        "learning:session_roster",
        "GET",
        lambda _: reverse("learning:session_roster", kwargs={"session_id": _started_session_with_booking().pk}),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "learning:session_attendance",
        "POST",
        lambda _: reverse("learning:session_attendance", kwargs={"session_id": _started_session_with_booking().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_attendance,
    ),
    Row(
        "learning:session_follow_up",
        "POST",
        lambda _: reverse("learning:session_follow_up", kwargs={"session_id": _started_session_with_booking().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"recording_url": "https://video.example/1", "write_up": "What we covered."},
    ),
    Row(f"GET {API}/sessions", "GET", lambda _: f"{API}/sessions", anyone, per_object=False, anonymous=401),
    Row(
        f"GET {API}/sessions/{{session_id}}",
        "GET",
        lambda _: f"{API}/sessions/{_a_session().pk}",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/sessions/{{session_id}}/booking",
        "POST",
        lambda _: f"{API}/sessions/{_a_session().pk}/booking",
        anyone,
        per_object=False,
        ok=201,
        anonymous=401,
    ),
    Row(
        f"DELETE {API}/sessions/{{session_id}}/booking",
        "DELETE",
        lambda _: f"{API}/sessions/{_everyone_booked().pk}/booking",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/sessions/{{session_id}}/roster",
        "GET",
        lambda _: f"{API}/sessions/{_started_session_with_booking().pk}/roster",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/sessions/{{session_id}}/attendance",
        "POST",
        lambda _: f"{API}/sessions/{_started_session_with_booking().pk}/attendance",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
        json=True,
        data=_attendance_json,
    ),
    # Scheduling sessions: the item's owner and the L&D team.
    Row(
        "learning:item_sessions",
        "GET",
        lambda item: reverse("learning:item_sessions", kwargs={"item_id": item.pk}),
        own_or(*LD),
        subject=_owned_item,
    ),
    Row(
        "learning:item_sessions",
        "POST",
        lambda item: reverse("learning:item_sessions", kwargs={"item_id": item.pk}),
        own_or(*LD),
        ok=302,
        subject=_owned_item,
        data=_schedule_form,
    ),
    Row(
        "learning:session_edit",
        "GET",
        lambda session: reverse("learning:session_edit", kwargs={"session_id": session.pk}),
        own_or(*LD),
        subject=_owned_session,
    ),
    Row(
        "learning:session_edit",
        "POST",
        lambda session: reverse("learning:session_edit", kwargs={"session_id": session.pk}),
        own_or(*LD),
        ok=302,
        subject=_owned_session,
        data=_schedule_form,
    ),
    Row(
        "learning:session_cancel",
        "POST",
        lambda session: reverse("learning:session_cancel", kwargs={"session_id": session.pk}),
        own_or(*LD),
        ok=302,
        subject=_owned_session,
        data={"reason": "The trainer is ill."},
    ),
    Row(
        f"POST {API}/catalog/{{item_id}}/sessions",
        "POST",
        lambda item: f"{API}/catalog/{item.pk}/sessions",
        own_or(*LD),
        ok=201,
        anonymous=401,
        subject=_owned_item,
        json=True,
        data=_schedule_json,
    ),
    Row(
        f"PATCH {API}/sessions/{{session_id}}",
        "PATCH",
        lambda session: f"{API}/sessions/{session.pk}",
        own_or(*LD),
        anonymous=401,
        subject=_owned_session,
        json=True,
        data={"capacity": 9, "location": "Online"},
    ),
    Row(
        f"POST {API}/sessions/{{session_id}}/cancel",
        "POST",
        lambda session: f"{API}/sessions/{session.pk}/cancel",
        own_or(*LD),
        anonymous=401,
        subject=_owned_session,
        json=True,
        data={"reason": "Too few people booked."},
    ),
    Row("learning:mine", "GET", lambda _: reverse("learning:mine"), anyone, per_object=False),
    Row(
        "learning:enrol",
        "POST",
        lambda _: reverse("learning:enrol", kwargs={"item_id": _published().pk}),
        anyone,
        per_object=False,
        ok=302,
    ),
    Row(
        "learning:progress",
        "POST",
        _on_item("learning:progress"),
        anyone,
        per_object=False,
        ok=302,
        data={"progress": "40"},
    ),
    Row("learning:complete", "GET", _on_item("learning:complete"), anyone, per_object=False),
    Row(
        "learning:complete",
        "POST",
        _on_item("learning:complete"),
        anyone,
        per_object=False,
        ok=302,
        data={"learned": "Ask before advising.", "apply_plan": "In my next 1:1."},
    ),
    Row("learning:drop", "POST", _on_item("learning:drop"), anyone, per_object=False, ok=302),
    Row("learning:retake", "POST", _on_item("learning:retake"), anyone, per_object=False, ok=302),
    Row(f"GET {API}/catalog", "GET", lambda _: f"{API}/catalog", anyone, per_object=False, anonymous=401),
    Row(
        f"GET {API}/catalog/{{item_id}}",
        "GET",
        lambda _: f"{API}/catalog/{_published().pk}",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/catalog",
        "POST",
        lambda _: f"{API}/catalog",
        only_roles(*LD),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"kind": "self_paced", "title": "Via API", "summary": "x"},
    ),
]


ROWS += [
    Row(f"GET {API}/enrollments", "GET", lambda _: f"{API}/enrollments", anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/enrollments",
        "POST",
        lambda _: f"{API}/enrollments",
        anyone,
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data=lambda _: {"item_id": _published().pk},
    ),
    Row(
        f"GET {API}/people/{{person_id}}/enrollments",
        "GET",
        lambda p: f"{API}/people/{p.pk}/enrollments",
        READERS,
        anonymous=401,
    ),
    Row(
        f"GET {API}/enrollments/{{enrollment_id}}",
        "GET",
        lambda e: f"{API}/enrollments/{e.pk}",
        READERS,
        anonymous=401,
        subject=_enrolment_of,
    ),
    Row(
        f"POST {API}/enrollments/{{enrollment_id}}/progress",
        "POST",
        lambda e: f"{API}/enrollments/{e.pk}/progress",
        own_or(),
        anonymous=401,
        json=True,
        data={"progress": 40},
        subject=_enrolment_of,
    ),
    Row(
        f"POST {API}/enrollments/{{enrollment_id}}/complete",
        "POST",
        lambda e: f"{API}/enrollments/{e.pk}/complete",
        own_or(),
        anonymous=401,
        json=True,
        data={"learned": "Ask before advising."},
        subject=_enrolment_of,
    ),
    Row(
        f"POST {API}/enrollments/{{enrollment_id}}/drop",
        "POST",
        lambda e: f"{API}/enrollments/{e.pk}/drop",
        own_or(),
        anonymous=401,
        subject=_enrolment_of,
    ),
    Row(
        f"POST {API}/enrollments/{{enrollment_id}}/retake",
        "POST",
        lambda e: f"{API}/enrollments/{e.pk}/retake",
        own_or(),
        anonymous=401,
        subject=lambda person: _enrolment_of(person, "completed"),
    ),
]


# Stretch assignments end with their own reflection; it is read through the item by the person, their
# managers and the sponsor, so the list answers everyone who sees the item (scoped inside: see
# test_stretch_reflection.py).
def _stretch_everyone_enrolled() -> CatalogItem:
    return _everyone_enrolled(
        CatalogItem.objects.get_or_create(
            title="Run the incident review", defaults={"kind": "stretch", "summary": "x", "scope": "One quarter."}
        )[0]
    )


def _stretch_enrolment_of(person: Any) -> Any:
    from learnloop.learning.models import Enrollment

    return Enrollment.objects.get(person=person, item=_stretch_everyone_enrolled())


STRETCH_REFLECTION = {"outcome": "The review ran all quarter.", "learned": "Prepare the room."}
ROWS += [
    Row(
        "learning:complete",
        "GET",
        lambda _: reverse("learning:complete", kwargs={"item_id": _stretch_everyone_enrolled().pk}),
        anyone,
        per_object=False,
    ),
    Row(
        "learning:complete",
        "POST",
        lambda _: reverse("learning:complete", kwargs={"item_id": _stretch_everyone_enrolled().pk}),
        anyone,
        per_object=False,
        ok=302,
        data={**STRETCH_REFLECTION, "do_differently": "Start earlier."},
    ),
    Row(
        f"POST {API}/enrollments/{{enrollment_id}}/complete",
        "POST",
        lambda e: f"{API}/enrollments/{e.pk}/complete",
        own_or(),
        anonymous=401,
        json=True,
        data=STRETCH_REFLECTION,
        subject=_stretch_enrolment_of,
    ),
    Row(
        f"GET {API}/catalog/{{item_id}}/reflections",
        "GET",
        lambda _: f"{API}/catalog/{_stretch_everyone_enrolled().pk}/reflections",
        anyone,
        per_object=False,
        anonymous=401,
    ),
]
test_permission_matrix = matrix_test(ROWS)
