import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_safe
from django_tasks_db.models import DBTaskResult

from learnloop.core import home as home_panels
from learnloop.core import imports, policy
from learnloop.core.api import error_response
from learnloop.core.bounds import parse_id
from learnloop.core.forms import add_service_errors
from learnloop.core.htmx import render_page_or_partial
from learnloop.core.http import AuthedRequest
from learnloop.core.models import AuditEvent, ImportJob
from learnloop.core.navigation import admin_tiles_for
from learnloop.core.selectors import audit_actions, audit_event_list, import_jobs_recent
from learnloop.lrs.models import Client as LrsClient
from learnloop.people import selectors as people_selectors
from learnloop.people.models import Person


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app and its database answer; 503 with the reason when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
@require_safe
def home(request: AuthedRequest) -> HttpResponse:
    person = people_selectors.person_get(actor=request.user, person_id=request.user.pk)
    # The same person with their team, role and location loaded; the menu then reuses its cached
    # reporting line and roles instead of querying them again.
    request.user = person
    reports = list(people_selectors.person_reports(actor=request.user, person=person)) if person.report_ids else []
    teammates = (
        list(
            people_selectors.person_list(actor=request.user, org_unit_id=person.org_unit_id, include_sub_units=False)
            .exclude(pk=person.pk)
            .exclude(manager_id=person.pk)[:12]
        )
        if person.org_unit_id
        else []
    )
    from learnloop.skills.selectors import person_skill_profile

    gaps = [row for row in person_skill_profile(actor=person, person=person) if row["gap"]][:5]
    context = {
        "skill_gaps": gaps,
        "person": person,
        "chain": people_selectors.manager_chain(person=person),
        "reports": reports,
        "everyone_under_count": len(person.report_ids),
        "teammates": teammates,
        "panels": home_panels.panels_for(person),
    }
    return render(request, "core/home.html", context)


def _is_admin(person: Any) -> bool:
    return bool(person.roles & {"people_admin", "org_admin", "ld_admin"})


@login_required
@require_safe
def admin_area(request: AuthedRequest) -> HttpResponse:
    if not _is_admin(request.user):
        raise Http404
    return render(
        request,
        "core/admin_area.html",
        {
            "can_audit": policy.can(request.user, "view", AuditEvent),
            "can_tasks": policy.can(request.user, "view", DBTaskResult),
            "can_lrs": policy.can(request.user, "view", LrsClient),
            "can_import": policy.can(request.user, "import", Person),
            "tiles": admin_tiles_for(request.user),
        },
    )


def _day_start(value: str) -> dt.datetime | None:
    """Midnight at the start of a YYYY-MM-DD day in the server's time zone, or None if not a date."""
    try:
        day = parse_date(value) if value else None
    except ValueError:
        return None
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@login_required
@require_safe
def audit_log(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "view", AuditEvent):
        raise Http404
    params = request.GET
    since, until = _day_start(params.get("since", "")), _day_start(params.get("until", ""))
    actor_id = params.get("actor", "")
    events = audit_event_list(
        actor=request.user,
        actor_id=parse_id(actor_id),
        action=params.get("action", ""),
        object_type=params.get("object_type", ""),
        object_id=params.get("object_id", ""),
        since=since,
        until=until,
    )
    page = Paginator(events, 50).get_page(params.get("page"))
    for event in page:
        # A list, not `changes.items` in the template: a changed field named "items" would shadow it.
        event.change_rows = list(event.changes.items())  # type: ignore[attr-defined]
    context = {
        "page": page,
        "actions": audit_actions(),
        "filters": params,
        "object_types": sorted(AuditEvent.objects.values_list("object_type", flat=True).distinct()),
    }
    return render_page_or_partial(
        request, page="core/audit_log.html", partial="core/htmx/audit_rows.html", context=context
    )


@login_required
@require_safe
def task_list(request: AuthedRequest) -> HttpResponse:
    if not policy.can(request.user, "view", DBTaskResult):
        raise Http404
    status = request.GET.get("status", "")
    results = DBTaskResult.objects.order_by("-enqueued_at")
    if status:
        results = results.filter(status=status)
    page = Paginator(results, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/task_list.html",
        {"page": page, "status": status, "statuses": ["READY", "RUNNING", "FAILED", "SUCCESSFUL"]},
    )


def import_page(
    request: AuthedRequest, *, kind: str, form: forms.Form, template: str, context: dict[str, Any]
) -> HttpResponse:
    """A domain's CSV import page: a valid upload becomes a queued job, and the browser goes to the job's
    page to watch it; the caller has checked that the person may import this kind."""
    if request.method == "POST" and form.is_valid():
        importer = imports.importer_for(kind)
        try:
            job = imports.import_start(
                actor=request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                options={name: form.cleaned_data[name] for name in importer.options},
                source=AuditEvent.Source.WEB,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("core:import_job", job_id=job.pk)
    context = {**context, "form": form, "recent_imports": import_jobs_recent(actor=request.user, kind=kind)}
    return render(request, template, context, status=400 if form.errors else 200)


# Problems listed on the job's page; all of them are in the CSV download.
PROBLEMS_SHOWN = 500


@login_required
@require_safe
def import_job(request: AuthedRequest, job_id: int) -> HttpResponse:
    """An import's progress (polled by htmx while it runs), then its counts or every problem found."""
    job = policy.get_or_404(request.user, "view", ImportJob.objects.defer("content"), pk=job_id)
    importer = imports.importer_for(job.kind)
    waited = (timezone.now() - job.created_at).total_seconds()
    context = {
        "job": job,
        "importer": importer,
        "problems": job.errors[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(job.errors) - PROBLEMS_SHOWN),
        # No worker has taken it for a while: say what to check instead of spinning forever.
        "worker_missing": job.status == ImportJob.Status.QUEUED and waited > 30,
    }
    # The live region is updated only when the stage or outcome changed since the page last polled.
    if request.GET.get("seen") != f"{job.status}.{job.stage}":
        context["announce"] = _import_announcement(job)
    return render_page_or_partial(
        request, page="core/import_job.html", partial="core/htmx/import_job_status.html", context=context
    )


def _import_announcement(job: ImportJob) -> str:
    if job.status == ImportJob.Status.REJECTED:
        count = len(job.errors)
        return f"Nothing was imported: {count} problem{'s' if count != 1 else ''} found."
    if job.status == ImportJob.Status.IMPORTED:
        return "Imported."
    if job.status == ImportJob.Status.FAILED:
        return "The import failed."
    return job.phase


@login_required
@require_safe
def import_problems(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = policy.get_or_404(request.user, "view", ImportJob.objects.defer("content"), pk=job_id)
    if job.status != ImportJob.Status.REJECTED:
        raise Http404
    response = HttpResponse(imports.problems_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(404, "not_found", "Not found.")
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(403, "forbidden", "You may not do this.")
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its page's token (opened long ago, from another site, or with cookies off)."""
    if request.path.startswith("/api/"):
        return error_response(403, "forbidden", "The request lacks a valid CSRF token.")
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(500, "server_error", "Something went wrong on our side.")
    # Without the request's context: whatever failed (the database, a context processor) may fail again.
    return HttpResponse(loader.render_to_string("500.html"), status=500)
