from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from learnloop.core import policy
from learnloop.core.bounds import parse_id
from learnloop.core.forms import add_service_errors
from learnloop.core.http import AuthedRequest
from learnloop.pathways import charts, selectors, services
from learnloop.pathways.forms import (
    AssignForm,
    DueDateForm,
    PathwayFilterForm,
    PathwayForm,
    PrerequisitesForm,
    StageEditForm,
    StageForm,
    StepAddForm,
)
from learnloop.pathways.models import Assignment, Pathway, Stage, Step
from learnloop.people.models import Person


def _status(request: AuthedRequest) -> int:
    return 400 if request.method == "POST" else 200


@login_required
@require_safe
def catalog(request: AuthedRequest) -> HttpResponse:
    form = PathwayFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        role = form.cleaned_data["job_role"]
        filters = {
            "text": form.cleaned_data["q"],
            "job_role_id": role.pk if role else None,
            "career_stage": form.cleaned_data["career_stage"],
        }
    pathways = selectors.pathway_list(actor=request.user, **filters)
    page = Paginator(pathways, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pathways/catalog.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": policy.can(request.user, "create", Pathway),
            "can_assign": policy.can(request.user, "manage_assignments", Pathway),
        },
    )


@login_required
@require_safe
def detail(request: AuthedRequest, pathway_id: int) -> HttpResponse:
    pathway = selectors.pathway_get(actor=request.user, pathway_id=pathway_id)
    assignment, progress = selectors.progress_of(person=request.user, pathway=pathway)
    context = {
        "pathway": pathway,
        "assignment": assignment,
        "progress": progress,
        "can_edit": policy.can(request.user, "change", pathway),
        "can_pick": assignment is None and policy.can(request.user, "pick", pathway),
        "can_leave": assignment is not None and policy.can(request.user, "change", assignment),
        "can_overview": policy.can(request.user, "assign", pathway),
        "certificates": [
            c for c in selectors.certificates_of(actor=request.user, person=request.user) if c.pathway_id == pathway.pk
        ],
    }
    return render(request, "pathways/detail.html", context)


@login_required
@require_POST
def pick(request: AuthedRequest, pathway_id: int) -> HttpResponse:
    pathway = selectors.pathway_get(actor=request.user, pathway_id=pathway_id, action="pick")
    try:
        services.assignment_create(actor=request.user, pathway=pathway, person=request.user, required=False)
        messages.success(request, f"“{pathway}” is in your pathways.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("pathways:detail", pathway_id=pathway.pk)


@login_required
@require_safe
def mine(request: AuthedRequest) -> HttpResponse:
    rows = selectors.my_assignments(person=request.user)
    return render(
        request,
        "pathways/mine.html",
        {
            "rows": rows,
            "certificates": selectors.certificates_of(actor=request.user, person=request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_safe
def person(request: AuthedRequest, person_id: int) -> HttpResponse:
    """A person's pathways and certificates, for them, their managers, and the L&D and people teams."""
    someone = policy.get_or_404(request.user, "view_pathways", Person.objects.all(), pk=person_id)
    return render(
        request,
        "pathways/person.html",
        {
            "someone": someone,
            "rows": selectors.pathways_of(actor=request.user, person=someone),
            "certificates": selectors.certificates_of(actor=request.user, person=someone),
            "now": timezone.now(),
        },
    )


@login_required
def assign(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "manage_assignments", Pathway):
        raise Http404
    form = AssignForm(
        request.POST or None,
        initial={"pathway": request.GET.get("pathway")},
        pathways=policy.scope(request.user, "view", Pathway.objects.filter(is_published=True)).order_by("title"),
        people=selectors.assignable_people(actor=request.user).order_by("last_name", "first_name"),
        teams=selectors.assignable_teams(actor=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["person"] is not None:
                services.assignment_create(
                    actor=request.user,
                    pathway=data["pathway"],
                    person=data["person"],
                    required=data["required"],
                    due_on=data["due_on"],
                )
                messages.success(request, f"{data['person']} now has “{data['pathway']}”.")
            else:
                result = services.assignment_create_for_team(
                    actor=request.user,
                    pathway=data["pathway"],
                    team=data["team"],
                    required=data["required"],
                    due_on=data["due_on"],
                )
                names = ", ".join(a.person.display_name for a in result.assigned) or "nobody new"
                already = (
                    f" Already had it: {', '.join(p.display_name for p in result.already)}." if result.already else ""
                )
                messages.success(request, f"Assigned “{data['pathway']}” to {names}.{already}")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("pathways:assign")
    made = selectors.assignments_made_by_me(actor=request.user)[:50]
    return render(
        request,
        "pathways/assign.html",
        {"form": form, "made": selectors.progress_for(list(made))},
        status=_status(request) if form.errors else 200,
    )


@require_safe
@login_required
def team_search(request: AuthedRequest) -> HttpResponse:
    """Suggestions for the assign page's team field (htmx): teams the viewer may assign, by name."""
    if not policy.can(request.user, "manage_assignments", Pathway):
        raise Http404
    text = request.GET.get("team", "").strip()[:200]
    teams = selectors.team_search(teams=selectors.assignable_teams(actor=request.user), text=text)
    return render(request, "pathways/htmx/team_options.html", {"teams": teams})


def _assignment(request: AuthedRequest, assignment_id: int) -> Assignment:
    return policy.get_or_404(
        request.user, "change", Assignment.objects.select_related("pathway", "person"), pk=assignment_id
    )


def _back(request: AuthedRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


@login_required
@require_POST
def unassign(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    try:
        services.assignment_delete(actor=request.user, assignment=assignment)
        messages.success(request, f"“{assignment.pathway}” is no longer assigned to {assignment.person}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, "/pathways/mine/")


@login_required
@require_POST
def set_due(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    form = DueDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the due date as a date, or leave it empty.")
    else:
        try:
            services.assignment_set_due(actor=request.user, assignment=assignment, due_on=form.cleaned_data["due_on"])
            messages.success(request, f"Due date for {assignment.person} saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _back(request, "/pathways/assign/")


@login_required
@require_safe
def overview(request: AuthedRequest, pathway_id: int) -> HttpResponse:
    pathway = selectors.pathway_get(actor=request.user, pathway_id=pathway_id, action="assign")
    rows = selectors.overview(actor=request.user, pathway=pathway)
    counts = selectors.overview_counts(rows)
    return render(
        request,
        "pathways/overview.html",
        {"pathway": pathway, "rows": rows, "counts": counts, "chart": charts.status_bar(counts)},
    )


# --- The L&D editor -----------------------------------------------------------------------------


def _pathway_fields(form: PathwayForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.EDITABLE}


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "create", Pathway):
        raise Http404
    form = PathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pathway = services.pathway_create(actor=request.user, **_pathway_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Draft saved. Now add its stages.")
            return redirect("pathways:edit", pathway_id=pathway.pk)
    return render(request, "pathways/form.html", {"form": form, "pathway": None}, status=_status(request))


@login_required
def edit(request: AuthedRequest, pathway_id: int) -> HttpResponse:
    pathway = selectors.pathway_get(actor=request.user, pathway_id=pathway_id, action="change")
    form = PathwayForm(request.POST or None, instance=Pathway.objects.get(pk=pathway.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.pathway_update(actor=request.user, pathway=pathway, **_pathway_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("pathways:edit", pathway_id=pathway.pk)
    return render(
        request,
        "pathways/form.html",
        {"form": form, "stage_form": StageForm(auto_id="new-stage-%s"), **_builder(request, pathway)},
        status=_status(request),
    )


def _builder(request: AuthedRequest, pathway: Pathway, *, status: str = "") -> dict[str, Any]:
    """The stage list of the builder. Without JavaScript a stage's search is a GET of the edit page
    (`?stage=<id>&find=<words>`), answered here; with it, `item_search` answers the same as a fragment."""
    find = request.GET.get("find", "").strip()[:200]
    stage_id = parse_id(request.GET.get("stage", ""))
    return {
        "pathway": pathway,
        "find": find,
        "find_stage": stage_id,
        "found": selectors.item_search(actor=request.user, pathway=pathway, text=find) if stage_id else [],
        "order_status": status,
    }


@login_required
@require_safe
def item_search(request: AuthedRequest, pathway_id: int) -> HttpResponse:
    """Published items matching the words typed, at most 20 (htmx): to add to a stage (`stage=<id>`), or
    as checkboxes for a new stage (`mode=pick`)."""
    pathway = selectors.pathway_get(actor=request.user, pathway_id=pathway_id, action="change")
    find = request.GET.get("find", "").strip()[:200]
    found = selectors.item_search(actor=request.user, pathway=pathway, text=find)
    if request.GET.get("mode") == "pick":
        return render(request, "pathways/htmx/pick_items.html", {"found": found, "find": find})
    stage_id = parse_id(request.GET.get("stage", ""))
    stage = next((s for s in pathway.stages.all() if s.pk == stage_id), None)
    if stage is None:
        raise Http404
    return render(request, "pathways/htmx/found_items.html", {"found": found, "find": find, "stage": stage})


@login_required
def stage_create(request: AuthedRequest, pathway_id: int) -> HttpResponse:
    pathway = selectors.pathway_get(actor=request.user, pathway_id=pathway_id, action="change")
    if "find_items" in request.POST:
        # Without JavaScript, "Search" posts the stage form to find items; nothing is saved or checked yet.
        find = request.POST.get("find", "").strip()[:200]
        return render(
            request,
            "pathways/stage_form.html",
            {
                "form": StageForm(initial={k: request.POST.get(k, "") for k in ("title", "required_count")}),
                "pathway": pathway,
                "stage": None,
                "chosen": StageForm.chosen_items(request.POST.getlist("items")),
                "found": selectors.item_search(actor=request.user, pathway=pathway, text=find),
                "find": find,
            },
        )
    form = StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_add(
                actor=request.user,
                pathway=pathway,
                title=form.cleaned_data["title"],
                items=_in_posted_order(request, list(form.cleaned_data["items"])),
                required_count=form.cleaned_data["required_count"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Stage added.")
            return redirect("pathways:edit", pathway_id=pathway.pk)
    chosen = StageForm.chosen_items(request.POST.getlist("items")) if request.method == "POST" else []
    return render(
        request,
        "pathways/stage_form.html",
        {"form": form, "pathway": pathway, "stage": None, "chosen": chosen},
        status=_status(request),
    )


def _in_posted_order(request: AuthedRequest, items: list[Any]) -> list[Any]:
    """The items in the order they were ticked (the form's field gives them by title)."""
    posted = request.POST.getlist("items")
    return sorted(items, key=lambda i: posted.index(str(i.pk)) if str(i.pk) in posted else len(posted))


def _stage(request: AuthedRequest, stage_id: int) -> Stage:
    stage = Stage.objects.select_related("pathway").filter(pk=stage_id).first()
    if stage is None or not policy.can(request.user, "change", stage.pathway):
        raise Http404
    return stage


@login_required
def stage_edit(request: AuthedRequest, stage_id: int) -> HttpResponse:
    stage = _stage(request, stage_id)
    form = StageEditForm(request.POST or None, initial={"title": stage.title, "required_count": stage.required_count})
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(actor=request.user, stage=stage, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Stage saved.")
            return redirect("pathways:edit", pathway_id=stage.pathway_id)
    return render(
        request,
        "pathways/stage_form.html",
        {"form": form, "pathway": stage.pathway, "stage": stage},
        status=_status(request),
    )


def _stage_action(request: AuthedRequest, stage: Stage, action: Any, done: str, *, anchor: str = "") -> HttpResponse:
    try:
        action()
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(
        reverse("pathways:edit", kwargs={"pathway_id": stage.pathway_id}) + (f"#{anchor}" if anchor else "")
    )


def _moved(request: AuthedRequest, pathway_id: int, *, anchor: str, done: str, error: str) -> HttpResponse:
    """After a move: htmx gets the stage list back (with the outcome for the live region), so the page keeps
    its place and the script keeps focus on the button pressed; without it, the edit page at the stage."""
    if getattr(request, "htmx", False):
        pathway = selectors.pathway_get(actor=request.user, pathway_id=pathway_id, action="change")
        return render(request, "pathways/htmx/builder_stages.html", _builder(request, pathway, status=error or done))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(reverse("pathways:edit", kwargs={"pathway_id": pathway_id}) + f"#{anchor}")


def _direction(request: AuthedRequest) -> str:
    return "down" if request.POST.get("direction") == "down" else "up"


@login_required
@require_POST
def stage_move(request: AuthedRequest, stage_id: int) -> HttpResponse:
    stage = _stage(request, stage_id)
    direction = _direction(request)
    done, error = "", ""
    try:
        moved = services.stage_move(actor=request.user, stage=stage, direction=direction)
        total = Stage.objects.filter(pathway_id=stage.pathway_id).count()
        place = Stage.objects.filter(pathway_id=stage.pathway_id, position__lt=moved.position).count() + 1
        done = f"Stage “{stage.title}” moved {direction}: now stage {place} of {total}."
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _moved(request, stage.pathway_id, anchor=f"stage-{stage.pk}", done=done, error=error)


@login_required
@require_POST
def step_move(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id)
    direction = _direction(request)
    done, error = "", ""
    try:
        moved = services.step_move(actor=request.user, step=step, direction=direction)
        total = Step.objects.filter(stage_id=step.stage_id).count()
        done = f"“{step.item.title}” moved {direction}: now step {moved.position} of {total} in “{step.stage.title}”."
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _moved(request, step.stage.pathway_id, anchor=f"step-{step.pk}", done=done, error=error)


@login_required
@require_POST
def stage_delete(request: AuthedRequest, stage_id: int) -> HttpResponse:
    stage = _stage(request, stage_id)
    return _stage_action(
        request, stage, lambda: services.stage_delete(actor=request.user, stage=stage), "Stage deleted."
    )


@login_required
@require_POST
def step_create(request: AuthedRequest, stage_id: int) -> HttpResponse:
    stage = _stage(request, stage_id)
    form = StepAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a published catalog item.")
        return redirect("pathways:edit", pathway_id=stage.pathway_id)
    item = form.cleaned_data["item"]
    return _stage_action(
        request,
        stage,
        lambda: services.step_add(actor=request.user, stage=stage, item=item),
        f"“{item}” added to “{stage.title}”.",
        anchor=f"stage-{stage.pk}",
    )


def _step(request: AuthedRequest, step_id: int) -> Step:
    step = Step.objects.select_related("stage__pathway", "item").filter(pk=step_id).first()
    if step is None or not policy.can(request.user, "change", step.stage.pathway):
        raise Http404
    return step


@login_required
@require_POST
def step_delete(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id)
    return _stage_action(
        request, step.stage, lambda: services.step_remove(actor=request.user, step=step), f"“{step.item}” removed."
    )


@login_required
def step_edit(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id)
    form = PrerequisitesForm(request.POST or None, step=step, initial={"prerequisites": list(step.prerequisites.all())})
    if request.method == "POST" and form.is_valid():
        try:
            services.step_set_prerequisites(
                actor=request.user, step=step, prerequisites=list(form.cleaned_data["prerequisites"])
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Prerequisites saved.")
            return redirect("pathways:edit", pathway_id=step.stage.pathway_id)
    return render(request, "pathways/step_form.html", {"form": form, "step": step}, status=_status(request))
