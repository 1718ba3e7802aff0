"""Cached directory answers: the same bytes as the view, retired at once by every kind of write."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.accounts.services import token_create
from learnloop.core.testing import Personas
from learnloop.people import services
from learnloop.people.importer import people_import

pytestmark = pytest.mark.django_db


def _get(client, personas: Personas, path: str, who=None):
    token = token_create(actor=who or personas.alice, person=who or personas.alice, name="t").secret
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_cached_answer_is_the_views_answer_and_costs_two_queries(client, personas: Personas) -> None:
    token = token_create(actor=personas.alice, person=personas.alice, name="t").secret
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/people?limit=5", headers=headers)
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/api/v1/people?limit=5", headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second["Content-Type"] == first["Content-Type"]
    # The token, then the data version; nothing about people.
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_a_profile_change_shows_at_once(client, personas: Personas) -> None:
    token = token_create(actor=personas.alice, person=personas.alice, name="t").secret
    headers = {"Authorization": f"Bearer {token}"}
    client.get(f"/api/v1/people/{personas.oscar.pk}", headers=headers)
    client.get("/api/v1/people?q=oscar", headers=headers)
    services.person_update(actor=personas.pat, person=personas.oscar, title="Chief Curiosity Officer")
    assert client.get(f"/api/v1/people/{personas.oscar.pk}", headers=headers).json()["title"] == (
        "Chief Curiosity Officer"
    )
    assert client.get("/api/v1/people?q=oscar", headers=headers).json()["items"][0]["title"] == (
        "Chief Curiosity Officer"
    )


def test_private_fields_are_never_served_to_another_viewer(client, personas: Personas) -> None:
    path = f"/api/v1/people/{personas.alice.pk}"
    assert _get(client, personas, path, who=personas.bob).json()["employment"] is not None  # her manager
    assert _get(client, personas, path, who=personas.oscar).json()["employment"] is None


def test_a_new_manager_sees_private_fields_at_once(client, personas: Personas) -> None:
    path = f"/api/v1/people/{personas.alice.pk}"
    assert _get(client, personas, path, who=personas.oscar).json()["employment"] is None
    services.person_update(actor=personas.pat, person=personas.alice, manager=personas.oscar)
    assert _get(client, personas, path, who=personas.oscar).json()["employment"] is not None


def test_a_bulk_import_retires_cached_answers(client, personas: Personas) -> None:
    before = _get(client, personas, "/api/v1/people?q=zelda").json()
    assert before["count"] == 0
    people_import(
        actor=personas.pat, text="employee_id,email,first_name,last_name\nZ1,zelda@example.com,Zelda,Zimmer\n"
    )
    assert _get(client, personas, "/api/v1/people?q=zelda").json()["count"] == 1


def test_errors_are_not_cached(client, personas: Personas, settings) -> None:
    assert _get(client, personas, "/api/v1/people/999999").status_code == 404
    assert _get(client, personas, "/api/v1/people?limit=-1").status_code == 400


def test_the_cache_can_be_turned_off(client, personas: Personas, settings) -> None:
    settings.RESPONSE_CACHE_SECONDS = 0
    token = token_create(actor=personas.alice, person=personas.alice, name="t").secret
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/people?limit=5", headers=headers)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/people?limit=5", headers=headers)
    assert len(queries) > 2


def test_the_list_is_cached_for_everyone_alike_because_everyone_may_see_everyone() -> None:
    # If this fails, the directory is no longer the same for every viewer: key the cached list by viewer.
    from learnloop.core.policy import POLICY, Anyone

    assert isinstance(POLICY["people.person"]["view"], Anyone)
