"""Audit trail: every service that writes sensitive data records what changed here."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from learnloop.core.models import AuditEvent

# Values of these fields are never written to the trail, only the fact that they changed.
SECRET_FIELDS = frozenset({"password", "token_hash", "secret_hash"})

# THE registry of private fields: words a person wrote for a narrow audience (themselves; sometimes their
# managers or a sponsor). The trail is read by people admins, who are not that audience, so an event
# records that such a field changed (and whether it is empty), never what it says. model label -> fields.
PRIVATE_FIELDS: dict[str, frozenset[str]] = {
    # Reflections at completion: the person, their managers (stretch: and the sponsor).
    "learning.enrollment": frozenset({"learned", "apply_plan", "outcome", "do_differently"}),
    # Transfer-check answers: the respondent only.
    "plans.transfercheck": frozenset({"how"}),
    # Learning blocks: the person only (managers see weekly totals).
    "learningtime.learningblock": frozenset({"title", "note"}),
}
PRIVATE_MASK = "(private)"


def _private_masked(value: Any) -> Any:
    return value if value in (None, "") else PRIVATE_MASK


def mask_private(label: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` ({field: [old, new]}) of a `label` object with its private fields' words masked."""
    private = PRIVATE_FIELDS.get(label, frozenset())
    return {
        name: [_private_masked(v) for v in value] if name in private and isinstance(value, list | tuple) else value
        for name, value in changes.items()
    }


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def field_changes(
    *, before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str] | None = None
) -> dict[str, list[Any]]:
    """The fields whose value differs, as {field: [old, new]}, secrets masked."""
    names = fields if fields is not None else after.keys()
    changes: dict[str, list[Any]] = {}
    for name in names:
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old != new:
            changes[name] = ["***", "***"] if name in SECRET_FIELDS else [old, new]
    return changes


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Current values of `fields`, by attname for foreign keys so no query is made."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = getattr(instance, getattr(field, "attname", name))
    return values


def audit_event_build(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: Mapping[str, Any] | None = None,
    source: str = AuditEvent.Source.SYSTEM,
) -> AuditEvent:
    """An unsaved event, for services that write many rows and bulk-create their trail."""
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEvent(
        actor=actor_obj,
        actor_label=str(actor_obj) if actor_obj else "system",
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_label=str(target)[:200],
        changes=mask_private(target._meta.label_lower, changes or {}),
        source=source,
    )


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: Mapping[str, Any] | None = None,
    source: str = AuditEvent.Source.SYSTEM,
) -> AuditEvent:
    """Record one event. Call inside the service's transaction so the trail and the write agree."""
    event = audit_event_build(actor=actor, action=action, target=target, changes=changes, source=source)
    event.save()
    return event
