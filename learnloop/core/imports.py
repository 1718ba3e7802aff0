"""CSV imports that run in the background, with their progress shown to the person who started them.

A domain registers its importer in AppConfig.ready():

    imports.register(Importer(kind="skills", label="skills taxonomy", model=Skill, run=skills_import,
                              page="skills:import", result_template="skills/import_result.html",
                              max_bytes=50 * MB))

`import_start()` keeps the upload in an `ImportJob` row and queues `import_run`, which a worker
(`learnloop worker`) picks up. The importer checks every row, then writes in one transaction: all or
nothing. While it reads and checks, its progress callback updates the job row (at most twice a second),
so the job's page can show a progress bar. The writing stage runs inside the import's transaction, where
an update would stay invisible until the end, so the page shows that stage without a percentage.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from learnloop.core import policy
from learnloop.core.csv_import import ImportRejected
from learnloop.core.models import AuditEvent, ImportJob
from learnloop.core.tasks import durable_task

logger = logging.getLogger(__name__)

MB = 1024 * 1024
# A job still "running" after this long lost its worker (stopped mid-import); its transaction never
# committed, so nothing was written, and the sweep says so.
STALLED_AFTER = dt.timedelta(hours=6)
# A job no worker has taken after this long is given up (its uploaded text is deleted).
QUEUED_AT_MOST = dt.timedelta(days=1)
# The problems of a refused import quote the file; they are kept this long for fixing it, then forgotten.
KEEP_PROBLEMS = dt.timedelta(days=30)
# How often, at most, progress is written to the job row.
PROGRESS_EVERY_SECONDS = 0.5


@dataclasses.dataclass(frozen=True)
class Importer:
    """One kind of import. `run` must check everything before it writes and do every write inside its
    own `transaction.atomic()`: a job that fails or is refused then has written nothing (`import_run`
    cannot wrap it in one transaction, or its progress would stay invisible until the end)."""

    kind: str
    label: str
    model: type[models.Model]
    # run(actor=, text=, progress=, source=, **options) -> a dataclass of counts; raises ImportRejected.
    run: Callable[..., Any]
    page: str
    # Renders the importer's counts (`result`) in a sentence on the job's page.
    result_template: str
    max_bytes: int
    options: tuple[str, ...] = ()


_IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    _IMPORTERS[importer.kind] = importer


def importer_for(kind: str) -> Importer:
    try:
        return _IMPORTERS[kind]
    except KeyError:
        known = ", ".join(sorted(_IMPORTERS))
        raise ValidationError({"kind": [f"There is no {kind!r} import; known: {known}."]}) from None


def import_start(
    *,
    actor: Any,
    kind: str,
    upload: UploadedFile,
    options: dict[str, Any] | None = None,
    source: str = AuditEvent.Source.WEB,
) -> ImportJob:
    """Keep `upload` as a queued import job and hand it to the background worker.

    The caller has checked that `actor` may import this kind (policy "import" on the importer's model).
    Raises ValidationError naming `file` when the upload is too large, empty or not UTF-8 text, and
    `options` when an option is unknown."""
    importer = importer_for(kind)
    unknown = sorted(set(options or {}) - set(importer.options))
    if unknown:
        raise ValidationError({"options": [f"Unknown option(s) for a {kind} import: {', '.join(unknown)}."]})
    size = upload.size or 0
    if size > importer.max_bytes:
        limit = importer.max_bytes // MB
        raise ValidationError({"file": [f"The file is larger than {limit} MB; use `learnloop import {kind}` for it."]})
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."]}) from None
    if not text.strip():
        raise ValidationError({"file": ["The file is empty; the first line must name the columns."]})
    if "\x00" in text:
        raise ValidationError({"file": ["The file holds NUL characters, so it is not a CSV text file."]})
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            actor=actor,
            file_name=(upload.name or "upload.csv")[:255],
            size=size,
            content=text,
            options=dict(options or {}),
            source=source,
        )
        # The task row is written in the same transaction (database queue): no job without its task.
        import_run.enqueue(job_id=job.pk)
    return job


class ProgressWriter:
    """The importer's progress callback: writes stage and counts to the job row, at most every half
    second, and always when the stage changes or a stage ends."""

    def __init__(self, job_id: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.job_id = job_id
        self.clock = clock
        self._last = (-PROGRESS_EVERY_SECONDS * 2, "")

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        last_at, last_stage = self._last
        if stage == last_stage and done < total and now - last_at < PROGRESS_EVERY_SECONDS:
            return
        self._last = (now, stage)
        ImportJob.objects.filter(pk=self.job_id).update(stage=stage, done=done, total=total)


def _finish(job_id: int, status: str, **fields: Any) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=status, content="", finished_at=timezone.now(), **fields)


@durable_task(queue_name="imports", max_attempts=1)
def import_run(*, job_id: int) -> str:
    """Check and write one queued import. Not retried: a failed import wrote nothing, and the person
    who started it sees why and may start it again."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), stage="reading"
    )
    if not claimed:
        return "not queued"
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    importer = importer_for(job.kind)
    # A job may wait for a worker for a while: whoever queued it must still be allowed to import.
    if not policy.can(job.actor, "import", importer.model):
        _finish(
            job.pk,
            ImportJob.Status.FAILED,
            stage="",
            failure=f"Nothing was imported: {job.actor} may no longer import {importer.label}.",
        )
        return ImportJob.Status.FAILED
    try:
        result = importer.run(
            actor=job.actor, text=job.content, progress=ProgressWriter(job.pk), source=job.source, **job.options
        )
    except ImportRejected as rejected:
        problems = [[e.line, e.column, e.message] for e in rejected.errors]
        _finish(job.pk, ImportJob.Status.REJECTED, errors=problems, stage="")
        return ImportJob.Status.REJECTED
    except BaseException as exc:  # a worker stopped mid-import too: the job must not stay "running"
        _finish(
            job.pk,
            ImportJob.Status.FAILED,
            stage="",
            failure=f"Something went wrong on our side ({exc.__class__.__name__}); nothing was imported. "
            "Try again; if it happens again, an admin finds the details under Background tasks.",
        )
        raise
    counts = dataclasses.asdict(result)
    _finish(job.pk, ImportJob.Status.IMPORTED, result=counts, stage="", done=F("total"))
    return ImportJob.Status.IMPORTED


def stalled_jobs_fail(*, now: dt.datetime | None = None) -> int:
    """Periodic (see apps.py): fail jobs whose worker stopped mid-import or that no worker took within
    QUEUED_AT_MOST, and forget the problems of imports refused more than KEEP_PROBLEMS ago (they quote
    the file: names, emails). Returns how many jobs were failed."""
    now = now or timezone.now()
    failed = ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=now - STALLED_AFTER).update(
        status=ImportJob.Status.FAILED,
        content="",
        stage="",
        finished_at=now,
        failure="The background worker stopped during this import, so nothing was imported. Start it again.",
    )
    failed += ImportJob.objects.filter(status=ImportJob.Status.QUEUED, created_at__lt=now - QUEUED_AT_MOST).update(
        status=ImportJob.Status.FAILED,
        content="",
        finished_at=now,
        failure="No background worker took this import within a day, so it was not imported. Start it again.",
    )
    ImportJob.objects.filter(finished_at__lt=now - KEEP_PROBLEMS).exclude(errors=[]).update(errors=[])
    return failed


def problems_csv(job: ImportJob) -> str:
    """Every problem of a rejected import as CSV (line, column, problem), to fix the file against."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "problem"])
    writer.writerows(job.errors)
    return out.getvalue()
