import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client as HttpClient
from django.utils import timezone

from learnloop.core.testing import Personas
from learnloop.learning.enrollment import (
    enrollment_complete,
    enrollment_drop,
    enrollment_enrol,
    enrollment_progress,
    item_activity_id,
)
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.learning.services import item_create, item_update
from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Client, Statement
from learnloop.lrs.services import client_create, client_trust
from learnloop.lrs.tests.conftest import Lrs
from learnloop.skills.models import SkillAssessment
from learnloop.skills.services import skill_create


@pytest.fixture
def course(db: None) -> CatalogItem:
    coaching = skill_create(actor=None, name="Coaching")
    return item_create(
        actor=None,
        kind="self_paced",
        title="Coaching basics",
        summary="Ask more, tell less.",
        delivery="link",
        url="https://academy.example/coaching-basics",
        skills=[(coaching, 3)],
    )


def _player(name: str, *prefixes: str) -> tuple[Client, Lrs]:
    """A write client trusted for these activity IRI prefixes only."""
    issued = client_create(actor=None, name=name, trusted_activity_prefixes=list(prefixes))
    return issued.client, Lrs(issued.client.key, issued.secret)


def _trusted_player(name: str) -> Lrs:
    """A course player trusted for the academy's content and for learnloop's catalog item IRIs."""
    return _player(name, "https://academy.example/", f"{settings.SITE_URL}/xapi/activities/catalog-item/")[1]


def _verbs(person_id: int) -> list[str]:
    return list(Statement.objects.filter(person_id=person_id).order_by("seq").values_list("verb_id", flat=True))


def test_every_step_is_an_xapi_statement_with_one_registration(personas: Personas, course: CatalogItem) -> None:
    enrollment = enrollment_enrol(actor=personas.alice, person=personas.alice, item=course)
    enrollment_progress(actor=personas.alice, enrollment=enrollment, percent=40)
    enrollment_progress(actor=personas.alice, enrollment=enrollment, percent=70)
    enrollment_complete(actor=personas.alice, enrollment=enrollment, learned="Questions first", apply_plan="Next 1:1")
    assert _verbs(personas.alice.pk) == [VERBS[v].iri for v in ("registered", "launched", "progressed", "completed")]
    registrations = {s.registration for s in Statement.objects.filter(person=personas.alice)}
    assert registrations == {enrollment.registration}
    completed = Statement.objects.get(verb_id=VERBS["completed"].iri)
    assert completed.object_ref == item_activity_id(course)
    # The reflection is for the person and their managers, not for every LRS reader.
    assert completed.data["result"] == {"completion": True}
    assert "Questions first" not in str(completed.data)


def test_completion_counts_as_skill_evidence(personas: Personas, course: CatalogItem) -> None:
    enrollment = enrollment_enrol(actor=personas.alice, person=personas.alice, item=course)
    enrollment_complete(actor=personas.alice, enrollment=enrollment)
    evidence = SkillAssessment.objects.get(person=personas.alice)
    assert (evidence.source, evidence.level, evidence.skill.name) == ("evidence", 3, "Coaching")
    assert "Coaching basics" in evidence.evidence


def test_drop_and_enrol_again(personas: Personas, course: CatalogItem) -> None:
    enrollment = enrollment_enrol(actor=personas.alice, person=personas.alice, item=course)
    enrollment_drop(actor=personas.alice, enrollment=enrollment)
    with pytest.raises(ValidationError):
        enrollment_progress(actor=personas.alice, enrollment=enrollment, percent=10)
    again = enrollment_enrol(actor=personas.alice, person=personas.alice, item=course)
    assert again.pk == enrollment.pk and again.status == Enrollment.Status.ENROLLED
    with pytest.raises(ValidationError):
        enrollment_enrol(actor=personas.bob, person=personas.alice, item=course)


def test_the_item_page_takes_a_person_through_it(personas: Personas, course: CatalogItem) -> None:
    client = HttpClient()
    client.force_login(personas.alice)
    client.post(f"/catalog/{course.pk}/enrol/")
    client.post(f"/catalog/{course.pk}/progress/", {"progress": "50"})
    assert Enrollment.objects.get().progress == 50
    assert client.post(f"/catalog/{course.pk}/progress/", {"progress": "150"}).status_code == 302
    assert Enrollment.objects.get().progress == 50
    client.post(f"/catalog/{course.pk}/complete/", {"learned": "Open questions"})
    assert Enrollment.objects.get().status == "completed"
    assert "Coaching basics" in client.get("/catalog/mine/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_statements_from_external_content_move_catalog_progress(personas: Personas, course: CatalogItem) -> None:
    player = _trusted_player("Academy player")
    actor = {"mbox": f"mailto:{personas.alice.email}", "name": "Alice"}
    progressed = {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed"},
        "object": {"id": course.url},
        "result": {"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": 60}},
    }
    assert player.post(json.dumps(progressed)).status_code == 200
    call_command("worker", "--batch", verbosity=0)
    enrollment = Enrollment.objects.get(person=personas.alice, item=course)
    assert (enrollment.status, enrollment.progress) == ("in_progress", 60)
    completed = {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": item_activity_id(course)},
    }
    player.post(json.dumps(completed))
    stranger = {
        "actor": {"mbox": "mailto:nobody@elsewhere.example"},
        "verb": completed["verb"],
        "object": completed["object"],
    }
    player.post(json.dumps(stranger))
    call_command("worker", "--batch", verbosity=0)
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"
    assert SkillAssessment.objects.filter(person=personas.alice, source="evidence").count() == 1
    assert Enrollment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_completion_from_external_content_is_dated_when_it_happened(personas: Personas, course: CatalogItem) -> None:
    player = _trusted_player("Academy player")
    two_weeks_ago = (timezone.now() - dt.timedelta(days=14)).replace(microsecond=0)
    completed = {
        "actor": {"mbox": f"mailto:{personas.alice.email}"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": item_activity_id(course)},
        "timestamp": two_weeks_ago.isoformat(),
    }
    assert player.post(json.dumps(completed)).status_code == 200
    tomorrow = {**completed, "timestamp": (timezone.now() + dt.timedelta(days=1)).isoformat()}
    assert player.post(json.dumps({**tomorrow, "actor": {"mbox": f"mailto:{personas.bob.email}"}})).status_code == 200
    call_command("worker", "--batch", verbosity=0)
    alice = Enrollment.objects.get(person=personas.alice, item=course)
    assert alice.completed_at == two_weeks_ago and alice.enrolled_at == two_weeks_ago
    evidence = SkillAssessment.objects.get(person=personas.alice, source="evidence")
    assert evidence.assessed_at == two_weeks_ago
    # A clock ahead of ours is held to now: nothing is recorded in the future.
    bob = Enrollment.objects.get(person=personas.bob, item=course)
    assert bob.completed_at is not None and bob.completed_at <= timezone.now()


@pytest.mark.django_db(transaction=True)
def test_late_statements_keep_the_order_they_happened_in(personas: Personas, course: CatalogItem) -> None:
    player = _trusted_player("Offline player")
    launched_at = (timezone.now() - dt.timedelta(days=3)).replace(microsecond=0)
    base = {"actor": {"mbox": f"mailto:{personas.alice.email}"}, "object": {"id": item_activity_id(course)}}
    batch = [
        {**base, "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"}, "timestamp": launched_at.isoformat()},
        {
            **base,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "timestamp": (launched_at + dt.timedelta(hours=2)).isoformat(),
        },
    ]
    assert player.post(json.dumps(batch)).status_code == 200
    call_command("worker", "--batch", verbosity=0)
    enrollment = Enrollment.objects.get(person=personas.alice, item=course)
    assert enrollment.enrolled_at == enrollment.started_at == launched_at
    assert enrollment.completed_at == launched_at + dt.timedelta(hours=2)


@pytest.mark.django_db(transaction=True)
def test_only_statements_that_may_move_an_enrolment_reach_the_background_task(
    personas: Personas, course: CatalogItem
) -> None:
    from django_tasks_db.models import DBTaskResult

    player = _trusted_player("Academy player")
    alice = {"mbox": f"mailto:{personas.alice.email}"}
    completed = {"id": "http://adlnet.gov/expapi/verbs/completed"}
    unconcerned = [
        {"actor": {"mbox": "mailto:nobody@elsewhere.example"}, "verb": completed, "object": {"id": course.url}},
        {"actor": alice, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}, "object": {"id": course.url}},
        {"actor": alice, "verb": completed, "object": {"objectType": "Agent", "mbox": "mailto:bob@example.com"}},
    ]
    assert player.post(json.dumps(unconcerned)).status_code == 200
    assert not DBTaskResult.objects.exists()
    answered_completely = {**unconcerned[1], "result": {"completion": True}}
    assert player.post(json.dumps(answered_completely)).status_code == 200
    assert DBTaskResult.objects.count() == 1
    call_command("worker", "--batch", verbosity=0)
    assert Enrollment.objects.get(person=personas.alice, item=course).status == "completed"


# --- Forged learning: only trusted clients move learning, and only on published items -------------

COMPLETED = {"id": "http://adlnet.gov/expapi/verbs/completed"}
ACADEMY = "https://academy.example/"


def _completed(personas: Personas, activity_id: str) -> str:
    return json.dumps(
        {"actor": {"mbox": f"mailto:{personas.alice.email}"}, "verb": COMPLETED, "object": {"id": activity_id}}
    )


def _external_learning_moved(personas: Personas) -> bool:
    call_command("worker", "--batch", verbosity=0)
    enrolled = Enrollment.objects.filter(person=personas.alice).exists()
    evidence = SkillAssessment.objects.filter(person=personas.alice, source="evidence").exists()
    assert enrolled == evidence
    return enrolled


@pytest.mark.django_db(transaction=True)
def test_a_client_trusted_for_nothing_moves_no_learning_but_its_statements_are_stored(
    personas: Personas, course: CatalogItem
) -> None:
    from django_tasks_db.models import DBTaskResult

    _, forger = _player("Any write client")
    for activity in (course.url, item_activity_id(course)):
        assert forger.post(_completed(personas, activity)).status_code == 200
    assert not DBTaskResult.objects.exists()  # untrusted statements cost no background task
    assert not _external_learning_moved(personas)
    assert Statement.objects.filter(person=personas.alice, verb_id=COMPLETED["id"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_client_moves_learning_only_for_the_activities_it_is_trusted_for(
    personas: Personas, course: CatalogItem
) -> None:
    _, elsewhere = _player("Another academy", "https://other-academy.example/")
    elsewhere.post(_completed(personas, course.url))
    assert not _external_learning_moved(personas)
    _, academy = _player("Academy player", ACADEMY)
    # Trusted for the content URL, not for learnloop's own IRI of the item.
    academy.post(_completed(personas, item_activity_id(course)))
    assert not _external_learning_moved(personas)
    academy.post(_completed(personas, course.url))
    assert _external_learning_moved(personas)
    assert Enrollment.objects.get(person=personas.alice, item=course).status == "completed"


@pytest.mark.django_db(transaction=True)
def test_a_trusted_client_cannot_enrol_anyone_in_an_unpublished_draft(personas: Personas, course: CatalogItem) -> None:
    draft = item_update(actor=None, item=course, is_published=False)
    _, academy = _player("Academy player", ACADEMY, f"{settings.SITE_URL}/xapi/activities/catalog-item/")
    academy.post(_completed(personas, draft.url))
    academy.post(_completed(personas, item_activity_id(draft)))
    assert not _external_learning_moved(personas)
    assert Statement.objects.filter(person=personas.alice).count() == 2


@pytest.mark.django_db(transaction=True)
def test_trust_withdrawn_before_the_worker_runs_moves_nothing(personas: Personas, course: CatalogItem) -> None:
    client, academy = _player("Academy player", ACADEMY)
    academy.post(_completed(personas, course.url))
    client_trust(actor=None, client=client, prefixes=[])
    assert not _external_learning_moved(personas)


def test_prefixes_must_be_absolute_iris_with_a_host(db: None) -> None:
    from django.core.exceptions import ValidationError

    client, _ = _player("Academy player")
    for bad in ("h", "https://", "academy.example/courses", "https://academy.example/a b"):
        with pytest.raises(ValidationError) as caught:
            client_trust(actor=None, client=client, prefixes=[bad])
        assert "trusted_activity_prefixes" in caught.value.message_dict
    client_trust(actor=None, client=client, prefixes=[" https://academy.example/ ", "", "https://academy.example/"])
    client.refresh_from_db()
    assert client.trusted_activity_prefixes == ["https://academy.example/"]
    assert not client.trusts("https://academy.example.evil/x") and client.trusts("https://academy.example/x")


def test_the_item_page_shows_my_enrolment(personas: Personas, course: CatalogItem) -> None:
    client = HttpClient()
    client.force_login(personas.alice)
    assert ">Enrol</button>" in client.get(f"/catalog/{course.pk}/").content.decode()
    client.post(f"/catalog/{course.pk}/enrol/")
    page = client.get(f"/catalog/{course.pk}/").content.decode()
    assert ">Enrol</button>" not in page and "Mark complete" in page


def test_taking_a_completed_item_again_keeps_the_earlier_completion(personas: Personas) -> None:
    from django.core.exceptions import ValidationError as Invalid

    from learnloop.learning.enrollment import enrollment_complete, enrollment_enrol, enrollment_retake
    from learnloop.learning.models import Enrollment
    from learnloop.learning.services import item_create
    from learnloop.lrs.models import Statement
    from learnloop.plans.selectors import item_credit

    item = item_create(actor=None, kind="self_paced", title="Renewable", summary="Do it yearly.")
    enrollment = enrollment_enrol(actor=personas.alice, person=personas.alice, item=item)
    with pytest.raises(Invalid):
        enrollment_retake(actor=personas.alice, enrollment=enrollment)  # not completed yet
    enrollment = enrollment_complete(actor=personas.alice, enrollment=enrollment)
    first_registration, first_done = enrollment.registration, enrollment.completed_at
    with pytest.raises(Invalid):
        enrollment_retake(actor=personas.bob, enrollment=enrollment)  # only the person themselves
    again = enrollment_retake(actor=personas.alice, enrollment=enrollment)
    assert again.status == Enrollment.Status.ENROLLED and again.completed_at is None
    assert again.previously_completed_at == first_done and again.registration != first_registration
    assert item_credit(again) == 1.0  # plans keep the credit for what was learned
    finished = enrollment_complete(actor=personas.alice, enrollment=again)
    assert finished.completed_at is not None and finished.completed_at > first_done
    # Both attempts stay in the learning record, each under its own registration.
    registrations = set(Statement.objects.filter(person=personas.alice).values_list("registration", flat=True))
    assert {str(first_registration), str(again.registration)} <= {str(r) for r in registrations}
