"""`learnloop demo`: each domain app seeds its part of the demo organization from its own `demo.py`.

A domain's module defines `seed(ctx: DemoContext) -> None` and, if it depends on another domain's
data, `DEMO_AFTER = ["people"]`. Steps must be reproducible (derive everything from `ctx.random`)
and idempotent (running the command twice leaves the same data).
"""

import random
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps

from learnloop.core.cli import ProgressLine

DEMO_PASSWORD = "learnloop-demo"
DEMO_SEED = 20261121


@dataclass
class DemoContext:
    people: int
    random: random.Random
    progress: ProgressLine
    # Logins worth printing at the end, by the role they show off: {"Employee": "maya.okafor@..."}.
    logins: dict[str, str] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)
    log: Any = print


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
