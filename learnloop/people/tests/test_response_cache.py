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


def test_a_cached_answer_is_the_views_answer_and_costs_one_query(client, personas: Personas) -> None:
    token = token_create(actor=personas.alice, person=personas.alice, name="t").secret
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/people?limit=5", headers=headers)
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/api/v1/people?limit=5", headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second["Content-Type"] == first["Content-Type"]
    # The token and the data versions in one round trip; nothing about people.
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_an_answer_that_depends_on_the_viewer_follows_their_own_version(client, personas: Personas) -> None:
    """The catalog answer names the viewer's own version ("person:{person}"), resolved in the same query
    as the token: a change to the viewer retires their answer, a change to someone else does not."""
    from learnloop.core.response_cache import version_bump

    headers = {"Authorization": f"Bearer {token_create(actor=personas.alice, person=personas.alice, name='t').secret}"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/catalog?q=coaching", headers=headers).status_code == 200
        return len(captured)

    queries()
    assert queries() == 1
    version_bump(f"person:{personas.bob.pk}")
    assert queries() == 1
    version_bump(f"person:{personas.alice.pk}")
    assert queries() > 1  # answered by the view again
    assert queries() == 1


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


# --- "My home", cached per browser session ---------------------------------------------------------


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _signed_in(client, person) -> None:
    client.force_login(person)
    client.get("/accounts/tokens/")  # any page: the CSRF cookie is set, as in a browser


def test_home_is_served_from_the_cache_with_few_queries(client, personas: Personas) -> None:
    _signed_in(client, personas.alice)
    first = _home(client)
    with CaptureQueriesContext(connection) as queries:
        second = _home(client)
    assert first == second
    # The signed-in person's password hash and active flag, then the data versions.
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_a_leaver_is_never_served_a_cached_page(client, personas: Personas) -> None:
    _signed_in(client, personas.alice)
    _home(client)
    services.person_deactivate(actor=personas.pat, person=personas.alice)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_cached_path_trusts_a_session_only_as_far_as_django_would(client, personas: Personas) -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.test import RequestFactory

    from learnloop.accounts.services import session_person_id

    def viewer(**changes) -> int | None:
        request = RequestFactory().get("/")
        request.session = client.session
        for key, value in changes.items():
            request.session[key] = value
        return session_person_id(request)

    _signed_in(client, personas.alice)
    assert viewer() == personas.alice.pk
    assert viewer(**{BACKEND_SESSION_KEY: "somewhere.else.Backend"}) is None
    personas.alice.set_password("a-new-long-passphrase-42")
    personas.alice.save(update_fields=["password"])
    assert viewer() is None
    _signed_in(client, personas.alice)
    assert viewer() == personas.alice.pk
    services.person_deactivate(actor=personas.pat, person=personas.alice)
    assert viewer() is None


def test_home_shows_a_new_notification_and_a_read_one_at_once(client, personas: Personas) -> None:
    from learnloop.notifications.services import notification_mark_read, notify

    _signed_in(client, personas.alice)
    assert 'aria-label="1 unread"' not in _home(client)
    notify(recipient=personas.alice, kind="overdue", title="Late", dedupe_key="x")
    assert 'aria-label="1 unread"' in _home(client)
    notification_mark_read(actor=personas.alice)
    assert 'aria-label="1 unread"' not in _home(client)


def test_home_follows_a_new_manager_and_skill_rating(client, personas: Personas) -> None:
    _signed_in(client, personas.alice)
    assert "Oscar" not in _home(client)
    services.person_update(actor=personas.pat, person=personas.alice, manager=personas.oscar)
    assert "Oscar" in _home(client)


def test_another_browser_session_never_gets_this_sessions_page(client, personas: Personas) -> None:
    from django.test import Client

    _signed_in(client, personas.alice)
    _home(client)
    other = Client()
    _signed_in(other, personas.alice)
    # The page carries its session's CSRF token: the second session's page is built afresh.
    with CaptureQueriesContext(connection) as queries:
        _home(other)
    assert len(queries) > 3


def test_a_flash_message_is_never_swallowed_by_the_cache(client, personas: Personas) -> None:
    _signed_in(client, personas.alice)
    _home(client)
    client.post("/notifications/read/")  # sets "Marked 0 notifications as read."
    assert "Marked 0 notifications as read." in _home(client)


def test_team_matrix_follows_a_new_rating_of_a_report(client, personas: Personas) -> None:
    from learnloop.core.testing import JobRoleFactory
    from learnloop.skills.services import assessment_record, requirement_set, skill_create

    skill = skill_create(actor=None, name="Facilitation")
    role = JobRoleFactory.create()
    services.person_update(actor=None, person=personas.alice, job_role=role)
    requirement_set(actor=None, job_role=role, skill=skill, level=3)
    _signed_in(client, personas.bob)
    client.get("/skills/team/")
    with CaptureQueriesContext(connection) as queries:
        before = client.get("/skills/team/").content.decode()
    assert len(queries) <= 3  # served from the cache
    assessment_record(actor=personas.bob, person=personas.alice, skill=skill, source="manager", level=4)
    after = client.get("/skills/team/").content.decode()
    assert after != before


def test_catalog_search_follows_a_new_item_and_keeps_drafts_private(client, personas: Personas) -> None:
    from learnloop.learning.services import item_create

    def found(who, text: str) -> int:
        token = token_create(actor=who, person=who, name="t").secret
        answer = client.get(f"/api/v1/catalog?q={text}", headers={"Authorization": f"Bearer {token}"})
        return answer.json()["count"]

    assert found(personas.alice, "orbital") == 0
    item_create(actor=None, kind="self_paced", title="Orbital mechanics", summary="Draft.", is_published=False)
    assert found(personas.lena, "orbital") == 1  # L&D sees drafts
    assert found(personas.alice, "orbital") == 0
    item_create(actor=None, kind="self_paced", title="Orbital basics", summary="Out now.", is_published=True)
    assert found(personas.alice, "orbital") == 1


def test_bulk_work_can_pause_tracking_and_retire_everything_at_the_end(personas: Personas) -> None:
    from learnloop.core import response_cache

    before = response_cache.versions_get((response_cache.DIRECTORY, response_cache.EVERYTHING))
    with response_cache.tracking_paused():
        services.person_update(actor=None, person=personas.oscar, title="Paused")
    assert response_cache.versions_get((response_cache.DIRECTORY, response_cache.EVERYTHING)) == before
    services.person_update(actor=None, person=personas.oscar, title="Tracked")
    assert response_cache.versions_get((response_cache.DIRECTORY,))[0] == before[0] + 1
