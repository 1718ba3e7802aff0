"""Scheduling through the API and the web pages: field-named 400s, never a 500; the sponsor picker."""

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas, PersonFactory
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import session_book
from learnloop.notifications.models import Notification


def _api(person: Any) -> Client:
    token = token_create(actor=person, person=person, name="t").secret
    return Client(headers={"Authorization": f"Bearer {token}"})


def _workshop() -> CatalogItem:
    return item_create(actor=None, kind="cohort", title="Leading teams", summary="Six meetings.")


def _day(days: int = 10) -> str:
    return str(timezone.localdate() + dt.timedelta(days=days))


def _create(client: Client, item: CatalogItem, **changes: Any) -> Any:
    body = {
        "starts_at": f"{_day()}T09:00:00",
        "ends_at": f"{_day()}T11:00:00",
        "time_zone": "America/New_York",
        "capacity": 2,
        "location": "New York, 5th floor",
        **changes,
    }
    return client.post(f"/api/v1/catalog/{item.pk}/sessions", body, content_type="application/json")


def test_it_schedules_reschedules_and_cancels_over_the_api(personas: Personas) -> None:
    client, item = _api(personas.lena), _workshop()
    created = _create(client, item, presenter_id=personas.oscar.pk)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["starts_at"].startswith(f"{_day()}T1")  # 09:00 in New York is 13:00 or 14:00 UTC
    assert (body["presenter_id"], body["seats_left"], body["cancelled_at"]) == (personas.oscar.pk, 2, None)
    session = Session.objects.get(pk=body["id"])
    session_book(actor=personas.alice, session=session)
    moved = client.patch(
        f"/api/v1/sessions/{session.pk}",
        {"starts_at": f"{_day(11)}T15:00:00+00:00", "ends_at": f"{_day(11)}T17:00:00+00:00", "presenter_id": None},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["presenter_id"] is None
    assert Booking.objects.get(person=personas.alice).sequence == 1
    assert Notification.objects.filter(recipient=personas.alice, kind="session_change").count() == 1
    assert AuditEvent.objects.get(action="session.update").source == "api"
    cancelled = client.post(
        f"/api/v1/sessions/{session.pk}/cancel", {"reason": "Postponed to spring."}, content_type="application/json"
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_at"] is not None
    assert cancelled.json()["cancel_reason"] == "Postponed to spring."
    again = client.post(f"/api/v1/sessions/{session.pk}/cancel", {}, content_type="application/json")
    assert again.status_code == 400 and "session" in again.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": "not a time"}, "starts_at"),
        ({"starts_at": "99999-01-01T10:00:00"}, "starts_at"),
        ({"starts_at": "1850-01-01T10:00:00"}, "starts_at"),
        ({"ends_at": "3001-01-01T10:00:00"}, "ends_at"),
        ({"ends_at": f"{_day()}T08:00:00"}, "ends_at"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 2**70}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"presenter_id": 987654}, "presenter_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(personas: Personas, changes: dict[str, Any], field: str) -> None:
    response = _create(_api(personas.lena), _workshop(), **changes)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": None}, "capacity"),
        ({"starts_at": None}, "starts_at"),
        ({"capacity": 0}, "capacity"),
        ({"time_zone": "Nowhere/Town"}, "time_zone"),
        ({"starts_at": "2001-01-01T10:00:00", "ends_at": "2001-01-01T11:00:00"}, "starts_at"),
        ({"title": "Not a session field"}, None),
    ],
)
def test_bad_changes_are_a_400_naming_the_field(personas: Personas, changes: dict[str, Any], field: str | None) -> None:
    client = _api(personas.lena)
    session_id = _create(client, _workshop()).json()["id"]
    response = client.patch(f"/api/v1/sessions/{session_id}", changes, content_type="application/json")
    if field is None:  # unknown properties are ignored, nothing changes
        assert response.status_code == 200
    else:
        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["fields"]
    assert not AuditEvent.objects.filter(action="session.update").exists()


def test_capacity_below_the_seats_taken_is_refused_over_the_api(personas: Personas) -> None:
    client = _api(personas.lena)
    session = Session.objects.get(pk=_create(client, _workshop()).json()["id"])
    session_book(actor=personas.alice, session=session)
    session_book(actor=personas.bob, session=session)
    response = client.patch(f"/api/v1/sessions/{session.pk}", {"capacity": 1}, content_type="application/json")
    assert response.status_code == 400
    assert "cannot go below 2" in response.json()["error"]["fields"]["capacity"][0]


def test_a_cancelled_session_is_gone_from_the_list_but_readable(personas: Personas) -> None:
    client = _api(personas.lena)
    session_id = _create(client, _workshop()).json()["id"]
    client.post(f"/api/v1/sessions/{session_id}/cancel", {}, content_type="application/json")
    alice = _api(personas.alice)
    assert alice.get("/api/v1/sessions").json()["count"] == 0
    assert alice.get(f"/api/v1/sessions/{session_id}").json()["cancelled_at"] is not None
    assert alice.post(f"/api/v1/sessions/{session_id}/booking").status_code == 400


def test_a_stretch_assignment_names_its_sponsor_over_the_api(personas: Personas) -> None:
    client = _api(personas.lena)
    body = {"kind": "stretch", "title": "Run the offsite", "summary": "Plan it.", "scope": "Two days, 40 people."}
    created = client.post("/api/v1/catalog", {**body, "sponsor_id": personas.mona.pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["sponsor_id"] == personas.mona.pk
    assert CatalogItem.objects.get(pk=created.json()["id"]).sponsor == personas.mona
    unknown = client.post("/api/v1/catalog", {**body, "sponsor_id": 424242}, content_type="application/json")
    assert unknown.status_code == 400 and "sponsor_id" in unknown.json()["error"]["fields"]


# --- Pages ---------------------------------------------------------------------------------------


def _form(**changes: Any) -> dict[str, Any]:
    return {
        "starts_at": f"{_day()}T10:00",
        "ends_at": f"{_day()}T11:30",
        "time_zone": "Europe/Berlin",
        "capacity": "6",
        "location": "Berlin, room Spree",
        "presenter": "",
        **changes,
    }


def test_schedule_change_and_cancel_from_the_sessions_page(client: Client, personas: Personas) -> None:
    item = _workshop()
    client.force_login(personas.lena)
    assert f"/catalog/{item.pk}/sessions/" in client.get(f"/catalog/{item.pk}/").content.decode()
    response = client.post(f"/catalog/{item.pk}/sessions/", _form(presenter=str(personas.oscar.pk)))
    assert response.status_code == 302
    session = Session.objects.get()
    typed = dt.datetime.fromisoformat(f"{_day()}T10:00").replace(tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert session.starts_at == typed  # read in the session's zone, not the server's or the viewer's
    assert session.presenter == personas.oscar
    page = client.get(f"/catalog/{item.pk}/sessions/").content.decode()
    assert "Berlin, room Spree" in page and "Oscar Olsen" in page
    edit = client.get(f"/catalog/sessions/{session.pk}/edit/").content.decode()
    assert f'value="{_day()}T10:00"' in edit  # the time as it was typed, in the session's zone
    moved = client.post(f"/catalog/sessions/{session.pk}/edit/", _form(starts_at=f"{_day()}T10:30"))
    assert moved.status_code == 302
    cancelled = client.post(f"/catalog/sessions/{session.pk}/cancel/", {"reason": "Room flooded."})
    assert cancelled.status_code == 302
    session.refresh_from_db()
    assert session.cancelled_at is not None and session.cancel_reason == "Room flooded."
    assert client.get(f"/catalog/sessions/{session.pk}/edit/").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": f"{_day()}T09:00"}, "ends_at"),
        ({"starts_at": "1800-01-01T10:00"}, "starts_at"),
        ({"starts_at": "2026-02-30T10:00"}, "starts_at"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"capacity": "0"}, "capacity"),
    ],
)
def test_the_form_names_the_field_to_fix(
    client: Client, personas: Personas, changes: dict[str, Any], field: str
) -> None:
    item = _workshop()
    client.force_login(personas.lena)
    response = client.post(f"/catalog/{item.pk}/sessions/", _form(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Session.objects.exists()


def test_the_sessions_page_is_only_for_scheduled_formats(client: Client, personas: Personas) -> None:
    book = item_create(actor=None, kind="book", title="A book", summary="Read it.", author="A. Writer")
    client.force_login(personas.lena)
    assert client.get(f"/catalog/{book.pk}/sessions/").status_code == 404
    assert f"/catalog/{book.pk}/sessions/" not in client.get(f"/catalog/{book.pk}/").content.decode()


def _stretch_form(sponsor: str) -> dict[str, str]:
    return {
        "kind": "stretch",
        "title": "Lead the migration",
        "summary": "Plan and run it.",
        "delivery": "none",
        "language": "en",
        "scope": "The billing service only.",
        "sponsor": sponsor,
    }


def test_a_stretch_assignment_gets_a_sponsor_from_a_drop_down(client: Client, personas: Personas) -> None:
    client.force_login(personas.lena)
    page = client.get("/catalog/new/").content.decode()
    assert 'name="sponsor"' in page and "Mona Meyer" in page
    assert client.post("/catalog/new/", _stretch_form(str(personas.mona.pk))).status_code == 302
    item = CatalogItem.objects.get(title="Lead the migration")
    assert item.sponsor == personas.mona
    assert "Mona Meyer" in client.get(f"/catalog/{item.pk}/").content.decode()
    assert AuditEvent.objects.get(action="catalog_item.create").changes["sponsor"] == [None, personas.mona.pk]


def test_past_the_limit_the_sponsor_is_typed_as_an_email(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("learnloop.core.forms.PICK_LIMIT", 3)
    client.force_login(personas.lena)
    page = client.get("/catalog/new/").content.decode()
    assert 'type="email" name="sponsor"' in page and "Mona Meyer" not in page
    unknown = client.post("/catalog/new/", _stretch_form("nobody@example.com"))
    assert unknown.status_code == 400 and "sponsor" in unknown.context["form"].errors
    gone = PersonFactory.create(is_active=False)
    assert client.post("/catalog/new/", _stretch_form(gone.username)).status_code == 400
    assert client.post("/catalog/new/", _stretch_form(personas.mona.username)).status_code == 302
    item = CatalogItem.objects.get(title="Lead the migration")
    assert item.sponsor == personas.mona
    edit = client.get(f"/catalog/{item.pk}/edit/").content.decode()
    assert f'value="{personas.mona.username}"' in edit


def test_the_sessions_page_and_my_learning_cost_the_same_queries_as_they_grow(
    client: Client, personas: Personas, settings: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.RESPONSE_CACHE_SECONDS = 0
    item = _workshop()
    client.force_login(personas.lena)

    def counts() -> tuple[int, int]:
        found = []
        for path in (f"/catalog/{item.pk}/sessions/", "/catalog/mine/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            found.append(len(queries))
        return found[0], found[1]

    def schedule(days: int) -> None:
        session = Session.objects.get(
            pk=_create(
                _api(personas.lena),
                item,
                starts_at=f"{_day(days)}T09:00:00",
                ends_at=f"{_day(days)}T10:00:00",
                presenter_id=personas.oscar.pk,
            ).json()["id"]
        )
        session_book(actor=personas.lena, session=session)
        session_book(actor=PersonFactory.create(), session=session)

    schedule(3)
    counts()
    one = counts()
    for days in (4, 5, 6, 7):
        schedule(days)
    assert counts() == one
