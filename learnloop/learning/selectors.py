"""Reads for the catalog."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from learnloop.core import policy
from learnloop.learning.models import Booking, CatalogItem, ItemSkill, Session
from learnloop.learning.search import search
from learnloop.people.models import Person


def catalog_list(
    *,
    actor: Person,
    text: str = "",
    kind: str = "",
    skill_id: int | None = None,
    language: str = "",
) -> QuerySet[CatalogItem]:
    """Browse and search: published items (and the actor's own drafts), filtered, best match first."""
    items = policy.scope(actor, "view", CatalogItem.objects.all())
    if kind:
        items = items.filter(kind=kind)
    if skill_id is not None:
        items = items.filter(skills_taught__skill_id=skill_id)
    if language:
        items = items.filter(language=language)
    items = items.prefetch_related(
        Prefetch("skills_taught", queryset=ItemSkill.objects.select_related("skill").order_by("skill__name"))
    )
    return search(items, text) if text.strip() else items.order_by("title")


def item_get(*, actor: Person, item_id: int) -> CatalogItem:
    items = CatalogItem.objects.select_related("owner", "sponsor").prefetch_related(
        Prefetch("skills_taught", queryset=ItemSkill.objects.select_related("skill").order_by("skill__name"))
    )
    return policy.get_or_404(actor, "view", items, pk=item_id)


def languages() -> list[str]:
    return list(CatalogItem.objects.order_by("language").values_list("language", flat=True).distinct())


def upcoming_sessions(*, actor: Person, item: CatalogItem) -> list[dict[str, object]]:
    """The item's future sessions with seats left and the actor's own booking (two queries)."""
    sessions = list(
        Session.objects.filter(item=item, starts_at__gt=timezone.now()).annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=("booked", "attended"))),
            waiting=Count("bookings", filter=Q(bookings__status="waitlisted")),
        )
    )
    mine = {b.session_id: b for b in Booking.objects.filter(session__in=sessions, person=actor)}
    return [
        {
            "session": s,
            "seats_left": max(0, s.capacity - s.taken),
            "waiting": s.waiting,
            "booking": mine.get(s.pk),
        }
        for s in sessions
    ]
