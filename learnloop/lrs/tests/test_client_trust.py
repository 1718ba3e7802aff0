"""Which activities a client's statements may move learning for: set on the command line and on the
clients admin page, audited, and nothing by default except learnloop's own client."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.lrs.events import internal_client
from learnloop.lrs.models import Client
from learnloop.lrs.services import client_create


def test_a_new_client_is_trusted_for_nothing_and_learnloops_own_for_everything(db: None) -> None:
    made = client_create(actor=None, name="Course player").client
    assert made.trusted_activity_prefixes == [] and not made.trusts("https://academy.example/course")
    assert internal_client().trusts("https://anything.example/at/all")


def test_the_command_sets_what_a_client_is_trusted_for(db: None) -> None:
    out = io.StringIO()
    call_command(
        "lrs", "client", "create", "Academy", "--trust", "https://academy.example/courses/", "--json", stdout=out
    )
    assert json.loads(out.getvalue())["trusted_activity_prefixes"] == ["https://academy.example/courses/"]
    call_command(
        "lrs", "client", "trust", "Academy", "https://academy.example/a/", "https://academy.example/b/", stdout=out
    )
    client = Client.objects.get(name="Academy")
    assert client.trusted_activity_prefixes == ["https://academy.example/a/", "https://academy.example/b/"]
    listing = io.StringIO()
    call_command("lrs", "client", "list", stdout=listing)
    assert "trusted: https://academy.example/a/ https://academy.example/b/" in listing.getvalue()
    call_command("lrs", "client", "trust", "Academy", "--none", stdout=out)
    client.refresh_from_db()
    assert client.trusted_activity_prefixes == []
    changes = AuditEvent.objects.filter(action="lrs_client.trust", source="cli").order_by("pk")
    assert [c.changes["trusted_activity_prefixes"][1] for c in changes] == [
        ["https://academy.example/a/", "https://academy.example/b/"],
        [],
    ]
    with pytest.raises(CommandError, match="--none"):
        call_command("lrs", "client", "trust", "Academy")
    with pytest.raises(CommandError, match="absolute IRI"):
        call_command("lrs", "client", "trust", "Academy", "academy")
    with pytest.raises(CommandError, match="no LRS client"):
        call_command("lrs", "client", "trust", "Nobody", "https://a.example/")


def test_org_admins_set_what_a_client_is_trusted_for_on_the_clients_page(personas: Personas) -> None:
    admin = HttpClient()
    admin.force_login(personas.otto)
    admin.post(
        "/learning-record/clients/",
        {"name": "Academy", "can_write": "on", "trusted_activity_prefixes": "https://academy.example/courses/\r\n"},
    )
    client = Client.objects.get(name="Academy")
    assert client.trusted_activity_prefixes == ["https://academy.example/courses/"]
    listing = admin.get("/learning-record/clients/").content.decode()
    assert "<code>https://academy.example/courses/</code>" in listing
    assert f"/learning-record/clients/{client.pk}/trust/" in listing
    page = admin.get(f"/learning-record/clients/{client.pk}/trust/")
    assert page.status_code == 200 and "https://academy.example/courses/" in page.content.decode()
    bad = admin.post(f"/learning-record/clients/{client.pk}/trust/", {"trusted_activity_prefixes": "https://"})
    assert bad.status_code == 400 and "absolute IRI" in bad.content.decode()
    saved = admin.post(
        f"/learning-record/clients/{client.pk}/trust/",
        {"trusted_activity_prefixes": "https://academy.example/a/\nhttps://academy.example/b/"},
    )
    assert saved.status_code == 302
    client.refresh_from_db()
    assert client.trusted_activity_prefixes == ["https://academy.example/a/", "https://academy.example/b/"]
    assert AuditEvent.objects.filter(action="lrs_client.trust", actor=personas.otto, source="web").exists()
    # learnloop's own client is not on the page and cannot be changed there.
    internal = internal_client()
    assert admin.get(f"/learning-record/clients/{internal.pk}/trust/").status_code == 404
