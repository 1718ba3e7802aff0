"""L&D admins add, edit and retire skills and categories; every write is audited, checked field by field,
and retires cached answers at once."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import JobRoleFactory, Personas
from learnloop.learning.services import item_create, item_update
from learnloop.people.models import Person
from learnloop.skills import selectors, services
from learnloop.skills.forms import RatingForm, RequirementForm
from learnloop.skills.models import Skill, SkillAssessment, SkillCategory

API = "/api/v1"


def _api(person: Person) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_create(actor=person, person=person, name='t').secret}"})


def _patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type="application/json")


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def _page(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def coaching(db: None) -> Skill:
    return services.skill_create(actor=None, name="Coaching", synonyms=["Mentoring"])


def _audits() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="skill").order_by("pk").values_list("action", flat=True))


def test_an_admin_adds_a_skill_on_its_page(personas: Personas) -> None:
    leadership = services.category_create(actor=None, name="Leadership")
    response = _page(personas.lena).post(
        "/skills/new/",
        {"name": " Facilitation ", "category": leadership.pk, "description": "Run a room.", "synonyms": "Hosting\n\n"},
    )
    skill = Skill.objects.get(name="Facilitation")
    assert response.status_code == 302 and response["Location"] == f"/skills/{skill.pk}/"
    assert (skill.category, skill.synonyms, skill.search_text) == (leadership, ["Hosting"], "facilitation | hosting")
    event = AuditEvent.objects.get(action="skill.create")
    assert (event.actor_id, event.changes["category"]) == (personas.lena.pk, [None, "Leadership"])


def test_a_name_taken_in_another_case_is_a_field_error_and_writes_nothing(personas: Personas, coaching: Skill) -> None:
    before = _audits()
    page = _page(personas.lena).post("/skills/new/", {"name": "COACHING"})
    assert page.status_code == 400
    assert "already exists" in page.context["form"].errors["name"][0]
    api = _api(personas.lena)
    created = _post(api, f"{API}/skills", {"name": "coaching"})
    assert created.status_code == 400 and list(created.json()["error"]["fields"]) == ["name"]
    other = services.skill_create(actor=None, name="Feedback")
    renamed = _patch(api, f"{API}/skills/{other.pk}", {"name": "cOaChInG"})
    assert renamed.status_code == 400 and "“Coaching” already exists" in renamed.json()["error"]["fields"]["name"][0]
    assert Skill.objects.count() == 2 and Skill.objects.get(pk=other.pk).name == "Feedback"
    assert _audits() == [*before, "skill.create"]  # only the fixture-like create of Feedback


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": None}, "name"),
        ({"synonyms": "K8s"}, "synonyms"),
        ({"synonyms": ["ok", "y" * 201]}, "synonyms.1"),  # the schema names the item; the service did not
        ({"category_id": 999999}, "category_id"),
        ({"category_id": 0}, "category_id"),
        ({"is_active": None}, "is_active"),
        ({"description": None}, "description"),
    ],
)
def test_bad_edits_name_the_field_and_change_nothing(
    personas: Personas, coaching: Skill, payload: dict[str, Any], field: str
) -> None:
    before = _audits()
    response = _patch(_api(personas.lena), f"{API}/skills/{coaching.pk}", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    fresh = Skill.objects.get(pk=coaching.pk)
    assert (fresh.name, fresh.synonyms, fresh.is_active, fresh.category_id) == ("Coaching", ["Mentoring"], True, None)
    assert _audits() == before


def test_an_edit_is_audited_and_its_other_names_are_searchable_at_once(personas: Personas, coaching: Skill) -> None:
    api = _api(personas.lena)
    people = _post(api, f"{API}/skill-categories", {"name": "People"}).json()
    assert _api(personas.alice).get(f"{API}/skills", {"q": "grow"}).json()["count"] == 0
    edited = _patch(
        api,
        f"{API}/skills/{coaching.pk}",
        {"name": "Coaching conversations", "synonyms": ["GROW model", "Mentoring"], "category_id": people["id"]},
    )
    assert edited.status_code == 200
    body = edited.json()
    assert (body["name"], body["category"], body["synonyms"]) == (
        "Coaching conversations",
        "People",
        ["GROW model", "Mentoring"],
    )
    found = _api(personas.alice).get(f"{API}/skills", {"q": "grow"}).json()["items"]
    assert [s["name"] for s in found] == ["Coaching conversations"]
    event = AuditEvent.objects.get(action="skill.update")
    assert event.source == "api" and event.changes == {
        "name": ["Coaching", "Coaching conversations"],
        "category": [None, "People"],
        "synonyms": [["Mentoring"], ["GROW model", "Mentoring"]],
    }
    assert _patch(api, f"{API}/skills/{coaching.pk}", {"category_id": None}).json()["category"] is None
    # An edit that changes nothing leaves no audit event.
    _patch(api, f"{API}/skills/{coaching.pk}", {"description": ""})
    assert AuditEvent.objects.filter(action="skill.update").count() == 2


def test_the_edit_page_saves_and_shows_errors_on_the_field(personas: Personas, coaching: Skill) -> None:
    client = _page(personas.lena)
    form = client.get(f"/skills/{coaching.pk}/edit/")
    assert form.status_code == 200 and "Mentoring" in form.content.decode()
    services.skill_create(actor=None, name="Feedback")
    bad = client.post(f"/skills/{coaching.pk}/edit/", {"name": "feedback", "synonyms": ""})
    assert bad.status_code == 400 and "already exists" in bad.context["form"].errors["name"][0]
    good = client.post(f"/skills/{coaching.pk}/edit/", {"name": "Coaching", "description": "Ask, then listen."})
    assert good.status_code == 302
    fresh = Skill.objects.get(pk=coaching.pk)
    assert (fresh.description, fresh.synonyms) == ("Ask, then listen.", [])


def test_a_retired_skill_leaves_pickers_but_stays_on_history(personas: Personas, coaching: Skill) -> None:
    role = JobRoleFactory.create(name="Engineer")
    services.requirement_set(actor=None, job_role=role, skill=coaching, level=3)
    services.assessment_record(actor=personas.alice, person=personas.alice, skill=coaching, source="self", level=2)
    item = item_create(actor=None, kind="self_paced", title="Coaching 101", summary="Ask.", skills=[(coaching, 2)])
    response = _page(personas.lena).post(f"/skills/{coaching.pk}/retire/", {"retire": "yes"})
    assert response.status_code == 302
    assert not Skill.objects.get(pk=coaching.pk).is_active
    assert AuditEvent.objects.get(action="skill.retire").changes == {"is_active": [True, False]}
    # Gone from lists and pickers ...
    assert _api(personas.alice).get(f"{API}/skills").json()["count"] == 0
    assert coaching not in RatingForm().fields["skill"].queryset  # type: ignore[attr-defined]
    assert coaching not in RequirementForm().fields["skill"].queryset  # type: ignore[attr-defined]
    rating = {"skill_id": coaching.pk, "level": 3}
    rated = _post(_api(personas.alice), f"{API}/people/{personas.alice.pk}/skill-ratings", rating)
    assert rated.status_code == 400 and "skill_id" in rated.json()["error"]["fields"]
    coaching.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.requirement_set(actor=None, job_role=JobRoleFactory.create(name="Lead"), skill=coaching, level=2)
    assert "retired" in refused.value.message_dict["skill"][0]
    other = item_create(actor=None, kind="self_paced", title="Feedback 101", summary="Say it.")
    with pytest.raises(ValidationError) as refused_item:
        item_update(actor=None, item=other, skills=[(coaching, 2)])
    assert "retired" in refused_item.value.message_dict["skills"][0]
    # ... but on history, role profiles and items that name it, marked as retired.
    item_update(actor=None, item=item, skills=[(coaching, 3)])  # an item that already teaches it keeps it
    services.requirement_set(actor=None, job_role=role, skill=coaching, level=4)
    profile = selectors.person_skill_profile(actor=personas.alice, person=personas.alice)
    assert [row["skill"].pk for row in profile] == [coaching.pk]
    assert SkillAssessment.objects.filter(skill=coaching).count() == 1
    page = _page(personas.alice).get(f"/skills/people/{personas.alice.pk}/").content.decode()
    assert "Coaching" in page and "retired" in page
    assert "retired" in _page(personas.alice).get(f"/skills/{coaching.pk}/").content.decode()
    retired = _api(personas.alice).get(f"{API}/skills", {"retired": "true"}).json()["items"]
    assert [(s["name"], s["is_active"]) for s in retired] == [("Coaching", False)]
    # Back in use.
    restored = _patch(_api(personas.lena), f"{API}/skills/{coaching.pk}", {"is_active": True})
    assert restored.json()["is_active"] is True
    assert AuditEvent.objects.filter(action="skill.restore").count() == 1


def test_retiring_needs_a_clear_choice(personas: Personas, coaching: Skill) -> None:
    response = _page(personas.lena).post(f"/skills/{coaching.pk}/retire/", {"retire": "maybe"})
    assert response.status_code == 302 and Skill.objects.get(pk=coaching.pk).is_active
    assert not AuditEvent.objects.filter(action__startswith="skill.re").exists()


def test_categories_are_unique_whatever_their_case_and_audited(personas: Personas) -> None:
    api = _api(personas.lena)
    created = _post(api, f"{API}/skill-categories", {"name": "Leadership", "description": "Leading people."})
    assert created.status_code == 201
    category_id = created.json()["id"]
    duplicate = _post(api, f"{API}/skill-categories", {"name": " leadership "})
    assert duplicate.status_code == 400 and list(duplicate.json()["error"]["fields"]) == ["name"]
    blank = _patch(api, f"{API}/skill-categories/{category_id}", {"name": "  "})
    assert blank.status_code == 400 and "name" in blank.json()["error"]["fields"]
    renamed = _patch(api, f"{API}/skill-categories/{category_id}", {"name": "Leading people"})
    assert renamed.json() == {"id": category_id, "name": "Leading people", "description": "Leading people."}
    events = AuditEvent.objects.filter(action__startswith="skill").order_by("pk")
    assert [(e.action, e.changes.get("name")) for e in events] == [
        ("skill_category.create", [None, "Leadership"]),
        ("skill_category.update", ["Leadership", "Leading people"]),
    ]
    # A skill added with a category name in another case joins the existing category.
    skill = _post(api, f"{API}/skills", {"name": "Delegation", "category": "LEADING PEOPLE"}).json()
    assert skill["category_id"] == category_id and SkillCategory.objects.count() == 1


def test_the_category_pages_add_and_rename(personas: Personas) -> None:
    client = _page(personas.lena)
    assert client.post("/skills/categories/", {"name": "Data"}).status_code == 302
    category = SkillCategory.objects.get(name="Data")
    clash = client.post("/skills/categories/", {"name": "DATA"})
    assert clash.status_code == 400 and "already exists" in clash.context["form"].errors["name"][0]
    assert client.post(f"/skills/categories/{category.pk}/", {"name": "Data and analytics"}).status_code == 302
    assert SkillCategory.objects.get(pk=category.pk).name == "Data and analytics"
    assert SkillCategory.objects.count() == 1


def test_the_categories_page_costs_the_same_queries_for_one_or_many(personas: Personas) -> None:
    client = _page(personas.lena)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/skills/categories/").status_code == 200
        return len(captured)

    services.category_create(actor=None, name="Category 0")
    services.skill_create(actor=None, name="Skill 0", category=SkillCategory.objects.get(name="Category 0"))
    one = queries()
    for number in range(1, 8):
        category = services.category_create(actor=None, name=f"Category {number}")
        services.skill_create(actor=None, name=f"Skill {number}", category=category)
    assert queries() == one


def test_retired_skill_lists_cost_the_same_queries_for_one_or_many(personas: Personas) -> None:
    api = _api(personas.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"{API}/skills", {"retired": "true"}).status_code == 200
        return len(captured)

    api.get(f"{API}/skills")  # the token's first use is recorded once
    category = services.category_create(actor=None, name="Things")
    for number in range(8):
        skill = services.skill_create(actor=None, name=f"Skill {number}", category=category)
        services.skill_update(actor=None, skill=skill, is_active=False)
        if number == 0:
            one = queries()
    assert queries() == one


def test_an_edit_changes_the_cached_team_matrix_and_catalog_at_once(personas: Personas, coaching: Skill) -> None:
    role = JobRoleFactory.create(name="Engineer")
    Person.objects.filter(pk=personas.alice.pk).update(job_role=role)
    services.requirement_set(actor=None, job_role=role, skill=coaching, level=3)
    item_create(actor=None, kind="self_paced", title="Coaching 101", summary="Ask.", skills=[(coaching, 2)])
    bob = _page(personas.bob)
    catalog = _api(personas.bob)
    assert "Coaching" in bob.get("/skills/team/").content.decode()
    assert catalog.get(f"{API}/catalog").json()["items"][0]["skills"][0]["skill"] == "Coaching"
    # Served from the cache the second time: same answer.
    assert "Coaching" in bob.get("/skills/team/").content.decode()
    _patch(_api(personas.lena), f"{API}/skills/{coaching.pk}", {"name": "Coaching conversations"})
    assert "Coaching conversations" in bob.get("/skills/team/").content.decode()
    assert catalog.get(f"{API}/catalog").json()["items"][0]["skills"][0]["skill"] == "Coaching conversations"
