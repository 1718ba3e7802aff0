"""`learnloop demo`: each domain app seeds its part of the demo organization from its own `demo.py`.

A domain's module defines `seed(ctx: DemoContext) -> None` and, if it depends on another domain's
data, `DEMO_AFTER = ["people"]`. Steps must be reproducible and idempotent: running the command again, on
any later day and whatever people, accounts or records were added in between, leaves the demo's data as
it was and only adds what is missing. So:

- every record's random content comes from its own stream, `ctx.rng(step, stable key...)` (an employee id,
  a title), never from a stream shared with other records, whose draws shift when one more is walked;
- steps walk only the demo's own people (`ctx.demo_people()`), never someone added beside them;
- what is dated from today (upcoming sessions, learning blocks) is written once and then left alone, and
  what is written on every run is dated from a fixed moment or skipped when already there.
"""

import random
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from learnloop.people.models import Person

from learnloop.core.cli import ProgressLine

DEMO_PASSWORD = "learnloop-demo"
DEMO_SEED = 20261121


@dataclass
class DemoContext:
    people: int
    seed: int
    progress: ProgressLine
    # Logins worth printing at the end, by the role they show off: {"Employee": "maya.okafor@..."}.
    logins: dict[str, str] = field(default_factory=dict)
    # The employee ids of the demo company's people (set by the people step).
    employee_ids: list[str] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)
    log: Any = print

    def rng(self, *key: object) -> random.Random:
        """A random stream of its own for one step or record, seeded by its stable key: the same draws on
        every run, whatever else was added or drawn before."""
        return random.Random("|".join(str(part) for part in (self.seed, *key)))

    def demo_people(self) -> "QuerySet[Person]":
        """The demo company's active people, without anyone added beside them (a superuser, a new hire)."""
        from learnloop.people.models import Person

        return Person.objects.filter(is_active=True, employee_id__in=self.employee_ids)


def demo_modules() -> list[tuple[str, ModuleType]]:
    """Apps' demo modules, ordered so each runs after the apps it names in DEMO_AFTER."""
    found: dict[str, ModuleType] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("learnloop."):
            continue
        try:
            found[config.label] = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    ordered: list[str] = []

    def visit(label: str, trail: tuple[str, ...] = ()) -> None:
        if label in ordered:
            return
        if label in trail:
            raise RuntimeError(f"demo steps depend on each other in a circle: {' -> '.join((*trail, label))}")
        for dependency in getattr(found[label], "DEMO_AFTER", []):
            visit(dependency, (*trail, label))
        ordered.append(label)

    for label in found:
        visit(label)
    return [(label, found[label]) for label in ordered]
