import datetime as dt

from django.test import Client
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.testing import Personas
from learnloop.learning.models import Booking, CatalogItem, Enrollment, Session
from learnloop.people.models import Person


def _client(person: Person) -> Client:
    secret = token_create(actor=person, person=person, name="test").secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _session(title: str, days: float, capacity: int = 1, published: bool = True) -> Session:
    item = CatalogItem.objects.create(kind="live_session", title=title, summary="x", is_published=published)
    start = timezone.now() + dt.timedelta(days=days)
    return Session.objects.create(
        item=item, starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=capacity, time_zone="Europe/Berlin"
    )


def test_list_filters_and_detail_with_seats_left(personas: Personas) -> None:
    first = _session("Negotiation workshop", 2, capacity=2)
    second = _session("Coaching workshop", 10)
    _session("Draft workshop", 3, published=False)
    _session("Past workshop", -3)
    Booking.objects.create(session=first, person=personas.bob, status="booked", queued_at=timezone.now())
    api = _client(personas.alice)
    listed = api.get("/api/v1/sessions").json()
    assert [s["id"] for s in listed["items"]] == [first.pk, second.pk]
    assert listed["items"][0]["seats_left"] == 1 and listed["items"][0]["item_title"] == "Negotiation workshop"
    assert [s["id"] for s in api.get(f"/api/v1/sessions?item={second.item_id}").json()["items"]] == [second.pk]
    until = (timezone.now() + dt.timedelta(days=5)).isoformat()
    assert [s["id"] for s in api.get("/api/v1/sessions", {"to": until}).json()["items"]] == [first.pk]
    since = (timezone.now() - dt.timedelta(days=5)).isoformat()
    assert len(api.get("/api/v1/sessions", {"from": since}).json()["items"]) == 3
    detail = api.get(f"/api/v1/sessions/{first.pk}").json()
    assert detail["seats_left"] == 1 and detail["capacity"] == 2
    draft = Session.objects.get(item__title="Draft workshop")
    assert api.get(f"/api/v1/sessions/{draft.pk}").status_code == 404


def test_book_cancel_roster_and_attendance(personas: Personas) -> None:
    session = _session("Negotiation workshop", 2)
    alice, bob = _client(personas.alice), _client(personas.bob)
    booked = alice.post(f"/api/v1/sessions/{session.pk}/booking")
    assert booked.status_code == 201 and booked.json()["status"] == "booked"
    assert bob.post(f"/api/v1/sessions/{session.pk}/booking").json()["status"] == "waitlisted"
    assert alice.delete(f"/api/v1/sessions/{session.pk}/booking").json()["status"] == "cancelled"
    assert Booking.objects.get(person=personas.bob).status == "booked"  # promoted
    assert _client(personas.oscar).delete(f"/api/v1/sessions/{session.pk}/booking").status_code == 404
    assert alice.get(f"/api/v1/sessions/{session.pk}/roster").status_code == 404
    lena = _client(personas.lena)
    roster = lena.get(f"/api/v1/sessions/{session.pk}/roster").json()
    assert [(r["person"], r["status"]) for r in roster] == [("Bob Brown", "booked")]
    # Not started yet: attendance is refused with a field error, and nothing changes.
    booking_id = roster[0]["id"]
    early = lena.post(
        f"/api/v1/sessions/{session.pk}/attendance",
        {"booking_id": booking_id, "attended": True},
        content_type="application/json",
    )
    assert early.status_code == 400 and "started" in early.json()["error"]["fields"]["booking"][0]
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    marked = lena.post(
        f"/api/v1/sessions/{session.pk}/attendance",
        {"booking_id": booking_id, "attended": True},
        content_type="application/json",
    )
    assert marked.status_code == 200 and marked.json()["status"] == "attended"
    assert Enrollment.objects.get(person=personas.bob, item=session.item).status == "completed"
    unknown = lena.post(
        f"/api/v1/sessions/{session.pk}/attendance",
        {"booking_id": 999999, "attended": True},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "booking_id" in unknown.json()["error"]["fields"]
