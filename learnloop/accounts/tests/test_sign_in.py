from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client

from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas

PASSWORD = "correct horse battery"


def _fail(client: Client, username: str) -> int:
    return client.post("/accounts/login/", {"username": username, "password": "wrong"}).status_code


def test_people_sign_in_and_out(personas: Personas) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": personas.alice.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Hello, Alice" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(personas: Personas) -> None:
    response = Client().post("/accounts/login/", {"username": personas.alice.username, "password": "nope"})
    assert response.status_code == 200
    assert "email and password do not match an account" in response.content.decode()


def test_repeated_failures_lock_the_sign_in_page(personas: Personas) -> None:
    client = Client()
    statuses = [_fail(client, personas.alice.username) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    locked = client.post("/accounts/login/", {"username": personas.alice.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Someone else is not locked out by Alice's attacker.
    other = Client().post("/accounts/login/", {"username": personas.bob.username, "password": PASSWORD})
    assert other.status_code == 302


def test_repeated_failures_lock_the_api_with_429_and_retry_after(personas: Personas) -> None:
    client = Client()
    body = {"username": personas.alice.username, "password": "wrong", "name": "cli"}
    statuses = [
        client.post("/api/v1/auth/token", body, content_type="application/json").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    locked = client.post("/api/v1/auth/token", {**body, "password": PASSWORD}, content_type="application/json")
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert locked.json()["error"]["code"] == "locked_out"


def test_a_password_gets_a_token_for_scripts(personas: Personas) -> None:
    body = {"username": personas.alice.username, "password": PASSWORD, "name": "cli"}
    token = Client().post("/api/v1/auth/token", body, content_type="application/json").json()["token"]
    assert Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me").json()["id"] == personas.alice.pk


def test_leavers_cannot_sign_in(personas: Personas) -> None:
    personas.alice.is_active = False
    personas.alice.save(update_fields=["is_active"])
    response = Client().post("/accounts/login/", {"username": personas.alice.username, "password": PASSWORD})
    assert response.status_code == 200


def test_changing_a_password_is_audited(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer passphrase",
            "new_password2": "a much longer passphrase",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="password.change")
    assert event.changes == {"password": ["***", "***"]}


def test_a_short_new_password_is_refused_with_the_reason(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200 and "too short" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_password_reset_sends_a_link_that_sets_a_new_password(personas: Personas) -> None:
    Client().post("/accounts/password/reset/", {"email": personas.alice.email})
    assert mail.outbox == []  # sent by the worker, not in the request
    call_command("worker", "--batch", verbosity=0)
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    client = Client()
    form_page = client.get(path, follow=True)
    new = "another long passphrase"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    signed_in = Client().post("/accounts/login/", {"username": personas.alice.username, "password": new})
    assert signed_in.status_code == 302
    assert AuditEvent.objects.filter(action="password.reset").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_email_is_retried_and_the_failure_stays_visible(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.mail.backends.locmem import EmailBackend
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    calls = {"n": 0}
    real_send = EmailBackend.send_messages

    def flaky(self: EmailBackend, messages: list[Any]) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("SMTP server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    Client().post("/accounts/password/reset/", {"email": personas.alice.email})
    call_command("worker", "--batch", verbosity=0)
    assert mail.outbox == []
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert "SMTP server down" in failed.traceback
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    call_command("worker", "--batch", verbosity=0)
    assert len(mail.outbox) == 1
