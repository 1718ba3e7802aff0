"""learnloop's own learning events, recorded as xAPI statements through one service.

Every domain that has a learning event (an enrolment, a completion, a mentoring session, an accepted
answer, kudos, a badge) calls `record_event` with a verb from `VERBS`. The statement goes through the
same validation and storage as statements from outside, so insights read one consistent stream.
The vocabulary uses published ADL verbs where one exists and learnloop IRIs otherwise; docs/xapi.md
lists it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import transaction

from learnloop.lrs.models import INTERNAL_CLIENT_KEY, Client
from learnloop.lrs.services import statements_store
from learnloop.people.models import Person

LEARNLOOP_IRI = "https://learnloop.dev/xapi"
# Every LRS client with full read access reads learnloop's own statements, so they never carry text a
# person wrote for a narrower audience (reflections, transfer-check answers): `result.response` is refused.
PRIVATE_TEXT_REFUSED = "learnloop's own statements never carry text people wrote (result.response)"


@dataclass(frozen=True)
class Verb:
    iri: str
    display: str


# Published ADL verbs (http://adlnet.gov/expapi/verbs/) where they exist; learnloop's own otherwise.
VERBS: dict[str, Verb] = {
    "registered": Verb("http://adlnet.gov/expapi/verbs/registered", "registered for"),
    "launched": Verb("http://adlnet.gov/expapi/verbs/launched", "launched"),
    "progressed": Verb("http://adlnet.gov/expapi/verbs/progressed", "progressed in"),
    "completed": Verb("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "passed": Verb("http://adlnet.gov/expapi/verbs/passed", "passed"),
    "failed": Verb("http://adlnet.gov/expapi/verbs/failed", "failed"),
    "attended": Verb("http://adlnet.gov/expapi/verbs/attended", "attended"),
    "commented": Verb("http://adlnet.gov/expapi/verbs/commented", "commented on"),
    "shared": Verb("http://adlnet.gov/expapi/verbs/shared", "shared"),
    "asked": Verb("http://adlnet.gov/expapi/verbs/asked", "asked"),
    "answered": Verb("http://adlnet.gov/expapi/verbs/answered", "answered"),
    "dropped": Verb(f"{LEARNLOOP_IRI}/verbs/dropped", "dropped"),
    "reflected": Verb(f"{LEARNLOOP_IRI}/verbs/reflected", "reflected on"),
    "mentored": Verb(f"{LEARNLOOP_IRI}/verbs/mentored", "held a mentoring session"),
    "contributed": Verb(f"{LEARNLOOP_IRI}/verbs/contributed", "contributed to"),
    "answer-accepted": Verb(f"{LEARNLOOP_IRI}/verbs/answer-accepted", "had an answer accepted"),
    "gave-kudos": Verb(f"{LEARNLOOP_IRI}/verbs/gave-kudos", "gave kudos to"),
    "earned": Verb(f"{LEARNLOOP_IRI}/verbs/earned", "earned"),
    "applied": Verb(f"{LEARNLOOP_IRI}/verbs/applied", "applied on the job"),
    "assigned": Verb(f"{LEARNLOOP_IRI}/verbs/assigned", "was assigned"),
    "answered-transfer-check": Verb(f"{LEARNLOOP_IRI}/verbs/answered-transfer-check", "answered the transfer check"),
}

# Activity types learnloop's own objects carry.
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/question",
    "catalog-item": f"{LEARNLOOP_IRI}/activities/catalog-item",
    "mentoring-session": f"{LEARNLOOP_IRI}/activities/mentoring-session",
    "retrospective": f"{LEARNLOOP_IRI}/activities/retrospective",
    "badge": f"{LEARNLOOP_IRI}/activities/badge",
    "kudos": f"{LEARNLOOP_IRI}/activities/kudos",
    "pathway": f"{LEARNLOOP_IRI}/activities/pathway",
    "certificate": f"{LEARNLOOP_IRI}/activities/certificate",
    "transfer-check": f"{LEARNLOOP_IRI}/activities/transfer-check",
}


def person_agent(person: Person) -> dict[str, Any]:
    """A person as an xAPI Agent, identified by their learnloop account (stable when emails change)."""
    return {
        "objectType": "Agent",
        "name": person.display_name,
        "account": {"homePage": settings.SITE_URL, "name": person.username},
    }


def activity_iri(kind: str, pk: int | str) -> str:
    """The IRI of one of learnloop's own objects, e.g. https://<site>/xapi/activities/catalog-item/42."""
    return f"{settings.SITE_URL}/xapi/activities/{kind}/{pk}"


def internal_client() -> Client:
    """The client learnloop itself writes as; it has no usable secret, so no one can sign in as it."""
    client, _ = Client.objects.get_or_create(
        key=INTERNAL_CLIENT_KEY,
        defaults={"name": "learnloop", "secret_hash": "!", "can_read": True, "can_write": True},
    )
    return client


class Event(TypedDict):
    """One of learnloop's learning events: `person` did `verb` to an activity (the keywords of
    `record_event` and `event_statement`)."""

    person: Person
    verb: str  # a key of VERBS
    activity_id: str
    activity_name: str
    activity_type: str  # a key of ACTIVITY_TYPES, or a type IRI
    result: NotRequired[dict[str, Any] | None]
    context_activities: NotRequired[dict[str, list[str]] | None]
    registration: NotRequired[str | None]
    extensions: NotRequired[dict[str, Any] | None]
    # When it happened; by default the statement is dated when it is stored.
    timestamp: NotRequired[dt.datetime | None]


def event_statement(**event: Unpack[Event]) -> dict[str, Any]:
    """The statement of an event, as learnloop records it (not yet stored)."""
    chosen = VERBS[event["verb"]]
    activity_type = event["activity_type"]
    statement: dict[str, Any] = {
        "actor": person_agent(event["person"]),
        "verb": {"id": chosen.iri, "display": {"en": chosen.display}},
        "object": {
            "objectType": "Activity",
            "id": event["activity_id"],
            "definition": {
                "name": {"en": event["activity_name"]},
                "type": ACTIVITY_TYPES.get(activity_type, activity_type),
            },
        },
    }
    if result := event.get("result"):
        if "response" in result:
            raise ValueError(PRIVATE_TEXT_REFUSED)
        statement["result"] = result
    context: dict[str, Any] = {"platform": "learnloop"}
    if registration := event.get("registration"):
        context["registration"] = registration
    if context_activities := event.get("context_activities"):
        context["contextActivities"] = {
            key: [{"objectType": "Activity", "id": iri} for iri in iris] for key, iris in context_activities.items()
        }
    if extensions := event.get("extensions"):
        context["extensions"] = extensions
    statement["context"] = context
    if (timestamp := event.get("timestamp")) is not None:
        statement["timestamp"] = timestamp.isoformat()
    return statement


def record_event(**event: Unpack[Event]) -> str:
    """Record an event (see `Event`); returns the statement id.

    Call it inside the domain service's transaction: the statement is stored only if the event is.
    """
    statement = event_statement(**event)
    with transaction.atomic():
        (statement_id,) = statements_store(statements=[statement], version="1.0.3", client=internal_client())
    return statement_id


# Statements per call to the store when recording many: a bounded amount of memory for the prepared
# batch, and still one multi-row INSERT (or COPY) per few thousand rows.
EVENTS_BATCH = 5000


def record_events(statements: list[dict[str, Any]]) -> int:
    """Store many statements built by `event_statement` with their timestamps, in the caller's transaction:
    for learning recorded after the fact in bulk (the demo), where a `record_event` per row would cost
    round trips each. They are stored oldest first, so their arrival order is the order things happened.
    Returns how many were stored."""
    if not statements:
        return 0
    ordered = sorted(statements, key=lambda statement: dt.datetime.fromisoformat(statement["timestamp"]))
    client = internal_client()
    with transaction.atomic():
        for start in range(0, len(ordered), EVENTS_BATCH):
            statements_store(statements=ordered[start : start + EVENTS_BATCH], version="1.0.3", client=client)
    return len(ordered)
