"""The demo company, Fernhill & Co: divisions, departments and teams across six offices.

The organization is written as a CSV and loaded through the real importer, so the demo also shows
that path working. Named personas sit at fixed places so the printed logins are always the same.
"""

import csv
import datetime as dt
import io
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management import CommandError
from django.db import transaction

from learnloop.core import response_cache
from learnloop.core.models import AuditEvent
from learnloop.core.response_cache import DIRECTORY
from learnloop.core.roles import Role
from learnloop.core.seeding import DEMO_PASSWORD, DemoContext
from learnloop.people.importer import KNOWN_COLUMNS, ImportRejected, people_import
from learnloop.people.models import OrgUnit, Person
from learnloop.people.services import role_grant

DOMAIN = "fernhill.example"
COMPANY = "Fernhill & Co"
HIRE_EPOCH = dt.date(2012, 3, 1)
TARGET_TEAM_SIZE = 9
HIRE_SPAN_DAYS = (dt.date(2026, 9, 30) - HIRE_EPOCH).days

LOCATIONS = [  # name, IANA zone, weight
    ("Berlin", "Europe/Berlin", 5),
    ("Lisbon", "Europe/Lisbon", 3),
    ("London", "Europe/London", 3),
    ("New York", "America/New_York", 4),
    ("Austin", "America/Chicago", 3),
    ("Bengaluru", "Asia/Kolkata", 4),
]

# Names for the extra teams of a larger demo company: codenames, then two-word ones ("Swift Falcon").
TEAM_CODENAMES = (
    "Orion", "Kestrel", "Juniper", "Meridian", "Nimbus", "Polaris", "Quartz", "Summit", "Tundra", "Vega",
    "Willow", "Zephyr", "Aurora", "Cascade", "Falcon", "Glacier", "Horizon", "Lumen", "Osprey", "Redwood",
    "Sequoia", "Sierra", "Solstice", "Spruce", "Talon", "Tidewater", "Voyager", "Wren", "Alder", "Basalt",
    "Cirrus", "Comet", "Condor", "Cypress", "Pinnacle", "Halcyon", "Heron", "Ibis", "Jasper", "Kite",
    "Lynx", "Magnolia", "Marlin", "Nova", "Obsidian", "Onyx", "Pioneer", "Raven", "Sable", "Tamarack",
)  # fmt: skip
TEAM_ADJECTIVES = (
    "Swift", "Silver", "Northern", "Bright", "Quiet", "Bold", "Golden", "Crimson", "Steady", "Blue",
    "Green", "High", "Deep", "Clear", "Iron", "Amber", "Copper", "Jade", "Scarlet", "Wild",
    "Brave", "Calm", "Rapid", "Western", "Eastern", "Southern", "Open", "True", "Silent", "Evergreen",
)  # fmt: skip


def extra_team_names() -> Iterator[str]:
    """Distinct, real-sounding names for extra teams, the same on every run: no team reads "Atlas 2"."""
    yield from TEAM_CODENAMES
    for adjective in TEAM_ADJECTIVES:
        yield from (f"{adjective} {name}" for name in TEAM_CODENAMES if " " not in name)
    for n in itertools.count(2):  # past 1,500 extra teams (about 150,000 people); never reached by the demo
        yield from (f"{name} {n}" for name in TEAM_CODENAMES)


# division -> department -> teams, with the job roles people in that department hold.
STRUCTURE: dict[str, dict[str, Any]] = {
    "Engineering": {
        "head": "VP of Engineering",
        "departments": {
            "Platform": (
                ["Atlas", "Beacon", "Cobalt", "Delta"],
                [
                    "Software Engineer I",
                    "Software Engineer II",
                    "Senior Software Engineer",
                    "Staff Engineer",
                    "Site Reliability Engineer",
                ],
            ),
            "Product Engineering": (
                ["Ember", "Fjord", "Granite", "Harbor"],
                ["Software Engineer I", "Software Engineer II", "Senior Software Engineer", "QA Engineer"],
            ),
            "Data": (
                ["Insight", "Pipeline", "Lighthouse"],
                ["Data Engineer", "Data Scientist", "Analytics Engineer"],
            ),
        },
    },
    "Product & Design": {
        "head": "Chief Product Officer",
        "departments": {
            "Product Management": (
                ["Growth", "Core Experience"],
                ["Product Manager", "Senior Product Manager"],
            ),
            "Design": (
                ["Design Systems", "Research"],
                ["Product Designer", "UX Researcher", "Content Designer"],
            ),
        },
    },
    "Sales": {
        "head": "VP of Sales",
        "departments": {
            "EMEA Sales": (
                ["DACH", "Southern Europe", "UK & Ireland"],
                ["Account Executive", "Sales Development Representative"],
            ),
            "Americas Sales": (
                ["East Coast", "Central"],
                ["Account Executive", "Sales Development Representative"],
            ),
        },
    },
    "Customer Success": {
        "head": "VP of Customer Success",
        "departments": {
            "Support": (["Tier 1 Support", "Technical Support"], ["Support Specialist", "Support Engineer"]),
            "Account Management": (
                ["Enterprise Accounts", "Mid-Market Accounts"],
                ["Customer Success Manager"],
            ),
        },
    },
    "Operations": {
        "head": "Chief Operating Officer",
        "departments": {
            "People": (
                ["People Partners", "Talent Acquisition", "Learning & Development"],
                ["People Partner", "Recruiter", "L&D Specialist"],
            ),
            "Finance": (["Financial Planning", "Accounting"], ["Financial Analyst", "Accountant"]),
            "IT": (["Workplace IT", "Security"], ["IT Specialist", "Security Engineer"]),
        },
    },
}

FIRST_NAMES = [
    "Maya",
    "Liam",
    "Aisha",
    "Noah",
    "Sofia",
    "Mateo",
    "Priya",
    "Lucas",
    "Hannah",
    "Omar",
    "Elena",
    "Kenji",
    "Zara",
    "Jonas",
    "Amara",
    "Felix",
    "Leila",
    "Tomas",
    "Ines",
    "Arjun",
    "Chloe",
    "Mehmet",
    "Freya",
    "Diego",
    "Nadia",
    "Erik",
    "Yuki",
    "Samuel",
    "Fatima",
    "Oliver",
    "Mira",
    "Rafael",
    "Anika",
    "Hugo",
    "Chiara",
    "Kwame",
    "Laura",
    "Ravi",
    "Greta",
    "Malik",
    "Emma",
    "Andrei",
    "Layla",
    "Paolo",
    "Sara",
    "Tariq",
    "Julia",
    "Wei",
    "Alma",
    "Daniel",
    "Ngozi",
    "Marco",
    "Ingrid",
    "Ahmed",
    "Clara",
    "Vikram",
    "Nora",
    "Pedro",
    "Lena",
    "Kofi",
    "Isabel",
    "Henrik",
    "Divya",
    "Luca",
    "Amelie",
    "Jamal",
    "Rosa",
    "Stefan",
    "Mei",
    "Oscar",
    "Keira",
    "Ibrahim",
    "Lucia",
    "Anton",
    "Tara",
    "Femi",
    "Charlotte",
    "Nikolai",
    "Ananya",
    "Bruno",
    "Hana",
    "Gabriel",
    "Sunita",
    "Max",
    "Rania",
    "Jakob",
    "Elif",
    "Thomas",
    "Aiko",
    "Carlos",
    "Linnea",
    "Samir",
    "Beatriz",
    "Joon",
    "Imani",
    "Victor",
    "Anja",
    "Rohan",
    "Esther",
    "Leon",
    "Meera",
    "Dario",
    "Kaia",
    "Adrian",
    "Salma",
    "Finn",
    "Lina",
    "Mario",
    "Astrid",
    "Kiran",
    "Paula",
    "Mustafa",
    "Vera",
    "Ethan",
    "Shreya",
    "Nils",
    "Ada",
]
LAST_NAMES = [
    "Okafor",
    "Schmidt",
    "Patel",
    "Silva",
    "Nguyen",
    "Müller",
    "Costa",
    "Kim",
    "Hansen",
    "Rossi",
    "Ibrahim",
    "Johansson",
    "Garcia",
    "Novak",
    "Tanaka",
    "Fischer",
    "Mensah",
    "Dubois",
    "Kowalski",
    "Singh",
    "Becker",
    "Santos",
    "Larsen",
    "Moreau",
    "Yilmaz",
    "Petrov",
    "Haddad",
    "Lindqvist",
    "Ortiz",
    "Chen",
    "Weber",
    "Nakamura",
    "Adeyemi",
    "Ferreira",
    "Bianchi",
    "Andersen",
    "Kaur",
    "Walsh",
    "Hoffmann",
    "Rahman",
    "Sato",
    "Pereira",
    "Jansen",
    "Mwangi",
    "Varga",
    "Lopez",
    "Keller",
    "Olsen",
    "Reddy",
    "Marino",
    "Wagner",
    "Ito",
    "Abubakar",
    "Martins",
    "Nielsen",
    "Greco",
    "Popescu",
    "Huang",
    "Bauer",
    "Eriksen",
    "Iyer",
    "Conti",
    "Vogel",
    "Oliveira",
    "Demir",
    "Kruger",
    "Mahmoud",
    "Park",
    "Lehmann",
    "Sorensen",
    "Ramos",
    "Berg",
    "Achebe",
    "Costa",
    "Horvat",
    "Yamamoto",
    "Richter",
    "Shah",
    "Romero",
    "Dahl",
    "Osei",
    "Keane",
    "Wolff",
    "Bose",
    "Fontaine",
    "Lund",
    "Castro",
    "Brandt",
    "Qureshi",
    "Vidal",
    "Holm",
    "Afolabi",
    "Neumann",
    "Ricci",
    "Sandoval",
]


@dataclass(frozen=True)
class Persona:
    """A demo login at a fixed place, with a fixed employee id, so the printed logins never change."""

    first: str
    last: str
    title: str
    job_role: str
    family: str
    location: str
    team: str
    employee_id: str


PERSONAS = {
    "manager": Persona(
        "Jonas", "Weber", "Engineering Manager", "Engineering Manager", "Management", "Berlin", "Atlas", "F0002"
    ),
    "employee": Persona(
        "Maya", "Okafor", "Software Engineer II", "Software Engineer II", "Engineering", "Berlin", "Atlas", "F0001"
    ),
    "ld_admin": Persona(
        "Priya", "Raman", "L&D Lead", "L&D Specialist", "People", "Lisbon", "Learning & Development", "F0003"
    ),
    "people_admin": Persona(
        "Daniel",
        "Mensah",
        "Head of People Partnering",
        "People Partner",
        "People",
        "London",
        "People Partners",
        "F0004",
    ),
    "org_admin": Persona(
        "Ingrid", "Halvorsen", "IT Systems Administrator", "IT Specialist", "IT", "New York", "Workplace IT", "F0005"
    ),
}


def _email(first: str, last: str, taken: set[str]) -> str:
    base = f"{first}.{last}".lower().replace("ü", "ue").replace(" ", "")
    email, n = f"{base}@{DOMAIN}", 2
    while email in taken:
        email, n = f"{base}{n}@{DOMAIN}", n + 1
    taken.add(email)
    return email


def _add_persona(add: Any, persona: Persona, unit: str, manager: str) -> str:
    return str(
        add(
            persona.first,
            persona.last,
            persona.title,
            persona.job_role,
            persona.family,
            unit,
            manager,
            persona.location,
            employee_id=persona.employee_id,
        )
    )


def build_rows(ctx: DemoContext) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str]]:
    """The whole organization as import rows, the employee id of each persona, and each unit's lead."""
    # The company's own stream, seeded as in every earlier version, so an older demo database still
    # matches: what it draws depends only on the number of people, never on the database.
    rng = random.Random(ctx.seed)
    rows: list[dict[str, str]] = []
    taken: set[str] = set()
    personas: dict[str, str] = {}
    leads: dict[str, str] = {}
    location_names = [name for name, _, weight in LOCATIONS for _ in range(weight)]
    zone_of = {name: zone for name, zone, _ in LOCATIONS}

    def add(
        first: str,
        last: str,
        title: str,
        job_role: str,
        family: str,
        unit: str,
        manager: str,
        location: str | None = None,
        hire: dt.date | None = None,
        employee_id: str | None = None,
    ) -> str:
        employee_id = employee_id or f"E{len(rows) + 1:05d}"
        location = location or rng.choice(location_names)
        hire = hire or HIRE_EPOCH + dt.timedelta(days=rng.randrange(HIRE_SPAN_DAYS))
        rows.append(
            {
                "employee_id": employee_id,
                "email": _email(first, last, taken),
                "first_name": first,
                "last_name": last,
                "title": title,
                "job_role": job_role,
                "job_family": family,
                "org_unit": unit,
                "location": location,
                "manager_employee_id": manager,
                "hire_date": hire.isoformat(),
                "time_zone": zone_of[location],
                "status": "active",
            }
        )
        return employee_id

    def name() -> tuple[str, str]:
        return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)

    ceo = add(
        "Helena",
        "Lindqvist",
        "Chief Executive Officer",
        "Executive",
        "Leadership",
        COMPANY,
        "",
        "Berlin",
        dt.date(2012, 3, 1),
    )
    leads[COMPANY] = ceo
    teams: list[tuple[str, str, list[str], str]] = []  # unit path, lead id, job roles, family
    # Larger demo companies get more teams (Atlas, then Orion, Kestrel, ...), so teams stay around ten people.
    base_teams = sum(len(names) for spec in STRUCTURE.values() for names, _ in spec["departments"].values())
    copies = max(1, math.ceil(ctx.people / TARGET_TEAM_SIZE / base_teams))
    extra_names = extra_team_names()
    for division, spec in STRUCTURE.items():
        div_path = f"{COMPANY} / {division}"
        head = add(*name(), spec["head"], "Executive", "Leadership", div_path, ceo)
        leads[div_path] = head
        for department, (team_names, job_roles) in spec["departments"].items():
            dept_path = f"{div_path} / {department}"
            director = add(*name(), f"Director, {department}", "Director", "Leadership", dept_path, head)
            leads[dept_path] = director
            for team in [base if n == 1 else next(extra_names) for n in range(1, copies + 1) for base in team_names]:
                team_path = f"{dept_path} / {team}"
                lead_key = next((k for k, p in PERSONAS.items() if p.team == team and k != "employee"), None)
                if lead_key is not None:
                    lead = _add_persona(add, PERSONAS[lead_key], team_path, director)
                    personas[lead_key] = lead
                else:
                    lead = add(*name(), f"Team Lead, {team}", "Team Lead", "Management", team_path, director)
                if team == PERSONAS["employee"].team:
                    personas["employee"] = _add_persona(add, PERSONAS["employee"], team_path, lead)
                leads[team_path] = lead
                teams.append((team_path, lead, job_roles, division))
    # Everyone else joins a team; teams get uneven sizes, as real ones have.
    weights = [rng.randint(2, 6) for _ in teams]
    while len(rows) < ctx.people:
        path, lead, job_roles, family = rng.choices(teams, weights=weights)[0]
        job_role = rng.choice(job_roles)
        add(*name(), job_role, job_role, family, path, lead)
    return rows, personas, leads


def seed(ctx: DemoContext) -> None:
    rows, personas, leads = build_rows(ctx)
    ctx.employee_ids = [row["employee_id"] for row in rows]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(KNOWN_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    try:
        result = people_import(
            actor=None, text=buffer.getvalue(), progress=ctx.progress, source=AuditEvent.Source.SYSTEM
        )
    except ImportRejected as rejected:
        shown = "\n".join(f"  {error}" for error in rejected.errors[:5])
        raise CommandError(
            "This database holds people the demo cannot reconcile with the demo company (real data, or a demo "
            f"made by an older learnloop):\n{shown}\nSeed a fresh database instead: `make clean demo`, or point "
            "SQLITE_PATH / DATABASE_URL at an empty one."
        ) from None
    ctx.log(f"  {result.rows} people: {result.created} added, {result.updated} updated, {result.unchanged} unchanged")

    with transaction.atomic():
        # One hash for every new demo account: hashing thousands of passwords one by one would take minutes.
        # Only the demo's: someone added beside them keeps their own (or no) password.
        unusable = {"password__startswith": "!"}
        ctx.demo_people().filter(**unusable).update(password=make_password(DEMO_PASSWORD))
        by_emp = dict(Person.objects.filter(employee_id__in=leads.values()).values_list("employee_id", "pk"))
        for unit in OrgUnit.objects.filter(path__in=leads):
            lead_id = by_emp.get(leads[unit.path])
            if unit.lead_id != lead_id:
                OrgUnit.objects.filter(pk=unit.pk).update(lead_id=lead_id)
        # The demo's paths start at the company, one level above what the importer assumes.
        kinds = (OrgUnit.Kind.COMPANY, OrgUnit.Kind.DIVISION, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.TEAM)
        units = list(OrgUnit.objects.all())
        for unit in units:
            unit.kind = kinds[min(unit.path.count(" / "), len(kinds) - 1)]
        OrgUnit.objects.bulk_update(units, ["kind"])
        response_cache.version_bump(DIRECTORY)
        for role in (Role.LD_ADMIN, Role.PEOPLE_ADMIN, Role.ORG_ADMIN):
            person = Person.objects.get(employee_id=personas[role.value])
            role_grant(actor=None, person=person, role=role, source=AuditEvent.Source.SYSTEM)

    labels = {
        "employee": "Employee",
        "manager": "Manager",
        "ld_admin": "L&D admin",
        "people_admin": "People admin",
        "org_admin": "Org admin",
    }
    usernames = dict(Person.objects.filter(employee_id__in=personas.values()).values_list("employee_id", "username"))
    for key, label in labels.items():
        ctx.logins[label] = usernames[personas[key]]
