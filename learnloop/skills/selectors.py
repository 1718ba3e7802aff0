"""Reads for the skills framework."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from learnloop.core import policy
from learnloop.people.models import JobRole, Person
from learnloop.skills.models import CareerPath, ProficiencyLevel, RoleRequirement, Skill


def skill_list(*, actor: Person, search: str = "", category_id: int | None = None) -> QuerySet[Skill]:
    skills = policy.scope(actor, "view", Skill.objects.filter(is_active=True).select_related("category"))
    for term in search.lower().split():
        skills = skills.filter(search_text__contains=term)
    if category_id is not None:
        skills = skills.filter(category_id=category_id)
    return skills.annotate(role_count=Count("role_requirements")).order_by("name")


def skill_get(*, actor: Person, skill_id: int) -> Skill:
    return policy.get_or_404(actor, "view", Skill.objects.select_related("category"), pk=skill_id)


def scale() -> list[ProficiencyLevel]:
    return list(ProficiencyLevel.objects.all())


def roles_requiring(*, skill: Skill) -> QuerySet[RoleRequirement]:
    return RoleRequirement.objects.filter(skill=skill).select_related("job_role").order_by("-level", "job_role__name")


def role_list() -> QuerySet[JobRole]:
    return JobRole.objects.annotate(
        requirement_count=Count("requirements", distinct=True), people_count=Count("people", distinct=True)
    ).order_by("name")


def role_profile(*, job_role: JobRole) -> dict[str, Any]:
    """A job role's required skills and where people go from it and come to it from (four queries)."""
    requirements = list(
        RoleRequirement.objects.filter(job_role=job_role)
        .select_related("skill", "skill__category")
        .order_by("-level", "skill__name")
    )
    paths_out = list(CareerPath.objects.filter(from_role=job_role).select_related("to_role"))
    paths_in = list(CareerPath.objects.filter(to_role=job_role).select_related("from_role"))
    return {"job_role": job_role, "requirements": requirements, "paths_out": paths_out, "paths_in": paths_in}


def role_change(*, from_role: JobRole, to_role: JobRole) -> list[dict[str, Any]]:
    """What a move asks: each skill whose required level differs between the two roles."""
    levels: dict[int, dict[str, Any]] = {}
    requirements = RoleRequirement.objects.filter(job_role__in=[from_role, to_role]).select_related("skill")
    for requirement in requirements:
        entry = levels.setdefault(requirement.skill_id, {"skill": requirement.skill, "from": 0, "to": 0})
        entry["from" if requirement.job_role_id == from_role.pk else "to"] = requirement.level
    changes = [{**e, "delta": e["to"] - e["from"]} for e in levels.values() if e["from"] != e["to"]]
    return sorted(changes, key=lambda e: (-e["delta"], e["skill"].name))


def career_paths() -> QuerySet[CareerPath]:
    return CareerPath.objects.select_related("from_role", "to_role")
