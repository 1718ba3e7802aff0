import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from learnloop.core.testing import Row, anyone, matrix_test, only_roles, own_or
from learnloop.learning.models import CatalogItem
from learnloop.pathways.models import Assignment, Pathway, Stage, Step

API = "/api/v1"
LD = ("ld_admin", "org_admin")
ASSIGNERS = ("manager", "skip_manager", *LD)


def _item(title: str = "Step item") -> CatalogItem:
    return CatalogItem.objects.get_or_create(title=title, defaults={"kind": "self_paced", "summary": "x"})[0]


def _pathway(title: str, published: bool) -> Pathway:
    pathway, created = Pathway.objects.get_or_create(
        title=title, defaults={"description": "x", "is_published": published}
    )
    if created:
        stage = Stage.objects.create(pathway=pathway, position=1, title="First")
        Step.objects.create(stage=stage, item=_item(), position=1)
    return pathway


def _published() -> Pathway:
    return _pathway("Published path", True)


def _draft() -> Pathway:
    return _pathway("Draft path", False)


def _stage() -> Stage:
    return _draft().stages.get()


def _step() -> Step:
    stage = _stage()
    Step.objects.get_or_create(stage=stage, item=_item("Second item"), defaults={"position": 2})
    return stage.steps.order_by("position").last()  # type: ignore[return-value]


def _assignment_of(required: bool) -> Any:
    def make(person: Any) -> Assignment:
        return Assignment.objects.create(
            pathway=_published(), person=person, required=required, assigned_at=timezone.now()
        )

    return make


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def _page(name: str, **kwargs: Any) -> Any:
    return lambda _: reverse(name, kwargs={k: v() for k, v in kwargs.items()})


def _pathway_form(_: Any) -> dict[str, Any]:
    return {"title": "Onboarding", "description": "Find your feet.", "career_stage": "new_starter"}


def _stage_form(_: Any) -> dict[str, Any]:
    return {"title": "Stage two", "items": [_item("Another").pk], "required_count": ""}


def _assign_form(person: Any) -> dict[str, Any]:
    return {"pathway": _published().pk, "person": person.pk, "required": "1", "due_on": _tomorrow()}


def _ld_or_report(role: str, relation: str) -> bool:
    return role in LD or relation == "report"


def _assign_page(role: str, relation: str) -> bool:
    return (role in ("manager", "skip_manager") and relation == "report") or (role in LD and relation != "own")


# Assigners who pick someone outside their list (themselves, or people they do not manage) get the form back.
_ASSIGN_REFUSED = tuple(
    (role, relation, 400)
    for role in ASSIGNERS
    for relation in ("own", "report", "other")
    if not _assign_page(role, relation) and not (relation == "report" and role in LD)
)

ROWS = [
    Row("pathways:catalog", "GET", _page("pathways:catalog"), anyone, per_object=False),
    Row("pathways:mine", "GET", _page("pathways:mine"), anyone, per_object=False),
    Row(
        "pathways:detail", "GET", _page("pathways:detail", pathway_id=lambda: _published().pk), anyone, per_object=False
    ),
    # Drafts are for the L&D team only.
    Row(
        "pathways:detail",
        "GET",
        _page("pathways:detail", pathway_id=lambda: _draft().pk),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "pathways:pick",
        "POST",
        _page("pathways:pick", pathway_id=lambda: _published().pk),
        anyone,
        per_object=False,
        ok=302,
    ),
    # A person's pathways page: themselves, their managers, the L&D and people teams.
    Row(
        "pathways:person",
        "GET",
        lambda person: reverse("pathways:person", kwargs={"person_id": person.pk}),
        own_or(*LD, "people_admin", reports=True),
    ),
    Row("pathways:assign", "GET", _page("pathways:assign"), only_roles(*ASSIGNERS), per_object=False),
    # Managers assign their reports, L&D anyone; the person chosen is the relation.
    Row(
        "pathways:assign",
        "POST",
        _page("pathways:assign"),
        _assign_page,
        ok=302,
        data=_assign_form,
        overrides=_ASSIGN_REFUSED,
    ),
    # Team suggestions for the assign page: assigners only (the results are scoped to their people's units).
    Row(
        "pathways:team_search",
        "GET",
        lambda _: reverse("pathways:team_search") + "?team=Acme",
        only_roles(*ASSIGNERS),
        per_object=False,
    ),
    Row(
        "pathways:overview",
        "GET",
        _page("pathways:overview", pathway_id=lambda: _published().pk),
        only_roles(*ASSIGNERS),
        per_object=False,
    ),
    # Nobody but L&D sees who has a draft.
    Row(
        "pathways:overview",
        "GET",
        _page("pathways:overview", pathway_id=lambda: _draft().pk),
        only_roles(*LD),
        per_object=False,
    ),
    Row("pathways:create", "GET", _page("pathways:create"), only_roles(*LD), per_object=False),
    Row(
        "pathways:create",
        "POST",
        _page("pathways:create"),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_pathway_form,
    ),
    Row(
        "pathways:edit",
        "GET",
        _page("pathways:edit", pathway_id=lambda: _draft().pk),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "pathways:edit",
        "POST",
        _page("pathways:edit", pathway_id=lambda: _draft().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_pathway_form,
    ),
    Row(
        "pathways:stage_create",
        "GET",
        _page("pathways:stage_create", pathway_id=lambda: _draft().pk),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "pathways:stage_create",
        "POST",
        _page("pathways:stage_create", pathway_id=lambda: _draft().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=_stage_form,
    ),
    Row(
        "pathways:stage_edit",
        "GET",
        _page("pathways:stage_edit", stage_id=lambda: _stage().pk),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "pathways:stage_edit",
        "POST",
        _page("pathways:stage_edit", stage_id=lambda: _stage().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"title": "Renamed", "required_count": "1"},
    ),
    Row(
        "pathways:stage_move",
        "POST",
        _page("pathways:stage_move", stage_id=lambda: _stage().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
    ),
    Row(
        "pathways:step_move",
        "POST",
        _page("pathways:step_move", step_id=lambda: _step().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data={"direction": "up"},
    ),
    # The builder's catalog search (htmx), for those who may change the pathway.
    Row(
        "pathways:item_search",
        "GET",
        lambda _: reverse("pathways:item_search", kwargs={"pathway_id": _draft().pk}) + "?mode=pick&find=item",
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "pathways:stage_delete",
        "POST",
        _page("pathways:stage_delete", stage_id=lambda: _stage().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
    ),
    Row(
        "pathways:step_create",
        "POST",
        _page("pathways:step_create", stage_id=lambda: _stage().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=lambda _: {"item": _item("Third").pk},
    ),
    Row(
        "pathways:step_edit",
        "GET",
        _page("pathways:step_edit", step_id=lambda: _step().pk),
        only_roles(*LD),
        per_object=False,
    ),
    Row(
        "pathways:step_edit",
        "POST",
        _page("pathways:step_edit", step_id=lambda: _step().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
        data=lambda _: {"prerequisites": [_stage().steps.order_by("position").first().pk]},
    ),
    Row(
        "pathways:step_delete",
        "POST",
        _page("pathways:step_delete", step_id=lambda: _step().pk),
        only_roles(*LD),
        per_object=False,
        ok=302,
    ),
    # A required assignment is changed by the person's managers and L&D, never by the person.
    Row(
        "pathways:unassign",
        "POST",
        lambda a: reverse("pathways:unassign", kwargs={"assignment_id": a.pk}),
        _ld_or_report,
        ok=302,
        subject=_assignment_of(required=True),
    ),
    # A voluntary one the person may also drop.
    Row(
        "pathways:unassign",
        "POST",
        lambda a: reverse("pathways:unassign", kwargs={"assignment_id": a.pk}),
        own_or(*LD, reports=True),
        ok=302,
        subject=_assignment_of(required=False),
    ),
    Row(
        "pathways:set_due",
        "POST",
        lambda a: reverse("pathways:set_due", kwargs={"assignment_id": a.pk}),
        _ld_or_report,
        ok=302,
        subject=_assignment_of(required=True),
        data=lambda _: {"due_on": _tomorrow()},
    ),
    Row(f"GET {API}/pathways", "GET", lambda _: f"{API}/pathways", anyone, per_object=False, anonymous=401),
    Row(
        f"GET {API}/pathways/{{pathway_id}}",
        "GET",
        lambda _: f"{API}/pathways/{_published().pk}",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/pathways/{{pathway_id}}",
        "GET",
        lambda _: f"{API}/pathways/{_draft().pk}",
        only_roles(*LD),
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/pathways/assignments/mine",
        "GET",
        lambda _: f"{API}/pathways/assignments/mine",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/pathways/assignable-teams",
        "GET",
        lambda _: f"{API}/pathways/assignable-teams?q=Acme",
        only_roles(*ASSIGNERS),
        per_object=False,
        anonymous=401,
    ),
    Row(
        f"GET {API}/pathways/certificates/mine",
        "GET",
        lambda _: f"{API}/pathways/certificates/mine",
        anyone,
        per_object=False,
        anonymous=401,
    ),
    # Anyone may pick a voluntary pathway for themselves; managers assign reports, L&D anyone. Others get a
    # 400 naming the person field.
    Row(
        f"POST {API}/pathways/assignments",
        "POST",
        lambda _: f"{API}/pathways/assignments",
        own_or(*LD, reports=True),
        ok=201,
        denied=400,
        anonymous=401,
        json=True,
        data=lambda person: {"pathway_id": _published().pk, "person_id": person.pk, "required": False},
    ),
    Row(
        f"PATCH {API}/pathways/assignments/{{assignment_id}}",
        "PATCH",
        lambda a: f"{API}/pathways/assignments/{a.pk}",
        _ld_or_report,
        anonymous=401,
        json=True,
        subject=_assignment_of(required=True),
        data=lambda _: {"due_on": _tomorrow()},
    ),
    Row(
        f"DELETE {API}/pathways/assignments/{{assignment_id}}",
        "DELETE",
        lambda a: f"{API}/pathways/assignments/{a.pk}",
        _ld_or_report,
        ok=204,
        anonymous=401,
        subject=_assignment_of(required=True),
    ),
]

test_permission_matrix = matrix_test(ROWS)
