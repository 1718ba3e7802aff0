"""The roles a person can hold. Manager is not granted: it follows from having reports."""

from django.db import models


class Role(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    MANAGER = "manager", "Manager"
    LD_ADMIN = "ld_admin", "L&D admin"
    PEOPLE_ADMIN = "people_admin", "People admin"
    ORG_ADMIN = "org_admin", "Org admin"


GRANTABLE_ROLES = (Role.LD_ADMIN, Role.PEOPLE_ADMIN, Role.ORG_ADMIN)
ADMIN_ROLES = frozenset(GRANTABLE_ROLES)
