"""No chain of writes to other people ends with more privilege than the actor started with.

A search over sequences of every write a role can make to another person, through the routes a person
really has: the people API (change a profile, email, manager; add, deactivate, reactivate; grant and take
roles), the profile edit page, the people CSV import, API tokens (make, revoke) and the password reset.
The attacker controls their own account and every active account whose email reaches their mailbox
(a password reset there signs them in), and acts as any account they control. After every step, the
administrative roles of all the accounts they control must still be within what they started with
(an org admin starts with everything: they may grant any role).

Manager is not counted as privilege: people admins keep the reporting lines, so they decide who manages
whom; a manager change is audited and told to the person and the old manager instead (test_account_control).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import token_create
from learnloop.core import policy
from learnloop.core.csv_import import ImportRejected
from learnloop.core.roles import ADMIN_ROLES, GRANTABLE_ROLES, Role
from learnloop.core.testing import make_personas
from learnloop.people.importer import people_import
from learnloop.people.models import Person

MAILBOX = "@attacker.example"
ATTACKERS = ("employee", "manager", "ld_admin", "people_admin")
index = st.integers(min_value=0, max_value=50)


def _start_roles(person: Person) -> frozenset[str]:
    roles = frozenset(person.roles & ADMIN_ROLES)
    return frozenset(ADMIN_ROLES) if Role.ORG_ADMIN in roles else roles


class Escalation(RuleBasedStateMachine):
    attacker_role = "people_admin"

    def __init__(self) -> None:
        super().__init__()
        cache.clear()
        # Each run of the machine happens inside a savepoint that teardown rolls back: a fresh organization.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.personas = make_personas()
        self.attacker = self.personas.by_role(self.attacker_role)
        self.allowed = _start_roles(self.attacker)
        self.addresses = itertools.count(1)
        self.clients: dict[int, Client] = {}
        self.steps: list[str] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        cache.clear()

    # --- who the attacker is -----------------------------------------------------------------------

    def controlled(self) -> list[Person]:
        people = Person.objects.filter(is_active=True)
        return [p for p in people if p.pk == self.attacker.pk or p.email.lower().endswith(MAILBOX)]

    def _pick(self, people: list[Person], i: int) -> Person:
        return people[i % len(people)]

    def _as(self, i: int) -> Person | None:
        mine = self.controlled()
        return self._pick(mine, i) if mine else None

    def _target(self, i: int) -> Person:
        return self._pick(list(Person.objects.order_by("pk")), i)

    def _api(self, person: Person) -> Client:
        # A fresh token per step: one made earlier may have been revoked since.
        secret = token_create(actor=person, person=person, name="attack").secret
        return Client(headers={"Authorization": f"Bearer {secret}"})

    def _address(self) -> str:
        return f"takeover{next(self.addresses)}{MAILBOX}"

    def _log(self, text: str, status: Any) -> None:
        self.steps.append(f"{text} -> {status}")

    # --- every write to another person ---------------------------------------------------------------

    @rule(me=index, who=index)
    def api_email(self, me: int, who: int) -> None:
        actor, target = self._as(me), self._target(who)
        if actor is None:
            return
        response = self._api(actor).patch(
            f"/api/v1/people/{target.pk}", {"email": self._address()}, content_type="application/json"
        )
        self._log(f"API email {actor} -> {target}", response.status_code)

    @rule(me=index, who=index)
    def page_email(self, me: int, who: int) -> None:
        actor, target = self._as(me), self._target(who)
        if actor is None:
            return
        client = Client()
        client.force_login(actor)
        form = {
            "first_name": target.first_name,
            "last_name": target.last_name,
            "email": self._address(),
            "preferred_name": target.preferred_name,
            "time_zone": target.time_zone,
            "title": target.title,
            "manager": target.manager_id or "",
            "employee_id": target.employee_id or "",
        }
        response = client.post(f"/people/{target.pk}/edit/", form)
        self._log(f"page email {actor} -> {target}", response.status_code)

    @rule(me=index, who=index, leave=st.booleans())
    def import_row(self, me: int, who: int, leave: bool) -> None:
        actor, target = self._as(me), self._target(who)
        if actor is None or not policy.can(actor, "import", Person) or not target.employee_id:
            return
        status = "left" if leave else "active"
        text = (
            "employee_id,email,first_name,last_name,status\n"
            f"{target.employee_id},{self._address()},{target.first_name},{target.last_name},{status}\n"
        )
        try:
            people_import(actor=actor, text=text)
            outcome = "imported"
        except ImportRejected:
            outcome = "rejected"
        self._log(f"import {actor} -> {target} ({status})", outcome)

    @rule(me=index)
    def api_create(self, me: int) -> None:
        actor = self._as(me)
        if actor is None:
            return
        body = {"email": self._address(), "first_name": "Sock", "last_name": "Puppet"}
        response = self._api(actor).post("/api/v1/people", body, content_type="application/json")
        self._log(f"API create by {actor}", response.status_code)

    @rule(me=index, who=index, boss=index)
    def api_manager(self, me: int, who: int, boss: int) -> None:
        actor, target = self._as(me), self._target(who)
        if actor is None:
            return
        manager = self._target(boss)
        response = self._api(actor).patch(
            f"/api/v1/people/{target.pk}", {"manager": manager.pk}, content_type="application/json"
        )
        self._log(f"API manager of {target} := {manager} by {actor}", response.status_code)

    @rule(me=index, who=index, back=st.booleans())
    def api_active(self, me: int, who: int, back: bool) -> None:
        actor, target = self._as(me), self._target(who)
        if actor is None:
            return
        action = "reactivate" if back else "deactivate"
        response = self._api(actor).post(f"/api/v1/people/{target.pk}/{action}", {}, content_type="application/json")
        self._log(f"API {action} {target} by {actor}", response.status_code)

    @rule(me=index, who=index, role=st.sampled_from([str(r) for r in GRANTABLE_ROLES]), grant=st.booleans())
    def api_role(self, me: int, who: int, role: str, grant: bool) -> None:
        actor, target = self._as(me), self._target(who)
        if actor is None:
            return
        client = self._api(actor)
        url = f"/api/v1/people/{target.pk}/roles"
        if grant:
            response = client.post(url, {"role": role}, content_type="application/json")
        else:
            response = client.delete(f"{url}/{role}")
        self._log(f"API {'grant' if grant else 'revoke'} {role} {target} by {actor}", response.status_code)

    @rule(me=index, which=index)
    def api_token_revoke(self, me: int, which: int) -> None:
        actor = self._as(me)
        tokens = list(ApiToken.objects.order_by("pk"))
        if actor is None or not tokens:
            return
        token = tokens[which % len(tokens)]
        response = self._api(actor).delete(f"/api/v1/tokens/{token.pk}")
        self._log(f"API revoke token of {token.person} by {actor}", response.status_code)

    # --- what must hold after every step -------------------------------------------------------------

    @invariant()
    def no_more_privilege_than_at_the_start(self) -> None:
        gained: set[str] = set()
        for person in self.controlled():
            gained |= set(person.roles & ADMIN_ROLES)
        assert gained <= self.allowed, (self.attacker_role, sorted(gained - self.allowed), self.steps)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ATTACKERS)
def test_no_chain_of_writes_to_others_gains_privilege(role: str) -> None:
    machine = type(f"Escalation_{role}", (Escalation,), {"attacker_role": role})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
