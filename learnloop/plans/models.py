from django.conf import settings
from django.db import models

from learnloop.core.bounds import MAX_TEXT_FIELD
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.people.models import JobRole, OrgUnit
from learnloop.skills.models import Skill


class Objective(models.Model):
    """An organization objective for a period, maintained by admins; plan goals link to it."""

    title = models.CharField(max_length=200)
    description = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)
    period = models.CharField(max_length=20, help_text="The year or half it is for, e.g. 2026 or 2026-H2")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives", verbose_name="Owning unit"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"


class Plan(models.Model):
    """One person's development plan for one period."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans")
    period = models.CharField(max_length=20, help_text="A label such as 2026 or 2026-H2")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="plan_one_per_person_period"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="plan_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.period}"


class Goal(models.Model):
    """One goal in a plan: a skill to reach a level, or an outcome and how it is measured."""

    class Kind(models.TextChoices):
        SKILL = "skill", "Reach a skill level"
        OUTCOME = "outcome", "Achieve an outcome"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SKILL)
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="plan_goals")
    target_level = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.TextField(
        max_length=MAX_TEXT_FIELD, blank=True, help_text="What will be different when it is done"
    )
    measure = models.TextField(max_length=MAX_TEXT_FIELD, blank=True, help_text="How you and your manager will know")
    # A goal serves an org objective, or the person's role path: their own job role or a next role.
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals")
    role = models.ForeignKey(JobRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_goals")
    due_on = models.DateField(null=True, blank=True)
    items = models.ManyToManyField(CatalogItem, blank=True, related_name="plan_goals")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        if self.kind == self.Kind.SKILL and self.skill_id:
            return f"{self.skill} to level {self.target_level}"
        return self.outcome[:80] or "Goal"


class PlanComment(models.Model):
    """A manager's (or the owner's) comment on a plan, optionally about one goal."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_comments")
    body = models.TextField(max_length=MAX_TEXT_FIELD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.plan}"


class TransferCheck(models.Model):
    """A question 30, 60 or 90 days after completing goal-linked learning: was it applied on the job?

    One per enrolment, offset and respondent (the learner and their manager each answer)."""

    class Applied(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NOT_YET = "not_yet", "Not yet"

    OFFSETS = (30, 60, 90)

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="transfer_checks")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="transfer_checks")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transfer_checks")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transfer_checks_to_answer"
    )
    offset_days = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    applied = models.CharField(max_length=10, choices=Applied.choices, blank=True)
    how = models.TextField(
        max_length=MAX_TEXT_FIELD, blank=True, help_text="How it was applied, or what got in the way"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "offset_days", "respondent"], name="transfer_check_once_per_offset"
            ),
        ]
        indexes = [models.Index(fields=["respondent", "answered_at"], name="transfer_respondent_idx")]

    def __str__(self) -> str:
        return f"{self.offset_days}-day check on {self.enrollment_id} for {self.respondent_id}"

    @property
    def by_learner(self) -> bool:
        return self.respondent_id == self.learner_id
