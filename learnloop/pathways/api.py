"""REST endpoints for pathways: browse, my assignments with progress, assign and un-assign, certificates."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDate, Id, Line, QueryText
from learnloop.pathways import selectors, services
from learnloop.pathways.models import Assignment, Certificate, Pathway
from learnloop.pathways.selectors import AssignmentRow
from learnloop.people.models import OrgUnit, Person

router = Router(tags=["pathways"])


class PathwayOut(Schema):
    id: int
    title: str
    description: str
    audience: str
    job_role: str | None = Field(None, alias="job_role.name")
    career_stage: str
    is_published: bool
    certification_months: int | None


class StepOut(Schema):
    id: int
    item_id: int
    item: str
    item_kind: str
    prerequisites: list[int]


class StageOut(Schema):
    id: int
    position: int
    title: str
    required_count: int | None = Field(..., description="How many steps complete the stage; null means all")
    steps: list[StepOut]


class PathwayDetailOut(PathwayOut):
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(pathway: Pathway) -> list[dict[str, Any]]:
        return [
            {
                "id": stage.pk,
                "position": stage.position,
                "title": stage.title,
                "required_count": stage.required_count,
                "steps": [
                    {
                        "id": step.pk,
                        "item_id": step.item_id,
                        "item": step.item.title,
                        "item_kind": step.item.kind,
                        "prerequisites": [p.pk for p in step.prerequisites.all()],
                    }
                    for step in stage.steps.all()
                ],
            }
            for stage in pathway.stages.all()
        ]


class PathwayFilters(FilterSchema):
    q: Line = Field("", description="Words in the title or description")
    job_role: Id | None = Field(None, description="Pathways for this job role id")
    career_stage: Pathway.CareerStage | None = None


class StepStatusOut(Schema):
    step_id: int
    item_id: int
    status: str = Field(..., description="locked, todo, in_progress or done")


class AssignmentOut(Schema):
    id: int
    pathway_id: int
    pathway: str
    person_id: int
    required: bool
    due_on: dt.date | None
    assigned_at: dt.datetime
    assigned_by_id: int | None
    completed_at: dt.datetime | None
    state: str = Field(..., description="todo, in_progress, done or overdue")
    stages_done: int
    stages_total: int
    steps: list[StepStatusOut]


def _assignment_out(row: AssignmentRow) -> dict[str, Any]:
    a = row.assignment
    return {
        "id": a.pk,
        "pathway_id": a.pathway_id,
        "pathway": a.pathway.title,
        "person_id": a.person_id,
        "required": a.required,
        "due_on": a.due_on,
        "assigned_at": a.assigned_at,
        "assigned_by_id": a.assigned_by_id,
        "completed_at": a.completed_at,
        "state": row.state,
        "stages_done": row.progress.stages_done,
        "stages_total": row.progress.stages_total,
        "steps": [
            {"step_id": s.step.pk, "item_id": s.step.item_id, "status": s.status}
            for stage in row.progress.stages
            for s in stage.steps
        ],
    }


class _WithProgress:
    """Lets the paginator count and slice in SQL; progress is computed for the page only, in one batch."""

    def __init__(self, queryset: QuerySet[Assignment]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [_assignment_out(row) for row in selectors.progress_for(list(self.queryset[item]))]


class AssignIn(Schema):
    pathway_id: Id
    person_id: Id | None = Field(None, description="Assign to this person…")
    org_unit_id: Id | None = Field(None, description="…or to every active member of this unit")
    required: bool = True
    due_on: ApiDate | None = None


class AssignOut(Schema):
    assigned: list[AssignmentOut]
    already_assigned_person_ids: list[int]


class DueIn(Schema):
    due_on: ApiDate | None


class CertificateOut(Schema):
    id: int
    pathway_id: int
    pathway: str = Field(..., alias="pathway.title")
    issued_at: dt.datetime
    expires_at: dt.datetime


@router.get("/pathways", response=list[PathwayOut], summary="Browse pathways")
@paginate(LimitOffsetPagination)
def pathway_list(request: HttpRequest, filters: Query[PathwayFilters]) -> Any:
    return selectors.pathway_list(
        actor=actor(request), text=filters.q, job_role_id=filters.job_role, career_stage=filters.career_stage or ""
    )


@router.get("/pathways/assignments/mine", response=list[AssignmentOut], summary="My pathways with progress")
@paginate(LimitOffsetPagination)
def my_assignments(request: HttpRequest) -> Any:
    me = actor(request)
    return _WithProgress(Assignment.objects.filter(person=me).select_related("pathway").order_by(*selectors.MINE_FIRST))


@router.get("/pathways/certificates/mine", response=list[CertificateOut], summary="My certifications")
@paginate(LimitOffsetPagination)
def my_certificates(request: HttpRequest) -> Any:
    me = actor(request)
    return (
        policy.scope(me, "view", Certificate.objects.filter(person=me))
        .select_related("pathway")
        .order_by("-issued_at", "id")
    )


class TeamOut(Schema):
    id: int
    name: str
    path: str


@router.get(
    "/pathways/assignable-teams",
    response=list[TeamOut],
    summary="Teams you may assign a pathway to whose name or path contains q (at most 20; an exact path first)",
)
def assignable_teams(request: HttpRequest, q: QueryText = "") -> list[OrgUnit]:
    me = actor(request)
    policy.require(me, "manage_assignments", Pathway)
    if not q.strip():
        raise ValidationError({"q": ["Give part of a team's name or path."]})
    return selectors.team_search(teams=selectors.assignable_teams(actor=me), text=q[:200])


@router.get("/pathways/{id:pathway_id}", response=PathwayDetailOut, summary="One pathway with its stages and steps")
def pathway_detail(request: HttpRequest, pathway_id: Id) -> Pathway:
    return selectors.pathway_get(actor=actor(request), pathway_id=pathway_id)


def _one(assignment: Assignment) -> dict[str, Any]:
    return _assignment_out(selectors.progress_for([assignment])[0])


@router.post(
    "/pathways/assignments",
    response={201: AssignOut},
    summary="Assign a pathway to a person or a team (managers: their reports; L&D: anyone; yourself: voluntary)",
)
def assign(request: HttpRequest, payload: AssignIn) -> Status:
    me = actor(request)
    pathway = selectors.pathway_get(actor=me, pathway_id=payload.pathway_id)
    if (payload.person_id is None) == (payload.org_unit_id is None):
        raise ValidationError({"person_id": ["Give either person_id or org_unit_id."]})
    if payload.person_id is not None:
        person = Person.objects.filter(pk=payload.person_id).first()
        if person is None:
            raise ValidationError({"person_id": [f"No person has id {payload.person_id}."]})
        assignment = services.assignment_create(
            actor=me,
            pathway=pathway,
            person=person,
            required=payload.required,
            due_on=payload.due_on,
            source=API_SOURCE,
        )
        return Status(201, {"assigned": [_one(assignment)], "already_assigned_person_ids": []})
    team = OrgUnit.objects.filter(pk=payload.org_unit_id or 0).first()
    if team is None:
        raise ValidationError({"org_unit_id": [f"No unit has id {payload.org_unit_id}."]})
    result = services.assignment_create_for_team(
        actor=me, pathway=pathway, team=team, required=payload.required, due_on=payload.due_on, source=API_SOURCE
    )
    return Status(
        201,
        {
            "assigned": [_assignment_out(row) for row in selectors.progress_for(result.assigned)],
            "already_assigned_person_ids": [p.pk for p in result.already],
        },
    )


def _changeable(request: HttpRequest, assignment_id: Id) -> Assignment:
    return policy.get_or_404(
        actor(request), "change", Assignment.objects.select_related("pathway", "person"), pk=assignment_id
    )


@router.patch("/pathways/assignments/{id:assignment_id}", response=AssignmentOut, summary="Change the due date")
def set_due(request: HttpRequest, assignment_id: Id, payload: DueIn) -> dict[str, Any]:
    assignment = services.assignment_set_due(
        actor=actor(request), assignment=_changeable(request, assignment_id), due_on=payload.due_on, source=API_SOURCE
    )
    return _one(Assignment.objects.select_related("pathway").get(pk=assignment.pk))


@router.delete("/pathways/assignments/{id:assignment_id}", response={204: None}, summary="Un-assign")
def unassign(request: HttpRequest, assignment_id: Id) -> Status:
    services.assignment_delete(actor=actor(request), assignment=_changeable(request, assignment_id), source=API_SOURCE)
    return Status(204, None)
