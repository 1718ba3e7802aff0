import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe
from django_tasks_db.models import DBTaskResult

from learnloop.core import home as home_panels
from learnloop.core import imports, policy
from learnloop.core.api import error_response
from learnloop.core.audit import audit_record
from learnloop.core.forms import DateField, IdField, add_service_errors
from learnloop.core.htmx import render_page_or_partial
from learnloop.core.http import AuthedRequest
from learnloop.core.models import AuditEvent, ImportJob
from learnloop.core.navigation import admin_tiles_for
from learnloop.core.selectors import (
    audit_actions,
    audit_actor_suggestions,
    audit_event_chunks,
    audit_event_list,
    audit_event_page,
    audit_object_types,
    import_jobs_recent,
)
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
    context = {
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
    return render(request, "core/admin_area.html", {"tiles": admin_tiles_for(request.user)})


class AuditFilterForm(forms.Form):
    """The audit log's filters, shared by the page, its suggestions and the CSV export. Days are read in
    the viewer's time zone (the one the page shows times in); "to" includes its whole day."""

    action = forms.CharField(required=False, max_length=80)
    object_type = forms.CharField(required=False, max_length=80, label="Object type")
    object_id = forms.CharField(required=False, max_length=64, label="Object id")
    actor = IdField(required=False, label="Who")
    actor_q = forms.CharField(required=False, max_length=100, label="Who")
    since = DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    before = IdField(required=False)
    after = IdField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "“To” is before “From”.")
        return data

    def events(self, actor: Person) -> Any:
        data = self.cleaned_data
        return audit_event_list(
            actor=actor,
            actor_id=data.get("actor"),
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            since=_day_start(data.get("since")),
            until=_day_start(data["until"] + dt.timedelta(days=1)) if data.get("until") else None,
        )

    def query(self, *, without: tuple[str, ...] = ("before", "after")) -> str:
        """The filters as a query string, for links that keep them (paging, export, "who" suggestions)."""
        kept = {name: value for name, value in self.data.items() if name in self.fields and name not in without}
        return urlencode({name: value for name, value in kept.items() if value})


def _day_start(day: dt.date | None) -> dt.datetime | None:
    """Midnight at the start of `day` in the viewer's time zone."""
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _audit_filters(request: AuthedRequest) -> AuditFilterForm:
    if not policy.can(request.user, "view", AuditEvent):
        raise Http404
    return AuditFilterForm(request.GET)


@login_required
@require_safe
def audit_log(request: AuthedRequest) -> HttpResponse:
    """The audit trail for people and org admins: filtered, a page at a time, newest first."""
    form = _audit_filters(request)
    context: dict[str, Any] = {"form": form, "filters": request.GET}
    if form.is_valid():
        data = form.cleaned_data
        events = form.events(request.user)
        page = audit_event_page(events, before=data.get("before"), after=data.get("after"))
        for event in page:
            # A list, not `changes.items` in the template: a changed field named "items" would shadow it.
            event.change_rows = list(event.changes.items())  # type: ignore[attr-defined]
        context |= {
            "page": page,
            "total": events.count(),
            "query": form.query(),
            # Typing in the "who" box only suggests people; it filters nothing until one is chosen.
            "filtered": any(
                data.get(name) for name in ("action", "object_type", "object_id", "actor", "since", "until")
            ),
            "query_without_actor": form.query(without=_NOT_KEPT_FOR_ACTOR),
            "chosen_actor": Person.objects.filter(pk=data["actor"]).first() if data.get("actor") else None,
            "actor_suggestions": audit_actor_suggestions(actor=request.user, search=data.get("actor_q") or ""),
        }
    if not getattr(request, "htmx", False):
        context |= {"actions": audit_actions(), "object_types": audit_object_types()}
    return render_page_or_partial(
        request,
        page="core/audit_log.html",
        partial="core/htmx/audit_rows.html",
        context=context,
        # htmx swaps in only a 2xx answer: a filter it sent that is wrong shows its message in the results.
        status=200 if form.is_valid() or getattr(request, "htmx", False) else 400,
    )


@login_required
@require_safe
def audit_actors(request: AuthedRequest) -> HttpResponse:
    """Who matches what was typed in the "who" box (htmx, as people type): links that filter by them."""
    form = _audit_filters(request)
    if not form.is_valid():
        return render(request, "core/htmx/audit_actor_suggestions.html", {"form": form}, status=400)
    suggestions = audit_actor_suggestions(actor=request.user, search=form.cleaned_data.get("actor_q") or "")
    context = {
        "form": form,
        "actor_suggestions": suggestions,
        "query_without_actor": form.query(without=_NOT_KEPT_FOR_ACTOR),
    }
    return render(request, "core/htmx/audit_actor_suggestions.html", context)


# A suggestion replaces the chosen person and starts again at the newest page.
_NOT_KEPT_FOR_ACTOR = ("before", "after", "actor", "actor_q")

AUDIT_CSV_HEADER = [
    "when_utc",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "changes",
    "via",
]


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or carriage return, which
    some spreadsheets skip before reading a formula) gets a leading apostrophe, so it never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _audit_csv_rows(events: Any) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(cell) for cell in cells])
        return buffer.getvalue()

    yield line(AUDIT_CSV_HEADER)
    for chunk in audit_event_chunks(events.select_related(None)):
        for e in chunk:
            when = e.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            changes = json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else ""
            yield line(
                [
                    when,
                    e.actor_id,
                    e.actor_label,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_label,
                    changes,
                    e.source,
                ]
            )


@login_required
@require_safe
def audit_export(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered trail as CSV, streamed a chunk at a time; the export itself is audited."""
    form = _audit_filters(request)
    if not form.is_valid():
        return render(request, "core/audit_log.html", {"form": form, "filters": request.GET}, status=400)
    with transaction.atomic():
        exported = audit_record(
            actor=request.user,
            action="audit.export",
            target=request.user,
            changes={"filters": [None, form.query() or "all events"]},
            source=AuditEvent.Source.WEB,
        )
    # What existed when it was asked for: events written while it streams (its own record too) wait for
    # the next export.
    events = form.events(request.user).filter(id__lt=exported.pk)
    response = StreamingHttpResponse(_audit_csv_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


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
    # Only while polling: on a page load the heading says it, and a live region filled at load would
    # repeat it to screen readers (and to anyone reading the page as text).
    if getattr(request, "htmx", False) and request.GET.get("seen") != f"{job.status}.{job.stage}":
        context["announce"] = _import_announcement(job)
    return render_page_or_partial(
        request, page="core/import_job.html", partial="core/htmx/import_job_status.html", context=context
    )


def _import_announcement(job: ImportJob) -> str:
    if job.status == ImportJob.Status.REJECTED:
        count = len(job.errors)
        return f"Nothing was imported: {count} problem{'s' if count != 1 else ''} found."
    if job.status == ImportJob.Status.IMPORTED:
        return "Import finished."
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
