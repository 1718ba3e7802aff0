"""REST endpoints for the skills framework: taxonomy, scale, role profiles, career paths."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LimitOffsetPagination, actor
from learnloop.core.bounds import Id, SmallCount
from learnloop.people.models import JobRole
from learnloop.skills import selectors, services
from learnloop.skills.models import CareerPath, ProficiencyLevel, RoleRequirement, Skill, SkillCategory

router = Router(tags=["skills"])


class SkillOut(Schema):
    id: int
    name: str
    category: str | None = Field(None, alias="category.name")
    description: str
    synonyms: list[str]
    esco_uri: str | None


class SkillFilters(FilterSchema):
    q: str = Field("", description="Words matched against names and other names")
    category: Id | None = None


class SkillIn(Schema):
    name: str
    category: str = ""
    description: str = ""
    synonyms: list[str] = []


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
    what_changes: str = ""
    typical_months: SmallCount | None = None


@router.get("/skills", response=list[SkillOut], summary="The skills taxonomy")
@paginate(LimitOffsetPagination)
def skills_list(request: HttpRequest, filters: Query[SkillFilters]) -> Any:
    return selectors.skill_list(actor=actor(request), search=filters.q, category_id=filters.category)


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


class CategoryOut(Schema):
    id: int
    name: str
    description: str


@router.get("/skill-categories", response=list[CategoryOut], summary="Skill categories")
def categories_list(request: HttpRequest) -> Any:
    return list(policy.scope(actor(request), "view", SkillCategory.objects.all()))


@router.get("/proficiency-levels", response=list[LevelOut], summary="The proficiency scale")
def levels_list(request: HttpRequest) -> Any:
    return list(policy.scope(actor(request), "view", ProficiencyLevel.objects.all()))


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
