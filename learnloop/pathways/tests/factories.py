"""Test data for pathways: catalog items, a pathway built through the services, enrolments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from learnloop.learning.enrollment import enrollment_complete, enrollment_enrol
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.learning.services import item_create
from learnloop.pathways import services
from learnloop.pathways.models import Pathway
from learnloop.people.models import Person


def item(title: str) -> CatalogItem:
    return item_create(actor=None, kind="self_paced", title=title, summary=f"About {title}.")


def pathway(
    stages: list[tuple[str, list[CatalogItem], int | None]],
    *,
    title: str = "New manager essentials",
    publish: bool = True,
    certification_months: int | None = None,
    **fields: Any,
) -> Pathway:
    built = services.pathway_create(
        actor=None, title=title, description="Lead a team well.", certification_months=certification_months, **fields
    )
    for name, items, needed in stages:
        services.stage_add(actor=None, pathway=built, title=name, items=items, required_count=needed)
    if publish:
        built = services.pathway_update(actor=None, pathway=built, is_published=True)
    return built


def enrol(person: Person, course: CatalogItem) -> Enrollment:
    return enrollment_enrol(actor=person, person=person, item=course)


def complete(person: Person, course: CatalogItem, learned: str = "") -> Enrollment:
    return enrollment_complete(actor=person, enrollment=enrol(person, course), learned=learned)


def tomorrow() -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=1)
