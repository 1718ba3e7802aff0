"""Writes to the skills framework. Each runs in a transaction and leaves an audit event."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, PositiveSmallIntegerField, Q, When
from django.utils import timezone

from learnloop.core import locks, policy
from learnloop.core.audit import audit_record
from learnloop.core.bounds import parse_int
from learnloop.core.models import AuditEvent
from learnloop.core.response_cache import EVERYTHING, version_bump
from learnloop.people.models import JobRole, Person
from learnloop.skills.models import (
    CareerPath,
    ProficiencyLevel,
    RoleRequirement,
    Skill,
    SkillAssessment,
    SkillCategory,
)
from learnloop.skills.scale import DEFAULT_TOP, MAX_LEVELS, MIN_LEVELS, LevelColumn, NewLevel, level_columns

Source = AuditEvent.Source
MAX_SYNONYMS = 100
MAX_SYNONYM_LENGTH = 200


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


SCALE_LOCK = "skills.proficiency-scale"


def scale_top(*, hold: bool = False) -> int:
    """The scale's top level. A write that stores a level passes `hold=True` (inside its transaction):
    the scale then stays as read until the write commits, because a resize waits for it, and a write
    that starts during a resize waits and reads the new scale; no level is stored on a scale that is
    being replaced."""
    if hold:
        locks.hold(SCALE_LOCK, shared=True)
    return int(ProficiencyLevel.objects.aggregate(top=Max("level"))["top"] or DEFAULT_TOP)


def _check_level(level: int, field: str = "level") -> None:
    top = scale_top(hold=True)
    if not 1 <= level <= top:
        raise ValidationError({field: [f"Choose a level from 1 to {top}."]})


def _clean_name(value: str, *, model: type[Skill] | type[SkillCategory], exclude_pk: int | None = None) -> str:
    """A trimmed name no other row of `model` has, ignoring case; the error names the `name` field."""
    noun = "skill" if model is Skill else "category"
    name = str(value).strip()
    if not name:
        raise ValidationError({"name": [f"A {noun} needs a name."]})
    limit = model._meta.get_field("name").max_length or 0
    if len(name) > limit:
        raise ValidationError({"name": [f"Keep the name to {limit} characters (it has {len(name)})."]})
    others = model.objects.filter(name__iexact=name)
    clash = (others.exclude(pk=exclude_pk) if exclude_pk is not None else others).first()
    if clash is not None:
        raise ValidationError({"name": [f"A {noun} called “{clash.name}” already exists (names ignore case)."]})
    return name


def _clean_synonym_list(values: Any, *, name: str) -> list[str]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError({"synonyms": ["Give the other names as a list of words or phrases."]})
    kept = clean_synonyms(list(values), name=name)
    too_long = [v for v in kept if len(v) > MAX_SYNONYM_LENGTH]
    if too_long:
        raise ValidationError({"synonyms": [f"Keep each other name to {MAX_SYNONYM_LENGTH} characters."]})
    if len(kept) > MAX_SYNONYMS:
        raise ValidationError({"synonyms": [f"Give at most {MAX_SYNONYMS} other names."]})
    return kept


def _save_unique(row: Skill | SkillCategory, **kwargs: Any) -> None:
    """Save; a name another request took a moment ago (the case-insensitive constraint) is a field error."""
    try:
        with transaction.atomic():
            row.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError({"name": ["Another skill or category took this name a moment ago."]}) from exc


@transaction.atomic
def category_ensure(*, actor: Person | None, name: str, source: str = Source.WEB) -> SkillCategory:
    """The category with this name (any case), created when there is none."""
    existing = SkillCategory.objects.filter(name__iexact=name.strip()).first()
    return existing or category_create(actor=actor, name=name, source=source)


@transaction.atomic
def category_create(
    *, actor: Person | None, name: str, description: str = "", source: str = Source.WEB
) -> SkillCategory:
    category = SkillCategory(name=_clean_name(name, model=SkillCategory), description=description.strip())
    _save_unique(category)
    audit_record(
        actor=actor,
        action="skill_category.create",
        target=category,
        changes={"name": [None, category.name], "description": [None, category.description]},
        source=source,
    )
    return category


@transaction.atomic
def category_update(
    *,
    actor: Person | None,
    category: SkillCategory,
    name: str | None = None,
    description: str | None = None,
    source: str = Source.WEB,
) -> SkillCategory:
    wanted: dict[str, str] = {}
    if name is not None:
        wanted["name"] = _clean_name(name, model=SkillCategory, exclude_pk=category.pk)
    if description is not None:
        wanted["description"] = description.strip()
    diff = {key: [getattr(category, key), value] for key, value in wanted.items() if getattr(category, key) != value}
    if diff:
        for key in diff:
            setattr(category, key, wanted[key])
        _save_unique(category, update_fields=list(diff))
        audit_record(actor=actor, action="skill_category.update", target=category, changes=diff, source=source)
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
    name = _clean_name(name, model=Skill)
    kept = _clean_synonym_list(synonyms or [], name=name)
    skill = Skill(
        name=name,
        category=category,
        description=description.strip(),
        synonyms=kept,
        esco_uri=esco_uri or None,
        search_text=search_text(name, kept),
    )
    skill.full_clean(validate_constraints=False, validate_unique=False)
    _save_unique(skill)
    audit_record(
        actor=actor,
        action="skill.create",
        target=skill,
        changes={
            "name": [None, name],
            "category": [None, category.name if category else None],
            "description": [None, skill.description],
            "synonyms": [None, kept],
        },
        source=source,
    )
    return skill


SKILL_EDITABLE = ("name", "category", "description", "synonyms", "is_active")


def _shown(key: str, value: Any) -> Any:
    """How a changed value reads in the audit log (a category by its name, not its id)."""
    if key == "category":
        return value.name if value is not None else None
    return value


@transaction.atomic
def skill_update(*, actor: Person | None, skill: Skill, source: str = Source.WEB, **changes: Any) -> Skill:
    """Rename, recategorize, describe, give other names to, retire (`is_active=False`) or restore a skill.
    Skills are never deleted: ratings, role profiles and catalog items refer to them."""
    refused = set(changes) - set(SKILL_EDITABLE)
    if refused:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(refused)})
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], model=Skill, exclude_pk=skill.pk)
    if "description" in changes:
        changes["description"] = str(changes["description"]).strip()
    if "is_active" in changes and not isinstance(changes["is_active"], bool):
        raise ValidationError({"is_active": ["Say true (in use) or false (retired)."]})
    name = changes.get("name", skill.name)
    if "synonyms" in changes:
        changes["synonyms"] = _clean_synonym_list(changes["synonyms"], name=name)
    elif "name" in changes:  # a new name may be one of the other names: it is no longer "other"
        changes["synonyms"] = clean_synonyms(list(skill.synonyms), name=name)
    before = {key: _shown(key, getattr(skill, key)) for key in changes}
    for key, value in changes.items():
        setattr(skill, key, value)
    skill.search_text = search_text(skill.name, skill.synonyms)
    skill.full_clean(validate_constraints=False, validate_unique=False)
    after = {key: _shown(key, value) for key, value in changes.items()}
    diff = {key: [before[key], after[key]] for key in changes if before[key] != after[key]}
    if diff:
        _save_unique(skill, update_fields=[*changes, "search_text"])
        action = "skill.update"
        if list(diff) == ["is_active"]:
            action = "skill.restore" if skill.is_active else "skill.retire"
        audit_record(actor=actor, action=action, target=skill, changes=diff, source=source)
    return skill


@transaction.atomic
def requirement_set(
    *, actor: Person | None, job_role: JobRole, skill: Skill, level: int, source: str = Source.WEB
) -> RoleRequirement:
    """The level `job_role` needs in `skill`, created or changed."""
    _check_level(level)
    if not skill.is_active and not RoleRequirement.objects.filter(job_role=job_role, skill=skill).exists():
        raise ValidationError({"skill": [f"{skill} is retired: choose a skill in use."]})
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
    clash = ProficiencyLevel.objects.filter(name__iexact=name.strip()).exclude(pk=level.pk).first()
    if clash is not None:
        raise ValidationError(
            {"name": [f"Level {clash.level} is already called “{clash.name}”: give each level its own name."]}
        )
    before = {"name": level.name, "descriptor": level.descriptor}
    level.name, level.descriptor = name.strip(), descriptor.strip()
    level.save(update_fields=["name", "descriptor"])
    diff = {k: [before[k], getattr(level, k)] for k in before if before[k] != getattr(level, k)}
    if diff:
        audit_record(actor=actor, action="proficiency_level.update", target=level, changes=diff, source=source)
    return level


@dataclass(frozen=True)
class ScaleResized:
    """What a resize did: the new scale, the mapping applied, and how many stored levels moved per column
    (`LevelColumn.key`: ratings, requirements, item_targets, goal_targets)."""

    levels: list[ProficiencyLevel]
    mapping: dict[int, int]
    rewritten: dict[str, int]


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return parse_int(value, high=99_999)
    return None


def _clean_new_levels(levels: Sequence[NewLevel]) -> list[NewLevel]:
    """The new scale's levels, trimmed; every problem named by its place (`levels.2.name` is level 3's)."""
    if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        raise ValidationError(
            {"levels": [f"Give the scale from {MIN_LEVELS} to {MAX_LEVELS} levels (this has {len(levels)})."]}
        )
    limit = ProficiencyLevel._meta.get_field("name").max_length or 0
    errors: dict[str, list[str]] = {}
    named: dict[str, int] = {}
    cleaned = []
    for index, level in enumerate(levels):
        number, name, descriptor = index + 1, str(level.name).strip(), str(level.descriptor).strip()
        if not name:
            errors[f"levels.{index}.name"] = [f"Level {number} needs a name."]
        elif len(name) > limit:
            errors[f"levels.{index}.name"] = [f"Keep the name of level {number} to {limit} characters."]
        elif name.lower() in named:
            errors[f"levels.{index}.name"] = [
                f"Level {named[name.lower()]} is already called “{name}”: give each level its own name."
            ]
        else:
            named[name.lower()] = number
        if not descriptor:
            errors[f"levels.{index}.descriptor"] = [
                f"Say what someone at level {number} does: each level needs a behavioural descriptor."
            ]
        cleaned.append(NewLevel(name=name, descriptor=descriptor))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_mapping(mapping: Any, *, old: list[ProficiencyLevel], new_top: int) -> dict[int, int]:
    """{old level: new level} for every level of today's scale, each on the new scale, never lower for a
    higher old level (so the order of what is stored survives); problems named `mapping.<old level>`."""
    if not isinstance(mapping, Mapping):
        raise ValidationError({"mapping": ["Say which new level each of today's levels becomes, as {old: new}."]})
    names = {level.level: level.name for level in old}
    errors: dict[str, list[str]] = {}
    parsed: dict[int, int] = {}
    for key, value in mapping.items():
        old_level, new_level = _whole_number(key), _whole_number(value)
        if old_level is None or old_level not in names:
            errors[f"mapping.{str(key)[:10]}"] = [f"Today's scale has no level {str(key)[:10]}."]
        elif new_level is None or not 1 <= new_level <= new_top:
            errors[f"mapping.{old_level}"] = [f"Choose a level from 1 to {new_top} for today's level {old_level}."]
        else:
            parsed[old_level] = new_level
    for number, name in names.items():
        if number not in parsed and f"mapping.{number}" not in errors:
            errors[f"mapping.{number}"] = [f"Say which new level today's level {number} ({name}) becomes."]
    if errors:
        raise ValidationError(errors)
    ordered = sorted(parsed)
    for lower, higher in itertools.pairwise(ordered):
        if parsed[higher] < parsed[lower]:
            raise ValidationError(
                {
                    f"mapping.{higher}": [
                        f"Keep the order: today's level {lower} becomes {parsed[lower]}, so level {higher} "
                        f"cannot become the lower {parsed[higher]}."
                    ]
                }
            )
    return parsed


def _rewrite(column: LevelColumn, mapping: dict[int, int]) -> int:
    """Move every stored value of `column` to its new level in one UPDATE; the number of rows changed.
    A value outside today's scale (left by older data) moves with the nearest end of it."""
    field, bottom, top = column.field, min(mapping), max(mapping)
    moves = {old: new for old, new in mapping.items() if old != new}
    whens = [When(**{field: old}, then=new) for old, new in moves.items()]
    whens += [When(**{f"{field}__gt": top}, then=mapping[top]), When(**{f"{field}__lt": bottom}, then=mapping[bottom])]
    rows = column.model._default_manager.filter(
        Q(**{f"{field}__in": list(moves)}) | Q(**{f"{field}__gt": top}) | Q(**{f"{field}__lt": bottom})
    )
    return rows.update(**{field: Case(*whens, default=F(field), output_field=PositiveSmallIntegerField())})


def _level_record(level: ProficiencyLevel) -> dict[str, Any]:
    return {"level": level.level, "name": level.name, "descriptor": level.descriptor}


@transaction.atomic
def scale_resize(
    *,
    actor: Person | None,
    levels: Sequence[NewLevel],
    mapping: Mapping[int, int],
    source: str = Source.WEB,
) -> ScaleResized:
    """Replace the proficiency scale with `levels` (2 to 10, lowest first, each with a name and a
    behavioural descriptor) and move every stored level (ratings, role requirements, item and goal
    targets: every registered `LevelColumn`) through `mapping`, {today's level: new level}. All in one
    transaction with one audit event; bad input is a ValidationError naming the field, and nothing is
    written. Writes that store a level wait for it (`scale_top(hold=True)`)."""
    if actor is not None:
        policy.require(actor, "change", ProficiencyLevel)
    locks.hold(SCALE_LOCK)
    cleaned = _clean_new_levels(levels)
    old = list(ProficiencyLevel.objects.select_for_update().order_by("level"))
    if not old:
        raise ValidationError({"levels": ["There is no scale to resize yet."]})
    moves = _clean_mapping(mapping, old=old, new_top=len(cleaned))
    before = [_level_record(level) for level in old]
    rewritten = {column.key: _rewrite(column, moves) for column in level_columns()}
    by_level = {level.level: level for level in old}
    for number, text in enumerate(cleaned, start=1):
        row = by_level.get(number)
        if row is None:
            ProficiencyLevel.objects.create(level=number, name=text.name, descriptor=text.descriptor)
        elif (row.name, row.descriptor) != (text.name, text.descriptor):
            row.name, row.descriptor = text.name, text.descriptor
            row.save(update_fields=["name", "descriptor"])
    ProficiencyLevel.objects.exclude(level__in=range(1, len(cleaned) + 1)).delete()
    new = list(ProficiencyLevel.objects.order_by("level"))
    after = [_level_record(level) for level in new]
    if before != after or any(rewritten.values()):
        audit_record(
            actor=actor,
            action="proficiency_scale.resize",
            target=new[-1],
            changes={
                "levels": [len(old), len(new)],
                "scale": [before, after],
                "mapping": [None, {str(k): v for k, v in sorted(moves.items())}],
                "rewritten": [None, rewritten],
            },
            source=source,
        )
        # Every page and answer that shows a level may have changed, for everyone: a bulk UPDATE sends
        # no per-row signals, so retire every cached answer at once.
        version_bump(EVERYTHING)
    return ScaleResized(levels=new, mapping=moves, rewritten=rewritten)


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
