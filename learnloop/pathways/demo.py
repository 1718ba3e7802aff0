"""Demo pathways: role-based routes through the demo catalog, with assignments, progress and certificates.

Progress is never written here: it comes from enrolments made through the learning services (dated back
so some assignments are overdue and one certificate is close to expiry), and the pathway jobs then record
completions, certificates and reminders exactly as the worker would.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learnloop.core.models import AuditEvent
from learnloop.core.seeding import DemoContext
from learnloop.learning.demo import PastSeats, demo_reflection, item_topics, record_history
from learnloop.learning.enrollment import enrollment_complete, enrollment_enrol
from learnloop.learning.models import Booking, CatalogItem
from learnloop.learning.sessions import SCHEDULED_KINDS, booking_mark_attendance
from learnloop.pathways import jobs, services
from learnloop.pathways.models import Assignment, Pathway
from learnloop.people.models import JobRole, OrgUnit, Person

DEMO_AFTER = ["people", "learning"]
DOMAIN = "fernhill.example"
SYSTEM = AuditEvent.Source.SYSTEM

# title, job role, career stage, certification months, description, [(stage, [item titles], needed)]
PATHWAYS: list[tuple[str, str, str, int | None, str, list[tuple[str, list[str], int | None]]]] = [
    (
        "Software Engineer II: towards senior",
        "Software Engineer II",
        "experienced",
        None,
        "Design systems others can build on, review code so it teaches, and lead a piece of operational work.",
        [
            ("Foundations", ["System design fundamentals", "Code review fundamentals"], None),
            (
                "Practise with peers (any 2 of 3)",
                ["System design workshop", "Code review workshop", "Test automation workshop"],
                2,
            ),
            ("Lead", ["Lead the next quarter's incident review"], None),
        ],
    ),
    (
        "New manager essentials",
        "Engineering Manager",
        "new_manager",
        24,
        "Your first year leading a team: one-to-ones that help, feedback people can use, and delegation.",
        [
            ("Foundations", ["Coaching fundamentals", "Giving feedback fundamentals"], None),
            ("Practice (any 2 of 3)", ["Coaching workshop", "The Coaching Habit", "Delegation workshop"], 2),
            ("Lead", ["Facilitate a cross-team planning session"], None),
        ],
    ),
    (
        "Incident responder certification",
        "Site Reliability Engineer",
        "",
        12,
        "Be ready for on-call: respond calmly, communicate clearly and learn from every incident.",
        [
            ("Respond", ["Incident response fundamentals", "Observability fundamentals"], None),
            ("Practise", ["Incident response workshop"], None),
        ],
    ),
    (
        "Secure coding basics",
        "Software Engineer I",
        "early",
        12,
        "The security habits every engineer at Fernhill needs before touching production.",
        [
            ("Learn", ["Application security fundamentals"], None),
            ("Apply (any 1 of 2)", ["Application security workshop", "Code review fundamentals"], 1),
        ],
    ),
    (
        "People Partner foundations",
        "People Partner",
        "new_starter",
        None,
        "Employment law, hard conversations and workforce planning for new People Partners.",
        [
            ("Know the ground", ["Employment law fundamentals", "Workforce planning fundamentals"], None),
            (
                "Hard conversations (any 2 of 3)",
                ["Conflict resolution workshop", "Giving feedback workshop", "Negotiation workshop"],
                2,
            ),
        ],
    ),
    (
        "Data storytelling",
        "",
        "",
        None,
        "From a question to a chart that changes a decision. Still being put together by L&D.",
        [("See it", ["Data visualisation fundamentals", "Data literacy fundamentals"], None)],
    ),
]
DRAFTS = {"Data storytelling"}


def seed(ctx: DemoContext) -> None:
    priya = Person.objects.filter(username=f"priya.raman@{DOMAIN}").first()
    if priya is None or not CatalogItem.objects.exists():
        ctx.log("  pathways skipped: the demo people and catalog are missing")
        return
    built = [_pathway(ctx, priya, *spec) for spec in PATHWAYS]
    pathways = {p.title: p for p in built if p is not None}
    if Assignment.objects.exists():
        ctx.log(f"  {len(pathways)} pathways, {Assignment.objects.count()} assignments (already seeded)")
    else:
        _assign(ctx, priya, pathways)
    completed = jobs.completions_record()
    reminded = jobs.due_reminders_send()
    renewals = jobs.recertification_send()
    ctx.log(
        f"  {len(pathways)} pathways, {Assignment.objects.count()} assignments, "
        f"{completed} completed now, {reminded} due-date reminders, {renewals} re-certification reminders"
    )


def _pathway(
    ctx: DemoContext,
    owner: Person,
    title: str,
    role: str,
    stage: str,
    months: int | None,
    description: str,
    stages: list[tuple[str, list[str], int | None]],
) -> Pathway | None:
    existing = Pathway.objects.filter(title=title).first()
    if existing is not None:
        return existing
    items = {i.title: i for i in CatalogItem.objects.filter(title__in=[t for _, ts, _ in stages for t in ts])}
    missing = [t for _, titles, _ in stages for t in titles if t not in items]
    if missing:
        # Never a stage that says "any 2 of 3" with two items: skip the pathway instead.
        ctx.log(f"  pathway “{title}” skipped: the catalog has no {', '.join(missing)}")
        return None
    plan = [(name, [items[t] for t in titles], needed) for name, titles, needed in stages]
    with transaction.atomic():
        pathway = services.pathway_create(
            actor=owner,
            title=title,
            description=description,
            # A job title is not pluralized by adding "s" ("Software Engineer IIs").
            audience=f"People in the {role} role" if role else "Anyone who works with data",
            job_role=JobRole.objects.filter(name=role).first() if role else None,
            career_stage=stage,
            certification_months=months,
            source=SYSTEM,
        )
        for name, chosen, needed in plan:
            services.stage_add(
                actor=owner, pathway=pathway, title=name, items=chosen, required_count=needed, source=SYSTEM
            )
        if title not in DRAFTS:
            pathway = services.pathway_update(actor=owner, pathway=pathway, is_published=True, source=SYSTEM)
    return pathway


def _items(pathway: Pathway) -> list[list[CatalogItem]]:
    return [
        [step.item for step in stage.steps.select_related("item").order_by("position")]
        for stage in pathway.stages.order_by("position")
    ]


@dataclass
class Learning:
    """What `_learn` needs to make demo history look lived: seats in past sessions for live learning,
    skills for reflections, and the random stream."""

    organiser: Person
    seats: PastSeats
    topics: dict[int, tuple[str, str]]
    rng: random.Random


def _learn(
    person: Person, item: CatalogItem, *, done_days_ago: int | None, history: Learning, reflection: str | None = None
) -> None:
    """Enrol (and complete) through the learning services, dated when it happened. Live learning is
    completed by attending one of its past sessions (booked two weeks ahead); other items two weeks after
    enrolling, with a reflection about half the time (`reflection` fixes it; every stretch assignment has
    one)."""
    if done_days_ago is None:
        enrollment_enrol(actor=person, person=person, item=item, source=SYSTEM)
        return
    done = timezone.now() - dt.timedelta(days=done_days_ago)
    if item.kind in SCHEDULED_KINDS:
        session = history.seats.take(item, person.pk, around=done)
        assert session is not None  # a session near a given date is always found or made
        booked = session.starts_at - dt.timedelta(days=14)
        enrollment_enrol(actor=person, person=person, item=item, at=booked, source=SYSTEM)
        booking = Booking.objects.create(session=session, person=person, status=Booking.Status.BOOKED, queued_at=booked)
        record_history(bookings=[booking])
        booking_mark_attendance(
            actor=history.organiser, booking=booking, attended=True, at=session.ends_at, source=SYSTEM
        )
        return
    enrolled = done - dt.timedelta(days=14)
    enrollment = enrollment_enrol(actor=person, person=person, item=item, at=enrolled, source=SYSTEM)
    if reflection is not None:
        learned, apply_plan = reflection, ""
    elif item.kind == CatalogItem.Kind.STRETCH or history.rng.random() < 0.5:
        learned, apply_plan = demo_reflection(item, history.topics, history.rng)
    else:
        learned = apply_plan = ""
    stretch: dict[str, Any] = {}
    if item.kind == CatalogItem.Kind.STRETCH:  # a stretch assignment ends with its own reflection
        learned = learned or "Doing the work myself showed me how much preparation it takes."
        stretch = {
            "outcome": f"Delivered what the sponsor asked for (“{item.title}”), written up and shared.",
            "do_differently": "Agree the goals with the sponsor in the first week instead of the third.",
            "skills_grown": [taught.skill_id for taught in item.skills_taught.all()],
        }
    enrollment_complete(
        actor=person,
        enrollment=enrollment,
        learned=learned,
        apply_plan=apply_plan,
        at=done,
        source=SYSTEM,
        **stretch,
    )


def _backdate(assignment: Assignment, *, assigned_days_ago: int, due_in_days: int | None) -> None:
    today = timezone.localdate()
    Assignment.objects.filter(pk=assignment.pk).update(
        assigned_at=timezone.now() - dt.timedelta(days=assigned_days_ago),
        due_on=today + dt.timedelta(days=due_in_days) if due_in_days is not None else None,
    )


def _progress(person: Person, stages: list[list[CatalogItem]], steps_done: int, history: Learning) -> None:
    """Complete the first `steps_done` steps in pathway order and enrol in the next one."""
    flat = [item for stage in stages for item in stage]
    for index, item in enumerate(flat[: steps_done + 1]):
        _learn(person, item, done_days_ago=history.rng.randint(3, 60) if index < steps_done else None, history=history)


def _assign(ctx: DemoContext, priya: Person, pathways: dict[str, Pathway]) -> None:
    rng = ctx.rng("pathways", "assignments")
    history = Learning(organiser=priya, seats=PastSeats(organiser=priya, rng=rng), topics=item_topics(), rng=rng)
    maya = Person.objects.get(username=f"maya.okafor@{DOMAIN}")
    jonas = Person.objects.get(username=f"jonas.weber@{DOMAIN}")
    senior = pathways["Software Engineer II: towards senior"]
    secure = pathways["Secure coding basics"]
    managers = pathways["New manager essentials"]
    # Maya: her manager's required pathway, partly done; an overdue one; a voluntary pick.
    a = services.assignment_create(actor=jonas, pathway=senior, person=maya, required=True, due_on=None, source=SYSTEM)
    _backdate(a, assigned_days_ago=40, due_in_days=45)
    stages = _items(senior)
    for item, days_ago, reflection in (
        (stages[0][0], 30, "Start from the read and write paths, then the failure modes."),
        (stages[0][1], 21, "Review for the reader of the code, not the writer."),
    ):
        _learn(maya, item, done_days_ago=days_ago, history=history, reflection=reflection)
    _learn(maya, stages[1][0], done_days_ago=None, history=history)
    b = services.assignment_create(actor=jonas, pathway=secure, person=maya, required=True, source=SYSTEM)
    _backdate(b, assigned_days_ago=50, due_in_days=-10)
    _learn(maya, _items(secure)[0][0], done_days_ago=None, history=history)
    services.assignment_create(
        actor=maya, pathway=pathways["Incident responder certification"], person=maya, required=False, source=SYSTEM
    )
    # Jonas certified as a manager almost two years ago: his certificate expires within the month.
    services.assignment_create(actor=priya, pathway=managers, person=jonas, required=True, source=SYSTEM)
    for index, item in enumerate(i for stage in _items(managers) for i in stage):
        _learn(jonas, item, done_days_ago=715 - index * 2, history=history)
    # Jonas assigns his whole team a pathway, due in three weeks.
    atlas = jonas.org_unit if isinstance(jonas.org_unit, OrgUnit) else None
    if atlas is not None:
        try:
            services.assignment_create_for_team(
                actor=Person.objects.get(pk=jonas.pk),
                pathway=secure,
                team=atlas,
                required=True,
                due_on=timezone.localdate() + dt.timedelta(days=21),
                source=SYSTEM,
            )
        except ValidationError as exc:
            ctx.log(f"  team assignment skipped: {' '.join(exc.messages)}")
    # Role pathways for people in each role, assigned by L&D, at every stage of progress.
    for pathway in sorted(pathways.values(), key=lambda p: p.title):
        if not pathway.is_published or pathway.job_role_id is None:
            continue
        stages = _items(pathway)
        people = list(
            ctx.demo_people()
            .filter(job_role_id=pathway.job_role_id)
            .exclude(pathway_assignments__pathway=pathway)
            .order_by("employee_id")[:40]
        )
        for person in rng.sample(people, min(12, len(people))):
            due = rng.choice([None, -20, -5, 6, 30, 60])
            assignment = services.assignment_create(
                actor=priya, pathway=pathway, person=person, required=due is not None, source=SYSTEM
            )
            _backdate(assignment, assigned_days_ago=rng.randint(30, 90), due_in_days=due)
            _progress(person, stages, rng.randint(0, sum(len(s) for s in stages)), history)
    ctx.log(f"  {Assignment.objects.count()} pathway assignments")
