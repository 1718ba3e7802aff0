from django.db import models
from django.db.models.functions import Lower

from learnloop.core.bounds import MAX_TEXT_FIELD
from learnloop.people.models import JobRole


class SkillCategory(models.Model):
    """A group of skills people browse by (Engineering practices, Leadership, Data)."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "skill categories"
        constraints = [models.UniqueConstraint(Lower("name"), name="skill_category_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill in the taxonomy, with the other names people use for it."""

    name = models.CharField(max_length=200)
    category = models.ForeignKey(SkillCategory, null=True, blank=True, on_delete=models.SET_NULL, related_name="skills")
    description = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)
    # Other labels ("K8s" for Kubernetes); search matches them too.
    synonyms = models.JSONField(default=list, blank=True)
    # The ESCO concept this skill came from, so a newer ESCO import updates it instead of duplicating.
    esco_uri = models.URLField(max_length=300, unique=True, null=True, blank=True)
    # Retired skills (False) leave every picker and the skills list but stay on ratings, role profiles and
    # items that name them; skills are never deleted.
    is_active = models.BooleanField(default=True)
    # Name and synonyms in lower case, kept by the services, so one simple lookup searches both on
    # SQLite and PostgreSQL alike.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="skill_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class ProficiencyLevel(models.Model):
    """One step of the proficiency scale (1-5 by default), with the behaviour that shows it."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=60)
    descriptor = models.TextField(max_length=MAX_TEXT_FIELD, help_text="What someone at this level does, observably")

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.level}. {self.name}"


class RoleRequirement(models.Model):
    """A job role's profile: the level it needs in one skill."""

    job_role = models.ForeignKey(JobRole, on_delete=models.CASCADE, related_name="requirements")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="role_requirements")
    level = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["job_role", "skill__name"]
        constraints = [models.UniqueConstraint(fields=["job_role", "skill"], name="role_requirement_unique")]

    def __str__(self) -> str:
        return f"{self.job_role}: {self.skill} at {self.level}"


class CareerPath(models.Model):
    """A move people make from one role to another, and what changes when they do."""

    from_role = models.ForeignKey(JobRole, on_delete=models.CASCADE, related_name="paths_out")
    to_role = models.ForeignKey(JobRole, on_delete=models.CASCADE, related_name="paths_in")
    what_changes = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)
    typical_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["from_role", "to_role"]
        constraints = [
            models.UniqueConstraint(fields=["from_role", "to_role"], name="career_path_unique"),
            models.CheckConstraint(condition=~models.Q(from_role=models.F("to_role")), name="career_path_not_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.from_role} → {self.to_role}"


class SkillAssessment(models.Model):
    """One rating of one person's level in one skill, from one source. Kept forever: the history is
    what lets growth be charted; the calibrated level is computed from it (see calibration.py)."""

    class Source(models.TextChoices):
        SELF = "self", "Self"
        MANAGER = "manager", "Manager"
        PEER = "peer", "Peer"
        EVIDENCE = "evidence", "Evidence"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="skill_assessments")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="assessments")
    source = models.CharField(max_length=10, choices=Source.choices)
    level = models.PositiveSmallIntegerField()
    # Who rated (self, manager, peer); empty for evidence, which names what it is instead.
    assessor = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="skill_ratings_given"
    )
    evidence = models.CharField(max_length=300, blank=True, help_text="What shows it: a completed item, a project")
    note = models.TextField(max_length=MAX_TEXT_FIELD, blank=True)
    assessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["person", "skill", "-assessed_at"], name="assessment_person_skill_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.skill} {self.level} ({self.source})"
