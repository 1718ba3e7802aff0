from typing import Any

from django.urls import reverse

from learnloop.core.testing import Row, anyone, matrix_test, only_roles, own_or
from learnloop.plans.tests.helpers import YEAR, check_for, goal_of, objective, plan_of

API = "/api/v1"
LD = ("ld_admin", "org_admin")
PEOPLE = ("people_admin", "org_admin")
# Plans: the owner edits, managers above them see and comment, people admins see.
VIEW_PLAN = own_or(*PEOPLE, reports=True)
COMMENT = own_or(reports=True)
OWN = own_or()


def REPORTS_ONLY(role: str, relation: str) -> bool:
    return relation == "report"


PLAN_FORM = {"period": "2031", "starts_on": "2031-01-01", "ends_on": "2031-12-31"}
GOAL_FORM = {"kind": "outcome", "outcome": "Run three retrospectives", "measure": "3 retros by June"}
GOAL_JSON = {"kind": "outcome", "outcome": "Run three retrospectives", "measure": "3 retros", "due_on": f"{YEAR}-11-01"}
OBJECTIVE_FORM = {"title": "Ship safely", "period": str(YEAR), "description": "", "is_active": "on"}


def _plan_url(name: str) -> Any:
    return lambda plan: reverse(name, kwargs={"plan_id": plan.pk})


def _goal_url(name: str) -> Any:
    return lambda goal: reverse(name, kwargs={"goal_id": goal.pk})


def _api(path: str) -> Any:
    return lambda _: f"{API}{path}"


def _plan_api(path: str) -> Any:
    return lambda plan: f"{API}/plans/{plan.pk}{path}"


def _goal_api(path: str) -> Any:
    return lambda goal: f"{API}/plans/{goal.plan_id}/goals/{goal.pk}{path}"


def _person_with_plan(person: Any) -> Any:
    plan_of(person)
    return person


ROWS = [
    Row("plans:mine", "GET", lambda _: reverse("plans:mine"), anyone, per_object=False),
    Row("plans:plan_create", "GET", lambda _: reverse("plans:plan_create"), anyone, per_object=False),
    Row(
        "plans:plan_create",
        "POST",
        lambda _: reverse("plans:plan_create"),
        anyone,
        per_object=False,
        ok=302,
        data=PLAN_FORM,
    ),
    Row("plans:team", "GET", lambda _: reverse("plans:team"), anyone, per_object=False),
    # Only managers above someone remind them to start a plan.
    Row("plans:nudge", "POST", lambda person: reverse("plans:nudge", args=[person.pk]), REPORTS_ONLY, ok=302),
    Row(
        f"POST {API}/plans/team/{{person_id}}/nudge",
        "POST",
        lambda person: f"{API}/plans/team/{person.pk}/nudge",
        REPORTS_ONLY,
        data={"period": ""},
        json=True,
        anonymous=401,
    ),
    Row(
        f"GET {API}/plans/team/without-plan",
        "GET",
        _api("/plans/team/without-plan"),
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        "plans:person_plans",
        "GET",
        lambda person: reverse("plans:person_plans", kwargs={"person_id": person.pk}),
        VIEW_PLAN,
        subject=_person_with_plan,
    ),
    Row("plans:plan", "GET", _plan_url("plans:plan"), VIEW_PLAN, subject=plan_of),
    Row("plans:plan_edit", "GET", _plan_url("plans:plan_edit"), OWN, subject=plan_of),
    Row(
        "plans:plan_edit",
        "POST",
        _plan_url("plans:plan_edit"),
        OWN,
        subject=plan_of,
        ok=302,
        data={"period": str(YEAR), "starts_on": f"{YEAR}-01-01", "ends_on": f"{YEAR}-12-30"},
    ),
    Row("plans:plan_close", "POST", _plan_url("plans:plan_close"), OWN, subject=plan_of, ok=302),
    Row("plans:comment", "POST", _plan_url("plans:comment"), COMMENT, subject=plan_of, ok=302, data={"body": "Nice."}),
    Row("plans:goal_create", "GET", _plan_url("plans:goal_create"), OWN, subject=plan_of),
    Row("plans:goal_create", "POST", _plan_url("plans:goal_create"), OWN, subject=plan_of, ok=302, data=GOAL_FORM),
    Row("plans:smart_check", "POST", _plan_url("plans:smart_check"), OWN, subject=plan_of, data=GOAL_FORM),
    Row(
        "plans:item_search",
        "GET",
        lambda plan: reverse("plans:item_search", kwargs={"plan_id": plan.pk}) + "?item_q=coaching",
        OWN,
        subject=plan_of,
    ),
    Row("plans:goal_edit", "GET", _goal_url("plans:goal_edit"), OWN, subject=goal_of),
    Row("plans:goal_edit", "POST", _goal_url("plans:goal_edit"), OWN, subject=goal_of, ok=302, data=GOAL_FORM),
    Row("plans:goal_complete", "POST", _goal_url("plans:goal_complete"), OWN, subject=goal_of, ok=302),
    Row("plans:goal_delete", "POST", _goal_url("plans:goal_delete"), OWN, subject=goal_of, ok=302),
    Row("plans:objectives", "GET", lambda _: reverse("plans:objectives"), only_roles(*LD), per_object=False),
    Row(
        "plans:objective_create",
        "GET",
        lambda _: reverse("plans:objective_create"),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "plans:objective_create",
        "POST",
        lambda _: reverse("plans:objective_create"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=OBJECTIVE_FORM,
    ),
    Row(
        "plans:objective_edit",
        "GET",
        lambda _: reverse("plans:objective_edit", kwargs={"objective_id": objective().pk}),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "plans:objective_edit",
        "POST",
        lambda _: reverse("plans:objective_edit", kwargs={"objective_id": objective().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=OBJECTIVE_FORM,
    ),
    Row("plans:transfer_list", "GET", lambda _: reverse("plans:transfer_list"), anyone, per_object=False),
    Row(
        "plans:transfer_insights",
        "GET",
        lambda _: reverse("plans:transfer_insights"),
        only_roles(*LD),
        per_object=False,
    ),
    # A transfer check is answered only by the person it asks.
    Row(
        "plans:transfer_answer",
        "GET",
        lambda check: reverse("plans:transfer_answer", kwargs={"check_id": check.pk}),
        OWN,
        subject=check_for,
    ),
    Row(
        "plans:transfer_answer",
        "POST",
        lambda check: reverse("plans:transfer_answer", kwargs={"check_id": check.pk}),
        OWN,
        subject=check_for,
        ok=302,
        data={"applied": "partly", "how": "In two 1:1s."},
    ),
    # --- API ---
    Row(f"GET {API}/plans", "GET", _api("/plans"), anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/plans",
        "POST",
        _api("/plans"),
        anyone,
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data=PLAN_FORM,
    ),
    Row(f"GET {API}/plans/team", "GET", _api("/plans/team"), anyone, per_object=False, anonymous=401),
    Row(
        f"GET {API}/plans/transfer-checks",
        "GET",
        _api("/plans/transfer-checks"),
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/plans/transfer-checks/{{check_id}}/answer",
        "POST",
        lambda check: f"{API}/plans/transfer-checks/{check.pk}/answer",
        OWN,
        subject=check_for,
        anonymous=401,
        json=True,
        data={"applied": "yes", "how": "Daily."},
    ),
    Row(
        f"GET {API}/plans/transfer-summary",
        "GET",
        _api("/plans/transfer-summary"),
        only_roles(*LD),
        per_object=False,
        anonymous=401,
    ),
    Row(f"GET {API}/plans/{{plan_id}}", "GET", _plan_api(""), VIEW_PLAN, subject=plan_of, anonymous=401),
    Row(f"POST {API}/plans/{{plan_id}}/close", "POST", _plan_api("/close"), OWN, subject=plan_of, anonymous=401),
    Row(
        f"POST {API}/plans/{{plan_id}}/goals",
        "POST",
        _plan_api("/goals"),
        OWN,
        subject=plan_of,
        ok=201,
        anonymous=401,
        json=True,
        data=GOAL_JSON,
    ),
    Row(
        f"POST {API}/plans/{{plan_id}}/smart-check",
        "POST",
        _plan_api("/smart-check"),
        OWN,
        subject=plan_of,
        anonymous=401,
        json=True,
        data=GOAL_JSON,
    ),
    Row(
        f"PUT {API}/plans/{{plan_id}}/goals/{{goal_id}}",
        "PUT",
        _goal_api(""),
        OWN,
        subject=goal_of,
        anonymous=401,
        json=True,
        data=GOAL_JSON,
    ),
    Row(
        f"POST {API}/plans/{{plan_id}}/goals/{{goal_id}}/complete",
        "POST",
        _goal_api("/complete"),
        OWN,
        subject=goal_of,
        anonymous=401,
    ),
    Row(
        f"GET {API}/plans/{{plan_id}}/comments",
        "GET",
        _plan_api("/comments"),
        VIEW_PLAN,
        subject=plan_of,
        anonymous=401,
    ),
    Row(
        f"POST {API}/plans/{{plan_id}}/comments",
        "POST",
        _plan_api("/comments"),
        COMMENT,
        subject=plan_of,
        ok=201,
        anonymous=401,
        json=True,
        data={"body": "Good plan."},
    ),
    Row(f"GET {API}/objectives", "GET", _api("/objectives"), anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/objectives",
        "POST",
        _api("/objectives"),
        only_roles(*LD),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"title": "Ship safely", "period": str(YEAR)},
    ),
    Row(
        f"PATCH {API}/objectives/{{objective_id}}",
        "PATCH",
        lambda _: f"{API}/objectives/{objective().pk}",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
        json=True,
        data={"description": "Fewer incidents, faster recovery."},
    ),
]

test_permission_matrix = matrix_test(ROWS)
