"""Writing to the LRS: statements (with voiding and attachments) and documents.

Statements are immutable. The only change an existing statement sees is being voided, and only a
voiding statement causes it. Every write happens in one transaction: a batch is stored whole or not
at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.lrs.agents import agent_ifi, agent_ifis
from learnloop.lrs.models import Activity, Attachment, Client, Statement, StatementActivity, StatementAgent
from learnloop.lrs.validation import (
    VOIDED_VERB,
    StatementInvalid,
    comparable_statement,
    normalize_context_activities,
    validate_statement,
)
from learnloop.people.models import Person


class Conflict(Exception):
    """A statement id is already stored with different content (409)."""


@dataclass(frozen=True)
class IssuedClient:
    client: Client
    secret: str


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def client_create(
    *,
    actor: Person | None,
    name: str,
    can_read: bool = True,
    can_write: bool = True,
    own_statements_only: bool = False,
    xapi_version: str = "2.0.0",
    source: str = AuditEvent.Source.WEB,
) -> IssuedClient:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Give the client a name, such as the course or tool that will use it."]})
    if not (can_read or can_write):
        raise ValidationError({"scope": ["A client needs read, write, or both."]})
    if xapi_version not in ("1.0.3", "2.0.0"):
        raise ValidationError({"xapi_version": ["Choose 1.0.3 or 2.0.0."]})
    if Client.objects.filter(name=name).exists():
        raise ValidationError({"name": [f"A client called {name!r} already exists."]})
    secret = secrets.token_urlsafe(32)
    client = Client.objects.create(
        name=name,
        key=secrets.token_hex(10),
        secret_hash=secret_hash(secret),
        can_read=can_read,
        can_write=can_write,
        own_statements_only=own_statements_only,
        xapi_version=xapi_version,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="lrs_client.create",
        target=client,
        changes={"name": [None, name], "scopes": [None, client.scopes]},
        source=source,
    )
    return IssuedClient(client=client, secret=secret)


@transaction.atomic
def client_revoke(*, actor: Person | None, client: Client, source: str = AuditEvent.Source.WEB) -> Client:
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="lrs_client.revoke", target=client, source=source)
    return client


def client_authenticate(key: str, secret: str) -> Client | None:
    client = Client.objects.filter(key=key, revoked_at__isnull=True).first()
    if client is None or not secrets.compare_digest(client.secret_hash, secret_hash(secret)):
        return None
    return client


def authority_for(client: Client | None, person: Person | None) -> dict[str, Any]:
    """Who vouches for a statement: the client's account on this LRS, or the signed-in person."""
    if client is not None:
        return {
            "objectType": "Agent",
            "name": client.name,
            "account": {"homePage": settings.SITE_URL, "name": client.key},
        }
    assert person is not None
    return {
        "objectType": "Agent",
        "name": person.display_name,
        "account": {"homePage": settings.SITE_URL, "name": person.username},
    }


# --- Statements -----------------------------------------------------------------------------------

# Properties the LRS sets or may change; two statements with the same id are "the same" when they
# agree on everything else.
_IGNORED_FOR_EQUALITY = ("id", "stored", "authority", "version", "timestamp")


def _comparable(statement: dict[str, Any]) -> str:
    body = comparable_statement(statement, _IGNORED_FOR_EQUALITY)
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _parse_time(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    assert parsed is not None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _activities(statement: dict[str, Any]) -> Iterable[tuple[str, bool]]:
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        yield obj["id"], True
    elif kind == "SubStatement":
        yield from ((activity, False) for activity, _ in _activities(obj))
    for entry in (statement.get("context") or {}).get("contextActivities", {}).values():
        for activity in entry if isinstance(entry, list) else [entry]:
            yield activity["id"], False


def _agents(statement: dict[str, Any], *, top: bool = True) -> Iterable[tuple[str, bool]]:
    def of(agent: dict[str, Any], is_actor: bool) -> Iterable[tuple[str, bool]]:
        for ifi in agent_ifis(agent):
            yield ifi, is_actor
        for member in agent.get("member", []) or []:
            for ifi in agent_ifis(member):
                yield ifi, False

    yield from of(statement["actor"], top)
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        yield from of(obj, top)
    elif kind == "SubStatement":
        yield from ((ifi, False) for ifi, _ in _agents(obj, top=False))
    context = statement.get("context") or {}
    for key in ("instructor", "team"):
        if key in context:
            yield from of(context[key], False)
    for entry in context.get("contextAgents", []) or []:
        yield from of(entry["agent"], False)
    for entry in context.get("contextGroups", []) or []:
        yield from of(entry["group"], False)
    if top and "authority" in statement:
        yield from of(statement["authority"], False)


def _object_ref(obj: dict[str, Any]) -> tuple[str, str]:
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        return kind, agent_ifi(obj)
    if kind == "SubStatement":
        return kind, ""
    return kind, obj["id"]


def _people_for(actors: list[dict[str, Any]]) -> list[int | None]:
    """The learnloop person each actor is (by email or learnloop account), in two queries for a batch."""
    emails = {
        a["mbox"][7:].lower() for a in actors if isinstance(a.get("mbox"), str) and a["mbox"].startswith("mailto:")
    }
    usernames = {
        str(a["account"].get("name"))
        for a in actors
        if isinstance(a.get("account"), dict) and a["account"].get("homePage") == settings.SITE_URL
    }
    by_email: dict[str, int] = {}
    if emails:
        # person_email_lower_idx makes this an index lookup even for addresses learnloop does not know.
        people = Person.objects.alias(email_lower=Lower("email")).filter(email_lower__in=emails)
        by_email = {email.lower(): pk for pk, email in people.values_list("pk", "email")}
    by_username = dict(Person.objects.filter(username__in=usernames).values_list("username", "pk")) if usernames else {}
    found: list[int | None] = []
    for actor in actors:
        mbox = actor.get("mbox")
        if isinstance(mbox, str) and mbox.startswith("mailto:"):
            found.append(by_email.get(mbox[7:].lower()))
        elif isinstance(actor.get("account"), dict) and actor["account"].get("homePage") == settings.SITE_URL:
            found.append(by_username.get(str(actor["account"].get("name"))))
        else:
            found.append(None)
    return found


def prepare_statement(
    raw: Any, *, version: str, authority: dict[str, Any], now: dt.datetime, statement_id: str | None = None
) -> dict[str, Any]:
    """Validate and complete one statement: id, stored, timestamp, authority and version as the LRS sets them."""
    statement = validate_statement(raw, version=version)
    normalize_context_activities(statement)
    if statement_id is not None:
        if "id" in statement and statement["id"].lower() != statement_id.lower():
            raise StatementInvalid("id", "differs from the statementId parameter")
        statement["id"] = statement_id
    statement["id"] = str(uuid.UUID(statement.get("id") or str(uuid.uuid4())))
    statement["stored"] = _iso(now)
    statement.setdefault("timestamp", statement["stored"])
    statement["authority"] = authority
    statement.setdefault("version", "2.0.0" if version.startswith("2.") else "1.0.0")
    return statement


@transaction.atomic
def statements_store(
    *,
    statements: list[Any],
    version: str,
    client: Client | None,
    person: Person | None = None,
    attachments: dict[str, tuple[str, bytes]] | None = None,
    statement_id: str | None = None,
) -> list[str]:
    """Store a batch; return the ids in order. Raises StatementInvalid (400) or Conflict (409)."""
    now = timezone.now()
    authority = authority_for(client, person)
    prepared = [
        prepare_statement(raw, version=version, authority=authority, now=now, statement_id=statement_id)
        for raw in statements
    ]
    ids = [s["id"] for s in prepared]
    if len(set(ids)) != len(ids):
        raise StatementInvalid("id", "the same statement id appears twice in one request")
    _check_attachments(prepared, attachments or {})

    existing = {str(row.statement_id): row for row in Statement.objects.filter(statement_id__in=ids)}
    new = []
    for statement in prepared:
        found = existing.get(statement["id"])
        if found is None:
            new.append(statement)
        elif _comparable(found.data) != _comparable(statement):
            raise Conflict(f"statement {statement['id']} is already stored with different content")

    voided_targets = [s["object"]["id"] for s in new if s["verb"]["id"] == VOIDED_VERB]
    if voided_targets:
        voiding = Statement.objects.filter(statement_id__in=voided_targets, verb_id=VOIDED_VERB).exists()
        batch_voiding = {s["id"] for s in new if s["verb"]["id"] == VOIDED_VERB} & set(voided_targets)
        if voiding or batch_voiding:
            raise StatementInvalid("object.id", "a voiding statement cannot void another voiding statement")

    rows = []
    people = _people_for([statement["actor"] for statement in new])
    for statement, person_id in zip(new, people, strict=True):
        kind, ref = _object_ref(statement["object"])
        rows.append(
            Statement(
                statement_id=statement["id"],
                stored=now,
                timestamp=_parse_time(statement["timestamp"]),
                actor_ifi=agent_ifi(statement["actor"]),
                verb_id=statement["verb"]["id"],
                object_type=kind,
                object_ref=ref,
                registration=(statement.get("context") or {}).get("registration"),
                object_statement=statement["object"]["id"] if kind == "StatementRef" else None,
                client=client,
                person_id=person_id,
                version=statement["version"],
                data=statement,
            )
        )
    try:
        Statement.objects.bulk_create(rows)
    except IntegrityError as exc:  # another request stored the same id a moment ago
        raise Conflict("a statement with this id was stored concurrently") from exc
    # bulk_create sets each row's key (RETURNING on PostgreSQL and SQLite), so nothing is read back.
    by_id = {str(row.statement_id): row for row in rows}
    StatementActivity.objects.bulk_create(
        StatementActivity(statement=by_id[s["id"]], activity_id=activity, is_object=is_object)
        for s in new
        for activity, is_object in dict(_activities(s)).items()
    )
    StatementAgent.objects.bulk_create(
        StatementAgent(statement=by_id[s["id"]], agent_ifi=ifi, is_actor=is_actor)
        for s in new
        for ifi, is_actor in dict(_agents(s)).items()
    )
    if voided_targets:
        Statement.objects.filter(statement_id__in=voided_targets).exclude(verb_id=VOIDED_VERB).update(voided=True)
    _remember_activities(new)
    for sha2, (content_type, content) in (attachments or {}).items():
        Attachment.objects.get_or_create(sha2=sha2, defaults={"content_type": content_type, "content": content})
    if new and (client is None or client.key != "learnloop-internal"):
        from learnloop.lrs.consumers import notify

        new_ids = [s["id"] for s in new]
        transaction.on_commit(lambda: notify(new_ids))
    return ids


def _check_attachments(statements: list[dict[str, Any]], attachments: dict[str, tuple[str, bytes]]) -> None:
    """Every declared attachment without a fileUrl must have arrived as a part, and every part be declared.

    Communication 1.5: a request sent as application/json "MUST NOT have any raw data attachments", so
    every attachment needs a fileUrl; with multipart/mixed each one without a fileUrl needs its part in
    this very request (content stored by an earlier request does not count: the request must be whole).
    """
    declared: set[str] = set()
    for statement in statements:
        for index, attachment in enumerate(statement.get("attachments", [])):
            declared.add(attachment["sha2"])
            if "fileUrl" not in attachment and attachment["sha2"] not in attachments:
                raise StatementInvalid(f"attachments[{index}]", "has no fileUrl and its content was not sent")
    extra = set(attachments) - declared
    if extra:
        raise StatementInvalid("attachments", "a part was sent that no statement declares")


def _remember_activities(statements: list[dict[str, Any]]) -> None:
    """Keep the latest definition of each activity, merged, so GET /activities answers with it."""
    definitions: dict[str, dict[str, Any]] = {}
    for statement in statements:
        candidates = [statement["object"]]
        for entry in (statement.get("context") or {}).get("contextActivities", {}).values():
            candidates.extend(entry if isinstance(entry, list) else [entry])
        for activity in candidates:
            if activity.get("objectType", "Activity") == "Activity" and activity.get("definition"):
                merged = definitions.setdefault(activity["id"], {})
                _merge_definition(merged, activity["definition"])
    if not definitions:
        return
    # Two clients may describe the same new activity at once. Inserting new rows with conflicts ignored,
    # then locking and updating rows in one sorted order, keeps concurrent batches from deadlocking.
    ordered = sorted(definitions)
    Activity.objects.bulk_create(
        [Activity(activity_id=activity_id, definition={}) for activity_id in ordered], ignore_conflicts=True
    )
    locked = Activity.objects.select_for_update().filter(activity_id__in=ordered).order_by("activity_id")
    changed = []
    for activity in locked:
        merged = dict(activity.definition)
        _merge_definition(merged, definitions[activity.activity_id])
        if merged != activity.definition:
            activity.definition = merged
            activity.updated = timezone.now()  # bulk_update does not apply auto_now
            changed.append(activity)
    Activity.objects.bulk_update(changed, ["definition", "updated"])


def _merge_definition(into: dict[str, Any], definition: dict[str, Any]) -> None:
    for key, value in definition.items():
        if key in ("name", "description") and isinstance(value, dict):
            into[key] = {**into.get(key, {}), **value}
        else:
            into[key] = value
