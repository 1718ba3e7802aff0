"""Malformed input is a 400 that names the parameter or field, never a 500 (issue 11, item 5): lone
surrogates, NUL and control characters, Unicode digits, JSON nested without end, numbers and strings too
large to store, multipart bodies without a boundary, bodies over the size limit, whatever their label."""

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from learnloop.accounts.services import token_create
from learnloop.config.api import api
from learnloop.core.input import MAX_JSON_DEPTH, MAX_PARAM, InputError, check_json, json_loads, text_problem
from learnloop.core.testing import Personas
from learnloop.learning.models import CatalogItem
from learnloop.lrs.services import client_create
from learnloop.lrs.tests.conftest import Lrs, statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def lrs(db: None) -> Lrs:
    issued = client_create(actor=None, name="test player")
    return Lrs(issued.client.key, issued.secret)


LONE_SURROGATE = '"\\ud800"'  # JSON text: the escape of half a surrogate pair, which no string can hold


def _token_client(person: Any) -> Client:
    token = token_create(actor=person, person=person, name="fuzz").secret
    return Client(headers={"Authorization": f"Bearer {token}"})


def _json_writes() -> list[tuple[str, str]]:
    """Every API operation that takes a JSON body, as (method, path); ids in the path become 1, since the
    input layer answers before any lookup."""
    found = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return found


WRITES = _json_writes()


def test_there_are_json_writes_to_walk() -> None:
    assert len(WRITES) >= 30


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_lone_surrogate_in_any_json_body_is_a_400_naming_the_field(
    personas: Personas, method: str, path: str
) -> None:
    client = _token_client(personas.otto)
    body = '{"name": ' + LONE_SURROGATE + ', "title": "x"}'
    answer = getattr(client, method)(path, body, content_type="application/json")
    assert answer.status_code == 400, (method, path, answer.content[:300])
    assert answer.json()["error"]["fields"] == {
        "name": ["name contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode."]
    }


def test_bodies_are_checked_whatever_their_label(personas: Personas) -> None:
    client = _token_client(personas.alice)
    for content_type in ("text/plain", "application/x-unknown", "application/json"):
        answer = client.post("/api/v1/tokens", '{"name": "lap\\u0000top"}', content_type=content_type)
        assert answer.status_code == 400 and "name" in answer.json()["error"]["fields"], content_type
    raw_nul = client.post("/api/v1/tokens", b'{"name": "lap\x00top"}', content_type="text/plain")
    # A raw control character inside a JSON string is not JSON at all.
    assert raw_nul.status_code == 400 and "not valid JSON" in raw_nul.json()["error"]["fields"]["body"][0]
    not_json = client.post("/api/v1/tokens", "name=laptop", content_type="text/plain")
    assert not_json.status_code == 400 and "body" in not_json.json()["error"]["fields"]


def test_json_nested_without_end_is_refused_before_any_parser_recurses(personas: Personas, lrs: Lrs) -> None:
    client = _token_client(personas.alice)
    answer = client.post("/api/v1/tokens", "[" * 50_000, content_type="application/json")
    assert answer.status_code == 400 and "body" in answer.json()["error"]["fields"]
    deep = '{"name": ' + "[" * (MAX_JSON_DEPTH + 1) + "1" + "]" * (MAX_JSON_DEPTH + 1) + "}"
    answer = client.post("/api/v1/tokens", deep, content_type="application/json")
    assert answer.status_code == 400 and "levels deep" in answer.json()["error"]["message"]
    assert lrs.post("[" * 50_000).status_code == 400


def test_the_depth_limit_is_exact() -> None:
    check_json(json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH))
    with pytest.raises(InputError, match="more than 64 levels deep"):
        check_json(json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)))


def test_json_loads_keeps_big_integers_exact_only_when_asked() -> None:
    assert json_loads(b'{"n": 123456789012345678901234567890}', exact_numbers=True) == {
        "n": 123456789012345678901234567890
    }
    with pytest.raises(InputError, match="not valid JSON"):
        json_loads(b'{"n": NaN}')


@pytest.mark.parametrize(
    ("value", "single_line", "problem"),
    [
        ("fine", True, None),
        ("two\nlines", False, None),
        ("tab\tand\r\nCRLF", False, None),
        ("two\nlines", True, "contains a line break or control character, which is not allowed here."),
        ("bell\x07", False, "contains a control character, which is not allowed here."),
        ("del\x7f", False, "contains a control character, which is not allowed here."),
        ("nul\x00", False, "contains a NUL character, which is not allowed."),
        ("half \ud800 pair", False, "contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode."),
        ("\u00e9\u4e2d\U0001f600", True, None),
    ],
)
def test_what_text_is_refused(value: str, single_line: bool, problem: str | None) -> None:
    assert text_problem(value, single_line=single_line) == problem


def test_text_length_boundary() -> None:
    assert text_problem("x" * 10, max_length=10) is None
    assert text_problem("x" * 11, max_length=10) == "is 11 characters long; the most allowed is 10."


def test_huge_strings_are_a_400_naming_the_field_not_a_database_error(personas: Personas) -> None:
    client = _token_client(personas.otto)
    huge = "a" * 300_000
    answer = client.post(
        "/api/v1/people",
        {"email": f"{huge}@example.com", "first_name": "A", "last_name": "B"},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "email" in answer.json()["error"]["fields"]
    answer = client.post("/api/v1/skills", {"name": "Coaching", "category": huge}, content_type="application/json")
    assert answer.status_code == 400 and "category" in answer.json()["error"]["fields"]
    for url in ("/api/v1/people", "/api/v1/skills", "/api/v1/catalog"):
        answer = client.get(url, {"q": huge})
        assert answer.status_code == 400 and "q" in answer.json()["error"]["fields"], url
    page = Client()
    page.force_login(personas.otto)
    answer = page.get("/people/", {"q": "a" * (MAX_PARAM + 1)})
    assert answer.status_code == 400 and answer.content.decode().startswith("q is 4,097 characters long")


def test_a_two_million_character_reflection_is_refused(personas: Personas) -> None:
    item = CatalogItem.objects.create(kind="self_paced", title="Retros", summary="x")
    client = _token_client(personas.alice)
    enrolled = client.post("/api/v1/enrollments", {"item_id": item.pk}, content_type="application/json")
    assert enrolled.status_code in (200, 201), enrolled.content
    answer = client.post(
        f"/api/v1/enrollments/{enrolled.json()['id']}/complete",
        {"learned": "x" * 2_000_000},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "learned" in answer.json()["error"]["fields"]


def test_line_breaks_and_control_characters_in_titles_are_refused(personas: Personas) -> None:
    client = _token_client(personas.lena)
    for title in ("Retros\r\nInjected: header", "Retros\x1b[31m"):
        answer = client.post(
            "/api/v1/catalog", {"kind": "self_paced", "title": title, "summary": "x"}, content_type="application/json"
        )
        assert answer.status_code == 400 and "title" in answer.json()["error"]["fields"], title
    assert not CatalogItem.objects.exists()


def test_a_multipart_body_without_a_boundary_is_a_400_naming_the_header() -> None:
    answer = Client().post("/api/v1/auth/token", "name=x", content_type="multipart/form-data")
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"Content-Type": ["Content-Type is multipart but names no boundary."]}


def test_a_body_over_the_limit_gets_the_api_error_body(personas: Personas, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    client = _token_client(personas.alice)
    answer = client.post("/api/v1/tokens", {"name": "x" * 2_000}, content_type="application/json")
    assert answer.status_code == 413 and answer["Content-Type"] == "application/json"
    assert "body" in answer.json()["error"]["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "/skills/people/{alice}/?to=\u00b2",
        "/skills/roles/{role}/?to=\u00b2",
        "/plans/{plan}/?advice=\u00b2",
        "/people/?q=a%00b",
        "/catalog/?q=a%00b",
        "/admin-area/audit/?action=a%00b",
    ],
)
def test_unicode_digits_and_nul_in_page_parameters_are_never_a_500(personas: Personas, url: str) -> None:
    from learnloop.core.testing import JobRoleFactory
    from learnloop.plans.services import plan_create

    role = JobRoleFactory.create(name="Engineer")
    day = dt.date(2026, 1, 1)
    plan = plan_create(actor=personas.alice, person=personas.alice, period="P1", starts_on=day, ends_on=day)
    client = Client()
    client.force_login(personas.alice if "plans" in url else personas.otto)
    answer = client.get(url.format(alice=personas.alice.pk, role=role.pk, plan=plan.pk))
    expected = 400 if "%00" in url else 200
    assert answer.status_code == expected, (url, answer.status_code)


def test_unicode_digits_in_the_lrs(lrs: Lrs) -> None:
    answer = lrs.get(params={"limit": "\u00b2"})
    assert answer.status_code == 400 and "limit" in answer.content.decode()
    version = Client(headers={"X-Experience-API-Version": "1.0.\u00b3"}).get("/xapi/about")
    assert version.status_code in (200, 400)


def test_a_500_digit_score_is_a_400_naming_the_property(lrs: Lrs) -> None:
    body = statement(result={"score": {"raw": int("9" * 500)}})
    answer = lrs.post(json.dumps(body))
    assert answer.status_code == 400 and "result.score.raw" in answer.content.decode()


def test_lone_surrogates_reach_no_lrs_store(lrs: Lrs) -> None:
    raw = json.dumps(statement()).replace('"Ana"', LONE_SURROGATE)
    answer = lrs.post(raw)
    assert answer.status_code == 400 and "actor.name" in answer.content.decode()
    params = {"activityId": "http://example.com/a", "agent": '{"mbox": "mailto:a@example.com", "name": "\\ud800"}'}
    answer = lrs.get("/xapi/activities/state", {**params, "stateId": "s"})
    assert answer.status_code == 400 and "agent" in answer.content.decode()


def test_an_lrs_client_with_only_write_scope_sees_the_same_checks(db: None) -> None:
    issued = client_create(actor=None, name="writer", can_read=False)
    writer = Lrs(issued.client.key, issued.secret)
    assert writer.post("[" * 50_000).status_code == 400


def test_an_org_unit_name_longer_than_its_column_is_a_400(personas: Personas) -> None:
    # Found by the fuzzing stage on PostgreSQL: a 500-character path of one name overflowed `name` (200).
    client = _token_client(personas.otto)
    answer = client.post("/api/v1/org-units", {"path": "0" * 500}, content_type="application/json")
    assert answer.status_code == 400, answer.content
    answer = client.post("/api/v1/org-units", {"path": "Acme / " + "x" * 201}, content_type="application/json")
    assert answer.status_code == 400, answer.content
