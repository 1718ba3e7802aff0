"""`learnloop import people FILE.csv`: bring the organization in from an HR export.

All or nothing: every row is checked first and every problem is reported with its line number and
column; only a file without problems is written, in one transaction. Rows are matched to people by
`employee_id`, so importing a newer export updates people in place.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from learnloop.accounts.services import access_end
from learnloop.core import policy, response_cache
from learnloop.core.audit import audit_event_build
from learnloop.core.bulk import rows_update
from learnloop.core.csv_import import ImportRejected, Progress, RowError, no_progress, read_rows
from learnloop.core.models import AuditEvent
from learnloop.core.response_cache import DIRECTORY
from learnloop.people.models import JobRole, Location, OrgUnit, Person
from learnloop.people.services import (
    PATH_SEPARATOR,
    manager_change_notify,
    org_unit_ensure_path,
    split_unit_path,
)

REQUIRED_COLUMNS = ("employee_id", "email", "first_name", "last_name")
OPTIONAL_COLUMNS = (
    "preferred_name",
    "title",
    "job_role",
    "job_family",
    "org_unit",
    "location",
    "manager_employee_id",
    "hire_date",
    "time_zone",
    "status",
    "left_on",
)
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_LENGTHS = {
    "employee_id": 64,
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "preferred_name": 150,
    "title": 150,
    "job_role": 120,
    "job_family": 80,
    "location": 120,
    "org_unit": 500,
}
STATUSES = ("active", "left")
# Fields compared to decide whether an existing person changed.
COMPARED_FIELDS = ("email", "first_name", "last_name", "preferred_name", "title", "time_zone", "hire_date")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    rows: int = 0


@dataclass
class _Row:
    line: int
    values: dict[str, Any] = field(default_factory=dict)


def _parse_date(raw: str, column: str, line: int, errors: list[RowError]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(RowError(line, column, f"{raw!r} is not a date in the form YYYY-MM-DD"))
        return None


def _check_row(line: int, raw: dict[str, str], time_zones: set[str], errors: list[RowError]) -> _Row:
    values: dict[str, Any] = {key: (raw.get(key) or "").strip() for key in KNOWN_COLUMNS}
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            errors.append(RowError(line, column, "is required"))
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            errors.append(RowError(line, column, f"is longer than {limit} characters"))
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append(RowError(line, "email", f"{values['email']!r} is not a valid email address"))
        values["email"] = values["email"].lower()
    values["time_zone"] = values["time_zone"] or "UTC"
    if values["time_zone"] not in time_zones:
        errors.append(
            RowError(line, "time_zone", f"{values['time_zone']!r} is not an IANA time zone (e.g. Europe/Berlin)")
        )
    values["hire_date"] = _parse_date(values["hire_date"], "hire_date", line, errors)
    values["left_on"] = _parse_date(values["left_on"], "left_on", line, errors)
    values["status"] = (values["status"] or "active").lower()
    if values["status"] not in STATUSES:
        errors.append(RowError(line, "status", f"{values['status']!r} must be one of: {', '.join(STATUSES)}"))
    if values["org_unit"]:
        values["org_unit"] = PATH_SEPARATOR.join(split_unit_path(values["org_unit"]))
    return _Row(line=line, values=values)


def _cycle_errors(rows: list[_Row], existing: dict[str, tuple[int, str | None, bool]]) -> list[RowError]:
    """Rows whose manager line loops back on itself, in the organization as it would be after import."""
    manager_of: dict[str, str | None] = {emp: mgr for emp, (_, mgr, _) in existing.items()}
    line_of: dict[str, int] = {}
    for row in rows:
        emp = row.values["employee_id"]
        manager_of[emp] = row.values["manager_employee_id"] or None
        line_of[emp] = row.line
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = known to reach the top
    in_cycle: set[str] = set()
    for start in manager_of:
        walk: list[str] = []
        node: str | None = start
        while node is not None and state.get(node, 0) == 0:
            state[node] = 1
            walk.append(node)
            node = manager_of.get(node)
        if node is not None and state.get(node) == 1:
            in_cycle.update(walk[walk.index(node) :])
        for visited in walk:
            state[visited] = 2
    return [
        RowError(line_of[emp], "manager_employee_id", "this manager line loops back to the person (a cycle)")
        for emp in sorted(in_cycle, key=lambda e: line_of.get(e, 0))
        if emp in line_of
    ]


def people_import(
    *,
    actor: Person | None,
    text: str,
    deactivate_missing: bool = False,
    progress: Progress = no_progress,
    source: str = AuditEvent.Source.CLI,
) -> ImportResult:
    """Validate every row of `text` (CSV), then create, update and deactivate people in one transaction."""
    errors: list[RowError] = []
    _, raw_rows = read_rows(text, errors, required=REQUIRED_COLUMNS, known=KNOWN_COLUMNS)
    if errors:
        raise ImportRejected(errors)

    time_zones = zoneinfo.available_timezones()
    rows: list[_Row] = []
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    total = len(raw_rows)
    for index, raw in enumerate(raw_rows):
        line = index + 2
        if None in raw:
            errors.append(RowError(line, "row", "has more values than the header has columns"))
        row = _check_row(line, raw, time_zones, errors)
        emp, email = row.values["employee_id"], row.values["email"]
        if emp and emp in seen_ids:
            errors.append(RowError(line, "employee_id", f"{emp!r} already appears on line {seen_ids[emp]}"))
        if email and email in seen_emails:
            errors.append(RowError(line, "email", f"{email!r} already appears on line {seen_emails[email]}"))
        seen_ids.setdefault(emp, line)
        seen_emails.setdefault(email, line)
        rows.append(row)
        if index % 500 == 0:
            progress("checking", index, total)
    progress("checking", total, total)

    existing_people = {
        p["employee_id"]: p
        for p in Person.objects.filter(employee_id__isnull=False).values(
            "id", "employee_id", "email", "manager__employee_id", "is_active", *COMPARED_FIELDS[1:]
        )
    }
    email_owner = dict(Person.objects.exclude(email="").values_list("email", "employee_id"))
    # User names start out as the email and follow it, so an email must not be someone else's user name.
    username_owner = dict(Person.objects.values_list("username", "employee_id"))
    for row in rows:
        emp, email = row.values["employee_id"], row.values["email"]
        owner = email_owner.get(email, emp)
        if email and owner != emp and owner not in seen_ids:
            errors.append(RowError(row.line, "email", f"{email!r} belongs to another person (employee {owner})"))
        elif email and username_owner.get(email, emp) != emp:
            errors.append(RowError(row.line, "email", f"{email!r} is the user name of another person"))
        manager = row.values["manager_employee_id"]
        if manager and manager not in seen_ids and manager not in existing_people:
            errors.append(RowError(row.line, "manager_employee_id", f"no person has employee id {manager!r}"))
        if manager and manager == emp:
            errors.append(RowError(row.line, "manager_employee_id", "a person cannot be their own manager"))
    existing_graph = {emp: (p["id"], p["manager__employee_id"], p["is_active"]) for emp, p in existing_people.items()}
    errors.extend(e for e in _cycle_errors(rows, existing_graph) if "own manager" not in e.message)
    errors.extend(_self_deactivation_errors(actor, rows, deactivate_missing=deactivate_missing))
    errors.extend(_account_control_errors(actor, rows, existing_people, deactivate_missing=deactivate_missing))
    if errors:
        raise ImportRejected(sorted(set(errors), key=lambda e: (e.line, e.column)))

    # Announced before the transaction: a web import's job row shows this stage while the write runs.
    progress("writing", 0, len(rows))
    # Per-row cache bumps are paused: the import retires the directory's cached answers once, at its end.
    with transaction.atomic(), response_cache.tracking_paused():
        result = _apply(
            actor=actor,
            rows=rows,
            existing=existing_people,
            deactivate_missing=deactivate_missing,
            progress=progress,
            source=source,
        )
    return result


def _self_deactivation_errors(actor: Person | None, rows: list[_Row], *, deactivate_missing: bool) -> list[RowError]:
    """Whoever runs an import must not lock themselves out with it, as they cannot deactivate themselves
    on their profile either."""
    own_id = getattr(actor, "employee_id", None)
    if not own_id or not getattr(actor, "is_active", False):
        return []
    own_rows = [row for row in rows if row.values["employee_id"] == own_id]
    errors = [
        RowError(row.line, "status", "would mark you, who runs this import, as left; ask another admin")
        for row in own_rows
        if row.values["status"] != "active"
    ]
    if deactivate_missing and not own_rows:
        errors.append(
            RowError(
                1,
                "deactivate_missing",
                f"would deactivate you (employee {own_id}), who runs this import: the file has no row for you",
            )
        )
    return errors


def _account_control_errors(
    actor: Person | None, rows: list[_Row], existing: dict[str, dict[str, Any]], *, deactivate_missing: bool
) -> list[RowError]:
    """Rows that would change the sign-in email or the active state of someone the importer may not take
    over (policy "change_identity": they hold a role the importer does not). The command line (no actor)
    is trusted like the server it runs on."""
    if actor is None:
        return []
    candidates = Person.objects.filter(employee_id__isnull=False, role_grants__isnull=False).distinct()
    protected = {p.employee_id: p for p in candidates if not policy.can(actor, "change_identity", p)}
    if not protected:
        return []
    errors: list[RowError] = []
    in_file = set()
    for row in rows:
        emp = row.values["employee_id"]
        in_file.add(emp)
        person = protected.get(emp)
        if person is None:
            continue
        if row.values["email"] and row.values["email"] != (existing[emp]["email"] or "").lower():
            errors.append(RowError(row.line, "email", f"{person} holds a role you do not hold: {IDENTITY_REFUSED_ROW}"))
        if (row.values["status"] == "active") != existing[emp]["is_active"]:
            errors.append(
                RowError(row.line, "status", f"{person} holds a role you do not hold: {IDENTITY_REFUSED_ROW}")
            )
    if deactivate_missing:
        for emp, person in sorted(protected.items()):
            if emp not in in_file and person.is_active:
                errors.append(
                    RowError(
                        1,
                        "deactivate_missing",
                        f"would deactivate {person} (employee {emp}), who holds a role you do not hold; "
                        "add their row or ask an org admin",
                    )
                )
    return errors


IDENTITY_REFUSED_ROW = "only they or an org admin can change their sign-in email or whether they are active"


def _apply(
    *,
    actor: Person | None,
    rows: list[_Row],
    existing: dict[str, dict[str, Any]],
    deactivate_missing: bool,
    progress: Progress,
    source: str,
) -> ImportResult:
    result = ImportResult(rows=len(rows))
    locations = {loc.name: loc for loc in Location.objects.all()}
    job_roles = {role.name: role for role in JobRole.objects.all()}
    units = {unit.path: unit for unit in OrgUnit.objects.all()}
    events: list[AuditEvent] = []

    for row in rows:
        v = row.values
        if v["location"] and v["location"] not in locations:
            location = Location.objects.create(name=v["location"], time_zone=v["time_zone"])
            locations[location.name] = location
            events.append(
                audit_event_build(
                    actor=actor,
                    action="location.create",
                    target=location,
                    changes={"name": [None, location.name]},
                    source=source,
                )
            )
        if v["job_role"] and v["job_role"] not in job_roles:
            role = JobRole.objects.create(name=v["job_role"], family=v["job_family"])
            job_roles[role.name] = role
            events.append(
                audit_event_build(
                    actor=actor,
                    action="jobrole.create",
                    target=role,
                    changes={"name": [None, role.name]},
                    source=source,
                )
            )
        if v["org_unit"] and v["org_unit"] not in units:
            org_unit_ensure_path(actor=actor, path=v["org_unit"], source=source, known=units)

    people_by_emp: dict[str, Person] = {
        p.employee_id: p
        for p in Person.objects.filter(employee_id__in=[r.values["employee_id"] for r in rows])
        if p.employee_id
    }
    to_create: list[Person] = []
    # employee id -> the fields that changed, for people already in learnloop
    diffs: dict[str, dict[str, list[Any]]] = {}
    for index, row in enumerate(rows):
        v = row.values
        wanted = {
            "email": v["email"],
            "first_name": v["first_name"],
            "last_name": v["last_name"],
            "preferred_name": v["preferred_name"],
            "title": v["title"],
            "time_zone": v["time_zone"],
            "hire_date": v["hire_date"],
            "job_role_id": job_roles[v["job_role"]].pk if v["job_role"] else None,
            "org_unit_id": units[v["org_unit"]].pk if v["org_unit"] else None,
            "location_id": locations[v["location"]].pk if v["location"] else None,
        }
        person = people_by_emp.get(v["employee_id"])
        if person is None:
            person = Person(employee_id=v["employee_id"], username=v["email"], **wanted)
            person.set_unusable_password()
            to_create.append(person)
        else:
            field_diff = {
                k: [_plain(getattr(person, k)), _plain(val)] for k, val in wanted.items() if getattr(person, k) != val
            }
            username_follows_email = person.username.lower() == (person.email or "").lower()
            for key, value in wanted.items():
                setattr(person, key, value)
            if username_follows_email and person.username != person.email:
                field_diff["username"] = [person.username, person.email]
                person.username = person.email
            diffs[v["employee_id"]] = field_diff
        if index % 500 == 0:
            progress("writing", index, len(rows))

    Person.objects.bulk_create(to_create, batch_size=500)
    created_ids = {p.employee_id: p for p in Person.objects.filter(employee_id__in=[p.employee_id for p in to_create])}
    people_by_emp.update({emp: p for emp, p in created_ids.items() if emp})
    manager_ids = dict(Person.objects.filter(employee_id__isnull=False).values_list("employee_id", "id"))

    changed: list[Person] = []
    today = timezone.localdate()
    for row in rows:
        v = row.values
        person = people_by_emp[v["employee_id"]]
        diff = None if person.employee_id in created_ids else diffs.get(v["employee_id"])
        new_manager = manager_ids.get(v["manager_employee_id"]) if v["manager_employee_id"] else None
        if person.manager_id != new_manager:
            if diff is not None:
                diff["manager"] = [person.manager_id, new_manager]
            person.manager_id = new_manager
        wants_active = v["status"] == "active"
        if person.is_active != wants_active:
            if diff is not None:
                diff["is_active"] = [person.is_active, wants_active]
            if wants_active:
                result.reactivated += 1
            else:
                result.deactivated += 1
            person.is_active = wants_active
            person.left_on = None if wants_active else (v["left_on"] or today)
        if person.employee_id in created_ids:
            result.created += 1
            events.append(
                audit_event_build(
                    actor=actor,
                    action="person.create",
                    target=person,
                    changes={"employee_id": [None, person.employee_id]},
                    source=source,
                )
            )
            changed.append(person)
        elif diff:
            result.updated += 1
            events.append(
                audit_event_build(actor=actor, action="person.update", target=person, changes=diff, source=source)
            )
            changed.append(person)
        else:
            result.unchanged += 1

    ended = [p for p in changed if not p.is_active and p.employee_id not in created_ids]
    managers_changed = [
        (p, diffs[p.employee_id]["manager"][0])
        for p in changed
        if p.employee_id and p.employee_id not in created_ids and "manager" in diffs.get(p.employee_id, {})
    ]
    rows_update(
        changed,
        [
            "email",
            "username",
            "first_name",
            "last_name",
            "preferred_name",
            "title",
            "time_zone",
            "hire_date",
            "job_role",
            "org_unit",
            "location",
            "manager",
            "is_active",
            "left_on",
        ],
    )
    if deactivate_missing:
        leavers = Person.objects.filter(is_active=True, employee_id__isnull=False).exclude(
            employee_id__in=[r.values["employee_id"] for r in rows]
        )
        for person in leavers:
            events.append(
                audit_event_build(
                    actor=actor,
                    action="person.deactivate",
                    target=person,
                    changes={"is_active": [True, False]},
                    source=source,
                )
            )
            result.deactivated += 1
        ended.extend(leavers)
        leavers.update(is_active=False, left_on=today)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    # Leavers lose every way in for good (password, sessions, tokens, calendar feed), as on the profile page.
    for person in ended:
        access_end(actor=actor, person=person, source=source)
    for person, old_manager_id in managers_changed:
        manager_change_notify(person=person, old_manager_id=old_manager_id, actor=actor)
    # Bulk writes send no signals: retire cached directory answers here.
    response_cache.version_bump(DIRECTORY)
    progress("writing", len(rows), len(rows))
    return result


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value
