"""Reads for development plans: plans with their progress, team plans, objectives, transfer checks.

Progress is computed from the attached items' enrolments for the plan's person: a completed item counts
fully, one in progress (or enrolled) counts its progress fraction, a dropped or untouched one nothing.
A goal's progress is the average over its items; a plan's is the average over its goals that have items.
Whatever the number of plans and goals, `with_progress` costs three queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from learnloop.core import policy
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.people.models import Person
from learnloop.plans.models import Goal, Objective, Plan, PlanComment, TransferCheck
from learnloop.plans.smart import Advice, GoalDraft, PlanWindow, advise, weekly_learning_minutes
from learnloop.skills.calibration import Rating, calibrate
from learnloop.skills.models import SkillAssessment
from learnloop.skills.services import scale_top

Status = Enrollment.Status


def item_credit(enrollment: Enrollment | None) -> float:
    """How much one item counts towards a goal, from 0 to 1."""
    if enrollment is None or enrollment.status == Status.DROPPED:
        return 0.0
    if enrollment.status == Status.COMPLETED or enrollment.previously_completed_at is not None:
        return 1.0  # taking an item again (a renewal) does not undo what was learned
    return min(max(enrollment.progress, 0), 100) / 100


def _goals_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "goals",
        queryset=Goal.objects.select_related("skill", "objective", "role").prefetch_related(
            Prefetch("items", queryset=CatalogItem.objects.only("pk", "title", "duration_minutes", "kind"))
        ),
    )


def with_progress(plans: Iterable[Plan]) -> list[Plan]:
    """`plans` with `plan.progress` (0-100 or None) and, per goal, `goal.progress` and `goal.item_rows`."""
    plans = list(plans)
    if not plans:
        return plans
    # A no-op for plans whose goals were prefetched already.
    prefetch_related_objects(plans, _goals_prefetch())
    item_ids = {item.pk for plan in plans for goal in plan.goals.all() for item in goal.items.all()}
    enrollments = {
        (e.person_id, e.item_id): e
        for e in Enrollment.objects.filter(person_id__in={p.person_id for p in plans}, item_id__in=item_ids).only(
            "pk", "person_id", "item_id", "status", "progress", "completed_at", "previously_completed_at"
        )
    }
    for plan in plans:
        goal_scores = []
        for goal in plan.goals.all():
            found = [(item, enrollments.get((plan.person_id, item.pk))) for item in goal.items.all()]
            goal.item_rows = [{"item": item, "enrollment": e} for item, e in found]  # type: ignore[attr-defined]
            if found:
                score = sum(item_credit(e) for _, e in found) / len(found)
                goal.progress = round(score * 100)  # type: ignore[attr-defined]
                goal_scores.append(score)
            else:
                goal.progress = None  # type: ignore[attr-defined]
        plan.progress = round(sum(goal_scores) / len(goal_scores) * 100) if goal_scores else None  # type: ignore[attr-defined]
    return plans


def goal_flags(goal: Goal, *, plan_open: bool, today: dt.date) -> tuple[dt.date | None, bool]:
    """What a goal asks of its person today: `(overdue_since, ready_to_achieve)`. A goal of an open plan
    that is not achieved is overdue from the day after its due date (due today is not late yet), and ready
    to be marked achieved once every item attached is done (not when a rounded average reads 100%).
    Achieved goals and closed plans ask nothing. The goal comes from `with_progress` (its `item_rows`)."""
    if not plan_open or goal.completed_at is not None:
        return None, False
    overdue = goal.due_on if goal.due_on is not None and goal.due_on < today else None
    rows = getattr(goal, "item_rows", [])
    return overdue, bool(rows) and all(item_credit(row["enrollment"]) == 1.0 for row in rows)


def with_flags(plans: Iterable[Plan], *, today: dt.date | None = None) -> list[Plan]:
    """`with_progress`, and per goal `overdue_since` and `ready_to_achieve` (see `goal_flags`)."""
    plans = with_progress(plans)
    today = today or timezone.localdate()
    for plan in plans:
        for goal in plan.goals.all():
            flags = goal_flags(goal, plan_open=plan.status == Plan.Status.OPEN, today=today)
            goal.overdue_since, goal.ready_to_achieve = flags  # type: ignore[attr-defined]
    return plans


def plans_of(*, actor: Person, person: Person) -> list[Plan]:
    """A person's plans, newest first, with progress."""
    plans = policy.scope(actor, "view", Plan.objects.filter(person=person)).prefetch_related(_goals_prefetch())
    return with_progress(plans)


def plan_get(*, actor: Person, plan_id: int, action: str = "view") -> Plan:
    plans = Plan.objects.select_related("person", "person__job_role")
    return policy.get_or_404(actor, action, plans, pk=plan_id)


def plan_detail(*, actor: Person, plan_id: int, today: dt.date | None = None) -> dict[str, Any]:
    """One plan with progress and flags, its comments and what the actor may do (a fixed number of queries)."""
    plan = plan_get(actor=actor, plan_id=plan_id)
    with_flags([plan], today=today)
    comments = list(PlanComment.objects.filter(plan=plan).select_related("author", "goal", "goal__skill"))
    return {
        "plan": plan,
        "comments": comments,
        "can_change": policy.can(actor, "change", plan) and plan.status == Plan.Status.OPEN,
        "can_comment": policy.can(actor, "comment", plan),
    }


def current_plan(*, person: Person, today: dt.date | None = None) -> Plan | None:
    """The open plan whose period covers today, else the latest open plan."""
    today = today or timezone.localdate()
    open_plans = Plan.objects.filter(person=person, status=Plan.Status.OPEN)
    return (
        open_plans.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
        or open_plans.order_by("-starts_on").first()
    )


def home_panel_context(person: Person, today: dt.date | None = None) -> dict[str, Any] | None:
    """The "My plan" panel: the current plan's goals with progress and what they ask (overdue, ready to be
    marked achieved), or nothing when there is no plan."""
    plan = current_plan(person=person, today=today)
    if plan is None:
        return None
    with_flags([plan], today=today)
    goals: list[Any] = list(plan.goals.all())
    return {
        "plan": plan,
        "goals": goals,
        "overdue": sum(1 for g in goals if g.overdue_since),
        "ready": sum(1 for g in goals if g.ready_to_achieve),
    }


def team_plans(*, actor: Person, period: str = "") -> list[Plan]:
    """Plans of everyone under the actor (directly or further down), with progress."""
    plans = (
        policy.scope(actor, "comment", Plan.objects.exclude(person=actor))
        .select_related("person", "person__manager")
        .prefetch_related(_goals_prefetch())
        .order_by("person__last_name", "person__first_name", "-starts_on")
    )
    return with_progress(plans.filter(_shown_on_team(period=period, today=timezone.localdate())))


def plans_shown_on_team(*, period: str, today: dt.date) -> QuerySet[Plan]:
    """The plans *Team plans* shows: those of `period`, or (without one) the open ones not yet over."""
    return Plan.objects.filter(_shown_on_team(period=period, today=today))


def _shown_on_team(*, period: str, today: dt.date) -> Q:
    return Q(period=period) if period else Q(status=Plan.Status.OPEN, ends_on__gte=today)


def team_without_plan(*, actor: Person, period: str = "", today: dt.date | None = None) -> list[Person]:
    """Everyone active under the actor with no plan to show on *Team plans*: none for `period`, or (without
    one) no open plan that runs today or later. Each carries `nudged_at`, when the actor last nudged them
    about it (None if never). Two queries whatever the team's size."""
    from learnloop.notifications.models import Notification

    today = today or timezone.localdate()
    planned = plans_shown_on_team(period=period, today=today)
    people = list(
        policy.scope(actor, "nudge_plan", Person.objects.filter(is_active=True))
        .exclude(pk__in=planned.values("person_id"))
        .select_related("manager")
        .order_by("last_name", "first_name", "pk")
    )
    keys = {nudge_key(actor=actor, person=p, period=period, today=today): p for p in people}
    sent = dict(
        Notification.objects.filter(kind="plan_nudge", dedupe_key__in=keys).values_list("dedupe_key", "created_at")
    )
    for key, person in keys.items():
        person.nudged_at = sent.get(key)  # type: ignore[attr-defined]
    return people


def nudge_key(*, actor: Person, person: Person, period: str, today: dt.date) -> str:
    """One nudge per manager, person and period (or calendar month, when no period is chosen): a second
    click the same month tells no one twice."""
    return f"plan-nudge:{actor.pk}:{person.pk}:{period or today.strftime('%Y-%m')}"


def team_periods(*, actor: Person) -> list[str]:
    plans = policy.scope(actor, "comment", Plan.objects.exclude(person=actor))
    return list(plans.order_by("-period").values_list("period", flat=True).distinct())


# --- Objectives -------------------------------------------------------------------------------------


def objective_list(*, actor: Person, include_inactive: bool = False) -> QuerySet[Objective]:
    objectives = policy.scope(actor, "view", Objective.objects.select_related("parent", "org_unit"))
    if not include_inactive:
        objectives = objectives.filter(is_active=True)
    return objectives.annotate(goal_count=Count("goals")).order_by("-period", "title")


# --- SMART check ------------------------------------------------------------------------------------


def calibrated_level(*, person: Person, skill_id: int) -> float | None:
    assessments = SkillAssessment.objects.filter(person=person, skill_id=skill_id).only(
        "source", "level", "assessed_at", "assessor_id"
    )
    ratings = [
        Rating(source=a.source, level=a.level, assessed_at=a.assessed_at, rater_id=a.assessor_id) for a in assessments
    ]
    return calibrate(ratings, at=timezone.now()).level


def goal_advice(
    *,
    plan: Plan,
    kind: str,
    skill: Any = None,
    target_level: int | None = None,
    outcome: str = "",
    measure: str = "",
    objective: Objective | None = None,
    role: Any = None,
    due_on: dt.date | None = None,
    items: Iterable[CatalogItem] = (),
    today: dt.date | None = None,
) -> list[Advice]:
    """The SMART advice for a goal as written (saved or not) in `plan`."""
    items = list(items)
    draft = GoalDraft(
        kind=kind,
        skill_name=skill.name if skill is not None and kind == Goal.Kind.SKILL else "",
        target_level=target_level,
        current_level=calibrated_level(person=plan.person, skill_id=skill.pk)
        if skill is not None and kind == Goal.Kind.SKILL
        else None,
        top_level=scale_top() if kind == Goal.Kind.SKILL else None,
        outcome=outcome,
        measure=measure,
        due_on=due_on,
        has_link=objective is not None or role is not None,
        item_minutes=sum(item.duration_minutes or 0 for item in items),
        items_without_duration=sum(1 for item in items if not item.duration_minutes),
    )
    return advise(
        draft,
        window=PlanWindow(starts_on=plan.starts_on, ends_on=plan.ends_on),
        today=today or timezone.localdate(),
        weekly_minutes=weekly_learning_minutes(plan.person),
    )


def saved_goal_advice(goal: Goal) -> list[Advice]:
    return goal_advice(
        plan=goal.plan,
        kind=goal.kind,
        skill=goal.skill,
        target_level=goal.target_level,
        outcome=goal.outcome,
        measure=goal.measure,
        objective=goal.objective,
        role=goal.role,
        due_on=goal.due_on,
        items=goal.items.all(),
    )


# --- Transfer checks --------------------------------------------------------------------------------


def pending_checks(checks: Iterable[TransferCheck], *, today: dt.date) -> list[TransferCheck]:
    """The unanswered checks to show: those due by `today`, and of one enrolment only the latest (a 60-day
    question replaces an unanswered 30-day one about the same learning). `checks` newest first."""
    shown: list[TransferCheck] = []
    seen: set[tuple[int, int]] = set()
    for check in sorted(checks, key=lambda c: (-c.offset_days, -c.pk)):
        if check.answered_at is not None or check.due_on > today:
            continue
        if (check.enrollment_id, check.respondent_id) in seen:
            continue
        seen.add((check.enrollment_id, check.respondent_id))
        shown.append(check)
    return sorted(shown, key=lambda c: (c.due_on, c.pk), reverse=True)


def transfer_checks_for(*, actor: Person, today: dt.date | None = None) -> dict[str, list[TransferCheck]]:
    """The actor's checks to answer now and their answered history, newest first (one query)."""
    checks = list(
        policy.scope(actor, "view", TransferCheck.objects.all())
        .select_related("enrollment__item", "learner", "goal__skill")
        .order_by("-due_on", "-id")
    )
    return {
        "pending": pending_checks(checks, today=today or timezone.localdate()),
        "answered": [c for c in checks if c.answered_at is not None],
    }


def transfer_summary(*, actor: Person) -> list[dict[str, Any]]:
    """Per item: answers, how many said yes / partly / not yet, and the application rate (yes or partly)."""
    policy.require(actor, "summarize", TransferCheck)
    rows = (
        TransferCheck.objects.filter(answered_at__isnull=False)
        .values("enrollment__item_id", "enrollment__item__title")
        .annotate(
            answers=Count("pk"),
            yes=Count("pk", filter=Q(applied=TransferCheck.Applied.YES)),
            partly=Count("pk", filter=Q(applied=TransferCheck.Applied.PARTLY)),
            not_yet=Count("pk", filter=Q(applied=TransferCheck.Applied.NOT_YET)),
            learners=Count("learner", distinct=True),
        )
        .order_by("-answers", "enrollment__item__title")
    )
    summary = []
    for row in rows:
        summary.append(
            {
                "item_id": row["enrollment__item_id"],
                "title": row["enrollment__item__title"],
                "answers": row["answers"],
                "yes": row["yes"],
                "partly": row["partly"],
                "not_yet": row["not_yet"],
                "learners": row["learners"],
                "rate": round((row["yes"] + row["partly"]) / row["answers"] * 100),
            }
        )
    return summary


def transfer_open_count(*, person: Person, today: dt.date | None = None) -> int:
    """How many checks wait for the person's answer now (as `transfer_checks_for` shows them)."""
    unanswered = TransferCheck.objects.filter(respondent=person, answered_at__isnull=True).only(
        "pk", "enrollment_id", "respondent_id", "offset_days", "due_on", "answered_at"
    )
    return len(pending_checks(unanswered, today=today or timezone.localdate()))


def group_by_person(plans: list[Plan]) -> dict[Person, list[Plan]]:
    grouped: dict[Person, list[Plan]] = defaultdict(list)
    for plan in plans:
        grouped[plan.person].append(plan)
    return dict(grouped)
