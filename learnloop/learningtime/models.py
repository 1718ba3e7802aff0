import uuid

from django.conf import settings
from django.db import models

from learnloop.core.bounds import MAX_TEXT_FIELD


class TeamBudget(models.Model):
    """The weekly learning time a manager gives their direct reports, unless a person has their own."""

    manager = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_budget")
    weekly_minutes = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.manager}'s team: {self.weekly_minutes} min a week"


class PersonBudget(models.Model):
    """A person's own weekly learning time, set by a manager or a people admin; wins over the team default."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_time_budget"
    )
    weekly_minutes = models.PositiveIntegerField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person}: {self.weekly_minutes} min a week"


class LearningBlock(models.Model):
    """Time a person sets aside to learn; it appears in their calendar feed under a stable UID."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_blocks")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The zone the block was planned in (the person's); the feed gives its times with this TZID.
    time_zone = models.CharField(max_length=64)
    item = models.ForeignKey(
        "learning.CatalogItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="learning_blocks"
    )
    note = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    # RFC 5545 SEQUENCE: goes up by one on every change, so calendar apps replace their copy.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["person", "starts_at"], name="learningblock_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="learningblock_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class CalendarFeed(models.Model):
    """A person's secret calendar address. Only a hash of the secret is kept; revoking clears it."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    secret_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"

    @property
    def is_active(self) -> bool:
        return bool(self.secret_hash)
