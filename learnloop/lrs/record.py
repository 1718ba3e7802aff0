"""A person's own learning record, as they read it: their statements newest first by when they happened,
filtered by kind (verb), item (activity) and period, grouped by month, and counted per month for the
chart. Reads only; only ever the person's own statements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Activity, Statement
from learnloop.people.models import Person

# The most kinds and items a filter offers (a person's record names a few dozen of each).
CHOICES_LIMIT = 300
# How many months the activity chart shows.
CHART_MONTHS = 12

VERB_LABELS = {verb.iri: verb.display for verb in VERBS.values()}


def _text(language_map: Any) -> str:
    if not isinstance(language_map, dict) or not language_map:
        return ""
    for tag in ("en", "en-US", "en-GB"):
        if tag in language_map:
            return str(language_map[tag])
    return str(next(iter(language_map.values())))


def verb_label(verb_id: str, display: Any = None) -> str:
    """How a kind of event reads: learnloop's own wording, else the statement's, else the IRI's last part."""
    return VERB_LABELS.get(verb_id) or _text(display) or verb_id.rstrip("/").rsplit("/", 1)[-1]


def record_statements(
    *,
    person: Person,
    verb_id: str = "",
    object_ref: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[Statement]:
    """The person's statements (voided ones left out), newest first by when they happened: the
    statement's timestamp, not when the LRS stored it (a course may report last month's work today)."""
    statements = Statement.objects.filter(person=person, voided=False)
    if verb_id:
        statements = statements.filter(verb_id=verb_id)
    if object_ref:
        statements = statements.filter(object_ref=object_ref)
    if since is not None:
        statements = statements.filter(timestamp__gte=since)
    if until is not None:
        statements = statements.filter(timestamp__lt=until)
    return statements.order_by("-timestamp", "-seq")


def record_kinds(*, person: Person) -> list[tuple[str, str]]:
    """The kinds of event in the person's record, as (verb IRI, label), by label."""
    verb_ids = (
        Statement.objects.filter(person=person, voided=False)
        .order_by("verb_id")
        .values_list("verb_id", flat=True)
        .distinct()[:CHOICES_LIMIT]
    )
    return sorted(((verb_id, verb_label(verb_id)) for verb_id in verb_ids), key=lambda kind: kind[1].lower())


def record_items(*, person: Person) -> list[tuple[str, str]]:
    """The activities the person's record is about, as (IRI, name), by name; names come from the LRS's
    canonical activity definitions (one query), the IRI when an activity never had one."""
    refs = list(
        Statement.objects.filter(person=person, voided=False, object_type="Activity")
        .order_by("object_ref")
        .values_list("object_ref", flat=True)
        .distinct()[:CHOICES_LIMIT]
    )
    names = {
        activity_id: _text(definition.get("name")) if isinstance(definition, dict) else ""
        for activity_id, definition in Activity.objects.filter(activity_id__in=refs).values_list(
            "activity_id", "definition"
        )
    }
    return sorted(((ref, names.get(ref) or ref) for ref in refs), key=lambda item: item[1].lower())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthCount:
    month: dt.date  # the first day of the month
    count: int


def record_months(statements: QuerySet[Statement], *, last_month: dt.date) -> list[MonthCount]:
    """How many events happened in each of the CHART_MONTHS months up to `last_month`, in the viewer's
    time zone, months without any included: one grouped query."""
    first = add_months(month_start(last_month), -(CHART_MONTHS - 1))
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min), zone)
    end = timezone.make_aware(dt.datetime.combine(add_months(month_start(last_month), 1), dt.time.min), zone)
    counted = (
        statements.filter(timestamp__gte=start, timestamp__lt=end)
        .order_by()
        .annotate(month=TruncMonth("timestamp", tzinfo=zone))
        .values("month")
        .annotate(count=Count("seq"))
        .values_list("month", "count")
    )
    by_month = {_as_date(month): count for month, count in counted}
    return [MonthCount(month, by_month.get(month, 0)) for month in (add_months(first, n) for n in range(CHART_MONTHS))]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def describe(statement: Statement) -> dict[str, Any]:
    """A statement as a person reads it: what they did, to what, with which result, when."""
    data = statement.data
    verb = verb_label(data["verb"]["id"], data["verb"].get("display"))
    obj = data["object"]
    name = _text((obj.get("definition") or {}).get("name")) or obj.get("name") or obj.get("id", "")
    result = data.get("result") or {}
    score = (result.get("score") or {}).get("scaled")
    client = statement.client
    return {
        "verb": verb,
        # "You were assigned", not "You was assigned": the labels are written after a name.
        "you_verb": "were " + verb[4:] if verb.startswith("was ") else verb,
        "object": name,
        "object_id": obj.get("id", ""),
        "success": result.get("success"),
        "completion": result.get("completion"),
        "score": round(score * 100) if isinstance(score, int | float) else None,
        "when": statement.timestamp,
        "source": client.name if client else "",
        "outside": client is not None and client.name != "learnloop",
    }


def by_month(rows: Iterable[dict[str, Any]]) -> list[tuple[dt.date, list[dict[str, Any]]]]:
    """Rows (newest first) grouped under the month they happened in, in the viewer's time zone."""
    return [
        (month, list(group))
        for month, group in groupby(rows, key=lambda row: month_start(timezone.localtime(row["when"]).date()))
    ]
