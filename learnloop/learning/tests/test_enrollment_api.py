"""The enrolment API: the same services as the item page, so the same statements, audit and evidence."""

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core import policy
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.learning.services import item_create
from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Statement
from learnloop.people.models import Person
from learnloop.skills.models import SkillAssessment
from learnloop.skills.services import skill_create

API = "/api/v1"


def _client(person: Person) -> Client:
    secret = token_create(actor=person, person=person, name="test").secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def course(db: None) -> CatalogItem:
    coaching = skill_create(actor=None, name="Coaching")
    return item_create(
        actor=None, kind="self_paced", title="Coaching basics", summary="Ask more, tell less.", skills=[(coaching, 3)]
    )


def _enrolment(person: Person, item: CatalogItem, **fields: Any) -> Enrollment:
    return Enrollment.objects.create(
        person=person, item=item, registration=uuid.uuid4(), enrolled_at=timezone.now(), **fields
    )


def test_a_person_goes_through_an_item_and_every_step_is_a_statement(personas: Personas, course: CatalogItem) -> None:
    alice = _client(personas.alice)
    enrolled = _post(alice, f"{API}/enrollments", {"item_id": course.pk})
    assert enrolled.status_code == 201
    body = enrolled.json()
    assert (body["item_title"], body["status"], body["progress"]) == ("Coaching basics", "enrolled", 0)
    again = _post(alice, f"{API}/enrollments", {"item_id": course.pk})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    url = f"{API}/enrollments/{body['id']}"
    assert _post(alice, f"{url}/progress", {"progress": 40}).json()["status"] == "in_progress"
    done = _post(alice, f"{url}/complete", {"learned": "Questions first", "apply_plan": "In my next 1:1"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["progress"], done.json()["learned"]) == (
        "completed",
        100,
        "Questions first",
    )
    assert SkillAssessment.objects.get(person=personas.alice).source == "evidence"
    retaken = _post(alice, f"{url}/retake").json()
    assert retaken["status"] == "enrolled" and retaken["previously_completed_at"] is not None
    assert retaken["registration"] != body["registration"]
    assert _post(alice, f"{url}/drop").json()["status"] == "dropped"
    verbs = list(Statement.objects.filter(person=personas.alice).order_by("seq").values_list("verb_id", flat=True))
    assert verbs == [VERBS[v].iri for v in ("registered", "launched", "completed", "registered", "dropped")]
    actions = list(
        AuditEvent.objects.filter(object_type="learning.enrollment").order_by("pk").values_list("action", "source")
    )
    assert actions == [(f"enrollment.{a}", "api") for a in ("enrol", "progress", "complete", "retake", "drop")]
    # Enrolling again after dropping re-opens the same enrolment: a 201 again.
    assert _post(alice, f"{API}/enrollments", {"item_id": course.pk}).status_code == 201


def test_bad_input_is_refused_naming_the_field_and_nothing_changes(personas: Personas, course: CatalogItem) -> None:
    alice = _client(personas.alice)
    for bad in ({}, {"item_id": 0}, {"item_id": 2**63}, {"item_id": "abc"}):
        response = _post(alice, f"{API}/enrollments", bad)
        assert response.status_code == 400, bad
        assert list(response.json()["error"]["fields"]) == ["item_id"], bad
    draft = CatalogItem.objects.create(kind="book", title="Draft", summary="x", is_published=False)
    missing = _post(alice, f"{API}/enrollments", {"item_id": draft.pk + 1000}).json()["error"]
    hidden = _post(alice, f"{API}/enrollments", {"item_id": draft.pk}).json()["error"]
    assert hidden["message"].replace(str(draft.pk), "N") == missing["message"].replace(str(draft.pk + 1000), "N")
    # A draft its owner can see is still not open for enrolment: the service's reason, on item_id.
    owned = CatalogItem.objects.create(kind="book", title="Mine", summary="x", is_published=False, owner=personas.alice)
    refused = _post(alice, f"{API}/enrollments", {"item_id": owned.pk})
    assert refused.status_code == 400 and "not open" in refused.json()["error"]["fields"]["item_id"][0]
    assert not Enrollment.objects.exists()

    enrolment = _enrolment(personas.alice, course, status="completed", progress=100, completed_at=timezone.now())
    url = f"{API}/enrollments/{enrolment.pk}"
    for bad in ({"progress": 101}, {"progress": -1}, {"progress": "lots"}, {}):
        response = _post(alice, f"{url}/progress", bad)
        assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["progress"], bad
    finished = _post(alice, f"{url}/progress", {"progress": 50})
    assert finished.status_code == 400 and "status" in finished.json()["error"]["fields"]
    assert _post(alice, f"{url}/drop").status_code == 400
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.progress) == ("completed", 100)
    assert alice.get(f"{API}/enrollments?status=finished").json()["error"]["fields"].keys() == {"status"}
    assert alice.get(f"{API}/enrollments?item=0").status_code == 400
    assert not Statement.objects.filter(person=personas.alice).exists()


def test_managers_read_their_reports_enrolments_and_never_change_them(personas: Personas, course: CatalogItem) -> None:
    enrolment = _enrolment(personas.alice, course, status="in_progress", progress=30, learned="")
    for reader in (personas.alice, personas.bob, personas.mona, personas.pat):
        api = _client(reader)
        listed = api.get(f"{API}/people/{personas.alice.pk}/enrollments").json()
        assert [e["id"] for e in listed["items"]] == [enrolment.pk], reader
        assert api.get(f"{API}/enrollments/{enrolment.pk}").json()["progress"] == 30
    for outsider in (personas.oscar, personas.lena):
        api = _client(outsider)
        assert api.get(f"{API}/people/{personas.alice.pk}/enrollments").status_code == 404
        assert api.get(f"{API}/enrollments/{enrolment.pk}").status_code == 404
    bob = _client(personas.bob)
    for action, data in (("progress", {"progress": 90}), ("complete", {}), ("drop", None), ("retake", None)):
        assert _post(bob, f"{API}/enrollments/{enrolment.pk}/{action}", data).status_code == 404
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.progress) == ("in_progress", 30)
    # A missing enrolment answers exactly like one the caller may not see.
    assert (
        bob.get(f"{API}/enrollments/{enrolment.pk + 1000}").json()
        == bob.post(f"{API}/enrollments/{enrolment.pk}/drop").json()
    )


def test_my_enrolments_filter_by_status_and_item_and_page(personas: Personas, course: CatalogItem) -> None:
    others = [CatalogItem.objects.create(kind="book", title=f"Book {n}", summary="x") for n in range(3)]
    _enrolment(personas.alice, course, status="completed", progress=100, completed_at=timezone.now())
    for item in others:
        _enrolment(personas.alice, item)
    _enrolment(personas.oscar, course)
    alice = _client(personas.alice)
    everything = alice.get(f"{API}/enrollments").json()
    assert everything["count"] == 4 and {e["person_id"] for e in everything["items"]} == {personas.alice.pk}
    assert [e["item_id"] for e in alice.get(f"{API}/enrollments?status=completed").json()["items"]] == [course.pk]
    assert alice.get(f"{API}/enrollments?status=enrolled").json()["count"] == 3
    assert [e["item_id"] for e in alice.get(f"{API}/enrollments?item={others[0].pk}").json()["items"]] == [others[0].pk]
    page = alice.get(f"{API}/enrollments?limit=2&offset=2").json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert alice.get(f"{API}/enrollments?limit=2").json()["items"] != page["items"]


@pytest.mark.parametrize("url", ["/enrollments", "/people/{alice}/enrollments"])
def test_enrolment_lists_cost_the_same_queries_for_2_or_20_rows(personas: Personas, url: str) -> None:
    """Alice's own list, and the list her skip-level manager reads (the reporting-line subquery)."""
    reader = personas.alice if url == "/enrollments" else personas.mona
    api = _client(reader)
    api.get(f"{API}/me")  # the token's first use is recorded once; leave that out of the count
    counts = []
    for size in (2, 20):
        Enrollment.objects.all().delete()
        for n in range(size):
            item = CatalogItem.objects.create(kind="book", title=f"Book {size}-{n}", summary="x")
            _enrolment(personas.alice, item)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(API + url.format(alice=personas.alice.pk))
        assert response.json()["count"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_enrolment_rules_answer_the_same_for_one_object_and_for_a_list(
    personas: Personas, course: CatalogItem
) -> None:
    for person in Person.objects.all():
        _enrolment(person, course)
    for reader in Person.objects.all():
        for action in ("view", "change"):
            scoped = set(policy.scope(reader, action, Enrollment.objects.all()).values_list("pk", flat=True))
            one_by_one = {e.pk for e in Enrollment.objects.all() if policy.can(reader, action, e)}
            assert scoped == one_by_one, (reader, action)
    seen_by_bob = Enrollment.objects.filter(pk__in=policy.scope(personas.bob, "view", Enrollment.objects.all()))
    assert {e.person_id for e in seen_by_bob} == {personas.bob.pk, personas.alice.pk}
