"""Client isolation: a client that reads only its own statements (B, `--own-only`) beside another client
(A) reaches none of A's documents, statements, attachment content or paging links; and `more` links
work only for the client they were issued to, and only for a while."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import time_machine

from learnloop.lrs.models import Document, Statement
from learnloop.lrs.services import client_create
from learnloop.lrs.tests.conftest import Lrs, attachment_declaration, post_with_attachment, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
AGENT = json.dumps({"mbox": "mailto:ana@example.com"})
ACTIVITY = "http://example.com/courses/1"


@dataclass
class Pair:
    a: Lrs  # reads and writes everything
    b: Lrs  # reads only its own statements


@pytest.fixture
def pair(db: None) -> Pair:
    a = client_create(actor=None, name="A, the academy player")
    b = client_create(actor=None, name="B, a vendor package", own_statements_only=True)
    return Pair(Lrs(a.client.key, a.secret), Lrs(b.client.key, b.secret))


def _ids(response: object) -> list[str]:
    return [s["id"] for s in response.json()["statements"]]  # type: ignore[attr-defined]


def _state(**params: str) -> str:
    return f"/xapi/activities/state?{urlencode({'activityId': ACTIVITY, 'agent': AGENT, **params})}"


def _agent_profile(**params: str) -> str:
    return f"/xapi/agents/profile?{urlencode({'agent': AGENT, **params})}"


def _activity_profile(**params: str) -> str:
    return f"/xapi/activities/profile?{urlencode({'activityId': ACTIVITY, **params})}"


def test_an_own_only_client_cannot_read_or_delete_another_clients_state(pair: Pair) -> None:
    assert pair.a.put(_state(stateId="bookmark"), json.dumps({"page": 12})).status_code == 204
    assert pair.b.get(_state(stateId="bookmark")).status_code == 404
    assert pair.b.get(_state()).json() == []
    # A DELETE without stateId deletes every state of the activity and agent, but only in B's own space.
    assert pair.b.delete(_state()).status_code == 204
    assert pair.b.delete(_state(stateId="bookmark")).status_code == 204
    assert pair.a.get(_state(stateId="bookmark")).json() == {"page": 12}


def test_an_own_only_client_keeps_its_documents_in_a_space_of_its_own(pair: Pair) -> None:
    pair.a.put(_state(stateId="bookmark"), json.dumps({"page": 12}))
    assert pair.b.put(_state(stateId="bookmark"), json.dumps({"page": 1})).status_code == 204
    assert pair.b.post(json.dumps({"score": 3}), _state(stateId="bookmark")).status_code == 204
    assert pair.b.get(_state(stateId="bookmark")).json() == {"page": 1, "score": 3}
    assert pair.a.get(_state(stateId="bookmark")).json() == {"page": 12}
    assert pair.b.get(_state()).json() == ["bookmark"]
    pair.b.delete(_state())
    assert pair.a.get(_state()).json() == ["bookmark"]
    assert Document.objects.filter(owner__isnull=True).count() == 1


@pytest.mark.parametrize("url", [_agent_profile, _activity_profile], ids=["agent profile", "activity profile"])
def test_an_own_only_client_cannot_read_change_or_delete_another_clients_profiles(
    pair: Pair, url: Callable[..., str]
) -> None:
    make = url
    assert pair.a.put(make(profileId="prefs"), json.dumps({"theme": "dark"}), HTTP_IF_NONE_MATCH="*").status_code == 204
    etag = pair.a.get(make(profileId="prefs"))["ETag"]
    assert pair.b.get(make(profileId="prefs")).status_code == 404
    assert pair.b.get(make()).json() == []
    # A's ETag names no document of B's: the precondition fails instead of overwriting A's.
    assert pair.b.put(make(profileId="prefs"), json.dumps({"theme": "x"}), HTTP_IF_MATCH=etag).status_code == 412
    assert pair.b.delete(make(profileId="prefs")).status_code == 204
    assert pair.a.get(make(profileId="prefs")).json() == {"theme": "dark"}
    assert pair.a.get(make()).json() == ["prefs"]


def test_an_own_only_client_cannot_void_another_clients_statement(pair: Pair) -> None:
    (target,) = pair.a.post(json.dumps(statement())).json()
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    # Stored, as a voiding statement whose target the LRS does not hold would be: B learns nothing.
    assert pair.b.post(json.dumps(voiding)).status_code == 200
    assert not Statement.objects.get(statement_id=target).voided
    assert pair.a.get(params={"statementId": target}).status_code == 200
    assert target in _ids(pair.a.get())
    # B voids its own statements as before.
    (own,) = pair.b.post(json.dumps(statement())).json()
    pair.b.post(json.dumps(statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": own})))
    assert pair.b.get(params={"voidedStatementId": own}).json()["id"] == own


def test_a_write_only_client_voids_only_its_own_statements(pair: Pair) -> None:
    issued = client_create(actor=None, name="W, a write-only player", can_read=False)
    writer = Lrs(issued.client.key, issued.secret)
    (others,) = pair.a.post(json.dumps(statement())).json()
    (own,) = writer.post(json.dumps(statement())).json()
    for target in (others, own):
        voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
        assert writer.post(json.dumps(voiding)).status_code == 200
    assert not Statement.objects.get(statement_id=others).voided
    assert Statement.objects.get(statement_id=own).voided


def _with_attachment(lrs: Lrs, content: bytes) -> str:
    response = post_with_attachment(lrs, statement(attachments=[attachment_declaration(content)]), content)
    assert response.status_code == 200, response.content
    return str(response.json()[0])


def test_an_own_only_client_cannot_fetch_another_clients_attachment_by_naming_its_hash(pair: Pair) -> None:
    secret = b"A's private certificate for Ana"
    _with_attachment(pair.a, secret)
    claim = statement(attachments=[attachment_declaration(secret, fileUrl="http://example.com/cert.txt")])
    (claimed,) = pair.b.post(json.dumps(claim)).json()
    listed = pair.b.get(params={"attachments": "true"})
    assert listed.status_code == 200 and _claimed_in(listed.content, claimed) and secret not in listed.content
    single = pair.b.get(params={"statementId": claimed, "attachments": "true"})
    assert single.status_code == 200 and secret not in single.content
    # A, which sent it, and a client that reads everything still get it.
    assert secret in pair.a.get(params={"attachments": "true"}).content


def _claimed_in(content: bytes, statement_id: str) -> bool:
    return statement_id.encode() in content


def test_an_own_only_client_gets_back_the_attachments_it_sent(pair: Pair) -> None:
    mine = b"B's own certificate"
    _with_attachment(pair.a, mine)  # the same content, sent by A first: stored once
    _with_attachment(pair.b, mine)
    assert mine in pair.b.get(params={"attachments": "true"}).content


def test_a_more_link_works_only_for_the_client_it_was_issued_to(db: None) -> None:
    issued_a = client_create(actor=None, name="A")
    issued_c = client_create(actor=None, name="C, another full reader")
    a, c = Lrs(issued_a.client.key, issued_a.secret), Lrs(issued_c.client.key, issued_c.secret)
    a.post(json.dumps([statement() for _ in range(3)]))
    more = a.get(params={"limit": 1}).json()["more"]
    assert more
    refused = c.get(more)
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"more": ["this more link is not valid for this client"]}
    assert a.get(more).status_code == 200


def test_an_own_only_clients_more_link_does_not_widen_another_clients_view(pair: Pair) -> None:
    pair.a.post(json.dumps([statement() for _ in range(3)]))
    more = pair.a.get(params={"limit": 1}).json()["more"]
    assert pair.b.get(more).status_code == 400


def test_a_more_link_expires(pair: Pair, settings: object) -> None:
    issued_at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    lifetime = dt.timedelta(seconds=settings.LRS_MORE_LINK_SECONDS)  # type: ignore[attr-defined]
    with time_machine.travel(issued_at, tick=False):
        pair.a.post(json.dumps([statement() for _ in range(3)]))
        more = pair.a.get(params={"limit": 1}).json()["more"]
    with time_machine.travel(issued_at + lifetime - dt.timedelta(seconds=5), tick=False):
        assert pair.a.get(more).status_code == 200
    with time_machine.travel(issued_at + lifetime + dt.timedelta(seconds=5), tick=False):
        expired = pair.a.get(more)
    assert expired.status_code == 400
    assert expired.json()["error"]["fields"] == {"more": ["this more link has expired; run the query again"]}


def test_a_tampered_more_link_is_refused(pair: Pair) -> None:
    pair.a.post(json.dumps([statement() for _ in range(3)]))
    more = pair.a.get(params={"limit": 1}).json()["more"]
    assert pair.a.get(more[:-3] + "abc").status_code == 400
