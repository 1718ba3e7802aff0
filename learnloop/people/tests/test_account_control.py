"""Account takeover: nobody changes the sign-in identity (email, user name), password or active state of a
person who holds a role they do not hold, through any route (API, profile page, CSV import)."""

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from learnloop.accounts.models import ApiToken
from learnloop.accounts.services import token_create
from learnloop.core.csv_import import ImportRejected
from learnloop.core.models import AuditEvent
from learnloop.core.roles import Role
from learnloop.core.testing import Personas
from learnloop.notifications.models import Notification
from learnloop.people.importer import people_import
from learnloop.people.models import Person, RoleGrant


def api(person: Person) -> Client:
    secret = token_create(actor=person, person=person, name="test").secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def web(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _form(person: Person, **changes: Any) -> dict[str, Any]:
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "preferred_name": person.preferred_name,
        "time_zone": person.time_zone,
        "title": person.title,
        "manager": person.manager_id or "",
        "employee_id": person.employee_id or "",
    }
    return {**data, **changes}


def test_it_refuses_a_people_admins_api_email_change_of_an_org_admin(personas: Personas) -> None:
    response = api(personas.pat).patch(
        f"/api/v1/people/{personas.otto.pk}", {"email": "attacker@evil.example"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]
    personas.otto.refresh_from_db()
    assert personas.otto.email != "attacker@evil.example"
    assert personas.otto.username != "attacker@evil.example"


def test_it_refuses_the_same_change_on_the_profile_page(personas: Personas) -> None:
    client = web(personas.pat)
    page = client.get(f"/people/{personas.otto.pk}/edit/").content.decode()
    assert "holds a role you do not hold" in page
    response = client.post(f"/people/{personas.otto.pk}/edit/", _form(personas.otto, email="attacker@evil.example"))
    # The email field is fixed for this viewer: the posted value is ignored, everything else saves.
    assert response.status_code == 302
    personas.otto.refresh_from_db()
    assert personas.otto.email != "attacker@evil.example"


def test_it_refuses_the_same_change_in_the_people_import(personas: Personas) -> None:
    text = (
        "employee_id,email,first_name,last_name\n"
        f"{personas.alice.employee_id},{personas.alice.email},Alice,Adams\n"
        f"{personas.otto.employee_id},attacker@evil.example,Otto,Ortiz\n"
    )
    with pytest.raises(ImportRejected) as refused:
        people_import(actor=personas.pat, text=text)
    (problem,) = refused.value.errors
    assert (problem.line, problem.column) == (3, "email")
    assert "Otto Ortiz holds a role you do not hold" in problem.message
    personas.otto.refresh_from_db()
    assert personas.otto.email != "attacker@evil.example"


def test_it_refuses_to_deactivate_an_org_admin_by_any_route(personas: Personas) -> None:
    otto = personas.otto
    assert api(personas.pat).post(f"/api/v1/people/{otto.pk}/deactivate", {}, "application/json").status_code == 404
    assert web(personas.pat).post(f"/people/{otto.pk}/deactivate/", {"left_on": ""}).status_code == 404
    text = f"employee_id,email,first_name,last_name,status\n{otto.employee_id},{otto.email},Otto,Ortiz,left\n"
    with pytest.raises(ImportRejected) as refused:
        people_import(actor=personas.pat, text=text)
    assert [(e.line, e.column) for e in refused.value.errors] == [(2, "status")]
    missing = f"employee_id,email,first_name,last_name\n{personas.pat.employee_id},{personas.pat.email},Pat,Park\n"
    with pytest.raises(ImportRejected) as refused:
        people_import(actor=personas.pat, text=missing, deactivate_missing=True)
    assert any(e.column == "deactivate_missing" and "Otto Ortiz" in e.message for e in refused.value.errors)
    otto.refresh_from_db()
    assert otto.is_active


def test_org_admins_and_people_admins_within_their_roles_may_still_change_sign_in(personas: Personas) -> None:
    response = api(personas.otto).patch(
        f"/api/v1/people/{personas.pat.pk}", {"email": "pat.new@example.com"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["username"] == "pat.new@example.com"
    response = api(personas.pat).patch(
        f"/api/v1/people/{personas.alice.pk}", {"email": "alice.new@example.com"}, content_type="application/json"
    )
    assert response.status_code == 200
    # A people admin may not redirect an L&D admin, a role they do not hold.
    response = api(personas.pat).patch(
        f"/api/v1/people/{personas.lena.pk}", {"email": "lena.new@example.com"}, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_an_email_change_is_told_to_the_old_address_after_commit(personas: Personas) -> None:
    old = personas.alice.email
    api(personas.pat).patch(
        f"/api/v1/people/{personas.alice.pk}", {"email": "alice.new@example.com"}, content_type="application/json"
    )
    call_command("worker", "--batch", verbosity=0)
    (message,) = [m for m in mail.outbox if "sign-in email" in m.subject]
    assert message.to == [old]
    assert "alice.new@example.com" in message.body


def test_a_manager_change_is_audited_and_told_to_the_person_and_the_old_manager(personas: Personas) -> None:
    response = api(personas.pat).patch(
        f"/api/v1/people/{personas.alice.pk}", {"manager": personas.pat.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.update", object_id=str(personas.alice.pk))
    assert event.changes["manager"] == [personas.bob.pk, personas.pat.pk]
    told = Notification.objects.filter(kind="account")
    assert {n.recipient_id for n in told} == {personas.alice.pk, personas.bob.pk}
    assert "Pat Park is now your manager" in told.get(recipient=personas.alice).title


def test_an_import_that_changes_a_manager_tells_the_person(personas: Personas) -> None:
    alice = personas.alice
    text = (
        "employee_id,email,first_name,last_name,manager_employee_id\n"
        f"{alice.employee_id},{alice.email},Alice,Adams,{personas.mona.employee_id}\n"
    )
    people_import(actor=personas.pat, text=text)
    assert Notification.objects.filter(kind="account", recipient=alice).exists()
    assert Notification.objects.filter(kind="account", recipient=personas.bob).exists()


def test_a_role_granted_later_protects_the_account_at_once(personas: Personas) -> None:
    RoleGrant.objects.create(person=personas.alice, role=Role.LD_ADMIN)
    response = api(personas.pat).patch(
        f"/api/v1/people/{personas.alice.pk}", {"email": "x@evil.example"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not ApiToken.objects.filter(person=personas.alice).exists()


def test_the_reports_of_a_leaver_are_told_who_their_manager_is_now(personas: Personas) -> None:
    from learnloop.people.services import person_deactivate

    person_deactivate(actor=personas.pat, person=personas.bob)
    told = Notification.objects.get(kind="account", recipient=personas.alice)
    assert "Mona Meyer is now your manager" in told.title
