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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.lrs.agents import agent_key
from learnloop.lrs.consumers import NewStatement, notify
from learnloop.lrs.jsonutil import dumps
from learnloop.lrs.models import (
    INTERNAL_CLIENT_KEY,
    Activity,
    Attachment,
    AttachmentSender,
    Client,
    Statement,
    StatementActivity,
    StatementAgent,
)
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
    trusted_activity_prefixes: Sequence[str] = (),
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
    prefixes = clean_activity_prefixes(trusted_activity_prefixes)
    secret = secrets.token_urlsafe(32)
    client = Client.objects.create(
        name=name,
        key=secrets.token_hex(10),
        secret_hash=secret_hash(secret),
        can_read=can_read,
        can_write=can_write,
        own_statements_only=own_statements_only,
        xapi_version=xapi_version,
        trusted_activity_prefixes=prefixes,
        created_by=actor,
    )
    changes: dict[str, Any] = {"name": [None, name], "scopes": [None, client.scopes]}
    if own_statements_only:
        changes["own_statements_only"] = [None, True]
    if prefixes:
        changes["trusted_activity_prefixes"] = [None, prefixes]
    audit_record(actor=actor, action="lrs_client.create", target=client, changes=changes, source=source)
    return IssuedClient(client=client, secret=secret)


MAX_TRUSTED_PREFIXES = 50
MAX_PREFIX_LENGTH = 400  # as long as an activity IRI may be stored


def clean_activity_prefixes(prefixes: Iterable[str]) -> list[str]:
    """Trusted activity-IRI prefixes, each an absolute IRI with a scheme and host (so no prefix such as
    `h` or `https://` trusts everything by accident); duplicates and blanks dropped, order kept."""
    cleaned = list(dict.fromkeys(p.strip() for p in prefixes if p.strip()))
    field = "trusted_activity_prefixes"
    if len(cleaned) > MAX_TRUSTED_PREFIXES:
        raise ValidationError({field: [f"Give at most {MAX_TRUSTED_PREFIXES} prefixes."]})
    for prefix in cleaned:
        if len(prefix) > MAX_PREFIX_LENGTH:
            raise ValidationError({field: [f"A prefix is at most {MAX_PREFIX_LENGTH} characters long."]})
        parsed = urlsplit(prefix)
        if not parsed.scheme or not parsed.netloc or any(ch.isspace() or ord(ch) < 32 for ch in prefix):
            raise ValidationError(
                {
                    field: [
                        f"{prefix[:80]!r} is not an absolute IRI with a host, such as https://academy.example/courses/."
                    ]
                }
            )
    return cleaned


@transaction.atomic
def client_trust(
    *, actor: Person | None, client: Client, prefixes: Iterable[str], source: str = AuditEvent.Source.WEB
) -> Client:
    """Set the activity-IRI prefixes whose statements from this client move learning (none: it moves none)."""
    if client.key == INTERNAL_CLIENT_KEY:
        raise ValidationError({"client": ["learnloop's own client is trusted for everything it records."]})
    cleaned = clean_activity_prefixes(prefixes)
    client = Client.objects.select_for_update().get(pk=client.pk)
    before = list(client.trusted_activity_prefixes)
    if cleaned != before:
        client.trusted_activity_prefixes = cleaned
        client.save(update_fields=["trusted_activity_prefixes"])
        audit_record(
            actor=actor,
            action="lrs_client.trust",
            target=client,
            changes={"trusted_activity_prefixes": [before, cleaned]},
            source=source,
        )
    return client


@transaction.atomic
def client_revoke(*, actor: Person | None, client: Client, source: str = AuditEvent.Source.WEB) -> Client:
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="lrs_client.revoke", target=client, source=source)
    return client


def client_authenticate(key: str, secret: str) -> Client | None:
    # Every LRS request runs this; as a raw query it costs a third of the ORM's (compiling the filter).
    quote = connection.ops.quote_name
    found = Client.objects.raw(
        f"SELECT * FROM {quote(Client._meta.db_table)} WHERE {quote('key')} = %s AND {quote('revoked_at')} IS NULL",  # noqa: S608
        [key],
    )
    client = next(iter(found), None)
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


def _members(agent: dict[str, Any]) -> Iterable[str]:
    for member in agent.get("member", []) or []:
        yield agent_key(member)


def _with_members(agent: dict[str, Any]) -> Iterable[str]:
    yield agent_key(agent)
    yield from _members(agent)


def _context_agents(context: dict[str, Any]) -> Iterable[str]:
    for key in ("instructor", "team"):
        if key in context:
            yield from _with_members(context[key])
    for entry in context.get("contextAgents", []) or []:
        yield from _with_members(entry["agent"])
    for entry in context.get("contextGroups", []) or []:
        yield from _with_members(entry["group"])


def _side_agents(statement: dict[str, Any], *, authority: bool) -> set[str]:
    """The agent keys `related_agents` needs beyond the columns: group members, instructor, team, context
    agents, the sub-statement's agents, and the authority when no client vouches for the statement."""
    keys = list(_members(statement["actor"]))
    obj = statement["object"]
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        keys.extend(_members(obj))
    elif kind == "SubStatement":
        keys.extend(_with_members(obj["actor"]))
        if obj["object"].get("objectType", "Activity") in ("Agent", "Group"):
            keys.extend(_with_members(obj["object"]))
        keys.extend(_context_agents(obj.get("context") or {}))
    keys.extend(_context_agents(statement.get("context") or {}))
    if authority and "authority" in statement:
        keys.extend(_with_members(statement["authority"]))
    return {key for key in keys if key}


def _context_activities(context: dict[str, Any]) -> Iterable[str]:
    for entry in (context.get("contextActivities") or {}).values():
        for activity in entry if isinstance(entry, list) else [entry]:
            yield activity["id"]


def _side_activities(statement: dict[str, Any]) -> set[str]:
    """The activity ids `related_activities` needs beyond the object: context and sub-statement activities."""
    ids = list(_context_activities(statement.get("context") or {}))
    obj = statement["object"]
    if obj.get("objectType", "Activity") == "SubStatement":
        if obj["object"].get("objectType", "Activity") == "Activity":
            ids.append(obj["object"]["id"])
        ids.extend(_context_activities(obj.get("context") or {}))
    return set(ids)


def _object_ref(obj: dict[str, Any]) -> tuple[str, str]:
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        return kind, agent_key(obj)
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
    raw: Any, *, version: str, authority: dict[str, Any], stored: str, statement_id: str | None = None
) -> dict[str, Any]:
    """Validate and complete one statement: id, stored, timestamp, authority and version as the LRS sets them."""
    statement = validate_statement(raw, version=version)
    normalize_context_activities(statement)
    if statement_id is not None:
        if "id" in statement and statement["id"].lower() != statement_id.lower():
            raise StatementInvalid("id", "differs from the statementId parameter")
        statement["id"] = statement_id
    given = statement.get("id")
    statement["id"] = str(uuid.UUID(given)) if given else str(uuid.uuid4())
    statement["stored"] = stored
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
    stored = _iso(now)
    authority = authority_for(client, person)
    prepared = [
        prepare_statement(raw, version=version, authority=authority, stored=stored, statement_id=statement_id)
        for raw in statements
    ]
    ids = [s["id"] for s in prepared]
    if len(set(ids)) != len(ids):
        raise StatementInvalid("id", "the same statement id appears twice in one request")
    _check_attachments(prepared, attachments or {})

    uuids = [uuid.UUID(statement_id) for statement_id in ids]
    # UUID objects, not strings: the field then has nothing to convert, which for a big batch matters.
    existing = dict(Statement.objects.filter(statement_id__in=uuids).values_list("statement_id", "data"))
    new = []
    new_uuids = []
    for statement, statement_uuid in zip(prepared, uuids, strict=True):
        found = existing.get(statement_uuid)
        if found is None:
            new.append(statement)
            new_uuids.append(statement_uuid)
        elif _comparable(found) != _comparable(statement):
            raise Conflict(f"statement {statement['id']} is already stored with different content")

    voided_targets = [s["object"]["id"] for s in new if s["verb"]["id"] == VOIDED_VERB]
    # A client voids only statements within its reach (as it reads them): one that reads only its own
    # statements cannot void another client's. Its voiding statement is stored all the same, as one
    # whose target the LRS does not hold (which xAPI says not to refuse), so it learns nothing either.
    voidable = Statement.objects.filter(statement_id__in=voided_targets)
    if client is not None and not client.reads_all:
        voidable = voidable.filter(client=client)
    if voided_targets:
        voiding = voidable.filter(verb_id=VOIDED_VERB).exists()
        batch_voiding = {s["id"] for s in new if s["verb"]["id"] == VOIDED_VERB} & set(voided_targets)
        if voiding or batch_voiding:
            raise StatementInvalid("object.id", "a voiding statement cannot void another voiding statement")

    people = _people_for([statement["actor"] for statement in new])
    rows = []
    arrived = []
    for statement, statement_uuid, person_id in zip(new, new_uuids, people, strict=True):
        kind, ref = _object_ref(statement["object"])
        arrived.append(
            NewStatement(
                statement_id=statement["id"],
                person_id=person_id,
                verb_id=statement["verb"]["id"],
                object_type=kind,
                object_ref=ref,
                result=statement.get("result"),
                trusted=client is not None and kind == "Activity" and client.trusts(ref),
            )
        )
        rows.append(
            (
                statement_uuid,
                now,
                _parse_time(statement["timestamp"]),
                agent_key(statement["actor"]),
                statement["verb"]["id"],
                kind,
                ref,
                _uuid_or_none((statement.get("context") or {}).get("registration")),
                False,
                uuid.UUID(statement["object"]["id"]) if kind == "StatementRef" else None,
                client.pk if client is not None else None,
                person_id,
                statement["version"],
                dumps(statement).decode(),
            )
        )
    try:
        seqs = _insert(Statement, _STATEMENT_COLUMNS, rows, numbered=True)
    except IntegrityError as exc:  # another request stored the same id a moment ago
        raise Conflict("a statement with this id was stored concurrently") from exc
    _insert(
        StatementActivity,
        ("statement", "activity_id"),
        [(seq, activity) for seq, s in zip(seqs, new, strict=True) for activity in sorted(_side_activities(s))],
    )
    _insert(
        StatementAgent,
        ("statement", "agent_key"),
        [
            (seq, key)
            for seq, s in zip(seqs, new, strict=True)
            for key in sorted(_side_agents(s, authority=client is None))
        ],
    )
    if voided_targets:
        voidable.exclude(verb_id=VOIDED_VERB).update(voided=True)
    _remember_activities(new)
    if attachments:
        Attachment.objects.bulk_create(
            [
                Attachment(sha2=sha2, content_type=content_type, content=content)
                for sha2, (content_type, content) in attachments.items()
            ],
            ignore_conflicts=True,
        )
        if client is not None:
            AttachmentSender.objects.bulk_create(
                [AttachmentSender(attachment_id=sha2, client=client) for sha2 in attachments], ignore_conflicts=True
            )
    if new and (client is None or client.key != INTERNAL_CLIENT_KEY):
        transaction.on_commit(lambda: notify(arrived))
    return ids


_STATEMENT_COLUMNS = (
    "statement_id",
    "stored",
    "timestamp",
    "actor_key",
    "verb_id",
    "object_type",
    "object_ref",
    "registration",
    "voided",
    "object_statement",
    "client",
    "person",
    "version",
    "data",
)
# Fields whose values the database adapter takes as they are; the others go through the field
# (UUIDs are 32 hex digits on SQLite, datetimes naive UTC text there).
_PLAIN = {"actor_key", "verb_id", "object_type", "object_ref", "voided", "client", "person", "version", "data"}


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


def _max_params() -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        raw = connection.connection
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) if raw is not None else 999
    return 65535  # PostgreSQL's wire protocol


def _insert(
    model: type[Statement] | type[StatementActivity] | type[StatementAgent],
    names: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    numbered: bool = False,
) -> list[int]:
    """Store prepared rows in as few round trips as the database allows, whatever the batch size;
    with `numbered` (statements), return each row's new `seq`, in row order.

    PostgreSQL gets a COPY, after one query that draws the sequence numbers: COPY skips the parsing
    and planning of a multi-row INSERT, which with thousands of rows cost more than storing them.
    SQLite gets multi-row INSERTs (RETURNING the numbers). `data` arrives already serialized: a JSON
    text, which PostgreSQL reads into jsonb and SQLite keeps as text, as the JSONField does. Either
    way this skips the ORM's model instance per row.
    """
    if not rows:
        return []
    meta = model._meta
    fields = [cast(Field, meta.get_field(name)) for name in names]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(str(field.column)) for field in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _pg_copy(cursor, table, columns, rows, numbered=numbered)
        prep = [None if field.name in _PLAIN else field for field in fields]
        values = [
            [
                value if converter is None else converter.get_db_prep_save(value, connection)
                for converter, value in zip(prep, row, strict=True)
            ]
            for row in rows
        ]
        per_statement = max(1, _max_params() // len(fields))
        seq_of: dict[uuid.UUID, int] = {}
        for start in range(0, len(values), per_statement):
            chunk = values[start : start + per_statement]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            suffix = f" RETURNING {quote('statement_id')}, {quote('seq')}" if numbered else ""
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders}{suffix}",  # noqa: S608
                [value for row in chunk for value in row],
            )
            if numbered:
                seq_of.update((uuid.UUID(str(statement_id)), seq) for statement_id, seq in cursor.fetchall())
    return [seq_of[row[0]] for row in rows] if numbered else []


def _pg_copy(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]], *, numbered: bool) -> list[int]:
    seqs: list[int] = []
    if numbered:
        # The numbers an INSERT would have drawn, drawn first (in order) so that COPY can write them.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'seq')) AS seq FROM generate_series(1, %s) ORDER BY seq",
            [table, len(rows)],
        )
        seqs = [seq for (seq,) in cursor.fetchall()]
        columns = ['"seq"', *columns]
    with connection.wrap_database_errors, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        if numbered:
            for seq, row in zip(seqs, rows, strict=True):
                copy.write_row((seq, *row))
        else:
            for row in rows:
                copy.write_row(row)
    return seqs


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
    # Most batches describe activities exactly as stored already: one unlocked read finds that out.
    ordered = sorted(definitions)
    current = dict(Activity.objects.filter(activity_id__in=ordered).values_list("activity_id", "definition"))
    stale = [
        activity_id
        for activity_id in ordered
        if activity_id not in current or _merged(current[activity_id], definitions[activity_id]) != current[activity_id]
    ]
    if not stale:
        return
    # Two clients may describe the same new activity at once. Inserting new rows with conflicts ignored,
    # then locking and updating rows in one sorted order, keeps concurrent batches from deadlocking.
    missing = [activity_id for activity_id in stale if activity_id not in current]
    if missing:
        Activity.objects.bulk_create(
            [Activity(activity_id=activity_id, definition={}) for activity_id in missing], ignore_conflicts=True
        )
    locked = Activity.objects.select_for_update().filter(activity_id__in=stale).order_by("activity_id")
    changed = []
    for activity in locked:
        merged = _merged(activity.definition, definitions[activity.activity_id])
        if merged != activity.definition:
            activity.definition = merged
            activity.updated = timezone.now()  # bulk_update does not apply auto_now
            changed.append(activity)
    Activity.objects.bulk_update(changed, ["definition", "updated"])


def _merged(definition: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = dict(definition)
    _merge_definition(merged, update)
    return merged


def _merge_definition(into: dict[str, Any], definition: dict[str, Any]) -> None:
    for key, value in definition.items():
        if key in ("name", "description") and isinstance(value, dict):
            into[key] = {**into.get(key, {}), **value}
        else:
            into[key] = value
