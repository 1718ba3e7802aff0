"""Panels on "my home". Each domain registers the panels it fills, so the page never shows a section
for a capability that does not exist yet, and a panel with nothing to say for this person is left out.

    home.register(HomePanel(key="plan", template="plans/home_panel.html", context=plan_panel, order=20))

`context(person)` returns the template's context, or None to leave the panel out. It should cost a
fixed, small number of queries whatever the person's history (the home page is benchmarked). The page
is cached per browser session for up to a minute, keyed by data versions: a panel names the versions
its data bumps (`versions=("catalog",)`); rows about the viewer are covered by tracking the model with
`response_cache.track(Model, version=lambda row: person_version(row.person_id))`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100
    # The data versions the panel shows (see core/response_cache.py): "my home" is cached per session
    # until one of them changes. "person:{person}" covers rows tracked for the viewer.
    versions: tuple[str, ...] = ()


_PANELS: dict[str, HomePanel] = {}


def register(panel: HomePanel) -> None:
    _PANELS[panel.key] = panel


# What the rest of "my home" shows: the directory (team, reporting line) and the viewer's own rows.
BASE_VERSIONS = ("directory", "person:{person}")


def versions() -> tuple[str, ...]:
    names = list(BASE_VERSIONS)
    for panel in _PANELS.values():
        names.extend(name for name in panel.versions if name not in names)
    return tuple(names)


def panels_for(person: Any) -> list[tuple[HomePanel, dict[str, Any]]]:
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(person)
        if context is not None:
            shown.append((panel, context))
    return shown
