"""The resources beyond statements, and version-specific rules the conformance suite checks."""

import base64
import hashlib
import json
import uuid
from urllib.parse import urlencode

from learnloop.lrs.tests.conftest import Lrs, statement

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def test_activities_answer_with_the_merged_definition(lrs: Lrs) -> None:
    activity = "http://example.com/courses/merge"
    lrs.post(json.dumps(statement(object={"id": activity, "definition": {"name": {"en-US": "Merge"}}})))
    lrs.post(json.dumps(statement(object={"id": activity, "definition": {"name": {"de-DE": "Zusammenführen"}}})))
    body = lrs.get("/xapi/activities", {"activityId": activity}).json()
    assert body["id"] == activity and body["definition"]["name"] == {"en-US": "Merge", "de-DE": "Zusammenführen"}
    assert lrs.get("/xapi/activities").status_code == 400


def test_agents_answer_with_a_person_object(lrs: Lrs) -> None:
    agent = {"objectType": "Agent", "name": "Ana", "mbox": "mailto:ana@example.com"}
    body = lrs.get("/xapi/agents", {"agent": json.dumps(agent)}).json()
    assert body["objectType"] == "Person" and body["mbox"] == ["mailto:ana@example.com"]
    assert lrs.get("/xapi/agents", {"agent": json.dumps({"name": "no identifier"})}).status_code == 400


def test_agent_profiles_need_a_precondition_and_keep_etags(lrs: Lrs) -> None:
    agent = json.dumps({"mbox": "mailto:ana@example.com"})
    url = f"/xapi/agents/profile?{urlencode({'agent': agent, 'profileId': 'prefs'})}"
    assert lrs.put(url, json.dumps({"theme": "dark"})).status_code == 400  # a new document needs If-None-Match
    assert lrs.put(url, json.dumps({"theme": "dark"}), HTTP_IF_NONE_MATCH="*").status_code == 204
    etag = lrs.get(url)["ETag"]
    assert lrs.put(url, json.dumps({"theme": "light"}), HTTP_IF_NONE_MATCH="*").status_code == 412
    assert lrs.put(url, json.dumps({"theme": "light"}), HTTP_IF_MATCH=etag).status_code == 204
    listing = lrs.get(f"/xapi/agents/profile?{urlencode({'agent': agent})}").json()
    assert listing == ["prefs"]


def test_state_documents_are_scoped_by_registration(lrs: Lrs) -> None:
    agent = json.dumps({"mbox": "mailto:ana@example.com"})
    base = {"activityId": "http://example.com/a", "agent": agent, "stateId": "s"}
    one, two = str(uuid.uuid4()), str(uuid.uuid4())
    lrs.put(f"/xapi/activities/state?{urlencode({**base, 'registration': one})}", json.dumps({"r": 1}))
    lrs.put(f"/xapi/activities/state?{urlencode({**base, 'registration': two})}", json.dumps({"r": 2}))
    assert lrs.get(f"/xapi/activities/state?{urlencode({**base, 'registration': one})}").json() == {"r": 1}
    scope = {"activityId": "http://example.com/a", "agent": agent}
    assert lrs.delete(f"/xapi/activities/state?{urlencode({**scope, 'registration': one})}").status_code == 204
    assert lrs.get(f"/xapi/activities/state?{urlencode({**base, 'registration': one})}").status_code == 404
    assert lrs.get(f"/xapi/activities/state?{urlencode({**base, 'registration': two})}").json() == {"r": 2}


def test_xapi_2_requires_a_precondition_to_overwrite_state(db: None) -> None:
    from learnloop.lrs.services import client_create

    issued = client_create(actor=None, name="v2")
    v2 = Lrs(issued.client.key, issued.secret, version="2.0.0")
    agent = json.dumps({"mbox": "mailto:a@e.com"})
    url = f"/xapi/activities/state?{urlencode({'activityId': 'http://e.com/a', 'agent': agent, 'stateId': 's'})}"
    assert v2.put(url, json.dumps({"a": 1}), HTTP_IF_NONE_MATCH="*").status_code == 204
    assert v2.put(url, json.dumps({"a": 2})).status_code == 409


def test_the_alternate_request_syntax_works_in_1_0_3_only(lrs: Lrs) -> None:
    statement_id = str(uuid.uuid4())
    form = {
        "statementId": statement_id,
        "content": json.dumps(statement()),
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
    }
    response = lrs.http.post(
        "/xapi/statements?method=PUT", urlencode(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 204, response.content
    assert lrs.get(params={"statementId": statement_id}).status_code == 200
    v2 = lrs.http.post(
        "/xapi/statements?method=GET",
        urlencode({"X-Experience-API-Version": "2.0.0"}),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_EXPERIENCE_API_VERSION="2.0.0",
    )
    assert v2.status_code == 400


def test_context_activities_come_back_as_arrays(lrs: Lrs) -> None:
    (statement_id,) = lrs.post(
        json.dumps(statement(context={"contextActivities": {"parent": {"id": "http://example.com/p"}}}))
    ).json()
    stored = lrs.get(params={"statementId": statement_id}).json()
    parent = stored["context"]["contextActivities"]["parent"]
    assert isinstance(parent, list) and [a["id"] for a in parent] == ["http://example.com/p"]


def _jws(payload: dict[str, object], alg: str = "RS256") -> bytes:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = b64(json.dumps({"alg": alg}).encode())
    body = b64(json.dumps(payload).encode())
    return f"{header}.{body}.{b64(b'not-checked-without-x5c')}".encode()


def _signed_request(lrs: Lrs, body: dict[str, object], token: bytes) -> int:
    sha2 = hashlib.sha256(token).hexdigest()
    body = {
        **body,
        "attachments": [
            {
                "usageType": SIGNATURE,
                "display": {"en-US": "signature"},
                "contentType": "application/octet-stream",
                "length": len(token),
                "sha2": sha2,
            }
        ],
    }
    payload = (
        (
            f"--b\r\nContent-Type: application/json\r\n\r\n{json.dumps(body)}\r\n"
            f"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n"
        ).encode()
        + token
        + b"\r\n--b--\r\n"
    )
    return int(lrs.post(payload, content_type="multipart/mixed; boundary=b").status_code)


def test_signed_statements_must_sign_what_they_carry(lrs: Lrs) -> None:
    body = statement()
    assert _signed_request(lrs, body, _jws(body)) == 200
    tampered = statement(verb={"id": "http://adlnet.gov/expapi/verbs/failed"})
    assert _signed_request(lrs, body, _jws(tampered)) == 400
    assert _signed_request(lrs, body, _jws(body, alg="HS256")) == 400
    assert _signed_request(lrs, body, b"not a jws") == 400
