import hashlib
import json
import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient

from learnloop.lrs import selectors
from learnloop.lrs.models import Statement
from learnloop.lrs.services import client_create, client_revoke
from learnloop.lrs.tests.conftest import Lrs, attachment_declaration, post_with_attachment, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def _ids(response: object) -> list[str]:
    return [s["id"] for s in response.json()["statements"]]  # type: ignore[attr-defined]


def test_post_stores_and_get_returns_with_lrs_set_properties(lrs: Lrs) -> None:
    response = lrs.post(json.dumps([statement(), statement(verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})]))
    assert response.status_code == 200
    ids = response.json()
    assert len(ids) == 2 and all(uuid.UUID(i) for i in ids)
    stored = lrs.get(params={"statementId": ids[0]}).json()
    assert stored["id"] == ids[0]
    assert stored["stored"] and stored["timestamp"] and stored["authority"]["account"]["name"]
    assert stored["version"].startswith("1.0")


def test_every_response_names_the_xapi_version_and_how_current_it_is(lrs: Lrs) -> None:
    response = lrs.get()
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert response["X-Experience-API-Consistent-Through"]
    assert lrs.get(HTTP_X_EXPERIENCE_API_VERSION="2.0.0")["X-Experience-API-Version"] == "2.0.0"


def test_the_version_header_is_required_and_checked(lrs: Lrs) -> None:
    assert lrs.get(HTTP_X_EXPERIENCE_API_VERSION="").status_code == 400
    assert lrs.get(HTTP_X_EXPERIENCE_API_VERSION="0.9").status_code == 400
    assert HttpClient().get("/xapi/about").json()["version"] == ["1.0.3", "2.0.0"]


def test_put_uses_the_given_id_and_the_same_statement_twice_is_stored_once(lrs: Lrs) -> None:
    statement_id = str(uuid.uuid4())
    url = f"/xapi/statements?statementId={statement_id}"
    assert lrs.put(url, json.dumps(statement())).status_code == 204
    assert lrs.put(url, json.dumps(statement())).status_code == 204
    assert Statement.objects.filter(statement_id=statement_id).count() == 1
    conflicting = lrs.put(url, json.dumps(statement(verb={"id": "http://adlnet.gov/expapi/verbs/failed"})))
    assert conflicting.status_code == 409
    assert lrs.put("/xapi/statements", json.dumps(statement())).status_code == 400


def test_statements_are_immutable_and_voiding_hides_them(lrs: Lrs) -> None:
    (target,) = lrs.post(json.dumps(statement())).json()
    voiding = statement(
        verb={"id": VOIDED, "display": {"en-US": "voided"}}, object={"objectType": "StatementRef", "id": target}
    )
    (voider,) = lrs.post(json.dumps(voiding)).json()
    assert target not in _ids(lrs.get())
    assert lrs.get(params={"statementId": target}).status_code == 404
    assert lrs.get(params={"voidedStatementId": target}).json()["id"] == target
    assert voider in _ids(lrs.get())
    void_the_voider = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voider})
    assert lrs.post(json.dumps(void_the_voider)).status_code == 400


def test_filters_by_agent_verb_activity_and_registration(lrs: Lrs) -> None:
    registration = str(uuid.uuid4())
    bob = {"mbox": "mailto:bob@example.com"}
    (ana_done,) = lrs.post(json.dumps(statement(context={"registration": registration}))).json()
    (bob_tried,) = lrs.post(
        json.dumps(
            statement(
                actor=bob,
                verb={"id": "http://adlnet.gov/expapi/verbs/attempted"},
                object={"id": "http://example.com/courses/2"},
            )
        )
    ).json()
    assert _ids(lrs.get(params={"agent": json.dumps(bob)})) == [bob_tried]
    assert _ids(lrs.get(params={"verb": "http://adlnet.gov/expapi/verbs/completed"})) == [ana_done]
    assert _ids(lrs.get(params={"activity": "http://example.com/courses/2"})) == [bob_tried]
    assert _ids(lrs.get(params={"registration": registration})) == [ana_done]
    assert lrs.get(params={"agent": "{not json"}).status_code == 400
    assert lrs.get(params={"colour": "blue"}).status_code == 400


def test_paging_is_stable_while_statements_arrive(lrs: Lrs) -> None:
    posted = lrs.post(json.dumps([statement() for _ in range(5)])).json()
    first = lrs.get(params={"limit": 2})
    assert _ids(first) == list(reversed(posted))[:2]
    lrs.post(json.dumps([statement() for _ in range(3)]))  # arrives between pages
    seen = _ids(first)
    more = first.json()["more"]
    while more:
        page = lrs.get(more)
        seen += _ids(page)
        more = page.json()["more"]
    assert seen == list(reversed(posted))
    ascending = _ids(lrs.get(params={"ascending": "true", "limit": 3}))
    assert ascending == posted[:3]


def test_format_ids_reduces_to_identifiers(lrs: Lrs) -> None:
    lrs.post(json.dumps(statement()))
    (found,) = lrs.get(params={"format": "ids"}).json()["statements"]
    assert found["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert "definition" not in found["object"] and "name" not in found["actor"]


def test_attachments_travel_in_multipart_requests_and_responses(lrs: Lrs) -> None:
    content = b"certificate of completion"
    sha2 = hashlib.sha256(content).hexdigest()
    body = statement(attachments=[attachment_declaration(content)])
    response = post_with_attachment(lrs, body, content)
    assert response.status_code == 200, response.content
    fetched = lrs.get(params={"attachments": "true"})
    assert fetched["Content-Type"].startswith("multipart/mixed")
    assert content in fetched.content
    missing = lrs.post(json.dumps(body | {"id": str(uuid.uuid4())}).replace(sha2, "a" * 64))
    assert missing.status_code == 400


def test_client_scopes_and_revocation(db: None) -> None:
    reader = client_create(actor=None, name="dashboard", can_write=False)
    writer = client_create(actor=None, name="course", can_read=False)
    own = client_create(actor=None, name="own", own_statements_only=True)
    assert Lrs(reader.client.key, reader.secret).post(json.dumps(statement())).status_code == 403
    assert Lrs(writer.client.key, writer.secret).get().status_code == 403
    Lrs(writer.client.key, writer.secret).post(json.dumps(statement()))
    (own_id,) = Lrs(own.client.key, own.secret).post(json.dumps(statement())).json()
    assert _ids(Lrs(own.client.key, own.secret).get()) == [own_id]
    assert len(_ids(Lrs(reader.client.key, reader.secret).get())) == 2
    client_revoke(actor=None, client=reader.client)
    assert Lrs(reader.client.key, reader.secret).get().status_code == 401
    assert Lrs(reader.client.key, "wrong").get().status_code == 401


def test_cors_preflight_is_answered_for_browser_content(lrs: Lrs, settings: Any) -> None:
    settings.XAPI_CORS_ORIGINS = ["https://content.example.com"]
    response = HttpClient().options("/xapi/statements", headers={"Origin": "https://content.example.com"})
    assert response.status_code in (200, 204)
    assert response["Access-Control-Allow-Origin"] == "https://content.example.com"
    assert "X-Experience-API-Version" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("kind", ["state", "profile"])
def test_documents_keep_etags_and_merge_json(lrs: Lrs, kind: str) -> None:
    agent = json.dumps({"mbox": "mailto:ana@example.com"})
    if kind == "state":
        url = f"/xapi/activities/state?activityId=http://example.com/a&agent={agent}&stateId=bookmark"
    else:
        url = "/xapi/activities/profile?activityId=http://example.com/a&profileId=settings"
    assert lrs.put(url, json.dumps({"page": 3}), HTTP_IF_NONE_MATCH="*").status_code == 204
    got = lrs.get(url)
    assert got.json() == {"page": 3} and got["ETag"]
    assert lrs.post(json.dumps({"score": 7}), url).status_code == 204
    assert lrs.get(url).json() == {"page": 3, "score": 7}
    assert lrs.put(url, json.dumps({"page": 4}), HTTP_IF_MATCH='"stale"').status_code == 412
    assert lrs.put(url, json.dumps({"page": 4}), HTTP_IF_MATCH=lrs.get(url)["ETag"]).status_code == 204
    assert lrs.post("not json", url, content_type="text/plain").status_code == 400
    assert lrs.delete(url).status_code == 204
    assert lrs.get(url).status_code == 404


def test_profiles_refuse_a_blind_overwrite(lrs: Lrs) -> None:
    url = "/xapi/activities/profile?activityId=http://example.com/a&profileId=p"
    lrs.put(url, json.dumps({"a": 1}), HTTP_IF_NONE_MATCH="*")
    assert lrs.put(url, json.dumps({"a": 2})).status_code == 409


def test_a_request_naming_no_version_is_answered_in_the_clients_version(db: None) -> None:
    legacy = client_create(actor=None, name="legacy package", xapi_version="1.0.3")
    modern = client_create(actor=None, name="modern tool")
    for issued, expected in ((legacy, "1.0.3"), (modern, "2.0.0")):
        response = Lrs(issued.client.key, issued.secret).get(HTTP_X_EXPERIENCE_API_VERSION="")
        assert response.status_code == 400
        assert response["X-Experience-API-Version"] == expected


@pytest.mark.parametrize("references_seen_before", [False, True])
def test_filters_also_return_statements_that_reference_a_match(
    lrs: Lrs, monkeypatch: pytest.MonkeyPatch, references_seen_before: bool
) -> None:
    # A process that has not yet seen a reference finds out within the page's query, then follows them.
    monkeypatch.setattr(selectors, "_references_stored", references_seen_before)
    bob = {"mbox": "mailto:bob@example.com"}
    (original,) = lrs.post(json.dumps(statement(actor=bob))).json()
    (comment,) = lrs.post(
        json.dumps(
            statement(
                verb={"id": "http://adlnet.gov/expapi/verbs/commented"},
                object={"objectType": "StatementRef", "id": original},
            )
        )
    ).json()
    (reply,) = lrs.post(
        json.dumps(
            statement(
                verb={"id": "http://adlnet.gov/expapi/verbs/responded"},
                object={"objectType": "StatementRef", "id": comment},
            )
        )
    ).json()
    lrs.post(json.dumps(statement()))  # Ana's own statement, unrelated to Bob
    assert _ids(lrs.get(params={"agent": json.dumps(bob)})) == [reply, comment, original]
    paged = lrs.get(params={"agent": json.dumps(bob), "limit": 2})
    assert _ids(paged) == [reply, comment]
    assert _ids(lrs.get(paged.json()["more"])) == [original]


def test_an_mbox_filter_finds_statements_that_named_the_agent_by_sha1(lrs: Lrs) -> None:
    digest = hashlib.sha1(b"mailto:bob@example.com").hexdigest()  # noqa: S324 (xAPI's identifier)
    (by_hash,) = lrs.post(json.dumps(statement(actor={"mbox_sha1sum": digest}))).json()
    assert _ids(lrs.get(params={"agent": json.dumps({"mbox": "mailto:bob@example.com"})})) == [by_hash]
    assert _ids(lrs.get(params={"agent": json.dumps({"mbox_sha1sum": digest})})) == [by_hash]
