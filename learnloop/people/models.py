import zoneinfo
from functools import cached_property
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from learnloop.core.roles import Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known IANA time zone (for example Europe/Berlin).")


class Location(models.Model):
    """A place people work from, with the time zone its calendar runs on."""

    name = models.CharField(max_length=120, unique=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A division, department or team; units form one tree through `parent`."""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        DIVISION = "division", "Division"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    lead = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_units"
    )
    # The full path ("Engineering / Platform / Atlas"), kept by the services so imports can name a
    # unit by its path and lists can sort by it without walking the tree.
    path = models.CharField(max_length=500, unique=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class JobRole(models.Model):
    """A job role people hold (Software Engineer II, People Partner); skills profiles attach here."""

    name = models.CharField(max_length=120, unique=True)
    family = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def display_name(first_name: str, last_name: str, preferred_name: str, username: str) -> str:
    """How a person is named everywhere: preferred or first name, then last name."""
    full = f"{preferred_name or first_name} {last_name}".strip()
    return full or username


class PersonManager(UserManager["Person"]):
    pass


class Person(AbstractUser):
    """Someone in the organization: their account and their profile in one row."""

    employee_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    preferred_name = models.CharField(max_length=150, blank=True)
    title = models.CharField(max_length=150, blank=True)
    job_role = models.ForeignKey(JobRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    hire_date = models.DateField(null=True, blank=True)
    # Leavers are deactivated, never deleted, so their history (learning, feedback given) stays whole.
    left_on = models.DateField(null=True, blank=True)

    objects: ClassVar[PersonManager] = PersonManager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["manager"], name="person_manager_idx"),
            # Directory order; SQLite cannot use an index led by is_active for a bare boolean WHERE.
            models.Index(fields=["last_name", "first_name", "id"], name="person_directory_idx"),
            # Statements name people by email in any case; matching them must not scan everyone.
            models.Index(Lower("email"), name="person_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.last_name, self.preferred_name, self.username)

    @property
    def initials(self) -> str:
        parts = [p for p in (self.preferred_name or self.first_name, self.last_name) if p]
        return "".join(p[0] for p in parts).upper() or self.username[:1].upper()

    @cached_property
    def roles(self) -> frozenset[str]:
        """Granted roles, plus employee for everyone active and manager for anyone with reports."""
        granted = set(self.role_grants.values_list("role", flat=True))
        granted.add(Role.EMPLOYEE)
        if self.report_ids:
            granted.add(Role.MANAGER)
        return frozenset(granted)

    @cached_property
    def report_ids(self) -> frozenset[int]:
        """Everyone under this person, at any depth (one query, cached for the request)."""
        from learnloop.people.selectors import report_ids

        return frozenset(report_ids(manager_id=self.pk))

    def has_role(self, role: str) -> bool:
        return role in self.roles


class RoleGrant(models.Model):
    """An administrative role given to a person, by whom and when."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(
        max_length=20, choices=[(r.value, r.label) for r in Role if r not in (Role.EMPLOYEE, Role.MANAGER)]
    )
    granted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="rolegrant_unique_person_role")]

    def __str__(self) -> str:
        return f"{self.person} is {self.get_role_display()}"
