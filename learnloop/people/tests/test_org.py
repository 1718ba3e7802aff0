"""Reporting lines, unit trees and the services that change them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import OrgUnitFactory, Personas, PersonFactory
from learnloop.people import selectors, services
from learnloop.people.models import Person


def _chain(depth: int) -> list[Person]:
    people = [PersonFactory.create()]
    for _ in range(depth):
        people.append(PersonFactory.create(manager=people[-1]))
    return people


def test_report_ids_include_everyone_below_at_any_depth(personas: Personas) -> None:
    assert set(selectors.report_ids(manager_id=personas.mona.pk)) == {personas.bob.pk, personas.alice.pk}
    assert set(selectors.report_ids(manager_id=personas.bob.pk)) == {personas.alice.pk}
    assert selectors.report_ids(manager_id=personas.alice.pk) == []


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [3, 30])
def test_everyone_under_me_costs_one_query_however_deep(depth: int) -> None:
    top = _chain(depth)[0]
    with CaptureQueriesContext(connection) as queries:
        ids = selectors.report_ids(manager_id=top.pk)
    assert len(ids) == depth
    assert len(queries) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [3, 30])
def test_manager_chain_costs_two_queries_and_is_nearest_first(depth: int) -> None:
    people = _chain(depth)
    with CaptureQueriesContext(connection) as queries:
        chain = selectors.manager_chain(person=people[-1])
    assert [p.pk for p in chain] == [p.pk for p in reversed(people[:-1])]
    assert len(queries) == 2


def test_a_manager_cannot_be_someone_below_them(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.person_update(actor=personas.pat, person=personas.mona, manager=personas.alice)
    assert "cycle" in caught.value.message_dict["manager"][0]
    with pytest.raises(ValidationError):
        services.person_update(actor=personas.pat, person=personas.bob, manager=personas.bob)
    personas.mona.refresh_from_db()
    assert personas.mona.manager is None


def test_updates_are_audited_with_old_and_new_values(personas: Personas) -> None:
    services.person_update(actor=personas.pat, person=personas.alice, title="Senior Engineer", manager=personas.mona)
    event = AuditEvent.objects.get(action="person.update")
    assert event.actor == personas.pat
    assert event.changes == {"title": ["Engineer", "Senior Engineer"], "manager": [personas.bob.pk, personas.mona.pk]}


def test_an_update_that_changes_nothing_writes_nothing(personas: Personas) -> None:
    services.person_update(actor=personas.pat, person=personas.alice, title="Engineer")
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_self_service_edits_are_limited_to_own_fields(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.person_update(
            actor=personas.alice, person=personas.alice, allowed=services.SELF_EDITABLE_FIELDS, title="CEO"
        )
    assert "title" in caught.value.message_dict


def test_a_bad_time_zone_is_refused_by_name(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.person_update(actor=personas.alice, person=personas.alice, time_zone="Mars/Olympus")
    assert "time_zone" in caught.value.message_dict


def test_deactivating_a_leaver_keeps_them_moves_reports_and_revokes_tokens(personas: Personas) -> None:
    token_create(actor=personas.bob, person=personas.bob, name="script")
    services.person_deactivate(actor=personas.pat, person=personas.bob)
    personas.bob.refresh_from_db()
    personas.alice.refresh_from_db()
    assert not personas.bob.is_active and personas.bob.left_on is not None
    assert personas.alice.manager == personas.mona
    assert ApiToken.objects.filter(person=personas.bob, revoked_at__isnull=True).count() == 0
    event = AuditEvent.objects.get(action="person.deactivate")
    assert event.changes["reports_moved"] == [personas.alice.pk]
    assert Person.objects.filter(pk=personas.bob.pk).exists()
    with pytest.raises(ValidationError):
        services.person_deactivate(actor=personas.pat, person=personas.bob)
    services.person_reactivate(actor=personas.pat, person=personas.bob)
    personas.bob.refresh_from_db()
    assert personas.bob.is_active and personas.bob.left_on is None


def test_roles_are_granted_and_revoked_with_an_audit_trail(personas: Personas) -> None:
    services.role_grant(actor=personas.otto, person=personas.alice, role="ld_admin")
    assert "ld_admin" in Person.objects.get(pk=personas.alice.pk).roles
    services.role_revoke(actor=personas.otto, person=personas.alice, role="ld_admin")
    assert "ld_admin" not in Person.objects.get(pk=personas.alice.pk).roles
    assert list(AuditEvent.objects.filter(object_id=str(personas.alice.pk)).values_list("action", flat=True)) == [
        "role.revoke",
        "role.grant",
    ]
    with pytest.raises(ValidationError):
        services.role_grant(actor=personas.otto, person=personas.alice, role="manager")


def test_manager_role_follows_from_having_reports(personas: Personas) -> None:
    assert "manager" in personas.bob.roles and "manager" in personas.mona.roles
    assert "manager" not in personas.alice.roles


def test_org_tree_counts_people_in_each_unit_and_below(personas: Personas) -> None:
    OrgUnitFactory.create(name="Empty", parent=personas.team)
    with CaptureQueriesContext(connection) as queries:
        roots = selectors.org_tree()
    assert len(queries) == 1
    (acme,) = roots
    assert acme["total_count"] == 7
    atlas = next(c for c in acme["children"] if c["unit"].name == "Atlas")
    assert (atlas["unit"].head_count, atlas["total_count"]) == (2, 2)


def test_unit_paths_create_missing_parents(db: None) -> None:
    unit = services.org_unit_ensure_path(actor=None, path="Acme / Sales / EMEA")
    assert unit.path == "Acme / Sales / EMEA" and unit.parent.path == "Acme / Sales"
    again = services.org_unit_ensure_path(actor=None, path="Acme/Sales/EMEA")
    assert again.pk == unit.pk


def test_directory_search_matches_every_word(personas: Personas) -> None:
    found = selectors.person_list(actor=personas.alice, search="bob engineering")
    assert list(found) == [personas.bob]
    in_company = selectors.person_list(actor=personas.alice, org_unit_id=personas.team.parent_id)
    assert in_company.count() == 7


def test_the_role_command_grants_revokes_and_lists(personas: Personas) -> None:
    import io

    from django.core.management import CommandError, call_command

    call_command("role", "grant", personas.alice.username, "org_admin", stdout=io.StringIO())
    listing = io.StringIO()
    call_command("role", "list", stdout=listing)
    assert f"org_admin\t{personas.alice.username}" in listing.getvalue()
    call_command("role", "revoke", personas.alice.username, "org_admin", stdout=io.StringIO())
    assert "org_admin" not in Person.objects.get(pk=personas.alice.pk).roles
    assert AuditEvent.objects.filter(action="role.grant", source="cli").exists()
    with pytest.raises(CommandError, match="no user"):
        call_command("role", "grant", "nobody", "org_admin")


def test_changing_an_email_moves_a_matching_user_name_along(personas: Personas) -> None:
    services.person_update(actor=personas.pat, person=personas.alice, email="alice@new.example")
    personas.alice.refresh_from_db()
    assert personas.alice.username == "alice@new.example"
    personas.bob.username = "bob"
    personas.bob.save(update_fields=["username"])
    services.person_update(actor=personas.pat, person=personas.bob, email="bob@new.example")
    personas.bob.refresh_from_db()
    assert personas.bob.username == "bob"
