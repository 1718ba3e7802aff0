import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from learnloop.accounts.services import token_create
from learnloop.core.csv_import import ImportRejected
from learnloop.core.models import AuditEvent
from learnloop.core.testing import JobRoleFactory, Personas
from learnloop.people.models import Person
from learnloop.skills import selectors, services
from learnloop.skills.importer import skills_import
from learnloop.skills.models import CareerPath, ProficiencyLevel, RoleRequirement, Skill

ESCO = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,description\n"
    "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/aaa,skill/competence,cross-sector,"
    '"coach employees","coaching staff\nmentor employees","Help employees grow."\n'
    "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/bbb,knowledge,sector-specific,"
    '"SQL","structured query language","A query language."\n'
)


def test_the_default_scale_has_five_levels_with_behavioural_descriptors(db: None) -> None:
    levels = list(ProficiencyLevel.objects.values_list("level", "name"))
    assert [level for level, _ in levels] == [1, 2, 3, 4, 5]
    assert all(len(level.descriptor) > 30 for level in ProficiencyLevel.objects.all())


def test_esco_files_import_and_reimport_by_concept_uri(db: None) -> None:
    result = skills_import(actor=None, text=ESCO)
    assert (result.format, result.created) == ("esco", 2)
    coaching = Skill.objects.get(esco_uri="http://data.europa.eu/esco/skill/aaa")
    assert coaching.name == "coach employees" and coaching.synonyms == ["coaching staff", "mentor employees"]
    renamed = ESCO.replace('"coach employees"', '"coach staff"')
    again = skills_import(actor=None, text=renamed)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Skill.objects.get(pk=coaching.pk).name == "coach staff"
    assert AuditEvent.objects.filter(action="skill.update").count() == 1


def test_the_simple_format_imports_categories_and_synonyms(db: None) -> None:
    skills_import(actor=None, text="name,category,description,synonyms\nKubernetes,Infrastructure,,K8s|kube\n")
    skill = Skill.objects.get(name="Kubernetes")
    assert skill.category.name == "Infrastructure" and skill.synonyms == ["K8s", "kube"]


def test_every_bad_row_is_reported_and_nothing_is_written(db: None) -> None:
    bad = (
        "conceptUri,preferredLabel\n"
        "not-a-uri,First\n"
        "http://data.europa.eu/esco/skill/x,\n"
        "http://data.europa.eu/esco/skill/y,Second\n"
        "http://data.europa.eu/esco/skill/y,Third\n"
    )
    with pytest.raises(ImportRejected) as caught:
        skills_import(actor=None, text=bad)
    assert [(e.line, e.column) for e in caught.value.errors] == [
        (2, "conceptUri"),
        (3, "preferredLabel"),
        (5, "conceptUri"),
    ]
    assert Skill.objects.count() == 0
    with pytest.raises(ImportRejected) as caught:
        skills_import(actor=None, text="title,colour\nx,y\n")
    assert caught.value.errors[0].column == "header"


def test_the_import_command_handles_skills(db: None, tmp_path: object) -> None:
    path = tmp_path / "skills.csv"
    path.write_text(ESCO)
    out = io.StringIO()
    call_command("import", "skills", str(path), stdout=out, stderr=io.StringIO())
    assert "2 added" in out.getvalue() and "esco" in out.getvalue()
    path.write_text("conceptUri,preferredLabel\nbad,\n")
    with pytest.raises(CommandError, match="problem"):
        call_command("import", "skills", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_search_matches_names_and_other_names(personas: Personas) -> None:
    skills_import(actor=None, text="name,synonyms\nKubernetes,K8s\nPython,\n")
    assert [s.name for s in selectors.skill_list(actor=personas.alice, search="k8s")] == ["Kubernetes"]
    assert [s.name for s in selectors.skill_list(actor=personas.alice, search="PYTH")] == ["Python"]


def test_role_requirements_stay_on_the_scale_and_are_audited(personas: Personas) -> None:
    role = JobRoleFactory.create(name="Engineer")
    skill = services.skill_create(actor=personas.lena, name="Code review")
    services.requirement_set(actor=personas.lena, job_role=role, skill=skill, level=3)
    services.requirement_set(actor=personas.lena, job_role=role, skill=skill, level=4)
    assert RoleRequirement.objects.get().level == 4
    with pytest.raises(ValidationError) as caught:
        services.requirement_set(actor=personas.lena, job_role=role, skill=skill, level=6)
    assert "level" in caught.value.message_dict
    actions = list(AuditEvent.objects.filter(action__startswith="role_requirement").values_list("action", flat=True))
    assert sorted(actions) == ["role_requirement.create", "role_requirement.update"]


def test_skill_names_are_unique_whatever_their_case(personas: Personas) -> None:
    services.skill_create(actor=personas.lena, name="Facilitation")
    with pytest.raises(ValidationError):
        services.skill_create(actor=personas.lena, name="facilitation")


def test_a_career_path_shows_what_changes(personas: Personas) -> None:
    junior, senior = JobRoleFactory.create(name="Engineer"), JobRoleFactory.create(name="Senior Engineer")
    design, review = (services.skill_create(actor=None, name=n) for n in ("System design", "Code review"))
    services.requirement_set(actor=None, job_role=junior, skill=design, level=2)
    services.requirement_set(actor=None, job_role=junior, skill=review, level=3)
    services.requirement_set(actor=None, job_role=senior, skill=design, level=4)
    services.requirement_set(actor=None, job_role=senior, skill=review, level=3)
    services.career_path_set(actor=None, from_role=junior, to_role=senior, typical_months=24)
    services.career_path_set(actor=None, from_role=junior, to_role=senior, typical_months=24)
    assert CareerPath.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="career_path").count() == 1
    changes = selectors.role_change(from_role=junior, to_role=senior)
    assert [(c["skill"].name, c["from"], c["to"], c["delta"]) for c in changes] == [("System design", 2, 4, 2)]
    with pytest.raises(ValidationError):
        services.career_path_set(actor=None, from_role=junior, to_role=junior)
    client = Client()
    client.force_login(personas.alice)
    page = client.get(f"/skills/roles/{junior.pk}/", {"to": senior.pk}).content.decode()
    assert "From Engineer to Senior Engineer" in page and "+2" in page


def test_l_and_d_admins_edit_the_scale(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.lena)
    client.post("/skills/scale/3/", {"name": "Independent", "descriptor": "Works without guidance on routine work."})
    assert ProficiencyLevel.objects.get(level=3).name == "Independent"


def test_the_api_lists_skills_and_profiles_and_names_bad_fields(personas: Personas) -> None:
    role = JobRoleFactory.create(name="Engineer")
    skill = services.skill_create(actor=None, name="Testing", synonyms=["QA"])
    token = token_create(actor=personas.lena, person=personas.lena, name="t").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/skills", {"q": "qa"}).json()["items"][0]["name"] == "Testing"
    updated = api.put(
        f"/api/v1/job-roles/{role.pk}/requirements/{skill.pk}", {"level": 3}, content_type="application/json"
    ).json()
    assert updated["requirements"] == [{"skill_id": skill.pk, "skill": "Testing", "level": 3}]
    bad = api.put(f"/api/v1/job-roles/{role.pk}/requirements/{skill.pk}", {"level": 9}, content_type="application/json")
    assert bad.status_code == 400 and "level" in bad.json()["error"]["fields"]
    duplicate = api.post("/api/v1/skills", {"name": "testing"}, content_type="application/json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["error"]["fields"]
    assert Person.objects.count() == 7


def test_demo_gives_every_demo_role_a_profile(db: None) -> None:
    call_command("demo", "--people", "80", stdout=io.StringIO(), stderr=io.StringIO())
    assert Skill.objects.count() >= 50
    assert RoleRequirement.objects.values("job_role").distinct().count() >= 25
    assert CareerPath.objects.count() >= 10
    # The taxonomy came in as the L&D admin's import job, which their import page lists.
    from learnloop.core.models import ImportJob

    job = ImportJob.objects.get(kind="skills")
    assert job.status == "imported" and job.actor.roles & {"ld_admin"} and job.result["created"] >= 50
