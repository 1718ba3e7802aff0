"""Writes to the catalog. Each runs in a transaction and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from learnloop.core.audit import audit_record, field_changes, snapshot
from learnloop.core.models import AuditEvent
from learnloop.learning.languages import language_code
from learnloop.learning.models import CatalogItem, ItemSkill
from learnloop.people.models import Person
from learnloop.skills.models import Skill
from learnloop.skills.services import scale_top

Source = AuditEvent.Source
EDITABLE = (
    "kind",
    "title",
    "summary",
    "delivery",
    "url",
    "file",
    "lesson",
    "duration_minutes",
    "language",
    "audience",
    "owner",
    "author",
    "isbn",
    "sponsor",
    "scope",
    "is_published",
)
Kind, Delivery = CatalogItem.Kind, CatalogItem.Delivery

# The fields that belong to one format besides the ones every item has. The form shows and validates only
# the chosen format's; the API may send any field, as before.
CONTENT = ("delivery", "url", "file", "lesson")
FORMAT_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.SELF_PACED: CONTENT,
    Kind.LIVE_SESSION: CONTENT,
    Kind.COHORT: CONTENT,
    Kind.LUNCH_AND_LEARN: CONTENT,
    Kind.BOOK: ("author", "isbn"),
    Kind.STRETCH: ("scope", "sponsor"),
    Kind.MENTORING: (),
}
COMMON_FIELDS = ("kind", "title", "summary", "duration_minutes", "language", "audience", "is_published")


def format_errors(item: CatalogItem, *, language_was: str | None = None) -> dict[str, list[str]]:
    """What the item's format needs, every problem at once, by field. A language that is not on the list is
    refused unless it is the one the item already had (`language_was`): values from before the list stay
    until someone fixes them. A language given by name or regional tag is stored as its code."""
    errors: dict[str, list[str]] = {}
    if item.delivery == Delivery.LINK and not item.url:
        errors["url"] = ["Content delivered by link needs its address."]
    if item.delivery == Delivery.LESSON and not item.lesson.strip():
        errors["lesson"] = ["Write the lesson, or choose another delivery."]
    if item.delivery == Delivery.FILE and not item.file:
        errors["file"] = ["Upload the file, or choose another delivery."]
    if item.kind == Kind.BOOK and not item.author.strip():
        errors["author"] = ["A book needs its author."]
    if item.kind == Kind.STRETCH and not item.scope.strip():
        errors["scope"] = ["Describe the work and its bounds, so people know what they sign up for."]
    if item.duration_minutes is not None and not 1 <= item.duration_minutes <= 60 * 24 * 365:
        errors["duration_minutes"] = ["Give a duration from one minute to a year."]
    if item.language != language_was:
        code = language_code(item.language or "")
        if code is None:
            errors["language"] = [f"“{item.language}” is not a language on the list: choose one, e.g. en or de."]
        else:
            item.language = code
    return errors


def item_errors(item: CatalogItem, *, language_was: str | None = None) -> dict[str, list[str]]:
    """Everything wrong with the item at once, by field: what its format needs, and what the model allows."""
    errors = format_errors(item, language_was=language_was)
    try:
        item.full_clean(exclude=["owner", "sponsor", *errors])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    return errors


def _skill_problems(item: CatalogItem, skills: list[tuple[Skill, int]]) -> list[str]:
    """Every problem with the skills taught at once: a level off the scale, a retired skill newly added, a
    skill listed twice."""
    top = scale_top(hold=True)
    already = set(item.skills_taught.values_list("skill_id", flat=True)) if item.pk else set()
    problems, seen = [], set()
    for skill, level in skills:
        if not 1 <= level <= top:
            problems.append(f"{skill}: choose a target level from 1 to {top}.")
        if not skill.is_active and skill.pk not in already:
            problems.append(f"{skill.name} is retired: choose a skill in use.")
        if skill.pk in seen:
            problems.append(f"{skill} is listed twice: keep one level for it.")
        seen.add(skill.pk)
    return problems


def _check(item: CatalogItem, skills: list[tuple[Skill, int]] | None, *, language_was: str | None = None) -> None:
    errors = item_errors(item, language_was=language_was)
    problems = _skill_problems(item, skills) if skills else []
    if problems:
        errors["skills"] = problems
    if errors:
        raise ValidationError(errors)


def _set_skills(item: CatalogItem, skills: list[tuple[Skill, int]]) -> dict[str, Any]:
    taught = list(item.skills_taught.select_related("skill"))
    before = sorted((s.skill.name, s.target_level) for s in taught)
    item.skills_taught.all().delete()
    ItemSkill.objects.bulk_create(ItemSkill(item=item, skill=skill, target_level=level) for skill, level in skills)
    after = sorted((skill.name, level) for skill, level in skills)
    return {} if before == after else {"skills": [before, after]}


@transaction.atomic
def item_create(
    *, actor: Person | None, skills: list[tuple[Skill, int]] | None = None, source: str = Source.WEB, **fields: Any
) -> CatalogItem:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: ["This field cannot be set here."] for name in sorted(unknown)})
    item = CatalogItem(**fields)
    _check(item, skills)
    item.save()
    changes = field_changes(before={}, after=snapshot(item, [k for k in fields if k != "file"]))
    changes.update(_set_skills(item, skills or []))
    audit_record(actor=actor, action="catalog_item.create", target=item, changes=changes, source=source)
    return item


@transaction.atomic
def item_update(
    *,
    actor: Person | None,
    item: CatalogItem,
    skills: list[tuple[Skill, int]] | None = None,
    source: str = Source.WEB,
    **changes: Any,
) -> CatalogItem:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    before = snapshot(item, [k for k in changes if k != "file"])
    language_was = item.language
    for key, value in changes.items():
        setattr(item, key, value)
    _check(item, skills, language_was=language_was)
    diff = field_changes(before=before, after=snapshot(item, [k for k in changes if k != "file"]))
    if "file" in changes:
        diff["file"] = ["(previous)", "(new upload)" if changes["file"] else None]
    if skills is not None:
        diff.update(_set_skills(item, skills))
    if diff:
        item.save()
        audit_record(actor=actor, action="catalog_item.update", target=item, changes=diff, source=source)
    return item
