"""Who may do what to which object: the one place learnloop decides permissions.

Each model has a table of actions to rules. A rule answers two questions the same way:
`allows(actor, obj)` for one object, and `q(actor)` as a filter that scopes a queryset, so lists and
detail pages can never disagree. Views and API endpoints ask through `can`, `scope` and `get_or_404`;
a denied object is reported as missing (404) so its existence does not leak.

Rules compose with `|` (either) and `&` (both). Relations:
- `Anyone()`: every active signed-in person.
- `HasRole(...)`: a granted role (L&D admin, people admin, org admin).
- `IsSelf()` / `Owns("field")`: the object is the actor, or its `field` points at the actor.
- `Manages("field")`: the person in `field` reports to the actor, directly or further down.
- `NoRoleBeyondActor()`: the person holds no administrative role the actor lacks (account control).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from learnloop.core.roles import ADMIN_ROLES, Role

if TYPE_CHECKING:
    from learnloop.people.models import Person

M = TypeVar("M", bound=models.Model)

_NOTHING = Q(pk__in=[])


def _active(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


class Rule:
    def allows(self, actor: Person, obj: Any) -> bool:
        raise NotImplementedError

    def q(self, actor: Person) -> Q:
        raise NotImplementedError

    def __or__(self, other: Rule) -> Rule:
        return AnyOf((self, other))

    def __and__(self, other: Rule) -> Rule:
        return AllOf((self, other))


@dataclass(frozen=True)
class AnyOf(Rule):
    rules: tuple[Rule, ...]

    def allows(self, actor: Person, obj: Any) -> bool:
        return any(rule.allows(actor, obj) for rule in self.rules)

    def q(self, actor: Person) -> Q:
        combined = _NOTHING
        for rule in self.rules:
            part = rule.q(actor)
            if not part:
                # An empty Q matches everything, but Django drops it when OR-ing, so say so here.
                return Q()
            combined |= part
        return combined


@dataclass(frozen=True)
class AllOf(Rule):
    rules: tuple[Rule, ...]

    def allows(self, actor: Person, obj: Any) -> bool:
        return all(rule.allows(actor, obj) for rule in self.rules)

    def q(self, actor: Person) -> Q:
        combined = Q()
        for rule in self.rules:
            combined &= rule.q(actor)
        return combined


@dataclass(frozen=True)
class Anyone(Rule):
    def allows(self, actor: Person, obj: Any) -> bool:
        return True

    def q(self, actor: Person) -> Q:
        return Q()


@dataclass(frozen=True)
class Nobody(Rule):
    def allows(self, actor: Person, obj: Any) -> bool:
        return False

    def q(self, actor: Person) -> Q:
        return _NOTHING


class HasRole(Rule):
    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    def allows(self, actor: Person, obj: Any) -> bool:
        return bool(self.roles & actor.roles)

    def q(self, actor: Person) -> Q:
        return Q() if self.roles & actor.roles else _NOTHING


@dataclass(frozen=True)
class IsSelf(Rule):
    def allows(self, actor: Person, obj: Any) -> bool:
        return bool(obj is not None and obj.pk == actor.pk)

    def q(self, actor: Person) -> Q:
        return Q(pk=actor.pk)


@dataclass(frozen=True)
class IsOther(Rule):
    """Anyone but the object itself (a colleague giving peer feedback, never to themselves)."""

    def allows(self, actor: Person, obj: Any) -> bool:
        return bool(obj is not None and obj.pk != actor.pk)

    def q(self, actor: Person) -> Q:
        return ~Q(pk=actor.pk)


@dataclass(frozen=True)
class Published(Rule):
    """The object is published (has `is_published` set)."""

    def allows(self, actor: Person, obj: Any) -> bool:
        return bool(obj is not None and obj.is_published)

    def q(self, actor: Person) -> Q:
        return Q(is_published=True)


@dataclass(frozen=True)
class FieldIs(Rule):
    """The object's `field` has `value` (a voluntary assignment, say)."""

    field: str
    value: Any

    def allows(self, actor: Person, obj: Any) -> bool:
        return bool(obj is not None and getattr(obj, self.field) == self.value)

    def q(self, actor: Person) -> Q:
        return Q(**{self.field: self.value})


@dataclass(frozen=True)
class Owns(Rule):
    field: str

    def allows(self, actor: Person, obj: Any) -> bool:
        return bool(obj is not None and getattr(obj, f"{self.field}_id") == actor.pk)

    def q(self, actor: Person) -> Q:
        return Q(**{f"{self.field}_id": actor.pk})


@dataclass(frozen=True)
class Manages(Rule):
    """The object's person (or the object itself, for field "pk") is in the actor's reporting line."""

    field: str = "pk"

    def allows(self, actor: Person, obj: Any) -> bool:
        if obj is None:
            return False
        person_id = obj.pk if self.field == "pk" else getattr(obj, f"{self.field}_id")
        return person_id in actor.report_ids

    def q(self, actor: Person) -> Q:
        from learnloop.people.selectors import report_ids_subquery

        lookup = "pk__in" if self.field == "pk" else f"{self.field}__in"
        return Q(**{lookup: report_ids_subquery(manager_id=actor.pk)})


@dataclass(frozen=True)
class Via(Rule):
    """`rule` holds for the object's `field` (a session through its catalog item, say)."""

    field: str
    rule: Rule

    def allows(self, actor: Person, obj: Any) -> bool:
        return bool(obj is not None and self.rule.allows(actor, getattr(obj, self.field)))

    def q(self, actor: Person) -> Q:
        return _prefixed(self.rule.q(actor), self.field)


def _effective_admin_roles(actor: Person) -> frozenset[str]:
    """The administrative roles an actor can act with: an org admin may grant themselves any, so holds all."""
    if Role.ORG_ADMIN in actor.roles:
        return frozenset(ADMIN_ROLES)
    return frozenset(actor.roles & ADMIN_ROLES)


@dataclass(frozen=True)
class NoRoleBeyondActor(Rule):
    """The person (the object) holds no administrative role the actor lacks.

    Whoever controls a person's sign-in (email, user name, password) or active state can become that
    person, so that control must never reach someone with more rights than the actor: otherwise a people
    admin could redirect an org admin's email, reset the password and sign in as org admin. Manager is not
    counted: it follows from the reporting lines people admins keep anyway."""

    def allows(self, actor: Person, obj: Any) -> bool:
        if obj is None:
            return False
        return frozenset(obj.roles & ADMIN_ROLES) <= _effective_admin_roles(actor)

    def q(self, actor: Person) -> Q:
        from learnloop.people.models import RoleGrant

        missing = ADMIN_ROLES - _effective_admin_roles(actor)
        if not missing:
            return Q()
        return ~Q(pk__in=RoleGrant.objects.filter(role__in=missing).values("person_id"))


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` with every lookup moved under `prefix` ("pk__in" becomes "item__pk__in")."""
    moved = Q()
    moved.connector, moved.negated = q.connector, q.negated
    moved.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}__{child[0]}", child[1])  # type: ignore[index]
        for child in q.children
    ]
    return moved


ADMIN = HasRole(Role.ORG_ADMIN)
PEOPLE_ADMIN = HasRole(Role.PEOPLE_ADMIN, Role.ORG_ADMIN)
LD_ADMIN = HasRole(Role.LD_ADMIN, Role.ORG_ADMIN)
# THE account-control rule: who may change a person's sign-in identity (email, user name), password or
# active state. Every route (API, profile page, CSV import, deactivate/reactivate) asks this one rule.
ACCOUNT_CONTROL = PEOPLE_ADMIN & NoRoleBeyondActor()

# model label -> action -> rule. Every model a view or endpoint exposes has its row here.
POLICY: dict[str, dict[str, Rule]] = {
    "people.person": {
        "view": Anyone(),
        "view_private": IsSelf() | Manages() | PEOPLE_ADMIN,
        "view_reports": IsSelf() | Manages() | PEOPLE_ADMIN,
        "change_profile": IsSelf() | PEOPLE_ADMIN,
        "change": PEOPLE_ADMIN,
        "change_identity": ACCOUNT_CONTROL,
        "create": PEOPLE_ADMIN,
        "deactivate": ACCOUNT_CONTROL,
        "import": PEOPLE_ADMIN,
        "grant_role": ADMIN,
        # Skill ratings: a person rates themselves, managers rate their people, colleagues give peer ratings.
        "view_skills": IsSelf() | Manages() | PEOPLE_ADMIN,
        "rate_self": IsSelf(),
        "rate_as_manager": Manages(),
        "rate_as_peer": IsOther(),
        "add_evidence": LD_ADMIN,
        # pathways: people pick for themselves, managers assign their reports, L&D assigns anyone.
        "assign_pathway": IsSelf() | Manages() | LD_ADMIN,
        "view_pathways": IsSelf() | Manages() | PEOPLE_ADMIN | LD_ADMIN,
        # A person's enrolments (status, progress, reflections): the same people who see their plans.
        "view_enrollments": IsSelf() | Manages() | PEOPLE_ADMIN,
        # Team plans: a manager reminds someone below them who has no plan yet to start one.
        "nudge_plan": Manages(),
    },
    "people.orgunit": {"view": Anyone(), "change": PEOPLE_ADMIN, "create": PEOPLE_ADMIN},
    "people.location": {"view": Anyone(), "change": PEOPLE_ADMIN, "create": PEOPLE_ADMIN},
    "people.jobrole": {"view": Anyone(), "change": PEOPLE_ADMIN, "create": PEOPLE_ADMIN},
    "accounts.apitoken": {
        "view": Owns("person") | ADMIN,
        "create": Anyone(),
        "revoke": Owns("person") | ADMIN,
    },
    "core.auditevent": {"view": PEOPLE_ADMIN},
    # An import's page (progress, counts, the rows it refused) is for whoever started it, while they may
    # still import that kind: its problems quote the file, which may hold personal data.
    "core.importjob": {
        "view": Owns("actor") & ((FieldIs("kind", "people") & PEOPLE_ADMIN) | (FieldIs("kind", "skills") & LD_ADMIN))
    },
    "lrs.client": {"view": ADMIN, "create": ADMIN, "revoke": ADMIN, "trust": ADMIN},
    "skills.skill": {"view": Anyone(), "create": LD_ADMIN, "change": LD_ADMIN, "import": LD_ADMIN},
    "skills.skillcategory": {"view": Anyone(), "create": LD_ADMIN, "change": LD_ADMIN},
    "skills.proficiencylevel": {"view": Anyone(), "change": LD_ADMIN},
    "skills.rolerequirement": {"view": Anyone(), "change": LD_ADMIN},
    "skills.careerpath": {"view": Anyone(), "change": LD_ADMIN},
    # Published items are for everyone; drafts for their owner and the L&D team.
    "learning.catalogitem": {
        "view": Published() | Owns("owner") | LD_ADMIN,
        "create": LD_ADMIN,
        "change": Owns("owner") | LD_ADMIN,
        "schedule": Owns("owner") | LD_ADMIN,
    },
    # Enrolments are read by the person, their managers and people admins (as on plans, which show them);
    # only the person changes their own.
    # A stretch assignment's closing reflection is for the person, their managers and the sponsor who
    # asked for the work (not people admins: it is about the work, not employment).
    "learning.enrollment": {
        "view": Owns("person") | Manages("person") | PEOPLE_ADMIN,
        "change": Owns("person"),
        "view_reflection": Owns("person") | Manages("person") | Via("item", Owns("sponsor")),
    },
    "skills.skillassessment": {"view": Owns("person") | Manages("person") | PEOPLE_ADMIN},
    # Sessions are seen by whoever sees their item; the item's owner and the L&D team schedule, change and
    # cancel them; attendance is taken by the presenter, the item's owner or the L&D team, who may also
    # cancel anyone's booking.
    "learning.session": {
        "view": Via("item", Published() | Owns("owner") | LD_ADMIN),
        "change": Via("item", Owns("owner")) | LD_ADMIN,
        "cancel": Via("item", Owns("owner")) | LD_ADMIN,
        "take_attendance": Owns("presenter") | Via("item", Owns("owner")) | LD_ADMIN,
    },
    "learning.booking": {
        "view": Owns("person") | Via("session", Owns("presenter") | Via("item", Owns("owner"))) | LD_ADMIN,
        "cancel": Owns("person") | Via("session", Via("item", Owns("owner"))) | LD_ADMIN,
    },
    # Learning time: blocks and the calendar feed are the person's own; a person's budget is set by their
    # managers or people admins, a team default by the manager for their direct reports.
    "learningtime.learningblock": {"view": Owns("person"), "change": Owns("person")},
    "learningtime.calendarfeed": {"change": Owns("person")},
    "learningtime.personbudget": {
        "view": Owns("person") | Manages("person") | PEOPLE_ADMIN,
        "change": Manages("person") | PEOPLE_ADMIN,
    },
    "learningtime.teambudget": {"change": Owns("manager")},
    "django_tasks_database.dbtaskresult": {"view": ADMIN},
    # pathways: published pathways for everyone, drafts for the L&D team, who build them; managers assign.
    "pathways.pathway": {
        "view": Published() | LD_ADMIN,
        "create": LD_ADMIN,
        "change": LD_ADMIN,
        "assign": (Published() & HasRole(Role.MANAGER)) | LD_ADMIN,
        "pick": Published(),
        # The assign page: managers assign their people, L&D everyone (per pathway: "assign").
        "manage_assignments": HasRole(Role.MANAGER) | LD_ADMIN,
    },
    "pathways.assignment": {
        "view": Owns("person") | Manages("person") | PEOPLE_ADMIN | LD_ADMIN,
        "change": Manages("person") | LD_ADMIN | (Owns("person") & FieldIs("required", False)),
    },
    "pathways.certificate": {"view": Owns("person") | Manages("person") | PEOPLE_ADMIN | LD_ADMIN},
    # plans: development plans, org objectives, transfer checks
    "plans.objective": {"view": Anyone(), "create": LD_ADMIN, "change": LD_ADMIN},
    "plans.plan": {
        "view": Owns("person") | Manages("person") | PEOPLE_ADMIN,
        "create": Anyone(),
        "change": Owns("person"),
        "comment": Owns("person") | Manages("person"),
    },
    "plans.transfercheck": {"view": Owns("respondent"), "answer": Owns("respondent"), "summarize": LD_ADMIN},
}


def _rule(model: type[models.Model] | models.Model, action: str) -> Rule:
    label = model._meta.label_lower
    try:
        return POLICY[label][action]
    except KeyError:
        # An action nobody declared is denied: forgetting a rule must never open access.
        return Nobody()


def can(actor: Any, action: str, obj: models.Model | type[models.Model]) -> bool:
    """May `actor` do `action` to `obj` (an instance, or a model class for actions without an object)?"""
    if not _active(actor):
        return False
    instance = None if isinstance(obj, type) else obj
    return _rule(obj, action).allows(actor, instance)


def scope(actor: Any, action: str, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """`queryset` narrowed to the objects `actor` may `action`."""
    if not _active(actor):
        return queryset.none()
    return queryset.filter(_rule(queryset.model, action).q(actor))


def get_or_404(actor: Any, action: str, queryset: models.QuerySet[M], **lookup: Any) -> M:
    """The object, or Http404 when it is missing or the actor may not `action` it."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not can(actor, action, obj):
        raise Http404("No such object.")
    return obj


def require(actor: Any, action: str, obj: models.Model | type[models.Model]) -> None:
    """Raise Http404 unless `actor` may `action` `obj`."""
    if not can(actor, action, obj):
        raise Http404("No such object.")
