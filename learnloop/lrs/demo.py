"""Demo learning records: an academy's course player reporting launches, completions and scores over xAPI."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from learnloop.core.seeding import DemoContext
from learnloop.lrs.events import person_agent
from learnloop.lrs.models import Client, Statement
from learnloop.lrs.services import secret_hash, statements_store
from learnloop.people.models import Person

DEMO_AFTER = ["people"]
ACADEMY = "https://academy.fernhill.example"
# Fixed, so the demo is the same on every run.
DEMO_NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("6f1c3e5a-2d4b-4c8e-9a7f-1b2c3d4e5f60")
# Most of these are catalog items (their URL is the activity id), so the worker turns these statements
# into enrolments and progress; the security course is one the academy runs outside the catalog.
COURSES = [
    ("security-awareness-2026", "Security awareness 2026", 0.9),
    ("giving-feedback-fundamentals", "Giving feedback fundamentals", 0.7),
    ("data-literacy-fundamentals", "Data literacy fundamentals", 0.5),
    ("building-psychological-safety-fundamentals", "Building psychological safety fundamentals", 0.45),
    ("asynchronous-collaboration-fundamentals", "Asynchronous collaboration fundamentals", 0.35),
    ("running-retrospectives-fundamentals", "Running retrospectives fundamentals", 0.3),
]
VERB = "http://adlnet.gov/expapi/verbs/"
BATCH = 500


def _statement(
    person: Person, verb: str, course: tuple[str, str, float], when: dt.datetime, result: dict[str, Any] | None = None
) -> dict[str, Any]:
    slug, title, _ = course
    statement: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"{person.employee_id}/{slug}/{verb}")),
        "actor": person_agent(person),
        "verb": {"id": VERB + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{ACADEMY}/courses/{slug}",
            "definition": {"name": {"en-US": title}, "type": "http://adlnet.gov/expapi/activities/course"},
        },
        "timestamp": when.isoformat(),
        "context": {"platform": "Fernhill Academy", "registration": str(uuid.uuid5(NAMESPACE, f"{person.pk}/{slug}"))},
    }
    if result:
        statement["result"] = result
    return statement


def academy_statements(ctx: DemoContext, people: Iterable[Person]) -> list[dict[str, Any]]:
    """What the academy's course player reported for these people: the same for a person on every run."""
    statements: list[dict[str, Any]] = []
    for person in people:
        for course in COURSES:
            # One stream per person and course: the same statements on every run, whoever else exists.
            rng = ctx.rng("lrs", person.employee_id, course[0])
            if rng.random() > course[2]:
                continue
            started = DEMO_NOW - dt.timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 600))
            statements.append(_statement(person, "launched", course, started))
            if rng.random() < 0.75:
                finished = started + dt.timedelta(minutes=rng.randint(15, 90))
                scaled = round(rng.uniform(0.55, 1.0), 2)
                statements.append(
                    _statement(person, "completed", course, finished, {"completion": True, "duration": "PT45M"})
                )
                statements.append(
                    _statement(
                        person,
                        "passed" if scaled >= 0.7 else "failed",
                        course,
                        finished,
                        {
                            "score": {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100},
                            "success": scaled >= 0.7,
                        },
                    )
                )
    return statements


def seed(ctx: DemoContext) -> None:
    client, _ = Client.objects.get_or_create(
        key="fernhill-academy",
        defaults={
            "name": "Fernhill Academy course player",
            "secret_hash": secret_hash("demo-only-not-a-secret"),
            # Its statements about the academy's courses move learning (enrolments, skill evidence).
            "trusted_activity_prefixes": [f"{ACADEMY}/courses/"],
        },
    )
    statements = academy_statements(ctx, ctx.demo_people().order_by("employee_id"))
    # A course someone already has statements for (by its registration) stays as it is: a person renamed
    # since, another SITE_URL (the account's home page) or a demo from an older learnloop would make the
    # same statements differ, which the LRS refuses, or mix two runs' results.
    registrations = {uuid.UUID(statement["context"]["registration"]) for statement in statements}
    stored = set(
        Statement.objects.filter(client=client, registration__in=registrations).values_list("registration", flat=True)
    )
    new = [statement for statement in statements if uuid.UUID(statement["context"]["registration"]) not in stored]
    for start in range(0, len(new), BATCH):
        statements_store(statements=new[start : start + BATCH], version="1.0.3", client=client)
        ctx.progress("statements", min(start + BATCH, len(new)), len(new))
    ctx.log(f"  {len(statements)} xAPI statements from the academy's course player, {len(new)} new")
