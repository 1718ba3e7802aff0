"""Sending notifications. Every domain calls `notify`; this module decides, from the person's
preferences, whether it appears in the app, goes out by email, both, or neither."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.core.response_cache import person_version, version_bump
from learnloop.core.tasks import email_send
from learnloop.notifications.kinds import KINDS, kind_get
from learnloop.notifications.models import Notification, Preference
from learnloop.people.models import Person


@dataclass(frozen=True)
class Choice:
    in_app: bool
    email: bool


def preference_for(person: Person, kind: str) -> Choice:
    row = Preference.objects.filter(person=person, kind=kind).first()
    if row is None:
        return Choice(in_app=True, email=kind_get(kind).email_by_default)
    return Choice(in_app=row.in_app, email=row.email)


def preferences_all(person: Person) -> dict[str, Choice]:
    """Every kind with this person's choice (their own row, or the kind's default): one query."""
    rows = {row.kind: row for row in Preference.objects.filter(person=person)}
    return {
        key: Choice(in_app=rows[key].in_app, email=rows[key].email)
        if key in rows
        else Choice(in_app=True, email=kind.email_by_default)
        for key, kind in KINDS.items()
    }


_held = threading.local()


@contextlib.contextmanager
def emails_held() -> Iterator[None]:
    """Notifications made inside the block appear in the app but send no email: `learnloop demo` makes
    thousands for people who are not real, and must not queue an email for each."""
    _held.active = True
    try:
        yield
    finally:
        _held.active = False


def notify(
    *, recipient: Person, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str
) -> Notification | None:
    """Tell `recipient` something, once per (kind, dedupe_key). Returns the notification, or None when it
    was already sent or the person turned this kind off entirely. Safe to call inside a transaction: the
    email leaves only after the transaction commits."""
    kind_get(kind)
    if not recipient.is_active:
        return None
    choice = preference_for(recipient, kind)
    if not (choice.in_app or choice.email):
        return None
    if Notification.objects.filter(recipient=recipient, kind=kind, dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                dedupe_key=dedupe_key,
                # Email-only notifications are stored as read, so they never show as unread in the app.
                read_at=None if choice.in_app else timezone.now(),
                emailed=choice.email and bool(recipient.email) and not getattr(_held, "active", False),
            )
    except IntegrityError:
        # Another worker sent the same reminder a moment ago.
        return None
    if notification.emailed:
        link = f"{settings.SITE_URL}{url}" if url else settings.SITE_URL
        text = f"{body}\n\n{link}\n\nChoose which notifications you get: {settings.SITE_URL}/notifications/settings/"
        transaction.on_commit(
            lambda: email_send.enqueue(subject=f"[learnloop] {title}", body=text.strip(), to=[recipient.email])
        )
    return notification


def notification_mark_read(*, actor: Person, ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when `ids` is None). Returns how many changed."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    changed = unread.update(read_at=timezone.now())
    if changed:
        version_bump(person_version(actor.pk) or "")
    return changed


@transaction.atomic
def preferences_set(*, actor: Person, choices: dict[str, Choice], source: str = AuditEvent.Source.WEB) -> None:
    """Save the actor's choices; unknown kinds are an error naming the kind."""
    unknown = sorted(set(choices) - set(KINDS))
    if unknown:
        raise ValidationError({"kind": [f"Unknown notification kind: {', '.join(unknown)}."]})
    before = preferences_all(actor)
    changes = {}
    for key, choice in choices.items():
        Preference.objects.update_or_create(
            person=actor, kind=key, defaults={"in_app": choice.in_app, "email": choice.email}
        )
        if before[key] != choice:
            changes[key] = [
                {"in_app": before[key].in_app, "email": before[key].email},
                {"in_app": choice.in_app, "email": choice.email},
            ]
    if changes:
        audit_record(
            actor=actor,
            action="notifications.preferences_set",
            target=actor,
            changes=changes,
            source=source,
        )
