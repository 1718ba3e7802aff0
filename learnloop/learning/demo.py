"""Demo catalog: every format, tied to the demo taxonomy, 150+ items."""

from __future__ import annotations

from learnloop.core.models import AuditEvent
from learnloop.core.seeding import DemoContext
from learnloop.learning.models import CatalogItem
from learnloop.learning.services import item_create
from learnloop.people.models import Person
from learnloop.skills.models import Skill

DEMO_AFTER = ["skills"]
ACADEMY = "https://academy.fernhill.example/courses"
Kind, Delivery = CatalogItem.Kind, CatalogItem.Delivery

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
STRETCH = [
    (
        "Incident response",
        "Lead the next quarter's incident review",
        "Run the monthly incident review for one "
        "quarter: collect incidents, facilitate the review, publish the lessons. Not in scope: on-call changes.",
    ),
    (
        "Facilitation",
        "Facilitate a cross-team planning session",
        "Plan and run one quarterly planning session for two teams, with a write-up of decisions.",
    ),
    (
        "Hiring and interviewing",
        "Design an interview loop",
        "Design and pilot a structured interview loop for one open role, with a scoring guide.",
    ),
    (
        "Data visualisation",
        "Rebuild the team dashboard",
        "Redesign one team's main dashboard so it answers its three key questions at a glance.",
    ),
    (
        "Knowledge sharing",
        "Start a community of practice",
        "Gather people who share a craft, run four sessions and hand it over to a successor.",
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
    _seed_sessions(ctx)
    _seed_past_sessions(ctx)


def _seed_sessions(ctx: DemoContext) -> None:
    """Two upcoming sessions for every scheduled item without any; some fill up and keep a waitlist.

    Sessions are dated from today, so the demo always has something to book.
    """
    import datetime as dt

    from django.utils import timezone

    from learnloop.learning.models import Booking, Session

    rng = ctx.random
    scheduled = CatalogItem.objects.filter(
        kind__in=(Kind.LIVE_SESSION, Kind.COHORT, Kind.LUNCH_AND_LEARN), sessions__isnull=True
    ).order_by("title")
    people = list(Person.objects.filter(is_active=True).order_by("employee_id").values_list("pk", flat=True))
    zones = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata"]
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    sessions, bookings = [], []
    for index, item in enumerate(scheduled):
        for week in (1, 3):
            start = today + dt.timedelta(days=7 * week + index % 5, hours=9 + index % 7)
            capacity = rng.choice([8, 12, 20, 30])
            sessions.append(
                Session(
                    item=item,
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=item.duration_minutes or 60),
                    time_zone=zones[index % len(zones)],
                    capacity=capacity,
                    location=rng.choice(["Berlin, room Spree", "London, Thames room", "Online"]),
                )
            )
    Session.objects.bulk_create(sessions)
    now = timezone.now()
    for session in sessions:
        wanted = rng.randint(0, session.capacity + 4) if people else 0
        for position, person_id in enumerate(rng.sample(people, min(wanted, len(people)))):
            status = "booked" if position < session.capacity else "waitlisted"
            bookings.append(
                Booking(
                    session=session, person_id=person_id, status=status, queued_at=now + dt.timedelta(seconds=position)
                )
            )
    Booking.objects.bulk_create(bookings)
    ctx.log(f"  {len(sessions)} upcoming sessions, {len(bookings)} bookings")


def _seed_past_sessions(ctx: DemoContext) -> None:
    """Three sessions from the last weeks, Maya among those booked: two with attendance taken by the L&D
    lead (completing people's enrolments), the latest left for her to take on its roster."""
    import datetime as dt

    from django.utils import timezone

    from learnloop.learning.models import Booking, Session
    from learnloop.learning.sessions import booking_mark_attendance

    now = timezone.now()
    if Session.objects.filter(starts_at__lt=now).exists():
        return
    priya = Person.objects.filter(username="priya.raman@fernhill.example").first()
    maya = Person.objects.filter(username="maya.okafor@fernhill.example").first()
    items = list(CatalogItem.objects.filter(kind=Kind.LIVE_SESSION).order_by("title")[:3])
    if priya is None or maya is None or len(items) < 3:
        return
    rng = ctx.random
    others = list(Person.objects.filter(is_active=True).exclude(pk=maya.pk).order_by("employee_id")[:150])
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - dt.timedelta(days=today.weekday())
    taken = 0
    for weeks_ago, item in zip((3, 2, 1), items, strict=True):
        start = monday - dt.timedelta(weeks=weeks_ago) + dt.timedelta(days=1, hours=9)  # a Tuesday morning
        session = Session.objects.create(
            item=item,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=item.duration_minutes or 120),
            time_zone="Europe/Berlin",
            capacity=12,
            location="Berlin, room Spree",
            presenter=priya,
        )
        people = [maya, *rng.sample(others, 7)]
        bookings = [
            Booking.objects.create(
                session=session, person=person, status="booked", queued_at=start - dt.timedelta(days=7)
            )
            for person in people
        ]
        if weeks_ago == 1:
            continue  # attendance still to take
        for booking in bookings:
            attended = booking.person == maya or rng.random() < 0.85
            booking_mark_attendance(actor=priya, booking=booking, attended=attended, source="system")
            taken += 1
    ctx.log(f"  3 past sessions, attendance taken for {taken} bookings")


def _seed_items(ctx: DemoContext) -> None:
    skills = {s.name: s for s in Skill.objects.all()}
    owner = Person.objects.filter(username="priya.raman@fernhill.example").first()
    sponsors = list(Person.objects.filter(title__startswith="Director").order_by("employee_id")[:10])
    created = 0
    for index, (name, skill) in enumerate(sorted(skills.items())):
        lower = name[0].lower() + name[1:]
        for kind, title, summary, minutes, level in PATTERNS:
            delivery = Delivery.LINK if kind == Kind.SELF_PACED else Delivery.NONE
            slug = title.format(s=name).lower().replace(" ", "-").replace(":", "")
            item_create(
                actor=None,
                kind=kind,
                title=title.format(s=name),
                summary=summary.format(l=lower),
                delivery=delivery,
                url=f"{ACADEMY}/{slug}" if delivery == Delivery.LINK else "",
                duration_minutes=minutes,
                audience="Everyone" if level < 3 else "People who use it weekly",
                owner=owner,
                skills=[(skill, level)],
                source=AuditEvent.Source.SYSTEM,
            )
            created += 1
        if index % 4 == 0:
            item_create(
                actor=None,
                kind=Kind.SELF_PACED,
                title=f"{name}: a 20-minute lesson",
                summary=f"Short written lesson on {lower}, with one thing to try this week.",
                delivery=Delivery.LESSON,
                lesson=LESSON.format(s=name, l=lower),
                duration_minutes=20,
                owner=owner,
                skills=[(skill, 2)],
                source=AuditEvent.Source.SYSTEM,
            )
            created += 1
    for skill_name, title, author, isbn in BOOKS:
        item_create(
            actor=None,
            kind=Kind.BOOK,
            title=title,
            author=author,
            isbn=isbn,
            summary=f"A book club pick on {skill_name.lower()}: read a chapter a week and discuss.",
            duration_minutes=600,
            owner=owner,
            skills=[(skills[skill_name], 3)],
            source=AuditEvent.Source.SYSTEM,
        )
        created += 1
    for number, (skill_name, title, scope) in enumerate(STRETCH):
        item_create(
            actor=None,
            kind=Kind.STRETCH,
            title=title,
            scope=scope,
            summary=f"A real piece of work that grows your {skill_name.lower()}, with a sponsor and a "
            "reflection at the end.",
            sponsor=sponsors[number % len(sponsors)] if sponsors else None,
            owner=owner,
            skills=[(skills[skill_name], 4)],
            source=AuditEvent.Source.SYSTEM,
        )
        created += 1
    for title, skill_name in (("New manager cohort", "Coaching"), ("Data literacy cohort", "Data literacy")):
        item_create(
            actor=None,
            kind=Kind.COHORT,
            title=title,
            duration_minutes=12 * 90,
            owner=owner,
            summary="Six fortnightly sessions with the same group, practice between sessions.",
            skills=[(skills[skill_name], 3)],
            source=AuditEvent.Source.SYSTEM,
        )
        created += 1
    item_create(
        actor=None,
        kind=Kind.MENTORING,
        title="Find a mentor",
        owner=owner,
        summary="Be matched with a mentor for six months of monthly conversations.",
        skills=[(skills["Coaching"], 2)],
        source=AuditEvent.Source.SYSTEM,
    )
    ctx.log(f"  {created + 1} catalog items in every format")
