import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learnloop.core import schedule
from learnloop.core.models import AuditEvent, PeriodicRun
from learnloop.core.testing import PersonFactory
from learnloop.notifications.models import Notification
from learnloop.notifications.services import Choice, notification_mark_read, notify, preferences_set

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_notify_once_per_key_in_app_and_by_email(personas):
    alice = personas.alice
    first = notify(recipient=alice, kind="due_soon", title="Due on Friday", url="/x/", dedupe_key="goal:1")
    again = notify(recipient=alice, kind="due_soon", title="Due on Friday", url="/x/", dedupe_key="goal:1")
    assert first is not None and again is None
    assert Notification.objects.filter(recipient=alice).count() == 1
    # The worker sends the email, which links back into learnloop.
    call_command("worker", "--batch", "--no-schedule", verbosity=0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "/x/" in mail.outbox[0].body


def test_unknown_kind_is_a_programming_error(personas):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(recipient=personas.alice, kind="nope", title="x", dedupe_key="1")


@pytest.mark.django_db(transaction=True)
def test_preferences_decide_channels(personas):
    alice = personas.alice
    preferences_set(
        actor=alice,
        choices={"overdue": Choice(in_app=True, email=False), "due_soon": Choice(in_app=False, email=False)},
    )
    assert notify(recipient=alice, kind="overdue", title="Late", dedupe_key="1") is not None
    assert notify(recipient=alice, kind="due_soon", title="Soon", dedupe_key="1") is None
    call_command("worker", "--batch", "--no-schedule", verbosity=0)
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="notifications.preferences_set", actor=alice).count() == 1


def test_email_only_is_stored_read(personas):
    preferences_set(actor=personas.alice, choices={"overdue": Choice(in_app=False, email=True)})
    sent = notify(recipient=personas.alice, kind="overdue", title="Late", dedupe_key="1")
    assert sent is not None and sent.read_at is not None and sent.emailed


def test_leavers_are_not_notified(personas):
    leaver = PersonFactory.create(is_active=False)
    assert notify(recipient=leaver, kind="overdue", title="Late", dedupe_key="1") is None


def test_unknown_preference_kind_names_it(personas):
    with pytest.raises(ValidationError) as caught:
        preferences_set(actor=personas.alice, choices={"bogus": Choice(in_app=True, email=True)})
    assert "bogus" in str(caught.value.message_dict["kind"])


def test_mark_read_touches_only_own(personas):
    mine = notify(recipient=personas.alice, kind="overdue", title="Late", dedupe_key="1")
    theirs = notify(recipient=personas.oscar, kind="overdue", title="Late", dedupe_key="1")
    assert mine is not None and theirs is not None
    assert notification_mark_read(actor=personas.alice, ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_and_badge(client, personas):
    notify(recipient=personas.alice, kind="overdue", title="Your goal is overdue", dedupe_key="1")
    client.force_login(personas.alice)
    page = client.get(reverse("notifications:list"))
    assert "Your goal is overdue" in page.content.decode()
    assert 'aria-label="1 unread"' in page.content.decode()
    client.post(reverse("notifications:mark_read"))
    assert 'aria-label="1 unread"' not in client.get(reverse("notifications:list")).content.decode()


def test_settings_page_saves_choices(client, personas):
    client.force_login(personas.alice)
    response = client.post(reverse("notifications:settings"), {"overdue-in_app": "on"})
    assert response.status_code == 302
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'name="overdue-in_app" aria-label="Overdue in the app" checked' in page
    assert 'name="overdue-email" aria-label="Overdue by email">' in page


def test_api_lists_and_sets_preferences(client, personas):
    notify(recipient=personas.alice, kind="overdue", title="Late", dedupe_key="1")
    client.force_login(personas.alice)
    listed = client.get("/api/v1/notifications?unread=true").json()
    assert listed["count"] == 1 and listed["items"][0]["title"] == "Late"
    bad = client.put(
        "/api/v1/notifications/preferences",
        data=[{"kind": "bogus", "in_app": True, "email": True}],
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["kind"]
    assert client.post("/api/v1/notifications/read", data={}, content_type="application/json").json() == {"marked": 1}


def test_inbox_queries_do_not_grow(client, personas):
    client.force_login(personas.alice)
    counts = []
    for n in (3, 30):
        for i in range(n):
            notify(recipient=personas.alice, kind="overdue", title=f"Late {i}", dedupe_key=f"{n}-{i}")
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("notifications:list"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_schedule_runs_each_job_once_per_period():
    calls: list[str] = []
    schedule.register("test.job", every=dt.timedelta(hours=1), run=lambda: calls.append("ran"))
    try:
        now = timezone.now()
        assert "test.job" in schedule.run_due(now=now, only="test.job")
        assert schedule.run_due(now=now + dt.timedelta(minutes=30), only="test.job") == []
        assert schedule.run_due(now=now + dt.timedelta(hours=1), only="test.job") == ["test.job"]
        assert calls == ["ran", "ran"]
    finally:
        schedule._JOBS.pop("test.job")


def test_a_failing_job_is_recorded_and_tried_next_period():
    def boom() -> None:
        raise RuntimeError("mail server down")

    schedule.register("test.boom", every=dt.timedelta(hours=1), run=boom)
    try:
        assert schedule.run_due(only="test.boom") == []
        assert "mail server down" in PeriodicRun.objects.get(name="test.boom").last_error
    finally:
        schedule._JOBS.pop("test.boom")


def test_held_emails_leave_only_the_in_app_notice(personas):
    from django_tasks_db.models import DBTaskResult

    from learnloop.notifications.services import emails_held

    with emails_held():
        sent = notify(recipient=personas.alice, kind="overdue", title="Late", dedupe_key="held")
    assert sent is not None and not sent.emailed and sent.read_at is None
    assert not DBTaskResult.objects.exists()
