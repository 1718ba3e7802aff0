"""Changing the number of proficiency levels from the scale page and the API: the page proposes a mapping
and previews what moves, the API takes levels and a mapping, both refuse bad input naming the field."""

from typing import Any

import pytest
from django.test import Client

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import JobRoleFactory, Personas
from learnloop.people.models import Person
from learnloop.skills import services
from learnloop.skills.models import ProficiencyLevel, RoleRequirement, SkillAssessment

API = "/api/v1"
RESIZE = "/skills/scale/resize/"


def _page(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _api(person: Person) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_create(actor=person, person=person, name='t').secret}"})


@pytest.fixture
def rated(personas: Personas) -> dict[str, Any]:
    """Two ratings at 4, one at 5, and a role requirement at 5."""
    skill = services.skill_create(actor=None, name="Code review")
    for rater, source, level in (
        (personas.alice, "self", 4),
        (personas.bob, "manager", 4),
        (personas.bob, "manager", 5),
    ):
        services.assessment_record(actor=rater, person=personas.alice, skill=skill, source=source, level=level)
    role = JobRoleFactory.create(name="Engineer")
    services.requirement_set(actor=None, job_role=role, skill=skill, level=5)
    return {"skill": skill, "role": role}


def _post(**changes: Any) -> dict[str, Any]:
    """The resize form to four levels as the page proposes it (5 -> 4: 1, 2, 3, 3, 4), confirmed."""
    data = {
        "levels": "4",
        "from_levels": "5",
        "name_1": "Beginner",
        "descriptor_1": "Follows a worked example with help.",
        "name_2": "Practitioner",
        "descriptor_2": "Does the everyday work alone.",
        "name_3": "Expert",
        "descriptor_3": "Handles the hard cases and coaches others.",
        "name_4": "Authority",
        "descriptor_4": "Sets how the organization does it.",
        "map_1": "1",
        "map_2": "2",
        "map_3": "3",
        "map_4": "3",
        "map_5": "4",
        "confirm": "on",
        "action": "apply",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_scale_page_offers_a_resize_to_admins_only(personas: Personas) -> None:
    page = _page(personas.lena).get("/skills/scale/").content.decode()
    assert "The scale has 5 levels, from 1 to 5" in page
    assert "Change the number of levels" in page and f'action="{RESIZE}"' in page
    read_only = _page(personas.alice).get("/skills/scale/").content.decode()
    assert "The scale has 5 levels" in read_only and "L&amp;D admins rename levels" in read_only
    assert RESIZE not in read_only and "Edit level" not in read_only


def test_the_form_proposes_names_and_a_proportional_mapping_with_counts(personas: Personas, rated: Any) -> None:
    response = _page(personas.lena).get(RESIZE, {"levels": 4})
    assert response.status_code == 200
    form = response.context["form"]
    assert [form[f"name_{n}"].initial for n in range(1, 5)] == ["Aware", "Developing", "Advanced", "Expert"]
    assert [form[f"map_{n}"].initial for n in range(1, 6)] == [1, 2, 3, 3, 4]
    preview = response.context["preview"]
    # Columns: ratings, role requirements, item targets, goal targets.
    assert [row["counts"] for row in preview["old_rows"]][3:] == [[2, 0, 0, 0], [1, 1, 0, 0]]
    assert [(row["from"], row["counts"]) for row in preview["new_rows"]][2:] == [
        ([3, 4], [2, 0, 0, 0]),
        ([5], [1, 1, 0, 0]),
    ]
    assert preview["moved"][:2] == [("ratings", 3), ("role requirements", 1)]
    page = response.content.decode()
    assert "<legend>Level 4</legend>" in page and "Where today's levels go" in page
    assert '<label for="id_map_3" class="visually-hidden">New level for today&#x27;s 3. Proficient</label>' in page


def test_a_growing_scale_starts_new_levels_empty(personas: Personas) -> None:
    form = _page(personas.lena).get(RESIZE, {"levels": 7}).context["form"]
    assert [form[f"name_{n}"].initial for n in range(1, 8)] == [
        "Aware",
        "",
        "Developing",
        "Proficient",
        "",
        "Advanced",
        "Expert",
    ]


@pytest.mark.parametrize("levels", ["1", "11", "four", ""])
def test_a_number_of_levels_off_the_range_is_a_field_error(personas: Personas, levels: str) -> None:
    response = _page(personas.lena).get(RESIZE, {"levels": levels})
    assert response.status_code == 400 and response.context["size_form"].errors["levels"]
    assert "preview" not in response.context


def test_htmx_redraws_only_the_preview_for_the_mapping_as_chosen(personas: Personas, rated: Any) -> None:
    response = _page(personas.lena).post(
        RESIZE, _post(map_4="4", action=None, confirm=None), headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and 'id="scale-preview"' in page
    assert response.context["preview"]["moved"][0] == ("ratings", 1)  # 4 stays 4, 5 becomes 4
    broken = _page(personas.lena).post(RESIZE, _post(map_1="3", action=None), headers={"HX-Request": "true"})
    assert "The order is broken" in broken.content.decode()
    # Even a confirmed form is only previewed through htmx.
    assert ProficiencyLevel.objects.count() == 5


def test_confirming_resizes_and_says_what_moved(personas: Personas, rated: Any) -> None:
    client = _page(personas.lena)
    response = client.post(RESIZE, _post())
    assert response.status_code == 302 and response["Location"] == "/skills/scale/"
    assert list(ProficiencyLevel.objects.values_list("name", flat=True)) == [
        "Beginner",
        "Practitioner",
        "Expert",
        "Authority",
    ]
    assert sorted(SkillAssessment.objects.values_list("level", flat=True)) == [3, 3, 4]
    assert RoleRequirement.objects.get().level == 4
    page = client.get("/skills/scale/").content.decode()
    assert "The scale has 4 levels now. Moved: 3 ratings, 1 role requirements, 0 item target levels" in page
    assert AuditEvent.objects.get(action="proficiency_scale.resize").source == "web"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"confirm": None}, "confirm"),
        ({"name_2": ""}, "name_2"),
        ({"name_2": "beginner"}, "name_2"),
        ({"descriptor_3": ""}, "descriptor_3"),
        ({"map_3": "9"}, "map_3"),
        ({"map_5": "2"}, "map_5"),
        ({"map_5": None}, "map_5"),
        ({"from_levels": "4"}, "__all__"),
    ],
)
def test_a_bad_resize_shows_the_error_on_its_field_and_changes_nothing(
    personas: Personas, rated: Any, changes: dict[str, Any], field: str
) -> None:
    response = _page(personas.lena).post(RESIZE, _post(**changes))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert ProficiencyLevel.objects.count() == 5 and RoleRequirement.objects.get().level == 5
    assert not AuditEvent.objects.filter(action="proficiency_scale.resize").exists()


def test_the_preview_button_redraws_the_page_without_changing_anything(personas: Personas, rated: Any) -> None:
    response = _page(personas.lena).post(RESIZE, _post(action="preview", confirm=None, map_4="4"))
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert response.context["preview"]["moved"][0] == ("ratings", 1)
    assert ProficiencyLevel.objects.count() == 5


NEW_SCALE = [
    {"name": "Beginner", "descriptor": "Follows a worked example with help."},
    {"name": "Practitioner", "descriptor": "Does the everyday work alone."},
    {"name": "Expert", "descriptor": "Handles the hard cases and coaches others."},
    {"name": "Authority", "descriptor": "Sets how the organization does it."},
]


def test_the_api_resizes_and_answers_with_the_new_scale_and_counts(personas: Personas, rated: Any) -> None:
    api = _api(personas.lena)
    usage = api.get(f"{API}/proficiency-levels/usage").json()
    assert [(row["level"], row["counts"]["ratings"], row["counts"]["requirements"]) for row in usage] == [
        (1, 0, 0),
        (2, 0, 0),
        (3, 0, 0),
        (4, 2, 0),
        (5, 1, 1),
    ]
    answer = api.put(
        f"{API}/proficiency-levels",
        {"levels": NEW_SCALE, "mapping": {"1": 1, "2": 1, "3": 2, "4": 3, "5": 4}},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [level["name"] for level in body["levels"]] == ["Beginner", "Practitioner", "Expert", "Authority"]
    assert body["mapping"] == {"1": 1, "2": 1, "3": 2, "4": 3, "5": 4}
    assert body["rewritten"] == {"ratings": 3, "requirements": 1, "item_targets": 0, "goal_targets": 0}
    assert [level["level"] for level in api.get(f"{API}/proficiency-levels").json()] == [1, 2, 3, 4]
    assert AuditEvent.objects.get(action="proficiency_scale.resize").source == "api"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"levels": NEW_SCALE[:1]}, "levels"),
        ({"levels": [*NEW_SCALE[:3], {"name": "Authority", "descriptor": " "}]}, "levels.3.descriptor"),
        ({"levels": [*NEW_SCALE[:3], {"name": "Authority"}]}, "levels.3.descriptor"),
        ({"mapping": {"1": 1, "2": 1, "3": 2, "4": 3}}, "mapping.5"),
        ({"mapping": {"1": 1, "2": 3, "3": 2, "4": 3, "5": 4}}, "mapping.3"),
        ({"mapping": {"1": 1, "2": 1, "3": 2, "4": 3, "5": 99999}}, "mapping.5"),
    ],
)
def test_a_bad_api_resize_is_a_400_naming_the_field(
    personas: Personas, rated: Any, payload: dict[str, Any], field: str
) -> None:
    body = {"levels": NEW_SCALE, "mapping": {"1": 1, "2": 1, "3": 2, "4": 3, "5": 4}, **payload}
    answer = _api(personas.lena).put(f"{API}/proficiency-levels", body, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["error"]["fields"]
    assert ProficiencyLevel.objects.count() == 5 and RoleRequirement.objects.get().level == 5


def test_people_who_may_not_change_the_scale_cannot_resize_it(personas: Personas, rated: Any) -> None:
    body = {"levels": NEW_SCALE, "mapping": {"1": 1, "2": 1, "3": 2, "4": 3, "5": 4}}
    for person in (personas.alice, personas.bob, personas.pat):
        assert _api(person).put(f"{API}/proficiency-levels", body, content_type="application/json").status_code == 404
        assert _api(person).get(f"{API}/proficiency-levels/usage").status_code == 404
        assert _page(person).get(RESIZE, {"levels": 4}).status_code == 404
        assert _page(person).post(RESIZE, _post()).status_code == 404
    assert ProficiencyLevel.objects.count() == 5
