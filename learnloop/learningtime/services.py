"""Writes for learning time: budgets, learning blocks and the calendar feed's secret."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.learning.models import CatalogItem
from learnloop.learningtime.models import CalendarFeed, LearningBlock, PersonBudget, TeamBudget
from learnloop.learningtime.selectors import feed_hash
from learnloop.people.models import Person

Source = AuditEvent.Source
Status = LearningBlock.Status
# A week has 10,080 minutes; a budget above a full working week is a typo, not a plan.
MAX_WEEKLY_MINUTES = 40 * 60
MAX_BLOCK = dt.timedelta(hours=12)


def _check_minutes(weekly_minutes: int | None) -> None:
    if weekly_minutes is not None and not 0 <= weekly_minutes <= MAX_WEEKLY_MINUTES:
        raise ValidationError(
            {"weekly_minutes": [f"Give a weekly budget from 0 to {MAX_WEEKLY_MINUTES} minutes (40 hours)."]}
        )


@transaction.atomic
def person_budget_set(
    *, actor: Person, person: Person, weekly_minutes: int | None, source: str = Source.WEB
) -> PersonBudget | None:
    """Set a person's own weekly budget (managers and people admins); None removes it, so the team or
    site default applies again."""
    if not policy.can(actor, "change", PersonBudget(person=person)):
        raise ValidationError({"person": ["Only their managers and people admins set someone's learning time."]})
    _check_minutes(weekly_minutes)
    existing = PersonBudget.objects.select_for_update().filter(person=person).first()
    before = existing.weekly_minutes if existing else None
    if weekly_minutes is None:
        if existing is not None:
            existing.delete()
        budget = None
    elif existing is None:
        budget = PersonBudget.objects.create(person=person, weekly_minutes=weekly_minutes, set_by=actor)
    else:
        existing.weekly_minutes, existing.set_by = weekly_minutes, actor
        existing.save(update_fields=["weekly_minutes", "set_by", "updated_at"])
        budget = existing
    if before != weekly_minutes:
        audit_record(
            actor=actor,
            action="learningtime.person_budget_set",
            target=person,
            changes={"weekly_minutes": [before, weekly_minutes]},
            source=source,
        )
    return budget


@transaction.atomic
def team_budget_set(*, actor: Person, weekly_minutes: int | None, source: str = Source.WEB) -> TeamBudget | None:
    """The manager's default for their direct reports; None removes it (the site default applies)."""
    if not Person.objects.filter(manager=actor, is_active=True).exists():
        raise ValidationError({"weekly_minutes": ["A team default is for managers: you have no direct reports."]})
    _check_minutes(weekly_minutes)
    existing = TeamBudget.objects.select_for_update().filter(manager=actor).first()
    before = existing.weekly_minutes if existing else None
    if weekly_minutes is None:
        if existing is not None:
            existing.delete()
        budget = None
    elif existing is None:
        budget = TeamBudget.objects.create(manager=actor, weekly_minutes=weekly_minutes)
    else:
        existing.weekly_minutes = weekly_minutes
        existing.save(update_fields=["weekly_minutes", "updated_at"])
        budget = existing
    if before != weekly_minutes:
        audit_record(
            actor=actor,
            action="learningtime.team_budget_set",
            target=actor,
            changes={"weekly_minutes": [before, weekly_minutes]},
            source=source,
        )
    return budget


def _validate_block(
    *,
    person: Person,
    title: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    item: CatalogItem | None,
    exclude: int | None = None,
) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give the block a title, e.g. what you will learn."]
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = ["Give a start date and time."]
    if ends_at is None or timezone.is_naive(ends_at):
        errors["ends_at"] = ["Give an end date and time."]
    if item is not None and not policy.can(person, "view", item):
        errors["item"] = ["There is no such catalog item."]
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ["A block ends after it starts."]})
    if ends_at - starts_at > MAX_BLOCK:
        raise ValidationError({"ends_at": ["A block lasts at most 12 hours; plan several for longer learning."]})
    # The caller holds a lock on the person, so two requests cannot both pass this check.
    others = LearningBlock.objects.filter(person=person, starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(
        status=Status.CANCELLED
    )
    clash = (others.exclude(pk=exclude) if exclude is not None else others).first()
    if clash is not None:
        local = clash.starts_at.astimezone(zoneinfo.ZoneInfo(person.time_zone))
        raise ValidationError(
            {"starts_at": [f"This overlaps your block “{clash.title}” ({local:%a %d %b %H:%M}); pick another time."]}
        )


def _lock_person(person: Person) -> None:
    Person.objects.select_for_update().filter(pk=person.pk).first()


@transaction.atomic
def block_create(
    *,
    actor: Person,
    title: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    item: CatalogItem | None = None,
    note: str = "",
    source: str = Source.WEB,
) -> LearningBlock:
    """Plan a learning block for the actor, in their time zone. Blocks may not overlap."""
    _lock_person(actor)
    _validate_block(person=actor, title=title, starts_at=starts_at, ends_at=ends_at, item=item)
    assert starts_at is not None and ends_at is not None
    block = LearningBlock.objects.create(
        person=actor,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=actor.time_zone,
        item=item,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="learningtime.block_create",
        target=block,
        changes={"starts_at": [None, starts_at.isoformat()], "ends_at": [None, ends_at.isoformat()]},
        source=source,
    )
    return block


def _bump(block: LearningBlock, fields: list[str]) -> None:
    block.sequence += 1
    block.save(update_fields=[*fields, "sequence", "updated_at"])


@transaction.atomic
def block_update(
    *,
    actor: Person,
    block: LearningBlock,
    title: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    item: CatalogItem | None = None,
    note: str = "",
    source: str = Source.WEB,
) -> LearningBlock:
    """Edit or move a block; every change raises its SEQUENCE so calendars pick it up."""
    if not policy.can(actor, "change", block):
        raise ValidationError({"block": ["This is not your block."]})
    _lock_person(actor)
    block = LearningBlock.objects.get(pk=block.pk)
    if block.status == Status.CANCELLED:
        raise ValidationError({"block": ["This block is cancelled; plan a new one instead."]})
    _validate_block(person=actor, title=title, starts_at=starts_at, ends_at=ends_at, item=item, exclude=block.pk)
    new = {"title": title.strip(), "starts_at": starts_at, "ends_at": ends_at, "item_id": item.pk if item else None}
    new["note"] = note.strip()
    changes: dict[str, list[object]] = {}
    for field, value in new.items():
        old = getattr(block, field)
        if old != value:
            changes[field] = [str(old) if old is not None else None, str(value) if value is not None else None]
            setattr(block, field, value)
    if not changes:
        return block
    _bump(block, [f for f in new if f in changes])
    audit_record(actor=actor, action="learningtime.block_update", target=block, changes=changes, source=source)
    return block


@transaction.atomic
def block_set_status(*, actor: Person, block: LearningBlock, status: str, source: str = Source.WEB) -> LearningBlock:
    """Mark a block done (the time counts as used), skipped, or planned again."""
    if not policy.can(actor, "change", block):
        raise ValidationError({"block": ["This is not your block."]})
    block = LearningBlock.objects.select_for_update().get(pk=block.pk)
    if status not in (Status.PLANNED, Status.DONE, Status.SKIPPED):
        raise ValidationError({"status": ["Choose planned, done or skipped."]})
    if block.status == Status.CANCELLED:
        raise ValidationError({"status": ["This block is cancelled."]})
    if status != Status.PLANNED and block.starts_at > timezone.now():
        raise ValidationError({"status": ["A block can be marked done or skipped once it has started."]})
    if block.status == status:
        return block
    changes: dict[str, list[object]] = {"status": [block.status, status]}
    block.status = status
    _bump(block, ["status"])
    audit_record(actor=actor, action="learningtime.block_status", target=block, changes=changes, source=source)
    return block


@transaction.atomic
def block_cancel(*, actor: Person, block: LearningBlock, source: str = Source.WEB) -> LearningBlock:
    """Cancel a block; it stays in the feed as STATUS:CANCELLED so calendars remove it."""
    if not policy.can(actor, "change", block):
        raise ValidationError({"block": ["This is not your block."]})
    block = LearningBlock.objects.select_for_update().get(pk=block.pk)
    if block.status == Status.CANCELLED:
        return block
    changes: dict[str, list[object]] = {"status": [block.status, Status.CANCELLED]}
    block.status = Status.CANCELLED
    _bump(block, ["status"])
    audit_record(actor=actor, action="learningtime.block_cancel", target=block, changes=changes, source=source)
    return block


@transaction.atomic
def feed_rotate(*, actor: Person, source: str = Source.WEB) -> str:
    """A new secret calendar address for the actor; the old one stops working. Returns the secret, which
    is shown once: only its hash is kept."""
    secret = secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(person=actor)
    feed.secret_hash, feed.created_at, feed.revoked_at = feed_hash(secret), timezone.now(), None
    feed.save(update_fields=["secret_hash", "created_at", "revoked_at"])
    audit_record(
        actor=actor,
        action="learningtime.feed_create" if created else "learningtime.feed_rotate",
        target=feed,
        changes={"secret": ["***", "***"]},
        source=source,
    )
    return secret


@transaction.atomic
def feed_revoke(*, actor: Person, source: str = Source.WEB) -> None:
    feed = CalendarFeed.objects.select_for_update().filter(person=actor).first()
    if feed is None or not feed.secret_hash:
        return
    feed.secret_hash, feed.revoked_at = "", timezone.now()
    feed.save(update_fields=["secret_hash", "revoked_at"])
    audit_record(
        actor=actor, action="learningtime.feed_revoke", target=feed, changes={"secret": ["***", None]}, source=source
    )
