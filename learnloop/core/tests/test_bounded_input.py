"""Numbers and moments from outside are bounded where they are parsed: a huge id, offset or year is a
400 naming the field (a 404 in a page URL), never a 500 from the database."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.config.api import api
from learnloop.core.bounds import MAX_ID, MAX_YEAR, MIN_YEAR
from learnloop.core.roles import Role
from learnloop.core.testing import Personas
from learnloop.people.models import RoleGrant

pytestmark = pytest.mark.django_db

HUGE = [MAX_ID + 1, 2**64, 10**30, -(10**30)]
EXTREME_TEXT = ["", " ", "-", "1e309", "9" * 40, "-" + "9" * 40]
EXTREME_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01", "9999-12-31"]


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _unbounded(schema: dict[str, Any], node: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Every integer without a maximum, every date without a year range and every free string without a
    maximum length under `node`."""
    ref = node.get("$ref")
    if ref:
        if ref in seen:
            return []
        seen = seen | {ref}
    node = _resolve(schema, node)
    found: list[str] = []
    if node.get("type") == "integer" and "maximum" not in node:
        found.append(f"{where} (integer without a maximum)")
    if node.get("format") in ("date", "date-time") and "x-year-range" not in node:
        found.append(f"{where} ({node['format']} without core.bounds' year range)")
    free_string = node.get("type") == "string" and "enum" not in node and "format" not in node
    if free_string and "maxLength" not in node:
        found.append(f"{where} (string without a maximum length: use core.bounds' Line, Text or QueryText)")
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            found += _unbounded(schema, option, where, seen)
    if "items" in node:
        found += _unbounded(schema, node["items"], f"{where}[]", seen)
    for name, prop in node.get("properties", {}).items():
        found += _unbounded(schema, prop, f"{where}.{name}", seen)
    return found


def test_every_number_date_and_string_the_api_accepts_is_bounded() -> None:
    """Catches the next endpoint that takes a plain `int`, `datetime` or `str`: use core.bounds' types."""
    schema = _schema()
    unbounded: list[str] = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                unbounded += _unbounded(schema, parameter["schema"], f"{label} {parameter['name']}", set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded(schema, content["schema"], f"{label} body", set())
    assert unbounded == []


def _int_converters(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _int_converters(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            converters = getattr(pattern.pattern, "converters", {})
            if any(type(c) is IntConverter for c in converters.values()):
                found.append(route)
    return found


def test_page_urls_take_ids_through_the_bounded_converter() -> None:
    """`<int:...>` hands a 30-digit number to the database; `<id:...>` makes it a 404."""
    assert _int_converters(get_resolver().url_patterns) == []


@pytest.fixture
def admin_client(personas: Personas) -> Client:
    # One person with every admin role reaches every endpoint past its permission check.
    for role in (Role.LD_ADMIN, Role.PEOPLE_ADMIN):
        RoleGrant.objects.create(person=personas.otto, role=role)
    client = Client()
    client.force_login(personas.otto)
    return client


def _get_operations() -> list[tuple[str, list[dict[str, Any]]]]:
    schema = _schema()
    return [
        (path, operation.get("parameters", []))
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method == "get" and operation.get("parameters")
    ]


def _values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from([str(n) for n in HUGE] + EXTREME_TEXT + EXTREME_MOMENTS + ["1", "0", "-1"]),
        st.integers().map(str),
        st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12),
    )


def _request(client: Client, path: str, path_value: str, query: dict[str, str]) -> None:
    url = re.sub(r"\{(?:\w+:)?\w+\}", path_value, path)
    answer = client.get(url, query)
    assert answer.status_code < 500, (url, query, answer.content[:300])
    if answer.status_code == 400:
        assert set(answer.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize(("path", "parameters"), _get_operations(), ids=[p for p, _ in _get_operations()])
def test_extreme_query_values_never_cause_a_server_error(
    admin_client: Client, path: str, parameters: list[dict[str, Any]]
) -> None:
    names = [p["name"] for p in parameters if p["in"] == "query"] or ["unknown"]
    path_values = st.sampled_from(["1", "0", str(MAX_ID), str(MAX_ID + 1), "9" * 30])
    # One parameter at a time, the others left out: a second bad value would stop the request at
    # validation before the first one reached the database.
    one = st.sampled_from(names).flatmap(lambda name: st.fixed_dictionaries({name: _values()}))

    resolve(re.sub(r"\{(?:\w+:)?\w+\}", "1", path))  # the walk reaches the endpoint, or it proves nothing

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(path_value=path_values, query=one)
    def walk(path_value: str, query: dict[str, str]) -> None:
        _request(admin_client, path, path_value, query)

    walk()
    # And every extreme number and moment in every query parameter, so no run can miss one.
    for name in names:
        for value in [str(n) for n in HUGE] + EXTREME_MOMENTS:
            _request(admin_client, path, "1", {name: value})


@pytest.mark.parametrize("offset", [str(MAX_ID + 1), "9" * 30])
def test_a_huge_offset_is_a_400_naming_it(admin_client: Client, offset: str) -> None:
    answer = admin_client.get("/api/v1/people", {"offset": offset})
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["offset"]


@pytest.mark.parametrize("name", ["org_unit", "location", "job_role", "manager"])
def test_a_huge_filter_id_is_a_400_naming_it(admin_client: Client, name: str) -> None:
    answer = admin_client.get("/api/v1/people", {name: "9" * 30})
    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == [name]


def test_a_huge_path_id_is_a_400_in_the_api_and_a_404_in_a_page(admin_client: Client, personas: Personas) -> None:
    assert admin_client.get(f"/api/v1/people/{'9' * 30}").status_code == 400
    assert admin_client.get(f"/people/{'9' * 30}/").status_code == 404
    assert admin_client.get(f"/people/{MAX_ID}/").status_code == 404
    assert admin_client.get(f"/people/{personas.alice.pk}/").status_code == 200


@pytest.mark.parametrize("year", [MIN_YEAR - 1, MAX_YEAR + 1])
def test_a_moment_outside_the_supported_years_is_a_400(admin_client: Client, year: int) -> None:
    answer = admin_client.get("/api/v1/sessions", {"from": f"{year:04d}-01-01T00:00:00+05:00"})
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["from"] == [f"Value error, Use a year between {MIN_YEAR} and {MAX_YEAR}."]


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def plan_id(personas: Personas) -> int:
    from learnloop.plans.tests.helpers import plan_of

    return plan_of(personas.otto).pk


GOAL = {"kind": "outcome", "outcome": "Run retrospectives", "measure": "3 by June"}


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/v1/catalog",
            {"kind": "book", "title": "T", "summary": "S", "skills": [{"skill_id": 10**30, "target_level": 2}]},
            "skills.0.skill_id",
        ),
        (
            "/api/v1/catalog",
            {"kind": "book", "title": "T", "summary": "S", "duration_minutes": 2**40},
            "duration_minutes",
        ),
        ("/api/v1/plans/{plan}/goals", {**GOAL, "item_ids": [MAX_ID + 1]}, "item_ids.0"),
        ("/api/v1/plans/{plan}/goals", {**GOAL, "target_level": 10**6}, "target_level"),
        ("/api/v1/plans/{plan}/smart-check", {**GOAL, "item_ids": [10**30]}, "item_ids.0"),
        ("/api/v1/plans/{plan}/smart-check", {**GOAL, "due_on": "0001-01-01"}, "due_on"),
        ("/api/v1/notifications/read", {"ids": [10**30]}, "ids.0"),
        (
            "/api/v1/learning-time/blocks",
            {"title": "R", "starts_at": "0001-01-01T00:00:00+05:00", "ends_at": "0001-01-01T01:00:00+05:00"},
            "starts_at",
        ),
        ("/api/v1/pathways/assignments", {"pathway_id": 10**30, "person_id": 1}, "pathway_id"),
        (
            "/api/v1/people",
            {"email": "n@example.com", "first_name": "N", "last_name": "N", "manager": 10**30},
            "manager",
        ),
        ("/api/v1/tokens", {"name": "t", "expires_at": "9999-12-31T23:59:59-12:00"}, "expires_at"),
    ],
)
def test_a_huge_number_or_far_moment_in_a_body_is_a_400_naming_it(
    admin_client: Client, plan_id: int, url: str, body: dict[str, Any], field: str
) -> None:
    answer = _post(admin_client, url.format(plan=plan_id), body)
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["error"]["fields"], answer.json()


def test_a_huge_id_in_an_api_path_with_a_converter_is_a_404(admin_client: Client) -> None:
    answer = admin_client.get(f"/api/v1/pathways/{'9' * 30}")
    assert answer.status_code == 404
