"""REST endpoints for development plans, org objectives and transfer checks."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LazyPage, LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDate, Id, OneLine, QueryText, SmallCount, Text
from learnloop.learning.models import CatalogItem
from learnloop.people.models import JobRole, OrgUnit, Person
from learnloop.plans import selectors, services
from learnloop.plans.models import Goal, Objective, Plan, TransferCheck
from learnloop.skills.models import Skill

router = Router(tags=["plans"])


# --- Schemas ----------------------------------------------------------------------------------------


class ObjectiveOut(Schema):
    id: int
    title: str
    description: str
    period: str
    parent_id: int | None
    org_unit_id: int | None
    is_active: bool


class ObjectiveIn(Schema):
    title: Annotated[str, Field(max_length=150), OneLine]
    period: Annotated[str, Field(max_length=20), OneLine]
    description: Text = ""
    parent_id: Id | None = None
    org_unit_id: Id | None = None
    is_active: bool = True


class ObjectivePatch(Schema):
    title: Annotated[str, Field(max_length=150), OneLine] | None = None
    period: Annotated[str, Field(max_length=20), OneLine] | None = None
    description: Text | None = None
    parent_id: Id | None = None
    org_unit_id: Id | None = None
    is_active: bool | None = None


class GoalOut(Schema):
    id: int
    kind: str
    skill_id: int | None
    target_level: int | None
    outcome: str
    measure: str
    objective_id: int | None
    role_id: int | None
    due_on: dt.date | None
    item_ids: list[int]
    progress: int | None = Field(None, description="Percent done from the attached items' enrolments")
    completed_at: dt.datetime | None

    @staticmethod
    def resolve_item_ids(goal: Goal) -> list[int]:
        return [item.pk for item in goal.items.all()]

    @staticmethod
    def resolve_progress(goal: Goal) -> int | None:
        return getattr(goal, "progress", None)


class PlanOut(Schema):
    id: int
    person_id: int
    period: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    progress: int | None = Field(None, description="Percent done, averaged over goals with learning attached")
    goals: list[GoalOut]

    @staticmethod
    def resolve_goals(plan: Plan) -> list[Goal]:
        return list(plan.goals.all())

    @staticmethod
    def resolve_progress(plan: Plan) -> int | None:
        return getattr(plan, "progress", None)


class PlanIn(Schema):
    period: Annotated[str, Field(max_length=20), OneLine]
    starts_on: ApiDate
    ends_on: ApiDate


class GoalIn(Schema):
    kind: Goal.Kind = Goal.Kind.SKILL
    skill_id: Id | None = None
    target_level: SmallCount | None = None
    outcome: Text = ""
    measure: Text = ""
    objective_id: Id | None = None
    role_id: Id | None = None
    due_on: ApiDate | None = None
    item_ids: list[Id] = []


class AdviceOut(Schema):
    rule: str
    field: str
    message: str


class GoalSaved(Schema):
    goal: GoalOut
    advice: list[AdviceOut]


class CommentIn(Schema):
    body: Text
    goal_id: Id | None = None


class CommentOut(Schema):
    id: int
    plan_id: int
    goal_id: int | None
    author_id: int
    body: str
    created_at: dt.datetime


class TransferCheckOut(Schema):
    id: int
    item_id: int = Field(..., alias="enrollment.item_id")
    item: str = Field(..., alias="enrollment.item.title")
    learner_id: int
    respondent_id: int
    goal_id: int | None
    offset_days: int
    due_on: dt.date
    applied: str
    how: str
    answered_at: dt.datetime | None


class TransferAnswerIn(Schema):
    applied: TransferCheck.Applied
    how: Text = ""


class TransferSummaryOut(Schema):
    item_id: int
    title: str
    answers: int
    learners: int
    yes: int
    partly: int
    not_yet: int
    rate: int = Field(..., description="Percent of answers saying yes or partly")


# --- Helpers ----------------------------------------------------------------------------------------


class _PlansPage(LazyPage):
    def __getitem__(self, item: slice) -> list[Any]:
        return selectors.with_progress(self.queryset[item])


def _one(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [f"Nothing has id {pk}."]})
    return found


def _goal_fields(payload: GoalIn) -> dict[str, Any]:
    items = list(CatalogItem.objects.filter(pk__in=payload.item_ids))
    if len(items) != len(set(payload.item_ids)):
        raise ValidationError({"items": ["One of the item ids does not exist."]})
    return {
        "kind": payload.kind,
        "skill": _one(Skill, payload.skill_id, "skill"),
        "target_level": payload.target_level,
        "outcome": payload.outcome,
        "measure": payload.measure,
        "objective": _one(Objective, payload.objective_id, "objective"),
        "role": _one(JobRole, payload.role_id, "role"),
        "due_on": payload.due_on,
        "items": items,
    }


def _plan_out(request: HttpRequest, plan_id: Id) -> Plan:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id)
    return selectors.with_progress([plan])[0]


def _goal_saved(goal: Goal) -> dict[str, Any]:
    plan = selectors.with_progress([Plan.objects.select_related("person").get(pk=goal.plan_id)])[0]
    fresh = next(g for g in plan.goals.all() if g.pk == goal.pk)
    return {"goal": fresh, "advice": selectors.saved_goal_advice(fresh)}


# --- Transfer checks (static paths before /plans/{plan_id}) ----------------------------------------


@router.get("/plans/transfer-checks", response=list[TransferCheckOut], summary="My transfer checks")
@paginate(LimitOffsetPagination)
def transfer_check_list(request: HttpRequest, answered: bool | None = None) -> Any:
    if answered is False:  # what waits for an answer now, as the page shows it (staggered, only when due)
        return selectors.transfer_checks_for(actor=actor(request))["pending"]
    checks = policy.scope(actor(request), "view", TransferCheck.objects.select_related("enrollment__item"))
    if answered is not None:
        checks = checks.filter(answered_at__isnull=not answered)
    return checks.order_by("-due_on", "-id")


@router.post("/plans/transfer-checks/{check_id}/answer", response=TransferCheckOut, summary="Answer a transfer check")
def transfer_check_answer(request: HttpRequest, check_id: Id, payload: TransferAnswerIn) -> TransferCheck:
    check = policy.get_or_404(actor(request), "answer", TransferCheck.objects.all(), pk=check_id)
    services.transfer_check_answer(
        actor=actor(request), check=check, applied=payload.applied, how=payload.how, source=API_SOURCE
    )
    return TransferCheck.objects.select_related("enrollment__item").get(pk=check.pk)


@router.get(
    "/plans/transfer-summary",
    response=list[TransferSummaryOut],
    summary="Application rate per item (L&D admins)",
)
def transfer_summary(request: HttpRequest) -> Any:
    return selectors.transfer_summary(actor=actor(request))


@router.get("/plans/team", response=list[PlanOut], summary="Plans of everyone under me")
@paginate(LimitOffsetPagination)
def team_plans(request: HttpRequest, period: QueryText = "") -> Any:
    return selectors.team_plans(actor=actor(request), period=period)


class NoPlanOut(Schema):
    id: int
    display_name: str
    manager_id: int | None
    nudged_at: dt.datetime | None = None


class NudgeIn(Schema):
    period: Annotated[str, Field(max_length=20), OneLine] = ""


class NudgeOut(Schema):
    sent: bool


@router.get(
    "/plans/team/without-plan",
    response=list[NoPlanOut],
    summary="Everyone under me with no plan for the period (or none open now), and when I last reminded them",
)
@paginate(LimitOffsetPagination)
def team_without_plan(request: HttpRequest, period: QueryText = "") -> Any:
    return selectors.team_without_plan(actor=actor(request), period=period)


@router.post(
    "/plans/team/{person_id}/nudge",
    response=NudgeOut,
    summary="Remind someone under me to start their plan (once a period; false when already reminded)",
)
def team_nudge(request: HttpRequest, person_id: Id, payload: NudgeIn) -> Any:
    person = policy.get_or_404(actor(request), "nudge_plan", Person.objects.filter(is_active=True), pk=person_id)
    sent = services.plan_nudge(actor=actor(request), person=person, period=payload.period, source=API_SOURCE)
    return {"sent": sent}


# --- Plans and goals --------------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut], summary="Development plans (mine, or a person's I may see)")
@paginate(LimitOffsetPagination)
def plan_list(request: HttpRequest, person: Id | None = None) -> Any:
    owner = actor(request) if person is None else get_object_or_404(Person, pk=person)
    plans = policy.scope(actor(request), "view", Plan.objects.filter(person=owner)).order_by("-starts_on", "-id")
    return _PlansPage(plans)


@router.post("/plans", response={201: PlanOut}, summary="Start my plan for a period")
def plan_create(request: HttpRequest, payload: PlanIn) -> Status:
    plan = services.plan_create(actor=actor(request), person=actor(request), source=API_SOURCE, **payload.model_dump())
    return Status(201, _plan_out(request, plan.pk))


@router.get("/plans/{plan_id}", response=PlanOut, summary="One plan with progress")
def plan_detail(request: HttpRequest, plan_id: Id) -> Plan:
    return _plan_out(request, plan_id)


@router.post("/plans/{plan_id}/close", response=PlanOut, summary="Close my plan")
def plan_close(request: HttpRequest, plan_id: Id) -> Plan:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id, action="change")
    services.plan_close(actor=actor(request), plan=plan, source=API_SOURCE)
    return _plan_out(request, plan_id)


@router.post("/plans/{plan_id}/goals", response={201: GoalSaved}, summary="Add a goal (returns SMART advice)")
def goal_create(request: HttpRequest, plan_id: Id, payload: GoalIn) -> Status:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id, action="change")
    goal = services.goal_create(actor=actor(request), plan=plan, source=API_SOURCE, **_goal_fields(payload))
    return Status(201, _goal_saved(goal))


@router.put("/plans/{plan_id}/goals/{goal_id}", response=GoalSaved, summary="Rewrite a goal (returns SMART advice)")
def goal_update(request: HttpRequest, plan_id: Id, goal_id: Id, payload: GoalIn) -> Any:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id, action="change")
    goal = get_object_or_404(Goal.objects.select_related("plan__person"), pk=goal_id, plan=plan)
    fields = _goal_fields(payload)
    items = fields.pop("items")
    services.goal_update(actor=actor(request), goal=goal, items=items, source=API_SOURCE, **fields)
    return _goal_saved(goal)


@router.post("/plans/{plan_id}/goals/{goal_id}/complete", response=GoalOut, summary="Mark a goal achieved")
def goal_complete(request: HttpRequest, plan_id: Id, goal_id: Id) -> Any:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id, action="change")
    goal = get_object_or_404(Goal.objects.select_related("plan__person"), pk=goal_id, plan=plan)
    services.goal_complete(actor=actor(request), goal=goal, source=API_SOURCE)
    return _goal_saved(goal)["goal"]


@router.post("/plans/{plan_id}/smart-check", response=list[AdviceOut], summary="SMART advice for a draft goal")
def smart_check(request: HttpRequest, plan_id: Id, payload: GoalIn) -> Any:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id, action="change")
    return selectors.goal_advice(plan=plan, **_goal_fields(payload))


@router.get("/plans/{plan_id}/comments", response=list[CommentOut], summary="Comments on a plan")
@paginate(LimitOffsetPagination)
def comment_list(request: HttpRequest, plan_id: Id) -> Any:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id)
    return plan.comments.order_by("created_at", "id")


@router.post("/plans/{plan_id}/comments", response={201: CommentOut}, summary="Comment on a plan (owner, managers)")
def comment_create(request: HttpRequest, plan_id: Id, payload: CommentIn) -> Status:
    plan = selectors.plan_get(actor=actor(request), plan_id=plan_id, action="comment")
    goal = _one(Goal, payload.goal_id, "goal")
    comment = services.plan_comment_add(
        actor=actor(request), plan=plan, body=payload.body, goal=goal, source=API_SOURCE
    )
    return Status(201, comment)


# --- Objectives -------------------------------------------------------------------------------------


@router.get("/objectives", response=list[ObjectiveOut], summary="Org objectives")
@paginate(LimitOffsetPagination)
def objective_list(request: HttpRequest, include_inactive: bool = False, period: QueryText = "") -> Any:
    objectives = selectors.objective_list(actor=actor(request), include_inactive=include_inactive)
    return objectives.filter(period=period) if period else objectives


@router.post("/objectives", response={201: ObjectiveOut}, summary="Add an org objective (L&D and org admins)")
def objective_create(request: HttpRequest, payload: ObjectiveIn) -> Status:
    policy.require(actor(request), "create", Objective)
    objective = services.objective_create(
        actor=actor(request),
        title=payload.title,
        period=payload.period,
        description=payload.description,
        parent=_one(Objective, payload.parent_id, "parent"),
        org_unit=_one(OrgUnit, payload.org_unit_id, "org_unit"),
        is_active=payload.is_active,
        source=API_SOURCE,
    )
    return Status(201, objective)


@router.patch("/objectives/{objective_id}", response=ObjectiveOut, summary="Change an org objective")
def objective_update(request: HttpRequest, objective_id: Id, payload: ObjectivePatch) -> Objective:
    objective = policy.get_or_404(actor(request), "change", Objective.objects.all(), pk=objective_id)
    changes: dict[str, Any] = {}
    for name, value in payload.model_dump(exclude_unset=True).items():
        if name == "parent_id":
            changes["parent"] = _one(Objective, value, "parent")
        elif name == "org_unit_id":
            changes["org_unit"] = _one(OrgUnit, value, "org_unit")
        elif value is not None:
            changes[name] = value
    return services.objective_update(actor=actor(request), objective=objective, source=API_SOURCE, **changes)
