"""Reads for pathways: browsing, structure, and progress for one person or many (fixed query counts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from learnloop.core import policy
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.learning.selectors import catalog_list
from learnloop.pathways.models import Assignment, Certificate, Pathway, Stage, Step
from learnloop.pathways.progress import PathwayProgress, pathway_progress
from learnloop.people.models import OrgUnit, Person


def with_structure(pathways: QuerySet[Pathway]) -> QuerySet[Pathway]:
    """Pathways with stages, steps, items and prerequisites prefetched: three queries whatever the size."""
    steps = Step.objects.select_related("item").prefetch_related("prerequisites").order_by("position", "id")
    return pathways.select_related("job_role").prefetch_related(
        Prefetch(
            "stages",
            queryset=Stage.objects.order_by("position", "id").prefetch_related(Prefetch("steps", queryset=steps)),
        )
    )


def pathway_list(
    *, actor: Person, text: str = "", job_role_id: int | None = None, career_stage: str = ""
) -> QuerySet[Pathway]:
    pathways = policy.scope(actor, "view", Pathway.objects.all())
    if text.strip():
        pathways = pathways.filter(Q(title__icontains=text.strip()) | Q(description__icontains=text.strip()))
    if job_role_id is not None:
        pathways = pathways.filter(job_role_id=job_role_id)
    if career_stage:
        pathways = pathways.filter(career_stage=career_stage)
    return (
        pathways.select_related("job_role")
        .annotate(stage_count=Count("stages", distinct=True), step_count=Count("stages__steps", distinct=True))
        .order_by("title", "id")
    )


def pathway_get(*, actor: Person, pathway_id: int, action: str = "view") -> Pathway:
    return policy.get_or_404(actor, action, with_structure(Pathway.objects.all()), pk=pathway_id)


def _enrollments(person_ids: Iterable[int], item_ids: Iterable[int]) -> dict[int, dict[int, Enrollment]]:
    by_person: dict[int, dict[int, Enrollment]] = defaultdict(dict)
    for enrollment in Enrollment.objects.filter(person_id__in=set(person_ids), item_id__in=set(item_ids)):
        by_person[enrollment.person_id][enrollment.item_id] = enrollment
    return by_person


def _item_ids(pathways: Iterable[Pathway]) -> set[int]:
    return {step.item_id for p in pathways for stage in p.stages.all() for step in stage.steps.all()}


# Open before done, the soonest due first (the same on SQLite and PostgreSQL, which sort NULLs apart).
MINE_FIRST = (F("completed_at").asc(nulls_first=True), F("due_on").asc(nulls_last=True), "-assigned_at", "id")
STATE_LABELS = {"done": "Done", "in_progress": "In progress", "todo": "Not started", "overdue": "Overdue"}


@dataclass
class AssignmentRow:
    assignment: Assignment
    progress: PathwayProgress

    @property
    def is_overdue(self) -> bool:
        a = self.assignment
        return bool(a.due_on and not self.progress.is_complete and a.due_on < timezone.localdate())

    @property
    def state(self) -> str:
        if self.progress.is_complete:
            return "done"
        return "overdue" if self.is_overdue else self.progress.status

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def progress_for(assignments: list[Assignment]) -> list[AssignmentRow]:
    """Progress for each assignment: its pathway's structure and the people's enrolments in two batches."""
    pathway_ids = {a.pathway_id for a in assignments}
    pathways = {p.pk: p for p in with_structure(Pathway.objects.filter(pk__in=pathway_ids))}
    enrollments = _enrollments((a.person_id for a in assignments), _item_ids(pathways.values()))
    return [
        AssignmentRow(
            assignment=a,
            progress=pathway_progress(pathways[a.pathway_id], enrollments.get(a.person_id, {}), a.counts_from),
        )
        for a in assignments
    ]


def my_assignments(*, person: Person) -> list[AssignmentRow]:
    assignments = list(
        Assignment.objects.filter(person=person).select_related("pathway", "assigned_by", "team").order_by(*MINE_FIRST)
    )
    return progress_for(assignments)


def pathways_of(*, actor: Person, person: Person) -> list[AssignmentRow]:
    assignments = policy.scope(actor, "view", Assignment.objects.filter(person=person))
    return progress_for(list(assignments.select_related("pathway", "assigned_by", "team").order_by(*MINE_FIRST)))


def certificates_of(*, actor: Person, person: Person) -> list[Certificate]:
    return list(policy.scope(actor, "view", Certificate.objects.filter(person=person)).select_related("pathway"))


def progress_of(*, person: Person, pathway: Pathway) -> tuple[Assignment | None, PathwayProgress]:
    """The person's assignment (if any) and progress on one pathway whose structure is prefetched."""
    assignment = Assignment.objects.filter(person=person, pathway=pathway).select_related("assigned_by").first()
    enrollments = _enrollments([person.pk], _item_ids([pathway])).get(person.pk, {})
    return assignment, pathway_progress(pathway, enrollments, assignment.counts_from if assignment else None)


def overview(*, actor: Person, pathway: Pathway) -> list[AssignmentRow]:
    """Everyone the actor may see who has this pathway, with their progress (L&D: everyone)."""
    assignments = list(
        policy.scope(actor, "view", Assignment.objects.filter(pathway=pathway))
        .select_related("person", "assigned_by", "team")
        .order_by("person__last_name", "person__first_name", "id")
    )
    return progress_for(assignments)


def overview_counts(rows: list[AssignmentRow]) -> dict[str, int]:
    counts = {"done": 0, "in_progress": 0, "todo": 0, "overdue": 0}
    for row in rows:
        counts[row.state] += 1
    return counts


def assignable_people(*, actor: Person) -> QuerySet[Person]:
    """Whom the actor may assign pathways to: their reports (L&D admins: everyone active)."""
    return policy.scope(actor, "assign_pathway", Person.objects.filter(is_active=True)).exclude(pk=actor.pk)


def assignable_teams(*, actor: Person) -> QuerySet[OrgUnit]:
    """Units with someone the actor may assign to (the service checks the whole unit on submit)."""
    people = assignable_people(actor=actor)
    return OrgUnit.objects.filter(pk__in=people.values("org_unit_id")).order_by("path")


# Suggestions shown while typing a team's name; the resolver looks at a few more to explain ambiguity.
TEAM_SEARCH_LIMIT = 20


def team_search(*, teams: QuerySet[OrgUnit], text: str, limit: int = TEAM_SEARCH_LIMIT) -> list[OrgUnit]:
    """Up to `limit` of `teams` whose path contains `text`, best first (one query at any size).

    An exact path comes first, then an exact name, then the rest by path; each unit carries `match`
    (0, 1 or 2) saying which, so a caller can tell a precise hit from a loose one.
    """
    text = text.strip()
    if not text:
        return []
    return list(
        teams.filter(path__icontains=text)
        .annotate(
            match=Case(
                When(path__iexact=text, then=Value(0)),
                When(name__iexact=text, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("match", "path")[:limit]
    )


def team_resolve(*, teams: QuerySet[OrgUnit], text: str) -> OrgUnit:
    """The one team `text` names: its exact path, else its exact name, else the only path containing it.

    Raises ValidationError on the `team` field, listing the candidates, when none or several match."""
    found = team_search(teams=teams, text=text, limit=6)
    by_name = [unit for unit in found if unit.match == 1]  # type: ignore[attr-defined]
    if found and found[0].match == 0:  # type: ignore[attr-defined]
        return found[0]
    if len(by_name) == 1:
        return by_name[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError({"team": [f"No team you may assign matches “{text.strip()}”."]})
    shown = "; ".join(unit.path for unit in found[:5])
    more = " and more" if len(found) > 5 else ""
    raise ValidationError(
        {"team": [f"Several teams match “{text.strip()}”: {shown}{more}. Type more of the path, or pick a suggestion."]}
    )


def team_members(team: OrgUnit) -> QuerySet[Person]:
    """Active members of a unit and the units under it."""
    return Person.objects.filter(
        Q(org_unit__path=team.path) | Q(org_unit__path__startswith=f"{team.path} / "), is_active=True
    ).order_by("last_name", "first_name", "id")


def assignments_made_by_me(*, actor: Person) -> QuerySet[Assignment]:
    return (
        policy.scope(actor, "view", Assignment.objects.exclude(person=actor))
        .filter(Q(assigned_by=actor) | Q(person__manager=actor))
        .select_related("person", "pathway")
        .order_by("-assigned_at")
    )


def home_panel(person: Any) -> dict[str, Any] | None:
    rows = [r for r in my_assignments(person=person) if not r.progress.is_complete][:5]
    if not rows:
        return None
    return {"rows": rows}


def expiring_certificates(*, now: dt.datetime, within: dt.timedelta) -> QuerySet[Certificate]:
    """Certificates expiring within `within`, or expired in the last week (long-expired ones were handled)."""
    return Certificate.objects.filter(
        expires_at__lte=now + within, expires_at__gt=now - dt.timedelta(days=7)
    ).select_related("person", "pathway")


ITEM_SEARCH_LIMIT = 20


@dataclass(frozen=True)
class FoundItem:
    """A published catalog item found for the pathway builder, and whether the pathway already has it."""

    item: CatalogItem
    taken: bool


def item_search(*, actor: Person, pathway: Pathway, text: str, limit: int = ITEM_SEARCH_LIMIT) -> list[FoundItem]:
    """Published items whose words match `text`, best first, at most `limit` (two queries whatever the size
    of the catalog); items already a step of the pathway are marked, since an item is a step only once."""
    if not text.strip():
        return []
    items = list(catalog_list(actor=actor, text=text).filter(is_published=True)[:limit])
    taken = set(Step.objects.filter(stage__pathway=pathway, item__in=items).values_list("item_id", flat=True))
    return [FoundItem(item=item, taken=item.pk in taken) for item in items]
