"""Reading statements: filters, StatementRef expansion, stable paging and the three formats."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from learnloop.lrs.agents import agent_ifi, agent_ifis, identifiers_only
from learnloop.lrs.models import Client, Statement, StatementActivity, StatementAgent

MAX_PAGE = 500
_MORE_SALT = "learnloop.lrs.more"


@dataclass
class StatementFilter:
    agent: dict[str, Any] | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 0
    ascending: bool = False
    format: str = "exact"
    attachments: bool = False
    client_id: int | None = None  # set for clients that may read only their own statements
    extra: dict[str, Any] = field(default_factory=dict)


def _branches(query: StatementFilter) -> list[QuerySet[Statement]]:
    """The non-time filters as one or more querysets whose union is the match.

    Each branch is an equality on the leading column of a `(column, -seq)` index, so the database reads
    a page in order from that index instead of walking every statement; an agent is matched as actor or
    as object, under each of its identifier forms (an mbox also matches its SHA-1). `related_agents`,
    `related_activities` and agents given by `mbox_sha1sum` use the side tables instead.
    """
    rest = Statement.objects.all()
    if query.verb:
        rest = rest.filter(verb_id=query.verb)
    if query.activity:
        if query.related_activities:
            activities = StatementActivity.objects.filter(activity_id=query.activity)
            rest = rest.filter(seq__in=activities.values("statement_id"))
        else:
            rest = rest.filter(object_type="Activity", object_ref=query.activity)
    if query.registration:
        rest = rest.filter(registration=query.registration)
    if query.agent is None:
        return [rest]
    ifi = agent_ifi(query.agent)
    if query.related_agents or ifi.startswith("mbox_sha1sum:"):
        agents = StatementAgent.objects.filter(agent_ifi=ifi)
        if not query.related_agents:
            agents = agents.filter(is_actor=True)
        return [rest.filter(seq__in=agents.values("statement_id"))]
    forms = agent_ifis(query.agent)
    as_actor = [rest.filter(actor_ifi=form) for form in forms]
    as_object = [rest.filter(object_type__in=("Agent", "Group"), object_ref=form) for form in forms]
    return [*as_actor, *as_object]


def _matching(query: StatementFilter) -> QuerySet[Statement]:
    """All non-time filters as one queryset (for checking a single referenced statement)."""
    branches = _branches(query)
    if len(branches) == 1:
        return branches[0]
    combined = Q(pk__in=branches[0].values("seq"))
    for branch in branches[1:]:
        combined |= Q(pk__in=branch.values("seq"))
    return Statement.objects.filter(combined)


def _has_reference_filters(query: StatementFilter) -> bool:
    return bool(query.agent is not None or query.verb or query.activity or query.registration)


REFERENCE_HOPS = 3


def _referring(targets: QuerySet[Statement]) -> QuerySet[Statement]:
    """Statements whose StatementRef object points at one of `targets`. Driven from the (few) statements
    that reference anything, each checked against `targets` by its unique id."""
    return Statement.objects.filter(object_statement__isnull=False).filter(
        Exists(targets.filter(statement_id=OuterRef("object_statement")))
    )


def statement_page(
    query: StatementFilter, *, after_seq: int | None = None, bound: int | None = None
) -> tuple[list[Statement], str, int]:
    """One page of statements and the `more` token for the next ('' at the end), plus the bound used.

    Filters on agent, verb, activity and registration also match statements that reference a matching
    statement (xAPI 2.1.3), up to three hops. Each source is paged on its own, with the same bounds, and
    the pages are merged by sequence, so no query has to combine them with OR.
    """
    if bound is None:
        bound = Statement.objects.aggregate(top=Max("seq"))["top"] or 0
    limit = min(query.limit or MAX_PAGE, MAX_PAGE)
    sources = _branches(query)
    # References are rare; the partial index answers "are there any" at once, and only then are they followed.
    if _has_reference_filters(query) and Statement.objects.filter(object_statement__isnull=False).exists():
        previous = _matching(query)
        for _ in range(REFERENCE_HOPS):
            previous = _referring(previous)
            sources.append(previous)
    found: dict[int, Statement] = {}
    for source in sources:
        for statement in _bounded(source, query, bound=bound, after_seq=after_seq)[: limit + 1]:
            found[statement.seq] = statement
    page = sorted(found.values(), key=lambda s: s.seq, reverse=not query.ascending)[: limit + 1]
    more = ""
    if len(page) > limit:
        page = page[:limit]
        more = signing.dumps(
            {"q": _filter_state(query), "after": page[-1].seq, "bound": bound}, salt=_MORE_SALT, compress=True
        )
    return page, more, bound


def _bounded(
    statements: QuerySet[Statement], query: StatementFilter, *, bound: int, after_seq: int | None
) -> QuerySet[Statement]:
    """The time, client and paging limits every source of a page shares."""
    statements = statements.filter(voided=False, seq__lte=bound)
    if query.client_id is not None:
        statements = statements.filter(client_id=query.client_id)
    if query.since is not None:
        statements = statements.filter(stored__gt=query.since)
    if query.until is not None:
        statements = statements.filter(stored__lte=query.until)
    if after_seq is not None:
        statements = statements.filter(seq__gt=after_seq) if query.ascending else statements.filter(seq__lt=after_seq)
    return statements.order_by("seq" if query.ascending else "-seq")


def _filter_state(query: StatementFilter) -> dict[str, Any]:
    return {
        "agent": query.agent,
        "verb": query.verb,
        "activity": query.activity,
        "registration": query.registration,
        "related_activities": query.related_activities,
        "related_agents": query.related_agents,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "limit": query.limit,
        "ascending": query.ascending,
        "format": query.format,
        "attachments": query.attachments,
        "client_id": query.client_id,
    }


def more_page(token: str) -> tuple[StatementFilter, int, int] | None:
    """The query, position and bound a `more` token stands for, or None if it is not ours."""
    try:
        state = signing.loads(token, salt=_MORE_SALT)
    except signing.BadSignature:
        return None
    q = state["q"]
    query = StatementFilter(
        agent=q["agent"],
        verb=q["verb"],
        activity=q["activity"],
        registration=q["registration"],
        related_activities=q["related_activities"],
        related_agents=q["related_agents"],
        since=dt.datetime.fromisoformat(q["since"]) if q["since"] else None,
        until=dt.datetime.fromisoformat(q["until"]) if q["until"] else None,
        limit=q["limit"],
        ascending=q["ascending"],
        format=q["format"],
        attachments=q["attachments"],
        client_id=q["client_id"],
    )
    return query, int(state["after"]), int(state["bound"])


def statement_by_id(statement_id: str, *, voided: bool, client: Client | None = None) -> Statement | None:
    statements = Statement.objects.filter(statement_id=statement_id, voided=voided)
    if client is not None and client.own_statements_only:
        statements = statements.filter(client=client)
    return statements.first()


# --- Formats --------------------------------------------------------------------------------------

_AGENT_KEYS = ("actor", "authority")


def _ids_activity(activity: dict[str, Any]) -> dict[str, Any]:
    # format=ids: "only include identifiers" -- an Activity's identifier is its id alone.
    return {"id": activity["id"]}


def _ids_object(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        return identifiers_only(obj)
    if kind == "Activity":
        return _ids_activity(obj)
    if kind == "SubStatement":
        return _ids_statement(obj)
    return obj


def _ids_statement(statement: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(statement)
    for key in _AGENT_KEYS:
        if key in result:
            result[key] = identifiers_only(result[key])
    result["verb"] = {"id": result["verb"]["id"]}
    result["object"] = _ids_object(result["object"])
    context = result.get("context")
    if context:
        for key in ("instructor", "team"):
            if key in context:
                context[key] = identifiers_only(context[key])
        for key, entry in context.get("contextActivities", {}).items():
            context["contextActivities"][key] = [
                _ids_activity(a) for a in (entry if isinstance(entry, list) else [entry])
            ]
    return result


def _pick_language(language_map: dict[str, str], languages: list[str]) -> dict[str, str]:
    for wanted in languages:
        for tag, text in language_map.items():
            if tag.lower() == wanted.lower() or tag.lower().split("-")[0] == wanted.lower():
                return {tag: text}
    if "und" in language_map:
        return {"und": language_map["und"]}
    first = next(iter(language_map.items()), None)
    return {first[0]: first[1]} if first else {}


def _canonical(value: Any, languages: list[str], key: str = "") -> Any:
    if isinstance(value, dict):
        if key in ("display", "name", "description") and all(isinstance(v, str) for v in value.values()):
            return _pick_language(value, languages)
        return {k: v if k == "extensions" else _canonical(v, languages, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(item, languages, key) for item in value]
    return value


def render_statement(statement: Statement, *, format: str, languages: list[str]) -> dict[str, Any]:
    data = statement.data
    if format == "ids":
        return _ids_statement(data)
    if format == "canonical":
        return dict(_canonical(data, languages))
    return dict(data)


def accept_languages(header: str) -> list[str]:
    """Languages from an Accept-Language header, best first."""
    ranked = []
    for part in header.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((weight, tag.strip()))
    return [tag for weight, tag in sorted(ranked, key=lambda item: -item[0]) if tag != "*"]
