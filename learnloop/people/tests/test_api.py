from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas, PersonFactory
from learnloop.people.models import Person


def api(person: Person) -> Client:
    secret = token_create(actor=person, person=person, name="test").secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_me_shows_my_profile_and_roles(personas: Personas) -> None:
    body = api(personas.bob).get("/api/v1/me").json()
    assert body["display_name"] == "Bob Brown"
    assert body["roles"] == ["employee", "manager"]
    assert body["employment"]["employee_id"] == personas.bob.employee_id
    assert body["direct_report_count"] == 1


def test_the_people_list_is_paginated_and_filterable(personas: Personas) -> None:
    client = api(personas.alice)
    page = client.get("/api/v1/people", {"limit": 2, "offset": 0}).json()
    assert page["count"] == 7 and len(page["items"]) == 2
    assert client.get("/api/v1/people", {"q": "oscar"}).json()["items"][0]["display_name"] == "Oscar Olsen"
    team = client.get("/api/v1/people", {"org_unit": personas.team.pk}).json()
    assert {p["display_name"] for p in team["items"]} == {"Alice Adams", "Bob Brown"}
    reports = api(personas.bob).get("/api/v1/people", {"manager": personas.bob.pk}).json()
    assert [p["id"] for p in reports["items"]] == [personas.alice.pk]


def test_private_employment_details_are_only_for_self_managers_and_people_admins(personas: Personas) -> None:
    url = f"/api/v1/people/{personas.alice.pk}"
    assert api(personas.oscar).get(url).json()["employment"] is None
    assert api(personas.lena).get(url).json()["employment"] is None
    for viewer in (personas.alice, personas.bob, personas.mona, personas.pat):
        assert api(viewer).get(url).json()["employment"]["employee_id"] == personas.alice.employee_id


def test_leavers_are_hidden_from_the_list_unless_asked_for(personas: Personas) -> None:
    PersonFactory.create(is_active=False, first_name="Gone")
    client = api(personas.alice)
    assert client.get("/api/v1/people").json()["count"] == 7
    assert client.get("/api/v1/people", {"include_inactive": True}).json()["count"] == 8


@pytest.mark.parametrize("rows", [5, 60])
def test_the_people_list_uses_the_same_queries_however_many_rows(db: None, rows: int, settings: Any) -> None:
    settings.RESPONSE_CACHE_SECONDS = 0  # the view's own queries (cached answers: test_response_cache.py)
    viewer = PersonFactory.create()
    manager = PersonFactory.create()
    PersonFactory.create_batch(rows, manager=manager)
    client = api(viewer)
    client.get("/api/v1/people", {"limit": 100})  # warm caches that are not per request
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/people", {"limit": 100})
    assert response.status_code == 200
    assert len(queries) == 3  # token, count, page


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_bad_input_gets_one_error_body_that_names_the_field(personas: Personas) -> None:
    client = api(personas.pat)
    error = _error(client.post("/api/v1/people", {"first_name": "X"}, content_type="application/json"))
    assert error["code"] == "invalid" and {"email", "last_name"} <= set(error["fields"])
    error = _error(
        client.post(
            "/api/v1/people",
            {"email": "alice.adams@example.com", "first_name": "A", "last_name": "B"},
            content_type="application/json",
        )
    )
    assert "email" in error["fields"]
    error = _error(
        client.post(
            "/api/v1/people",
            {"email": "n@example.com", "first_name": "A", "last_name": "B", "manager": 99999},
            content_type="application/json",
        )
    )
    assert error["fields"] == {"manager": ["No person has id 99999."]}
    error = _error(client.post("/api/v1/people", "{not json", content_type="application/json"))
    assert error["code"] == "invalid"
    error = _error(client.get("/api/v1/people", {"limit": -1}))
    assert "limit" in error["fields"]
    assert Person.objects.count() == 7


def test_a_cycle_through_the_api_is_refused_and_nothing_changes(personas: Personas) -> None:
    response = api(personas.pat).patch(
        f"/api/v1/people/{personas.mona.pk}", {"manager": personas.alice.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "cycle" in _error(response)["fields"]["manager"][0]
    personas.mona.refresh_from_db()
    assert personas.mona.manager_id is None
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_people_edit_their_own_display_fields_but_not_their_title(personas: Personas) -> None:
    client = api(personas.alice)
    url = f"/api/v1/people/{personas.alice.pk}"
    assert client.patch(url, {"preferred_name": "Ali"}, content_type="application/json").json()["display_name"] == (
        "Ali Adams"
    )
    response = client.patch(url, {"title": "CEO"}, content_type="application/json")
    assert response.status_code == 400 and "title" in _error(response)["fields"]


def test_missing_and_forbidden_objects_look_the_same(personas: Personas) -> None:
    client = api(personas.alice)
    forbidden = client.patch(
        f"/api/v1/people/{personas.oscar.pk}", {"preferred_name": "x"}, content_type="application/json"
    )
    missing = client.patch("/api/v1/people/999999", {"preferred_name": "x"}, content_type="application/json")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_an_unauthenticated_request_is_told_how_to_authenticate(db: None) -> None:
    response = Client().get("/api/v1/people")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response)["code"] == "unauthenticated"


def test_reports_and_chain_endpoints(personas: Personas) -> None:
    client = api(personas.mona)
    everyone = client.get(f"/api/v1/people/{personas.mona.pk}/reports", {"transitive": True}).json()
    assert {p["id"] for p in everyone["items"]} == {personas.bob.pk, personas.alice.pk}
    chain = client.get(f"/api/v1/people/{personas.alice.pk}/manager-chain").json()
    assert [p["id"] for p in chain] == [personas.bob.pk, personas.mona.pk]


def test_org_admins_grant_roles_through_the_api(personas: Personas) -> None:
    response = api(personas.otto).post(
        f"/api/v1/people/{personas.alice.pk}/roles", {"role": "people_admin"}, content_type="application/json"
    )
    assert "people_admin" in response.json()["roles"]
    bad = api(personas.otto).post(
        f"/api/v1/people/{personas.alice.pk}/roles", {"role": "emperor"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "role" in _error(bad)["fields"]


def test_locations_and_units_are_created_by_people_admins(personas: Personas) -> None:
    client = api(personas.pat)
    created = client.post(
        "/api/v1/locations", {"name": "Tokyo", "time_zone": "Asia/Tokyo"}, content_type="application/json"
    )
    assert created.status_code == 201
    duplicate = client.post("/api/v1/locations", {"name": "Tokyo"}, content_type="application/json")
    assert duplicate.status_code == 400 and "name" in _error(duplicate)["fields"]
    bad_zone = client.post(
        "/api/v1/locations", {"name": "Nowhere", "time_zone": "Nowhere/City"}, content_type="application/json"
    )
    assert "time_zone" in _error(bad_zone)["fields"]
    unit = client.post("/api/v1/org-units", {"path": "Acme / Sales / EMEA"}, content_type="application/json").json()
    assert unit["path"] == "Acme / Sales / EMEA" and unit["kind"] == "team"


def test_the_openapi_description_is_version_3_1(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/people" in schema["paths"]
