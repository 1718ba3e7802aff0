"""Reads for people and the organization, scoped by the policy module.

Reporting lines and unit subtrees are walked with recursive CTEs, which SQLite and PostgreSQL both
run, so "everyone under me" costs one query however deep or wide the tree is.
"""

from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from learnloop.core import policy
from learnloop.people.models import OrgUnit, Person

_PERSON = Person._meta.db_table
_UNIT = OrgUnit._meta.db_table

# UNION (not UNION ALL) drops rows already seen, so even a cycle that slipped into the data ends.
_REPORTS_SQL = f"""
    WITH RECURSIVE under_manager(id) AS (
        SELECT id FROM {_PERSON} WHERE manager_id = %s
        UNION
        SELECT p.id FROM {_PERSON} p JOIN under_manager u ON p.manager_id = u.id
    )
    SELECT id FROM under_manager
"""  # noqa: S608 (table names come from model metadata, values are parameters)

_CHAIN_SQL = f"""
    WITH RECURSIVE chain(id, manager_id, depth) AS (
        SELECT id, manager_id, 0 FROM {_PERSON} WHERE id = %s
        UNION ALL
        SELECT p.id, p.manager_id, c.depth + 1 FROM {_PERSON} p JOIN chain c ON p.id = c.manager_id
        WHERE c.depth < 100
    )
    SELECT id, depth FROM chain WHERE depth > 0
"""  # noqa: S608

_SUBTREE_SQL = f"""
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM {_UNIT} WHERE id = %s
        UNION
        SELECT u.id FROM {_UNIT} u JOIN subtree s ON u.parent_id = s.id
    )
    SELECT id FROM subtree
"""  # noqa: S608


def report_ids_subquery(*, manager_id: int) -> RawSQL:
    """Everyone under `manager_id` at any depth, as a subquery for `pk__in`."""
    return RawSQL(_REPORTS_SQL, (manager_id,))


def report_ids(*, manager_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(_REPORTS_SQL, [manager_id])
        return [row[0] for row in cursor.fetchall()]


def unit_subtree_subquery(*, unit_id: int) -> RawSQL:
    return RawSQL(_SUBTREE_SQL, (unit_id,))


def _directory_queryset() -> QuerySet[Person]:
    return Person.objects.select_related("job_role", "org_unit", "location", "manager")


def person_list(
    *,
    actor: Person,
    search: str = "",
    org_unit_id: int | None = None,
    include_sub_units: bool = True,
    location_id: int | None = None,
    job_role_id: int | None = None,
    manager_id: int | None = None,
    include_inactive: bool = False,
) -> QuerySet[Person]:
    """The directory as `actor` may see it, filtered. Leavers are hidden unless asked for."""
    people = policy.scope(actor, "view", _directory_queryset())
    if not include_inactive:
        people = people.filter(is_active=True)
    for term in search.split():
        people = people.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(preferred_name__icontains=term)
            | Q(title__icontains=term)
            | Q(email__icontains=term)
            | Q(org_unit__name__icontains=term)
        )
    if org_unit_id is not None:
        if include_sub_units:
            people = people.filter(org_unit_id__in=unit_subtree_subquery(unit_id=org_unit_id))
        else:
            people = people.filter(org_unit_id=org_unit_id)
    if location_id is not None:
        people = people.filter(location_id=location_id)
    if job_role_id is not None:
        people = people.filter(job_role_id=job_role_id)
    if manager_id is not None:
        # A team is listed by the same rule as `person_reports` (and the team page): "view_reports".
        manager = Person.objects.filter(pk=manager_id).first()
        if manager is None or not policy.can(actor, "view_reports", manager):
            return people.none()
        people = people.filter(manager_id=manager_id)
    return people.order_by("last_name", "first_name", "id")


def person_get(*, actor: Person, person_id: int, action: str = "view") -> Person:
    return policy.get_or_404(actor, action, _directory_queryset(), pk=person_id)


def person_reports(*, actor: Person, person: Person, transitive: bool = False) -> QuerySet[Person]:
    """Direct reports (or everyone under `person`), for someone allowed to see that person's team."""
    policy.require(actor, "view_reports", person)
    people = _directory_queryset().filter(is_active=True)
    if transitive:
        return people.filter(pk__in=report_ids_subquery(manager_id=person.pk))
    return people.filter(manager_id=person.pk)


def manager_chain(*, person: Person) -> list[Person]:
    """`person`'s manager, their manager, and so on to the top, nearest first (two queries)."""
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_SQL, [person.pk])
        depth_by_id = {row[0]: row[1] for row in cursor.fetchall()}
    chain = list(_directory_queryset().filter(pk__in=depth_by_id))
    chain.sort(key=lambda p: depth_by_id[p.pk])
    return chain


def org_tree() -> list[dict[str, Any]]:
    """Every unit with its children, head count and lead, built from two queries."""
    from django.db.models import Count

    units = list(
        OrgUnit.objects.select_related("lead").annotate(head_count=Count("members", filter=Q(members__is_active=True)))
    )
    nodes: dict[int, dict[str, Any]] = {u.pk: {"unit": u, "children": []} for u in units}
    roots: list[dict[str, Any]] = []
    for unit in units:
        node = nodes[unit.pk]
        if unit.parent_id and unit.parent_id in nodes:
            nodes[unit.parent_id]["children"].append(node)
        else:
            roots.append(node)

    def total(node: dict[str, Any]) -> int:
        node["total_count"] = node["unit"].head_count + sum(total(child) for child in node["children"])
        return int(node["total_count"])

    for root in roots:
        total(root)
    return roots
