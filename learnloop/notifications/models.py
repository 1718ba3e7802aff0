from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One message to one person, shown in the app and, if they want it, sent by email."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A path inside learnloop ("/plans/12/"), where the notification leads.
    url = models.CharField(max_length=300, blank=True)
    # Sweeps run again and again; the same reminder is sent once per key ("transfer:123:30").
    dedupe_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "dedupe_key"], name="notification_unique_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}: {self.title}"


class Preference(models.Model):
    """A person's choice for one kind. No row means the kind's defaults."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind}: app={self.in_app} email={self.email}"
