"""Writes for pathways: building them (L&D), assigning them (managers, L&D, people themselves),
completing them and issuing certificates. Each runs in a transaction and leaves an audit event."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record, field_changes, snapshot
from learnloop.core.models import AuditEvent
from learnloop.core.response_cache import version_bump
from learnloop.core.roles import Role
from learnloop.learning.models import CatalogItem
from learnloop.lrs.events import LEARNLOOP_IRI, activity_iri, record_event
from learnloop.notifications.services import notify
from learnloop.pathways.models import Assignment, Certificate, Pathway, Stage, Step
from learnloop.people.models import OrgUnit, Person

Source = AuditEvent.Source
EDITABLE = ("title", "description", "audience", "job_role", "career_stage", "is_published", "certification_months")
EXT = f"{LEARNLOOP_IRI}/extensions"


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later, or the month's last day when it has fewer days (31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def pathway_activity(pathway: Pathway) -> str:
    return activity_iri("pathway", pathway.pk)


# --- Building pathways --------------------------------------------------------------------------


def _check_pathway(pathway: Pathway) -> None:
    errors: dict[str, list[str]] = {}
    if not pathway.title.strip():
        errors["title"] = ["Give the pathway a title."]
    if not pathway.description.strip():
        errors["description"] = ["Say what people will be able to do at the end."]
    if pathway.certification_months is not None and not 1 <= pathway.certification_months <= 120:
        errors["certification_months"] = ["A certification is valid from 1 to 120 months; leave empty for none."]
    if pathway.is_published and pathway.pk:
        stages = list(pathway.stages.all())
        if not stages:
            errors["is_published"] = ["Add at least one stage with steps before publishing."]
        elif any(not stage.steps.exists() for stage in stages):
            errors["is_published"] = ["Every stage needs at least one step before the pathway is published."]
    elif pathway.is_published:
        errors["is_published"] = ["Save the pathway as a draft, add its stages, then publish it."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pathway_create(*, actor: Person | None, source: str = Source.WEB, **fields: Any) -> Pathway:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: ["This field cannot be set here."] for name in sorted(unknown)})
    pathway = Pathway(owner=actor, **fields)
    _check_pathway(pathway)
    pathway.save()
    changes = field_changes(before={}, after=snapshot(pathway, list(fields)))
    audit_record(actor=actor, action="pathway.create", target=pathway, changes=changes, source=source)
    return pathway


@transaction.atomic
def pathway_update(*, actor: Person | None, pathway: Pathway, source: str = Source.WEB, **changes: Any) -> Pathway:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    before = snapshot(pathway, list(changes))
    for key, value in changes.items():
        setattr(pathway, key, value)
    _check_pathway(pathway)
    diff = field_changes(before=before, after=snapshot(pathway, list(changes)))
    if diff:
        pathway.save()
        audit_record(actor=actor, action="pathway.update", target=pathway, changes=diff, source=source)
    return pathway


def _check_needed(required_count: int | None, steps: int) -> None:
    if required_count is None:
        return
    if required_count < 1:
        raise ValidationError({"required_count": ["At least one step must be needed; leave empty to need all."]})
    if required_count > steps:
        raise ValidationError(
            {
                "required_count": [
                    f"This stage has {steps} step{'s' if steps != 1 else ''}: it cannot need {required_count}."
                ]
            }
        )


def _check_items(pathway: Pathway, items: list[CatalogItem], *, ignore: Step | None = None) -> None:
    if len({i.pk for i in items}) != len(items):
        raise ValidationError({"items": ["Each item can be a step only once."]})
    unpublished = [i.title for i in items if not i.is_published]
    if unpublished:
        raise ValidationError({"items": [f"“{unpublished[0]}” is a draft; only published items can be steps."]})
    taken = Step.objects.filter(stage__pathway=pathway, item__in=items)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    clash = taken.select_related("item").first()
    if clash is not None:
        raise ValidationError({"items": [f"“{clash.item}” is already a step of this pathway."]})


@transaction.atomic
def stage_add(
    *,
    actor: Person | None,
    pathway: Pathway,
    title: str,
    items: list[CatalogItem],
    required_count: int | None = None,
    source: str = Source.WEB,
) -> Stage:
    """A new last stage with its steps; `required_count` makes it "any N of these M"."""
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if not title.strip():
        raise ValidationError({"title": ["Give the stage a title."]})
    if not items:
        raise ValidationError({"items": ["Choose at least one catalog item for this stage."]})
    _check_needed(required_count, len(items))
    _check_items(pathway, items)
    position = (pathway.stages.aggregate(top=Max("position"))["top"] or 0) + 1
    stage = Stage.objects.create(pathway=pathway, position=position, title=title.strip(), required_count=required_count)
    Step.objects.bulk_create(Step(stage=stage, item=item, position=n) for n, item in enumerate(items, start=1))
    audit_record(
        actor=actor,
        action="pathway_stage.create",
        target=stage,
        changes={
            "title": [None, stage.title],
            "items": [None, [i.title for i in items]],
            "required_count": [None, required_count],
        },
        source=source,
    )
    return stage


@transaction.atomic
def stage_update(
    *, actor: Person | None, stage: Stage, title: str, required_count: int | None, source: str = Source.WEB
) -> Stage:
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    if not title.strip():
        raise ValidationError({"title": ["Give the stage a title."]})
    _check_needed(required_count, stage.steps.count())
    before = snapshot(stage, ["title", "required_count"])
    stage.title, stage.required_count = title.strip(), required_count
    diff = field_changes(before=before, after=snapshot(stage, ["title", "required_count"]))
    if diff:
        stage.save(update_fields=["title", "required_count"])
        audit_record(actor=actor, action="pathway_stage.update", target=stage, changes=diff, source=source)
    return stage


@transaction.atomic
def stage_move(*, actor: Person | None, stage: Stage, direction: str, source: str = Source.WEB) -> Stage:
    """Swap a stage with the one before it (`direction="up"`) or after it ("down"). A step that would then
    wait for a step in a later stage is refused, with a message on `position`."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": ["Move a stage up or down."]})
    Pathway.objects.select_for_update().get(pk=stage.pathway_id)
    stage = Stage.objects.get(pk=stage.pk)
    siblings = Stage.objects.filter(pathway_id=stage.pathway_id)
    if direction == "up":
        other = siblings.filter(position__lt=stage.position).order_by("-position").first()
    else:
        other = siblings.filter(position__gt=stage.position).order_by("position").first()
    if other is None:
        raise ValidationError({"position": [f"This is already the {'first' if direction == 'up' else 'last'} stage."]})
    earlier, later = (other, stage) if direction == "up" else (stage, other)
    if Step.prerequisites.through.objects.filter(from_step__stage=later, to_step__stage=earlier).exists():
        raise ValidationError(
            {
                "position": [
                    f"A step in “{later.title}” waits for a step in “{earlier.title}”; remove that prerequisite first."
                ]
            }
        )
    mine, theirs = stage.position, other.position
    Stage.objects.filter(pk=stage.pk).update(position=0)
    Stage.objects.filter(pk=other.pk).update(position=mine)
    Stage.objects.filter(pk=stage.pk).update(position=theirs)
    version_bump("pathways")  # updates send no signals; cached pages show the order
    stage.position = theirs
    audit_record(
        actor=actor, action="pathway_stage.move", target=stage, changes={"position": [mine, theirs]}, source=source
    )
    return stage


def stage_move_up(*, actor: Person | None, stage: Stage, source: str = Source.WEB) -> Stage:
    """Swap a stage with the one before it (prerequisites that would then point forward are refused)."""
    return stage_move(actor=actor, stage=stage, direction="up", source=source)


@transaction.atomic
def step_move(*, actor: Person | None, step: Step, direction: str, source: str = Source.WEB) -> Step:
    """Swap a step with the one before it (`direction="up"`) or after it ("down") in its stage. The order
    within a stage is the order people see; prerequisites are not affected by it."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": ["Move a step up or down."]})
    Stage.objects.select_for_update().get(pk=step.stage_id)
    steps = list(Step.objects.filter(stage_id=step.stage_id).order_by("position", "id"))
    index = next(n for n, s in enumerate(steps) if s.pk == step.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(steps):
        raise ValidationError({"position": [f"This is already the {'first' if direction == 'up' else 'last'} step."]})
    before = steps[index].position
    steps[index], steps[target] = steps[target], steps[index]
    for number, each in enumerate(steps, start=1):
        each.position = number
    Step.objects.bulk_update(steps, ["position"])
    version_bump("pathways")
    moved = steps[target]
    audit_record(
        actor=actor,
        action="pathway_step.move",
        target=moved,
        changes={"position": [before, moved.position]},
        source=source,
    )
    return moved


@transaction.atomic
def stage_delete(*, actor: Person | None, stage: Stage, source: str = Source.WEB) -> None:
    pathway = Pathway.objects.select_for_update().get(pk=stage.pathway_id)
    if pathway.is_published and pathway.stages.count() == 1:
        raise ValidationError({"stage": ["A published pathway keeps at least one stage; unpublish it first."]})
    audit_record(
        actor=actor, action="pathway_stage.delete", target=stage, changes={"title": [stage.title, None]}, source=source
    )
    stage.delete()


@transaction.atomic
def step_add(*, actor: Person | None, stage: Stage, item: CatalogItem, source: str = Source.WEB) -> Step:
    stage = Stage.objects.select_for_update().select_related("pathway").get(pk=stage.pk)
    _check_items(stage.pathway, [item])
    position = (stage.steps.aggregate(top=Max("position"))["top"] or 0) + 1
    step = Step.objects.create(stage=stage, item=item, position=position)
    audit_record(
        actor=actor, action="pathway_step.create", target=step, changes={"item": [None, item.title]}, source=source
    )
    return step


@transaction.atomic
def step_remove(*, actor: Person | None, step: Step, source: str = Source.WEB) -> None:
    stage = Stage.objects.select_for_update().select_related("pathway").get(pk=step.stage_id)
    remaining = stage.steps.count() - 1
    if remaining == 0:
        raise ValidationError({"item": ["This is the stage's only step; delete the stage instead."]})
    if stage.required_count is not None and stage.required_count > remaining:
        raise ValidationError(
            {"item": [f"The stage needs {stage.required_count} steps; lower that number before removing this one."]}
        )
    audit_record(
        actor=actor, action="pathway_step.delete", target=step, changes={"item": [str(step.item), None]}, source=source
    )
    step.delete()


def _cycle(start: Step, chosen: list[Step], edges: dict[int, set[int]]) -> bool:
    """Would `start` waiting for `chosen` close a loop? True when any chosen step (transitively) waits for start."""
    seen: set[int] = set()
    todo = [s.pk for s in chosen]
    while todo:
        current = todo.pop()
        if current == start.pk:
            return True
        if current in seen:
            continue
        seen.add(current)
        todo.extend(edges.get(current, ()))
    return False


@transaction.atomic
def step_set_prerequisites(
    *, actor: Person | None, step: Step, prerequisites: list[Step], source: str = Source.WEB
) -> Step:
    """The steps that must be done before this one: in this stage or an earlier one, and never in a loop."""
    step = Step.objects.select_related("stage", "item").get(pk=step.pk)
    Pathway.objects.select_for_update().get(pk=step.stage.pathway_id)
    chosen = list(Step.objects.filter(pk__in=[p.pk for p in prerequisites]).select_related("stage", "item"))
    if step.pk in {p.pk for p in chosen}:
        raise ValidationError({"prerequisites": ["A step cannot wait for itself."]})
    for other in chosen:
        if other.stage.pathway_id != step.stage.pathway_id:
            raise ValidationError({"prerequisites": [f"“{other.item}” is not part of this pathway."]})
        if other.stage.position > step.stage.position:
            raise ValidationError(
                {"prerequisites": [f"“{other.item}” comes in a later stage; a step can only wait for earlier ones."]}
            )
    edges: dict[int, set[int]] = {}
    through = Step.prerequisites.through.objects.filter(from_step__stage__pathway_id=step.stage.pathway_id)
    for from_id, to_id in through.values_list("from_step_id", "to_step_id"):
        if from_id != step.pk:
            edges.setdefault(from_id, set()).add(to_id)
    if _cycle(step, chosen, edges):
        raise ValidationError(
            {"prerequisites": ["That would make steps wait for each other in a circle, so none could start."]}
        )
    before = sorted(str(p.item) for p in step.prerequisites.select_related("item"))
    step.prerequisites.set(chosen)
    after = sorted(str(p.item) for p in chosen)
    if before != after:
        audit_record(
            actor=actor,
            action="pathway_step.prerequisites",
            target=step,
            changes={"prerequisites": [before, after]},
            source=source,
        )
    return step


# --- Assigning ----------------------------------------------------------------------------------


def _check_due(due_on: dt.date | None) -> None:
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": ["Choose a due date from today on; this one has passed."]})


def _check_may_assign(actor: Person, pathway: Pathway, person: Person, required: bool) -> None:
    if not person.is_active:
        raise ValidationError({"person": [f"{person} has left the organization."]})
    if actor.pk == person.pk and not policy.can(actor, "assign", pathway):
        if not policy.can(actor, "pick", pathway):
            raise ValidationError({"pathway": ["This pathway is not open yet."]})
        if required:
            raise ValidationError({"required": ["Pathways you pick for yourself are voluntary."]})
        return
    if not pathway.is_published:
        raise ValidationError({"pathway": ["Publish the pathway before assigning it."]})
    if not (policy.can(actor, "assign", pathway) and policy.can(actor, "assign_pathway", person)):
        raise ValidationError(
            {"person": [f"You can assign pathways only to people who report to you; {person} does not."]}
        )


def _notify_assigned(assignment: Assignment) -> None:
    due = f" It is due on {assignment.due_on:%d %B %Y}." if assignment.due_on else ""
    kind = "required" if assignment.required else "suggested"
    by = assignment.assigned_by.display_name if assignment.assigned_by else "learnloop"
    notify(
        recipient=assignment.person,
        kind="assignment",
        title=f"New pathway: {assignment.pathway.title}",
        body=f"{by} {kind} the pathway “{assignment.pathway.title}” for you.{due}",
        url=reverse("pathways:detail", kwargs={"pathway_id": assignment.pathway_id}),
        dedupe_key=f"pathway-assignment-{assignment.pk}-{assignment.assigned_at.timestamp():.0f}",
    )


def _record_assigned(assignment: Assignment, actor: Person | None) -> None:
    extensions: dict[str, Any] = {f"{EXT}/required": assignment.required}
    if actor is not None:
        extensions[f"{EXT}/assigned-by"] = actor.username
    if assignment.due_on:
        extensions[f"{EXT}/due-date"] = assignment.due_on.isoformat()
    record_event(
        person=assignment.person,
        verb="assigned",
        activity_id=pathway_activity(assignment.pathway),
        activity_name=assignment.pathway.title,
        activity_type="pathway",
        extensions=extensions,
    )


def _create(
    *,
    actor: Person | None,
    pathway: Pathway,
    person: Person,
    required: bool,
    due_on: dt.date | None,
    team: OrgUnit | None,
    source: str,
) -> Assignment:
    assignment = Assignment.objects.create(
        pathway=pathway,
        person=person,
        assigned_by=actor,
        team=team,
        required=required,
        due_on=due_on,
        assigned_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="pathway_assignment.create",
        target=assignment,
        changes={
            "person": [None, person.display_name],
            "pathway": [None, pathway.title],
            "required": [None, required],
            "due_on": [None, due_on.isoformat() if due_on else None],
            **({"team": [None, team.path]} if team else {}),
        },
        source=source,
    )
    _record_assigned(assignment, actor)
    if actor is None or actor.pk != person.pk:
        _notify_assigned(assignment)
    return assignment


@transaction.atomic
def assignment_create(
    *,
    actor: Person,
    pathway: Pathway,
    person: Person,
    required: bool,
    due_on: dt.date | None = None,
    source: str = Source.WEB,
) -> Assignment:
    """Assign a pathway to one person (or pick one for oneself, voluntary); notifies them."""
    _check_may_assign(actor, pathway, person, required)
    _check_due(due_on)
    Person.objects.select_for_update().get(pk=person.pk)  # one assignment per person and pathway, even in a race
    existing = Assignment.objects.filter(pathway=pathway, person=person).first()
    if existing is not None:
        raise ValidationError(
            {"person": [f"{person} already has this pathway (since {existing.assigned_at:%d %B %Y})."]}
        )
    return _create(
        actor=actor, pathway=pathway, person=person, required=required, due_on=due_on, team=None, source=source
    )


@dataclass
class TeamAssignment:
    assigned: list[Assignment] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)


@transaction.atomic
def assignment_create_for_team(
    *,
    actor: Person,
    pathway: Pathway,
    team: OrgUnit,
    required: bool,
    due_on: dt.date | None = None,
    source: str = Source.WEB,
) -> TeamAssignment:
    """Assign to every active member of a unit (and the units under it); says who was assigned and who
    already had it. Managers may assign a unit only when they manage everyone in it besides themselves."""
    from learnloop.pathways.selectors import team_members

    if not pathway.is_published:
        raise ValidationError({"pathway": ["Publish the pathway before assigning it."]})
    if not policy.can(actor, "assign", pathway):
        raise ValidationError({"pathway": ["You cannot assign this pathway."]})
    _check_due(due_on)
    members = [p for p in team_members(team).select_for_update() if p.pk != actor.pk or Role.LD_ADMIN in actor.roles]
    if not members:
        raise ValidationError({"team": [f"Nobody active is in {team.path}."]})
    outside = [p for p in members if not policy.can(actor, "assign_pathway", p)]
    if outside:
        names = ", ".join(p.display_name for p in outside[:3]) + (" and others" if len(outside) > 3 else "")
        raise ValidationError(
            {"team": [f"You do not manage everyone in {team.path} ({names}); assign the people you manage one by one."]}
        )
    has = set(Assignment.objects.filter(pathway=pathway, person__in=members).values_list("person_id", flat=True))
    result = TeamAssignment()
    for person in members:
        if person.pk in has:
            result.already.append(person)
        else:
            result.assigned.append(
                _create(
                    actor=actor,
                    pathway=pathway,
                    person=person,
                    required=required,
                    due_on=due_on,
                    team=team,
                    source=source,
                )
            )
    return result


@transaction.atomic
def assignment_set_due(
    *, actor: Person, assignment: Assignment, due_on: dt.date | None, source: str = Source.WEB
) -> Assignment:
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not policy.can(actor, "change", assignment):
        raise ValidationError({"assignment": ["You cannot change this assignment."]})
    _check_due(due_on)
    before = assignment.due_on
    if before != due_on:
        assignment.due_on = due_on
        assignment.save(update_fields=["due_on"])
        audit_record(
            actor=actor,
            action="pathway_assignment.due",
            target=assignment,
            changes={"due_on": [before.isoformat() if before else None, due_on.isoformat() if due_on else None]},
            source=source,
        )
    return assignment


@transaction.atomic
def assignment_delete(*, actor: Person, assignment: Assignment, source: str = Source.WEB) -> None:
    """Un-assign. The person's enrolments and any certificate stay: they are the person's record."""
    assignment = Assignment.objects.select_for_update().select_related("pathway", "person").get(pk=assignment.pk)
    if not policy.can(actor, "change", assignment):
        raise ValidationError({"assignment": ["You cannot remove this assignment."]})
    audit_record(
        actor=actor,
        action="pathway_assignment.delete",
        target=assignment,
        changes={"person": [assignment.person.display_name, None], "pathway": [assignment.pathway.title, None]},
        source=source,
    )
    assignment.delete()


# --- Completion and certificates ----------------------------------------------------------------


@transaction.atomic
def assignment_complete(*, assignment: Assignment, completed_at: dt.datetime) -> Certificate | None:
    """Record that the person finished the pathway; issue a certificate when the pathway awards one.
    Run by the completions job when derived progress reaches 100%; does nothing the second time."""
    assignment = Assignment.objects.select_for_update().select_related("pathway", "person").get(pk=assignment.pk)
    if assignment.completed_at is not None:
        return None
    assignment.completed_at = completed_at
    assignment.save(update_fields=["completed_at"])
    audit_record(
        actor=None,
        action="pathway_assignment.complete",
        target=assignment,
        changes={"completed_at": [None, completed_at.isoformat()]},
        source=Source.TASK,
    )
    pathway = assignment.pathway
    record_event(
        person=assignment.person,
        verb="completed",
        activity_id=pathway_activity(pathway),
        activity_name=pathway.title,
        activity_type="pathway",
        result={"completion": True},
        timestamp=completed_at,
    )
    if not pathway.certification_months:
        return None
    certificate = Certificate.objects.create(
        pathway=pathway,
        person=assignment.person,
        issued_at=completed_at,
        expires_at=add_months(completed_at, pathway.certification_months),
    )
    audit_record(
        actor=None,
        action="pathway_certificate.issue",
        target=certificate,
        changes={"expires_at": [None, certificate.expires_at.isoformat()]},
        source=Source.TASK,
    )
    record_event(
        person=assignment.person,
        verb="earned",
        activity_id=activity_iri("certificate", certificate.pk),
        activity_name=f"{pathway.title} certification",
        activity_type="certificate",
        context_activities={"parent": [pathway_activity(pathway)]},
        extensions={f"{EXT}/expires-at": certificate.expires_at.isoformat()},
        timestamp=completed_at,
    )
    return certificate


@transaction.atomic
def certificate_renewal_assign(*, certificate: Certificate, now: dt.datetime) -> Assignment | None:
    """Hand the pathway out again before the certificate expires: required, due on the expiry date, and
    only completions from now on count. Once per certificate."""
    certificate = Certificate.objects.select_for_update().select_related("pathway", "person").get(pk=certificate.pk)
    if certificate.renewal_assigned_at is not None or not certificate.person.is_active:
        return None
    certificate.renewal_assigned_at = now
    certificate.save(update_fields=["renewal_assigned_at"])
    due = max(timezone.localdate(certificate.expires_at), timezone.localdate(now))
    assignment = (
        Assignment.objects.select_for_update().filter(pathway=certificate.pathway, person=certificate.person).first()
    )
    if assignment is None:
        assignment = Assignment(pathway=certificate.pathway, person=certificate.person)
    before = {"completed_at": assignment.completed_at.isoformat() if assignment.completed_at else None}
    assignment.required, assignment.due_on, assignment.assigned_at = True, due, now
    assignment.counts_from, assignment.completed_at, assignment.assigned_by = now, None, None
    assignment.save()
    audit_record(
        actor=None,
        action="pathway_assignment.recertify",
        target=assignment,
        changes={"completed_at": [before["completed_at"], None], "due_on": [None, due.isoformat()]},
        source=Source.TASK,
    )
    _record_assigned(assignment, None)
    return assignment
