import importlib
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from learnloop.config.api import api
from learnloop.core.models import ImportJob
from learnloop.core.testing import Row, anyone, matrix_test, only_roles, view_methods
from learnloop.people.models import Person

API = "/api/v1"
ADMINS = ("ld_admin", "people_admin", "org_admin")


def _job(person: Person, status: str = ImportJob.Status.IMPORTED) -> ImportJob:
    errors = [[2, "name", "is required"]] if status == ImportJob.Status.REJECTED else []
    return ImportJob.objects.create(kind="skills", actor=person, file_name="s.csv", status=status, errors=errors)


def _own_only(role: str, relation: str) -> bool:
    """A skills import's page: whoever started it, while they may import skills."""
    return relation == "own" and role in ("ld_admin", "org_admin")


def _upload(kind: str) -> Any:
    text = b"name\nFacilitation\n" if kind == "skills" else b"employee_id,email,first_name,last_name\nE1,e@x.io,E,F\n"
    return lambda _: {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", text, content_type="text/csv")}


def _confirm_url() -> str:
    from learnloop.core.confirm import Confirmation, confirmation_sign

    signed = confirmation_sign(
        Confirmation(action="/plans/", title="Sure?", consequence="It goes.", yes="Yes", back="/")
    )
    return f"{reverse('core:confirm')}?c={signed}"


ROWS = [
    Row("healthz", "GET", lambda _: reverse("healthz"), anyone, per_object=False, anonymous=200),
    Row("core:home", "GET", lambda _: reverse("core:home"), anyone, per_object=False),
    # The confirm step only shows what the page that offered it signed; the action it posts to decides.
    Row("core:confirm", "GET", lambda _: _confirm_url(), anyone, per_object=False),
    Row("core:admin_area", "GET", lambda _: reverse("core:admin_area"), only_roles(*ADMINS), per_object=False),
    Row(
        "core:audit_log",
        "GET",
        lambda _: reverse("core:audit_log"),
        only_roles("people_admin", "org_admin"),
        per_object=False,
    ),
    Row(
        "core:audit_actors",
        "GET",
        lambda _: reverse("core:audit_actors") + "?actor_q=a",
        only_roles("people_admin", "org_admin"),
        per_object=False,
    ),
    Row(
        "core:audit_export",
        "GET",
        lambda _: reverse("core:audit_export"),
        only_roles("people_admin", "org_admin"),
        per_object=False,
    ),
    Row(
        "core:task_list",
        "GET",
        lambda _: reverse("core:task_list"),
        only_roles("org_admin"),
        per_object=False,
    ),
    Row(
        f"GET {API}/audit-events",
        "GET",
        lambda _: f"{API}/audit-events",
        only_roles("people_admin", "org_admin"),
        per_object=False,
        anonymous=401,
    ),
    # An import is seen by whoever started it, and nobody else (its problems quote the file).
    Row("core:import_job", "GET", lambda job: reverse("core:import_job", args=[job.pk]), _own_only, subject=_job),
    Row(
        "core:import_problems",
        "GET",
        lambda job: reverse("core:import_problems", args=[job.pk]),
        _own_only,
        subject=lambda person: _job(person, ImportJob.Status.REJECTED),
    ),
    Row(f"GET {API}/imports", "GET", lambda _: f"{API}/imports", anyone, per_object=False, anonymous=401),
    Row(
        f"GET {API}/imports/{{job_id}}",
        "GET",
        lambda job: f"{API}/imports/{job.pk}",
        _own_only,
        subject=_job,
        anonymous=401,
    ),
    Row(
        f"POST {API}/imports",
        "POST",
        lambda _: f"{API}/imports",
        only_roles("ld_admin", "org_admin"),
        per_object=False,
        data=_upload("skills"),
        ok=202,
        anonymous=401,
    ),
    Row(
        f"POST {API}/imports",
        "POST",
        lambda _: f"{API}/imports",
        only_roles("people_admin", "org_admin"),
        per_object=False,
        data=_upload("people"),
        ok=202,
        anonymous=401,
    ),
    # The API description is public, like any published API reference.
    Row("api:openapi-json", "GET", lambda _: f"{API}/openapi.json", anyone, per_object=False, anonymous=200),
    Row("api:openapi-view", "GET", lambda _: f"{API}/docs", anyone, per_object=False, anonymous=200),
    Row("api:api-root", "GET", lambda _: f"{API}/", anyone, per_object=False, ok=404, anonymous=404),
]


test_permission_matrix = matrix_test(ROWS)


def _all_rows() -> list[Row]:
    rows: list[Row] = []
    for config in apps.get_app_configs():
        if config.name.startswith("learnloop."):
            try:
                module = importlib.import_module(f"{config.name}.tests.test_permission_matrix")
            except ModuleNotFoundError:
                continue
            rows.extend(module.ROWS)
    return rows


def _page_views(patterns: list[Any], namespace: str = "") -> dict[str, Any]:
    views: dict[str, Any] = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            views |= _page_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            views[f"{namespace}:{pattern.name}".strip(":")] = pattern.callback
    return views


# Not permission-relevant: ninja's own views (the API description, its docs page, the API root's 404)
# declare no methods but answer any of them exactly as they answer GET, with public text and no data.
NO_ROW_NEEDED = {("api:openapi-json", "POST"), ("api:openapi-view", "POST"), ("api:api-root", "POST")}


def test_every_url_and_method_has_a_row_in_the_permission_matrix() -> None:
    """One row per URL and per method its view accepts (see `view_methods`), so a POST handler next to
    a GET page cannot hide behind the page's row."""
    covered = {(row.key, row.method) for row in _all_rows()}
    operations = {
        (f"{method.upper()} {path}", method.upper())
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    # API operations are listed by method and path; the ninja URL names behind them are covered by those.
    api_operation_names = {
        f"api:{op.view_func.__name__}"
        for router_prefix, router in api._routers
        for path_view in router.path_operations.values()
        for op in path_view.operations
    }
    pages = {
        (name, method)
        for name, view in _page_views(get_resolver().url_patterns).items()
        if name not in api_operation_names
        for method in view_methods(view)
    }
    missing = sorted((pages | operations) - covered - NO_ROW_NEEDED)
    assert missing == [], f"URLs and methods without a row in the permission matrix: {missing}"


def test_view_methods_come_from_the_view() -> None:
    views = _page_views(get_resolver().url_patterns)
    assert view_methods(views["people:directory"]) == {"GET"}  # @require_safe
    assert view_methods(views["people:reactivate"]) == {"POST"}  # @require_POST
    assert view_methods(views["people:edit"]) == {"GET", "POST"}  # declares nothing
    assert view_methods(views["accounts:login"]) == {"GET", "POST"}  # a form view; its PUT is POST
    assert view_methods(views["accounts:logout"]) == {"POST"}
    assert view_methods(views["lrs:agent_profile"]) == {"GET", "PUT", "POST", "DELETE"}
