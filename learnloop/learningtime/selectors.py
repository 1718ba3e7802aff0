"""Reads for learning time: the effective budget, planned and used minutes per week, the team view."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from learnloop.core import policy
from learnloop.learning.models import Booking, CatalogItem, Enrollment
from learnloop.learningtime.models import CalendarFeed, LearningBlock, PersonBudget, TeamBudget
from learnloop.people.models import Person

BlockStatus = LearningBlock.Status
# Blocks whose time the person still means to spend, or spent (a cancelled block is not planned time).
PLANNED_STATUSES = (BlockStatus.PLANNED, BlockStatus.DONE, BlockStatus.SKIPPED)
# Time zones reach at most 14 hours either side of UTC: widen database ranges by that, then bucket exactly.
_ZONE_SLACK = dt.timedelta(hours=14)


@dataclass(frozen=True)
class Budget:
    minutes: int
    # Where the number comes from: "person" (set for them), "team" (their manager's default) or "site".
    source: str


def weekly_budgets(people: Iterable[Person]) -> dict[int, Budget]:
    """The effective weekly budget of each person, in two queries whatever their number."""
    people = list(people)
    own = dict(
        PersonBudget.objects.filter(person__in=[p.pk for p in people]).values_list("person_id", "weekly_minutes")
    )
    manager_ids = {p.manager_id for p in people if p.manager_id is not None}
    team = dict(TeamBudget.objects.filter(manager_id__in=manager_ids).values_list("manager_id", "weekly_minutes"))
    site = settings.LEARNING_TIME_DEFAULT_WEEKLY_MINUTES
    budgets = {}
    for person in people:
        if person.pk in own:
            budgets[person.pk] = Budget(own[person.pk], "person")
        elif person.manager_id in team:
            budgets[person.pk] = Budget(team[person.manager_id], "team")
        else:
            budgets[person.pk] = Budget(site, "site")
    return budgets


def budget_for(person: Person) -> Budget:
    return weekly_budgets([person])[person.pk]


def weekly_budget_minutes(person: Person) -> int:
    """The person's weekly learning-time budget in minutes: their own value, else their manager's team
    default, else the site default (LEARNING_TIME_DEFAULT_WEEKLY_MINUTES)."""
    return budget_for(person).minutes


def week_start(moment: dt.datetime, zone: str) -> dt.date:
    """The Monday of the week `moment` falls in, in time zone `zone`."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone)).date()
    return local - dt.timedelta(days=local.weekday())


def _local_midnight(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(zone))


@dataclass
class Week:
    start: dt.date
    budget: int
    planned: int = 0
    used: int = 0

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


def weeks_for(people: list[Person], *, weeks: int, now: dt.datetime | None = None) -> dict[int, list[Week]]:
    """Planned and used minutes per person for the last `weeks` weeks (this one last), in each person's
    time zone. Planned: learning blocks not cancelled. Used: blocks marked done, live sessions attended
    and self-paced items completed (their duration). Five queries whatever the number of people or rows."""
    now = now or timezone.now()
    budgets = weekly_budgets(people)
    result: dict[int, list[Week]] = {}
    index: dict[int, dict[dt.date, Week]] = {}
    for person in people:
        current = week_start(now, person.time_zone)
        rows = [
            Week(start=current - dt.timedelta(weeks=weeks - 1 - i), budget=budgets[person.pk].minutes)
            for i in range(weeks)
        ]
        result[person.pk] = rows
        index[person.pk] = {w.start: w for w in rows}
    if not people:
        return result
    first = min(rows[0].start for rows in result.values())
    last = max(rows[-1].start for rows in result.values()) + dt.timedelta(days=7)
    since = _local_midnight(first, "UTC") - _ZONE_SLACK
    until = _local_midnight(last, "UTC") + _ZONE_SLACK
    zones = {p.pk: p.time_zone for p in people}
    ids = list(zones)

    def bucket(person_id: int, moment: dt.datetime) -> Week | None:
        return index[person_id].get(week_start(moment, zones[person_id]))

    blocks = LearningBlock.objects.filter(
        person_id__in=ids, status__in=PLANNED_STATUSES, starts_at__gte=since, starts_at__lt=until
    ).values_list("person_id", "starts_at", "ends_at", "status")
    for person_id, starts, ends, status in blocks:
        week = bucket(person_id, starts)
        if week is not None:
            minutes = int((ends - starts).total_seconds() // 60)
            week.planned += minutes
            if status == BlockStatus.DONE:
                week.used += minutes
    attended = Booking.objects.filter(
        person_id__in=ids,
        status=Booking.Status.ATTENDED,
        session__starts_at__gte=since,
        session__starts_at__lt=until,
    ).values_list("person_id", "session__starts_at", "session__ends_at")
    for person_id, starts, ends in attended:
        week = bucket(person_id, starts)
        if week is not None:
            week.used += int((ends - starts).total_seconds() // 60)
    completed = Enrollment.objects.filter(
        person_id__in=ids,
        status=Enrollment.Status.COMPLETED,
        item__kind=CatalogItem.Kind.SELF_PACED,
        item__duration_minutes__isnull=False,
        completed_at__gte=since,
        completed_at__lt=until,
    ).values_list("person_id", "completed_at", "item__duration_minutes")
    for person_id, completed_at, duration in completed:
        week = bucket(person_id, completed_at) if completed_at is not None else None
        if week is not None:
            week.used += duration or 0
    return result


def weekly_summary(person: Person, *, weeks: int = 12, now: dt.datetime | None = None) -> list[Week]:
    return weeks_for([person], weeks=weeks, now=now)[person.pk]


def blocks_for(
    *, actor: Person, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> QuerySet[LearningBlock]:
    blocks = policy.scope(actor, "view", LearningBlock.objects.select_related("item"))
    if since is not None:
        blocks = blocks.filter(ends_at__gt=since)
    if until is not None:
        blocks = blocks.filter(starts_at__lt=until)
    return blocks.order_by("starts_at", "pk")


def block_get(*, actor: Person, block_id: int, action: str = "view") -> LearningBlock:
    return policy.get_or_404(actor, action, LearningBlock.objects.select_related("item", "person"), pk=block_id)


def upcoming_blocks(person: Person, *, now: dt.datetime | None = None, limit: int = 20) -> list[LearningBlock]:
    now = now or timezone.now()
    return list(
        LearningBlock.objects.filter(person=person, status=BlockStatus.PLANNED, ends_at__gt=now)
        .select_related("item")
        .order_by("starts_at")[:limit]
    )


def blocks_to_review(person: Person, *, now: dt.datetime | None = None, limit: int = 20) -> list[LearningBlock]:
    """Planned blocks that have ended in the last four weeks: did the person learn then or not?"""
    now = now or timezone.now()
    return list(
        LearningBlock.objects.filter(
            person=person,
            status=BlockStatus.PLANNED,
            ends_at__lte=now,
            ends_at__gt=now - dt.timedelta(weeks=4),
        )
        .select_related("item")
        .order_by("-starts_at")[:limit]
    )


def booked_sessions(person: Person, *, now: dt.datetime | None = None, limit: int = 20) -> list[Booking]:
    now = now or timezone.now()
    return list(
        Booking.objects.filter(person=person, status=Booking.Status.BOOKED, session__ends_at__gt=now)
        .select_related("session__item")
        .order_by("session__starts_at")[:limit]
    )


@dataclass
class TeamRow:
    person: Person
    budget: Budget
    this_week: Week
    last_four: list[Week]

    @property
    def used_last_four(self) -> int:
        return sum(w.used for w in self.last_four)

    @property
    def planned_last_four(self) -> int:
        return sum(w.planned for w in self.last_four)


def team_overview(*, manager: Person, now: dt.datetime | None = None) -> list[TeamRow]:
    """The manager's direct reports: budget, and planned and used minutes this week and the four before."""
    reports = list(Person.objects.filter(manager=manager, is_active=True).order_by("last_name", "first_name", "pk"))
    budgets = weekly_budgets(reports)
    weeks = weeks_for(reports, weeks=5, now=now)
    return [
        TeamRow(person=p, budget=budgets[p.pk], this_week=weeks[p.pk][-1], last_four=weeks[p.pk][:-1]) for p in reports
    ]


def feed_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_owner(secret: str) -> Person | None:
    """The active person whose live calendar secret this is, or None (unknown or revoked)."""
    if not secret:
        return None
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(secret_hash=feed_hash(secret), person__is_active=True)
        .first()
    )
    return feed.person if feed is not None else None


def feed_of(person: Person) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person).first()


def home_panel(person: Person) -> dict[str, Any] | None:
    """ "Learning time this week" on my home: budget, planned, used and the next blocks."""
    now = timezone.now()
    this_week = weekly_summary(person, weeks=1, now=now)[0]
    return {"week": this_week, "next_blocks": upcoming_blocks(person, now=now, limit=3), "zone": person.time_zone}
