"""Personal API tokens: made, checked and revoked here; and who a token or browser session belongs to."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from learnloop.accounts.models import ApiToken
from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.people.models import Person

TOKEN_PREFIX = "ll_"
# last_used_at is refreshed at most this often, so authenticating does not write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: there is nothing to guess.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *,
    actor: Person | None,
    person: Person,
    name: str,
    expires_at: dt.datetime | None = None,
    source: str = AuditEvent.Source.WEB,
) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, such as what script will use it."]})
    if len(name) > 100:
        raise ValidationError({"name": ["Use at most 100 characters."]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["The expiry must be in the future."]})
    if not person.is_active:
        raise ValidationError({"person": [f"{person} has left the organization."]})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        person=person, name=name, prefix=secret[:10], token_hash=token_hash(secret), expires_at=expires_at
    )
    audit_record(actor=actor, action="token.create", target=token, changes={"name": [None, name]}, source=source)
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def token_revoke(*, actor: Person | None, token: ApiToken, source: str = AuditEvent.Source.WEB) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", target=token, source=source)
    return token


def token_revoke_all(*, actor: Person | None, person: Person, source: str = AuditEvent.Source.WEB) -> int:
    tokens = list(ApiToken.objects.filter(person=person, revoked_at__isnull=True))
    for token in tokens:
        token_revoke(actor=actor, token=token, source=source)
    return len(tokens)


@transaction.atomic
def password_changed(*, actor: Person | None, person: Person, reset: bool, source: str = AuditEvent.Source.WEB) -> int:
    """After a password change or reset: audited, and every API token of the person revoked, since a token
    made by whoever knew the old password must not outlive it. Browser sessions need nothing here: Django
    ties each session to the password hash, so every other session ends with the change (a change on the
    password page keeps only the session it was made in). Returns how many tokens were revoked."""
    audit_record(
        actor=actor,
        action="password.reset" if reset else "password.change",
        target=person,
        changes={"password": ["***", "***"]},
        source=source,
    )
    return token_revoke_all(actor=actor, person=person, source=source)


@transaction.atomic
def access_end(*, actor: Person | None, person: Person, source: str = AuditEvent.Source.WEB) -> None:
    """End every way a leaver gets in, for good, so that reactivating them revives none of it: the password
    becomes unusable (which also ends every browser session, tied to the password hash), API tokens are
    revoked and the calendar feed's secret address is cleared. A person brought back sets a new password
    with "Forgot your password?" and makes new tokens and a new feed."""
    from learnloop.learningtime.models import CalendarFeed

    person.set_unusable_password()
    Person.objects.filter(pk=person.pk).update(password=person.password)
    token_revoke_all(actor=actor, person=person, source=source)
    if (
        CalendarFeed.objects.filter(person=person)
        .exclude(secret_hash="")
        .update(secret_hash="", revoked_at=timezone.now())
    ):
        audit_record(
            actor=actor,
            action="learningtime.feed_revoke",
            target=person,
            changes={"secret": ["***", None]},
            source=source,
        )


def token_check_sql(secret: str) -> tuple[str, list[Any]]:
    """A SELECT of (token_id, person_id, stale) for the live token `secret` of an active person: the
    same checks as `token_authenticate`, as plain SQL for the cached-answer path (where building ORM
    queries would cost more than the whole answer), to run alone or inside a larger statement. `stale` is
    1 when the token's last use should be recorded again (`token_used`)."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        "SELECT t.id AS token_id, t.person_id AS person_id, "
        "CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END AS stale "
        "FROM accounts_apitoken t JOIN people_person p ON p.id = t.person_id "
        "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND p.is_active "
        "AND (t.expires_at IS NULL OR t.expires_at > %s)"
    )
    return sql, [adapt(now - LAST_USED_RESOLUTION), token_hash(secret), adapt(now)]


def token_used(token_id: int, *, stale: bool) -> None:
    """Record a token's use, at most once per LAST_USED_RESOLUTION (what `stale` says)."""
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())


def token_person_id(secret: str) -> int | None:
    """The id of the active person a presented token belongs to, or None (see `token_check_sql`)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    sql, params = token_check_sql(secret)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, person_id, stale = row
    token_used(token_id, stale=bool(stale))
    return int(person_id)


def session_person_id(request: HttpRequest) -> int | None:
    """The id of the active person signed in to this browser session, or None: Django's own checks
    (a configured backend, an active account, the session hash tied to the current password) in one
    plain SQL statement, for the cached-page path, where loading the whole account would cost more than
    the answer. None also when the hash only matches under a rotated SECRET_KEY: the caller then takes
    the ordinary path, where Django's middleware handles that case."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    user_id, backend = session.get(SESSION_KEY), session.get(BACKEND_SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    if user_id is None or backend not in settings.AUTHENTICATION_BACKENDS or not session_hash:
        return None
    try:
        person_id = int(user_id)
    except (TypeError, ValueError):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM people_person WHERE id = %s AND is_active", [person_id])
        row = cursor.fetchone()
    if row is None:
        return None
    # An unsaved Person carrying only the password hash: Django computes the session hash itself.
    expected = Person(pk=person_id, password=row[0]).get_session_auth_hash()
    return person_id if constant_time_compare(session_hash, expected) else None


def token_authenticate(secret: str) -> Person | None:
    """The active person a presented token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("person")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person
