from django.conf import settings
from django.db import models

from learnloop.core.bounds import MAX_TEXT_FIELD
from learnloop.learning.models import CatalogItem
from learnloop.people.models import JobRole, OrgUnit


class Pathway(models.Model):
    """A curated route through the catalog: ordered stages of items, for a role or a career stage."""

    class CareerStage(models.TextChoices):
        ANY = "", "Any stage"
        NEW_STARTER = "new_starter", "New starter"
        EARLY = "early", "Early career"
        EXPERIENCED = "experienced", "Experienced"
        NEW_MANAGER = "new_manager", "New manager"
        LEADER = "leader", "Leader"

    title = models.CharField(max_length=200)
    description = models.TextField(max_length=MAX_TEXT_FIELD)
    audience = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. engineers in their first year"
    )
    job_role = models.ForeignKey(
        JobRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="pathways", help_text="Optional"
    )
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_pathways"
    )
    is_published = models.BooleanField(default=False)
    # Completing the pathway awards a certification valid this many months (none when empty).
    certification_months = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["is_published", "title"], name="pathway_browse_idx")]

    def __str__(self) -> str:
        return self.title


class Stage(models.Model):
    """One stage of a pathway; it opens when the stage before it is done."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    # "Any N of these M": how many steps complete the stage; empty means all of them.
    required_count = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pathway", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["pathway", "position"], name="stage_position_unique")]

    def __str__(self) -> str:
        return f"{self.pathway}: {self.title}"


class Step(models.Model):
    """A catalog item within a stage, possibly waiting for other steps first."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="pathway_steps")
    position = models.PositiveSmallIntegerField(default=0)
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="unlocks")

    class Meta:
        ordering = ["stage", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "item"], name="step_item_unique")]

    def __str__(self) -> str:
        return str(self.item)


class Assignment(models.Model):
    """A pathway given to a person: required or voluntary, perhaps with a due date."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pathway_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the pathway went to a whole team, so the overview can say why someone has it.
    team = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    required = models.BooleanField(default=True)
    due_on = models.DateField(null=True, blank=True)
    assigned_at = models.DateTimeField()
    # Only completions from this moment count (set when a certification is renewed); empty counts all.
    counts_from = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [models.UniqueConstraint(fields=["pathway", "person"], name="assignment_unique")]
        indexes = [
            models.Index(fields=["person", "completed_at"], name="assignment_person_idx"),
            models.Index(fields=["completed_at", "required", "due_on"], name="assignment_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway} for {self.person}"


class Certificate(models.Model):
    """Proof that a person completed a certifying pathway, valid until it expires."""

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="certificates")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # When the pathway was handed out again for re-certification; the job does it once per certificate.
    renewal_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["person", "issued_at"], name="certificate_person_idx"),
            models.Index(fields=["expires_at"], name="certificate_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway} certificate for {self.person}"
