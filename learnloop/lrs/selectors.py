"""Reading statements: filters, StatementRef expansion, stable paging and the three formats."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import uuid
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast

from learnloop.lrs.agents import agent_key, identifiers_only
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
    reader_id: int | None = None  # the client asking: the page's `more` link works for it alone
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _PageValues:
    """The values a page's query carries. Everything else about the query is its shape, and queries of
    one shape compile to the same SQL: PostgreSQL pages reuse it (see _page_sql)."""

    key: str | None = None  # the agent filter's key ("" for an anonymous group, which matches nothing)
    authority: int | None = None  # related_agents: the client whose account the agent is
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    bound: int | None = None
    after_seq: int | None = None
    client_id: int | None = None


def _page_values(query: StatementFilter, *, bound: int | None, after_seq: int | None) -> _PageValues:
    key = None if query.agent is None else agent_key(query.agent)
    authority = None
    # The LRS sets every statement's authority to its client's account on this site.
    prefix = f"account:{settings.SITE_URL}|"
    if query.related_agents and key and key.startswith(prefix):
        authority = Client.objects.filter(key=key[len(prefix) :]).values_list("pk", flat=True).first()
    return _PageValues(
        key=key,
        authority=authority,
        verb=query.verb or None,
        activity=query.activity or None,
        registration=query.registration or None,
        since=query.since,
        until=query.until,
        bound=bound,
        after_seq=after_seq,
        client_id=query.client_id,
    )


def _conditions(query: StatementFilter, values: _PageValues) -> list[Q]:
    """The non-time filters as conditions whose union is the match (none: nothing matches).

    Each condition is an equality on the leading column of a `(column, -seq)` index, so the database
    reads a page in order from that index instead of walking every statement. An agent is matched by
    its key (`agent_key`: mbox and mbox_sha1sum alike) as actor or as object; `related_agents` adds the
    side table and the client whose account is the authority, `related_activities` the side table.
    """
    base = Q()
    if values.verb is not None:
        base &= Q(verb_id=values.verb)
    if values.registration is not None:
        base &= Q(registration=values.registration)
    agent_conditions = [Q()] if values.key is None else _agent_conditions(values, related=query.related_agents)
    activity_conditions = [Q()]
    if values.activity is not None:
        activity_conditions = [Q(object_type="Activity", object_ref=values.activity)]
        if query.related_activities:
            side = StatementActivity.objects.filter(activity_id=values.activity).values("statement_id")
            activity_conditions.append(Q(seq__in=side))
    return [base & agent & activity for agent in agent_conditions for activity in activity_conditions]


def _agent_conditions(values: _PageValues, *, related: bool) -> list[Q]:
    key = values.key
    if not key:  # an anonymous group identifies nobody
        return []
    conditions = [Q(actor_key=key), Q(object_type__in=("Agent", "Group"), object_ref=key)]
    if related:
        conditions.append(Q(seq__in=StatementAgent.objects.filter(agent_key=key).values("statement_id")))
        if values.authority is not None:
            conditions.append(Q(client_id=values.authority))
    return conditions


def _matching(conditions: list[Q]) -> QuerySet[Statement]:
    """All the conditions as one queryset, checked on each row: references are followed by looking up
    each referenced statement by its id and testing it, never by building the whole matching set."""
    if not conditions:
        return Statement.objects.none()
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return Statement.objects.filter(combined)


def _has_reference_filters(query: StatementFilter) -> bool:
    return bool(query.agent is not None or query.verb or query.activity or query.registration)


REFERENCE_HOPS = 3

# Whether any statement references another. Once one does, one always will (statements are never
# deleted), so this process then always follows references; until then each page asks, on PostgreSQL
# inside its one round trip. If references are followed when none exist, the answer is the same.
_references_stored = False


def _references() -> QuerySet[Statement]:
    return Statement.objects.filter(object_statement__isnull=False)


def _referring(targets: QuerySet[Statement]) -> QuerySet[Statement]:
    """Statements whose StatementRef object points at one of `targets`. Driven from the (few) statements
    that reference anything, each checked against `targets` by its unique id."""
    return _references().filter(Exists(targets.filter(statement_id=OuterRef("object_statement"))))


class StoredStatement:
    """A statement as a page holds it: its position, when it was stored, and its JSON as stored.

    Pages in the exact format are written from the stored text without parsing it; `data` parses it
    for the other formats and for attachments.
    """

    __slots__ = ("_data", "raw", "seq", "stored")

    def __init__(self, seq: int, stored: dt.datetime, raw: str) -> None:
        self.seq = seq
        self.stored = stored
        self.raw = raw
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self.raw)
        return self._data


def statement_page(
    query: StatementFilter, *, after_seq: int | None = None, bound: int | None = None
) -> tuple[list[StoredStatement], str, int]:
    """One page of statements and the `more` token for the next ('' at the end), plus the bound used.

    Filters on agent, verb, activity and registration also match statements that reference a matching
    statement (xAPI 2.1.3), up to three hops. Each source is paged on its own, with the same bounds, and
    the pages are merged by sequence, so no query has to combine them with OR.

    The bound (the highest `seq` the first page could see) keeps later pages from showing statements
    that arrived after it. Newest-first pages never reach above the first page's top, so only an
    ascending query with more to come needs to look it up.
    """
    global _references_stored
    limit = min(query.limit or MAX_PAGE, MAX_PAGE)
    values = _page_values(query, bound=bound, after_seq=after_seq)
    follow = _has_reference_filters(query) and values.key != ""
    walk = _window_meets_the_walk(query, values)
    found: dict[int, StoredStatement] = {}
    if connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL takes every source as one UNION ALL of ordered, limited selects: one round trip, in
        # which a process that has not yet seen a reference asks whether there is one (the probe).
        probe = follow and not _references_stored
        for seq, stored, raw in _page_rows(
            query, values, limit=limit, follow=follow and not probe, probe=probe, walk=walk
        ):
            if raw is None:  # the probe found a reference: ask again, following references
                _references_stored = True
                return statement_page(query, after_seq=after_seq, bound=bound)
            found[seq] = StoredStatement(seq, stored, raw)
    else:  # SQLite: a query per source (in-process, so a round trip costs nothing)
        if follow and not _references_stored:
            _references_stored = _references().exists()
        pages = _page_querysets(
            query, values, limit=limit, follow=follow and _references_stored, probe=False, walk=walk
        )
        for rows in pages:
            for seq, stored, raw in rows:
                found[seq] = StoredStatement(seq, stored, raw)
    page = sorted(found.values(), key=lambda s: s.seq, reverse=not query.ascending)[: limit + 1]
    more = ""
    if len(page) > limit:
        page = page[:limit]
        if bound is None:
            bound = (Statement.objects.aggregate(top=Max("seq"))["top"] or 0) if query.ascending else page[0].seq
        more = signing.dumps(
            {"q": _filter_state(query), "after": page[-1].seq, "bound": bound},
            salt=_more_salt(query.reader_id),
            compress=True,
        )
    return page, more, bound or 0


def _bounded(statements: QuerySet[Statement], query: StatementFilter, values: _PageValues) -> QuerySet[Statement]:
    """The time, client and paging limits every source of a page shares."""
    statements = statements.filter(voided=False)
    if values.bound is not None:
        statements = statements.filter(seq__lte=values.bound)
    if values.client_id is not None:
        statements = statements.filter(client_id=values.client_id)
    if values.since is not None:
        statements = statements.filter(stored__gt=values.since)
    if values.until is not None:
        statements = statements.filter(stored__lte=values.until)
    if values.after_seq is not None:
        after = values.after_seq
        statements = statements.filter(seq__gt=after) if query.ascending else statements.filter(seq__lt=after)
    return statements.order_by("seq" if query.ascending else "-seq")


# How many statements past the window's far end a page may walk over in `seq` order (see _windowed).
WALK_SKIP = 1000


def _window_meets_the_walk(query: StatementFilter, values: _PageValues) -> bool:
    """Whether reading statements in page order (`seq`, newest first unless ascending) reaches the
    `since`/`until` window within WALK_SKIP statements: true without a window, and when fewer than that
    many live statements lie beyond its starting end (newer than `until` for a newest-first page, stored
    at or before `since` for an ascending one). Counted from the window index, WALK_SKIP entries at most.
    Every page of a query counts the same way (the `more` position is left out: filtering on it could
    make the count read the whole index), so all its pages are read alike."""
    edge = values.since if query.ascending else values.until
    if edge is None:
        return True
    sql, params = _beyond_sql(query.ascending, WALK_SKIP)
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(edge) if p is _EDGE else p for p in params])
        (beyond,) = cursor.fetchone()
    return bool(beyond < WALK_SKIP)


_EDGE = object()


@functools.cache
def _beyond_sql(ascending: bool, most: int) -> tuple[str, list[Any]]:
    """The count of live statements beyond a window's starting end, compiled once (building it with the
    ORM for each page cost a millisecond); `_EDGE` marks where the edge goes."""
    stand_in = _STAND_INS["since"]
    beyond = Statement.objects.filter(voided=False)
    beyond = beyond.filter(stored__lte=stand_in) if ascending else beyond.filter(stored__gt=stand_in)
    sql, params = beyond.values("seq")[:most].query.sql_with_params()
    adapted = connection.ops.adapt_datetimefield_value(stand_in)
    counted = f"SELECT COUNT(*) FROM ({sql}) beyond"  # noqa: S608 - the ORM's own SQL, values as parameters
    slots = [_EDGE if p == adapted else p for p in params]
    if slots.count(_EDGE) != 1:  # never run with the stand-in's moment
        raise RuntimeError(f"the window edge is not one parameter of {counted}")
    return counted, slots


def _windowed(
    statements: QuerySet[Statement], query: StatementFilter, values: _PageValues, *, limit: int, walk: bool
) -> QuerySet[Statement]:
    """A `since`/`until` page in two steps: the page's positions first, then only those rows.

    The positions come from the index of live statements by `stored` (`stmt_stored_live_idx`, which
    holds `seq`), so the database reads the window's index entries, keeps the first `limit + 1` in
    `seq` order and fetches just those statements, instead of reading every statement of the window.

    The database may instead walk the primary key in page order and test each statement's `stored`,
    and it expects the window's statements spread evenly over `seq`, when they sit together (`stored`
    grows with `seq`): a window of old statements then means walking past every newer one. When more
    than WALK_SKIP statements lie beyond the window (`walk` false), the positions are ordered by
    `seq + 0`, which no index holds, so only the window index can find them. The rows and their order
    are the same either way."""
    if values.since is None and values.until is None:
        return statements
    position = F("seq") if walk else F("seq") + 0
    positions = statements.order_by(position.asc() if query.ascending else position.desc()).values("seq")
    return Statement.objects.filter(seq__in=positions[: limit + 1]).order_by("seq" if query.ascending else "-seq")


def _page_querysets(
    query: StatementFilter, values: _PageValues, *, limit: int, follow: bool, probe: bool, walk: bool = True
) -> list[QuerySet[Any, Any]]:
    """Every source of a page as an ordered, limited select of (seq, stored, JSON text); with `probe`,
    one more that yields a row without JSON when any statement references another."""
    conditions = _conditions(query, values)
    sources = [Statement.objects.filter(condition) for condition in conditions]
    if sources and follow:
        previous = _matching(conditions)
        for _ in range(REFERENCE_HOPS):
            previous = _referring(previous)
            sources.append(previous)
    pages: list[QuerySet[Any, Any]] = [
        _windowed(_bounded(source, query, values), query, values, limit=limit, walk=walk)
        .annotate(raw=Cast("data", TextField()))
        .values_list("seq", "stored", "raw")[: limit + 1]
        for source in sources
    ]
    if sources and probe:
        pages.append(_references().annotate(raw=Value(None, TextField())).values_list("seq", "stored", "raw")[:1])
    return pages


# Compiling a page's UNION ALL took longer than PostgreSQL takes to answer it, so the SQL is compiled
# once per shape (which filters are present, flags, limit) with a stand-in for each value, and reused
# with the real values in the stand-ins' places. A shape whose stand-ins do not all come through
# compilation unchanged is never cached.
_STAND_INS: dict[str, Any] = {
    "key": "\x00key",
    "authority": -9_000_000_001,
    "verb": "\x00verb",
    "activity": "\x00activity",
    "registration": "00000000-0000-4000-8000-0000000a0001",
    "since": dt.datetime(1, 1, 1, microsecond=1, tzinfo=dt.UTC),
    "until": dt.datetime(1, 1, 1, microsecond=2, tzinfo=dt.UTC),
    "bound": -9_000_000_002,
    "after_seq": -9_000_000_003,
    "client_id": -9_000_000_004,
}
_Slot = tuple[str, Any]  # ("value", field name) or ("constant", the value)
_PAGE_SQL: dict[tuple[Any, ...], tuple[str, list[_Slot]]] = {}


def _as_param(name: str, value: Any) -> Any:
    """A value as the ORM passes it to the database (registrations go as UUID objects)."""
    return uuid.UUID(value) if name == "registration" else value


def _compiled(
    query: StatementFilter, values: _PageValues, *, limit: int, follow: bool, probe: bool, walk: bool = True
) -> tuple[str, list[Any]] | None:
    pages = _page_querysets(query, values, limit=limit, follow=follow, probe=probe, walk=walk)
    if not pages:
        return None
    union = pages[0].union(*pages[1:], all=True) if len(pages) > 1 else pages[0]
    sql, params = union.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _page_sql(
    query: StatementFilter, values: _PageValues, *, limit: int, follow: bool, probe: bool, walk: bool = True
) -> tuple[str, list[Any]] | None:
    """The page's SQL and parameters, compiled once per shape; None when nothing can match."""
    present = tuple(f.name for f in fields(values) if getattr(values, f.name) not in (None, ""))
    flags = (values.key == "", query.related_agents, query.related_activities, query.ascending, follow, probe, walk)
    shape: tuple[Any, ...] = (present, limit, *flags)
    cached = _PAGE_SQL.get(shape)
    if cached is None:
        stand_ins = replace(values, **{name: _STAND_INS[name] for name in present})
        compiled = _compiled(query, stand_ins, limit=limit, follow=follow, probe=probe, walk=walk)
        if compiled is None:
            return None
        sql, params = compiled
        wanted = {name: _as_param(name, _STAND_INS[name]) for name in present}
        slots: list[_Slot] = []
        for param in params:
            name = next((n for n, v in wanted.items() if type(param) is type(v) and param == v), None)
            slots.append(("value", name) if name else ("constant", param))
        if {name for kind, name in slots if kind == "value"} != set(present):
            return _compiled(query, values, limit=limit, follow=follow, probe=probe, walk=walk)
        if len(_PAGE_SQL) >= 1000:  # shapes vary little in practice; never let odd clients grow it unbounded
            _PAGE_SQL.clear()
        cached = _PAGE_SQL[shape] = (sql, slots)
    sql, slots = cached
    return sql, [_as_param(name, getattr(values, name)) if kind == "value" else name for kind, name in slots]


def _page_rows(
    query: StatementFilter, values: _PageValues, *, limit: int, follow: bool, probe: bool, walk: bool = True
) -> list[tuple[int, dt.datetime, str | None]]:
    compiled = _page_sql(query, values, limit=limit, follow=follow, probe=probe, walk=walk)
    if compiled is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*compiled)
        return [(seq, stored, raw) for seq, stored, raw in cursor.fetchall()]


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


def _more_salt(reader_id: int | None) -> str:
    # Signed for one client: another client's link (or one made for nobody) fails the signature check.
    return f"{_MORE_SALT}:{reader_id or ''}"


class MoreLinkRefused(Exception):
    """A `more` token that is not this client's, was altered, or has expired (a 400 naming `more`)."""


def more_page(token: str, *, reader_id: int | None) -> tuple[StatementFilter, int, int]:
    """The query, position and bound a `more` token stands for, if it was issued to this client within
    LRS_MORE_LINK_SECONDS; else MoreLinkRefused says why."""
    try:
        state = signing.loads(token, salt=_more_salt(reader_id), max_age=settings.LRS_MORE_LINK_SECONDS)
    except signing.SignatureExpired as exc:
        raise MoreLinkRefused("this more link has expired; run the query again") from exc
    except signing.BadSignature as exc:
        raise MoreLinkRefused("this more link is not valid for this client") from exc
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
        reader_id=reader_id,
    )
    return query, int(state["after"]), int(state["bound"])


def statement_by_id(statement_id: str, *, voided: bool, client: Client | None = None) -> Statement | None:
    """The statement by id; with `client`, only among that client's own statements."""
    statements = Statement.objects.filter(statement_id=statement_id, voided=voided)
    if client is not None:
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


def render_statement(statement: Statement | StoredStatement, *, format: str, languages: list[str]) -> dict[str, Any]:
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
