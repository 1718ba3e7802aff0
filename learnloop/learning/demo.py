"""Demo catalog: every format, tied to the demo taxonomy, 150+ items."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Count, F, Q
from django.utils import timezone

from learnloop.core.models import AuditEvent
from learnloop.core.seeding import DemoContext
from learnloop.learning.demo_texts import (
    FEEDBACK_PLANNER_LINES,
    INCIDENT_REVIEW_TEMPLATE,
    INTERVIEW_SCORECARD,
    WRITE_UPS,
    csv_bytes,
    pdf,
    reflection,
)
from learnloop.learning.enrollment import enrollment_history
from learnloop.learning.models import Booking, CatalogItem, Enrollment, ItemSkill, Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import (
    SCHEDULED_KINDS,
    SEATED,
    booking_clash,
    booking_history,
    booking_mark_attendance,
    session_book,
    session_cancel,
    session_create,
    session_follow_up,
    session_update,
)
from learnloop.lrs.events import record_events
from learnloop.people.models import Person
from learnloop.skills.models import Skill
from learnloop.skills.scale import DEFAULT_TOP, proportional
from learnloop.skills.services import scale_top

DEMO_AFTER = ["skills"]
ACADEMY = "https://academy.fernhill.example/courses"
PRIYA, MAYA = "priya.raman@fernhill.example", "maya.okafor@fernhill.example"
SYSTEM = AuditEvent.Source.SYSTEM
Kind, Delivery = CatalogItem.Kind, CatalogItem.Delivery
# The demo offices (people/demo.py's locations): the time zone their calendars run on and their rooms.
OFFICES = {
    "Austin": ("America/Chicago", ["Colorado room"]),
    "Bengaluru": ("Asia/Kolkata", ["Cauvery room", "Nilgiri room"]),
    "Berlin": ("Europe/Berlin", ["Spree room", "Tiergarten room"]),
    "Lisbon": ("Europe/Lisbon", ["Tejo room"]),
    "London": ("Europe/London", ["Thames room"]),
    "New York": ("America/New_York", ["Hudson room"]),
}
# Local start times by format; sessions last the item's duration, except a cohort's single meeting.
STARTS: dict[str, list[tuple[int, int]]] = {
    Kind.LIVE_SESSION: [(9, 30), (10, 0), (13, 30), (14, 0)],
    Kind.COHORT: [(10, 0), (15, 0)],
    Kind.LUNCH_AND_LEARN: [(12, 0), (12, 30)],
}
SESSION_MINUTES: dict[str, int] = {Kind.COHORT: 90}

# (kind, title pattern, summary pattern, minutes, level) per skill; {s} is the skill, {l} its lower-case form.
PATTERNS = [
    (Kind.SELF_PACED, "{s} fundamentals", "Learn the essentials of {l} and apply them to one task this week.", 90, 2),
    (
        Kind.LIVE_SESSION,
        "{s} workshop",
        "A hands-on, two-hour workshop: practise {l} on real cases with peers.",
        120,
        3,
    ),
    (
        Kind.LUNCH_AND_LEARN,
        "Lunch and learn: {s} in practice",
        "A colleague shows how they use {l} at work, then questions; the recording and write-up follow.",
        45,
        2,
    ),
]
BOOKS = [
    ("Coaching", "The Coaching Habit", "Michael Bungay Stanier", "978-0978440749"),
    ("Building psychological safety", "The Fearless Organization", "Amy C. Edmondson", "978-1119477242"),
    ("System design", "Designing Data-Intensive Applications", "Martin Kleppmann", "978-1449373320"),
    ("Giving feedback", "Thanks for the Feedback", "Douglas Stone and Sheila Heen", "978-0143127130"),
    ("Product discovery", "Continuous Discovery Habits", "Teresa Torres", "978-1736633304"),
    ("Running retrospectives", "Agile Retrospectives", "Esther Derby and Diana Larsen", "978-0977616640"),
    ("Negotiation", "Never Split the Difference", "Chris Voss", "978-0062407801"),
    ("Written communication", "On Writing Well", "William Zinsser", "978-0060891541"),
    ("Experimentation", "Trustworthy Online Controlled Experiments", "Ron Kohavi et al.", "978-1108724265"),
    ("Strategic thinking", "Good Strategy Bad Strategy", "Richard Rumelt", "978-0307886231"),
]
# (skill, title, minutes of work it takes, scope)
STRETCH = [
    (
        "Incident response",
        "Lead the next quarter's incident review",
        1440,
        "Run the monthly incident review for one "
        "quarter: collect incidents, facilitate the review, publish the lessons. Not in scope: on-call changes.",
    ),
    (
        "Facilitation",
        "Facilitate a cross-team planning session",
        720,
        "Plan and run one quarterly planning session for two teams, with a write-up of decisions.",
    ),
    (
        "Hiring and interviewing",
        "Design an interview loop",
        1200,
        "Design and pilot a structured interview loop for one open role, with a scoring guide.",
    ),
    (
        "Data visualisation",
        "Rebuild the team dashboard",
        960,
        "Redesign one team's main dashboard so it answers its three key questions at a glance.",
    ),
    (
        "Knowledge sharing",
        "Start a community of practice",
        1800,
        "Gather people who share a craft, run four sessions and hand it over to a successor.",
    ),
]
MENTORING = [
    ("Find a mentor", "Be matched with a mentor for six months of monthly conversations.", ["Coaching"]),
    (
        "Reverse mentoring with an early-career colleague",
        "Leaders meet a colleague in their first years here monthly: fresh eyes on tools, habits and culture.",
        ["Knowledge sharing", "Building psychological safety"],
    ),
    (
        "Peer mentoring circle for new managers",
        "Four new managers and an experienced one meet monthly to work through real situations from their teams.",
        ["Delegation", "Giving feedback"],
    ),
    (
        "Technical mentoring: towards senior engineer",
        "A staff engineer mentors you through one design of your own, from the first sketch to the review.",
        ["System design"],
    ),
]
LESSON = """## Why it matters

{s} is part of the role profiles of several teams at Fernhill. This lesson takes 20 minutes.

## Try it this week

1. Pick one situation from your work where {l} would help.
2. Apply one idea from this lesson.
3. Write down what happened, and share it in your next 1:1.

> Learning sticks when it is used within a week.
"""


def seed(ctx: DemoContext) -> None:
    if CatalogItem.objects.exists():
        ctx.log(f"  {CatalogItem.objects.count()} catalog items (already seeded)")
    else:
        _seed_items(ctx)
    if Session.objects.exists():
        ctx.log(f"  {Session.objects.count()} sessions (already seeded)")
        return
    priya = Person.objects.filter(username=PRIYA).first()
    _seed_sessions(ctx)
    if priya is not None:
        _seed_changes(ctx, priya)
        _seed_past_sessions(ctx, priya)
        _seed_lunch_and_learns(ctx, priya)


def record_history(*, enrollments: Iterable[Enrollment] = (), bookings: Iterable[Booking] = ()) -> int:
    """Store the xAPI statements the learning services would have recorded for enrolments and bookings the
    demo writes in bulk, dated when each step happened (in one go, not a `record_event` per row). Their
    person, item and session should be loaded. Returns how many."""
    statements = [s for e in enrollments for s in enrollment_history(e)]
    return record_events(statements + [s for b in bookings for s in booking_history(b)])


def _weekday(day: dt.date, *, back: bool = False) -> dt.date:
    """The day itself on a weekday; from a weekend, the Monday after (or the Friday before)."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=-1 if back else 1)
    return day


def session_place(rng: random.Random) -> tuple[str, str, str]:
    """Where a demo session is held: (location, online address, the time zone it is planned in). A room is
    planned in its office's zone; an online session in its host office's."""
    office = rng.choice(sorted(OFFICES))
    zone, rooms = OFFICES[office]
    if rng.random() < 0.25:
        return "Online", f"https://meet.fernhill.example/{rng.getrandbits(40):010x}", zone
    return f"{office}, {rng.choice(rooms)}", "", zone


def session_times(item: CatalogItem, day: dt.date, zone: str, rng: random.Random) -> tuple[dt.datetime, dt.datetime]:
    """Office hours on `day` (a weekday) in `zone`: workshops in the morning or early afternoon, lunch and
    learns at lunch, a cohort's meeting 90 minutes."""
    hour, minute = rng.choice(STARTS[item.kind])
    start = dt.datetime.combine(day, dt.time(hour, minute), zoneinfo.ZoneInfo(zone))
    minutes = SESSION_MINUTES.get(item.kind) or min(item.duration_minutes or 60, 180)
    return start, start + dt.timedelta(minutes=minutes)


def _office_people(ctx: DemoContext) -> dict[str, list[int]]:
    """The demo's people by office, for presenters and for who books an in-person session."""
    found: dict[str, list[int]] = {}
    for pk, office in ctx.demo_people().order_by("employee_id").values_list("pk", "location__name"):
        found.setdefault(office or "", []).append(pk)
    return found


def _seed_sessions(ctx: DemoContext) -> None:
    """Two upcoming sessions for every scheduled item; some fill up and keep a waitlist. Lunch and learns
    have a colleague presenting; people from the office book rooms, anyone books online sessions.

    Sessions are dated from today, so the demo always has something to book.
    """
    rng = ctx.rng("learning", "sessions")
    scheduled = CatalogItem.objects.filter(kind__in=SCHEDULED_KINDS).order_by("title")
    by_office = _office_people(ctx)
    everyone = [pk for people in by_office.values() for pk in people]
    now = timezone.now()
    sessions, bookings = [], []
    # Nobody is booked into two sessions at once (the booking service refuses that too).
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for item in scheduled:
        for week in (1, 3):
            location, online_url, zone = session_place(rng)
            today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
            monday = today + dt.timedelta(weeks=week, days=-today.weekday())
            day = monday + dt.timedelta(days=rng.randint(0, 4))
            start, end = session_times(item, day, zone, rng)
            office = location.split(",")[0]
            people = by_office.get(office) or everyone
            presenter = rng.choice(people) if item.kind == Kind.LUNCH_AND_LEARN and people else None
            session = Session(
                item=item,
                starts_at=start,
                ends_at=end,
                time_zone=zone,
                capacity=rng.choice([8, 12, 20, 30]),
                location=location,
                online_url=online_url,
                presenter_id=presenter,
            )
            sessions.append(session)
            wanted = rng.randint(0, session.capacity + 4)
            guests = [pk for pk in rng.sample(people, min(wanted + 1, len(people))) if pk != presenter][:wanted]
            guests = [pk for pk in guests if not any(s < end and start < e for s, e in busy.get(pk, ()))]
            for position, person_id in enumerate(guests):
                busy.setdefault(person_id, []).append((start, end))
                status = "booked" if position < session.capacity else "waitlisted"
                queued = now - dt.timedelta(hours=len(guests) - position)
                bookings.append(Booking(session=session, person_id=person_id, status=status, queued_at=queued))
    Session.objects.bulk_create(sessions)
    Booking.objects.bulk_create(bookings)
    booked_people = Person.objects.in_bulk({b.person_id for b in bookings})
    for booking in bookings:
        booking.person = booked_people[booking.person_id]
    record_history(bookings=bookings)
    ctx.log(f"  {len(sessions)} upcoming sessions, {len(bookings)} bookings")


def _seed_changes(ctx: DemoContext, priya: Person) -> None:
    """Two upcoming workshops in Maya's office change through the scheduling services, with her booked on
    both: the L&D lead moves one a week later and calls off the other. Everyone booked or waiting gets
    the notice and their calendar events a higher SEQUENCE (the cancelled one STATUS:CANCELLED)."""
    maya = Person.objects.filter(username=MAYA).select_related("location").first()
    if maya is None:
        return
    office = maya.location.name if maya.location is not None else ""
    booked = Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED))
    candidates = (
        Session.objects.filter(item__kind=Kind.LIVE_SESSION, location__startswith=f"{office},")
        .annotate(booked=booked)
        .filter(booked__gt=0, booked__lt=F("capacity"))
        .order_by("starts_at", "pk")
    )
    chosen: list[Session] = []
    for candidate in candidates:
        if candidate.item_id in {s.item_id for s in chosen}:
            continue
        # Maya never holds two sessions at once: skip one that overlaps what she has booked, now or once
        # moved a week later.
        if any(
            booking_clash(person=maya, starts_at=candidate.starts_at + shift, ends_at=candidate.ends_at + shift)
            for shift in (dt.timedelta(0), dt.timedelta(weeks=1))
        ):
            continue
        session_book(actor=maya, session=candidate, source=SYSTEM)
        chosen.append(candidate)
        if len(chosen) == 2:
            break
    if len(chosen) < 2:
        return
    moved, cancelled = chosen
    # Naive wall-clock times are read in the session's zone: the same local hour a week later.
    zone = zoneinfo.ZoneInfo(moved.time_zone)
    week = dt.timedelta(weeks=1)
    session_update(
        actor=priya,
        session=moved,
        starts_at=moved.starts_at.astimezone(zone).replace(tzinfo=None) + week,
        ends_at=moved.ends_at.astimezone(zone).replace(tzinfo=None) + week,
        source=SYSTEM,
    )
    session_cancel(
        actor=priya,
        session=cancelled,
        reason="Our trainer is ill. We will add a new date soon.",
        source=SYSTEM,
    )
    ctx.log("  2 upcoming workshops changed: one moved a week later, one cancelled (Maya was booked on both)")


def _booked(session: Session, guests: list[Person], queued_at: list[dt.datetime]) -> list[Booking]:
    """Seats in a past session, booked as people would have before it (with the `registered` statements)."""
    bookings = [
        Booking.objects.create(session=session, person=guest, status=Booking.Status.BOOKED, queued_at=queued)
        for guest, queued in zip(guests, queued_at, strict=True)
    ]
    record_history(bookings=bookings)
    return bookings


def _attended(session: Session, bookings: list[Booking], *, taker: Person, rng: random.Random) -> int:
    """Take attendance through the service as the session ended: the statements, the completions (enrolling
    those who booked without enrolling) and the skill evidence are dated then."""
    for booking in bookings:
        attended = rng.random() < 0.85
        booking_mark_attendance(actor=taker, booking=booking, attended=attended, at=session.ends_at, source=SYSTEM)
    return len(bookings)


def _seed_past_sessions(ctx: DemoContext, priya: Person) -> None:
    """Three workshops from the last weeks in Berlin, Maya among those booked: two with attendance taken by
    the L&D lead (completing people's enrolments), the latest left for her to take on its roster."""
    maya = Person.objects.filter(username=MAYA).first()
    items = list(CatalogItem.objects.filter(kind=Kind.LIVE_SESSION).order_by("title")[:3])
    if maya is None or len(items) < 3:
        return
    rng = ctx.rng("learning", "past sessions")
    berlin = [pk for pk in _office_people(ctx).get("Berlin", []) if pk != maya.pk]
    others = list(Person.objects.filter(pk__in=berlin[:150]).order_by("employee_id"))
    today = timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).date()
    monday = today - dt.timedelta(days=today.weekday())
    taken = 0
    for weeks_ago, item in zip((3, 2, 1), items, strict=True):
        tuesday = monday - dt.timedelta(weeks=weeks_ago, days=-1)
        start = dt.datetime.combine(tuesday, dt.time(10, 0), zoneinfo.ZoneInfo("Europe/Berlin"))
        session = session_create(
            actor=priya,
            item=item,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=item.duration_minutes or 120),
            time_zone="Europe/Berlin",
            capacity=12,
            location="Berlin, Spree room",
            presenter=priya,
            source=SYSTEM,
        )
        people = [maya, *rng.sample(others, min(7, len(others)))]
        bookings = _booked(session, people, [start - dt.timedelta(days=7)] * len(people))
        if weeks_ago == 1:
            continue  # attendance still to take
        # Maya came to both.
        booking_mark_attendance(actor=priya, booking=bookings[0], attended=True, at=session.ends_at, source=SYSTEM)
        taken += 1 + _attended(session, bookings[1:], taker=priya, rng=rng)
    ctx.log(f"  3 past workshops, attendance taken for {taken} bookings")


def _seed_lunch_and_learns(ctx: DemoContext, priya: Person) -> None:
    """Lunch and learns of the last weeks, each presented by a colleague whose role needs the skill: people
    booked, attendance taken and the recording and write-up added by the presenter (who is credited with
    an xAPI "shared" statement), so the item pages show what people missed."""
    from learnloop.skills.models import RoleRequirement

    rng = ctx.rng("learning", "lunch and learns")
    maya = Person.objects.filter(username=MAYA).first()
    made = 0
    for number, (skill, write_up) in enumerate(sorted(WRITE_UPS.items())):
        item = CatalogItem.objects.filter(title=f"Lunch and learn: {skill} in practice").first()
        if item is None:
            continue
        office = "Berlin" if skill == "Incident response" else sorted(OFFICES)[number % len(OFFICES)]
        zone = OFFICES[office][0]
        proficient = proportional(3, old_top=DEFAULT_TOP, new_top=scale_top())
        roles = RoleRequirement.objects.filter(skill__name=skill, level__gte=proficient).values("job_role")
        local = ctx.demo_people().filter(location__name=office).order_by("employee_id")
        others = local.exclude(pk=maya.pk) if maya is not None else local
        presenter = others.filter(job_role__in=roles).first() or others.first()
        if presenter is None:
            continue
        today = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date()
        day = _weekday(today - dt.timedelta(weeks=number + 1, days=today.weekday() - rng.randint(1, 3)), back=True)
        start = dt.datetime.combine(day, dt.time(12, 30), zoneinfo.ZoneInfo(zone))
        session = session_create(
            actor=priya,
            item=item,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=item.duration_minutes or 45),
            time_zone=zone,
            capacity=30,
            location=f"{office}, {OFFICES[office][1][0]}",
            online_url=f"https://meet.fernhill.example/lunch-{number + 1:02d}",
            presenter=presenter,
            source=SYSTEM,
        )
        audience = list(local.exclude(pk__in=[presenter.pk, maya.pk if maya else 0])[:200])
        guests = rng.sample(audience, min(rng.randint(9, 22), len(audience)))
        if skill == "Incident response" and maya is not None:
            guests.insert(0, maya)
        bookings = _booked(session, guests, [start - dt.timedelta(days=rng.randint(2, 9)) for _ in guests])
        _attended(session, bookings, taker=presenter, rng=rng)
        slug = item.title.lower().replace("lunch and learn: ", "").replace(" ", "-")
        session_follow_up(
            actor=presenter,
            session=session,
            recording_url=f"https://video.fernhill.example/lunch-and-learn/{slug}-{day:%Y-%m-%d}",
            write_up=write_up,
            source=SYSTEM,
        )
        made += 1
    ctx.log(f"  {made} past lunch and learns with a presenter, attendance, a recording and a write-up")


class PastSeats:
    """Seats in sessions that took place, for demo people whose live learning is complete: completing a
    workshop, cohort or lunch and learn means having attended one of its sessions. Sessions are added as
    needed, in the past, on weekdays and at office hours in their room's time zone; sessions whose
    attendance is still to be taken are left alone."""

    PER_ITEM = 2  # past sessions an item gets for people completing it whenever

    def __init__(self, *, organiser: Person, rng: random.Random) -> None:
        self.organiser, self.rng, self.now = organiser, rng, timezone.now()
        self.sessions: dict[int, list[Session]] = {}
        self.free: dict[int, int] = {}
        past = Session.objects.filter(ends_at__lt=self.now).select_related("item")
        untaken = Booking.objects.filter(session__in=past, status=Booking.Status.BOOKED).values("session_id")
        seated = Count("bookings", filter=Q(bookings__status__in=SEATED))
        for session in past.exclude(pk__in=untaken).annotate(seated=seated).order_by("starts_at", "pk"):
            self.sessions.setdefault(session.item_id, []).append(session)
            self.free[session.pk] = session.capacity - session.seated
        self.booked = set(Booking.objects.filter(session__in=past).values_list("session_id", "person_id"))

    def take(self, item: CatalogItem, person_id: int, *, around: dt.datetime | None = None) -> Session | None:
        """A seat for the person in a past session of `item` (within three weeks of `around` if given, a
        session made for it if none is); None once the item's past sessions are full."""
        known = self.sessions.setdefault(item.pk, [])
        candidates = [s for s in known if self.free[s.pk] > 0 and (s.pk, person_id) not in self.booked]
        if around is not None:
            candidates = [s for s in candidates if abs(s.starts_at - around) < dt.timedelta(days=21)]
        if not candidates:
            if around is None and len(known) >= self.PER_ITEM:
                return None
            when = around or self.now - dt.timedelta(days=self.rng.randint(10, 120))
            candidates = [self._create(item, when)]
        session = self.rng.choice(candidates)
        self.free[session.pk] -= 1
        self.booked.add((session.pk, person_id))
        return session

    def _create(self, item: CatalogItem, when: dt.datetime) -> Session:
        location, online_url, zone = session_place(self.rng)
        around = when.astimezone(zoneinfo.ZoneInfo(zone)).date()
        day = around - dt.timedelta(days=around.weekday() - self.rng.randint(0, 4))  # a weekday of that week
        start, end = session_times(item, day, zone, self.rng)
        while end >= self.now:
            start, end = start - dt.timedelta(weeks=1), end - dt.timedelta(weeks=1)
        session = session_create(
            actor=self.organiser,
            item=item,
            starts_at=start,
            ends_at=end,
            time_zone=zone,
            capacity=self.rng.choice([12, 16, 20, 24]),
            location=location,
            online_url=online_url,
            source=SYSTEM,
        )
        self.sessions[item.pk].append(session)
        self.free[session.pk] = session.capacity
        return session


def item_topics() -> dict[int, tuple[str, str]]:
    """Each item's first skill and its category, for the reflections people write (one query)."""
    topics: dict[int, tuple[str, str]] = {}
    for item_id, skill, category in ItemSkill.objects.order_by("item_id", "skill__name").values_list(
        "item_id", "skill__name", "skill__category__name"
    ):
        topics.setdefault(item_id, (skill, category or ""))
    return topics


def demo_reflection(item: CatalogItem, topics: dict[int, tuple[str, str]], rng: random.Random) -> tuple[str, str]:
    skill, category = topics.get(item.pk, ("", ""))
    return reflection(kind=item.kind, title=item.title, skill=skill, category=category, rng=rng)


def _files() -> list[tuple[str, str, str, bytes, str]]:
    """Items delivered as an uploaded file: (title, skill, file name, content, summary)."""
    return [
        (
            "Incident review template",
            "Incident response",
            "incident-review-template.md",
            INCIDENT_REVIEW_TEMPLATE.encode(),
            "The template our teams use for blameless incident reviews, with a timeline and actions table.",
        ),
        (
            "Structured interview scorecard",
            "Hiring and interviewing",
            "interview-scorecard.csv",
            csv_bytes(INTERVIEW_SCORECARD),
            "Score every candidate on the same competencies with evidence, so debriefs compare like with like.",
        ),
        (
            "Feedback conversation planner",
            "Giving feedback",
            "feedback-conversation-planner.pdf",
            pdf(FEEDBACK_PLANNER_LINES),
            "A one-page planner for a feedback conversation: situation, behaviour, impact, question, next step.",
        ),
    ]


def _seed_items(ctx: DemoContext) -> None:
    skills = {s.name: s for s in Skill.objects.all()}
    owner = Person.objects.filter(username=PRIYA).first()
    sponsors = list(ctx.demo_people().filter(title__startswith="Director").order_by("employee_id")[:10])
    made: list[CatalogItem] = []
    top = scale_top()  # the levels below are on the default five-level scale; it may have been resized

    def add(kind: str, title: str, summary: str, taught: list[tuple[str, int]], **fields: Any) -> None:
        made.append(
            item_create(
                actor=None,
                kind=kind,
                title=title,
                summary=summary,
                owner=owner,
                skills=[
                    (skills[name], proportional(level, old_top=DEFAULT_TOP, new_top=top)) for name, level in taught
                ],
                source=SYSTEM,
                **fields,
            )
        )

    for index, name in enumerate(sorted(skills)):
        lower = name[0].lower() + name[1:]
        for kind, title, summary, minutes, level in PATTERNS:
            delivery = Delivery.LINK if kind == Kind.SELF_PACED else Delivery.NONE
            slug = title.format(s=name).lower().replace(" ", "-").replace(":", "")
            add(
                kind,
                title.format(s=name),
                summary.format(l=lower),
                [(name, level)],
                delivery=delivery,
                url=f"{ACADEMY}/{slug}" if delivery == Delivery.LINK else "",
                duration_minutes=minutes,
                audience="Everyone" if level < 3 else "People who use it weekly",
            )
        if index % 4 == 0:
            add(
                Kind.SELF_PACED,
                f"{name}: a 20-minute lesson",
                f"Short written lesson on {lower}, with one thing to try this week.",
                [(name, 2)],
                delivery=Delivery.LESSON,
                lesson=LESSON.format(s=name, l=lower),
                duration_minutes=20,
            )
    for skill_name, title, author, isbn in BOOKS:
        summary = f"A book club pick on {skill_name.lower()}: read a chapter a week and discuss."
        add(Kind.BOOK, title, summary, [(skill_name, 3)], author=author, isbn=isbn, duration_minutes=600)
    for number, (skill_name, title, minutes, scope) in enumerate(STRETCH):
        summary = (
            f"A real piece of work that grows your {skill_name.lower()}, with a sponsor and a reflection at the end."
        )
        sponsor = sponsors[number % len(sponsors)] if sponsors else None
        add(Kind.STRETCH, title, summary, [(skill_name, 4)], scope=scope, sponsor=sponsor, duration_minutes=minutes)
    for title, skill_name in (("New manager cohort", "Coaching"), ("Data literacy cohort", "Data literacy")):
        summary = "Six fortnightly sessions with the same group, practice between sessions."
        add(Kind.COHORT, title, summary, [(skill_name, 3)], duration_minutes=12 * 90)
    for title, summary, skill_names in MENTORING:
        # Six monthly conversations of an hour.
        add(Kind.MENTORING, title, summary, [(name, 2) for name in skill_names], duration_minutes=6 * 60)
    for title, skill_name, file_name, content, summary in _files():
        # Through the item's FileField, so the file is kept by the same storage the upload form uses.
        file = ContentFile(content, name=file_name)
        add(Kind.SELF_PACED, title, summary, [(skill_name, 2)], delivery=Delivery.FILE, file=file, duration_minutes=15)
    ctx.log(f"  {len(made)} catalog items in every format")
