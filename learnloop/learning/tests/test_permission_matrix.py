from typing import Any

from django.urls import reverse

from learnloop.core.testing import Row, anyone, matrix_test, only_roles, own_or
from learnloop.learning.models import CatalogItem

API = "/api/v1"
LD = ("ld_admin", "org_admin")


def _published() -> CatalogItem:
    return CatalogItem.objects.get_or_create(title="Published", defaults={"kind": "self_paced", "summary": "x"})[0]


def _everyone_enrolled() -> CatalogItem:
    """The published item, with an enrolment for every person, so each role acts on its own."""
    import uuid

    from django.utils import timezone

    from learnloop.learning.models import Enrollment
    from learnloop.people.models import Person

    item = _published()
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
    Row("learning:item_create", "GET", lambda _: reverse("learning:item_create"), only_roles(*LD), per_object=False),
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


test_permission_matrix = matrix_test(ROWS)
