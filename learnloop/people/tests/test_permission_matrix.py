from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learnloop.core.testing import (
    Row,
    anyone,
    matrix_test,
    only_roles,
    own_or,
)

ADMINS = ("people_admin", "org_admin")
API = "/api/v1"


def _profile_form(person: Any) -> dict[str, Any]:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "preferred_name": "Nickname",
        "time_zone": "Europe/Lisbon",
        "title": person.title,
        "manager": person.manager_id or "",
        "employee_id": person.employee_id or "",
    }


def _csv(_: Any) -> dict[str, Any]:
    text = "employee_id,email,first_name,last_name\nN1,new.person@example.com,New,Person\n"
    return {"file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")}


def _person_url(name: str) -> Any:
    return lambda person: reverse(name, kwargs={"person_id": person.pk})


SELF_DEACTIVATION_REFUSED = (("people_admin", "own", 400), ("org_admin", "own", 400))


ROWS = [
    Row("people:directory", "GET", lambda _: reverse("people:directory"), anyone, per_object=False),
    Row("people:org_chart", "GET", lambda _: reverse("people:org_chart"), anyone, per_object=False),
    Row("people:import", "GET", lambda _: reverse("people:import"), only_roles(*ADMINS), per_object=False),
    Row(
        "people:import",
        "POST",
        lambda _: reverse("people:import"),
        only_roles(*ADMINS),
        per_object=False,
        data=_csv,
        ok=302,
    ),
    Row("people:create", "GET", lambda _: reverse("people:create"), only_roles(*ADMINS), per_object=False),
    Row(
        "people:create",
        "POST",
        lambda _: reverse("people:create"),
        only_roles(*ADMINS),
        per_object=False,
        ok=302,
        data={"first_name": "New", "last_name": "Person", "email": "new.person@example.com", "time_zone": "UTC"},
    ),
    Row("people:profile", "GET", _person_url("people:profile"), anyone),
    Row("people:team", "GET", _person_url("people:team"), own_or(*ADMINS, reports=True)),
    Row("people:edit", "GET", _person_url("people:edit"), own_or(*ADMINS)),
    Row("people:edit", "POST", _person_url("people:edit"), own_or(*ADMINS), ok=302, data=_profile_form),
    Row("people:deactivate", "GET", _person_url("people:deactivate"), only_roles(*ADMINS)),
    # Admins cannot deactivate themselves: the form answers 400 with the reason.
    Row(
        "people:deactivate",
        "POST",
        _person_url("people:deactivate"),
        only_roles(*ADMINS),
        ok=302,
        data={"left_on": ""},
        overrides=SELF_DEACTIVATION_REFUSED,
    ),
    Row("people:reactivate", "POST", _person_url("people:reactivate"), only_roles(*ADMINS), ok=302),
    Row(
        "people:roles",
        "POST",
        _person_url("people:roles"),
        only_roles("org_admin"),
        ok=302,
        data={"role": "ld_admin", "grant": "on"},
    ),
    # API
    Row(f"GET {API}/me", "GET", lambda _: f"{API}/me", anyone, per_object=False, anonymous=401),
    Row(f"GET {API}/people", "GET", lambda _: f"{API}/people", anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/people",
        "POST",
        lambda _: f"{API}/people",
        only_roles(*ADMINS),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"email": "new@example.com", "first_name": "New", "last_name": "Person"},
    ),
    Row(f"GET {API}/people/{{person_id}}", "GET", lambda p: f"{API}/people/{p.pk}", anyone, anonymous=401),
    Row(
        f"PATCH {API}/people/{{person_id}}",
        "PATCH",
        lambda p: f"{API}/people/{p.pk}",
        own_or(*ADMINS),
        anonymous=401,
        json=True,
        data={"preferred_name": "Nick"},
    ),
    Row(
        f"POST {API}/people/{{person_id}}/deactivate",
        "POST",
        lambda p: f"{API}/people/{p.pk}/deactivate",
        only_roles(*ADMINS),
        anonymous=401,
        json=True,
        data={},
        overrides=SELF_DEACTIVATION_REFUSED,
    ),
    # Everyone in the fixture is active, so an allowed reactivation is refused as a bad request.
    Row(
        f"POST {API}/people/{{person_id}}/reactivate",
        "POST",
        lambda p: f"{API}/people/{p.pk}/reactivate",
        only_roles(*ADMINS),
        ok=400,
        anonymous=401,
        json=True,
    ),
    Row(
        f"GET {API}/people/{{person_id}}/reports",
        "GET",
        lambda p: f"{API}/people/{p.pk}/reports",
        own_or(*ADMINS, reports=True),
        anonymous=401,
    ),
    Row(
        f"GET {API}/people/{{person_id}}/manager-chain",
        "GET",
        lambda p: f"{API}/people/{p.pk}/manager-chain",
        anyone,
        anonymous=401,
    ),
    Row(
        f"POST {API}/people/{{person_id}}/roles",
        "POST",
        lambda p: f"{API}/people/{p.pk}/roles",
        only_roles("org_admin"),
        anonymous=401,
        json=True,
        data={"role": "ld_admin"},
    ),
    Row(
        f"DELETE {API}/people/{{person_id}}/roles/{{role}}",
        "DELETE",
        lambda p: f"{API}/people/{p.pk}/roles/ld_admin",
        only_roles("org_admin"),
        anonymous=401,
    ),
    Row(f"GET {API}/org-units", "GET", lambda _: f"{API}/org-units", anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/org-units",
        "POST",
        lambda _: f"{API}/org-units",
        only_roles(*ADMINS),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"path": "Acme / New Team"},
    ),
    Row(
        f"GET {API}/org-units/{{unit_id}}",
        "GET",
        lambda p: f"{API}/org-units/{p.org_unit_id}",
        anyone,
        anonymous=401,
    ),
    Row(f"GET {API}/locations", "GET", lambda _: f"{API}/locations", anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/locations",
        "POST",
        lambda _: f"{API}/locations",
        only_roles(*ADMINS),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"name": "Tokyo", "time_zone": "Asia/Tokyo", "country": "jp"},
    ),
    Row(f"GET {API}/job-roles", "GET", lambda _: f"{API}/job-roles", anyone, per_object=False, anonymous=401),
]


test_permission_matrix = matrix_test(ROWS)
