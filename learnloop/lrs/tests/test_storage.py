"""How statements are stored: one key per agent, few rows per statement, a fixed number of queries."""

import hashlib
import importlib
import json
import uuid
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.lrs.models import Client, Statement, StatementActivity, StatementAgent
from learnloop.lrs.tests.conftest import Lrs, statement

ADL = "http://adlnet.gov/expapi/verbs/"


def _ids(response: Any) -> list[str]:
    return [s["id"] for s in response.json()["statements"]]


def _learner(n: int) -> dict[str, Any]:
    return {"objectType": "Agent", "name": f"Learner {n}", "mbox": f"mailto:learner{n}@example.com"}


def _course_statement(n: int, course: int = 1) -> dict[str, Any]:
    return statement(
        actor=_learner(n),
        object={"objectType": "Activity", "id": f"http://example.com/courses/{course}/module"},
        context={
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": f"http://example.com/courses/{course}"}]},
        },
    )


def _queries(action: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_a_batch_takes_the_same_number_of_queries_whatever_its_size(lrs: Lrs) -> None:
    lrs.post(json.dumps([_course_statement(0)]))  # the activities are known from here on
    small = _queries(lambda: lrs.post(json.dumps([_course_statement(n) for n in range(10)])))
    large = _queries(lambda: lrs.post(json.dumps([_course_statement(n) for n in range(100)])))
    assert small == large
    assert Statement.objects.count() == 111


def test_a_plain_statement_writes_only_its_row_and_its_context_activities(lrs: Lrs) -> None:
    (statement_id,) = lrs.post(json.dumps(_course_statement(1))).json()
    stored = Statement.objects.get(statement_id=statement_id)
    # Actor, object and authority are columns; only the parent course needs a side row.
    assert not StatementAgent.objects.exists()
    assert list(StatementActivity.objects.values_list("statement_id", "activity_id")) == [
        (stored.seq, "http://example.com/courses/1")
    ]
    digest = hashlib.sha1(b"mailto:learner1@example.com").hexdigest()  # noqa: S324 (xAPI's identifier)
    assert stored.actor_key == f"mbox_sha1sum:{digest}"


def test_agent_reads_take_the_same_number_of_queries_however_many_statements_match(lrs: Lrs) -> None:
    ana = json.dumps(statement()["actor"])
    counts = []
    for n in (3, 60):
        lrs.post(json.dumps([statement() for _ in range(n)]))
        counts.append(_queries(lambda: lrs.get(params={"agent": ana, "limit": 25})))
    assert counts[0] == counts[1]
    # Newest first needs no look-up of the highest seq for its more link; the link still pages on.
    first = lrs.get(params={"agent": ana, "limit": 25})
    following = lrs.get(first.json()["more"])
    assert len(_ids(first)) == 25 and len(_ids(following)) == 25
    assert not set(_ids(first)) & set(_ids(following))


def test_an_agent_object_is_found_under_either_identifier_form(lrs: Lrs) -> None:
    digest = hashlib.sha1(b"mailto:bob@example.com").hexdigest()  # noqa: S324
    (about_bob,) = lrs.post(
        json.dumps(statement(verb={"id": ADL + "mentored"}, object={"objectType": "Agent", "mbox_sha1sum": digest}))
    ).json()
    assert _ids(lrs.get(params={"agent": json.dumps({"mbox": "mailto:bob@example.com"})})) == [about_bob]
    assert _ids(lrs.get(params={"agent": json.dumps({"mbox_sha1sum": digest.upper()})})) == [about_bob]


def test_related_agents_finds_instructors_members_and_the_authority(lrs: Lrs) -> None:
    carla = {"objectType": "Agent", "mbox": "mailto:carla@example.com"}
    dev = {"objectType": "Agent", "account": {"homePage": "https://example.com", "name": "dev"}}
    (taught,) = lrs.post(json.dumps(statement(context={"instructor": carla}))).json()
    team = {"objectType": "Group", "name": "Team", "member": [dev, _learner(7)]}
    (by_team,) = lrs.post(json.dumps(statement(actor=team))).json()
    for agent, expected in ((carla, [taught]), (dev, [by_team])):
        assert _ids(lrs.get(params={"agent": json.dumps(agent)})) == []
        assert _ids(lrs.get(params={"agent": json.dumps(agent), "related_agents": "true"})) == [expected[0]]
    client = Client.objects.get(name="test player")
    authority = {"objectType": "Agent", "account": {"homePage": settings.SITE_URL, "name": client.key}}
    assert _ids(lrs.get(params={"agent": json.dumps(authority)})) == []
    assert _ids(lrs.get(params={"agent": json.dumps(authority), "related_agents": "true"})) == [by_team, taught]


def test_related_activities_finds_context_and_sub_statement_activities(lrs: Lrs) -> None:
    (in_course,) = lrs.post(json.dumps(_course_statement(1, course=5))).json()
    sub = {
        "objectType": "SubStatement",
        "actor": _learner(2),
        "verb": {"id": ADL + "attempted"},
        "object": {"objectType": "Activity", "id": "http://example.com/courses/5"},
    }
    (planned,) = lrs.post(json.dumps(statement(verb={"id": ADL + "planned"}, object=sub))).json()
    course = "http://example.com/courses/5"
    assert _ids(lrs.get(params={"activity": course})) == []
    assert _ids(lrs.get(params={"activity": course, "related_activities": "true"})) == [planned, in_course]


def test_exact_pages_return_the_statement_as_stored(lrs: Lrs) -> None:
    extensions = {"http://example.com/x": {"big": 2**80, "text": "50% naïve ✓", "nested": [1.5, None, True]}}
    sent = statement(result={"extensions": extensions})
    (statement_id,) = lrs.post(json.dumps(sent)).json()
    (got,) = lrs.get(params={"agent": json.dumps(sent["actor"])}).json()["statements"]
    assert got["id"] == statement_id
    assert got["result"]["extensions"] == extensions
    assert lrs.get(params={"agent": json.dumps(sent["actor"]), "format": "ids"}).json()["statements"][0]["actor"] == {
        "objectType": "Agent",
        "mbox": "mailto:ana@example.com",
    }


def test_the_storage_migration_rewrites_keys_and_side_rows(lrs: Lrs) -> None:
    """0005 on statements stored the old way: mbox identifiers, and a side row for everything."""
    carla = {"objectType": "Agent", "mbox": "mailto:carla@example.com"}
    lrs.post(json.dumps(statement(object=carla, context={"instructor": _learner(3)})))
    row = Statement.objects.get()
    Statement.objects.update(actor_key="mbox:mailto:ana@example.com", object_ref="mbox:mailto:carla@example.com")
    StatementAgent.objects.all().delete()
    for old in ("mbox:mailto:ana@example.com", "mbox:mailto:carla@example.com", "account:x|authority"):
        StatementAgent.objects.create(statement=row, agent_key=old)
    StatementActivity.objects.create(statement=row, activity_id="http://example.com/courses/1")

    importlib.import_module("learnloop.lrs.migrations.0005_statement_keys_data").forwards(apps, None)

    row.refresh_from_db()
    assert row.actor_key == "mbox_sha1sum:" + hashlib.sha1(b"mailto:ana@example.com").hexdigest()  # noqa: S324
    assert row.object_ref == "mbox_sha1sum:" + hashlib.sha1(b"mailto:carla@example.com").hexdigest()  # noqa: S324
    instructor = "mbox_sha1sum:" + hashlib.sha1(b"mailto:learner3@example.com").hexdigest()  # noqa: S324
    assert list(StatementAgent.objects.values_list("agent_key", flat=True)) == [instructor]
    assert not StatementActivity.objects.exists()
    assert _ids(lrs.get(params={"agent": json.dumps(carla)})) == [str(row.statement_id)]


def test_references_are_followed_from_side_table_matches_too(lrs: Lrs) -> None:
    carla = {"objectType": "Agent", "mbox": "mailto:carla@example.com"}
    (taught,) = lrs.post(json.dumps(statement(context={"instructor": carla}))).json()
    (comment,) = lrs.post(
        json.dumps(statement(verb={"id": ADL + "commented"}, object={"objectType": "StatementRef", "id": taught}))
    ).json()
    lrs.post(json.dumps(statement()))  # unrelated to Carla
    assert _ids(lrs.get(params={"agent": json.dumps(carla), "related_agents": "true"})) == [comment, taught]
    assert _ids(lrs.get(params={"agent": json.dumps(carla)})) == []


def test_a_statement_stored_by_another_request_meanwhile_is_a_conflict_not_an_error(
    lrs: Lrs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests may send the same id at once: both find it new, the second insert must become a 409."""
    from learnloop.lrs import services

    sent = statement(id=str(uuid.uuid4()))
    find_people = services._people_for

    def other_request_stores_it_first(actors: list[dict[str, Any]]) -> list[int | None]:
        Statement.objects.create(
            statement_id=sent["id"],
            stored=timezone.now(),
            timestamp=timezone.now(),
            actor_key="mbox_sha1sum:0",
            verb_id=sent["verb"]["id"],
            object_type="Activity",
            object_ref=sent["object"]["id"],
            version="1.0.0",
            data=sent,
        )
        return find_people(actors)

    monkeypatch.setattr(services, "_people_for", other_request_stores_it_first)
    response = lrs.post(json.dumps(sent))
    assert response.status_code == 409
    assert "concurrently" in response.json()["error"]["message"]


def test_page_sql_compiled_once_per_shape_equals_what_the_orm_compiles_for_the_real_values(lrs: Lrs) -> None:
    import datetime as dt

    from learnloop.lrs import selectors

    if not connection.features.supports_slicing_ordering_in_compound:
        pytest.skip("SQLite runs each source as its own query; nothing is compiled ahead")
    issued = Client.objects.get()
    on_site = {"account": {"homePage": settings.SITE_URL, "name": issued.key}}
    moment = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    filters = [
        selectors.StatementFilter(agent=_learner(1), limit=25),
        selectors.StatementFilter(agent=_learner(2), verb=ADL + "completed", ascending=True, limit=10),
        selectors.StatementFilter(agent=on_site, related_agents=True),
        selectors.StatementFilter(agent={"objectType": "Group", "member": [_learner(3)]}),
        selectors.StatementFilter(activity="http://example.com/courses/1", related_activities=True, client_id=7),
        selectors.StatementFilter(registration=str(uuid.uuid4()), since=moment, until=moment + dt.timedelta(days=1)),
        selectors.StatementFilter(since=moment, limit=100),
    ]
    for query in filters:
        for after_seq, bound in ((None, None), (40, 90)):
            for follow, probe, walk in ((False, False, True), (True, False, True), (False, True, False)):
                # Twice each: the first compiles the shape with stand-ins, the second reuses it.
                for _ in range(2):
                    values = selectors._page_values(query, bound=bound, after_seq=after_seq)
                    limit = min(query.limit or 500, 500)
                    cached = selectors._page_sql(query, values, limit=limit, follow=follow, probe=probe, walk=walk)
                    compiled = selectors._compiled(query, values, limit=limit, follow=follow, probe=probe, walk=walk)
                    assert cached == compiled
    same_shape = selectors.StatementFilter(agent=_learner(9), limit=25)
    values = selectors._page_values(same_shape, bound=None, after_seq=None)
    _, params = selectors._page_sql(same_shape, values, limit=25, follow=False, probe=False) or ("", [])
    assert values.key in params and "\x00" not in "".join(str(p) for p in params)
