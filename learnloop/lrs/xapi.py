"""The xAPI resources at /xapi/: statements, documents, activities, agents, about."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag
from django.views.decorators.csrf import csrf_exempt

from learnloop.core.bounds import MAX_ID, MAX_YEAR, MIN_YEAR, parse_int, year_in_range
from learnloop.lrs import selectors, services
from learnloop.lrs.agents import agent_ifi
from learnloop.lrs.http import (
    LrsError,
    LrsRequest,
    bool_param,
    consistent_through_now,
    json_body,
    json_param,
    multipart_response,
    parse_json,
    parse_multipart,
    resource,
)
from learnloop.lrs.jsonutil import dumps
from learnloop.lrs.models import Activity, Attachment, Client, Document, Statement
from learnloop.lrs.signatures import verify_signed_statements
from learnloop.lrs.validation import StatementInvalid, is_uuid, validate_actor

STATEMENT_GET_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
FORMATS = ("exact", "ids", "canonical")


# --- Statements -----------------------------------------------------------------------------------


def _read_statements(request: LrsRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    if request.content_type.startswith("multipart/mixed"):
        return parse_multipart(request)
    if request.content_type and not request.content_type.startswith("application/json"):
        raise LrsError(
            400, f"statements must be sent as application/json or multipart/mixed, not {request.content_type}"
        )
    return json_body(request), {}


def _store(
    request: LrsRequest,
    statements: list[Any],
    attachments: dict[str, tuple[str, bytes]],
    statement_id: str | None = None,
) -> list[str]:
    verify_signed_statements(statements, attachments)
    try:
        return services.statements_store(
            statements=statements,
            version=request.version,
            client=request.client,
            attachments=attachments,
            statement_id=statement_id,
        )
    except services.Conflict as exc:
        raise LrsError(409, str(exc)) from exc


def statements_put(request: LrsRequest) -> HttpResponse:
    extra = set(request.params) - {"statementId"}
    if extra:
        raise LrsError(400, f"unknown parameter(s): {', '.join(sorted(extra))}")
    statement_id = request.params.get("statementId")
    if not statement_id:
        raise LrsError(400, "PUT needs the statementId parameter", "statementId")
    if not is_uuid(statement_id):
        raise LrsError(400, "must be a UUID", "statementId")
    body, attachments = _read_statements(request)
    if not isinstance(body, dict):
        raise LrsError(400, "PUT takes one statement (a JSON object)")
    _store(request, [body], attachments, statement_id=statement_id)
    return HttpResponse(status=204)


def statements_post(request: LrsRequest) -> HttpResponse:
    if request.params:
        raise LrsError(400, f"unknown parameter(s): {', '.join(sorted(request.params))}")
    body, attachments = _read_statements(request)
    statements = body if isinstance(body, list) else [body]
    if not statements:
        raise LrsError(400, "the request has no statements")
    ids = _store(request, statements, attachments)
    return JsonResponse(ids, safe=False)


def _parse_time(request: LrsRequest, name: str) -> dt.datetime | None:
    raw = request.params.get(name)
    if raw is None:
        return None
    try:
        parsed = parse_datetime(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        raise LrsError(400, "must be an ISO 8601 timestamp", name)
    if not year_in_range(parsed):  # 0001-01-01T00:00+14:00 overflows on its way to UTC
        raise LrsError(400, f"must be a timestamp between the years {MIN_YEAR} and {MAX_YEAR}", name)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _own_reach(request: LrsRequest) -> Client | None:
    """The client whose own statements (and attachment content) are all this request may reach, or None
    when it reaches every statement. The one rule for queries, single statements, paging and attachments."""
    client = request.client
    return client if client is not None and not client.reads_all else None


def _statement_filter(request: LrsRequest) -> selectors.StatementFilter:
    agent = json_param(request, "agent")
    if agent is not None:
        try:
            validate_actor(agent, "agent")
        except StatementInvalid as exc:
            raise LrsError(400, exc.message, exc.path) from exc
    limit = parse_int(request.params.get("limit", "0"), high=MAX_ID, clamp=True)
    if limit is None:
        raise LrsError(400, "must be a whole number (0 for the server's maximum)", "limit")
    fmt = request.params.get("format", "exact")
    if fmt not in FORMATS:
        raise LrsError(400, f"must be one of {', '.join(FORMATS)}", "format")
    registration = request.params.get("registration")
    if registration is not None and not is_uuid(registration):
        raise LrsError(400, "must be a UUID", "registration")
    client = request.client
    return selectors.StatementFilter(
        agent=agent,
        verb=request.params.get("verb"),
        activity=request.params.get("activity"),
        registration=registration,
        related_activities=bool_param(request, "related_activities"),
        related_agents=bool_param(request, "related_agents"),
        since=_parse_time(request, "since"),
        until=_parse_time(request, "until"),
        limit=limit,
        ascending=bool_param(request, "ascending"),
        format=fmt,
        attachments=bool_param(request, "attachments"),
        client_id=reach.pk if (reach := _own_reach(request)) is not None else None,
        reader_id=client.pk if client is not None else None,
    )


def _languages(request: LrsRequest) -> list[str]:
    return selectors.accept_languages(request.header("accept-language"))


def _respond(
    request: LrsRequest,
    result: Any,
    statements: list[Statement] | list[selectors.StoredStatement],
    *,
    with_attachments: bool,
) -> HttpResponse:
    if with_attachments:
        # Every attachment whose content we hold, fileUrl or not: the client sent it, so it gets it back.
        hashes = {a["sha2"] for s in statements for a in _attachment_declarations(s.data)}
        contents = Attachment.objects.filter(sha2__in=hashes)
        if (reach := _own_reach(request)) is not None:
            # Within its reach only: content it sent itself, not content it names by another's SHA-2.
            contents = contents.filter(senders__client=reach)
        parts = [(a.sha2, a.content_type, bytes(a.content)) for a in contents]
        response = multipart_response(result, parts)
    elif isinstance(result, bytes):
        response = HttpResponse(result, content_type="application/json")
    else:
        response = HttpResponse(dumps(result), content_type="application/json")
    _stamp(response, statements)
    return response


def _stamp(response: HttpResponse, statements: list[Statement] | list[selectors.StoredStatement]) -> None:
    response["X-Experience-API-Consistent-Through"] = consistent_through_now()
    if statements:
        response["Last-Modified"] = http_date(max(s.stored for s in statements).timestamp())


def _attachment_declarations(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The attachments of a statement and of its sub-statement."""
    found = list(statement.get("attachments", []))
    obj = statement.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        found.extend(obj.get("attachments", []))
    return found


def statements_get(request: LrsRequest) -> HttpResponse:
    if "more" in request.params:
        return _more(request)
    unknown = set(request.params) - STATEMENT_GET_PARAMS
    if unknown:
        raise LrsError(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")
    single = request.params.get("statementId") or request.params.get("voidedStatementId")
    if single is not None:
        return _single(request, single)
    query = _statement_filter(request)
    page, more, _ = selectors.statement_page(query)
    return _result(request, query, page, more)


def _single(request: LrsRequest, statement_id: str) -> HttpResponse:
    if "statementId" in request.params and "voidedStatementId" in request.params:
        raise LrsError(400, "use statementId or voidedStatementId, not both")
    extra = set(request.params) - {"statementId", "voidedStatementId", "format", "attachments"}
    if extra:
        raise LrsError(
            400, f"with a statement id only format and attachments may be given, not {', '.join(sorted(extra))}"
        )
    if not is_uuid(statement_id):
        raise LrsError(400, "must be a UUID", "statementId")
    fmt = request.params.get("format", "exact")
    if fmt not in FORMATS:
        raise LrsError(400, f"must be one of {', '.join(FORMATS)}", "format")
    voided = "voidedStatementId" in request.params
    statement = selectors.statement_by_id(statement_id, voided=voided, client=_own_reach(request))
    if statement is None:
        raise LrsError(404, "no such statement" + (" among voided statements" if voided else ""))
    data = selectors.render_statement(statement, format=fmt, languages=_languages(request))
    return _respond(request, data, [statement], with_attachments=bool_param(request, "attachments"))


def _result(
    request: LrsRequest, query: selectors.StatementFilter, page: list[selectors.StoredStatement], more: str
) -> HttpResponse:
    link = f"/xapi/statements?more={more}" if more else ""
    if query.format == "exact" and not query.attachments:
        # The statements exactly as stored: their JSON goes out as it came from the database, unparsed.
        body = b'{"statements":[' + ",".join(s.raw for s in page).encode() + b'],"more":' + dumps(link) + b"}"
        return _respond(request, body, page, with_attachments=False)
    languages = _languages(request)
    result = {
        "statements": [selectors.render_statement(s, format=query.format, languages=languages) for s in page],
        "more": link,
    }
    return _respond(request, result, page, with_attachments=query.attachments)


def _more(request: LrsRequest) -> HttpResponse:
    if set(request.params) != {"more"}:
        raise LrsError(400, "a more link carries its own parameters; send it alone")
    client = request.client
    try:
        query, after, bound = selectors.more_page(
            request.params["more"], reader_id=client.pk if client is not None else None
        )
    except selectors.MoreLinkRefused as exc:
        raise LrsError(400, str(exc), "more") from exc
    # The reach is the client's as it is now, whatever it was when the link was made.
    query.client_id = reach.pk if (reach := _own_reach(request)) is not None else None
    page, more, _ = selectors.statement_page(query, after_seq=after, bound=bound)
    return _result(request, query, page, more)


statements = csrf_exempt(
    resource({"GET": statements_get, "PUT": statements_put, "POST": statements_post}, consistent_through=True)
)


# --- Documents: state, activity profile, agent profile ---------------------------------------------


def _etag(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()  # an ETag, not security


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip() == "application/json"


def _document_scope(request: LrsRequest, kind: str) -> dict[str, Any]:
    """The lookup of the documents a request names, within the client's space: a client that reads only
    its own statements has a space of its own, every other client the shared one (Document.owner)."""
    client = request.client
    scope: dict[str, Any] = {
        "kind": kind,
        "activity_id": "",
        "agent_ifi": "",
        "registration": "",
        "owner": client if client is not None and client.own_statements_only else None,
    }
    if kind in (Document.Kind.STATE, Document.Kind.ACTIVITY_PROFILE):
        activity = request.params.get("activityId")
        if not activity:
            raise LrsError(400, "is required", "activityId")
        scope["activity_id"] = activity
    if kind in (Document.Kind.STATE, Document.Kind.AGENT_PROFILE):
        agent = json_param(request, "agent")
        if agent is None:
            raise LrsError(400, "is required", "agent")
        try:
            validate_actor(agent, "agent")
        except StatementInvalid as exc:
            raise LrsError(400, exc.message, exc.path) from exc
        scope["agent_ifi"] = agent_ifi(agent)
    if kind == Document.Kind.STATE:
        registration = request.params.get("registration", "")
        if registration and not is_uuid(registration):
            raise LrsError(400, "must be a UUID", "registration")
        scope["registration"] = registration.lower()
    return scope


ID_PARAM: dict[str, str] = {
    Document.Kind.STATE: "stateId",
    Document.Kind.ACTIVITY_PROFILE: "profileId",
    Document.Kind.AGENT_PROFILE: "profileId",
}
ALLOWED_PARAMS: dict[str, set[str]] = {
    Document.Kind.STATE: {"activityId", "agent", "registration", "stateId", "since"},
    Document.Kind.ACTIVITY_PROFILE: {"activityId", "profileId", "since"},
    Document.Kind.AGENT_PROFILE: {"agent", "profileId", "since"},
}


def _check_params(request: LrsRequest, kind: str) -> None:
    unknown = set(request.params) - ALLOWED_PARAMS[kind]
    if unknown:
        raise LrsError(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")


def _concurrency_controlled(request: LrsRequest, kind: str) -> bool:
    """Whether a PUT must carry If-Match or If-None-Match.

    xAPI 1.0.3 (Communication 3.1) applies ETag concurrency control to the Agent and Activity Profile
    resources; xAPI 2.0 (4.1.4) extends it to the State resource.
    """
    return kind != Document.Kind.STATE or request.major == "2.0"


def _precondition(request: LrsRequest, document: Document | None, *, kind: str) -> None:
    """If-Match / If-None-Match; under concurrency control a PUT needs one of them."""
    if_match, if_none = request.header("if-match"), request.header("if-none-match")
    if if_match:
        current = quote_etag(document.etag) if document else None
        wanted = [tag.strip() for tag in if_match.split(",")]
        if document is None or ("*" not in wanted and current not in wanted):
            raise LrsError(412, "the document changed since you read it (If-Match does not match)")
    if if_none and document is not None and (if_none.strip() == "*" or quote_etag(document.etag) in if_none):
        raise LrsError(412, "the document exists (If-None-Match)")
    if request.method == "PUT" and _concurrency_controlled(request, kind) and not if_match and not if_none:
        if document is not None:
            # "If a PUT request is received without either header for a resource that already exists,
            # the LRS MUST return HTTP status 409 Conflict".
            raise LrsError(
                409, "the document exists: send If-Match with its ETag (or If-None-Match: *) to overwrite it"
            )
        if kind != Document.Kind.STATE:
            # "A Client making a PUT request to either the Activity Profile or Agent Profile Resource MUST
            # include the If-Match header or the If-None-Match header" (Communication 3.1).
            raise LrsError(400, "send If-None-Match: * to create a profile document (or If-Match to replace one)")


def _document_write(request: LrsRequest, kind: str, *, merge: bool) -> HttpResponse:
    _check_params(request, kind)
    scope = _document_scope(request, kind)
    document_id = request.params.get(ID_PARAM[kind])
    if not document_id:
        raise LrsError(400, "is required", ID_PARAM[kind])
    content_type = request.content_type or "application/octet-stream"
    content = request.body
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(document_id=document_id, **scope).first()
        _precondition(request, document, kind=kind)
        if merge:
            if not _is_json(content_type):
                raise LrsError(400, "POST merges JSON documents; send Content-Type: application/json")
            incoming = _json_object(content)
            if document is not None:
                if not _is_json(document.content_type):
                    raise LrsError(400, "the stored document is not JSON, so it cannot be merged")
                merged = {**_json_object(bytes(document.content)), **incoming}
                content = json.dumps(merged).encode()
                content_type = "application/json"
        now = timezone.now()
        lookup: dict[str, Any] = {"document_id": document_id, **scope}
        values = {"content": content, "content_type": content_type, "etag": _etag(content), "updated": now}
        Document.objects.update_or_create(defaults=values, **lookup)
    return HttpResponse(status=204)


def _json_object(content: bytes) -> dict[str, Any]:
    value = parse_json(content, "the document")
    if not isinstance(value, dict):
        raise LrsError(400, "only JSON objects can be merged")
    return value


def _document_get(request: LrsRequest, kind: str) -> HttpResponse:
    _check_params(request, kind)
    scope = _document_scope(request, kind)
    document_id = request.params.get(ID_PARAM[kind])
    if document_id is not None:
        document = Document.objects.filter(document_id=document_id, **scope).first()
        if document is None:
            raise LrsError(404, "no such document")
        response = HttpResponse(bytes(document.content), content_type=document.content_type)
        response["ETag"] = quote_etag(document.etag)
        response["Last-Modified"] = http_date(document.updated.timestamp())
        return response
    documents = Document.objects.filter(**scope)
    since = _parse_time(request, "since")
    if since is not None:
        documents = documents.filter(updated__gt=since)
    return JsonResponse(list(documents.order_by("document_id").values_list("document_id", flat=True)), safe=False)


def _document_delete(request: LrsRequest, kind: str) -> HttpResponse:
    _check_params(request, kind)
    scope = _document_scope(request, kind)
    document_id = request.params.get(ID_PARAM[kind])
    documents = Document.objects.filter(**scope)
    if document_id is not None:
        documents = documents.filter(document_id=document_id)
        _precondition(request, documents.first(), kind=kind)
    elif kind != Document.Kind.STATE:
        raise LrsError(400, "is required", ID_PARAM[kind])
    documents.delete()
    return HttpResponse(status=204)


def _document_resource(kind: str) -> Any:
    return csrf_exempt(
        resource(
            {
                "GET": lambda r: _document_get(r, kind),
                "PUT": lambda r: _document_write(r, kind, merge=False),
                "POST": lambda r: _document_write(r, kind, merge=True),
                "DELETE": lambda r: _document_delete(r, kind),
            }
        )
    )


state = _document_resource(Document.Kind.STATE)
activity_profile = _document_resource(Document.Kind.ACTIVITY_PROFILE)
agent_profile = _document_resource(Document.Kind.AGENT_PROFILE)


# --- Activities, agents, about --------------------------------------------------------------------


def activities_get(request: LrsRequest) -> HttpResponse:
    activity_id = request.params.get("activityId")
    if not activity_id:
        raise LrsError(400, "is required", "activityId")
    if set(request.params) != {"activityId"}:
        raise LrsError(400, "only activityId is allowed")
    activity = Activity.objects.filter(activity_id=activity_id).first()
    body: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if activity is not None and activity.definition:
        body["definition"] = activity.definition
    return JsonResponse(body)


def agents_get(request: LrsRequest) -> HttpResponse:
    agent = json_param(request, "agent")
    if agent is None:
        raise LrsError(400, "is required", "agent")
    if set(request.params) != {"agent"}:
        raise LrsError(400, "only agent is allowed")
    try:
        validate_actor(agent, "agent")
    except StatementInvalid as exc:
        raise LrsError(400, exc.message, exc.path) from exc
    person: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return JsonResponse(person)


def about_get(request: LrsRequest) -> HttpResponse:
    return JsonResponse({"version": ["1.0.3", "2.0.0"], "extensions": {}})


activities = csrf_exempt(resource({"GET": activities_get}))
agents = csrf_exempt(resource({"GET": agents_get}))
about = csrf_exempt(resource({"GET": about_get}, needs_version=False, public=True))
