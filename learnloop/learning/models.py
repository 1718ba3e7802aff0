import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone

from learnloop.core.bounds import MAX_TEXT_FIELD
from learnloop.skills.models import Skill


class CatalogItem(models.Model):
    """Something people learn from: a course, a session, a book, a stretch assignment, a mentoring offer."""

    class Kind(models.TextChoices):
        SELF_PACED = "self_paced", "Self-paced"
        LIVE_SESSION = "live_session", "Live session"
        COHORT = "cohort", "Cohort programme"
        LUNCH_AND_LEARN = "lunch_and_learn", "Lunch and learn"
        BOOK = "book", "Book"
        STRETCH = "stretch", "Stretch assignment"
        MENTORING = "mentoring", "Mentoring"

    class Delivery(models.TextChoices):
        LINK = "link", "Link to content"
        FILE = "file", "Uploaded file"
        LESSON = "lesson", "Written lesson"
        NONE = "none", "Not applicable"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=MAX_TEXT_FIELD, help_text="What people will be able to do afterwards")
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.NONE)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to="catalog/", blank=True)
    # Markdown written in learnloop; rendered and sanitized for display.
    lesson = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(max_length=10, default="en")
    audience = models.CharField(max_length=200, blank=True, help_text="Who it is for, e.g. new managers")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_items"
    )
    # Books
    author = models.CharField(max_length=200, blank=True)
    isbn = models.CharField(max_length=17, blank=True)
    # Stretch assignments
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sponsored_items"
    )
    scope = models.TextField(
        max_length=MAX_TEXT_FIELD,
        blank=True,
        help_text="Stretch assignments: what the work is and what is out of bounds",
    )
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["kind", "is_published", "title"], name="catalog_browse_idx")]

    def __str__(self) -> str:
        return self.title


class ItemSkill(models.Model):
    """A skill an item teaches, and the level it brings people to."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="skills_taught")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="taught_by")
    target_level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "skill"], name="item_skill_unique")]
        indexes = [models.Index(fields=["skill", "item"], name="item_skill_by_skill_idx")]

    def __str__(self) -> str:
        return f"{self.item}: {self.skill} to {self.target_level}"


class Enrollment(models.Model):
    """A person's journey through one catalog item: enrolled, started, completed (with a reflection) or dropped."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        DROPPED = "dropped", "Dropped"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ENROLLED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent, 0 to 100")
    # The xAPI registration every statement about this enrolment carries.
    registration = models.UUIDField(unique=True)
    enrolled_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    # When the person completed it before taking it again (a renewal, a refresher): plans keep the credit.
    previously_completed_at = models.DateTimeField(null=True, blank=True)
    learned = models.TextField(max_length=MAX_TEXT_FIELD, blank=True, help_text="Reflection: what did I learn?")
    apply_plan = models.TextField(max_length=MAX_TEXT_FIELD, blank=True, help_text="Reflection: how will I apply it?")
    # Stretch assignments end with their own reflection: `learned` above, and these. Read by the person,
    # their managers and the assignment's sponsor (policy "view_reflection").
    outcome = models.TextField(
        max_length=MAX_TEXT_FIELD, blank=True, help_text="Stretch reflection: what was the outcome for the sponsor?"
    )
    do_differently = models.TextField(
        max_length=MAX_TEXT_FIELD, blank=True, help_text="Stretch reflection: what would I do differently?"
    )
    skills_grown = models.ManyToManyField(
        Skill, blank=True, related_name="grown_in", help_text="Stretch reflection: which of its skills grew"
    )

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [models.UniqueConstraint(fields=["person", "item"], name="enrollment_unique")]
        indexes = [models.Index(fields=["person", "status"], name="enrollment_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} in {self.item} ({self.status})"


class Session(models.Model):
    """One scheduled occurrence of a live session, cohort meeting or lunch and learn."""

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The time zone the session is planned in; each person sees it in their own.
    time_zone = models.CharField(max_length=64, default="UTC")
    capacity = models.PositiveIntegerField()
    location = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions_presented"
    )
    # After the session (lunch and learns above all): where to watch it, and what was said, in markdown.
    recording_url = models.URLField(max_length=500, blank=True)
    write_up = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    # A cancelled session stays (its bookings, audit trail and calendar events refer to it) but takes no
    # bookings and leaves every list of upcoming sessions.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["item", "starts_at"], name="session_item_idx")]

    def __str__(self) -> str:
        # Also the session's name in learning records that every reader sees: the day spelled out, in
        # the session's own zone, never an ISO date in a sentence.
        local = self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))
        return f"{self.item}, {local.day} {local:%B %Y} at {local:%H:%M} ({self.time_zone})"


class Booking(models.Model):
    """A seat in a session, or a place on its waitlist."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(max_length=12, choices=Status.choices)
    # When the person joined the current status' queue; the waitlist is served in this order.
    queued_at = models.DateTimeField()
    # Calendar feeds carry each booking as an event; SEQUENCE and DTSTAMP come from these two.
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="booking_unique")]
        indexes = [models.Index(fields=["session", "status", "queued_at"], name="booking_queue_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.status} for {self.session}"
