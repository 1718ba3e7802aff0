"""Sessions and tokens end when they should: password changes, leavers, idle and old sessions; and the
headers and rules around them (no-store, 405 on pages, CORS, lockout behind a proxy, cached answers)."""

import json
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, RequestFactory
from django_tasks_db.models import DBTaskResult

from learnloop.accounts.lockout import client_ip
from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import token_create
from learnloop.accounts.sessions import SEEN_KEY, STARTED_KEY
from learnloop.core.testing import Personas
from learnloop.learningtime.models import CalendarFeed
from learnloop.learningtime.services import feed_rotate
from learnloop.people import services as people_services
from learnloop.people.importer import people_import
from learnloop.people.models import Person, RoleGrant

PASSWORD = "correct horse battery"
NEW = "a much longer passphrase"


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _signed_in(person: Person) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": person.username, "password": PASSWORD}).status_code == 302
    return client


def test_a_password_change_revokes_api_tokens_and_other_sessions_but_keeps_this_one(personas: Personas) -> None:
    secret = token_create(actor=personas.alice, person=personas.alice, name="script").secret
    here, elsewhere = _signed_in(personas.alice), _signed_in(personas.alice)
    response = here.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert _bearer(secret).get("/api/v1/me").status_code == 401
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert ApiToken.objects.get(person=personas.alice).revoked_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_revokes_tokens_and_queues_no_secret(personas: Personas) -> None:
    secret = token_create(actor=personas.alice, person=personas.alice, name="script").secret
    Client().post("/accounts/password/reset/", {"email": personas.alice.email})
    (queued,) = DBTaskResult.objects.all()
    stored = json.dumps(queued.args_kwargs)
    assert "/accounts/password/reset/" not in stored and str(personas.alice.pk) in stored
    call_command("worker", "--batch", verbosity=0)
    from django.core import mail

    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    client = Client()
    form_page = client.get(link.split("testserver", 1)[1], follow=True)
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert _bearer(secret).get("/api/v1/me").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_people_without_a_password_yet_can_ask_for_a_reset(personas: Personas) -> None:
    newcomer = people_services.person_create(
        actor=personas.pat, email="new.person@example.com", first_name="New", last_name="Person"
    )
    Client().post("/accounts/password/reset/", {"email": newcomer.email})
    call_command("worker", "--batch", verbosity=0)
    from django.core import mail

    assert [m.to for m in mail.outbox] == [[newcomer.email]]


def _leaver_with_access(personas: Personas) -> tuple[Client, str]:
    alice = personas.alice
    session = _signed_in(alice)
    secret = token_create(actor=alice, person=alice, name="script").secret
    feed_rotate(actor=alice)
    return session, secret


@pytest.mark.parametrize("route", ["service", "api", "import"])
def test_deactivation_ends_sessions_tokens_and_the_feed_for_good(personas: Personas, route: str) -> None:
    alice = personas.alice
    session, secret = _leaver_with_access(personas)
    if route == "service":
        people_services.person_deactivate(actor=personas.pat, person=alice)
    elif route == "api":
        pat = _bearer(token_create(actor=personas.pat, person=personas.pat, name="t").secret)
        assert pat.post(f"/api/v1/people/{alice.pk}/deactivate", {}, "application/json").status_code == 200
    else:
        text = f"employee_id,email,first_name,last_name,status\n{alice.employee_id},{alice.email},Alice,Adams,left\n"
        people_import(actor=personas.pat, text=text)
    alice.refresh_from_db()
    people_services.person_reactivate(actor=personas.pat, person=alice)
    assert session.get("/").status_code == 302
    assert _bearer(secret).get("/api/v1/me").status_code == 401
    assert not CalendarFeed.objects.get(person=alice).secret_hash
    assert Client().post("/accounts/login/", {"username": alice.username, "password": PASSWORD}).status_code == 200


def test_an_idle_session_ends(personas: Personas) -> None:
    client = _signed_in(personas.alice)
    session = client.session
    session[SEEN_KEY] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_used_often_still_ends_at_its_absolute_lifetime(personas: Personas) -> None:
    client = _signed_in(personas.alice)
    session = client.session
    session[STARTED_KEY] = time.time() - settings.SESSION_MAX_LIFETIME.total_seconds() - 5
    session[SEEN_KEY] = time.time()
    session.save()
    assert client.get("/").status_code == 302


def test_a_session_used_within_the_idle_timeout_lives_on(personas: Personas) -> None:
    client = _signed_in(personas.alice)
    session = client.session
    session[SEEN_KEY] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() + 30
    session.save()
    assert client.get("/").status_code == 200


def test_signed_in_answers_are_not_stored_by_caches(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    token = token_create(actor=personas.alice, person=personas.alice, name="t").secret
    assert _bearer(token).get("/api/v1/people").headers["Cache-Control"] == "no-store"
    # A public answer may be cached; the calendar feed keeps its own policy.
    assert "Cache-Control" not in Client().get("/healthz").headers
    secret = feed_rotate(actor=personas.alice)
    assert client.get(f"/learning-time/feed/{secret}.ics").headers["Cache-Control"] == "private, max-age=300"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_pages_refuse_methods_they_do_not_handle(personas: Personas, method: str) -> None:
    client = Client()
    client.force_login(personas.pat)
    for path in ("/", f"/people/{personas.alice.pk}/edit/", f"/people/{personas.alice.pk}/"):
        response = getattr(client, method)(path)
        assert response.status_code == 405, path
        assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    # The JSON APIs keep their own methods.
    token = token_create(actor=personas.pat, person=personas.pat, name="t").secret
    patch = _bearer(token).patch(f"/api/v1/people/{personas.pat.pk}", {"title": "HR"}, "application/json")
    assert patch.status_code == 200


def test_cors_answers_only_listed_origins_and_never_with_credentials_by_default(settings: Any) -> None:
    client = Client()
    settings.XAPI_CORS_ORIGINS = []
    refused = client.options("/xapi/statements", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused
    settings.XAPI_CORS_ORIGINS = ["https://content.example.com"]
    listed = client.options("/xapi/statements", headers={"Origin": "https://content.example.com"})
    assert listed["Access-Control-Allow-Origin"] == "https://content.example.com"
    assert "Access-Control-Allow-Credentials" not in listed
    assert "Access-Control-Allow-Origin" not in client.options("/xapi/statements", headers={"Origin": "https://x.io"})
    settings.XAPI_CORS_CREDENTIALS = True
    assert (
        client.options("/xapi/statements", headers={"Origin": "https://content.example.com"})[
            "Access-Control-Allow-Credentials"
        ]
        == "true"
    )
    settings.XAPI_CORS_ORIGINS = ["*"]
    anyone = client.options("/xapi/statements", headers={"Origin": "https://x.io"})
    assert anyone["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in anyone


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "client"),
    [
        (0, "203.0.113.9", "10.0.0.2", "10.0.0.2"),  # no proxy trusted: the header is the client's own words
        (1, "203.0.113.9", "10.0.0.2", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "10.0.0.2", "203.0.113.9"),  # a forged entry in front is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "10.0.0.2", "203.0.113.9"),
        (2, "", "10.0.0.2", "10.0.0.2"),  # fewer hops than configured: the leftmost known address
    ],
)
def test_lockout_counts_the_clients_address_behind_trusted_proxies(
    settings: Any, proxies: int, forwarded: str, remote: str, client: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == client


def test_behind_a_proxy_one_attackers_failures_do_not_lock_out_another_visitor(
    personas: Personas, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client(HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.2")
    bad = {"username": personas.alice.username, "password": "wrong"}
    statuses = [attacker.post("/accounts/login/", bad).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    visitor = Client(HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")
    good = {"username": personas.alice.username, "password": PASSWORD}
    assert visitor.post("/accounts/login/", good).status_code == 302


def test_a_removed_role_stops_showing_in_cached_answers_at_once(personas: Personas) -> None:
    from learnloop.learning.models import CatalogItem
    from learnloop.learning.services import item_create

    item_create(
        actor=personas.lena,
        title="Draft on coaching",
        kind=CatalogItem.Kind.SELF_PACED,
        summary="Drafted.",
        is_published=False,
    )
    secret = token_create(actor=personas.lena, person=personas.lena, name="t").secret

    def titles() -> list[str]:
        return [i["title"] for i in _bearer(secret).get("/api/v1/catalog?q=coaching").json()["items"]]

    assert titles() == ["Draft on coaching"]
    assert titles() == ["Draft on coaching"]  # now from the cache
    people_services.role_revoke(actor=personas.otto, person=personas.lena, role="ld_admin")
    assert not RoleGrant.objects.filter(person=personas.lena).exists()
    assert titles() == []


def test_a_team_is_listed_by_one_rule_in_the_list_the_reports_endpoint_and_the_profile(
    personas: Personas,
) -> None:
    bob = personas.bob
    for viewer, sees in ((personas.oscar, False), (personas.lena, False), (bob, True), (personas.mona, True)):
        api = _bearer(token_create(actor=viewer, person=viewer, name="t").secret)
        listed = [p["id"] for p in api.get("/api/v1/people", {"manager": bob.pk}).json()["items"]]
        reports = api.get(f"/api/v1/people/{bob.pk}/reports")
        page = Client()
        page.force_login(viewer)
        profile = page.get(f"/people/{bob.pk}/").content.decode()
        assert (listed == [personas.alice.pk]) is sees, viewer
        assert (reports.status_code == 200) is sees, viewer
        assert ("Direct reports" in profile) is sees, viewer
        assert listed in ([], [personas.alice.pk])
