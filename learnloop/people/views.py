from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from learnloop.core import policy
from learnloop.core.forms import add_service_errors
from learnloop.core.htmx import render_page_or_partial
from learnloop.core.http import AuthedRequest
from learnloop.core.models import AuditEvent
from learnloop.core.roles import GRANTABLE_ROLES, Role
from learnloop.core.views import import_page
from learnloop.people import selectors, services
from learnloop.people.forms import (
    DeactivateForm,
    DirectorySearchForm,
    ImportForm,
    ProfileAdminForm,
    ProfileSelfForm,
    RoleForm,
)
from learnloop.people.importer import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from learnloop.people.models import Person

PAGE_SIZE = 48


@login_required
@require_safe
def directory(request: AuthedRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"],
            "org_unit_id": data["org_unit"].pk if data["org_unit"] else None,
            "location_id": data["location"].pk if data["location"] else None,
            "job_role_id": data["job_role"].pk if data["job_role"] else None,
            "include_inactive": data["include_inactive"],
        }
    people = selectors.person_list(actor=request.user, **filters)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_page_or_partial(
        request, page="people/directory.html", partial="people/htmx/results.html", context=context
    )


@login_required
@require_safe
def profile(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id)
    viewer = request.user
    # A team is listed by one rule everywhere ("view_reports"): here, in the API and on the team page.
    can_view_team = policy.can(viewer, "view_reports", person)
    context = {
        "person": person,
        "reports": list(selectors.person_reports(actor=viewer, person=person)) if can_view_team else [],
        "chain": selectors.manager_chain(person=person),
        "can_view_private": policy.can(viewer, "view_private", person),
        "can_view_team": can_view_team,
        "can_view_skills": policy.can(viewer, "view_skills", person),
        "can_view_pathways": policy.can(viewer, "view_pathways", person),
        "can_edit": policy.can(viewer, "change_profile", person),
        "can_deactivate": policy.can(viewer, "deactivate", person) and person.pk != viewer.pk,
        "can_grant": policy.can(viewer, "grant_role", person),
        "granted_roles": [Role(r).label for r in person.roles if r in GRANTABLE_ROLES],
        "role_grants": [(r, Role(r).label) for r in GRANTABLE_ROLES if r in person.roles],
    }
    return render(request, "people/profile.html", context)


@login_required
@require_safe
def team(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id, action="view_reports")
    everyone = selectors.person_reports(actor=request.user, person=person, transitive=True)
    page = Paginator(everyone, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/team.html", {"person": person, "page": page})


@login_required
@require_safe
def org_chart(request: AuthedRequest) -> HttpResponse:
    return render(request, "people/org_chart.html", {"roots": selectors.org_tree()})


@login_required
def edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    viewer = request.user
    person = selectors.person_get(actor=viewer, person_id=person_id, action="change_profile")
    as_admin = policy.can(viewer, "change", person)
    form_class = ProfileAdminForm if as_admin else ProfileSelfForm
    allowed = services.ADMIN_EDITABLE_FIELDS if as_admin else services.SELF_EDITABLE_FIELDS
    initial = {name: getattr(person, name) for name in allowed}
    form = form_class(request.POST or None, initial=initial)
    if as_admin and not policy.can(viewer, "change_identity", person):
        # Shown but fixed: they hold a role the viewer does not, so their sign-in stays theirs (policy).
        form.fields["email"].disabled = True
        form.fields[
            "email"
        ].help_text = (
            f"{person} holds a role you do not hold: only they or an org admin can change their sign-in email."
        )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in allowed}
        try:
            services.person_update(
                actor=viewer, person=person, allowed=allowed, source=AuditEvent.Source.WEB, **changes
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("people:profile", person_id=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/edit.html", {"person": person, "form": form, "as_admin": as_admin}, status=status)


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "create", Person):
        raise Http404
    form = ProfileAdminForm(request.POST or None, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in services.ADMIN_EDITABLE_FIELDS}
        try:
            person = services.person_create(actor=request.user, source=AuditEvent.Source.WEB, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person} was added. They can set a password with “Forgot your password?”.")
            return redirect("people:profile", person_id=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/create.html", {"form": form}, status=status)


@login_required
def deactivate(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id, action="deactivate")
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_deactivate(actor=request.user, person=person, left_on=form.cleaned_data["left_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person} has been deactivated. Their reports now report to their manager.")
            return redirect("people:profile", person_id=person.pk)
    return render(
        request,
        "people/deactivate.html",
        {"person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def reactivate(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id, action="deactivate")
    try:
        services.person_reactivate(actor=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{person} is active again.")
    return redirect("people:profile", person_id=person.pk)


@login_required
@require_POST
def roles(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, person_id=person_id, action="grant_role")
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role to grant or take away.")
        return redirect("people:profile", person_id=person.pk)
    role = form.cleaned_data["role"]
    try:
        if form.cleaned_data["grant"]:
            services.role_grant(actor=request.user, person=person, role=role)
            messages.success(request, f"{person} is now {Role(role).label}.")
        else:
            services.role_revoke(actor=request.user, person=person, role=role)
            messages.success(request, f"{person} is no longer {Role(role).label}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("people:profile", person_id=person.pk)


@login_required
def import_people(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "import", Person):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"optional": OPTIONAL_COLUMNS, "required": REQUIRED_COLUMNS}
    return import_page(request, kind="people", form=form, template="people/import.html", context=context)
