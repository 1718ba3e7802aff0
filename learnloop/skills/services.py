"""Writes to the skills framework. Each runs in a transaction and leaves an audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.people.models import JobRole, Person
from learnloop.skills.models import (
    CareerPath,
    ProficiencyLevel,
    RoleRequirement,
    Skill,
    SkillAssessment,
    SkillCategory,
)

Source = AuditEvent.Source


def search_text(name: str, synonyms: list[str]) -> str:
    return " | ".join([name, *synonyms]).lower()


def clean_synonyms(values: list[str], *, name: str) -> list[str]:
    """Trimmed, de-duplicated synonyms, without the skill's own name."""
    seen: set[str] = {name.strip().lower()}
    kept: list[str] = []
    for value in values:
        text = value.strip()
        if text and text.lower() not in seen:
            seen.add(text.lower())
            kept.append(text)
    return kept


def scale_top() -> int:
    return int(ProficiencyLevel.objects.aggregate(top=Max("level"))["top"] or 5)


def _check_level(level: int, field: str = "level") -> None:
    top = scale_top()
    if not 1 <= level <= top:
        raise ValidationError({field: [f"Choose a level from 1 to {top}."]})


@transaction.atomic
def category_ensure(*, actor: Person | None, name: str, source: str = Source.WEB) -> SkillCategory:
    category, created = SkillCategory.objects.get_or_create(name=name.strip())
    if created:
        audit_record(
            actor=actor,
            action="skill_category.create",
            target=category,
            changes={"name": [None, category.name]},
            source=source,
        )
    return category


@transaction.atomic
def skill_create(
    *,
    actor: Person | None,
    name: str,
    category: SkillCategory | None = None,
    description: str = "",
    synonyms: list[str] | None = None,
    esco_uri: str | None = None,
    source: str = Source.WEB,
) -> Skill:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["A skill needs a name."]})
    if Skill.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [f"A skill called {name!r} already exists."]})
    kept = clean_synonyms(synonyms or [], name=name)
    skill = Skill(
        name=name,
        category=category,
        description=description.strip(),
        synonyms=kept,
        esco_uri=esco_uri or None,
        search_text=search_text(name, kept),
    )
    skill.full_clean(validate_constraints=False)
    skill.save()
    audit_record(actor=actor, action="skill.create", target=skill, changes={"name": [None, name]}, source=source)
    return skill


@transaction.atomic
def skill_update(*, actor: Person | None, skill: Skill, source: str = Source.WEB, **changes: Any) -> Skill:
    allowed = {"name", "category", "description", "synonyms", "is_active"}
    refused = set(changes) - allowed
    if refused:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(refused)})
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
        clash = Skill.objects.filter(name__iexact=changes["name"]).exclude(pk=skill.pk).exists()
        if not changes["name"] or clash:
            raise ValidationError({"name": ["Use a name no other skill has."]})
    before = {key: getattr(skill, "category_id" if key == "category" else key) for key in changes}
    for key, value in changes.items():
        setattr(skill, key, value)
    skill.synonyms = clean_synonyms(list(skill.synonyms), name=skill.name)
    skill.search_text = search_text(skill.name, skill.synonyms)
    skill.full_clean(validate_constraints=False)
    after = {key: getattr(skill, "category_id" if key == "category" else key) for key in changes}
    diff = {key: [before[key], after[key]] for key in changes if before[key] != after[key]}
    if diff:
        skill.save(update_fields=[*changes, "synonyms", "search_text"])
        audit_record(actor=actor, action="skill.update", target=skill, changes=diff, source=source)
    return skill


@transaction.atomic
def requirement_set(
    *, actor: Person | None, job_role: JobRole, skill: Skill, level: int, source: str = Source.WEB
) -> RoleRequirement:
    """The level `job_role` needs in `skill`, created or changed."""
    _check_level(level)
    requirement, created = RoleRequirement.objects.select_for_update().get_or_create(
        job_role=job_role, skill=skill, defaults={"level": level}
    )
    if not created and requirement.level != level:
        before = requirement.level
        requirement.level = level
        requirement.save(update_fields=["level"])
        audit_record(
            actor=actor,
            action="role_requirement.update",
            target=requirement,
            changes={"level": [before, level]},
            source=source,
        )
    elif created:
        audit_record(
            actor=actor,
            action="role_requirement.create",
            target=requirement,
            changes={"skill": [None, skill.name], "level": [None, level]},
            source=source,
        )
    return requirement


@transaction.atomic
def requirement_remove(*, actor: Person | None, requirement: RoleRequirement, source: str = Source.WEB) -> None:
    audit_record(
        actor=actor,
        action="role_requirement.delete",
        target=requirement,
        changes={"skill": [requirement.skill.name, None], "level": [requirement.level, None]},
        source=source,
    )
    requirement.delete()


@transaction.atomic
def career_path_set(
    *,
    actor: Person | None,
    from_role: JobRole,
    to_role: JobRole,
    what_changes: str = "",
    typical_months: int | None = None,
    source: str = Source.WEB,
) -> CareerPath:
    if from_role.pk == to_role.pk:
        raise ValidationError({"to_role": ["A career path leads to another role."]})
    if typical_months is not None and not 1 <= typical_months <= 240:
        raise ValidationError({"typical_months": ["Give a number of months from 1 to 240."]})
    wanted = {"what_changes": what_changes.strip(), "typical_months": typical_months}
    path = CareerPath.objects.select_for_update().filter(from_role=from_role, to_role=to_role).first()
    if path is None:
        path = CareerPath.objects.create(from_role=from_role, to_role=to_role, **wanted)
        audit_record(
            actor=actor,
            action="career_path.create",
            target=path,
            changes={key: [None, value] for key, value in wanted.items()},
            source=source,
        )
        return path
    diff = {key: [getattr(path, key), value] for key, value in wanted.items() if getattr(path, key) != value}
    if diff:
        for key, value in wanted.items():
            setattr(path, key, value)
        path.save(update_fields=list(wanted))
        audit_record(actor=actor, action="career_path.update", target=path, changes=diff, source=source)
    return path


@transaction.atomic
def career_path_remove(*, actor: Person | None, path: CareerPath, source: str = Source.WEB) -> None:
    audit_record(
        actor=actor, action="career_path.delete", target=path, changes={"path": [str(path), None]}, source=source
    )
    path.delete()


@transaction.atomic
def proficiency_level_update(
    *, actor: Person | None, level: ProficiencyLevel, name: str, descriptor: str, source: str = Source.WEB
) -> ProficiencyLevel:
    if not name.strip() or not descriptor.strip():
        raise ValidationError({"descriptor": ["Each level needs a name and a behavioural descriptor."]})
    before = {"name": level.name, "descriptor": level.descriptor}
    level.name, level.descriptor = name.strip(), descriptor.strip()
    level.save(update_fields=["name", "descriptor"])
    diff = {k: [before[k], getattr(level, k)] for k in before if before[k] != getattr(level, k)}
    if diff:
        audit_record(actor=actor, action="proficiency_level.update", target=level, changes=diff, source=source)
    return level


RATING_ACTION: dict[str, str] = {
    SkillAssessment.Source.SELF: "rate_self",
    SkillAssessment.Source.MANAGER: "rate_as_manager",
    SkillAssessment.Source.PEER: "rate_as_peer",
    SkillAssessment.Source.EVIDENCE: "add_evidence",
}


@transaction.atomic
def assessment_record(
    *,
    actor: Person | None,
    person: Person,
    skill: Skill,
    source: str,
    level: int,
    evidence: str = "",
    note: str = "",
    assessed_at: dt.datetime | None = None,
    audit_source: str = Source.WEB,
) -> SkillAssessment:
    """One rating. Who may give which kind is the policy's call; `actor=None` is the system (evidence
    from completed learning), which may only add evidence."""
    if source not in RATING_ACTION:
        raise ValidationError({"source": [f"Choose one of {', '.join(RATING_ACTION)}."]})
    if actor is None:
        if source != SkillAssessment.Source.EVIDENCE:
            raise ValidationError({"source": ["Only evidence is recorded without a rater."]})
    elif not policy.can(actor, RATING_ACTION[source], person):
        raise ValidationError({"source": [f"You cannot give {person} a {source} rating."]})
    _check_level(level)
    if source == SkillAssessment.Source.EVIDENCE and not evidence.strip():
        raise ValidationError({"evidence": ["Say what shows this level: a completed item, a project, an answer."]})
    assessment = SkillAssessment.objects.create(
        person=person,
        skill=skill,
        source=source,
        level=level,
        assessor=actor if source != SkillAssessment.Source.EVIDENCE else None,
        evidence=evidence.strip()[:300],
        note=note.strip(),
        assessed_at=assessed_at or timezone.now(),
    )
    audit_record(
        actor=actor,
        action="skill_assessment.create",
        target=assessment,
        changes={"skill": [None, skill.name], "source": [None, source], "level": [None, level]},
        source=audit_source,
    )
    return assessment
