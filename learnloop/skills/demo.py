"""The demo company's skills taxonomy, role profiles and career paths."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError

from learnloop.core import imports
from learnloop.core.models import AuditEvent, ImportJob
from learnloop.core.seeding import DemoContext
from learnloop.people.models import JobRole, Person
from learnloop.skills.importer import SIMPLE_COLUMNS
from learnloop.skills.models import Skill
from learnloop.skills.scale import DEFAULT_TOP, proportional
from learnloop.skills.services import career_path_set, requirement_set, scale_top

DEMO_AFTER = ["people"]
DEMO_NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)

# category -> [(skill, description, synonyms)]
TAXONOMY: dict[str, list[tuple[str, str, str]]] = {
    "Engineering practices": [
        ("Python", "Writing, reading and maintaining Python services and tools.", ""),
        ("Go", "Building services in Go.", "Golang"),
        ("TypeScript", "Typed front-end and back-end JavaScript.", "TS"),
        (
            "System design",
            "Shaping services, data and their boundaries so they stay simple as they grow.",
            "Architecture|Software architecture",
        ),
        ("Code review", "Reviewing changes for correctness, clarity and shared understanding.", "Pull request review"),
        ("Test automation", "Designing tests that fail for the right reasons and run fast.", "Testing|QA automation"),
        ("Observability", "Logs, metrics and traces that answer new questions about a running system.", "Monitoring"),
        ("Incident response", "Leading and taking part in incidents, then learning from them.", "On-call"),
        ("Cloud infrastructure", "Running workloads on containers and managed cloud services.", "Kubernetes|K8s"),
        ("Application security", "Finding and fixing security weaknesses in software.", "AppSec"),
        ("SQL", "Querying and shaping relational data.", ""),
        ("Continuous delivery", "Shipping small changes safely and often.", "CI/CD"),
    ],
    "Data": [
        ("Statistics", "Describing data and quantifying uncertainty.", ""),
        (
            "Experiment design",
            "Designing A/B tests and other experiments that answer the question asked.",
            "A/B testing",
        ),
        ("Machine learning", "Training, evaluating and deploying predictive models.", "ML"),
        ("Data visualisation", "Charts that make a point honestly.", "Dataviz"),
        ("Data pipelines", "Reliable movement and transformation of data.", "ETL|ELT"),
        ("Data modelling", "Structuring data so questions are easy to ask and hard to get wrong.", "dbt modelling"),
    ],
    "Product and design": [
        ("Product discovery", "Finding out what is worth building before building it.", ""),
        ("User research", "Learning from the people who use the product.", "UX research"),
        ("Interaction design", "Designing how people move through a product.", ""),
        ("Prototyping", "Making ideas concrete enough to test.", ""),
        ("Content design", "Words that help people get things done.", "UX writing"),
        ("Roadmapping", "Turning strategy into a sequence of outcomes.", ""),
        ("Prioritisation", "Choosing what not to do.", ""),
    ],
    "Leadership": [
        ("Coaching", "Helping others find their own answers through questions and listening.", ""),
        ("Giving feedback", "Specific, timely feedback that helps people grow.", "Feedback"),
        ("Delegation", "Handing over ownership, with the context and support that go with it.", ""),
        ("Hiring and interviewing", "Fair, structured hiring decisions.", "Interviewing"),
        ("Facilitation", "Running sessions where every voice is heard and decisions get made.", ""),
        ("Conflict resolution", "Turning disagreement into progress.", ""),
        ("Strategic thinking", "Connecting today's choices to where the organization is going.", "Strategy"),
        ("Change management", "Helping people through change.", ""),
        (
            "Building psychological safety",
            "Creating a team where people can ask, admit and try without fear.",
            "Team climate",
        ),
    ],
    "Communication": [
        ("Written communication", "Clear documents, messages and proposals.", "Writing"),
        ("Presenting", "Explaining ideas to a room or a call.", "Public speaking"),
        ("Stakeholder management", "Keeping the people who matter informed and involved.", ""),
        ("Negotiation", "Reaching agreements both sides can live with.", ""),
    ],
    "Customers and sales": [
        ("Discovery calls", "Understanding a prospect's needs before proposing anything.", ""),
        ("Pipeline management", "Keeping an honest, moving sales pipeline.", "Forecasting"),
        ("Account planning", "Growing customer relationships deliberately.", ""),
        ("Customer onboarding", "Getting new customers to their first success.", ""),
        ("Technical troubleshooting", "Finding the cause of a customer's problem.", "Debugging"),
        ("Product knowledge", "Knowing the product deeply enough to teach it.", ""),
    ],
    "Business and finance": [
        ("Financial modelling", "Models that support decisions.", ""),
        ("Budgeting", "Planning and tracking spend.", ""),
        ("Financial reporting", "Accurate reporting under accounting standards.", "IFRS|GAAP"),
        ("Data literacy", "Reading, questioning and using data in everyday decisions.", ""),
    ],
    "People and learning": [
        ("Learning design", "Designing learning that changes what people do at work.", "Instructional design"),
        ("Talent acquisition", "Finding and attracting the right people.", "Recruiting|Sourcing"),
        ("Employment law", "The rules that govern employment, applied with judgement.", ""),
        ("Workforce planning", "Matching the skills the organization will need with the people who have them.", ""),
        ("IT service management", "Keeping the workplace's tools running and people productive.", "ITSM"),
    ],
    "Ways of working": [
        ("Running retrospectives", "Helping a team learn from what just happened.", "After-action reviews"),
        ("Experimentation", "Trying things safely, with a hypothesis and a limit.", ""),
        ("Knowledge sharing", "Making what one person knows available to everyone.", "Documentation"),
        ("Asynchronous collaboration", "Working well across time zones without meetings for everything.", "Async work"),
    ],
}

ENGINEERING = [("Code review", 3), ("Test automation", 3), ("Written communication", 3), ("Knowledge sharing", 2)]
PROFILES: dict[str, list[tuple[str, int]]] = {
    "Software Engineer I": [
        ("Python", 2),
        ("SQL", 2),
        ("Code review", 2),
        ("Test automation", 2),
        ("Written communication", 2),
        ("Asynchronous collaboration", 2),
    ],
    "Software Engineer II": [
        ("Python", 3),
        ("SQL", 3),
        ("System design", 2),
        ("Observability", 2),
        ("Continuous delivery", 2),
        *ENGINEERING,
    ],
    "Senior Software Engineer": [
        ("Python", 4),
        ("System design", 3),
        ("Observability", 3),
        ("Incident response", 3),
        ("Continuous delivery", 3),
        ("Giving feedback", 3),
        ("Code review", 4),
        ("Test automation", 3),
        ("Written communication", 3),
        ("Knowledge sharing", 3),
    ],
    "Staff Engineer": [
        ("System design", 5),
        ("Strategic thinking", 3),
        ("Coaching", 3),
        ("Incident response", 4),
        ("Written communication", 4),
        ("Stakeholder management", 3),
        ("Code review", 4),
        ("Knowledge sharing", 4),
    ],
    "Site Reliability Engineer": [
        ("Cloud infrastructure", 4),
        ("Observability", 4),
        ("Incident response", 4),
        ("Go", 3),
        ("Continuous delivery", 3),
        ("Running retrospectives", 3),
    ],
    "QA Engineer": [("Test automation", 4), ("TypeScript", 3), ("Continuous delivery", 3), ("Product knowledge", 3)],
    "Engineering Manager": [
        ("Coaching", 4),
        ("Giving feedback", 4),
        ("Delegation", 3),
        ("Hiring and interviewing", 3),
        ("Building psychological safety", 4),
        ("System design", 3),
        ("Running retrospectives", 3),
        ("Stakeholder management", 3),
    ],
    "Data Engineer": [("Data pipelines", 4), ("SQL", 4), ("Python", 3), ("Data modelling", 3), ("Observability", 2)],
    "Data Scientist": [
        ("Statistics", 4),
        ("Machine learning", 3),
        ("Experiment design", 4),
        ("Python", 3),
        ("Data visualisation", 3),
        ("Presenting", 3),
    ],
    "Analytics Engineer": [("Data modelling", 4), ("SQL", 4), ("Data visualisation", 3), ("Data pipelines", 3)],
    "Product Manager": [
        ("Product discovery", 3),
        ("Prioritisation", 3),
        ("Roadmapping", 3),
        ("Experiment design", 2),
        ("Stakeholder management", 3),
        ("Written communication", 3),
    ],
    "Senior Product Manager": [
        ("Product discovery", 4),
        ("Prioritisation", 4),
        ("Roadmapping", 4),
        ("Strategic thinking", 3),
        ("Stakeholder management", 4),
        ("Coaching", 2),
    ],
    "Product Designer": [
        ("Interaction design", 4),
        ("Prototyping", 4),
        ("User research", 3),
        ("Content design", 2),
        ("Facilitation", 2),
    ],
    "UX Researcher": [("User research", 4), ("Facilitation", 3), ("Statistics", 2), ("Presenting", 3)],
    "Content Designer": [("Content design", 4), ("Written communication", 4), ("User research", 2)],
    "Sales Development Representative": [
        ("Discovery calls", 3),
        ("Pipeline management", 2),
        ("Product knowledge", 2),
        ("Written communication", 2),
    ],
    "Account Executive": [
        ("Discovery calls", 4),
        ("Negotiation", 3),
        ("Pipeline management", 3),
        ("Account planning", 3),
        ("Presenting", 3),
        ("Product knowledge", 3),
    ],
    "Customer Success Manager": [
        ("Customer onboarding", 4),
        ("Account planning", 3),
        ("Product knowledge", 4),
        ("Stakeholder management", 3),
    ],
    "Support Specialist": [("Technical troubleshooting", 3), ("Product knowledge", 3), ("Written communication", 3)],
    "Support Engineer": [("Technical troubleshooting", 4), ("SQL", 3), ("Observability", 2), ("Product knowledge", 4)],
    "People Partner": [
        ("Coaching", 3),
        ("Employment law", 3),
        ("Conflict resolution", 4),
        ("Change management", 3),
        ("Workforce planning", 3),
    ],
    "Recruiter": [("Talent acquisition", 4), ("Hiring and interviewing", 4), ("Stakeholder management", 3)],
    "L&D Specialist": [("Learning design", 4), ("Facilitation", 4), ("Coaching", 3), ("Data literacy", 3)],
    "Financial Analyst": [("Financial modelling", 4), ("Budgeting", 3), ("Data literacy", 4), ("SQL", 2)],
    "Accountant": [("Financial reporting", 4), ("Budgeting", 3), ("Data literacy", 3)],
    "IT Specialist": [("IT service management", 4), ("Cloud infrastructure", 2), ("Technical troubleshooting", 4)],
    "Security Engineer": [
        ("Application security", 4),
        ("Cloud infrastructure", 3),
        ("Incident response", 4),
        ("Observability", 3),
    ],
    "Team Lead": [
        ("Coaching", 3),
        ("Giving feedback", 3),
        ("Delegation", 3),
        ("Running retrospectives", 3),
        ("Building psychological safety", 3),
    ],
    "Director": [
        ("Strategic thinking", 4),
        ("Coaching", 4),
        ("Change management", 4),
        ("Budgeting", 3),
        ("Hiring and interviewing", 4),
        ("Building psychological safety", 4),
    ],
}

PATHS = [
    (
        "Software Engineer I",
        "Software Engineer II",
        18,
        "Owns features end to end; needs less review; starts reviewing others' code.",
    ),
    (
        "Software Engineer II",
        "Senior Software Engineer",
        24,
        "Leads projects across a team, shapes designs, mentors newer engineers and handles incidents.",
    ),
    (
        "Senior Software Engineer",
        "Staff Engineer",
        36,
        "Sets technical direction across teams and multiplies others through writing, coaching and standards.",
    ),
    (
        "Senior Software Engineer",
        "Engineering Manager",
        24,
        "Trades most hands-on work for coaching, hiring and building a team where people can learn and speak up.",
    ),
    (
        "Software Engineer II",
        "Site Reliability Engineer",
        12,
        "Shifts from features to reliability: observability, incidents and infrastructure.",
    ),
    ("QA Engineer", "Software Engineer II", 18, "Builds features as well as the tests around them."),
    ("Data Engineer", "Analytics Engineer", 12, "Moves closer to the questions: models and metrics people use."),
    ("Analytics Engineer", "Data Scientist", 24, "Adds statistics, experiments and models to the toolkit."),
    ("Product Manager", "Senior Product Manager", 24, "Owns a product area's strategy, not just its backlog."),
    (
        "Sales Development Representative",
        "Account Executive",
        15,
        "Runs the whole deal, from discovery to negotiation and close.",
    ),
    (
        "Support Specialist",
        "Support Engineer",
        18,
        "Takes on the hardest technical cases and works with engineering on fixes.",
    ),
    ("Support Engineer", "Customer Success Manager", 18, "From solving problems to preventing them across an account."),
    ("Engineering Manager", "Director", 36, "Leads managers; owns strategy, budget and organization design."),
    ("Recruiter", "People Partner", 24, "From filling roles to advising leaders on their organization and people."),
]


def seed(ctx: DemoContext) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(SIMPLE_COLUMNS))
    writer.writeheader()
    for category, entries in TAXONOMY.items():
        for name, description, synonyms in entries:
            writer.writerow({"name": name, "category": category, "description": description, "synonyms": synonyms})
    # The L&D admin imports the taxonomy the way they would on the import page: as a background import
    # job, so their import page lists it with its counts.
    ld_admin = Person.objects.get(username=ctx.logins["L&D admin"])
    upload = SimpleUploadedFile("fernhill-skills.csv", buffer.getvalue().encode(), content_type="text/csv")
    job = imports.import_start(actor=ld_admin, kind="skills", upload=upload, source=AuditEvent.Source.SYSTEM)
    imports.import_run.call(job_id=job.pk)
    job.refresh_from_db()
    if job.status != ImportJob.Status.IMPORTED:
        raise CommandError(f"the demo skills taxonomy did not import: {job.errors[:5] or job.failure}")
    result = job.result
    ctx.log(
        f"  {result['rows']} skills: {result['created']} added, {result['updated']} updated, "
        f"{result['unchanged']} unchanged"
    )

    skill_by_name = {s.name: s for s in Skill.objects.all()}
    roles = {
        r.name: r
        for r in JobRole.objects.filter(name__in=set(PROFILES) | {p[0] for p in PATHS} | {p[1] for p in PATHS})
    }
    # The profiles' numbers are on the default five-level scale; an organization may have resized it.
    top = scale_top()
    for role_name, requirements in PROFILES.items():
        job_role = roles.get(role_name) or JobRole.objects.get_or_create(name=role_name)[0]
        roles[role_name] = job_role
        for skill_name, level in requirements:
            requirement_set(
                actor=None,
                job_role=job_role,
                skill=skill_by_name[skill_name],
                level=proportional(level, old_top=DEFAULT_TOP, new_top=top),
                source=AuditEvent.Source.SYSTEM,
            )
    for from_name, to_name, months, what_changes in PATHS:
        career_path_set(
            actor=None,
            from_role=roles[from_name],
            to_role=roles[to_name],
            what_changes=what_changes,
            typical_months=months,
            source=AuditEvent.Source.SYSTEM,
        )
    ctx.log(f"  {len(PROFILES)} role profiles, {len(PATHS)} career paths")
    ctx.log(f"  {_seed_assessments(ctx)} new skill ratings (self, manager, peer, evidence)")


def _seed_assessments(ctx: DemoContext) -> int:
    """Ratings over the past year for everyone whose role has a profile: self, manager, a peer, evidence."""
    from learnloop.core.audit import audit_event_build
    from learnloop.skills.models import RoleRequirement, SkillAssessment

    top = scale_top()
    already = set(SkillAssessment.objects.values_list("person_id", flat=True).distinct())
    requirements: dict[int, list[RoleRequirement]] = {}
    for requirement in RoleRequirement.objects.select_related("skill").order_by("skill__name"):
        requirements.setdefault(requirement.job_role_id, []).append(requirement)
    people = list(ctx.demo_people().filter(job_role_id__in=requirements).order_by("employee_id"))
    colleagues: dict[int | None, list[Person]] = {}
    for person in people:
        colleagues.setdefault(person.org_unit_id, []).append(person)
    rows: list[SkillAssessment] = []
    for number, person in enumerate(people, start=1):
        if number % 500 == 0 or number == len(people):
            ctx.progress("ratings", number, len(people))
        if person.pk in already:
            continue
        rng = ctx.rng("skills", person.employee_id)
        for requirement in requirements.get(person.job_role_id or 0, []):
            # Most people are near their role's level; some are still growing into it.
            true_level = max(1, min(top, requirement.level + rng.choice([-2, -1, -1, 0, 0, 0, 1])))
            first = DEMO_NOW - dt.timedelta(days=rng.randint(200, 360))
            rows.append(
                SkillAssessment(
                    person=person,
                    skill=requirement.skill,
                    source="self",
                    assessor=person,
                    level=max(1, min(top, true_level - 1 + rng.choice([0, 1, 1]))),
                    assessed_at=first,
                )
            )
            if person.manager_id:
                rows.append(
                    SkillAssessment(
                        person=person,
                        skill=requirement.skill,
                        source="manager",
                        assessor_id=person.manager_id,
                        level=max(1, true_level - 1),
                        assessed_at=first + dt.timedelta(days=14),
                    )
                )
                rows.append(
                    SkillAssessment(
                        person=person,
                        skill=requirement.skill,
                        source="manager",
                        assessor_id=person.manager_id,
                        level=true_level,
                        assessed_at=DEMO_NOW - dt.timedelta(days=rng.randint(10, 60)),
                    )
                )
            peers = [p for p in colleagues.get(person.org_unit_id, []) if p.pk != person.pk]
            if peers and rng.random() < 0.5:
                rows.append(
                    SkillAssessment(
                        person=person,
                        skill=requirement.skill,
                        source="peer",
                        assessor=rng.choice(peers),
                        level=true_level,
                        assessed_at=DEMO_NOW - dt.timedelta(days=rng.randint(20, 120)),
                    )
                )
            if rng.random() < 0.3:
                rows.append(
                    SkillAssessment(
                        person=person,
                        skill=requirement.skill,
                        source="evidence",
                        level=true_level,
                        evidence=f"Completed a course on {requirement.skill}",
                        assessed_at=DEMO_NOW - dt.timedelta(days=rng.randint(5, 90)),
                    )
                )
    SkillAssessment.objects.bulk_create(rows, batch_size=2000)
    AuditEvent.objects.bulk_create(
        (
            audit_event_build(
                actor=None,
                action="skill_assessment.create",
                target=row,
                changes={"source": [None, row.source], "level": [None, row.level]},
                source=AuditEvent.Source.SYSTEM,
            )
            for row in SkillAssessment.objects.select_related("person", "skill").filter(
                person__in=[p for p in people if p.pk not in already]
            )
        ),
        batch_size=2000,
    )
    return len(rows)
