"""The policy answers the same for one object as it does when it scopes a list, for any organization."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import token_create
from learnloop.core import policy
from learnloop.core.roles import GRANTABLE_ROLES
from learnloop.core.testing import PersonFactory
from learnloop.people.models import Person, RoleGrant

PERSON_ACTIONS = sorted(policy.POLICY["people.person"])
TOKEN_ACTIONS = sorted(policy.POLICY["accounts.apitoken"])


@st.composite
def organizations(draw: st.DrawFn) -> tuple[list[int | None], list[set[str]]]:
    """A forest of up to 8 people: each one's manager is someone earlier in the list (or nobody)."""
    size = draw(st.integers(min_value=1, max_value=8))
    managers: list[int | None] = [None]
    for index in range(1, size):
        managers.append(draw(st.one_of(st.none(), st.integers(min_value=0, max_value=index - 1))))
    roles = [draw(st.sets(st.sampled_from([str(r) for r in GRANTABLE_ROLES]), max_size=2)) for _ in range(size)]
    return managers, roles


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(org=organizations())
def test_can_and_scope_agree_for_every_person_action(org: tuple[list[int | None], list[set[str]]]) -> None:
    Person.objects.all().delete()
    managers, roles = org
    people: list[Person] = []
    for manager_index, granted in zip(managers, roles, strict=True):
        manager = people[manager_index] if manager_index is not None else None
        person = PersonFactory.create(manager=manager)
        RoleGrant.objects.bulk_create(RoleGrant(person=person, role=role) for role in granted)
        people.append(person)
        token_create(actor=person, person=person, name="t")
    for actor in Person.objects.all():
        for action in PERSON_ACTIONS:
            scoped = set(policy.scope(actor, action, Person.objects.all()).values_list("pk", flat=True))
            one_by_one = {p.pk for p in Person.objects.all() if policy.can(actor, action, p)}
            assert scoped == one_by_one, (action, actor.pk)
        for action in TOKEN_ACTIONS:
            scoped = set(policy.scope(actor, action, ApiToken.objects.all()).values_list("pk", flat=True))
            one_by_one = {t.pk for t in ApiToken.objects.all() if policy.can(actor, action, t)}
            assert scoped == one_by_one, (action, actor.pk)


@pytest.mark.django_db
def test_a_manager_reaches_everyone_below_but_not_above_or_beside() -> None:
    top = PersonFactory.create()
    middle = PersonFactory.create(manager=top)
    bottom = PersonFactory.create(manager=middle)
    beside = PersonFactory.create(manager=top)
    assert policy.can(middle, "view_private", bottom)
    assert not policy.can(middle, "view_private", top)
    assert not policy.can(middle, "view_private", beside)
    assert policy.can(top, "view_private", bottom)


@pytest.mark.django_db
def test_undeclared_actions_and_anonymous_or_inactive_actors_are_denied() -> None:
    person = PersonFactory.create()
    assert not policy.can(person, "launch_rockets", person)
    assert not policy.can(None, "view", person)
    person.is_active = False
    assert not policy.can(person, "view", person)
    assert policy.scope(person, "view", Person.objects.all()).count() == 0
