"""REST endpoints for the skills framework: taxonomy, scale, role profiles, career paths, and people's
ratings, calibrated levels, gaps and team matrices."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LimitOffsetPagination, actor
from learnloop.core.bounds import Id, Line, OneLine, SmallCount, Text
from learnloop.people import selectors as people_selectors
from learnloop.people.models import JobRole, Person
from learnloop.skills import selectors, services
from learnloop.skills.calibration import Calibrated
from learnloop.skills.models import (
    CareerPath,
    ProficiencyLevel,
    RoleRequirement,
    Skill,
    SkillAssessment,
    SkillCategory,
)
from learnloop.skills.scale import NewLevel, level_columns

router = Router(tags=["skills"])


class SkillOut(Schema):
    id: int
    name: str
    category: str | None = Field(None, alias="category.name")
    category_id: int | None
    description: str
    synonyms: list[str]
    esco_uri: str | None
    is_active: bool = Field(..., description="false: retired (kept on history, no longer chosen)")


class SkillFilters(FilterSchema):
    q: Line = Field("", description="Words matched against names and other names")
    category: Id | None = None
    retired: bool = Field(False, description="true: only retired skills (default: only skills in use)")


class SkillPatch(Schema):
    name: Line | None = Field(None, description="Unique, ignoring case")
    category_id: Id | None = Field(None, description="A category's id; null takes the skill out of its category")
    description: Text | None = None
    synonyms: list[Line] | None = Field(None, description="Other names, searched with the name; replaces the list")
    is_active: bool | None = Field(None, description="false retires the skill; true puts it back in use")


class CategoryIn(Schema):
    name: Line = Field(..., description="Unique, ignoring case")
    description: Text = ""


class CategoryPatch(Schema):
    name: Line | None = Field(None, description="Unique, ignoring case")
    description: Text | None = None


class SkillIn(Schema):
    name: Line
    category: Annotated[str, Field(max_length=100), OneLine] = ""
    description: Text = ""
    synonyms: list[Line] = []


class LevelOut(Schema):
    level: int
    name: str
    descriptor: str


class RequirementOut(Schema):
    skill_id: int
    skill: str = Field(..., alias="skill.name")
    level: int


class PathOut(Schema):
    id: int
    from_role_id: int
    to_role_id: int
    to_role: str = Field(..., alias="to_role.name")
    what_changes: str
    typical_months: int | None


class RoleProfileOut(Schema):
    job_role_id: int
    job_role: str
    requirements: list[RequirementOut]
    next_roles: list[PathOut]


class RequirementIn(Schema):
    level: SmallCount


class PathIn(Schema):
    to_role: Id
    what_changes: Text = ""
    typical_months: SmallCount | None = None


@router.get("/skills", response=list[SkillOut], summary="The skills taxonomy")
@paginate(LimitOffsetPagination)
def skills_list(request: HttpRequest, filters: Query[SkillFilters]) -> Any:
    return selectors.skill_list(
        actor=actor(request), search=filters.q, category_id=filters.category, retired=filters.retired
    )


# --- Team skills matrix (before /skills/{skill_id}, which would otherwise take the path) -----------


class MatrixSkillOut(Schema):
    id: int
    name: str


class MatrixCellOut(Schema):
    skill_id: int
    level: float | None
    required: int | None
    short: bool = Field(..., description="Below the level the person's role needs")


class MatrixRowOut(Schema):
    person_id: int
    person: str
    job_role: str | None
    cells: list[MatrixCellOut]


class TeamMatrixOut(Schema):
    manager_id: int
    skills: list[MatrixSkillOut]
    rows: list[MatrixRowOut]


class TeamQuery(Schema):
    manager: Id | None = Field(None, description="Whose direct reports (default: mine)")


@router.get(
    "/skills/team",
    response=TeamMatrixOut,
    summary="A manager's team skills matrix (mine, or a manager's under me)",
    tags=["skill assessments"],
)
def team_matrix(request: HttpRequest, query: Query[TeamQuery]) -> dict[str, Any]:
    me = actor(request)
    manager = (
        me if query.manager is None else policy.get_or_404(me, "view_reports", Person.objects.all(), pk=query.manager)
    )
    matrix = selectors.team_matrix(actor=me, manager=manager)
    return {
        "manager_id": manager.pk,
        "skills": matrix["skills"],
        "rows": [
            {
                "person_id": row["person"].pk,
                "person": row["person"].display_name,
                "job_role": row["person"].job_role.name if row["person"].job_role else None,
                "cells": [
                    {"skill_id": c["skill"].pk, "level": c["level"], "required": c["required"], "short": c["short"]}
                    for c in row["cells"]
                ],
            }
            for row in matrix["rows"]
        ],
    }


@router.get("/skills/{skill_id}", response=SkillOut, summary="One skill")
def skills_detail(request: HttpRequest, skill_id: Id) -> Skill:
    return selectors.skill_get(actor=actor(request), skill_id=skill_id)


@router.post("/skills", response={201: SkillOut}, summary="Add a skill (L&D admins)")
def skills_create(request: HttpRequest, payload: SkillIn) -> Status:
    policy.require(actor(request), "create", Skill)
    category = (
        services.category_ensure(actor=actor(request), name=payload.category, source=API_SOURCE)
        if (payload.category.strip())
        else None
    )
    skill = services.skill_create(
        actor=actor(request),
        name=payload.name,
        category=category,
        description=payload.description,
        synonyms=payload.synonyms,
        source=API_SOURCE,
    )
    return Status(201, skill)


@router.patch("/skills/{skill_id}", response=SkillOut, summary="Edit, retire or restore a skill (L&D admins)")
def skills_update(request: HttpRequest, skill_id: Id, payload: SkillPatch) -> Skill:
    me = actor(request)
    skill = policy.get_or_404(me, "change", Skill.objects.select_related("category"), pk=skill_id)
    given = payload.model_dump(exclude_unset=True)
    for key in ("name", "description", "synonyms", "is_active"):
        if key in given and given[key] is None:
            raise ValidationError({key: ["Give a value, or leave the field out to keep it."]})
    if "category_id" in given:
        category_id = given.pop("category_id")
        given["category"] = None
        if category_id is not None:
            given["category"] = SkillCategory.objects.filter(pk=category_id).first()
            if given["category"] is None:
                raise ValidationError({"category_id": [f"No skill category has id {category_id}."]})
    services.skill_update(actor=me, skill=skill, source=API_SOURCE, **given)
    return Skill.objects.select_related("category").get(pk=skill.pk)


class CategoryOut(Schema):
    id: int
    name: str
    description: str


@router.get("/skill-categories", response=list[CategoryOut], summary="Skill categories")
def categories_list(request: HttpRequest) -> Any:
    return list(policy.scope(actor(request), "view", SkillCategory.objects.all()))


@router.post("/skill-categories", response={201: CategoryOut}, summary="Add a skill category (L&D admins)")
def categories_create(request: HttpRequest, payload: CategoryIn) -> Status:
    policy.require(actor(request), "create", SkillCategory)
    category = services.category_create(
        actor=actor(request), name=payload.name, description=payload.description, source=API_SOURCE
    )
    return Status(201, category)


@router.patch(
    "/skill-categories/{category_id}", response=CategoryOut, summary="Rename or describe a skill category (L&D admins)"
)
def categories_update(request: HttpRequest, category_id: Id, payload: CategoryPatch) -> SkillCategory:
    category = policy.get_or_404(actor(request), "change", SkillCategory.objects.all(), pk=category_id)
    given = payload.model_dump(exclude_unset=True)
    for key, value in given.items():
        if value is None:
            raise ValidationError({key: ["Give a value, or leave the field out to keep it."]})
    return services.category_update(actor=actor(request), category=category, source=API_SOURCE, **given)


@router.get("/proficiency-levels", response=list[LevelOut], summary="The proficiency scale")
def levels_list(request: HttpRequest) -> Any:
    return list(policy.scope(actor(request), "view", ProficiencyLevel.objects.all()))


class NewLevelIn(Schema):
    name: Line = Field(..., description="Unique on the scale, ignoring case (up to 60 characters)")
    descriptor: Text = Field(..., description="What someone at this level does, observably")


class ScaleIn(Schema):
    levels: list[NewLevelIn] = Field(..., description="The new scale, lowest first: 2 to 10 levels")
    mapping: dict[SmallCount, SmallCount] = Field(
        ...,
        description=(
            "Which new level each level of today's scale becomes, as {today's level: new level}: every level, "
            "never lower for a higher level, so the order of what is stored survives"
        ),
    )


class ScaleOut(Schema):
    levels: list[LevelOut]
    mapping: dict[str, int] = Field(..., description="The mapping applied, {today's level: new level}")
    rewritten: dict[str, int] = Field(
        ...,
        description="How many stored levels moved: ratings, requirements, item_targets, goal_targets",
    )


class LevelUsageOut(Schema):
    level: int
    name: str | None = Field(..., description="null: a stored value outside today's scale")
    counts: dict[str, int] = Field(..., description="Stored values at this level: ratings, requirements, ...")


@router.get(
    "/proficiency-levels/usage",
    response=list[LevelUsageOut],
    summary="How many ratings, requirements and targets each level holds (L&D admins)",
)
def levels_usage(request: HttpRequest) -> Any:
    policy.require(actor(request), "change", ProficiencyLevel)
    names = {level.level: level.name for level in selectors.scale()}
    usage = selectors.scale_usage()
    empty = dict.fromkeys((column.key for column in level_columns()), 0)
    return [
        {"level": level, "name": names.get(level), "counts": usage.get(level, empty)}
        for level in sorted(set(names) | set(usage))
    ]


@router.put(
    "/proficiency-levels",
    response=ScaleOut,
    summary="Change the number of levels of the proficiency scale, moving every stored level (L&D admins)",
)
def levels_resize(request: HttpRequest, payload: ScaleIn) -> dict[str, Any]:
    result = services.scale_resize(
        actor=actor(request),
        levels=[NewLevel(name=level.name, descriptor=level.descriptor) for level in payload.levels],
        mapping=payload.mapping,
        source=API_SOURCE,
    )
    mapping = {str(old): new for old, new in sorted(result.mapping.items())}
    return {"levels": result.levels, "mapping": mapping, "rewritten": result.rewritten}


def _profile(job_role: JobRole) -> dict[str, Any]:
    profile = selectors.role_profile(job_role=job_role)
    return {
        "job_role_id": job_role.pk,
        "job_role": job_role.name,
        "requirements": profile["requirements"],
        "next_roles": profile["paths_out"],
    }


@router.get("/job-roles/{role_id}/profile", response=RoleProfileOut, summary="A job role's skills profile")
def role_profile(request: HttpRequest, role_id: Id) -> dict[str, Any]:
    return _profile(policy.get_or_404(actor(request), "view", JobRole.objects.all(), pk=role_id))


@router.put(
    "/job-roles/{role_id}/requirements/{skill_id}",
    response=RoleProfileOut,
    summary="Set the level a role needs in a skill (L&D admins)",
)
def requirement_put(request: HttpRequest, role_id: Id, skill_id: Id, payload: RequirementIn) -> dict[str, Any]:
    job_role = policy.get_or_404(actor(request), "view", JobRole.objects.all(), pk=role_id)
    policy.require(actor(request), "change", RoleRequirement)
    skill = selectors.skill_get(actor=actor(request), skill_id=skill_id)
    services.requirement_set(
        actor=actor(request), job_role=job_role, skill=skill, level=payload.level, source=API_SOURCE
    )
    return _profile(job_role)


@router.delete(
    "/job-roles/{role_id}/requirements/{skill_id}",
    response=RoleProfileOut,
    summary="Take a skill out of a role's profile (L&D admins)",
)
def requirement_delete(request: HttpRequest, role_id: Id, skill_id: Id) -> dict[str, Any]:
    job_role = policy.get_or_404(actor(request), "view", JobRole.objects.all(), pk=role_id)
    requirement = policy.get_or_404(
        actor(request), "change", RoleRequirement.objects.select_related("skill"), job_role=job_role, skill_id=skill_id
    )
    services.requirement_remove(actor=actor(request), requirement=requirement, source=API_SOURCE)
    return _profile(job_role)


@router.post("/job-roles/{role_id}/career-paths", response={201: PathOut}, summary="Add a next role (L&D admins)")
def career_path_post(request: HttpRequest, role_id: Id, payload: PathIn) -> Status:
    job_role = policy.get_or_404(actor(request), "view", JobRole.objects.all(), pk=role_id)
    policy.require(actor(request), "change", CareerPath)
    to_role = policy.get_or_404(actor(request), "view", JobRole.objects.all(), pk=payload.to_role)
    path = services.career_path_set(
        actor=actor(request),
        from_role=job_role,
        to_role=to_role,
        what_changes=payload.what_changes,
        typical_months=payload.typical_months,
        source=API_SOURCE,
    )
    return Status(201, CareerPath.objects.select_related("to_role").get(pk=path.pk))


# --- People's skills: ratings, calibrated levels, gaps, team matrix --------------------------------


class RatingIn(Schema):
    skill_id: Id
    level: SmallCount = Field(..., description="On the proficiency scale (1 to its top level)")
    note: Text = Field("", description="An example helps the person more than a number")
    evidence: Annotated[str, Field(max_length=300), OneLine] = Field(
        "", max_length=300, description="With as_evidence: what shows this level"
    )
    as_evidence: bool = Field(False, description="L&D admins: record the rating as evidence")


class RatingOut(Schema):
    id: int
    person_id: int
    skill_id: int
    skill: str = Field(..., alias="skill.name")
    source: str = Field(..., description="self, manager, peer or evidence: set by who rates whom")
    level: int
    evidence: str
    assessed_at: dt.datetime


class RoleRef(Schema):
    id: int
    name: str


class ContributionOut(Schema):
    source: str
    level: int
    assessed_at: dt.datetime
    evidence: str
    weight: float = Field(..., description="Source weight times the age factor")
    age_factor: float = Field(..., description="1.0 for a new rating, halving every 180 days")


class SkillLevelOut(Schema):
    skill_id: int
    skill: str
    required: int | None = Field(..., description="The level the compared role needs (null: not in its profile)")
    level: float | None = Field(..., description="The calibrated level (null: not rated)")
    gap: float | None = Field(..., description="How far below the required level (0: met; null: not required)")
    explanation: str
    contributions: list[ContributionOut]


class NextRoleOut(Schema):
    to_role_id: int
    to_role: str = Field(..., alias="to_role.name")
    what_changes: str
    typical_months: int | None


class SkillProfileOut(Schema):
    person_id: int
    job_role: RoleRef | None
    compared_with: RoleRef | None = Field(..., description="The role `required` and `gap` refer to (?to= or the own)")
    next_roles: list[NextRoleOut]
    skills: list[SkillLevelOut]


class ProfileQuery(Schema):
    to: Id | None = Field(None, description="Compare with this job role (a next role) instead of the person's own")


class HistoryPointOut(Schema):
    at: dt.datetime
    level: float


class HistoryRatingOut(Schema):
    id: int
    source: str
    level: int
    evidence: str
    assessed_at: dt.datetime


class SkillHistoryOut(Schema):
    person_id: int
    skill_id: int
    skill: str
    points: list[HistoryPointOut] = Field(..., description="The calibrated level just after each rating, oldest first")
    ratings: list[HistoryRatingOut] = Field(..., description="Every rating, newest first")


def _role_ref(role: JobRole | None) -> dict[str, Any] | None:
    return None if role is None else {"id": role.pk, "name": role.name}


def _calibrated(calibrated: Calibrated) -> dict[str, Any]:
    return {
        "level": calibrated.level,
        "explanation": calibrated.explanation(),
        "contributions": [
            {
                "source": c.rating.source,
                "level": c.rating.level,
                "assessed_at": c.rating.assessed_at,
                "evidence": c.rating.evidence,
                "weight": round(c.weight, 3),
                "age_factor": round(c.age_factor, 3),
            }
            for c in calibrated.contributions
        ],
    }


@router.post(
    "/people/{person_id}/skill-ratings",
    response={201: RatingOut},
    summary="Rate a person's skill: yourself, as their manager, or as a peer",
    tags=["skill assessments"],
)
def rating_create(request: HttpRequest, person_id: Id, payload: RatingIn) -> Status:
    me = actor(request)
    person = people_selectors.person_get(actor=me, person_id=person_id)
    source = selectors.rating_source(actor=me, person=person)
    if source is None:
        raise Http404
    if payload.as_evidence:
        if not policy.can(me, "add_evidence", person):
            raise ValidationError({"as_evidence": ["Only L&D admins record evidence."]})
        source = SkillAssessment.Source.EVIDENCE
    skill = Skill.objects.filter(pk=payload.skill_id, is_active=True).first()
    if skill is None:
        raise ValidationError({"skill_id": [f"No skill has id {payload.skill_id}."]})
    assessment = services.assessment_record(
        actor=me,
        person=person,
        skill=skill,
        source=source,
        level=payload.level,
        note=payload.note,
        evidence=payload.evidence,
        audit_source=API_SOURCE,
    )
    return Status(201, assessment)


@router.get(
    "/people/{person_id}/skills",
    response=SkillProfileOut,
    summary="A person's calibrated skills, with explanations and the gap to their role or a next role",
    tags=["skill assessments"],
)
def person_skills(request: HttpRequest, person_id: Id, query: Query[ProfileQuery]) -> dict[str, Any]:
    me = actor(request)
    person = people_selectors.person_get(actor=me, person_id=person_id, action="view_skills")
    compare_role = None
    if query.to is not None:
        compare_role = JobRole.objects.filter(pk=query.to).first()
        if compare_role is None:
            raise ValidationError({"to": [f"No job role has id {query.to}."]})
    rows = selectors.person_skill_profile(actor=me, person=person, compare_role=compare_role)
    return {
        "person_id": person.pk,
        "job_role": _role_ref(person.job_role),
        "compared_with": _role_ref(compare_role or person.job_role),
        "next_roles": list(CareerPath.objects.filter(from_role_id=person.job_role_id).select_related("to_role")),
        "skills": [
            {
                "skill_id": row["skill"].pk,
                "skill": row["skill"].name,
                "required": row["required"],
                "gap": row["gap"],
                **_calibrated(row["calibrated"]),
            }
            for row in rows
        ],
    }


@router.get(
    "/people/{person_id}/skills/{skill_id}/history",
    response=SkillHistoryOut,
    summary="A person's ratings in one skill and their calibrated level over time",
    tags=["skill assessments"],
)
def person_skill_history(request: HttpRequest, person_id: Id, skill_id: Id) -> dict[str, Any]:
    me = actor(request)
    person = people_selectors.person_get(actor=me, person_id=person_id, action="view_skills")
    skill = selectors.skill_get(actor=me, skill_id=skill_id)
    record = selectors.skill_record(actor=me, person=person, skill=skill)
    return {
        "person_id": person.pk,
        "skill_id": skill.pk,
        "skill": skill.name,
        "points": [{"at": at, "level": level} for at, level in record["points"]],
        "ratings": record["ratings"],
    }
