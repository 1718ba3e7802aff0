"""REST endpoints for people, org units, locations and job roles."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel

from learnloop.core import policy
from learnloop.core.api import API_SOURCE, LazyPage, LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDate, Id, Line, OneLine
from learnloop.core.roles import Role
from learnloop.people import selectors, services
from learnloop.people.models import JobRole, Location, OrgUnit, Person, display_name

router = Router(tags=["people"])


# Person payloads are built as plain dicts and checked by plain pydantic models: ninja's Schema reads
# every field through a Django-aware getter, which costs more than the query for a page of people.
class Ref(BaseModel):
    id: int
    name: str


class UnitRef(Ref):
    path: str


class PersonRef(BaseModel):
    id: int
    display_name: str


class PersonOut(BaseModel):
    id: int
    username: str
    display_name: str
    first_name: str
    last_name: str
    preferred_name: str
    email: str
    title: str
    time_zone: str
    is_active: bool
    job_role: Ref | None
    org_unit: UnitRef | None
    location: Ref | None
    manager: PersonRef | None


class Employment(BaseModel):
    employee_id: str | None
    hire_date: dt.date | None
    left_on: dt.date | None


class PersonDetailOut(PersonOut):
    employment: Employment | None = Field(
        None, description="Present only to the person, their managers and people admins."
    )
    direct_report_count: int


class MeOut(PersonDetailOut):
    roles: list[str]


# The columns a directory row needs, read with .values() so no model objects are built.
PERSON_COLUMNS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "title",
    "time_zone",
    "is_active",
    "job_role_id",
    "job_role__name",
    "org_unit_id",
    "org_unit__name",
    "org_unit__path",
    "location_id",
    "location__name",
    "manager_id",
    "manager__first_name",
    "manager__last_name",
    "manager__preferred_name",
    "manager__username",
)


def person_row_data(row: dict[str, Any]) -> dict[str, Any]:
    """The public profile from a `PERSON_COLUMNS` row."""
    manager_id = row["manager_id"]
    return {
        "id": row["id"],
        "username": row["username"],
        "display_name": display_name(row["first_name"], row["last_name"], row["preferred_name"], row["username"]),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "preferred_name": row["preferred_name"],
        "email": row["email"],
        "title": row["title"],
        "time_zone": row["time_zone"],
        "is_active": row["is_active"],
        "job_role": {"id": row["job_role_id"], "name": row["job_role__name"]} if row["job_role_id"] else None,
        "org_unit": (
            {"id": row["org_unit_id"], "name": row["org_unit__name"], "path": row["org_unit__path"]}
            if row["org_unit_id"]
            else None
        ),
        "location": {"id": row["location_id"], "name": row["location__name"]} if row["location_id"] else None,
        "manager": (
            {
                "id": manager_id,
                "display_name": display_name(
                    row["manager__first_name"],
                    row["manager__last_name"],
                    row["manager__preferred_name"],
                    row["manager__username"],
                ),
            }
            if manager_id
            else None
        ),
    }


def person_data(person: Person) -> dict[str, Any]:
    """The public profile of a loaded person (with its related objects selected)."""
    job_role, unit, location, manager = person.job_role, person.org_unit, person.location, person.manager
    return {
        "id": person.pk,
        "username": person.username,
        "display_name": person.display_name,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "preferred_name": person.preferred_name,
        "email": person.email,
        "title": person.title,
        "time_zone": person.time_zone,
        "is_active": person.is_active,
        "job_role": {"id": job_role.pk, "name": job_role.name} if job_role else None,
        "org_unit": {"id": unit.pk, "name": unit.name, "path": unit.path} if unit else None,
        "location": {"id": location.pk, "name": location.name} if location else None,
        "manager": {"id": manager.pk, "display_name": manager.display_name} if manager else None,
    }


def person_detail_data(viewer: Person, person: Person) -> dict[str, Any]:
    data = person_data(person)
    if policy.can(viewer, "view_private", person):
        data["employment"] = {
            "employee_id": person.employee_id,
            "hire_date": person.hire_date,
            "left_on": person.left_on,
        }
    data["direct_report_count"] = person.reports.filter(is_active=True).count()
    return data


class PersonFilters(FilterSchema):
    q: Line = Field("", description="Words matched against name, title, email and team")
    org_unit: Id | None = Field(None, description="Only people in this unit and the units below it")
    location: Id | None = None
    job_role: Id | None = None
    manager: Id | None = Field(None, description="Only direct reports of this person")
    include_inactive: bool = Field(False, description="Include people who have left")


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest) -> dict[str, Any]:
    person = selectors.person_get(actor=actor(request), person_id=actor(request).pk)
    data = person_detail_data(actor(request), person)
    data["roles"] = sorted(actor(request).roles)
    return data


@router.get("/people", response=list[PersonOut], summary="The people directory")
@paginate(LimitOffsetPagination)
def people_list(request: HttpRequest, filters: Query[PersonFilters]) -> list[dict[str, Any]]:
    people = selectors.person_list(
        actor=actor(request),
        search=filters.q,
        org_unit_id=filters.org_unit,
        location_id=filters.location,
        job_role_id=filters.job_role,
        manager_id=filters.manager,
        include_inactive=filters.include_inactive,
    )
    return _person_page(people)  # type: ignore[return-value]


def _person_page(queryset: Any) -> LazyPage:
    return LazyPage(queryset, rows=lambda q: q.values(*PERSON_COLUMNS), render=person_row_data)


class PersonCreateIn(Schema):
    email: Annotated[str, Field(max_length=254), OneLine]
    first_name: Annotated[str, Field(max_length=150), OneLine]
    last_name: Annotated[str, Field(max_length=150), OneLine]
    preferred_name: Annotated[str, Field(max_length=150), OneLine] = ""
    employee_id: Annotated[str, Field(max_length=64), OneLine] | None = None
    title: Annotated[str, Field(max_length=150), OneLine] = ""
    job_role: Id | None = None
    org_unit: Id | None = None
    location: Id | None = None
    manager: Id | None = None
    time_zone: Annotated[str, Field(max_length=64), OneLine] = "UTC"
    hire_date: ApiDate | None = None


class PersonUpdateIn(Schema):
    email: Annotated[str, Field(max_length=254), OneLine] | None = None
    first_name: Annotated[str, Field(max_length=150), OneLine] | None = None
    last_name: Annotated[str, Field(max_length=150), OneLine] | None = None
    preferred_name: Annotated[str, Field(max_length=150), OneLine] | None = None
    employee_id: Annotated[str, Field(max_length=64), OneLine] | None = None
    title: Annotated[str, Field(max_length=150), OneLine] | None = None
    job_role: Id | None = None
    org_unit: Id | None = None
    location: Id | None = None
    manager: Id | None = None
    time_zone: Annotated[str, Field(max_length=64), OneLine] | None = None
    hire_date: ApiDate | None = None


_REFERENCES: dict[str, Any] = {
    "job_role": JobRole,
    "org_unit": OrgUnit,
    "location": Location,
    "manager": Person,
}


def _resolve_references(values: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    resolved = dict(values)
    errors: dict[str, list[str]] = {}
    for name, model in _REFERENCES.items():
        if name in values and values[name] is not None:
            obj = model.objects.filter(pk=values[name]).first()
            if obj is None:
                errors[name] = [f"No {model._meta.verbose_name} has id {values[name]}."]
            resolved[name] = obj
    if errors:
        raise ValidationError(errors)
    return resolved


@router.post("/people", response={201: PersonDetailOut}, summary="Add a person (people admins)")
def people_create(request: HttpRequest, payload: PersonCreateIn) -> Status:
    policy.require(actor(request), "create", Person)
    fields = _resolve_references(payload.model_dump())
    person = services.person_create(actor=actor(request), source=API_SOURCE, **fields)
    detail = person_detail_data(actor(request), selectors.person_get(actor=actor(request), person_id=person.pk))
    return Status(201, detail)


@router.get("/people/{person_id}", response=PersonDetailOut, summary="One person's profile")
def people_detail(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    person = selectors.person_get(actor=actor(request), person_id=person_id)
    return person_detail_data(actor(request), person)


@router.patch("/people/{person_id}", response=PersonDetailOut, summary="Change a profile")
def people_update(request: HttpRequest, person_id: Id, payload: PersonUpdateIn) -> dict[str, Any]:
    viewer = actor(request)
    person = selectors.person_get(actor=viewer, person_id=person_id, action="change_profile")
    changes = _resolve_references(payload.model_dump(exclude_unset=True))
    allowed = services.ADMIN_EDITABLE_FIELDS if policy.can(viewer, "change", person) else services.SELF_EDITABLE_FIELDS
    services.person_update(actor=viewer, person=person, source=API_SOURCE, allowed=allowed, **changes)
    return person_detail_data(viewer, selectors.person_get(actor=viewer, person_id=person_id))


class DeactivateIn(Schema):
    left_on: ApiDate | None = None


@router.post("/people/{person_id}/deactivate", response=PersonDetailOut, summary="Mark a leaver (people admins)")
def people_deactivate(request: HttpRequest, person_id: Id, payload: DeactivateIn) -> dict[str, Any]:
    viewer = actor(request)
    person = selectors.person_get(actor=viewer, person_id=person_id, action="deactivate")
    services.person_deactivate(actor=viewer, person=person, left_on=payload.left_on, source=API_SOURCE)
    return person_detail_data(viewer, selectors.person_get(actor=viewer, person_id=person_id))


@router.post("/people/{person_id}/reactivate", response=PersonDetailOut, summary="Bring a leaver back (people admins)")
def people_reactivate(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    viewer = actor(request)
    person = selectors.person_get(actor=viewer, person_id=person_id, action="deactivate")
    services.person_reactivate(actor=viewer, person=person, source=API_SOURCE)
    return person_detail_data(viewer, selectors.person_get(actor=viewer, person_id=person_id))


@router.get("/people/{person_id}/reports", response=list[PersonOut], summary="A person's team")
@paginate(LimitOffsetPagination)
def people_reports(request: HttpRequest, person_id: Id, transitive: bool = False) -> Any:
    person = selectors.person_get(actor=actor(request), person_id=person_id)
    return _person_page(selectors.person_reports(actor=actor(request), person=person, transitive=transitive))


@router.get("/people/{person_id}/manager-chain", response=list[PersonOut], summary="Managers up to the top")
def people_manager_chain(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    person = selectors.person_get(actor=actor(request), person_id=person_id)
    return [person_data(p) for p in selectors.manager_chain(person=person)]


class RoleIn(Schema):
    role: Role


@router.post("/people/{person_id}/roles", response=MeOut, summary="Grant a role (org admins)")
def people_role_grant(request: HttpRequest, person_id: Id, payload: RoleIn) -> dict[str, Any]:
    viewer = actor(request)
    person = selectors.person_get(actor=viewer, person_id=person_id, action="grant_role")
    services.role_grant(actor=viewer, person=person, role=payload.role, source=API_SOURCE)
    return {**person_detail_data(viewer, person), "roles": sorted(person.roles)}


@router.delete("/people/{person_id}/roles/{role}", response=MeOut, summary="Take a role away (org admins)")
def people_role_revoke(request: HttpRequest, person_id: Id, role: Role) -> dict[str, Any]:
    viewer = actor(request)
    person = selectors.person_get(actor=viewer, person_id=person_id, action="grant_role")
    services.role_revoke(actor=viewer, person=person, role=role, source=API_SOURCE)
    return {**person_detail_data(viewer, person), "roles": sorted(person.roles)}


class OrgUnitOut(Schema):
    id: int
    name: str
    kind: str
    path: str
    parent_id: int | None
    lead: PersonRef | None
    head_count: int


class OrgUnitIn(Schema):
    path: Annotated[str, Field(max_length=500), OneLine] = Field(
        ..., description='Full path, e.g. "Engineering / Platform / Atlas"; missing parents are created'
    )


def _unit_data(unit: OrgUnit, head_count: int) -> dict[str, Any]:
    lead = unit.lead
    return {
        "id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "path": unit.path,
        "parent_id": unit.parent_id,
        "lead": {"id": lead.pk, "display_name": lead.display_name} if lead else None,
        "head_count": head_count,
    }


@router.get("/org-units", response=list[OrgUnitOut], summary="Every org unit, in tree order")
def org_units_list(request: HttpRequest) -> list[dict[str, Any]]:
    from django.db.models import Count, Q

    units = policy.scope(actor(request), "view", OrgUnit.objects.select_related("lead")).annotate(
        active_count=Count("members", filter=Q(members__is_active=True))
    )
    return [_unit_data(u, u.active_count) for u in units]


@router.get("/org-units/{unit_id}", response=OrgUnitOut, summary="One org unit")
def org_units_detail(request: HttpRequest, unit_id: Id) -> dict[str, Any]:
    unit = policy.get_or_404(actor(request), "view", OrgUnit.objects.select_related("lead"), pk=unit_id)
    return _unit_data(unit, unit.members.filter(is_active=True).count())


@router.post("/org-units", response={201: OrgUnitOut}, summary="Create an org unit (people admins)")
def org_units_create(request: HttpRequest, payload: OrgUnitIn) -> Status:
    policy.require(actor(request), "create", OrgUnit)
    unit = services.org_unit_ensure_path(actor=actor(request), path=payload.path, source=API_SOURCE)
    return Status(201, _unit_data(unit, 0))


class LocationOut(Schema):
    id: int
    name: str
    country: str
    time_zone: str


class LocationIn(Schema):
    name: Line
    time_zone: Annotated[str, Field(max_length=64), OneLine] = "UTC"
    country: Annotated[str, Field(max_length=2), OneLine] = ""


@router.get("/locations", response=list[LocationOut], summary="Every location")
def locations_list(request: HttpRequest) -> Any:
    return list(policy.scope(actor(request), "view", Location.objects.all()))


@router.post("/locations", response={201: LocationOut}, summary="Add a location (people admins)")
def locations_create(request: HttpRequest, payload: LocationIn) -> Status:
    policy.require(actor(request), "create", Location)
    location = services.location_create(actor=actor(request), source=API_SOURCE, **payload.model_dump())
    return Status(201, location)


class JobRoleOut(Schema):
    id: int
    name: str
    family: str


@router.get("/job-roles", response=list[JobRoleOut], summary="Every job role")
def job_roles_list(request: HttpRequest) -> Any:
    return list(policy.scope(actor(request), "view", JobRole.objects.all()))
