"""Enrolment and progress: every step is a service, an audit event and an xAPI statement.

Completing an item adds skill evidence at the level the item teaches. Statements that external content
sends about a catalog item move the same enrolment (see `apply_external_statements`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.lrs.events import Event, activity_iri, event_statement, record_event
from learnloop.people.models import Person

Status = Enrollment.Status
Source = AuditEvent.Source
# Formats that meet at sessions: they are completed by attending one, never by the person's own say-so.
LIVE_KINDS = (CatalogItem.Kind.LIVE_SESSION, CatalogItem.Kind.COHORT, CatalogItem.Kind.LUNCH_AND_LEARN)
LIVE_COMPLETION = (
    "{item} is a live format: it is completed when you attend a session, once the presenter takes "
    "attendance. Book a session on the item's page."
)


def completed_by_attendance(item: CatalogItem) -> bool:
    """Whether only attendance completes `item` (no progress or "Mark complete" of one's own)."""
    return item.kind in LIVE_KINDS


def item_activity_id(item: CatalogItem) -> str:
    return activity_iri("catalog-item", item.pk)


def _event(
    enrollment: Enrollment, verb: str, result: dict[str, Any] | None = None, *, at: dt.datetime | None = None
) -> Event:
    return {
        "person": enrollment.person,
        "verb": verb,
        "activity_id": item_activity_id(enrollment.item),
        "activity_name": enrollment.item.title,
        "activity_type": "catalog-item",
        "result": result,
        "registration": str(enrollment.registration),
        "timestamp": at,
    }


def _record(
    enrollment: Enrollment, verb: str, result: dict[str, Any] | None = None, *, at: dt.datetime | None = None
) -> None:
    record_event(**_event(enrollment, verb, result, at=at))


def _progress_result(progress: int) -> dict[str, Any]:
    return {"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": progress}}


# A completion statement says that the item was completed, never what the person wrote about it: every
# LRS client with full read access reads statements, and reflections are for the person, their managers
# (and a stretch assignment's sponsor) only. lrs/events.py refuses people's text in learnloop's statements.
COMPLETION_RESULT: dict[str, Any] = {"completion": True}


def _when(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """`at` (when a step happened, for learning recorded after the fact), or now; never in the future."""
    if at is None:
        return now
    if at > now:
        raise ValidationError({"at": ["Learning is recorded once it has happened, not ahead of time."]})
    return at


def enrollment_history(enrollment: Enrollment) -> list[dict[str, Any]]:
    """The statements the services would have recorded for an enrolment as it stands, each dated when its
    step happened: `registered` at enrolment, `launched` with the progress once started, `completed` (with
    no reflection: see COMPLETION_RESULT) at completion. For enrolments written in bulk rather than step
    by step (the demo), stored with `record_events`; the enrolment's item and person should be loaded."""
    events = [event_statement(**_event(enrollment, "registered", at=enrollment.enrolled_at))]
    if enrollment.status == Status.IN_PROGRESS and enrollment.started_at is not None:
        result = _progress_result(enrollment.progress)
        events.append(event_statement(**_event(enrollment, "launched", result, at=enrollment.started_at)))
    elif enrollment.status == Status.COMPLETED and enrollment.completed_at is not None:
        events.append(
            event_statement(**_event(enrollment, "completed", dict(COMPLETION_RESULT), at=enrollment.completed_at))
        )
    return events


def _locked(enrollment: Enrollment) -> Enrollment:
    return Enrollment.objects.select_for_update().select_related("item", "person").get(pk=enrollment.pk)


@transaction.atomic
def enrollment_enrol(
    *,
    actor: Person | None,
    person: Person,
    item: CatalogItem,
    at: dt.datetime | None = None,
    source: str = Source.WEB,
) -> Enrollment:
    """Enrol (or re-enrol after dropping). Only people themselves enrol here; assignment comes with pathways.
    `actor=None` is learnloop enrolling someone on their behalf (attending a session they booked). `at`
    dates an enrolment recorded after the fact (the demo's history); by default it is now."""
    if actor is not None and actor.pk != person.pk:
        raise ValidationError({"person": ["People enrol themselves; managers assign through pathways."]})
    if not policy.can(person, "view", item) or not item.is_published:
        raise ValidationError({"item": ["This item is not open for enrolment."]})
    existing = Enrollment.objects.select_for_update().filter(person=person, item=item).first()
    now = _when(at, timezone.now())
    if existing is not None and existing.status != Status.DROPPED:
        return existing
    if existing is None:
        enrollment = Enrollment.objects.create(person=person, item=item, registration=uuid.uuid4(), enrolled_at=now)
    else:
        enrollment = existing
        enrollment.status, enrollment.enrolled_at, enrollment.dropped_at = Status.ENROLLED, now, None
        enrollment.progress = 0
        enrollment.save(update_fields=["status", "enrolled_at", "dropped_at", "progress"])
    audit_record(
        actor=actor, action="enrollment.enrol", target=enrollment, changes={"item": [None, item.title]}, source=source
    )
    _record(enrollment, "registered", at=at)
    return enrollment


@transaction.atomic
def enrollment_progress(
    *,
    actor: Person | None,
    enrollment: Enrollment,
    percent: int,
    at: dt.datetime | None = None,
    source: str = Source.WEB,
) -> Enrollment:
    """Record progress (a percentage that never goes down); the first progress starts the item, at `at`
    when it happened earlier (progress reported late by external content), by default now."""
    enrollment = _locked(enrollment)
    if enrollment.status in (Status.COMPLETED, Status.DROPPED):
        raise ValidationError({"status": [f"This enrolment is {enrollment.get_status_display().lower()}."]})
    if actor is not None and completed_by_attendance(enrollment.item):
        raise ValidationError({"progress": [LIVE_COMPLETION.format(item=f"“{enrollment.item.title}”")]})
    if not 0 <= percent <= 100:
        raise ValidationError({"progress": ["Give progress as a percentage from 0 to 100."]})
    first_start = enrollment.started_at is None
    enrollment.status = Status.IN_PROGRESS
    enrollment.started_at = enrollment.started_at or _when(at, timezone.now())
    before = enrollment.progress
    enrollment.progress = max(enrollment.progress, percent)
    enrollment.save(update_fields=["status", "started_at", "progress"])
    audit_record(
        actor=actor,
        action="enrollment.progress",
        target=enrollment,
        changes={"progress": [before, enrollment.progress]},
        source=source,
    )
    if actor is not None:  # progress reported by external content is already a statement
        _record(enrollment, "launched" if first_start else "progressed", _progress_result(enrollment.progress))
    return enrollment


def _stretch_reflection(
    enrollment: Enrollment, *, actor: Person | None, learned: str, outcome: str, do_differently: str, skills_grown: Any
) -> list[Any]:
    """Check the end-of-assignment reflection against the item; return the skills that grew. Nothing is
    written here, so a refused reflection leaves the enrolment as it was."""
    item = enrollment.item
    errors: dict[str, list[str]] = {}
    if item.kind != CatalogItem.Kind.STRETCH:
        for name, value in (("outcome", outcome), ("do_differently", do_differently), ("skills_grown", skills_grown)):
            if value:
                errors[name] = ["Only stretch assignments ask this; leave it out for this item."]
        if errors:
            raise ValidationError(errors)
        return []
    if actor is not None:  # completion reported by external content carries no reflection
        if not outcome.strip():
            errors["outcome"] = ["Say what the work achieved for the sponsor, in a sentence or two."]
        if not learned.strip():
            errors["learned"] = ["Say what you learned from the assignment."]
    taught = {t.skill_id: t.skill for t in item.skills_taught.select_related("skill")} if skills_grown else {}
    grown: dict[int, Any] = {}
    for skill in skills_grown or []:
        skill_id = getattr(skill, "pk", skill)
        if skill_id not in taught:
            errors["skills_grown"] = [f"Choose among the skills this assignment builds (not id {skill_id})."]
            break
        grown[skill_id] = taught[skill_id]
    if errors:
        raise ValidationError(errors)
    return list(grown.values())


@transaction.atomic
def enrollment_complete(
    *,
    actor: Person | None,
    enrollment: Enrollment,
    learned: str = "",
    apply_plan: str = "",
    outcome: str = "",
    do_differently: str = "",
    skills_grown: list[Any] | None = None,
    at: dt.datetime | None = None,
    source: str = Source.WEB,
    by_attendance: bool = False,
) -> Enrollment:
    """Complete, with an optional reflection; adds skill evidence for what the item teaches. A stretch
    assignment asks for its own reflection (the outcome for the sponsor and what was learned are needed
    when the person completes it; what they would do differently and which skills grew are optional).
    `at` dates a completion recorded after the fact (the demo's history): the completion, its statement
    and the skill evidence; by default it is now. A live format is completed only `by_attendance` (the
    roster) or by learnloop itself (`actor=None`, external content)."""
    from learnloop.skills.services import assessment_record

    enrollment = _locked(enrollment)
    if enrollment.status == Status.COMPLETED:
        return enrollment
    if enrollment.status == Status.DROPPED:
        raise ValidationError({"status": ["Enrol again before completing a dropped item."]})
    if actor is not None and not by_attendance and completed_by_attendance(enrollment.item):
        raise ValidationError({"status": [LIVE_COMPLETION.format(item=f"“{enrollment.item.title}”")]})
    grown = _stretch_reflection(
        enrollment,
        actor=actor,
        learned=learned,
        outcome=outcome,
        do_differently=do_differently,
        skills_grown=skills_grown,
    )
    now = _when(at, timezone.now())
    enrollment.status, enrollment.progress, enrollment.completed_at = Status.COMPLETED, 100, now
    enrollment.started_at = enrollment.started_at or now
    enrollment.learned, enrollment.apply_plan = learned.strip(), apply_plan.strip()
    enrollment.outcome, enrollment.do_differently = outcome.strip(), do_differently.strip()
    enrollment.save(
        update_fields=[
            "status",
            "progress",
            "completed_at",
            "started_at",
            "learned",
            "apply_plan",
            "outcome",
            "do_differently",
        ]
    )
    if grown:
        enrollment.skills_grown.set(grown)
    changes: dict[str, Any] = {"status": [None, "completed"]}
    if enrollment.outcome:
        changes["reflection"] = [None, "stretch reflection written"]
    audit_record(actor=actor, action="enrollment.complete", target=enrollment, changes=changes, source=source)
    if actor is not None:
        _record(enrollment, "completed", dict(COMPLETION_RESULT), at=at)
    for taught in enrollment.item.skills_taught.select_related("skill"):
        assessment_record(
            actor=None,
            person=enrollment.person,
            skill=taught.skill,
            source="evidence",
            level=taught.target_level,
            evidence=f"Completed “{enrollment.item.title}”",
            assessed_at=now,
            audit_source=source,
        )
    return enrollment


@transaction.atomic
def enrollment_drop(*, actor: Person, enrollment: Enrollment, source: str = Source.WEB) -> Enrollment:
    enrollment = _locked(enrollment)
    if enrollment.status in (Status.COMPLETED, Status.DROPPED):
        raise ValidationError({"status": [f"This enrolment is already {enrollment.get_status_display().lower()}."]})
    enrollment.status, enrollment.dropped_at = Status.DROPPED, timezone.now()
    enrollment.save(update_fields=["status", "dropped_at"])
    audit_record(
        actor=actor, action="enrollment.drop", target=enrollment, changes={"status": [None, "dropped"]}, source=source
    )
    _record(enrollment, "dropped")
    return enrollment


@transaction.atomic
def enrollment_retake(*, actor: Person, enrollment: Enrollment, source: str = Source.WEB) -> Enrollment:
    """Take a completed item again (a certification renewal, a refresher): a new attempt with its own xAPI
    registration. The earlier completion stays in the learning record and as skill evidence, and plans
    keep counting it (`previously_completed_at`); pathways being renewed count the new completion."""
    enrollment = _locked(enrollment)
    if actor.pk != enrollment.person_id:
        raise ValidationError({"person": ["People take their own learning again."]})
    if enrollment.status != Status.COMPLETED:
        raise ValidationError({"status": ["Only a completed item can be taken again."]})
    before = enrollment.completed_at
    enrollment.previously_completed_at = before
    enrollment.status, enrollment.progress = Status.ENROLLED, 0
    enrollment.started_at = enrollment.completed_at = enrollment.dropped_at = None
    enrollment.learned = enrollment.apply_plan = enrollment.outcome = enrollment.do_differently = ""
    enrollment.registration = uuid.uuid4()
    enrollment.enrolled_at = timezone.now()
    enrollment.save()
    # The earlier attempt's reflection is not kept (statements never carried it); its completion stays.
    enrollment.skills_grown.clear()
    audit_record(
        actor=actor,
        action="enrollment.retake",
        target=enrollment,
        changes={"status": ["completed", "enrolled"], "previously_completed_at": [None, str(before)]},
        source=source,
    )
    _record(enrollment, "registered")
    return enrollment
