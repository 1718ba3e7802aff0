"""Reads for the skills framework."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from learnloop.core import policy
from learnloop.people.models import JobRole, Person
from learnloop.skills.calibration import Rating, calibrate
from learnloop.skills.models import (
    CareerPath,
    ProficiencyLevel,
    RoleRequirement,
    Skill,
    SkillAssessment,
    SkillCategory,
)
from learnloop.skills.scale import level_columns


def skill_list(
    *, actor: Person, search: str = "", category_id: int | None = None, retired: bool = False
) -> QuerySet[Skill]:
    """Skills in use (or, with `retired`, only the retired ones), matched on name and other names."""
    skills = policy.scope(actor, "view", Skill.objects.filter(is_active=not retired).select_related("category"))
    for term in search.lower().split():
        skills = skills.filter(search_text__contains=term)
    if category_id is not None:
        skills = skills.filter(category_id=category_id)
    return skills.annotate(role_count=Count("role_requirements")).order_by("name")


def skill_get(*, actor: Person, skill_id: int) -> Skill:
    return policy.get_or_404(actor, "view", Skill.objects.select_related("category"), pk=skill_id)


def category_list(*, actor: Person) -> QuerySet[SkillCategory]:
    """Categories with how many skills each holds, in use and retired (one query)."""
    return policy.scope(actor, "view", SkillCategory.objects.all()).annotate(
        skill_count=Count("skills", filter=Q(skills__is_active=True)),
        retired_count=Count("skills", filter=Q(skills__is_active=False)),
    )


def scale() -> list[ProficiencyLevel]:
    return list(ProficiencyLevel.objects.all())


def scale_usage() -> dict[int, dict[str, int]]:
    """How many stored values each level has in each level column, {level: {column key: count}}, with a
    zero for every column; levels nothing stores are left out. One query per column."""
    columns = level_columns()
    usage: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys((c.key for c in columns), 0))
    for column in columns:
        counts = (
            column.model._default_manager.filter(**{f"{column.field}__isnull": False})
            .values_list(column.field)
            .annotate(count=Count("pk"))
            .order_by()
        )
        for level, count in counts:
            usage[level][column.key] = count
    return dict(usage)


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


def rating_source(*, actor: Person, person: Person) -> str | None:
    """Which kind of rating the actor gives this person, by their relation: self, as their manager, or
    as a peer (None if none)."""
    if policy.can(actor, "rate_self", person):
        return SkillAssessment.Source.SELF
    if policy.can(actor, "rate_as_manager", person):
        return SkillAssessment.Source.MANAGER
    if policy.can(actor, "rate_as_peer", person):
        return SkillAssessment.Source.PEER
    return None


def _ratings(assessments: Iterable[SkillAssessment]) -> dict[tuple[int, int], list[Rating]]:
    """Ratings grouped by (person, skill)."""
    grouped: dict[tuple[int, int], list[Rating]] = defaultdict(list)
    for a in assessments:
        grouped[(a.person_id, a.skill_id)].append(
            Rating(
                source=a.source,
                level=a.level,
                assessed_at=a.assessed_at,
                rater_id=a.assessor_id,
                evidence=a.evidence,
                assessment_id=a.pk,
            )
        )
    return grouped


def person_skill_profile(
    *, actor: Person, person: Person, compare_role: JobRole | None = None, at: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Each skill the person's role (or `compare_role`) needs, or they were rated in: required level,
    calibrated level with its explanation, and the gap. Three queries."""
    policy.require(actor, "view_skills", person)
    moment = at or timezone.now()
    role = compare_role or person.job_role
    required = {}
    if role is not None:
        required = {r.skill_id: r for r in RoleRequirement.objects.filter(job_role=role).select_related("skill")}
    assessments = list(SkillAssessment.objects.filter(person=person).select_related("skill"))
    ratings = _ratings(assessments)
    skills = {r.skill_id: r.skill for r in required.values()} | {a.skill_id: a.skill for a in assessments}
    rows = []
    for skill_id, skill in skills.items():
        own = ratings.get((person.pk, skill_id), [])
        calibrated = calibrate(own, at=moment)
        need = required[skill_id].level if skill_id in required else None
        gap = None if need is None else round(need - (calibrated.level or 0), 1)
        rows.append(
            {
                "skill": skill,
                "required": need,
                "calibrated": calibrated,
                "gap": gap if gap is None or gap > 0 else 0.0,
                "history": history_points(own),
            }
        )
    return sorted(rows, key=lambda r: (r["required"] is None, -(r["gap"] or 0), r["skill"].name))


def history_points(ratings: list[Rating]) -> list[tuple[dt.datetime, float]]:
    """The calibrated level just after each rating, oldest first: the points of a growth chart."""
    points = []
    for moment in sorted({r.assessed_at for r in ratings}):
        level = calibrate(ratings, at=moment).level
        if level is not None:
            points.append((moment, level))
    return points


def skill_history(*, actor: Person, person: Person, skill: Skill) -> list[tuple[dt.datetime, float]]:
    """The calibrated level after each rating, oldest first: the points of a growth chart."""
    return skill_record(actor=actor, person=person, skill=skill)["points"]


def skill_record(*, actor: Person, person: Person, skill: Skill) -> dict[str, Any]:
    """A person's ratings in one skill, newest first, and the calibrated level after each, oldest first
    (one query)."""
    policy.require(actor, "view_skills", person)
    assessments = list(SkillAssessment.objects.filter(person=person, skill=skill).order_by("-assessed_at", "-pk"))
    return {
        "ratings": assessments,
        "points": history_points(_ratings(assessments).get((person.pk, skill.pk), [])),
    }


def team_matrix(*, actor: Person, manager: Person) -> dict[str, Any]:
    """Direct reports x the skills their role profiles need, with calibrated levels (three queries)."""
    policy.require(actor, "view_reports", manager)
    members = list(
        Person.objects.filter(manager=manager, is_active=True)
        .select_related("job_role")
        .order_by("last_name", "first_name")
    )
    requirements = list(
        RoleRequirement.objects.filter(job_role_id__in={m.job_role_id for m in members}).select_related("skill")
    )
    needed: dict[tuple[int, int], int] = {(r.job_role_id, r.skill_id): r.level for r in requirements}
    skills = sorted({r.skill_id: r.skill for r in requirements}.values(), key=lambda s: s.name)
    ratings = _ratings(SkillAssessment.objects.filter(person__in=members, skill__in=skills))
    now = timezone.now()
    rows = []
    for member in members:
        cells = []
        for skill in skills:
            level = calibrate(ratings.get((member.pk, skill.pk), []), at=now).level
            need = needed.get((member.job_role_id or 0, skill.pk))
            cells.append(
                {"skill": skill, "level": level, "required": need, "short": need is not None and (level or 0) < need}
            )
        rows.append({"person": member, "cells": cells})
    return {"skills": skills, "rows": rows}


def home_panel(person: Any) -> dict[str, Any]:
    """ "Your skills" on my home: the widest gaps to the person's role profile (always shown: it is where
    a person rates themselves)."""
    gaps = [row for row in person_skill_profile(actor=person, person=person) if row["gap"]][:5]
    return {"skill_gaps": gaps, "person": person, "manages_people": "manager" in person.roles}
