"""Small builders for skills tests."""

import importlib

from learnloop.skills.models import ProficiencyLevel


def default_scale() -> None:
    """The default five-level scale, as migration 0002 writes it. Tests on a live server or with
    `transaction=True` may start from a flushed database, which has no scale."""
    migration = importlib.import_module("learnloop.skills.migrations.0002_default_proficiency_scale")
    for level, name, descriptor in migration.DEFAULT_SCALE:
        ProficiencyLevel.objects.get_or_create(level=level, defaults={"name": name, "descriptor": descriptor})
