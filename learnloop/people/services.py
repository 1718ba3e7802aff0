"""Writes to people and the organization. Each runs in a transaction and leaves an audit event."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.audit import audit_record, field_changes, snapshot
from learnloop.core.models import AuditEvent
from learnloop.core.roles import GRANTABLE_ROLES
from learnloop.people.models import JobRole, Location, OrgUnit, Person, RoleGrant
from learnloop.people.selectors import report_ids

# Fields a person may edit on their own profile; everything else is the people admins'.
SELF_EDITABLE_FIELDS = ("preferred_name", "time_zone")
ADMIN_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "employee_id",
    "title",
    "job_role",
    "org_unit",
    "location",
    "manager",
    "time_zone",
    "hire_date",
)

# A person's sign-in identity: whoever changes these can take the account over (a password reset goes to
# the email). Changing them, the password or the active state is policy "change_identity" / "deactivate".
IDENTITY_FIELDS = ("email", "username")
IDENTITY_REFUSED = "You cannot change this for someone who holds a role you do not hold."

Source = AuditEvent.Source


def manager_cycle_error(*, person: Person, manager: Person | None) -> str | None:
    """Why `manager` cannot manage `person`, or None when the reporting line stays a tree."""
    if manager is None:
        return None
    if person.pk and manager.pk == person.pk:
        return "A person cannot be their own manager."
    if person.pk and manager.pk in report_ids(manager_id=person.pk):
        return f"{manager} reports to {person}, so {person} cannot report to them (that would be a cycle)."
    if not manager.is_active:
        return f"{manager} has left the organization and cannot be a manager."
    return None


def _validate_person(person: Person, *, exclude: list[str] | None = None) -> None:
    # The email is checked first: new people's user names are their email, and a clash should be
    # reported on the field the caller actually sent.
    if person.email and Person.objects.filter(email__iexact=person.email).exclude(pk=person.pk).exists():
        raise ValidationError({"email": ["Another person already uses this email address."]})
    person.full_clean(exclude=["password", *(exclude or [])], validate_constraints=True)


@transaction.atomic
def person_create(
    *, actor: Person | None, source: str = Source.WEB, password: str | None = None, **fields: Any
) -> Person:
    """A new person; `username` defaults to the email address."""
    unknown = set(fields) - set(ADMIN_EDITABLE_FIELDS) - {"username"}
    if unknown:
        raise ValidationError({name: ["This field cannot be set here."] for name in sorted(unknown)})
    fields.setdefault("username", (fields.get("email") or "").lower())
    person = Person(**fields)
    error = manager_cycle_error(person=person, manager=fields.get("manager"))
    if error:
        raise ValidationError({"manager": [error]})
    _validate_person(person)
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    audit_record(
        actor=actor,
        action="person.create",
        target=person,
        changes=field_changes(before={}, after=snapshot(person, ["username", *fields])),
        source=source,
    )
    return person


@transaction.atomic
def person_update(
    *,
    actor: Person | None,
    person: Person,
    source: str = Source.WEB,
    allowed: tuple[str, ...] = ADMIN_EDITABLE_FIELDS,
    **changes: Any,
) -> Person:
    """Change profile fields; `allowed` narrows what the caller may touch (self-service edits)."""
    refused = set(changes) - set(allowed)
    if refused:
        raise ValidationError({name: ["You cannot change this field."] for name in sorted(refused)})
    identity = [
        name for name in IDENTITY_FIELDS if name in changes and (changes[name] or "") != (getattr(person, name) or "")
    ]
    if identity and actor is not None and not policy.can(actor, "change_identity", person):
        raise ValidationError({name: [IDENTITY_REFUSED] for name in identity})
    if "manager" in changes:
        error = manager_cycle_error(person=person, manager=changes["manager"])
        if error:
            raise ValidationError({"manager": [error]})
    if changes.get("email") and person.username.lower() == (person.email or "").lower():
        # A user name that is the email address follows it, so people keep signing in with their email.
        changes["username"] = changes["email"]
        if Person.objects.filter(username__iexact=changes["email"]).exclude(pk=person.pk).exists():
            raise ValidationError({"email": ["This address is another person's user name."]})
    before = snapshot(person, changes)
    for name, value in changes.items():
        setattr(person, name, value)
    _validate_person(person)
    diff = field_changes(before=before, after=snapshot(person, changes))
    if diff:
        person.save(update_fields=list(diff))
        audit_record(actor=actor, action="person.update", target=person, changes=diff, source=source)
    if "email" in diff and diff["email"][0]:
        _tell_old_address(person=person, old=diff["email"][0], new=diff["email"][1])
    if "manager" in diff:
        manager_change_notify(person=person, old_manager_id=diff["manager"][0], actor=actor)
    return person


def _tell_old_address(*, person: Person, old: str, new: str) -> None:
    """An email change is announced to the address it moves away from (after commit): if someone
    redirected the account, its owner hears of it where they still read mail."""
    from learnloop.core.tasks import email_send

    subject = "Your learnloop sign-in email address was changed"
    body = (
        f"Hello {person},\n\nthe email address of your learnloop account was changed from {old} to {new}. "
        "Password resets and notifications now go to the new address.\n\n"
        "If you did not expect this, tell your people team or IT at once.\n"
    )
    transaction.on_commit(lambda: email_send.enqueue(subject=subject, body=body, to=[old]))


def manager_change_notify(*, person: Person, old_manager_id: int | None, actor: Person | None) -> None:
    """Tell the person, and the manager they leave, who their manager is now: a manager reads the
    person's reflections, so nobody gains that quietly."""
    from learnloop.notifications.services import notify

    new_manager = person.manager
    by = f" by {actor}" if actor is not None else ""
    now = timezone.now().isoformat()
    now_text = f"{new_manager} is now your manager" if new_manager else "You no longer have a manager in learnloop"
    notify(
        recipient=person,
        kind="account",
        title=f"{now_text} (changed{by}).",
        body="Your manager can see your development plan, enrolments and reflections.",
        url=f"/people/{person.pk}/",
        dedupe_key=f"manager:{person.pk}:{now}",
    )
    old_manager = Person.objects.filter(pk=old_manager_id).first() if old_manager_id else None
    if old_manager is not None:
        notify(
            recipient=old_manager,
            kind="account",
            title=f"{person} no longer reports to you (changed{by}).",
            url=f"/people/{person.pk}/",
            dedupe_key=f"manager:{person.pk}:{now}",
        )


@transaction.atomic
def person_deactivate(
    *, actor: Person | None, person: Person, left_on: dt.date | None = None, source: str = Source.WEB
) -> Person:
    """Mark a leaver: they can no longer sign in, their reports move up to their manager, history stays."""
    if not person.is_active:
        raise ValidationError({"is_active": [f"{person} has already been deactivated."]})
    if actor is not None and actor.pk == person.pk:
        raise ValidationError({"person": ["You cannot deactivate yourself."]})
    if actor is not None and not policy.can(actor, "deactivate", person):
        raise ValidationError({"is_active": [IDENTITY_REFUSED]})
    left_on = left_on or timezone.localdate()
    moved = list(Person.objects.filter(manager=person).values_list("pk", flat=True))
    Person.objects.filter(pk__in=moved).update(manager_id=person.manager_id)
    person.is_active = False
    person.left_on = left_on
    person.save(update_fields=["is_active", "left_on"])
    from learnloop.accounts.services import access_end

    access_end(actor=actor, person=person, source=source)
    for report in Person.objects.filter(pk__in=moved).select_related("manager"):
        manager_change_notify(person=report, old_manager_id=person.pk, actor=actor)
    audit_record(
        actor=actor,
        action="person.deactivate",
        target=person,
        changes={"is_active": [True, False], "left_on": [None, left_on.isoformat()], "reports_moved": moved},
        source=source,
    )
    return person


@transaction.atomic
def person_reactivate(*, actor: Person | None, person: Person, source: str = Source.WEB) -> Person:
    """Bring a leaver back. Nothing of their old access returns (see `accounts.services.access_end`):
    they set a new password with "Forgot your password?"."""
    if person.is_active:
        raise ValidationError({"is_active": [f"{person} is already active."]})
    if actor is not None and not policy.can(actor, "deactivate", person):
        raise ValidationError({"is_active": [IDENTITY_REFUSED]})
    previous = person.left_on
    person.is_active = True
    person.left_on = None
    person.save(update_fields=["is_active", "left_on"])
    audit_record(
        actor=actor,
        action="person.reactivate",
        target=person,
        changes={"is_active": [False, True], "left_on": [previous.isoformat() if previous else None, None]},
        source=source,
    )
    return person


@transaction.atomic
def role_grant(*, actor: Person | None, person: Person, role: str, source: str = Source.WEB) -> RoleGrant:
    if role not in GRANTABLE_ROLES:
        raise ValidationError({"role": [f"{role!r} cannot be granted; choose one of {', '.join(GRANTABLE_ROLES)}."]})
    grant, created = RoleGrant.objects.get_or_create(person=person, role=role, defaults={"granted_by": actor})
    if created:
        audit_record(actor=actor, action="role.grant", target=person, changes={"roles": [None, role]}, source=source)
    person.__dict__.pop("roles", None)
    return grant


@transaction.atomic
def role_revoke(*, actor: Person | None, person: Person, role: str, source: str = Source.WEB) -> None:
    if actor is not None and actor.pk == person.pk and role == "org_admin":
        raise ValidationError({"role": ["You cannot take the org admin role from yourself."]})
    deleted, _ = RoleGrant.objects.filter(person=person, role=role).delete()
    if deleted:
        audit_record(actor=actor, action="role.revoke", target=person, changes={"roles": [role, None]}, source=source)
    person.__dict__.pop("roles", None)


UNIT_KIND_BY_DEPTH = (OrgUnit.Kind.DIVISION, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.TEAM)
PATH_SEPARATOR = " / "


def split_unit_path(path: str) -> list[str]:
    return [part.strip() for part in path.replace("/", PATH_SEPARATOR).split(PATH_SEPARATOR.strip()) if part.strip()]


@transaction.atomic
def org_unit_ensure_path(
    *, actor: Person | None, path: str, source: str = Source.WEB, known: dict[str, OrgUnit] | None = None
) -> OrgUnit:
    """The unit at `path` ("Engineering / Platform / Atlas"), creating any missing units along it.

    `known` (path -> unit), when given, holds every unit there is (an import loads them once): units are
    looked up there instead of in the database, and the ones created are added to it."""
    parts = split_unit_path(path)
    if not parts:
        raise ValidationError({"org_unit": ["An org unit path needs at least one name."]})
    name_limit = OrgUnit._meta.get_field("name").max_length or 0
    path_limit = OrgUnit._meta.get_field("path").max_length or 0
    if any(len(name) > name_limit for name in parts) or len(PATH_SEPARATOR.join(parts)) > path_limit:
        # PostgreSQL refuses what does not fit its column (a 500); SQLite would keep it.
        message = f"Each name in an org unit path has at most {name_limit} characters, the path {path_limit}."
        raise ValidationError({"org_unit": [message]})
    parent: OrgUnit | None = None
    for depth, name in enumerate(parts):
        full = PATH_SEPARATOR.join(parts[: depth + 1])
        unit = known.get(full) if known is not None else OrgUnit.objects.filter(path=full).first()
        if unit is None:
            kind = UNIT_KIND_BY_DEPTH[min(depth, len(UNIT_KIND_BY_DEPTH) - 1)]
            unit = OrgUnit.objects.create(name=name, kind=kind, parent=parent, path=full)
            audit_record(
                actor=actor,
                action="orgunit.create",
                target=unit,
                changes={"path": [None, full]},
                source=source,
            )
            if known is not None:
                known[full] = unit
        parent = unit
    assert parent is not None
    return parent


@transaction.atomic
def org_unit_set_lead(*, actor: Person | None, unit: OrgUnit, lead: Person | None, source: str = Source.WEB) -> OrgUnit:
    before = unit.lead_id
    unit.lead = lead
    unit.save(update_fields=["lead"])
    audit_record(
        actor=actor,
        action="orgunit.update",
        target=unit,
        changes={"lead": [before, lead.pk if lead else None]},
        source=source,
    )
    return unit


@transaction.atomic
def location_create(
    *, actor: Person | None, name: str, time_zone: str = "UTC", country: str = "", source: str = Source.WEB
) -> Location:
    location = Location(name=name.strip(), time_zone=time_zone, country=country.upper())
    location.full_clean()
    location.save()
    audit_record(
        actor=actor,
        action="location.create",
        target=location,
        changes=field_changes(before={}, after=snapshot(location, ["name", "time_zone", "country"])),
        source=source,
    )
    return location


@transaction.atomic
def job_role_ensure(*, actor: Person | None, name: str, family: str = "", source: str = Source.WEB) -> JobRole:
    role, created = JobRole.objects.get_or_create(name=name.strip(), defaults={"family": family})
    if created:
        audit_record(
            actor=actor,
            action="jobrole.create",
            target=role,
            changes={"name": [None, role.name]},
            source=source,
        )
    return role
