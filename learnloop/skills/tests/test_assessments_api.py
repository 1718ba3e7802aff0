"""The skills assessment API: the same rules and selectors as the skills pages, as JSON."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import JobRoleFactory, Personas, PersonFactory
from learnloop.people.models import Person
from learnloop.skills import services
from learnloop.skills.models import Skill, SkillAssessment

API = "/api/v1"


def _client(person: Person) -> Client:
    secret = token_create(actor=person, person=person, name="test").secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _rate(client: Client, person: Person, data: dict[str, Any]) -> Any:
    return client.post(f"{API}/people/{person.pk}/skill-ratings", data, content_type="application/json")


@pytest.fixture
def profile(personas: Personas) -> dict[str, Any]:
    role = JobRoleFactory.create(name="Engineer")
    senior = JobRoleFactory.create(name="Senior Engineer")
    for person in (personas.alice, personas.bob):
        person.job_role = role
        person.save(update_fields=["job_role"])
    review = services.skill_create(actor=None, name="Code review")
    design = services.skill_create(actor=None, name="System design")
    services.requirement_set(actor=None, job_role=role, skill=review, level=3)
    services.requirement_set(actor=None, job_role=role, skill=design, level=2)
    services.requirement_set(actor=None, job_role=senior, skill=review, level=4)
    services.requirement_set(actor=None, job_role=senior, skill=design, level=4)
    services.career_path_set(actor=None, from_role=role, to_role=senior, what_changes="Leads design")
    return {"role": role, "senior": senior, "review": review, "design": design}


def test_each_person_rates_with_the_source_their_relation_gives(personas: Personas, profile: dict[str, Any]) -> None:
    review = profile["review"]
    for rater, source in ((personas.alice, "self"), (personas.bob, "manager"), (personas.mona, "manager")):
        response = _rate(_client(rater), personas.alice, {"skill_id": review.pk, "level": 3, "note": "Kind reviews"})
        assert response.status_code == 201 and response.json()["source"] == source, rater
    peer = _rate(_client(personas.oscar), personas.alice, {"skill_id": review.pk, "level": 4})
    assert peer.status_code == 201 and peer.json()["source"] == "peer"
    evidence = _rate(
        _client(personas.lena),
        personas.alice,
        {"skill_id": review.pk, "level": 4, "as_evidence": True, "evidence": "Led the review guild"},
    )
    assert evidence.status_code == 201 and evidence.json()["source"] == "evidence"
    assert evidence.json()["evidence"] == "Led the review guild"
    assert list(SkillAssessment.objects.order_by("pk").values_list("source", flat=True)) == [
        "self",
        "manager",
        "manager",
        "peer",
        "evidence",
    ]
    assert AuditEvent.objects.filter(action="skill_assessment.create", source="api").count() == 5


def test_bad_ratings_are_refused_naming_the_field_and_nothing_is_written(
    personas: Personas, profile: dict[str, Any]
) -> None:
    alice = _client(personas.alice)
    review = profile["review"]
    retired = Skill.objects.create(name="Fax etiquette", is_active=False)
    cases = [
        ({"level": 3}, "skill_id"),
        ({"skill_id": 0, "level": 3}, "skill_id"),
        ({"skill_id": 2**63, "level": 3}, "skill_id"),
        ({"skill_id": review.pk + 1000, "level": 3}, "skill_id"),
        ({"skill_id": retired.pk, "level": 3}, "skill_id"),
        ({"skill_id": review.pk}, "level"),
        ({"skill_id": review.pk, "level": 0}, "level"),
        ({"skill_id": review.pk, "level": 6}, "level"),
        ({"skill_id": review.pk, "level": 3, "as_evidence": True, "evidence": "x"}, "as_evidence"),
        ({"skill_id": review.pk, "level": 3, "evidence": "x" * 301}, "evidence"),
    ]
    for data, field in cases:
        response = _rate(alice, personas.alice, data)
        assert response.status_code == 400, data
        assert list(response.json()["error"]["fields"]) == [field], (data, response.json())
    lena = _client(personas.lena)
    no_evidence = _rate(lena, personas.alice, {"skill_id": review.pk, "level": 3, "as_evidence": True})
    assert no_evidence.status_code == 400 and "evidence" in no_evidence.json()["error"]["fields"]
    nobody = Person(pk=personas.alice.pk + 1000)
    assert _rate(alice, nobody, {"skill_id": review.pk, "level": 3}).status_code == 404
    assert not SkillAssessment.objects.exists()


def test_a_profile_explains_each_level_and_the_gap_to_the_role_or_a_next_role(
    personas: Personas, profile: dict[str, Any]
) -> None:
    review = profile["review"]
    services.assessment_record(
        actor=personas.alice,
        person=personas.alice,
        skill=review,
        source="self",
        level=2,
        assessed_at=timezone.now() - dt.timedelta(days=30),
    )
    services.assessment_record(actor=personas.bob, person=personas.alice, skill=review, source="manager", level=3)
    alice = _client(personas.alice)
    mine = alice.get(f"{API}/people/{personas.alice.pk}/skills").json()
    assert mine["job_role"] == mine["compared_with"] == {"id": profile["role"].pk, "name": "Engineer"}
    assert [(r["to_role"], r["what_changes"]) for r in mine["next_roles"]] == [("Senior Engineer", "Leads design")]
    rows = {row["skill"]: row for row in mine["skills"]}
    assert rows["System design"]["level"] is None and rows["System design"]["gap"] == 2.0
    code = rows["Code review"]
    assert 2 < code["level"] < 3 and code["gap"] == pytest.approx(3 - code["level"], abs=0.05)
    assert code["explanation"].startswith("Weighted average")
    assert sorted(c["source"] for c in code["contributions"]) == ["manager", "self"]
    self_rating = next(c for c in code["contributions"] if c["source"] == "self")
    assert self_rating["weight"] < 1 and self_rating["age_factor"] < 1
    senior = alice.get(f"{API}/people/{personas.alice.pk}/skills?to={profile['senior'].pk}").json()
    assert senior["compared_with"]["name"] == "Senior Engineer"
    assert {r["skill"]: r["required"] for r in senior["skills"]} == {"Code review": 4, "System design": 4}
    assert {r["skill"]: r["gap"] for r in senior["skills"]}["System design"] == 4.0
    for bad in ("0", str(2**63), "abc", str(profile["senior"].pk + 1000)):
        response = alice.get(f"{API}/people/{personas.alice.pk}/skills?to={bad}")
        assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["to"], bad


def test_history_lists_every_rating_and_the_level_after_each(personas: Personas, profile: dict[str, Any]) -> None:
    review = profile["review"]
    earlier = timezone.now() - dt.timedelta(days=10)
    services.assessment_record(
        actor=personas.alice, person=personas.alice, skill=review, source="self", level=2, assessed_at=earlier
    )
    services.assessment_record(
        actor=personas.bob, person=personas.alice, skill=review, source="manager", level=4, note="Private to me"
    )
    history = _client(personas.bob).get(f"{API}/people/{personas.alice.pk}/skills/{review.pk}/history").json()
    assert [(r["source"], r["level"]) for r in history["ratings"]] == [("manager", 4), ("self", 2)]
    assert "note" not in history["ratings"][0] and "assessor_id" not in history["ratings"][0]
    assert len(history["points"]) == 2 and history["points"][0]["level"] == 2.0
    assert 2 < history["points"][1]["level"] <= 4


def test_only_the_person_their_managers_and_people_admins_see_ratings(
    personas: Personas, profile: dict[str, Any]
) -> None:
    review = profile["review"]
    urls = [f"{API}/people/{personas.alice.pk}/skills", f"{API}/people/{personas.alice.pk}/skills/{review.pk}/history"]
    for reader in (personas.alice, personas.bob, personas.mona, personas.pat):
        assert all(_client(reader).get(url).status_code == 200 for url in urls), reader
    for outsider in (personas.oscar, personas.lena):
        assert all(_client(outsider).get(url).status_code == 404 for url in urls), outsider
    missing = _client(personas.oscar).get(f"{API}/people/{personas.alice.pk + 1000}/skills")
    assert missing.json() == _client(personas.oscar).get(urls[0]).json()


def test_the_team_matrix_is_the_pages_data_as_json(personas: Personas, profile: dict[str, Any]) -> None:
    services.assessment_record(
        actor=personas.bob, person=personas.alice, skill=profile["review"], source="manager", level=2
    )
    matrix = _client(personas.bob).get(f"{API}/skills/team").json()
    assert matrix["manager_id"] == personas.bob.pk
    assert [s["name"] for s in matrix["skills"]] == ["Code review", "System design"]
    (row,) = matrix["rows"]
    assert (row["person"], row["job_role"]) == ("Alice Adams", "Engineer")
    assert [(c["level"], c["required"], c["short"]) for c in row["cells"]] == [(2.0, 3, True), (None, 2, True)]
    # Mona reads the team of a manager under her; Bob cannot read Mona's, nor Oscar Bob's.
    assert _client(personas.mona).get(f"{API}/skills/team?manager={personas.bob.pk}").json() == matrix
    assert _client(personas.bob).get(f"{API}/skills/team?manager={personas.mona.pk}").status_code == 404
    assert _client(personas.oscar).get(f"{API}/skills/team?manager={personas.bob.pk}").status_code == 404
    assert _client(personas.oscar).get(f"{API}/skills/team").json()["rows"] == []
    bad = _client(personas.bob).get(f"{API}/skills/team?manager=-4")
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["manager"]


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_reads_cost_the_same_queries_for_2_or_20_rows(personas: Personas, profile: dict[str, Any]) -> None:
    """Team members, skills and ratings all grow from 2 to 20; the number of queries does not."""
    role, review = profile["role"], profile["review"]
    client = _client(personas.bob)
    client.get(f"{API}/me")  # the token's first use is recorded once; leave that out of the count
    skills: list[Skill] = []
    members: list[Person] = []
    counts = []
    for size in (2, 20):
        for n in range(len(skills), size):
            skills.append(services.skill_create(actor=None, name=f"Skill {n}"))
            services.requirement_set(actor=None, job_role=role, skill=skills[-1], level=3)
            members.append(PersonFactory.create(manager=personas.bob, job_role=role))
            services.assessment_record(
                actor=personas.alice, person=personas.alice, skill=review, source="self", level=3
            )
        SkillAssessment.objects.filter(source="manager").delete()
        bob = Person.objects.get(pk=personas.bob.pk)  # a fresh request sees his new reports
        for member in [personas.alice, *members]:
            for skill in [review, *skills]:
                services.assessment_record(actor=bob, person=member, skill=skill, source="manager", level=2)
        matrix = client.get(f"{API}/skills/team").json()
        assert (len(matrix["rows"]), len(matrix["skills"])) == (size + 1, size + 2)
        counts.append(
            (
                _count(client, f"{API}/skills/team"),
                _count(client, f"{API}/people/{personas.alice.pk}/skills"),
                _count(client, f"{API}/people/{personas.alice.pk}/skills?to={profile['senior'].pk}"),
                _count(client, f"{API}/people/{personas.alice.pk}/skills/{review.pk}/history"),
            )
        )
    assert counts[0] == counts[1], counts
