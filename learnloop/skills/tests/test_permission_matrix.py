from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learnloop.core.testing import (
    JobRoleFactory,
    Row,
    anyone,
    matrix_test,
    only_roles,
    own_or,
)
from learnloop.skills.models import CareerPath, RoleRequirement, Skill, SkillCategory

API = "/api/v1"
LD = ("ld_admin", "org_admin")


def _skill() -> Skill:
    return Skill.objects.get_or_create(name="Coaching", defaults={"search_text": "coaching"})[0]


def _role() -> Any:
    return JobRoleFactory.create(name="Engineer")


def _requirement() -> RoleRequirement:
    return RoleRequirement.objects.create(job_role=_role(), skill=_skill(), level=3)


def _path() -> CareerPath:
    return CareerPath.objects.create(from_role=_role(), to_role=JobRoleFactory.create(name="Senior Engineer"))


def _csv(_: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("skills.csv", b"name,category\nFacilitation,Leadership\n")}


def _page(name: str, **kwargs: Any) -> Any:
    return lambda _: reverse(name, kwargs=kwargs or None)


ROWS = [
    Row("skills:list", "GET", _page("skills:list"), anyone, per_object=False),
    Row(
        "skills:detail",
        "GET",
        lambda _: reverse("skills:detail", kwargs={"skill_id": _skill().pk}),
        anyone,
        per_object=False,
    ),
    Row("skills:import", "GET", _page("skills:import"), only_roles(*LD), per_object=False),
    Row("skills:import", "POST", _page("skills:import"), only_roles(*LD), per_object=False, data=_csv, ok=302),
    Row("skills:scale", "GET", _page("skills:scale"), anyone, per_object=False),
    Row(
        "skills:scale_edit",
        "POST",
        _page("skills:scale_edit", level=3),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"name": "Proficient", "descriptor": "Works independently."},
    ),
    Row(
        "skills:scale_resize",
        "GET",
        lambda _: reverse("skills:scale_resize") + "?levels=4",
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "skills:scale_resize",
        "POST",
        _page("skills:scale_resize"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={
            "levels": 4,
            "from_levels": 5,
            **{f"name_{n}": f"Stage {n}" for n in range(1, 5)},
            **{f"descriptor_{n}": f"Does what stage {n} asks." for n in range(1, 5)},
            **{f"map_{old}": new for old, new in ((1, 1), (2, 2), (3, 3), (4, 3), (5, 4))},
            "confirm": "on",
            "action": "apply",
        },
    ),
    Row("skills:roles", "GET", _page("skills:roles"), anyone, per_object=False),
    Row(
        "skills:role", "GET", lambda _: reverse("skills:role", kwargs={"role_id": _role().pk}), anyone, per_object=False
    ),
    Row(
        "skills:requirement_set",
        "POST",
        lambda _: reverse("skills:requirement_set", kwargs={"role_id": _role().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=lambda _: {"skill": _skill().pk, "level": 2},
    ),
    Row(
        "skills:requirement_remove",
        "POST",
        lambda _: (
            lambda r: reverse("skills:requirement_remove", kwargs={"role_id": r.job_role_id, "requirement_id": r.pk})
        )(_requirement()),
        only_roles(*LD),
        per_object=False,
        ok=302,
    ),
    Row(
        "skills:career_path_add",
        "POST",
        lambda _: reverse("skills:career_path_add", kwargs={"role_id": _role().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=lambda _: {"to_role": JobRoleFactory.create(name="Lead").pk},
    ),
    Row(
        "skills:career_path_remove",
        "POST",
        lambda _: (lambda p: reverse("skills:career_path_remove", kwargs={"role_id": p.from_role_id, "path_id": p.pk}))(
            _path()
        ),
        only_roles(*LD),
        per_object=False,
        ok=302,
    ),
    Row("skills:mine", "GET", _page("skills:mine"), anyone, per_object=False),
    Row("skills:team", "GET", _page("skills:team"), anyone, per_object=False),
    Row(
        "skills:person",
        "GET",
        lambda p: reverse("skills:person", kwargs={"person_id": p.pk}),
        own_or("people_admin", "org_admin", reports=True),
    ),
    # Everyone may rate: themselves, the people they manage, or a colleague as a peer.
    Row("skills:rate", "GET", lambda p: reverse("skills:rate", kwargs={"person_id": p.pk}), anyone),
    Row(
        "skills:rate",
        "POST",
        lambda p: reverse("skills:rate", kwargs={"person_id": p.pk}),
        anyone,
        ok=302,
        data=lambda _: {"skill": _skill().pk, "level": 3, "note": "Ran our last retro well."},
    ),
    Row(f"GET {API}/skills", "GET", lambda _: f"{API}/skills", anyone, per_object=False, anonymous=401),
    Row(
        f"POST {API}/skills",
        "POST",
        lambda _: f"{API}/skills",
        only_roles(*LD),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"name": "Negotiation", "category": "Communication"},
    ),
    Row(
        f"GET {API}/skills/{{skill_id}}",
        "GET",
        lambda _: f"{API}/skills/{_skill().pk}",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/skill-categories",
        "GET",
        lambda _: f"{API}/skill-categories",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/proficiency-levels",
        "GET",
        lambda _: f"{API}/proficiency-levels",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/proficiency-levels/usage",
        "GET",
        lambda _: f"{API}/proficiency-levels/usage",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"PUT {API}/proficiency-levels",
        "PUT",
        lambda _: f"{API}/proficiency-levels",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
        json=True,
        data={
            "levels": [{"name": f"Stage {n}", "descriptor": f"Does what stage {n} asks."} for n in range(1, 4)],
            "mapping": {"1": 1, "2": 2, "3": 2, "4": 3, "5": 3},
        },
    ),
    Row(
        f"GET {API}/job-roles/{{role_id}}/profile",
        "GET",
        lambda _: f"{API}/job-roles/{_role().pk}/profile",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"PUT {API}/job-roles/{{role_id}}/requirements/{{skill_id}}",
        "PUT",
        lambda _: f"{API}/job-roles/{_role().pk}/requirements/{_skill().pk}",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
        json=True,
        data={"level": 4},
    ),
    Row(
        f"DELETE {API}/job-roles/{{role_id}}/requirements/{{skill_id}}",
        "DELETE",
        lambda _: (lambda r: f"{API}/job-roles/{r.job_role_id}/requirements/{r.skill_id}")(_requirement()),
        only_roles(*LD),
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"POST {API}/job-roles/{{role_id}}/career-paths",
        "POST",
        lambda _: f"{API}/job-roles/{_role().pk}/career-paths",
        only_roles(*LD),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data=lambda _: {"to_role": JobRoleFactory.create(name="Principal").pk},
    ),
]


def _category() -> SkillCategory:
    return SkillCategory.objects.get_or_create(name="Leadership")[0]


def _on_skill(name: str) -> Any:
    return lambda _: reverse(name, kwargs={"skill_id": _skill().pk})


# Editing the taxonomy: L&D admins (and org admins) only.
ROWS += [
    Row("skills:create", "GET", _page("skills:create"), only_roles(*LD), per_object=False),
    Row(
        "skills:create",
        "POST",
        _page("skills:create"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"name": "Negotiation", "synonyms": "Bargaining"},
    ),
    Row("skills:edit", "GET", _on_skill("skills:edit"), only_roles(*LD), per_object=False),
    Row(
        "skills:edit",
        "POST",
        _on_skill("skills:edit"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"name": "Coaching", "synonyms": "Mentoring\nGROW"},
    ),
    Row(
        "skills:retire",
        "POST",
        _on_skill("skills:retire"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"retire": "yes"},
    ),
    Row("skills:categories", "GET", _page("skills:categories"), only_roles(*LD), per_object=False),
    Row(
        "skills:categories",
        "POST",
        _page("skills:categories"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"name": "Communication"},
    ),
    Row(
        "skills:category_edit",
        "GET",
        lambda _: reverse("skills:category_edit", kwargs={"category_id": _category().pk}),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "skills:category_edit",
        "POST",
        lambda _: reverse("skills:category_edit", kwargs={"category_id": _category().pk}),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"name": "Leadership", "description": "Leading people and work."},
    ),
    Row(
        f"PATCH {API}/skills/{{skill_id}}",
        "PATCH",
        lambda _: f"{API}/skills/{_skill().pk}",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
        json=True,
        data={"synonyms": ["Mentoring"], "description": "Helping others find their answers."},
    ),
    Row(
        f"POST {API}/skill-categories",
        "POST",
        lambda _: f"{API}/skill-categories",
        only_roles(*LD),
        per_object=False,
        ok=201,
        anonymous=401,
        json=True,
        data={"name": "Communication"},
    ),
    Row(
        f"PATCH {API}/skill-categories/{{category_id}}",
        "PATCH",
        lambda _: f"{API}/skill-categories/{_category().pk}",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
        json=True,
        data={"description": "Leading people and work."},
    ),
]


# People's skills: anyone rates (themselves, as a manager, as a peer); a person's calibrated levels and
# history are for them, their managers and people admins; a team matrix for its manager and those above.
SKILL_READERS = own_or("people_admin", "org_admin", reports=True)
ROWS += [
    Row(
        f"POST {API}/people/{{person_id}}/skill-ratings",
        "POST",
        lambda p: f"{API}/people/{p.pk}/skill-ratings",
        anyone,
        ok=201,
        anonymous=401,
        json=True,
        data=lambda _: {"skill_id": _skill().pk, "level": 3, "note": "Ran our last retro well."},
    ),
    Row(
        f"GET {API}/people/{{person_id}}/skills",
        "GET",
        lambda p: f"{API}/people/{p.pk}/skills",
        SKILL_READERS,
        anonymous=401,
    ),
    Row(
        f"GET {API}/people/{{person_id}}/skills/{{skill_id}}/history",
        "GET",
        lambda p: f"{API}/people/{p.pk}/skills/{_skill().pk}/history",
        SKILL_READERS,
        anonymous=401,
    ),
    # Without ?manager= it is the caller's own team (empty for people without reports).
    Row(f"GET {API}/skills/team", "GET", lambda _: f"{API}/skills/team", anyone, per_object=False, anonymous=401),
    Row(
        f"GET {API}/skills/team",
        "GET",
        lambda p: f"{API}/skills/team?manager={p.pk}",
        own_or("people_admin", "org_admin", reports=True),
        anonymous=401,
    ),
]


test_permission_matrix = matrix_test(ROWS)
