from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One write to sensitive data: who did what to which object, and which fields changed."""

    class Source(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        CLI = "cli", "Command line"
        TASK = "task", "Background task"
        SYSTEM = "system", "System"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the trail still reads correctly after an actor is renamed.
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SYSTEM)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.object_type}:{self.object_id}"


class PeriodicRun(models.Model):
    """When a periodic job (see core/schedule.py) last started and finished, and its last error."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class DataVersion(models.Model):
    """A counter bumped whenever a body of data changes ("directory": people, teams, roles); cached
    answers built from that data carry the version in their key, so a change retires them at once, in
    every process. See core/response_cache.py."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.value}"


class ImportJob(models.Model):
    """A CSV import started from the web or the API. The upload waits here until a background worker
    checks and writes it (core/imports.py); its progress and outcome stay for the person who started it.
    The file's text is emptied once the import has finished, so personal data does not linger."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        REJECTED = "rejected", "Nothing imported: the file has problems"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    content = models.TextField(blank=True)
    options = models.JSONField(default=dict, blank=True)
    # Where it was started (web or API); the audit events the import writes carry it too.
    source = models.CharField(max_length=10, choices=AuditEvent.Source.choices, default=AuditEvent.Source.WEB)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # What the worker is doing ("reading", "checking", "writing") and how far it is; `total` is 0 until known.
    stage = models.CharField(max_length=20, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The importer's counts once imported; every problem ([line, column, message]) when rejected.
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "kind", "-created_at"], name="import_job_actor_idx")]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.IMPORTED, self.Status.REJECTED, self.Status.FAILED)

    @property
    def phase(self) -> str:
        """What a queued or running job is doing, in words (the job page's heading and live region)."""
        if self.status == self.Status.QUEUED:
            return "Waiting for the background worker"
        return {"checking": "Checking every row", "writing": "Writing"}.get(self.stage, "Reading the file")

    @property
    def percent(self) -> int | None:
        """How far the current stage is, or None while that cannot be known (queued, or writing in
        one transaction, which only shows its end)."""
        if self.finished:
            return 100
        if not self.total or self.status == self.Status.QUEUED:
            return None
        return min(100, self.done * 100 // self.total)
