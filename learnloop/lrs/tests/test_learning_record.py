import io
import json
from typing import cast

import pytest
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse
from django.test import Client as HttpClient
from django.test import override_settings

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.lrs.events import VERBS, activity_iri, record_event
from learnloop.lrs.models import Client, Statement
from learnloop.lrs.tests.conftest import Lrs, statement


def test_learnloop_records_its_own_events_as_statements_about_the_person(personas: Personas) -> None:
    statement_id = record_event(
        person=personas.alice,
        verb="completed",
        activity_id=activity_iri("catalog-item", 42),
        activity_name="Negotiation basics",
        activity_type="catalog-item",
        result={"completion": True},
    )
    stored = Statement.objects.get(statement_id=statement_id)
    assert stored.person == personas.alice
    assert stored.verb_id == VERBS["completed"].iri
    assert stored.data["actor"]["account"]["name"] == personas.alice.username
    assert stored.data["context"]["platform"] == "learnloop"
    assert stored.client is not None and stored.client.name == "learnloop"


def test_the_internal_client_cannot_be_used_to_sign_in(personas: Personas) -> None:
    record_event(
        person=personas.alice,
        verb="attended",
        activity_id=activity_iri("meeting", 1),
        activity_name="Lunch and learn",
        activity_type="meeting",
    )
    internal = Client.objects.get(name="learnloop")
    assert Lrs(internal.key, "").get().status_code == 401
    assert Lrs(internal.key, "!").get().status_code == 401


def test_statements_from_outside_count_for_the_person_with_that_email(personas: Personas, lrs: Lrs) -> None:
    lrs.post(json.dumps(statement(actor={"mbox": f"mailto:{personas.bob.email}", "name": "Bob"})))
    assert Statement.objects.get().person == personas.bob


def test_people_see_and_export_their_own_record_only(personas: Personas, lrs: Lrs) -> None:
    for _ in range(3):
        record_event(
            person=personas.alice,
            verb="completed",
            activity_id=activity_iri("catalog-item", 1),
            activity_name="Writing well",
            activity_type="catalog-item",
        )
    record_event(
        person=personas.bob,
        verb="completed",
        activity_id=activity_iri("catalog-item", 2),
        activity_name="Bob's course",
        activity_type="catalog-item",
    )
    client = HttpClient()
    client.force_login(personas.alice)
    page = client.get("/learning-record/").content.decode()
    assert "Writing well" in page and "Bob&#x27;s course" not in page and "Bob's course" not in page
    export = client.get("/learning-record/export.json")
    assert export["Content-Disposition"].startswith("attachment")
    exported = json.loads(b"".join(cast(StreamingHttpResponse, export).streaming_content))  # type: ignore[arg-type]
    assert len(exported) == 3 and {s["actor"]["account"]["name"] for s in exported} == {personas.alice.username}
    secret = token_create(actor=personas.alice, person=personas.alice, name="t").secret
    api = HttpClient(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me/statements").json()
    assert api["count"] == 3


def test_the_export_streams_beyond_one_chunk(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    from learnloop.lrs import views

    monkeypatch.setattr(views, "EXPORT_CHUNK", 2)
    for n in range(5):
        record_event(
            person=personas.alice,
            verb="progressed",
            activity_id=activity_iri("catalog-item", n),
            activity_name=f"Item {n}",
            activity_type="catalog-item",
        )
    client = HttpClient()
    client.force_login(personas.alice)
    export = cast(StreamingHttpResponse, client.get("/learning-record/export.json"))
    exported = json.loads(b"".join(export.streaming_content))  # type: ignore[arg-type]
    assert [s["object"]["definition"]["name"]["en"] for s in exported] == [f"Item {n}" for n in range(4, -1, -1)]


def test_the_command_makes_and_revokes_clients(db: None) -> None:
    out = io.StringIO()
    call_command("lrs", "client", "create", "Course player", "--scope", "write", "--json", stdout=out)
    made = json.loads(out.getvalue())
    assert set(made) >= {"key", "secret", "endpoint"} and made["scopes"] == ["write"]
    player = Lrs(made["key"], made["secret"])
    assert player.post(json.dumps(statement())).status_code == 200
    assert player.get().status_code == 403
    with pytest.raises(CommandError, match="--scope"):
        call_command("lrs", "client", "create", "x", "--scope", "admin")
    with pytest.raises(CommandError, match="already exists"):
        call_command("lrs", "client", "create", "Course player")
    call_command("lrs", "client", "revoke", "Course player", stdout=io.StringIO())
    assert player.post(json.dumps(statement())).status_code == 401
    assert AuditEvent.objects.filter(action__startswith="lrs_client.").count() == 2
    assert Client.objects.get(name="Course player").secret_hash != made["secret"]


def test_org_admins_connect_a_client_in_the_admin_area_and_revoke_it(personas: Personas) -> None:
    admin = HttpClient()
    admin.force_login(personas.otto)
    page = admin.post("/learning-record/clients/", {"name": "Safety course", "can_write": "on"}).content.decode()
    key = page.split('id="new-key">')[1].split("<")[0]
    secret = page.split('id="new-secret">')[1].split("<")[0]
    player = Lrs(key, secret)
    assert player.post(json.dumps(statement())).status_code == 200
    assert player.get().status_code == 403  # write only
    assert secret not in admin.get("/learning-record/clients/").content.decode()
    duplicate = admin.post("/learning-record/clients/", {"name": "Safety course", "can_read": "on"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.content.decode()
    made = Client.objects.get(name="Safety course")
    admin.post(f"/learning-record/clients/{made.pk}/revoke/")
    assert player.post(json.dumps(statement())).status_code == 401
    assert "learnloop" not in [c.name for c in admin.get("/learning-record/clients/").context["clients"]]


def test_the_clients_page_names_the_endpoint_the_admin_reached(personas: Personas) -> None:
    admin = HttpClient(HTTP_HOST="127.0.0.1:9000")
    admin.force_login(personas.otto)
    page = admin.get("/learning-record/clients/").content.decode()
    assert "<code>http://127.0.0.1:9000/xapi/</code>" in page and "8000" not in page
    issued = admin.post("/learning-record/clients/", {"name": "Course", "can_write": "on"}).content.decode()
    assert "<dd><code>http://127.0.0.1:9000/xapi/</code></dd>" in issued


@override_settings(SITE_URL="https://learn.example.com")
def test_the_command_names_the_configured_site_s_endpoint(db: None) -> None:
    out = io.StringIO()
    call_command("lrs", "client", "create", "Course player", "--json", stdout=out)
    assert json.loads(out.getvalue())["endpoint"] == "https://learn.example.com/xapi/"
