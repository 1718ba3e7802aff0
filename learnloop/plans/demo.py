"""Demo plans: org objectives for Fernhill & Co, a plan for the current year for many people (with goals
tied to their role profile, next role and the objectives, learning attached and progress under way),
last year's closed plans for a few, manager comments, and transfer checks with answers."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from learnloop.core.audit import audit_event_build
from learnloop.core.models import AuditEvent
from learnloop.core.seeding import DemoContext
from learnloop.learning.demo import PastSeats, demo_reflection, item_topics, record_history
from learnloop.learning.models import Booking, CatalogItem, Enrollment, ItemSkill
from learnloop.learning.sessions import SCHEDULED_KINDS
from learnloop.lrs.events import record_events
from learnloop.people.models import OrgUnit, Person
from learnloop.plans.models import Goal, Objective, Plan, TransferCheck
from learnloop.plans.services import goal_history, objective_create, plan_comment_add, transfer_check_answer
from learnloop.plans.transfer import transfer_checks_create
from learnloop.skills.calibration import Rating, calibrate
from learnloop.skills.models import CareerPath, RoleRequirement, SkillAssessment
from learnloop.skills.services import scale_top

DEMO_AFTER = ["learning"]
SYSTEM = AuditEvent.Source.SYSTEM
MAYA, JONAS, PRIYA = "maya.okafor@fernhill.example", "jonas.weber@fernhill.example", "priya.raman@fernhill.example"

# (title, description, owning unit's name or "", children as (title, description, unit name))
OBJECTIVES = [
    (
        "Customers trust us with their critical work",
        "Reliability and support that customers cite when they renew.",
        "",
        [
            ("Cut customer-facing incidents by half", "Fewer and shorter incidents; blameless reviews.", "Engineering"),
            ("Resolve 80% of support cases within a day", "Faster answers through better tooling.", "Customer Success"),
        ],
    ),
    (
        "Grow a coaching culture",
        "Every manager coaches; every person has a development plan they own.",
        "People",
        [
            ("Every manager holds monthly development 1:1s", "Coaching, not status updates.", "People"),
            ("Double internal moves into next roles", "People grow here rather than leave to grow.", "People"),
        ],
    ),
    (
        "Make decisions with data",
        "Decisions about product and customers start from evidence.",
        "",
        [("Ship self-serve analytics to every team", "Dashboards people trust and use.", "Data")],
    ),
    (
        "Launch in two new markets",
        "Localised product and a sales motion in Spain and Poland.",
        "Sales",
        [],
    ),
]

# (outcome, measure, words of the objective it serves)
OUTCOMES = [
    ("Run our team's incident reviews", "Facilitate 3 blameless reviews and publish the actions", "incidents"),
    ("Hold monthly development 1:1s with my reports", "12 1:1s logged with notes by December", "1:1s"),
    ("Build a dashboard my team uses weekly", "Dashboard used in 10 weekly meetings", "analytics"),
    ("Present our work at the all-hands", "One all-hands talk with feedback from 5 colleagues", "coaching culture"),
    ("Mentor a new joiner through onboarding", "Joiner productive on their own in 8 weeks", "coaching culture"),
    ("Shorten support handling time for our product area", "Median first answer under 4 hours", "support cases"),
    ("Get better at giving feedback", "", "coaching culture"),  # deliberately vague: the SMART check has advice
]
COMMENTS = [
    "Good choice of goals. Let's look at the first one in our next 1:1.",
    "I like the measure here. Can we add a date for the first milestone?",
    "This links nicely to our team objective. Happy to free up time for the workshop.",
    "Great progress so far! What has been the most useful part?",
    "Let's make the second goal a bit more concrete when we meet.",
]
ANSWERS = [
    ("yes", "Used it in our last two incident reviews; the action list was much clearer."),
    ("yes", "I now start every 1:1 with a question instead of an update."),
    ("partly", "Tried it once in a team meeting; need another chance to practise."),
    ("partly", "Applied the basics, but our tooling gets in the way of the rest."),
    ("not_yet", "No opportunity yet; planned for next quarter's planning."),
    ("yes", "Built the first version of the dashboard with it."),
]


def seed(ctx: DemoContext) -> None:
    today = timezone.localdate()
    year = today.year
    objectives = _seed_objectives(ctx, year)
    created = _seed_plans(ctx, year, today, objectives)
    with transaction.atomic():  # one commit for the lot: the demo creates over a thousand checks at once
        checks = transfer_checks_create(now=timezone.now())
    answered = _answer_checks(ctx)
    comments = _seed_comments(ctx)
    ctx.log(
        f"  {len(objectives)} objectives, {created} new plans, {checks} new transfer checks, "
        f"{answered} answers, {comments} plan comments"
    )


def _seed_objectives(ctx: DemoContext, year: int) -> list[Objective]:
    existing = {(o.title, o.period): o for o in Objective.objects.all()}
    units = {u.name: u for u in OrgUnit.objects.all()}
    kept: list[Objective] = []
    for title, description, unit, children in OBJECTIVES:
        parent = existing.get((title, str(year))) or objective_create(
            actor=None, title=title, description=description, period=str(year), org_unit=units.get(unit), source=SYSTEM
        )
        kept.append(parent)
        for child_title, child_description, child_unit in children:
            child = existing.get((child_title, str(year))) or objective_create(
                actor=None,
                title=child_title,
                description=child_description,
                period=str(year),
                parent=parent,
                org_unit=units.get(child_unit),
                source=SYSTEM,
            )
            kept.append(child)
    if ("Move the platform to the cloud", str(year - 1)) not in existing:
        objective_create(
            actor=None,
            title="Move the platform to the cloud",
            description="Done last year.",
            period=str(year - 1),
            is_active=False,
            source=SYSTEM,
        )
    return kept


def _objective_for(words: str, objectives: list[Objective]) -> Objective:
    return next((o for o in objectives if words in o.title.lower()), objectives[0])


@transaction.atomic
def _seed_plans(ctx: DemoContext, year: int, today: dt.date, objectives: list[Objective]) -> int:
    now = timezone.now()
    period_start, period_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    requirements: dict[int, list[RoleRequirement]] = {}
    for requirement in RoleRequirement.objects.select_related("skill"):
        requirements.setdefault(requirement.job_role_id, []).append(requirement)
    next_roles: dict[int, list[int]] = {}
    for path in CareerPath.objects.all():
        next_roles.setdefault(path.from_role_id, []).append(path.to_role_id)
    items_by_skill: dict[int, list[CatalogItem]] = {}
    for taught in ItemSkill.objects.filter(item__is_published=True).select_related("item").order_by("item_id"):
        items_by_skill.setdefault(taught.skill_id, []).append(taught.item)
    general = list(CatalogItem.objects.filter(is_published=True).order_by("pk")[:60])
    people = list(ctx.demo_people().filter(job_role__isnull=False).select_related("manager").order_by("employee_id"))
    has_plan = set(Plan.objects.filter(period=str(year)).values_list("person_id", flat=True))
    organiser = Person.objects.filter(username=PRIYA).first()
    seats = PastSeats(organiser=organiser, rng=ctx.rng("seats")) if organiser is not None else None
    topics = item_topics()
    enrolled = set(Enrollment.objects.values_list("person_id", "item_id"))
    chosen = [p for p in people if p.username in (MAYA, JONAS) or ctx.rng("plan", p.employee_id).random() < 0.55]
    levels = _calibrated_levels([p.pk for p in chosen if p.pk not in has_plan], now)
    top = scale_top()

    def target(person: Person, required: int, skill_id: int) -> int:
        """The role's level, or one above the person's calibrated level today if they are there already."""
        current = levels.get((person.pk, skill_id))
        return min(top, max(required, int(current) + 1 if current is not None else 1))

    def due(rng: random.Random) -> dt.date:
        """Spread over the rest of the period, with a few recently past."""
        earliest = min(max(period_start + dt.timedelta(days=30), today - dt.timedelta(days=10)), period_end)
        return earliest + dt.timedelta(days=rng.randint(0, (period_end - earliest).days))

    goal_items: list[tuple[Goal, list[CatalogItem]]] = []
    plans_made = 0
    audit: list[AuditEvent] = []
    new_enrollments: list[Enrollment | None] = []
    attended: list[Booking] = []
    stories: dict[int, int] = {}
    for person in chosen:
        if person.pk in has_plan or person.job_role_id not in requirements:
            continue
        rng = ctx.rng("goals", person.employee_id)
        plan = Plan.objects.create(person=person, period=str(year), starts_on=period_start, ends_on=period_end)
        audit.append(audit_event_build(actor=None, action="plan.create", target=plan, source=SYSTEM))
        plans_made += 1
        own = rng.sample(requirements[person.job_role_id], k=min(2, len(requirements[person.job_role_id])))
        goals: list[tuple[Goal, list[CatalogItem]]] = []
        for requirement in own:
            goal = Goal(
                plan=plan,
                kind=Goal.Kind.SKILL,
                skill=requirement.skill,
                target_level=target(person, requirement.level, requirement.skill_id),
                role=person.job_role,
                due_on=due(rng),
            )
            goals.append((goal, items_by_skill.get(requirement.skill_id, [])[:2]))
        upward = next_roles.get(person.job_role_id, [])
        if upward and rng.random() < 0.5:
            to_role = rng.choice(upward)
            needs = [r for r in requirements.get(to_role, []) if r.skill_id not in {g.skill_id for g, _ in goals}]
            if needs:
                need = rng.choice(needs)
                goal = Goal(
                    plan=plan,
                    kind=Goal.Kind.SKILL,
                    skill=need.skill,
                    target_level=target(person, need.level, need.skill_id),
                    role_id=to_role,
                    due_on=due(rng),
                )
                goals.append((goal, items_by_skill.get(need.skill_id, [])[:1]))
        outcome, measure, words = rng.choice(OUTCOMES)
        goal = Goal(
            plan=plan,
            kind=Goal.Kind.OUTCOME,
            outcome=outcome,
            measure=measure,
            objective=_objective_for(words, objectives),
            due_on=None if not measure else due(rng),
        )
        goals.append((goal, [rng.choice(general)] if general else []))
        for goal, items in goals:
            goal.save()
            goal.items.set(items)
            goal_items.append((goal, items))
            audit.append(audit_event_build(actor=None, action="goal.create", target=goal, source=SYSTEM))
            for item in items:
                if (person.pk, item.pk) in enrolled:
                    continue
                enrolled.add((person.pk, item.pk))
                # Maya's enrolments tell a story in order (counted per person: a scan of the list was
                # quadratic, minutes at 10,000 people).
                story = stories.get(person.pk, 0)
                made_one, seat = _demo_enrollment(
                    person,
                    item,
                    now,
                    period_start,
                    today,
                    rng=ctx.rng("enrol", person.employee_id, item.title),
                    story=story if person.username == MAYA else None,
                    seats=seats,
                    topics=topics,
                )
                new_enrollments.append(made_one)
                if seat is not None:
                    attended.append(seat)
                if made_one is not None:
                    stories[person.pk] = story + 1
    made = Enrollment.objects.bulk_create([e for e in new_enrollments if e is not None])
    seated = Booking.objects.bulk_create(attended)
    record_history(enrollments=made, bookings=seated)
    audit.extend(audit_event_build(actor=None, action="booking.attended", target=b, source=SYSTEM) for b in seated)
    audit.extend(audit_event_build(actor=None, action="enrollment.enrol", target=e, source=SYSTEM) for e in made)
    audit.extend(_evidence_from(made))
    audit.extend(_achieved(ctx, goal_items))
    AuditEvent.objects.bulk_create(audit)
    _last_year(ctx, year, objectives)
    return plans_made


def _calibrated_levels(person_ids: list[int], now: dt.datetime) -> dict[tuple[int, int], float]:
    """Everyone's calibrated level per skill today, from one query."""
    ratings: dict[tuple[int, int], list[Rating]] = {}
    for a in SkillAssessment.objects.filter(person_id__in=person_ids).only(
        "person_id", "skill_id", "source", "level", "assessed_at", "assessor_id"
    ):
        ratings.setdefault((a.person_id, a.skill_id), []).append(
            Rating(source=a.source, level=a.level, assessed_at=a.assessed_at, rater_id=a.assessor_id)
        )
    levels = {key: calibrate(found, at=now).level for key, found in ratings.items()}
    return {key: level for key, level in levels.items() if level is not None}


def _evidence_from(enrollments: list[Enrollment]) -> list[AuditEvent]:
    """Completing an item adds skill evidence (as `enrollment_complete` does), for the demo's completions."""
    taught: dict[int, list[ItemSkill]] = {}
    for row in ItemSkill.objects.filter(item_id__in={e.item_id for e in enrollments}):
        taught.setdefault(row.item_id, []).append(row)
    evidence = [
        SkillAssessment(
            person_id=e.person_id,
            skill_id=row.skill_id,
            source=SkillAssessment.Source.EVIDENCE,
            level=row.target_level,
            evidence=f"Completed “{e.item.title}”"[:300],
            assessed_at=e.completed_at or timezone.now(),
        )
        for e in enrollments
        if e.status == Enrollment.Status.COMPLETED
        for row in taught.get(e.item_id, [])
    ]
    made = SkillAssessment.objects.bulk_create(evidence)
    return [audit_event_build(actor=None, action="skill_assessment.create", target=a, source=SYSTEM) for a in made]


def _achieved(ctx: DemoContext, goal_items: list[tuple[Goal, list[CatalogItem]]]) -> list[AuditEvent]:
    """Most goals whose learning is all complete are marked achieved a few days after the last item, with
    the `completed` statement that marking them achieved records, dated then."""
    people = {goal.plan.person_id for goal, _ in goal_items}
    done = {
        (person_id, item_id): completed_at
        for person_id, item_id, completed_at in Enrollment.objects.filter(
            person_id__in=people, status=Enrollment.Status.COMPLETED
        ).values_list("person_id", "item_id", "completed_at")
    }
    achieved = []
    now = timezone.now()
    for goal, items in goal_items:
        finished = [done.get((goal.plan.person_id, item.pk)) for item in items]
        if not items or None in finished or ctx.rng("achieved", goal.plan.person.employee_id, goal.pk).random() > 0.7:
            continue
        last = max(moment for moment in finished if moment is not None)
        goal.completed_at = min(last + dt.timedelta(days=3), now)
        achieved.append(goal)
    Goal.objects.bulk_update(achieved, ["completed_at"])
    record_events([statement for goal in achieved for statement in goal_history(goal)])
    return [audit_event_build(actor=None, action="goal.complete", target=goal, source=SYSTEM) for goal in achieved]


def _demo_enrollment(
    person: Person,
    item: CatalogItem,
    now: dt.datetime,
    start: dt.date,
    today: dt.date,
    *,
    rng: random.Random,
    story: int | None = None,
    seats: PastSeats | None = None,
    topics: dict[int, tuple[str, str]],
) -> tuple[Enrollment | None, Booking | None]:
    """A random enrolment, or for `story` (Maya's n-th item) a fixed one: her first item done three months
    ago, the second a month and a half ago, the rest under way. A workshop, cohort or lunch and learn is
    only complete with an attended seat in one of its past sessions (returned with it); without a free
    seat the person is enrolled and waits for the next one. Three in five other completions carry a
    reflection (every stretch assignment's does), two in five live ones."""
    roll = rng.random()
    days_in = max(1, (today - start).days)
    done = {0: 95, 1: 45}.get(story) if story is not None else None
    if story is not None:
        roll = 0.3 if done else 0.7
        enrolled_at = now - dt.timedelta(days=(done or 20) + 10)
    else:
        if roll < 0.2:
            return None, None
        enrolled_at = now - dt.timedelta(days=rng.randint(min(20, days_in), days_in))
    enrollment = Enrollment(person=person, item=item, registration=uuid.uuid4(), enrolled_at=enrolled_at)
    if item.kind in SCHEDULED_KINDS:
        around = now - dt.timedelta(days=done) if done else None
        session = seats.take(item, person.pk, around=around) if seats is not None and roll < 0.55 else None
        if session is None:
            return enrollment, None  # enrolled, waiting for a session
        enrollment.enrolled_at = min(enrolled_at, session.starts_at - dt.timedelta(days=rng.randint(5, 20)))
        enrollment.status, enrollment.progress = Enrollment.Status.COMPLETED, 100
        enrollment.started_at, enrollment.completed_at = session.starts_at, session.ends_at
        if rng.random() < 0.4:  # written on the item's page after the session, before attendance was taken
            enrollment.learned, enrollment.apply_plan = demo_reflection(item, topics, rng)
        queued = enrollment.enrolled_at + dt.timedelta(hours=1)
        return enrollment, Booking(
            session=session, person=person, status=Booking.Status.ATTENDED, queued_at=queued, changed_at=session.ends_at
        )
    if roll < 0.55:
        completed = enrolled_at + dt.timedelta(days=rng.randint(3, 30))
        completed = now - dt.timedelta(days=done) if done else min(completed, now - dt.timedelta(days=1))
        enrollment.status, enrollment.progress = Enrollment.Status.COMPLETED, 100
        enrollment.started_at, enrollment.completed_at = enrolled_at, completed
        if item.kind == CatalogItem.Kind.STRETCH or rng.random() < 0.6:
            enrollment.learned, enrollment.apply_plan = demo_reflection(item, topics, rng)
    elif roll < 0.85:
        enrollment.status, enrollment.progress = Enrollment.Status.IN_PROGRESS, rng.choice((10, 25, 40, 60, 75, 90))
        enrollment.started_at = enrolled_at
    return enrollment, None


def _last_year(ctx: DemoContext, year: int, objectives: list[Objective]) -> None:
    """Maya and Jonas have last year's plan, closed, with achieved goals."""
    now = timezone.now()
    for person in Person.objects.filter(username__in=(MAYA, JONAS)):
        plan, made = Plan.objects.get_or_create(
            person=person,
            period=str(year - 1),
            defaults={
                "starts_on": dt.date(year - 1, 1, 1),
                "ends_on": dt.date(year - 1, 12, 31),
                "status": Plan.Status.CLOSED,
                "closed_at": now - dt.timedelta(days=300),
            },
        )
        if not made:
            continue
        goal = Goal.objects.create(
            plan=plan,
            kind=Goal.Kind.OUTCOME,
            outcome="Own the on-call handbook for our team",
            measure="Handbook published and used in 4 on-call handovers",
            due_on=dt.date(year - 1, 9, 30),
            completed_at=now - dt.timedelta(days=320),
        )
        record_events(goal_history(goal))


@transaction.atomic
def _answer_checks(ctx: DemoContext) -> int:
    answered = 0
    pending = (
        TransferCheck.objects.filter(answered_at__isnull=True, learner__in=ctx.demo_people())
        .select_related("respondent", "learner", "enrollment__item")
        .order_by("pk")
    )
    for check in pending:
        # Maya answered her first check; the later ones wait for her in the demo.
        recent = check.due_on > timezone.localdate() - dt.timedelta(days=14)
        if check.learner.username == MAYA and (check.offset_days != 30 or recent):
            continue
        rng = ctx.rng(
            "answer",
            check.learner.employee_id,
            check.enrollment.item.title,
            check.offset_days,
            check.respondent.employee_id,
        )
        if rng.random() < 0.65:
            applied, how = rng.choice(ANSWERS)
            transfer_check_answer(actor=check.respondent, check=check, applied=applied, how=how, source=SYSTEM)
            answered += 1
    return answered


def _seed_comments(ctx: DemoContext) -> int:
    jonas = Person.objects.filter(username=JONAS).first()
    if jonas is None:
        return 0
    made = 0
    plans = Plan.objects.filter(person__in=ctx.demo_people().filter(manager=jonas), status=Plan.Status.OPEN)
    plans = plans.select_related("person")
    commented = set(Plan.objects.filter(comments__author=jonas).values_list("pk", flat=True))
    for plan in plans.order_by("person__employee_id"):
        if plan.pk in commented:
            continue
        rng = ctx.rng("comment", plan.person.employee_id)
        if plan.person.username == MAYA or rng.random() < 0.6:
            for body in rng.sample(COMMENTS, k=2 if plan.person.username == MAYA else 1):
                plan_comment_add(actor=jonas, plan=plan, body=body, source=SYSTEM)
                made += 1
    return made
