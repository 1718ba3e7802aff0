import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from learnloop.core import policy
from learnloop.core.forms import add_service_errors
from learnloop.core.http import AuthedRequest, absolute_url
from learnloop.learning.models import CatalogItem
from learnloop.learningtime import selectors, services
from learnloop.learningtime.charts import weekly_chart
from learnloop.learningtime.feed import calendar_for
from learnloop.learningtime.forms import BlockForm, BudgetForm
from learnloop.learningtime.models import PersonBudget
from learnloop.people.models import Person

CHART_WEEKS = 12


def feed_url(secret: str, request: HttpRequest | None = None) -> str:
    return absolute_url(reverse("learningtime:feed", kwargs={"secret": secret}), request)


def _coming_up(blocks: list[Any], bookings: list[Any]) -> list[dict[str, Any]]:
    """Blocks and booked sessions in one list, in the order they happen."""
    entries = [{"starts_at": b.starts_at, "ends_at": b.ends_at, "block": b} for b in blocks]
    entries += [{"starts_at": b.session.starts_at, "ends_at": b.session.ends_at, "booking": b} for b in bookings]
    return sorted(entries, key=lambda entry: entry["starts_at"])


def _page_context(request: AuthedRequest) -> dict[str, Any]:
    person = request.user
    weeks = selectors.weekly_summary(person, weeks=CHART_WEEKS)
    return {
        "budget": selectors.budget_for(person),
        "this_week": weeks[-1],
        "weeks": weeks,
        "chart": weekly_chart(weeks),
        "coming": _coming_up(selectors.upcoming_blocks(person), selectors.booked_sessions(person)),
        "to_review": selectors.blocks_to_review(person),
        "feed": selectors.feed_of(person),
        "has_reports": bool(person.report_ids),
    }


@login_required
@require_safe
def mine(request: AuthedRequest) -> HttpResponse:
    return render(request, "learningtime/mine.html", _page_context(request))


@login_required
def block_new(request: AuthedRequest) -> HttpResponse:
    form = BlockForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            block = services.block_create(
                actor=request.user,
                title=form.cleaned_data["title"],
                starts_at=starts_at,
                ends_at=ends_at,
                item=form.cleaned_data["item"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{block.title}” is in your learning time.")
            return redirect("learningtime:mine")
    status = 400 if request.method == "POST" else 200
    return render(request, "learningtime/block_form.html", {"form": form, "learning_block": None}, status=status)


@login_required
def block_edit(request: AuthedRequest, block_id: int) -> HttpResponse:
    block = selectors.block_get(actor=request.user, block_id=block_id, action="change")
    zone = zoneinfo.ZoneInfo(request.user.time_zone)
    starts, ends = block.starts_at.astimezone(zone), block.ends_at.astimezone(zone)
    initial = {
        "title": block.title,
        "day": starts.date(),
        "starts_at": starts.time(),
        "ends_at": ends.time(),
        "item": block.item_id,
        "note": block.note,
    }
    form = BlockForm(request.POST or None, person=request.user, initial=initial)
    if block.item is not None:
        # Keep the block's item choosable even after the person finished it.
        field = form.fields["item"]
        field.queryset = field.queryset | CatalogItem.objects.filter(pk=block.item.pk)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            services.block_update(
                actor=request.user,
                block=block,
                title=form.cleaned_data["title"],
                starts_at=starts_at,
                ends_at=ends_at,
                item=form.cleaned_data["item"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Block saved; subscribed calendars pick up the change.")
            return redirect("learningtime:mine")
    status = 400 if request.method == "POST" else 200
    return render(request, "learningtime/block_form.html", {"form": form, "learning_block": block}, status=status)


@login_required
@require_POST
def block_status(request: AuthedRequest, block_id: int) -> HttpResponse:
    block = selectors.block_get(actor=request.user, block_id=block_id, action="change")
    try:
        services.block_set_status(actor=request.user, block=block, status=request.POST.get("status", ""))
        messages.success(request, "Thanks, noted.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("learningtime:mine")


@login_required
@require_POST
def block_cancel_view(request: AuthedRequest, block_id: int) -> HttpResponse:
    block = selectors.block_get(actor=request.user, block_id=block_id, action="change")
    services.block_cancel(actor=request.user, block=block)
    messages.success(request, f"“{block.title}” is cancelled.")
    return redirect("learningtime:mine")


@login_required
def team(request: AuthedRequest) -> HttpResponse:
    """The manager's direct reports and their learning time; managers set the team default here."""
    form = BudgetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_budget_set(actor=request.user, weekly_minutes=form.cleaned_data["weekly_minutes"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Team default saved.")
            return redirect("learningtime:team")
    rows = selectors.team_overview(manager=request.user)
    team_default = getattr(request.user, "team_budget", None) if rows else None
    if request.method == "GET" and team_default is not None:
        form = BudgetForm(initial={"weekly_minutes": team_default.weekly_minutes})
    context = {
        "rows": rows,
        "form": form,
        "team_default": team_default,
        "site_default": settings.LEARNING_TIME_DEFAULT_WEEKLY_MINUTES,
    }
    return render(request, "learningtime/team.html", context, status=400 if form.errors else 200)


@login_required
def person_budget(request: AuthedRequest, person_id: int) -> HttpResponse:
    """A person's own budget, set by their manager or a people admin."""
    person = policy.get_or_404(request.user, "view", Person.objects.filter(is_active=True), pk=person_id)
    if not policy.can(request.user, "change", PersonBudget(person=person)):
        raise Http404
    budget = selectors.budget_for(person)
    initial = {"weekly_minutes": budget.minutes} if budget.source == "person" else {}
    form = BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_budget_set(
                actor=request.user, person=person, weekly_minutes=form.cleaned_data["weekly_minutes"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Learning time for {person.display_name} saved.")
            return redirect("learningtime:person_budget", person_id=person.pk)
    context = {"person": person, "budget": budget, "form": form}
    return render(request, "learningtime/person_budget.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def feed_new(request: AuthedRequest) -> HttpResponse:
    """A new secret address; shown on this response only, since only its hash is kept."""
    secret = services.feed_rotate(actor=request.user)
    context = _page_context(request) | {"new_feed_url": feed_url(secret, request)}
    return render(request, "learningtime/mine.html", context)


@login_required
@require_POST
def feed_revoke_view(request: AuthedRequest) -> HttpResponse:
    services.feed_revoke(actor=request.user)
    messages.success(request, "Your calendar address no longer works; calendars subscribed to it stop updating.")
    return redirect("learningtime:mine")


@require_safe
def feed(request: AuthedRequest, secret: str) -> HttpResponse:
    """The calendar feed: no sign-in, the secret in the address is the key. Unknown or revoked is a 404."""
    person = selectors.feed_owner(secret)
    if person is None:
        raise Http404
    # Links inside go back to where the calendar fetched the feed from.
    calendar = calendar_for(person, site=absolute_url("/", request).rstrip("/"))
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="learning-time.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
