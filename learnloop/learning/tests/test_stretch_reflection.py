"""A stretch assignment ends with its own reflection, read by the person, their managers and the sponsor."""

import json
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core import policy
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas, PersonFactory
from learnloop.learning.enrollment import enrollment_complete, enrollment_enrol, enrollment_retake
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.learning.services import item_create
from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Statement
from learnloop.people.models import Person
from learnloop.skills.models import Skill
from learnloop.skills.services import skill_create

API = "/api/v1"
REFLECTION: dict[str, Any] = {
    "outcome": "The incident review ran every month; the sponsor has three fixes shipped.",
    "learned": "A review needs a timeline before it needs opinions.",
    "do_differently": "Agree the format with the sponsor in week one.",
}


def _api(person: Person) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_create(actor=person, person=person, name='t').secret}"})


def _page(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def skills(db: None) -> list[Skill]:
    return [skill_create(actor=None, name="Facilitation"), skill_create(actor=None, name="Incident response")]


@pytest.fixture
def stretch(personas: Personas, skills: list[Skill]) -> CatalogItem:
    """A stretch assignment sponsored by Oscar (who manages nobody here)."""
    return item_create(
        actor=None,
        kind="stretch",
        title="Lead the quarter's incident reviews",
        summary="Run the monthly review for a quarter.",
        scope="Collect incidents, facilitate, publish lessons. Not on-call changes.",
        sponsor=personas.oscar,
        skills=[(skills[0], 3), (skills[1], 3)],
    )


def _enrolled(person: Person, item: CatalogItem) -> Enrollment:
    return enrollment_enrol(actor=person, person=person, item=item)


def _statements() -> int:
    return Statement.objects.filter(verb_id=VERBS["completed"].iri).count()


def test_the_completion_page_asks_the_stretch_questions_and_stores_the_answers(
    personas: Personas, stretch: CatalogItem, skills: list[Skill]
) -> None:
    enrollment = _enrolled(personas.alice, stretch)
    client = _page(personas.alice)
    page = client.get(f"/catalog/{stretch.pk}/complete/").content.decode()
    for prompt in ("What was the outcome for the sponsor?", "What would you do differently?", "Which skills grew?"):
        assert prompt in page
    assert "Oscar Olsen" in page and "<legend>Which skills grew?</legend>" in page
    done = client.post(f"/catalog/{stretch.pk}/complete/", {**REFLECTION, "skills_grown": [skills[0].pk]})
    assert done.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.outcome, enrollment.do_differently) == (
        "completed",
        REFLECTION["outcome"],
        REFLECTION["do_differently"],
    )
    assert list(enrollment.skills_grown.all()) == [skills[0]]
    # The reflection is for the person, their managers and the sponsor: no LRS client reads it.
    completed = Statement.objects.get(verb_id=VERBS["completed"].iri).data
    assert completed["result"] == {"completion": True}
    assert not any(text in json.dumps(completed) for text in REFLECTION.values())
    event = AuditEvent.objects.get(action="enrollment.complete")
    assert event.changes["reflection"] == [None, "stretch reflection written"]


def test_a_missing_answer_is_a_field_error_and_nothing_is_written(personas: Personas, stretch: CatalogItem) -> None:
    enrollment = _enrolled(personas.alice, stretch)
    page = _page(personas.alice).post(f"/catalog/{stretch.pk}/complete/", {"learned": "Something."})
    assert page.status_code == 400 and page.context["form"].errors["outcome"]
    api = _api(personas.alice).post(
        f"{API}/enrollments/{enrollment.pk}/complete", {"outcome": "  "}, content_type="application/json"
    )
    assert api.status_code == 400 and sorted(api.json()["error"]["fields"]) == ["learned", "outcome"]
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.completed_at, enrollment.outcome) == ("enrolled", None, "")
    assert _statements() == 0 and not AuditEvent.objects.filter(action="enrollment.complete").exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"skills_grown": ["not a number"]}, "skills_grown.0"),
        ({"skills_grown": [0]}, "skills_grown.0"),
        ({"skills_grown": "nope"}, "skills_grown"),
        ({"outcome": ["a list"]}, "outcome"),
    ],
)
def test_the_api_refuses_malformed_reflections_by_field(
    personas: Personas, stretch: CatalogItem, extra: dict[str, Any], field: str
) -> None:
    enrollment = _enrolled(personas.alice, stretch)
    response = _api(personas.alice).post(
        f"{API}/enrollments/{enrollment.pk}/complete", {**REFLECTION, **extra}, content_type="application/json"
    )
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    assert Enrollment.objects.get(pk=enrollment.pk).status == "enrolled"


def test_skills_that_grew_must_be_the_assignments_own(personas: Personas, stretch: CatalogItem) -> None:
    enrollment = _enrolled(personas.alice, stretch)
    elsewhere = skill_create(actor=None, name="Budgeting")
    response = _api(personas.alice).post(
        f"{API}/enrollments/{enrollment.pk}/complete",
        {**REFLECTION, "skills_grown": [elsewhere.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["skills_grown"]
    enrollment.refresh_from_db()
    assert enrollment.status == "enrolled" and not enrollment.skills_grown.exists() and _statements() == 0


def test_other_items_refuse_the_stretch_questions(personas: Personas) -> None:
    course = item_create(actor=None, kind="self_paced", title="Coaching basics", summary="Ask more.")
    enrollment = _enrolled(personas.alice, course)
    response = _api(personas.alice).post(
        f"{API}/enrollments/{enrollment.pk}/complete",
        {"learned": "Ask first.", "outcome": "Shipped."},
        content_type="application/json",
    )
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["outcome"]
    assert Enrollment.objects.get(pk=enrollment.pk).status == "enrolled"
    # Without them it completes as before, the reflection optional.
    done = _api(personas.alice).post(f"{API}/enrollments/{enrollment.pk}/complete", {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["stretch_reflection"] is None


def test_content_that_reports_completion_needs_no_reflection(personas: Personas, stretch: CatalogItem) -> None:
    enrollment = enrollment_complete(actor=None, enrollment=_enrolled(personas.alice, stretch))
    assert enrollment.status == "completed" and enrollment.outcome == ""


def test_the_api_completes_with_the_reflection_and_returns_it(
    personas: Personas, stretch: CatalogItem, skills: list[Skill]
) -> None:
    enrollment = _enrolled(personas.alice, stretch)
    done = _api(personas.alice).post(
        f"{API}/enrollments/{enrollment.pk}/complete",
        {**REFLECTION, "skills_grown": [skills[1].pk, skills[0].pk, skills[1].pk]},
        content_type="application/json",
    )
    assert done.status_code == 200
    reflection = done.json()["stretch_reflection"]
    assert reflection["outcome"] == REFLECTION["outcome"]
    assert sorted(s["name"] for s in reflection["skills_grown"]) == ["Facilitation", "Incident response"]
    # Through the API too, the completion statement carries no reflection.
    assert Statement.objects.get(verb_id=VERBS["completed"].iri).data["result"] == {"completion": True}


def test_the_person_their_managers_and_the_sponsor_read_it_and_nobody_else(
    personas: Personas, stretch: CatalogItem
) -> None:
    enrollment = enrollment_complete(actor=personas.alice, enrollment=_enrolled(personas.alice, stretch), **REFLECTION)
    readers = {"alice": personas.alice, "bob": personas.bob, "mona": personas.mona, "oscar": personas.oscar}
    others = {"lena": personas.lena, "pat": personas.pat, "otto": personas.otto}
    for name, person in {**readers, **others}.items():
        listed = _api(person).get(f"{API}/catalog/{stretch.pk}/reflections").json()
        page = _page(person).get(f"/catalog/{stretch.pk}/").content.decode()
        if name in readers:
            assert [r["person_id"] for r in listed["items"]] == [personas.alice.pk], name
            assert REFLECTION["outcome"] in page, name
        else:
            assert listed["items"] == [], name
            assert REFLECTION["outcome"] not in page, name
    # People admins read the enrolment, but not the reflection on the work: neither in `stretch_reflection`
    # nor in the enrolment's own `learned`, where the closing reflection's "What I learned" is stored too.
    for person, expected in ((personas.bob, REFLECTION["outcome"]), (personas.pat, None)):
        for url in (f"{API}/enrollments/{enrollment.pk}", f"{API}/people/{personas.alice.pk}/enrollments"):
            body = _api(person).get(url).json()
            row = body["items"][0] if "items" in body else body
            assert (row["stretch_reflection"] or {}).get("outcome") == expected, (person, url)
            assert row["learned"] == (REFLECTION["learned"] if expected else ""), (person, url)


def test_view_reflection_answers_the_same_for_one_and_for_a_list(personas: Personas, stretch: CatalogItem) -> None:
    for person in (personas.alice, personas.bob, personas.oscar, personas.lena, personas.pat):
        enrollment_complete(actor=person, enrollment=_enrolled(person, stretch), **REFLECTION)
    enrollments = Enrollment.objects.select_related("item")
    for actor in Person.objects.all():
        scoped = set(policy.scope(actor, "view_reflection", enrollments).values_list("pk", flat=True))
        one_by_one = {e.pk for e in enrollments if policy.can(actor, "view_reflection", e)}
        assert scoped == one_by_one, actor


def test_reflection_lists_cost_the_same_queries_for_one_or_many(personas: Personas, stretch: CatalogItem) -> None:
    sponsor_page, sponsor_api = _page(personas.oscar), _api(personas.oscar)
    sponsor_api.get(f"{API}/catalog")  # the token's first use is recorded once

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert sponsor_page.get(f"/catalog/{stretch.pk}/").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert sponsor_api.get(f"{API}/catalog/{stretch.pk}/reflections").status_code == 200
        return len(page), len(api)

    def complete(person: Person) -> None:
        enrollment_complete(
            actor=person,
            enrollment=_enrolled(person, stretch),
            skills_grown=list(stretch.skills_taught.values_list("skill_id", flat=True)),
            **REFLECTION,
        )

    complete(personas.alice)
    one = queries()
    for _ in range(4):
        complete(PersonFactory.create())
    assert queries() == one


def test_enrolment_lists_cost_the_same_queries_with_stretch_reflections(
    personas: Personas, skills: list[Skill]
) -> None:
    manager = _api(personas.bob)
    manager.get(f"{API}/catalog")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager.get(f"{API}/people/{personas.alice.pk}/enrollments").status_code == 200
        return len(captured)

    def assignment(number: int) -> CatalogItem:
        return item_create(
            actor=None,
            kind="stretch",
            title=f"Assignment {number}",
            summary="Work.",
            scope="Bounded.",
            sponsor=personas.oscar,
            skills=[(skills[0], 2)],
        )

    def complete(number: int) -> None:
        enrollment = Enrollment.objects.create(
            person=personas.alice, item=assignment(number), registration=uuid.uuid4(), enrolled_at=timezone.now()
        )
        enrollment_complete(actor=personas.alice, enrollment=enrollment, skills_grown=[skills[0].pk], **REFLECTION)

    complete(0)
    one = queries()
    for number in range(1, 5):
        complete(number)
    assert queries() == one


def test_taking_it_again_starts_a_fresh_reflection(
    personas: Personas, stretch: CatalogItem, skills: list[Skill]
) -> None:
    enrollment = enrollment_complete(
        actor=personas.alice, enrollment=_enrolled(personas.alice, stretch), skills_grown=[skills[0]], **REFLECTION
    )
    again = enrollment_retake(actor=personas.alice, enrollment=enrollment)
    again.refresh_from_db()
    assert (again.outcome, again.do_differently, again.learned) == ("", "", "")
    assert not again.skills_grown.exists()
    with pytest.raises(ValidationError):
        enrollment_complete(actor=personas.alice, enrollment=again)
