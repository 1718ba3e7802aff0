import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import token_authenticate, token_create, token_hash, token_revoke
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas


def _get(secret: str, path: str = "/api/v1/me") -> int:
    return Client(headers={"Authorization": f"Bearer {secret}"}).get(path).status_code


def test_only_a_hash_of_the_token_is_stored(personas: Personas) -> None:
    issued = token_create(actor=personas.alice, person=personas.alice, name="laptop")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret.startswith("ll_") and len(issued.secret) > 40
    assert stored.token_hash == token_hash(issued.secret) != issued.secret
    assert issued.secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert issued.secret not in json.dumps(list(AuditEvent.objects.values("changes")), default=str)


def test_a_token_authenticates_until_it_is_revoked(personas: Personas) -> None:
    issued = token_create(actor=personas.alice, person=personas.alice, name="laptop")
    assert _get(issued.secret) == 200
    token_revoke(actor=personas.alice, token=issued.token)
    assert _get(issued.secret) == 401
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(issued.token.pk)).exists()


def test_expired_tokens_and_tokens_of_leavers_are_refused(personas: Personas) -> None:
    issued = token_create(
        actor=personas.alice, person=personas.alice, name="short", expires_at=timezone.now() + dt.timedelta(seconds=1)
    )
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert token_authenticate(issued.secret) is None
    other = token_create(actor=personas.bob, person=personas.bob, name="script")
    personas.bob.is_active = False
    personas.bob.save(update_fields=["is_active"])
    assert _get(other.secret) == 401
    assert _get("ll_made-up") == 401 and _get("not-even-our-format") == 401


def test_a_token_needs_a_name_and_a_future_expiry(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        token_create(actor=personas.alice, person=personas.alice, name="  ")
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        token_create(
            actor=personas.alice, person=personas.alice, name="x", expires_at=timezone.now() - dt.timedelta(days=1)
        )
    assert "expires_at" in caught.value.message_dict


def test_tokens_are_made_and_revoked_through_the_api(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    created = client.post("/api/v1/tokens", {"name": "ci"}, content_type="application/json").json()
    assert _get(created["token"]) == 200
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
    assert client.delete(f"/api/v1/tokens/{created['id']}").json()["revoked_at"] is not None
    assert _get(created["token"]) == 401


def test_the_token_page_shows_a_new_token_once(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    page = client.post("/accounts/tokens/", {"name": "laptop"}).content.decode()
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert _get(secret) == 200
    assert secret not in client.get("/accounts/tokens/").content.decode()
    assert client.post("/accounts/tokens/", {"name": ""}).status_code == 400


def test_the_command_prints_a_token_for_scripts(personas: Personas) -> None:
    out = io.StringIO()
    call_command("token", "create", personas.alice.username, "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert _get(body["token"]) == 200 and body["username"] == personas.alice.username
    plain = io.StringIO()
    call_command("token", "create", personas.alice.username, stdout=plain)
    assert _get(plain.getvalue().strip()) == 200
    with pytest.raises(CommandError, match="no user"):
        call_command("token", "create", "nobody@example.com")
    listing = io.StringIO()
    call_command("token", "list", personas.alice.username, stdout=listing)
    assert listing.getvalue().count("active") == 2
    call_command("token", "revoke", str(body["id"]), stdout=io.StringIO())
    assert _get(body["token"]) == 401


def test_the_cached_answer_path_checks_tokens_exactly_as_the_api_does(personas: Personas) -> None:
    """`token_person_id` and the cached-answer path's one query (plain SQL) agree with
    `token_authenticate` on every case."""
    from learnloop.accounts.services import token_person_id
    from learnloop.core.response_cache import _token_viewer_and_versions

    def both(secret: str) -> tuple[int | None, int | None]:
        person = token_authenticate(secret)
        found = _token_viewer_and_versions(secret, ("everything", "person:{person}"))
        assert (found[0].pk if found else None) == token_person_id(secret)
        return token_person_id(secret), person.pk if person else None

    live = token_create(actor=personas.alice, person=personas.alice, name="live")
    assert both(live.secret) == (personas.alice.pk, personas.alice.pk)
    ApiToken.objects.filter(pk=live.token.pk).update(last_used_at=None)
    token_person_id(live.secret)
    assert ApiToken.objects.get(pk=live.token.pk).last_used_at is not None  # use is still recorded
    expired = token_create(actor=personas.alice, person=personas.alice, name="old")
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert both(expired.secret) == (None, None)
    revoked = token_create(actor=personas.alice, person=personas.alice, name="gone")
    token_revoke(actor=personas.alice, token=revoked.token)
    assert both(revoked.secret) == (None, None)
    leaver = token_create(actor=personas.oscar, person=personas.oscar, name="leaver")
    personas.oscar.is_active = False
    personas.oscar.save(update_fields=["is_active"])
    assert both(leaver.secret) == (None, None)
    assert both("ll_made-up") == (None, None) and both("nope") == (None, None)
    # A revoked token never reaches a cached answer either.
    assert _get(live.secret, "/api/v1/people") == 200
    token_revoke(actor=personas.alice, token=live.token)
    assert _get(live.secret, "/api/v1/people") == 401
