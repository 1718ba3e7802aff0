"""Demo learning time: team defaults set by managers, a few personal budgets, and eleven weeks of learning
blocks (most done, some skipped, next week planned) for a slice of the company, Maya's team included."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.db.models import Count, Q
from django.utils import timezone

from learnloop.core.seeding import DemoContext
from learnloop.learning.models import Enrollment
from learnloop.learningtime.models import LearningBlock, PersonBudget, TeamBudget
from learnloop.people.models import Person

DEMO_AFTER = ["people", "learning"]
MAYA = "maya.okafor@fernhill.example"
JONAS = "jonas.weber@fernhill.example"
TITLES = [
    "Work through the next module",
    "Read a chapter",
    "Practise with a kata",
    "Watch the recorded talk and take notes",
    "Write up what I learned",
    "Pair on something new",
]
WEEKS_BACK = 11


def seed(ctx: DemoContext) -> None:
    managers = list(
        ctx.demo_people()
        .annotate(n=Count("reports"))
        .filter(n__gt=0)
        .order_by("employee_id")
        .values_list("pk", "username")
    )
    # Seeded once: a manager may have changed their team's default since.
    if not TeamBudget.objects.exists():
        for pk, username in managers:
            minutes = 180 if username == JONAS else ctx.rng("team budget", username).choice([None, 90, 120, 180, 240])
            if minutes is not None:
                TeamBudget.objects.create(manager_id=pk, weekly_minutes=minutes)
    teams = TeamBudget.objects.count()
    jonas = Person.objects.filter(username=JONAS).first()
    team = list(ctx.demo_people().filter(manager=jonas).order_by("employee_id")) if jonas else []
    # One of Jonas's reports is settling into a new role and gets more time.
    if len(team) > 1:
        PersonBudget.objects.get_or_create(person=team[1], defaults={"weekly_minutes": 240, "set_by": jonas})
    if LearningBlock.objects.exists():
        ctx.log(f"  {teams} team defaults; {LearningBlock.objects.count()} learning blocks (already seeded)")
        return
    others = list(ctx.demo_people().exclude(manager=jonas).order_by("employee_id")[:200])
    people = team + ctx.rng("learningtime", "people").sample(others, min(len(others), 120))
    maya = Person.objects.filter(username=MAYA).first()
    if maya is not None and maya not in people:
        people.insert(0, maya)
    items = dict(
        Enrollment.objects.filter(person__in=people).order_by("person_id", "pk").values_list("person_id", "item_id")
    )
    now = timezone.now()
    blocks = []
    for person in people:
        rng = ctx.rng("learningtime", person.employee_id)
        zone = zoneinfo.ZoneInfo(person.time_zone)
        today = now.astimezone(zone).date()
        monday = today - dt.timedelta(days=today.weekday())
        keen = 0.8 if person == maya else rng.uniform(0.3, 1.0)
        for week in range(-WEEKS_BACK, 2):
            days = rng.sample(range(5), k=rng.randint(1, 3))
            for day in sorted(days):
                if rng.random() > keen + 0.2:
                    continue
                date = monday + dt.timedelta(weeks=week, days=day)
                start = dt.datetime.combine(date, dt.time(rng.choice([8, 9, 13, 16]), rng.choice([0, 30])), zone)
                minutes = rng.choice([30, 45, 60, 90])
                end = start + dt.timedelta(minutes=minutes)
                if end <= now:
                    status = LearningBlock.Status.DONE if rng.random() < keen else LearningBlock.Status.SKIPPED
                else:
                    status = LearningBlock.Status.PLANNED
                blocks.append(
                    LearningBlock(
                        person=person,
                        uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        title=rng.choice(TITLES),
                        starts_at=start,
                        ends_at=end,
                        time_zone=person.time_zone,
                        item_id=items.get(person.pk) if rng.random() < 0.5 else None,
                        status=status,
                        sequence=rng.choice([0, 0, 0, 1, 2]),
                    )
                )
        if person == maya:
            # Next week for sure, so Maya's page, home panel and feed show what is coming.
            start = dt.datetime.combine(monday + dt.timedelta(weeks=1, days=3), dt.time(10, 0), zone)
            end = start + dt.timedelta(hours=1)
            if not any(b.person == maya and b.starts_at < end and b.ends_at > start for b in blocks):
                blocks.append(
                    LearningBlock(
                        person=maya,
                        uid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        title="Plan my next step in the system design pathway",
                        starts_at=start,
                        ends_at=end,
                        time_zone=maya.time_zone,
                    )
                )
    LearningBlock.objects.bulk_create(blocks, batch_size=1000)
    if maya is not None:
        _book_a_session(maya)
    ctx.log(f"  {teams} team defaults, {len(blocks)} learning blocks for {len(people)} people")


def _book_a_session(person: Person) -> None:
    """A booked session in the next weeks, so Maya's calendar feed has one beside her blocks."""
    from learnloop.learning.models import Booking, Session
    from learnloop.learning.sessions import session_book

    if Booking.objects.filter(person=person, status=Booking.Status.BOOKED).exists():
        return
    office = person.location.name if person.location else ""
    session = (
        Session.objects.filter(starts_at__gt=timezone.now(), item__is_published=True)
        .filter(Q(location__startswith=f"{office},") | Q(location="Online"))
        .exclude(bookings__person=person)
        .order_by("starts_at", "pk")
        .first()
    )
    if session is not None:
        session_book(actor=person, session=session, source="system")
