"""Writes for development plans, org objectives and transfer checks: each atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record, field_changes, snapshot
from learnloop.core.models import AuditEvent
from learnloop.learning.models import CatalogItem
from learnloop.lrs.events import LEARNLOOP_IRI, Event, activity_iri, event_statement, person_agent, record_event
from learnloop.notifications.services import notify
from learnloop.people.models import JobRole, OrgUnit, Person
from learnloop.plans.models import Goal, Objective, Plan, PlanComment, TransferCheck
from learnloop.skills.models import CareerPath, Skill
from learnloop.skills.services import scale_top

Source = AuditEvent.Source
GOAL_ACTIVITY_TYPE = f"{LEARNLOOP_IRI}/activities/plan-goal"
OBJECTIVE_FIELDS = ("title", "description", "period", "parent", "org_unit", "is_active")
PLAN_FIELDS = ("period", "starts_on", "ends_on")
GOAL_FIELDS = ("kind", "skill", "target_level", "outcome", "measure", "objective", "role", "due_on")


# --- Objectives -------------------------------------------------------------------------------------


def _check_objective(objective: Objective) -> None:
    errors: dict[str, list[str]] = {}
    if not objective.title.strip():
        errors["title"] = ["Give the objective a title."]
    if not objective.period.strip():
        errors["period"] = ["Name the period it is for, such as 2026 or 2026-H2."]
    parent = objective.parent
    seen = {objective.pk} if objective.pk else set()
    while parent is not None:
        if parent.pk in seen:
            errors["parent"] = ["An objective cannot sit under itself."]
            break
        seen.add(parent.pk)
        parent = parent.parent
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def objective_create(
    *,
    actor: Person | None,
    title: str,
    period: str,
    description: str = "",
    parent: Objective | None = None,
    org_unit: OrgUnit | None = None,
    is_active: bool = True,
    source: str = Source.WEB,
) -> Objective:
    objective = Objective(
        title=title.strip(),
        period=period.strip(),
        description=description.strip(),
        parent=parent,
        org_unit=org_unit,
        is_active=is_active,
    )
    _check_objective(objective)
    objective.save()
    changes = field_changes(before={}, after=snapshot(objective, OBJECTIVE_FIELDS))
    audit_record(actor=actor, action="objective.create", target=objective, changes=changes, source=source)
    return objective


@transaction.atomic
def objective_update(
    *, actor: Person | None, objective: Objective, source: str = Source.WEB, **changes: Any
) -> Objective:
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    before = snapshot(objective, changes)
    for key, value in changes.items():
        setattr(objective, key, value.strip() if isinstance(value, str) else value)
    _check_objective(objective)
    diff = field_changes(before=before, after=snapshot(objective, changes))
    if diff:
        objective.save(update_fields=[*diff, "updated_at"])
        audit_record(actor=actor, action="objective.update", target=objective, changes=diff, source=source)
    return objective


# --- Plans ------------------------------------------------------------------------------------------


def _check_plan(plan: Plan) -> None:
    errors: dict[str, list[str]] = {}
    if not plan.period.strip():
        errors["period"] = ["Name the period, such as 2026 or 2026-H2."]
    elif Plan.objects.filter(person_id=plan.person_id, period=plan.period).exclude(pk=plan.pk).exists():
        errors["period"] = [f"There is already a plan for {plan.period}; add goals to it instead."]
    if plan.starts_on and plan.ends_on and plan.ends_on < plan.starts_on:
        errors["ends_on"] = ["The plan must end after it starts."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(
    *, actor: Person, person: Person, period: str, starts_on: dt.date, ends_on: dt.date, source: str = Source.WEB
) -> Plan:
    """A new plan for `person` (people write their own plans)."""
    if actor.pk != person.pk:
        raise ValidationError({"person": ["People write their own plans; managers comment on them."]})
    plan = Plan(person=person, period=period.strip(), starts_on=starts_on, ends_on=ends_on)
    _check_plan(plan)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError({"period": [f"There is already a plan for {plan.period}."]}) from None
    changes = field_changes(before={}, after=snapshot(plan, PLAN_FIELDS))
    audit_record(actor=actor, action="plan.create", target=plan, changes=changes, source=source)
    return plan


@transaction.atomic
def plan_update(*, actor: Person, plan: Plan, source: str = Source.WEB, **changes: Any) -> Plan:
    policy.require(actor, "change", plan)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    before = snapshot(plan, changes)
    for key, value in changes.items():
        setattr(plan, key, value.strip() if isinstance(value, str) else value)
    _check_plan(plan)
    diff = field_changes(before=before, after=snapshot(plan, changes))
    if diff:
        plan.save(update_fields=[*diff, "updated_at"])
        audit_record(actor=actor, action="plan.update", target=plan, changes=diff, source=source)
    return plan


@transaction.atomic
def plan_close(*, actor: Person, plan: Plan, source: str = Source.WEB) -> Plan:
    """Close the plan at the end of its period. No statement: closing is bookkeeping, not a learning event."""
    policy.require(actor, "change", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Plan.Status.CLOSED:
        return plan
    plan.status, plan.closed_at = Plan.Status.CLOSED, timezone.now()
    plan.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="plan.close", target=plan, changes={"status": ["open", "closed"]}, source=source)
    return plan


# --- Goals ------------------------------------------------------------------------------------------


def role_path_options(person: Person) -> list[JobRole]:
    """The roles a goal may link to: the person's own job role and the next roles a career path leads to."""
    if person.job_role_id is None:
        return []
    next_roles = [
        path.to_role for path in CareerPath.objects.filter(from_role_id=person.job_role_id).select_related("to_role")
    ]
    return [person.job_role, *next_roles] if person.job_role else next_roles


def _check_goal(goal: Goal, person: Person) -> None:
    errors: dict[str, list[str]] = {}
    if goal.kind == Goal.Kind.SKILL:
        if goal.skill_id is None:
            errors["skill"] = ["Choose the skill this goal is about."]
        if goal.target_level is not None:
            top = scale_top(hold=True)
            if not 1 <= goal.target_level <= top:
                errors["target_level"] = [f"Choose a level from 1 to {top}."]
    elif goal.kind == Goal.Kind.OUTCOME:
        if not goal.outcome.strip():
            errors["outcome"] = ["Describe the outcome you are aiming for."]
    else:
        errors["kind"] = ["Choose a skill goal or an outcome goal."]
    if goal.objective_id is not None and not Objective.objects.filter(pk=goal.objective_id, is_active=True).exists():
        errors["objective"] = ["That objective is no longer active; choose a current one."]
    if goal.role_id is not None and goal.role_id not in {r.pk for r in role_path_options(person)}:
        errors["role"] = ["Choose your own role or a next role on your career path."]
    if errors:
        raise ValidationError(errors)


def _check_items(actor: Person, items: list[CatalogItem]) -> None:
    hidden = [item for item in items if not policy.can(actor, "view", item)]
    if hidden:
        raise ValidationError({"items": ["One of the chosen items is not available to you."]})


def _goal_snapshot(goal: Goal) -> dict[str, Any]:
    return snapshot(goal, GOAL_FIELDS)


def _require_open(plan: Plan) -> None:
    if plan.status == Plan.Status.CLOSED:
        raise ValidationError({"plan": ["This plan is closed; start a plan for the next period."]})


@transaction.atomic
def goal_create(
    *,
    actor: Person,
    plan: Plan,
    kind: str,
    skill: Skill | None = None,
    target_level: int | None = None,
    outcome: str = "",
    measure: str = "",
    objective: Objective | None = None,
    role: JobRole | None = None,
    due_on: dt.date | None = None,
    items: list[CatalogItem] | None = None,
    source: str = Source.WEB,
) -> Goal:
    """Add a goal. Only hard mistakes are refused; the SMART check advises on the rest (see smart.py)."""
    policy.require(actor, "change", plan)
    _require_open(plan)
    goal = Goal(
        plan=plan,
        kind=kind,
        skill=skill if kind == Goal.Kind.SKILL else None,
        target_level=target_level if kind == Goal.Kind.SKILL else None,
        outcome=outcome.strip(),
        measure=measure.strip(),
        objective=objective,
        role=role,
        due_on=due_on,
    )
    _check_goal(goal, plan.person)
    _check_items(actor, items or [])
    goal.save()
    goal.items.set(items or [])
    changes = field_changes(before={}, after=_goal_snapshot(goal))
    if items:
        changes["items"] = [[], sorted(item.pk for item in items)]
    audit_record(actor=actor, action="goal.create", target=goal, changes=changes, source=source)
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: Person,
    goal: Goal,
    items: list[CatalogItem] | None = None,
    source: str = Source.WEB,
    **changes: Any,
) -> Goal:
    plan = goal.plan
    policy.require(actor, "change", plan)
    _require_open(plan)
    unknown = set(changes) - set(GOAL_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    before = _goal_snapshot(goal)
    for key, value in changes.items():
        setattr(goal, key, value.strip() if isinstance(value, str) else value)
    if goal.kind == Goal.Kind.OUTCOME:
        goal.skill, goal.target_level = None, None
    _check_goal(goal, plan.person)
    diff = field_changes(before=before, after=_goal_snapshot(goal))
    if items is not None:
        _check_items(actor, items)
        old = sorted(goal.items.values_list("pk", flat=True))
        new = sorted(item.pk for item in items)
        if old != new:
            goal.items.set(items)
            diff["items"] = [old, new]
    if diff:
        # Only what changed: a level read before a scale resize must not be written back over its move.
        changed = [name for name in GOAL_FIELDS if name in diff]
        if changed:
            goal.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=actor, action="goal.update", target=goal, changes=diff, source=source)
    return goal


def _goal_completed(goal: Goal, *, at: dt.datetime | None = None) -> Event:
    return {
        "person": goal.plan.person,
        "verb": "completed",
        "activity_id": activity_iri("plan-goal", goal.pk),
        "activity_name": str(goal),
        "activity_type": GOAL_ACTIVITY_TYPE,
        "result": {"completion": True},
        "context_activities": {"parent": [activity_iri("plan", goal.plan_id)]},
        "timestamp": at,
    }


def goal_history(goal: Goal) -> list[dict[str, Any]]:
    """The statement `goal_complete` would have recorded for an achieved goal, dated when it was achieved:
    for goals written achieved in bulk (the demo), stored with `record_events`. Its plan's person (and
    skill, for its name) should be loaded."""
    return [event_statement(**_goal_completed(goal, at=goal.completed_at))] if goal.completed_at else []


@transaction.atomic
def goal_complete(*, actor: Person, goal: Goal, source: str = Source.WEB) -> Goal:
    """The person marks the goal achieved; recorded as an xAPI `completed` statement on the goal."""
    plan = goal.plan
    policy.require(actor, "change", plan)
    _require_open(plan)
    # Lock the goal row alone: PostgreSQL refuses FOR UPDATE across the nullable join to the skill.
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if goal.completed_at is not None:
        return goal
    goal.completed_at = timezone.now()
    goal.save(update_fields=["completed_at", "updated_at"])
    audit_record(actor=actor, action="goal.complete", target=goal, changes={"completed": [False, True]}, source=source)
    goal.plan = plan
    record_event(**_goal_completed(goal))
    return goal


@transaction.atomic
def goal_delete(*, actor: Person, goal: Goal, source: str = Source.WEB) -> None:
    policy.require(actor, "change", goal.plan)
    _require_open(goal.plan)
    audit_record(
        actor=actor,
        action="goal.delete",
        target=goal,
        changes=field_changes(before=_goal_snapshot(goal), after={}, fields=GOAL_FIELDS),
        source=source,
    )
    goal.delete()


# --- Comments ---------------------------------------------------------------------------------------


@transaction.atomic
def plan_nudge(
    *, actor: Person, person: Person, period: str = "", today: dt.date | None = None, source: str = Source.WEB
) -> bool:
    """A manager asks someone below them who has no plan to start one: a `plan_nudge` notification, once
    per manager, person and period (or month, without a period). Returns whether it was sent now (False
    when they were nudged already or turned these reminders off); only a sent nudge is audited."""
    from learnloop.plans.selectors import nudge_key, plans_shown_on_team

    period = period.strip()[:20]
    if not person.is_active or not policy.can(actor, "nudge_plan", person):
        raise ValidationError({"person": ["You can remind only people in your team."]})
    today = today or timezone.localdate()
    if plans_shown_on_team(period=period, today=today).filter(person=person).exists():
        raise ValidationError(
            {"person": [f"{person.display_name} already has a plan{f' for {period}' if period else ''}."]}
        )
    what = f"your development plan for {period}" if period else "your development plan"
    sent = notify(
        recipient=person,
        kind="plan_nudge",
        title=f"{actor.display_name} asks you to start {what}",
        body=(
            "A plan is a few goals for the period, why they matter and the learning that gets you there. "
            "Start it in learnloop; your manager sees it and can help."
        ),
        url=reverse("plans:plan_create"),
        dedupe_key=nudge_key(actor=actor, person=person, period=period, today=today),
    )
    if sent is None:
        return False
    audit_record(
        actor=actor, action="plan.nudge", target=person, changes={"period": [None, period or None]}, source=source
    )
    return True


@transaction.atomic
def plan_comment_add(
    *, actor: Person, plan: Plan, body: str, goal: Goal | None = None, source: str = Source.WEB
) -> PlanComment:
    """A comment on a plan by its owner or a manager above them; the owner hears about a manager's comment."""
    policy.require(actor, "comment", plan)
    if not body.strip():
        raise ValidationError({"body": ["Write your comment first."]})
    if len(body) > 5000:
        raise ValidationError({"body": ["Keep a comment under 5,000 characters."]})
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError({"goal": ["That goal belongs to another plan."]})
    comment = PlanComment.objects.create(plan=plan, goal=goal, author=actor, body=body.strip())
    audit_record(actor=actor, action="plan.comment", target=comment, changes={"plan": [None, plan.pk]}, source=source)
    if actor.pk != plan.person_id:
        notify(
            recipient=plan.person,
            kind="plan_comment",
            title=f"{actor.display_name} commented on your {plan.period} plan",
            body=body.strip()[:500],
            url=reverse("plans:plan", kwargs={"plan_id": plan.pk}),
            dedupe_key=f"plan_comment:{comment.pk}",
        )
    return comment


# --- Transfer checks --------------------------------------------------------------------------------


@transaction.atomic
def transfer_check_answer(
    *, actor: Person, check: TransferCheck, applied: str, how: str = "", source: str = Source.WEB
) -> TransferCheck:
    """Answer (or revise the answer to) a transfer check.

    Every answer is an xAPI `answered-transfer-check` statement whose actor is whoever answered: a
    manager's view of their report is the manager's statement, never the learner's. The learner's own
    first yes or partly is also the learning event `applied`, in their name. The statements carry the
    answer (yes, partly, not yet) but not the words written with it, which are for the respondent only.
    """
    policy.require(actor, "answer", check)
    if applied not in TransferCheck.Applied.values:
        raise ValidationError({"applied": ["Choose yes, partly or not yet."]})
    if len(how) > 5000:
        raise ValidationError({"how": ["Keep it under 5,000 characters."]})
    check = TransferCheck.objects.select_for_update().select_related("enrollment__item", "learner").get(pk=check.pk)
    before = {"applied": check.applied, "how": check.how}
    first_answer = check.answered_at is None
    check.applied, check.how, check.answered_at = applied, how.strip(), timezone.now()
    check.save(update_fields=["applied", "how", "answered_at"])
    audit_record(
        actor=actor,
        action="transfer_check.answer",
        target=check,
        changes=field_changes(before=before, after={"applied": check.applied, "how": check.how}),
        source=source,
    )
    item = check.enrollment.item
    days_extension = f"{LEARNLOOP_IRI}/extensions/days-after-completion"
    record_event(
        person=actor,
        verb="answered-transfer-check",
        activity_id=activity_iri("transfer-check", check.pk),
        activity_name=f"{check.offset_days}-day transfer check: {item.title}",
        activity_type="transfer-check",
        context_activities={"parent": [activity_iri("catalog-item", item.pk)]},
        extensions={
            f"{LEARNLOOP_IRI}/extensions/applied": check.applied,
            days_extension: check.offset_days,
            f"{LEARNLOOP_IRI}/extensions/learner": person_agent(check.learner),
            f"{LEARNLOOP_IRI}/extensions/revision": not first_answer,
        },
    )
    if first_answer and check.by_learner and applied in (TransferCheck.Applied.YES, TransferCheck.Applied.PARTLY):
        record_event(
            person=check.learner,
            verb="applied",
            activity_id=activity_iri("catalog-item", item.pk),
            activity_name=item.title,
            activity_type="catalog-item",
            # The answer's words are for the respondent only (policy "plans.transfercheck"): not in statements.
            result={"extensions": {days_extension: check.offset_days}},
            registration=str(check.enrollment.registration),
        )
    return check
