from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from learnloop.core import policy
from learnloop.core.htmx import render_page_or_partial
from learnloop.core.http import AuthedRequest
from learnloop.learning import selectors, services
from learnloop.learning.forms import CatalogItemForm, CatalogSearchForm
from learnloop.learning.models import CatalogItem
from learnloop.learning.rendering import lesson_html


@login_required
def catalog(request: AuthedRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        skill = form.cleaned_data["skill"]
        filters = {
            "text": form.cleaned_data["q"],
            "kind": form.cleaned_data["kind"],
            "skill_id": skill.pk if skill else None,
        }
    items = selectors.catalog_list(actor=request.user, **filters)
    page = Paginator(items, 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": policy.can(request.user, "create", CatalogItem),
    }
    return render_page_or_partial(
        request, page="learning/catalog.html", partial="learning/htmx/results.html", context=context
    )


@login_required
def item_detail(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = selectors.item_get(actor=request.user, item_id=item_id)
    context = {
        "item": item,
        "lesson": lesson_html(item.lesson) if item.lesson else "",
        "can_edit": policy.can(request.user, "change", item),
    }
    return render(request, "learning/item.html", context)


def _save(request: AuthedRequest, form: CatalogItemForm, item: CatalogItem | None) -> CatalogItem | None:
    fields = {k: v for k, v in form.cleaned_data.items() if k != "skills"}
    if "file" in fields and not fields["file"]:
        fields.pop("file")
    try:
        if item is None:
            return services.item_create(
                actor=request.user, owner=request.user, skills=form.cleaned_data["skills"], **fields
            )
        return services.item_update(actor=request.user, item=item, skills=form.cleaned_data["skills"], **fields)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


@login_required
def item_create(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "create", CatalogItem):
        raise Http404
    form = CatalogItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        item = _save(request, form, None)
        if item is not None:
            messages.success(request, f"“{item}” is in the catalog.")
            return redirect("learning:item", item_id=item.pk)
    return render(
        request,
        "learning/item_form.html",
        {"form": form, "item": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def item_edit(request: AuthedRequest, item_id: int) -> HttpResponse:
    item = policy.get_or_404(request.user, "change", CatalogItem.objects.all(), pk=item_id)
    initial = {
        "skills": "\n".join(f"{s.skill.name} = {s.target_level}" for s in item.skills_taught.select_related("skill"))
    }
    form = CatalogItemForm(request.POST or None, request.FILES or None, instance=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, CatalogItem.objects.get(pk=item.pk))
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect("learning:item", item_id=item.pk)
    return render(
        request,
        "learning/item_form.html",
        {"form": form, "item": item},
        status=400 if request.method == "POST" else 200,
    )
