from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from learnloop.core import policy
from learnloop.core.bounds import parse_id
from learnloop.core.forms import add_service_errors
from learnloop.core.htmx import render_page_or_partial
from learnloop.core.http import AuthedRequest
from learnloop.core.navigation import manages_people
from learnloop.core.views import import_page
from learnloop.people import selectors as people_selectors
from learnloop.people.models import JobRole
from learnloop.skills import selectors, services
from learnloop.skills.charts import heat_shade, level_history
from learnloop.skills.forms import (
    CareerPathForm,
    CategoryForm,
    LevelForm,
    RatingForm,
    RequirementForm,
    ScaleResizeForm,
    ScaleSizeForm,
    SkillForm,
    SkillImportForm,
    SkillSearchForm,
)
from learnloop.skills.importer import SIMPLE_COLUMNS
from learnloop.skills.models import (
    CareerPath,
    ProficiencyLevel,
    RoleRequirement,
    Skill,
    SkillAssessment,
    SkillCategory,
)
from learnloop.skills.scale import DEFAULT_TOP, level_columns


@login_required
@require_safe
def skill_list(request: AuthedRequest) -> HttpResponse:
    form = SkillSearchForm(request.GET or None)
    search, category_id, retired = "", None, False
    if form.is_valid():
        search = form.cleaned_data["q"]
        category_id = form.cleaned_data["category"].pk if form.cleaned_data["category"] else None
        retired = form.cleaned_data["retired"]
    skills = selectors.skill_list(actor=request.user, search=search, category_id=category_id, retired=retired)
    page = Paginator(skills, 60).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_import": policy.can(request.user, "import", Skill),
        "can_create": policy.can(request.user, "create", Skill),
        "can_edit_categories": policy.can(request.user, "change", SkillCategory),
        "manages_people": manages_people(request.user),
    }
    return render_page_or_partial(request, page="skills/list.html", partial="skills/htmx/results.html", context=context)


@login_required
@require_safe
def skill_detail(request: AuthedRequest, skill_id: int) -> HttpResponse:
    skill = selectors.skill_get(actor=request.user, skill_id=skill_id)
    return render(
        request,
        "skills/detail.html",
        {
            "skill": skill,
            "requirements": selectors.roles_requiring(skill=skill),
            "scale": selectors.scale(),
            "can_edit": policy.can(request.user, "change", skill),
        },
    )


def _skill_form_page(request: AuthedRequest, form: SkillForm, skill: Skill | None) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(request, "skills/skill_form.html", {"form": form, "skill": skill}, status=status)


@login_required
def skill_create(request: AuthedRequest) -> HttpResponse:
    policy.require(request.user, "create", Skill)
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            skill = services.skill_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{skill} is in the skills taxonomy.")
            return redirect("skills:detail", skill_id=skill.pk)
    return _skill_form_page(request, form, None)


@login_required
def skill_edit(request: AuthedRequest, skill_id: int) -> HttpResponse:
    skill = policy.get_or_404(request.user, "change", Skill.objects.select_related("category"), pk=skill_id)
    initial = {
        "name": skill.name,
        "category": skill.category_id,
        "description": skill.description,
        "synonyms": "\n".join(skill.synonyms),
    }
    form = SkillForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.skill_update(actor=request.user, skill=skill, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{skill} saved.")
            return redirect("skills:detail", skill_id=skill.pk)
    return _skill_form_page(request, form, skill)


@login_required
@require_POST
def skill_retire(request: AuthedRequest, skill_id: int) -> HttpResponse:
    """Retire a skill (`retire=yes`) or put it back in use (`retire=no`); never delete it."""
    skill = policy.get_or_404(request.user, "change", Skill.objects.all(), pk=skill_id)
    choice = request.POST.get("retire", "")
    if choice not in ("yes", "no"):
        messages.error(request, "Choose whether to retire the skill or put it back in use.")
        return redirect("skills:edit", skill_id=skill.pk)
    services.skill_update(actor=request.user, skill=skill, is_active=choice == "no")
    if choice == "yes":
        messages.success(request, f"{skill} is retired: it leaves the pickers; ratings and profiles keep it.")
    else:
        messages.success(request, f"{skill} is back in use.")
    return redirect("skills:detail", skill_id=skill.pk)


@login_required
def category_list(request: AuthedRequest) -> HttpResponse:
    """Every category with its number of skills; L&D admins add one here."""
    policy.require(request.user, "change", SkillCategory)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added the category {category}.")
            return redirect("skills:categories")
    context = {"categories": selectors.category_list(actor=request.user), "form": form}
    return render(request, "skills/categories.html", context, status=400 if request.method == "POST" else 200)


@login_required
def category_edit(request: AuthedRequest, category_id: int) -> HttpResponse:
    category = policy.get_or_404(request.user, "change", SkillCategory.objects.all(), pk=category_id)
    form = CategoryForm(request.POST or None, initial={"name": category.name, "description": category.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(actor=request.user, category=category, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{category} saved.")
            return redirect("skills:categories")
    status = 400 if request.method == "POST" else 200
    return render(request, "skills/category_form.html", {"form": form, "category": category}, status=status)


@login_required
def skill_import(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "import", Skill):
        raise Http404
    form = SkillImportForm(request.POST or None, request.FILES or None)
    return import_page(
        request, kind="skills", form=form, template="skills/import.html", context={"simple_columns": SIMPLE_COLUMNS}
    )


@login_required
@require_safe
def scale(request: AuthedRequest) -> HttpResponse:
    levels = selectors.scale()
    can_edit = policy.can(request.user, "change", ProficiencyLevel)
    forms = [(level, LevelForm(initial={"name": level.name, "descriptor": level.descriptor})) for level in levels]
    context = {
        "levels": forms,
        "top": _top(levels),
        "can_edit": can_edit,
        "size_form": ScaleSizeForm(initial={"levels": len(levels)}) if can_edit else None,
    }
    return render(request, "skills/scale.html", context)


def _resize_preview(form: ScaleResizeForm, usage: dict[int, dict[str, int]]) -> dict[str, Any]:
    """Where today's stored levels would go under the mapping as chosen so far: per level of today's
    scale its counts and new level, per new level what it would hold, and how many values move.
    Counts are lists in the order of `columns`."""
    columns = level_columns()
    mapping, names = form.chosen_mapping(), form.chosen_names()

    def counts(level: int) -> list[int]:
        found = usage.get(level, {})
        return [found.get(column.key, 0) for column in columns]

    old_rows = [
        {"level": level, "field": form[f"map_{level.level}"], "counts": counts(level.level)} for level in form.current
    ]
    new_rows: list[dict[str, Any]] = [
        {"level": n, "name": names[n], "counts": [0] * len(columns), "from": []} for n in range(1, form.new_top + 1)
    ]
    moved = [0] * len(columns)
    for old, new in sorted(mapping.items()):
        row = new_rows[new - 1]
        row["from"].append(old)
        for index, count in enumerate(counts(old)):
            row["counts"][index] += count
            moved[index] += count if old != new else 0
    ordered = [mapping[old] for old in sorted(mapping)]
    return {
        "columns": columns,
        "old_rows": old_rows,
        "new_rows": new_rows,
        "moved": [(column.label, count) for column, count in zip(columns, moved, strict=True)],
        "in_order": ordered == sorted(ordered),
        "outside": sum(sum(found.values()) for level, found in usage.items() if level not in mapping),
    }


@login_required
def scale_resize(request: AuthedRequest) -> HttpResponse:
    """Change the number of levels: choose how many, name and describe them, choose where each of today's
    levels goes (a preview counts what moves; htmx redraws it as choices change), then confirm."""
    policy.require(request.user, "change", ProficiencyLevel)
    current = selectors.scale()
    size = ScaleSizeForm(request.POST if request.method == "POST" else request.GET or None)
    context: dict[str, Any] = {"current": current, "size_form": size}
    if not size.is_valid():
        status = 400 if size.is_bound else 200
        return render(request, "skills/scale_resize.html", context, status=status)
    form = ScaleResizeForm(
        request.POST if request.method == "POST" else None, current=current, new_top=size.cleaned_data["levels"]
    )
    status = 200
    if request.method == "POST" and request.POST.get("action") == "apply" and not getattr(request, "htmx", False):
        if form.is_valid():
            try:
                result = services.scale_resize(actor=request.user, levels=form.new_levels(), mapping=form.mapping())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                moved = ", ".join(f"{result.rewritten[c.key]} {c.label}" for c in level_columns())
                messages.success(request, f"The scale has {len(result.levels)} levels now. Moved: {moved}.")
                return redirect("skills:scale")
        status = 400
    context.update(form=form, preview=_resize_preview(form, selectors.scale_usage()))
    return render_page_or_partial(
        request,
        page="skills/scale_resize.html",
        partial="skills/htmx/scale_preview.html",
        context=context,
        status=status,
    )


@login_required
@require_POST
def scale_edit(request: AuthedRequest, level: int) -> HttpResponse:
    found = policy.get_or_404(request.user, "change", ProficiencyLevel.objects.all(), level=level)
    form = LevelForm(request.POST)
    if form.is_valid():
        try:
            services.proficiency_level_update(actor=request.user, level=found, **form.cleaned_data)
            messages.success(request, f"Level {level} saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Each level needs a name and a descriptor.")
    return redirect("skills:scale")


@login_required
@require_safe
def role_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "skills/roles.html", {"roles": selectors.role_list()})


def _role(request: AuthedRequest, role_id: int) -> JobRole:
    return policy.get_or_404(request.user, "view", JobRole.objects.all(), pk=role_id)


@login_required
@require_safe
def role_profile(request: AuthedRequest, role_id: int) -> HttpResponse:
    job_role = _role(request, role_id)
    context = selectors.role_profile(job_role=job_role)
    compare_to = parse_id(request.GET.get("to"))
    if compare_to is not None:
        target = JobRole.objects.filter(pk=compare_to).first()
        if target is not None:
            context["compare_to"] = target
            context["changes"] = selectors.role_change(from_role=job_role, to_role=target)
    can_edit = policy.can(request.user, "change", RoleRequirement)
    context.update(can_edit=can_edit, scale=selectors.scale())
    if can_edit:
        context["requirement_form"] = RequirementForm()
        context["path_form"] = CareerPathForm()
    return render(request, "skills/role.html", context)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_POST
def requirement_set(request: AuthedRequest, role_id: int) -> HttpResponse:
    job_role = _role(request, role_id)
    policy.require(request.user, "change", RoleRequirement)
    form = RequirementForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a skill and a level.")
    else:
        try:
            services.requirement_set(actor=request.user, job_role=job_role, **form.cleaned_data)
            messages.success(
                request, f"{job_role} now needs {form.cleaned_data['skill']} at level {form.cleaned_data['level']}."
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return redirect("skills:role", role_id=job_role.pk)


@login_required
@require_POST
def requirement_remove(request: AuthedRequest, role_id: int, requirement_id: int) -> HttpResponse:
    job_role = _role(request, role_id)
    requirement = policy.get_or_404(
        request.user, "change", RoleRequirement.objects.select_related("skill"), pk=requirement_id, job_role=job_role
    )
    services.requirement_remove(actor=request.user, requirement=requirement)
    messages.success(request, f"{requirement.skill} is no longer part of the {job_role} profile.")
    return redirect("skills:role", role_id=job_role.pk)


@login_required
@require_POST
def career_path_add(request: AuthedRequest, role_id: int) -> HttpResponse:
    job_role = _role(request, role_id)
    policy.require(request.user, "change", CareerPath)
    form = CareerPathForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the next role; months must be between 1 and 240.")
    else:
        try:
            services.career_path_set(actor=request.user, from_role=job_role, **form.cleaned_data)
            messages.success(request, f"Added the path {job_role} → {form.cleaned_data['to_role']}.")
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return redirect("skills:role", role_id=job_role.pk)


@login_required
@require_POST
def career_path_remove(request: AuthedRequest, role_id: int, path_id: int) -> HttpResponse:
    job_role = _role(request, role_id)
    path = policy.get_or_404(request.user, "change", CareerPath.objects.all(), pk=path_id, from_role=job_role)
    services.career_path_remove(actor=request.user, path=path)
    messages.success(request, "Career path removed.")
    return redirect("skills:role", role_id=job_role.pk)


@login_required
@require_safe
def my_skills(request: AuthedRequest) -> HttpResponse:
    """Where the menu's "Skills" leads: the person's own profile, at an address that stays "mine"."""
    return person_skills(request, request.user.pk)


@login_required
@require_safe
def person_skills(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, person_id=person_id, action="view_skills")
    compare_role = None
    compare_role_id = parse_id(request.GET.get("to"))
    if compare_role_id is not None:
        compare_role = JobRole.objects.filter(pk=compare_role_id).first()
    rows = selectors.person_skill_profile(actor=request.user, person=person, compare_role=compare_role)
    scale = selectors.scale()
    for row in rows:
        row["chart"] = level_history(row["history"], skill=row["skill"].name, top=_top(scale))
    next_roles = list(CareerPath.objects.filter(from_role_id=person.job_role_id).select_related("to_role"))
    context = {
        "person": person,
        "rows": rows,
        "compare_role": compare_role,
        "next_roles": next_roles,
        "scale": scale,
        "rating_source": selectors.rating_source(actor=request.user, person=person),
        "form": RatingForm(),
        "is_self": person.pk == request.user.pk,
        "manages_people": manages_people(request.user),
    }
    return render(request, "skills/person.html", context)


@login_required
def rate(request: AuthedRequest, person_id: int) -> HttpResponse:
    """Give a rating: self, as their manager, or as a peer (peers do not see others' ratings)."""
    person = people_selectors.person_get(actor=request.user, person_id=person_id)
    source = selectors.rating_source(actor=request.user, person=person)
    as_evidence = request.POST.get("as_evidence") == "on" and policy.can(request.user, "add_evidence", person)
    if source is None:
        raise Http404
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_record(
                actor=request.user,
                person=person,
                skill=form.cleaned_data["skill"],
                source=SkillAssessment.Source.EVIDENCE if as_evidence else source,
                level=form.cleaned_data["level"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Thank you: your {source} rating of {person} is recorded.")
            if policy.can(request.user, "view_skills", person):
                return redirect("skills:person", person_id=person.pk)
            return redirect("people:profile", person_id=person.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "skills/rate.html",
        {
            "person": person,
            "form": form,
            "source": source,
            "can_add_evidence": policy.can(request.user, "add_evidence", person),
            "scale": selectors.scale(),
        },
        status=status,
    )


@login_required
@require_safe
def team(request: AuthedRequest) -> HttpResponse:
    matrix = _gaps_first(selectors.team_matrix(actor=request.user, manager=request.user))
    scale = selectors.scale()
    top = _top(scale)
    for row in matrix["rows"]:
        for cell in row["cells"]:
            cell["shade"] = heat_shade(cell["level"], top=top)
    legend = [{"level": p.level, "name": p.name, "shade": heat_shade(p.level, top=top)} for p in scale]
    return render(request, "skills/team.html", {"matrix": matrix, "scale_top": top, "legend": legend})


def _gaps_first(matrix: dict[str, Any]) -> dict[str, Any]:
    """The matrix with its skills ordered by how many people are below what their role needs (then by
    name), each skill's count of gaps and of people who need it, and each person's count of gaps."""
    rows, skills = matrix["rows"], matrix["skills"]
    columns = []
    for index, skill in enumerate(skills):
        cells = [row["cells"][index] for row in rows]
        gaps = sum(1 for cell in cells if cell["short"])
        needed = sum(1 for cell in cells if cell["required"] is not None)
        columns.append({"skill": skill, "gaps": gaps, "needed": needed, "index": index})
    columns.sort(key=lambda column: (-column["gaps"], column["skill"].name))
    ordered_rows = []
    for row in rows:
        cells = [row["cells"][column["index"]] for column in columns]
        ordered_rows.append({**row, "cells": cells, "gaps": sum(1 for cell in cells if cell["short"])})
    return {
        "skills": [column["skill"] for column in columns],
        "columns": columns,
        "rows": ordered_rows,
        "gaps": sum(column["gaps"] for column in columns),
        "widest": [column for column in columns if column["gaps"]][:3],
    }


def _top(scale: list[ProficiencyLevel]) -> int:
    return scale[-1].level if scale else DEFAULT_TOP
