"""Writes to the catalog. Each runs in a transaction and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from learnloop.core.audit import audit_record, field_changes, snapshot
from learnloop.core.models import AuditEvent
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


def _check(item: CatalogItem) -> None:
    """What each format needs, with a message on the field to fix."""
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
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["owner", "sponsor"])


def _set_skills(item: CatalogItem, skills: list[tuple[Skill, int]]) -> dict[str, Any]:
    top = scale_top(hold=True)
    for skill, level in skills:
        if not 1 <= level <= top:
            raise ValidationError({"skills": [f"{skill}: choose a target level from 1 to {top}."]})
    taught = list(item.skills_taught.select_related("skill"))
    already = {s.skill_id for s in taught}
    retired = [skill.name for skill, _ in skills if not skill.is_active and skill.pk not in already]
    if retired:
        raise ValidationError({"skills": [f"{retired[0]} is retired: choose a skill in use."]})
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
    _check(item)
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
    for key, value in changes.items():
        setattr(item, key, value)
    _check(item)
    diff = field_changes(before=before, after=snapshot(item, [k for k in changes if k != "file"]))
    if "file" in changes:
        diff["file"] = ["(previous)", "(new upload)"]
    if skills is not None:
        diff.update(_set_skills(item, skills))
    if diff:
        item.save()
        audit_record(actor=actor, action="catalog_item.update", target=item, changes=diff, source=source)
    return item
