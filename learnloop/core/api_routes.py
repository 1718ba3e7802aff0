"""REST endpoints for the audit trail and for CSV imports run in the background."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, File, FilterSchema, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from learnloop.core import imports, policy
from learnloop.core.api import LimitOffsetPagination, actor
from learnloop.core.bounds import ApiDateTime, Id, Line, OneLine
from learnloop.core.models import AuditEvent, ImportJob
from learnloop.core.selectors import audit_event_list

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    created_at: dt.datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    changes: dict[str, Any]
    source: str


class AuditFilters(FilterSchema):
    actor: Id | None = Field(None, description="Person id of who acted")
    action: Annotated[str, Field(max_length=80), OneLine] = Field(
        "", description='Action, or its start ("person." matches every person action)'
    )
    object_type: Annotated[str, Field(max_length=80), OneLine] = Field("", description='For example "people.person"')
    object_id: Annotated[str, Field(max_length=64), OneLine] = ""
    since: ApiDateTime | None = None
    until: ApiDateTime | None = None


@router.get("/audit-events", response=list[AuditEventOut], summary="The audit trail (people and org admins)")
@paginate(LimitOffsetPagination)
def audit_events(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    policy.require(actor(request), "view", AuditEvent)
    return audit_event_list(
        actor=actor(request),
        actor_id=filters.actor,
        action=filters.action,
        object_type=filters.object_type,
        object_id=filters.object_id,
        since=filters.since,
        until=filters.until,
    )


class ImportProblemOut(Schema):
    line: int
    column: str
    message: str


class ImportJobOut(Schema):
    id: int
    kind: str
    file_name: str
    size: int
    status: str = Field(description="queued, running, imported, rejected (nothing written) or failed")
    stage: str = Field(description="While running: reading, checking or writing")
    done: int
    total: int
    percent: int | None = Field(description="How far the current stage is; null while it cannot be known")
    result: dict[str, Any] = Field(description="The importer's counts once imported (created, updated, ...)")
    problems: list[ImportProblemOut] = Field(description="Every problem found, when rejected")
    failure: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_problems(job: ImportJob) -> list[dict[str, Any]]:
        return [{"line": line, "column": column, "message": message} for line, column, message in job.errors]


class ImportJobSummaryOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


@router.post(
    "/imports",
    response={202: ImportJobOut},
    tags=["imports"],
    summary="Start a CSV import (people: people admins; skills: L&D admins); poll the job it returns",
)
def import_create(
    request: HttpRequest,
    kind: Form[Line],
    file: File[UploadedFile],
    deactivate_missing: Form[bool | None] = None,
) -> Any:
    importer = imports.importer_for(kind)
    policy.require(actor(request), "import", importer.model)
    options = {} if deactivate_missing is None else {"deactivate_missing": deactivate_missing}
    job = imports.import_start(
        actor=actor(request), kind=kind, upload=file, options=options, source=AuditEvent.Source.API
    )
    return Status(202, job)


@router.get("/imports/{job_id}", response=ImportJobOut, tags=["imports"], summary="An import's progress and outcome")
def import_get(request: HttpRequest, job_id: Id) -> Any:
    return policy.get_or_404(actor(request), "view", ImportJob.objects.defer("content"), pk=job_id)


@router.get("/imports", response=list[ImportJobSummaryOut], tags=["imports"], summary="The imports I started")
@paginate(LimitOffsetPagination)
def import_list(request: HttpRequest) -> Any:
    return policy.scope(actor(request), "view", ImportJob.objects.defer("content", "errors"))
