import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnloop.lrs.tests.conftest import Lrs, statement
from learnloop.lrs.validation import StatementInvalid, validate_statement

VALID_OBJECTS = [
    {"objectType": "Agent", "account": {"homePage": "https://hr.example.com", "name": "e-17"}},
    {"objectType": "Group", "name": "Team", "member": [{"mbox": "mailto:a@example.com"}]},
    {"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
    {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:b@example.com"},
        "verb": {"id": "http://example.com/verbs/planned"},
        "object": {"id": "http://example.com/a"},
    },
    {
        "id": "http://example.com/quiz/1",
        "definition": {
            "interactionType": "choice",
            "correctResponsesPattern": ["a"],
            "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b", "description": {"en-US": "B"}}],
        },
    },
]


@pytest.mark.parametrize("obj", VALID_OBJECTS, ids=lambda o: o.get("objectType", "Activity"))
def test_every_kind_of_object_is_accepted(obj: dict[str, Any]) -> None:
    validate_statement(statement(object=obj))


def test_a_full_statement_is_accepted() -> None:
    validate_statement(
        statement(
            id="c1f4d2e4-1b3f-4b8a-9c2d-3e4f5a6b7c8d",
            result={
                "score": {"scaled": 0.8, "raw": 80, "min": 0, "max": 100},
                "success": True,
                "completion": True,
                "duration": "PT1H2M3.5S",
                "response": "b",
                "extensions": {"http://example.com/ext": 1},
            },
            context={
                "registration": "0d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                "platform": "web",
                "language": "en-GB",
                "instructor": {"mbox": "mailto:t@example.com"},
                "contextActivities": {
                    "parent": {"id": "http://example.com/p"},
                    "grouping": [{"id": "http://example.com/g"}],
                },
            },
            timestamp="2026-11-21T10:00:00.123+01:00",
        )
    )


INVALID = [
    ("actor", statement(actor=None)),
    ("actor", {k: v for k, v in statement().items() if k != "actor"}),
    ("actor.mbox", statement(actor={"mbox": "ana@example.com"})),
    ("actor", statement(actor={"mbox": "mailto:a@example.com", "openid": "http://x.example"})),
    ("actor.account.homePage", statement(actor={"account": {"name": "x"}})),
    ("actor.member", statement(actor={"objectType": "Group"})),
    ("actor.member[0]", statement(actor={"objectType": "Group", "member": [{"objectType": "Group", "member": []}]})),
    ("verb.id", statement(verb={"id": "not an iri"})),
    ("verb.display.not a tag!", statement(verb={"id": "http://x.example/v", "display": {"not a tag!": "x"}})),
    ("object.id", statement(object={"objectType": "Activity"})),
    ("object.objectType", statement(object={"objectType": "Thing", "id": "http://x.example"})),
    ("object.id", statement(object={"objectType": "StatementRef", "id": "not-a-uuid"})),
    (
        "object.object.objectType",
        statement(
            object={
                "objectType": "SubStatement",
                "actor": {"mbox": "mailto:b@example.com"},
                "verb": {"id": "http://v.example"},
                "object": {"objectType": "SubStatement"},
            }
        ),
    ),
    ("object.definition.choices", statement(object={"id": "http://x.example", "definition": {"choices": []}})),
    ("result.score.scaled", statement(result={"score": {"scaled": 1.5}})),
    ("result.score.raw", statement(result={"score": {"raw": 120, "min": 0, "max": 100}})),
    ("result.duration", statement(result={"duration": "1 hour"})),
    ("result.success", statement(result={"success": "yes"})),
    ("context.registration", statement(context={"registration": "abc"})),
    (
        "context.revision",
        statement(object={"objectType": "Agent", "mbox": "mailto:c@example.com"}, context={"revision": "2"}),
    ),
    ("context.extensions.plain", statement(context={"extensions": {"plain": 1}})),
    ("timestamp", statement(timestamp="yesterday")),
    ("timestamp", statement(timestamp="2026-11-21T10:00:00-00:00")),
    ("id", statement(id="123")),
    ("object", statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"})),
    ("colour", statement(colour="blue")),
    (
        "attachments[0].sha2",
        statement(
            attachments=[
                {
                    "usageType": "http://x.example/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": 1,
                    "sha2": "zz",
                }
            ]
        ),
    ),
]


@pytest.mark.parametrize(("path", "body"), INVALID, ids=[p for p, _ in INVALID])
def test_invalid_statements_are_refused_naming_the_property(path: str, body: Any) -> None:
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(body)
    assert caught.value.path == path


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
statement_keys = st.sampled_from(
    ["actor", "verb", "object", "result", "context", "timestamp", "id", "attachments", "authority", "version"]
)


@st.composite
def mutated_statements(draw: st.DrawFn) -> Any:
    """A valid statement with one part replaced by arbitrary JSON, or arbitrary JSON altogether."""
    if draw(st.booleans()):
        return draw(json_values)
    body = statement()
    body[draw(statement_keys)] = draw(json_values)
    return body


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=mutated_statements())
def test_no_input_makes_the_lrs_fail(lrs: Lrs, body: Any) -> None:
    response = lrs.post(json.dumps(body))
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["error"]["message"]


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=200),
    params=st.dictionaries(
        st.sampled_from(
            [
                "agent",
                "verb",
                "activity",
                "since",
                "limit",
                "format",
                "registration",
                "statementId",
                "ascending",
                "related_agents",
            ]
        ),
        st.text(max_size=30),
        max_size=3,
    ),
)
def test_malformed_bodies_and_parameters_never_give_a_500(lrs: Lrs, raw: bytes, params: dict[str, str]) -> None:
    assert lrs.post(raw).status_code in (200, 400)
    assert lrs.get(params=params).status_code in (200, 400, 404)


@pytest.mark.django_db
def test_nul_characters_are_a_clear_400_not_a_database_error(lrs: Lrs) -> None:
    # PostgreSQL text cannot hold NUL: found by the fuzz test above (GET ?verb=%00 gave a 500).
    answer = lrs.get(params={"verb": "\x00"})
    assert answer.status_code == 400 and "NUL" in answer.content.decode()
    state = "/xapi/activities/state"
    params = {"activityId": "http://example.com/a", "agent": '{"mbox": "mailto:a@example.com"}', "stateId": "a\x00b"}
    assert lrs.get(state, params).status_code == 400
    body = statement(verb={"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "do\u0000ne"}})
    answer = lrs.post(body)
    assert answer.status_code == 400 and "verb.display.en-US" in answer.content.decode()


def test_a_body_over_the_lrs_limit_is_a_413_in_xapis_error_form(lrs: Lrs, monkeypatch: pytest.MonkeyPatch) -> None:
    from learnloop.lrs import http

    monkeypatch.setattr(http, "MAX_BODY", 1024)
    response = lrs.post(json.dumps([statement() for _ in range(20)]))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large" and response["X-Experience-API-Version"] == "1.0.3"
    assert lrs.post(json.dumps(statement())).status_code == 200
