"""Shared test pieces: factories, the personas every permission test uses, and the permission matrix.

Personas (one organization, built by `make_personas`):

    mona (skip-level manager)
     └─ bob (manager)
         └─ alice (employee)
    oscar (an employee elsewhere: "someone else")
    lena (L&D admin), pat (people admin), otto (org admin)

The permission matrix checks every URL x method x role x relation, where the relation says whose
object the URL points at: the persona's own, a report's (alice, for bob and mona), or someone
else's (oscar's). A test in core fails when a URL has no row.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import factory
import pytest
from django.test import Client

from learnloop.core.roles import Role
from learnloop.people.models import JobRole, Location, OrgUnit, Person, RoleGrant


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Office {n}")
    time_zone = "Europe/Berlin"
    country = "DE"


class OrgUnitFactory(factory.django.DjangoModelFactory[OrgUnit]):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = OrgUnit.Kind.TEAM
    path = factory.LazyAttribute(lambda o: f"{o.parent.path} / {o.name}" if o.parent else o.name)
    parent = None


class JobRoleFactory(factory.django.DjangoModelFactory[JobRole]):
    class Meta:
        model = JobRole
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Job role {n}")


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    username = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.com".lower())
    email = factory.LazyAttribute(lambda o: o.username)
    employee_id = factory.Sequence(lambda n: f"T{n:05d}")
    title = "Engineer"
    time_zone = "Europe/Berlin"
    password = factory.django.Password("correct horse battery")


@dataclass
class Personas:
    alice: Person
    bob: Person
    mona: Person
    oscar: Person
    lena: Person
    pat: Person
    otto: Person
    team: OrgUnit
    other_team: OrgUnit

    def by_role(self, role: str) -> Person:
        return getattr(self, ROLE_PERSONA[role])

    def subject_person(self, role: str, relation: str) -> Person | None:
        """Whose object a (role, relation) test points at, or None where the combination cannot exist."""
        me = self.by_role(role)
        if relation == "own":
            return me
        if relation == "report":
            return self.alice if role in ("manager", "skip_manager") else None
        return self.oscar if me.pk != self.oscar.pk else self.alice


ROLE_PERSONA = {
    "employee": "alice",
    "manager": "bob",
    "skip_manager": "mona",
    "ld_admin": "lena",
    "people_admin": "pat",
    "org_admin": "otto",
}
ROLES = tuple(ROLE_PERSONA)
ADMIN_ROLES = ("ld_admin", "people_admin", "org_admin")
RELATIONS = ("own", "report", "other")


def make_personas() -> Personas:
    berlin = LocationFactory.create(name="Berlin", time_zone="Europe/Berlin")
    company = OrgUnitFactory.create(name="Acme", kind=OrgUnit.Kind.COMPANY, path="Acme")
    team = OrgUnitFactory.create(name="Atlas", parent=company)
    other_team = OrgUnitFactory.create(name="Beacon", parent=company)
    common = {"location": berlin}
    mona = PersonFactory.create(first_name="Mona", last_name="Meyer", title="Director", org_unit=company, **common)
    bob = PersonFactory.create(
        first_name="Bob",
        last_name="Brown",
        title="Engineering Manager",
        manager=mona,
        org_unit=team,
        **common,
    )
    alice = PersonFactory.create(
        first_name="Alice", last_name="Adams", title="Engineer", manager=bob, org_unit=team, **common
    )
    oscar = PersonFactory.create(first_name="Oscar", last_name="Olsen", title="Engineer", org_unit=other_team, **common)
    lena = PersonFactory.create(first_name="Lena", last_name="Lind", title="L&D Lead", org_unit=other_team, **common)
    pat = PersonFactory.create(
        first_name="Pat", last_name="Park", title="People Partner", org_unit=other_team, **common
    )
    otto = PersonFactory.create(first_name="Otto", last_name="Ortiz", title="IT Admin", org_unit=other_team, **common)
    for person, role in ((lena, Role.LD_ADMIN), (pat, Role.PEOPLE_ADMIN), (otto, Role.ORG_ADMIN)):
        RoleGrant.objects.create(person=person, role=role)
    return Personas(
        alice=alice,
        bob=bob,
        mona=mona,
        oscar=oscar,
        lena=lena,
        pat=pat,
        otto=otto,
        team=team,
        other_team=other_team,
    )


# Threads racing to write, for tests of locks and constraints under concurrency: PostgreSQL only.
racing_writers = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="the in-memory SQLite test database cannot hold parallel writers (SQLite serializes writers with "
    "IMMEDIATE transactions anyway); CI runs this on PostgreSQL",
)


# --- Permission matrix -------------------------------------------------------------------------

Allowed = Callable[[str, str], bool]


def anyone(role: str, relation: str) -> bool:
    return True


def only_roles(*roles: str) -> Allowed:
    return lambda role, relation: role in roles


def own_or(*roles: str, reports: bool = False) -> Allowed:
    """Allowed on one's own object, for `roles` on anyone's, and (with reports) for managers on reports'."""

    def allowed(role: str, relation: str) -> bool:
        return relation == "own" or role in roles or (reports and relation == "report")

    return allowed


@dataclass(frozen=True)
class Row:
    """One URL and method, and who may use it on whose object.

    `key` names the route: a URL name for pages ("people:profile") or "METHOD /api/v1/path" for the
    API. `url` builds the address from the subject object (None for URLs without an object).
    `subject` turns the relation's person into the object the URL points at (a token of theirs, say).
    """

    key: str
    method: str
    url: Callable[[Any], str]
    allowed: Allowed
    per_object: bool = True
    ok: int = 200
    denied: int = 404
    anonymous: int = 302
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None
    json: bool = False
    subject: Callable[[Person], Any] = field(default=lambda person: person)
    # (role, relation, status) where the answer is neither `ok` nor `denied`, e.g. a refused self-action.
    overrides: tuple[tuple[str, str, int], ...] = ()


def matrix_cases(rows: Iterable[Row]) -> list[tuple[Row, str, str]]:
    """Every (row, role, relation) to check; rows without an object use relation "none"."""
    cases: list[tuple[Row, str, str]] = []
    for row in rows:
        relations = RELATIONS if row.per_object else ("none",)
        for role, relation in itertools.product((*ROLES, "anonymous"), relations):
            if relation == "report" and role not in ("manager", "skip_manager"):
                continue
            cases.append((row, role, relation))
    return cases


def case_id(case: tuple[Row, str, str]) -> str:
    row, role, relation = case
    return f"{row.method} {row.key} {role} {relation}"


def run_case(personas: Personas, row: Row, role: str, relation: str) -> tuple[int, int]:
    """Make the request; return (expected status, actual status)."""
    subject_person = personas.subject_person(
        "employee" if role == "anonymous" else role,
        "other" if role == "anonymous" and relation == "none" else relation,
    )
    subject = row.subject(subject_person) if row.per_object and subject_person is not None else None
    url = row.url(subject)
    client = Client()
    headers: dict[str, str] = {}
    if role != "anonymous":
        actor = personas.by_role(role)
        if row.key.startswith(("GET /", "POST /", "PATCH /", "PUT /", "DELETE /")):
            from learnloop.accounts.services import token_create

            headers["Authorization"] = f"Bearer {token_create(actor=actor, person=actor, name='matrix').secret}"
        else:
            client.force_login(actor)
    data = row.data(subject) if callable(row.data) else row.data
    kwargs: dict[str, Any] = {"headers": headers}
    if row.json:
        kwargs.update(data=data or {}, content_type="application/json")
    elif data is not None:
        kwargs["data"] = data
    response = getattr(client, row.method.lower())(url, **kwargs)
    special = {(r, rel): status for r, rel, status in row.overrides}
    if role == "anonymous":
        expected = row.anonymous
    elif (role, relation) in special:
        expected = special[(role, relation)]
    else:
        expected = row.ok if row.allowed(role, relation) else row.denied
    return expected, response.status_code


# Methods that need no row: HEAD runs the GET handler (the GET row covers it), and OPTIONS is answered
# by Django's View or the xAPI CORS preflight without reading or writing anything.
METHODS_WITHOUT_ROWS = frozenset({"HEAD", "OPTIONS"})


def view_methods(view: Any) -> frozenset[str]:
    """The HTTP methods a page view accepts, each of which needs a row in the permission matrix.

    Class-based views: the handlers they define (Django's form views alias PUT to POST, so PUT is left
    to the POST row). Function views: `require_http_methods` and its shortcuts (`require_POST`,
    `require_safe`), or the `http_methods` an xAPI resource declares. A function view that declares
    nothing lets every method through; it is taken to handle the two a browser sends, GET and POST,
    so declare `@require_safe` on a page that only shows something."""
    from django.views.generic.edit import ProcessFormView

    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        names = {m for m in view_class.http_method_names if hasattr(view_class, m)}
        if getattr(view_class, "put", None) is ProcessFormView.put:
            names.discard("put")
        return frozenset(m.upper() for m in names) - METHODS_WITHOUT_ROWS
    layer: Any = view
    while layer is not None:
        declared = getattr(layer, "http_methods", None)
        if declared:
            return frozenset(declared) - METHODS_WITHOUT_ROWS
        code = getattr(layer, "__code__", None)
        closure = getattr(layer, "__closure__", None) or ()
        for name, cell in zip(code.co_freevars if code else (), closure, strict=True):
            if name == "request_method_list":  # the list require_http_methods closes over
                return frozenset(cell.cell_contents) - METHODS_WITHOUT_ROWS
        layer = getattr(layer, "__wrapped__", None) or getattr(layer, "func", None)  # a functools.partial
    return frozenset({"GET", "POST"})


def matrix_test(rows: Iterable[Row]) -> Callable[..., None]:
    """The permission-matrix test for an app's rows: `test_permission_matrix = matrix_test(ROWS)`."""

    @pytest.mark.parametrize("case", matrix_cases(rows), ids=case_id)
    def test_permission_matrix(personas: Personas, case: tuple[Row, str, str]) -> None:
        expected, actual = run_case(personas, *case)
        assert actual == expected, f"{case_id(case)}: expected {expected}, got {actual}"

    return test_permission_matrix
