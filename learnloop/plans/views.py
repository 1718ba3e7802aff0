from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from learnloop.core import policy
from learnloop.core.bounds import parse_id
from learnloop.core.forms import add_service_errors
from learnloop.core.http import AuthedRequest
from learnloop.learning.selectors import catalog_list
from learnloop.people.models import Person
from learnloop.plans import charts, selectors, services
from learnloop.plans.forms import CommentForm, GoalForm, ObjectiveForm, PlanForm, TransferAnswerForm
from learnloop.plans.models import Goal, Objective, Plan, TransferCheck
from learnloop.skills.selectors import scale


def _status(request: AuthedRequest) -> int:
    return 400 if request.method == "POST" else 200


# --- Plans ------------------------------------------------------------------------------------------


@login_required
@require_safe
def mine(request: AuthedRequest) -> HttpResponse:
    plans = selectors.plans_of(actor=request.user, person=request.user)
    current = selectors.current_plan(person=request.user)
    return render(
        request,
        "plans/mine.html",
        {
            "plans": plans,
            "current_id": current.pk if current else None,
            "open_checks": selectors.transfer_open_count(person=request.user),
            "is_manager": bool(request.user.report_ids),
            "is_ld_admin": policy.can(request.user, "change", Objective),
        },
    )


@login_required
@require_safe
def person_plans(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    plans = selectors.plans_of(actor=request.user, person=person)
    if not plans and not policy.can(request.user, "view_reports", person):
        raise Http404
    return render(request, "plans/person_plans.html", {"person": person, "plans": plans})


@login_required
def plan_create(request: AuthedRequest) -> HttpResponse:
    year = timezone.localdate().year
    initial = {"period": str(year), "starts_on": f"{year}-01-01", "ends_on": f"{year}-12-31"}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, person=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Your {plan.period} plan is ready. Add your first goal.")
            return redirect("plans:goal_create", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None}, status=_status(request))


@login_required
@require_safe
def plan_detail(request: AuthedRequest, plan_id: int) -> HttpResponse:
    context = selectors.plan_detail(actor=request.user, plan_id=plan_id)
    plan = context["plan"]
    advice_for = request.GET.get("advice", "")
    advice_goal_id = parse_id(advice_for)
    if advice_goal_id is not None and context["can_change"]:
        goal = next((g for g in plan.goals.all() if g.pk == advice_goal_id), None)
        if goal is not None:
            context["saved_goal"] = goal
            context["saved_advice"] = selectors.saved_goal_advice(goal)
    context["comment_form"] = CommentForm()
    return render(request, "plans/plan.html", context)


@login_required
def plan_edit(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id, action="change")
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=Plan.objects.get(pk=plan.pk), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Plan saved.")
            return redirect("plans:plan", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan}, status=_status(request))


@login_required
@require_POST
def plan_close(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id, action="change")
    services.plan_close(actor=request.user, plan=plan)
    messages.success(request, f"Your {plan.period} plan is closed. Well done on what you achieved.")
    return redirect("plans:plan", plan_id=plan.pk)


@login_required
@require_POST
def comment(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id, action="comment")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.plan_comment_add(actor=request.user, plan=plan, body=form.cleaned_data["body"])
            messages.success(request, "Comment added.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Write your comment first.")
    return redirect(f"{reverse('plans:plan', kwargs={'plan_id': plan.pk})}#comments")


@login_required
@require_safe
def team(request: AuthedRequest) -> HttpResponse:
    period = request.GET.get("period", "")[:20]
    plans = selectors.team_plans(actor=request.user, period=period)
    return render(
        request,
        "plans/team.html",
        {
            "plans": plans,
            "period": period,
            "periods": selectors.team_periods(actor=request.user),
            "without_plan": selectors.team_without_plan(actor=request.user, period=period),
        },
    )


@login_required
@require_POST
def nudge(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Remind someone in the team who has no plan to start one (from *Team plans*)."""
    person = policy.get_or_404(request.user, "nudge_plan", Person.objects.filter(is_active=True), pk=person_id)
    period = request.POST.get("period", "")[:20]
    try:
        if services.plan_nudge(actor=request.user, person=person, period=period):
            messages.success(request, f"{person.display_name} has a reminder to start their plan.")
        else:
            messages.info(request, f"{person.display_name} was already reminded; they get one reminder a period.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = reverse("plans:team")
    return redirect(f"{back}?{urlencode({'period': period})}" if period else back)


# --- Goals ------------------------------------------------------------------------------------------


def _goal_form_page(request: AuthedRequest, plan: Plan, goal: Goal | None) -> HttpResponse:
    initial: dict[str, Any] = {"kind": Goal.Kind.SKILL}
    if goal is not None:
        initial = {
            "kind": goal.kind,
            "skill": goal.skill_id,
            "target_level": goal.target_level,
            "outcome": goal.outcome,
            "measure": goal.measure,
            "objective": goal.objective_id,
            "role": goal.role_id,
            "due_on": goal.due_on,
            "items": list(goal.items.values_list("pk", flat=True)),
        }
    form = GoalForm(request.POST or None, initial=initial, person=plan.person)
    advice = []
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        items = fields.pop("items")
        try:
            if goal is None:
                saved = services.goal_create(actor=request.user, plan=plan, items=items, **fields)
            else:
                saved = services.goal_update(actor=request.user, goal=goal, items=items, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Goal saved.")
            return redirect(f"{reverse('plans:plan', kwargs={'plan_id': plan.pk})}?advice={saved.pk}#goal-{saved.pk}")
    elif goal is not None:
        advice = selectors.saved_goal_advice(goal)
    return render(
        request,
        "plans/goal_form.html",
        {"form": form, "plan": plan, "goal": goal, "advice": advice, "checked": goal is not None, "scale": scale()},
        status=_status(request),
    )


@login_required
def goal_create(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id, action="change")
    if plan.status == Plan.Status.CLOSED:
        messages.error(request, "This plan is closed; start a plan for the next period.")
        return redirect("plans:plan", plan_id=plan.pk)
    return _goal_form_page(request, plan, None)


def _goal(request: AuthedRequest, goal_id: int) -> Goal:
    goal = get_object_or_404(Goal.objects.select_related("plan__person", "skill", "objective", "role"), pk=goal_id)
    policy.require(request.user, "change", goal.plan)
    return goal


@login_required
def goal_edit(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    if goal.plan.status == Plan.Status.CLOSED:
        messages.error(request, "This plan is closed; its goals stay as they were.")
        return redirect("plans:plan", plan_id=goal.plan_id)
    return _goal_form_page(request, goal.plan, goal)


@login_required
@require_POST
def goal_complete(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    try:
        services.goal_complete(actor=request.user, goal=goal)
        messages.success(request, f"Goal achieved: {goal}. Nicely done.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("plans:plan", plan_id=goal.plan_id)


@login_required
@require_POST
def goal_delete(request: AuthedRequest, goal_id: int) -> HttpResponse:
    goal = _goal(request, goal_id)
    try:
        services.goal_delete(actor=request.user, goal=goal)
        messages.success(request, "Goal removed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("plans:plan", plan_id=goal.plan_id)


@login_required
@require_POST
def smart_check(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """The SMART advice for the goal as typed so far (htmx swaps it into the goal form)."""
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id, action="change")
    form = GoalForm(request.POST, person=plan.person)
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k in GoalForm.base_fields}
    data.setdefault("kind", request.POST.get("kind") or Goal.Kind.SKILL)
    advice = selectors.goal_advice(plan=plan, **data)
    return render(request, "plans/htmx/advice.html", {"advice": advice, "checked": True})


@login_required
@require_safe
def item_search(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """Catalog items matching what the person typed, as checkboxes to add to the goal form (htmx)."""
    selectors.plan_get(actor=request.user, plan_id=plan_id, action="change")
    query = request.GET.get("item_q", "").strip()[:200]
    items = list(catalog_list(actor=request.user, text=query).filter(is_published=True)[:15]) if query else []
    return render(request, "plans/htmx/item_results.html", {"items": items, "query": query})


# --- Objectives -------------------------------------------------------------------------------------


@login_required
@require_safe
def objectives(request: AuthedRequest) -> HttpResponse:
    policy.require(request.user, "change", Objective)
    return render(
        request,
        "plans/objectives.html",
        {"objectives": selectors.objective_list(actor=request.user, include_inactive=True)},
    )


def _objective_page(request: AuthedRequest, objective: Objective | None) -> HttpResponse:
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        try:
            if objective is None:
                services.objective_create(actor=request.user, **form.cleaned_data)
            else:
                services.objective_update(
                    actor=request.user, objective=Objective.objects.get(pk=objective.pk), **form.cleaned_data
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Objective saved.")
            return redirect("plans:objectives")
    return render(request, "plans/objective_form.html", {"form": form, "objective": objective}, status=_status(request))


@login_required
def objective_create(request: AuthedRequest) -> HttpResponse:
    policy.require(request.user, "create", Objective)
    return _objective_page(request, None)


@login_required
def objective_edit(request: AuthedRequest, objective_id: int) -> HttpResponse:
    objective = policy.get_or_404(request.user, "change", Objective.objects.all(), pk=objective_id)
    return _objective_page(request, objective)


# --- Transfer checks --------------------------------------------------------------------------------


@login_required
@require_safe
def transfer_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "plans/transfer_list.html", selectors.transfer_checks_for(actor=request.user))


@login_required
def transfer_answer(request: AuthedRequest, check_id: int) -> HttpResponse:
    check = policy.get_or_404(
        request.user,
        "answer",
        TransferCheck.objects.select_related("enrollment__item", "learner", "goal__skill"),
        pk=check_id,
    )
    initial = {"applied": check.applied, "how": check.how} if check.answered_at else None
    form = TransferAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_check_answer(actor=request.user, check=check, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Thank you. Your answer helps show which learning makes a difference.")
            return redirect("plans:transfer_list")
    return render(request, "plans/transfer_answer.html", {"form": form, "check": check}, status=_status(request))


@login_required
@require_safe
def transfer_insights(request: AuthedRequest) -> HttpResponse:
    summary = selectors.transfer_summary(actor=request.user)
    return render(
        request, "plans/transfer_insights.html", {"summary": summary, "chart": charts.application_bars(summary)}
    )
