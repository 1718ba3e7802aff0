"""The xAPI HTTP conventions every LRS resource shares: credentials, versions, CORS, alternate syntax, multipart."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from learnloop.core.input import InputError, json_loads
from learnloop.lrs.models import Client
from learnloop.lrs.services import client_authenticate
from learnloop.lrs.validation import StatementInvalid

SUPPORTED = ("1.0", "2.0")
RESPONSE_VERSION = {"1.0": "1.0.3", "2.0": "2.0.0"}
ALLOWED_HEADERS = "Authorization, Content-Type, Content-Length, If-Match, If-None-Match, X-Experience-API-Version"
EXPOSED_HEADERS = "ETag, Last-Modified, Content-Type, X-Experience-API-Consistent-Through, X-Experience-API-Version"
MAX_BODY = 20 * 1024 * 1024


class LrsError(Exception):
    def __init__(self, status: int, message: str, path: str = "") -> None:
        self.status = status
        self.message = message
        self.path = path
        super().__init__(message)


@dataclass
class LrsRequest:
    """What a resource needs from a request, after the alternate syntax has been unwrapped."""

    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    content_type: str
    version: str  # the request's xAPI version, such as "1.0.3"
    client: Client | None

    @property
    def major(self) -> str:
        return "2.0" if self.version.startswith("2.") else "1.0"

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def _headers(request: HttpRequest) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _unwrap_alternate(request: HttpRequest, headers: dict[str, str]) -> tuple[str, dict[str, str], bytes, str]:
    """xAPI 1.0.3's alternate request syntax: POST ?method=X with headers and content in a form body."""
    method = request.GET.get("method", "")
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
    if request.method != "POST" or not method:
        if "method" in params:
            raise LrsError(400, "the method parameter is only allowed on POST (alternate request syntax)")
        return request.method or "GET", params, request.body, headers.get("content-type", "")
    if set(params) != {"method"}:
        raise LrsError(400, "with the alternate request syntax every parameter must be in the form body")
    if method.upper() not in ("GET", "PUT", "POST", "DELETE"):
        raise LrsError(400, f"method={method!r} is not an xAPI method")
    if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise LrsError(400, "the alternate request syntax needs an application/x-www-form-urlencoded body")
    form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    content = form.pop("content", "").encode()
    header_names = (
        "authorization",
        "x-experience-api-version",
        "content-type",
        "content-length",
        "if-match",
        "if-none-match",
    )
    # The outer Content-Type describes the form, not the content: the content's type comes from a
    # Content-Type form field (Communication 1.3 treats it as a header), or is JSON by default.
    headers.pop("content-type", None)
    headers.pop("content-length", None)
    for name in list(form):
        if name.lower() in header_names:
            headers[name.lower()] = form.pop(name)
    return method.upper(), form, content, headers.get("content-type", "application/json")


def _client(headers: dict[str, str]) -> Client | None:
    auth = headers.get("authorization", "")
    if not auth.lower().startswith("basic "):
        return None
    try:
        key, _, secret = base64.b64decode(auth[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return client_authenticate(key, secret)


def _version(headers: dict[str, str]) -> str:
    version = headers.get("x-experience-api-version", "")
    if not version:
        raise LrsError(400, "the X-Experience-API-Version header is required")
    parts = version.split(".")
    if len(parts) < 2 or ".".join(parts[:2]) not in SUPPORTED or not all(p.isascii() and p.isdigit() for p in parts):
        raise LrsError(400, f"X-Experience-API-Version {version!r} is not supported (use 1.0.3 or 2.0.0)")
    return version


# What a response names when neither the request nor its client says which version it speaks.
FALLBACK_VERSION = "2.0.0"


def cors(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """CORS for content in a browser on another origin: only origins in XAPI_CORS_ORIGINS ("*" for any)
    are answered, and credentials (cookies) are allowed only with XAPI_CORS_CREDENTIALS and a named
    origin: xAPI content authenticates with its client's Basic credentials, not a browser's session."""
    origin = request.headers.get("Origin")
    patch_vary_headers(response, ["Origin"])
    allowed = settings.XAPI_CORS_ORIGINS
    if not origin or not (origin in allowed or "*" in allowed):
        return response
    named = origin in allowed
    response["Access-Control-Allow-Origin"] = origin if named else "*"
    if named and settings.XAPI_CORS_CREDENTIALS:
        response["Access-Control-Allow-Credentials"] = "true"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
    response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def error(status: int, message: str, path: str = "") -> JsonResponse:
    code = {
        400: "invalid",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        412: "precondition_failed",
        413: "too_large",
        405: "method_not_allowed",
    }.get(status, "error")
    fields = {path or "request": [message]}
    return JsonResponse(
        {"error": {"code": code, "message": f"{path}: {message}" if path else message, "fields": fields}}, status=status
    )


Handler = Callable[[LrsRequest], HttpResponse]


def resource(
    handlers: dict[str, Handler], *, needs_version: bool = True, public: bool = False, consistent_through: bool = False
) -> Callable[[HttpRequest], HttpResponse]:
    """A Django view for one xAPI resource: unwraps, authenticates, checks the version, dispatches.

    `consistent_through` (the Statement resource): Communication 2.1.3 says the LRS returns the
    X-Experience-API-Consistent-Through header on GET "regardless of the code returned", errors included.
    """

    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS":
            return cors(HttpResponse(status=200), request)
        version = FALLBACK_VERSION
        method = request.method or "GET"
        try:
            headers = _headers(request)
            method, params, body, content_type = _unwrap_alternate(request, headers)
            head = method == "HEAD"
            if head:
                method = "GET"
            # Read the version before authenticating so that every response, a 401 included, names the
            # version the client speaks ("The LRS MUST include the X-Experience-API-Version header in
            # every response"); a bad header is reported after authentication.
            version_error: LrsError | None = None
            if needs_version or headers.get("x-experience-api-version"):
                try:
                    version = _version(headers)
                except LrsError as exc:
                    version_error = exc
            client = _client(headers)
            if version_error is not None and client is not None and not headers.get("x-experience-api-version"):
                # Every response names a version, and xAPI 1.0.3 and 2.0 each expect their own on the 400
                # for a missing header; the client's configured version (its content's) decides.
                version = client.xapi_version
            if client is None and not public:
                raise LrsError(401, "send the key and secret of an LRS client with HTTP Basic authentication")
            if version_error is not None:
                raise version_error
            if version.startswith("2.") and request.method == "POST" and "method" in request.GET:
                # IEEE 9274.1.1 dropped xAPI 1.0.3's alternate request syntax (Communication 1.3).
                raise LrsError(400, "xAPI 2.0 has no alternate request syntax: send the method itself", "method")
            if method not in handlers:
                raise LrsError(405, f"{method} is not supported on this resource")
            if client is not None and method == "GET" and not client.can_read:
                raise LrsError(403, "this client may not read")
            if client is not None and method in ("PUT", "POST", "DELETE") and not client.can_write:
                raise LrsError(403, "this client may not write")
            if len(body) > MAX_BODY:
                raise LrsError(413, f"the request body is larger than {MAX_BODY // (1024 * 1024)} MB")
            for name, value in params.items():
                # No xAPI identifier, IRI or id contains NUL, and PostgreSQL text cannot hold one.
                if "\x00" in name or "\x00" in value:
                    raise LrsError(400, f"the {name!r} parameter contains a NUL character", name.replace("\x00", ""))
            lrs_request = LrsRequest(
                method=method,
                params=params,
                headers=headers,
                body=body,
                content_type=content_type,
                version=version,
                client=client,
            )
            response = handlers[method](lrs_request)
            if head:
                response.content = b""
        except LrsError as exc:
            response = error(exc.status, exc.message, exc.path)
            if exc.status == 401:
                response["WWW-Authenticate"] = 'Basic realm="learnloop xAPI"'
        except StatementInvalid as exc:
            response = error(400, exc.message, exc.path)
        major = "2.0" if version.startswith("2.") else "1.0"
        response["X-Experience-API-Version"] = RESPONSE_VERSION[major]
        if consistent_through and method in ("GET", "HEAD") and "X-Experience-API-Consistent-Through" not in response:
            response["X-Experience-API-Consistent-Through"] = consistent_through_now()
        return cors(response, request)

    view.http_methods = frozenset(handlers)  # type: ignore[attr-defined]  # the permission matrix reads it
    return view


def json_body(request: LrsRequest) -> Any:
    if not request.body:
        raise LrsError(400, "the request body is empty")
    return parse_json(request.body)


def parse_json(raw: bytes | str, what: str = "the body", name: str = "") -> Any:
    """JSON from a client, through core's input checks (invalid Unicode, NUL and other control characters,
    nesting, length), answered as an xAPI 400 naming the property. Numbers stay exact."""
    try:
        return json_loads(raw, exact_numbers=True)
    except InputError as exc:
        path = name if exc.field == "body" else f"{name}.{exc.field}" if name else exc.field
        subject = what if exc.field == "body" else path
        raise LrsError(400, f"{subject} {exc.message}", path) from exc


def json_param(request: LrsRequest, name: str) -> Any:
    raw = request.params.get(name)
    if raw is None:
        return None
    return parse_json(raw, f"the {name} parameter", name)


def bool_param(request: LrsRequest, name: str) -> bool:
    raw = request.params.get(name, "false").lower()
    if raw not in ("true", "false"):
        raise LrsError(400, "must be true or false", name)
    return raw == "true"


def consistent_through_now() -> str:
    return timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- multipart/mixed ------------------------------------------------------------------------------

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"


def parse_multipart(request: LrsRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """The statements (first part) and attachments by SHA-2 from a multipart/mixed statement request."""
    head = f"Content-Type: {request.content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    if not message.is_multipart():
        raise LrsError(400, "the multipart/mixed body could not be read (check the boundary)")
    parts = list(message.iter_parts())
    if not parts:
        raise LrsError(400, "the multipart/mixed body has no parts")
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise LrsError(400, "the first part of a multipart statement request must be application/json")
    payload = first.get_payload(decode=True)
    statements = parse_json(payload if isinstance(payload, bytes) else b"", "the statement part")
    attachments: dict[str, tuple[str, bytes]] = {}
    for part in parts[1:]:
        sha2 = part.get("X-Experience-API-Hash")
        if not sha2:
            raise LrsError(400, "every attachment part needs an X-Experience-API-Hash header")
        if (part.get("Content-Transfer-Encoding") or "").lower() != "binary":
            raise LrsError(400, "every attachment part needs Content-Transfer-Encoding: binary")
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        digests = {
            hashlib.sha256(content).hexdigest(),
            hashlib.sha384(content).hexdigest(),
            hashlib.sha512(content).hexdigest(),
            hashlib.sha224(content).hexdigest(),
        }
        if sha2.lower() not in digests:
            raise LrsError(400, "an attachment's content does not match its X-Experience-API-Hash")
        attachments[sha2] = (part.get_content_type(), content)
    return statements, attachments


def multipart_response(result: Any, attachments: list[tuple[str, str, bytes]]) -> HttpResponse:
    digest = hashlib.sha1(json.dumps(result, sort_keys=True).encode(), usedforsecurity=False).hexdigest()
    boundary = f"learnloop-{digest}"
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), json.dumps(result).encode()]
    for sha2, content_type, content in attachments:
        chunks.append(
            f"\r\n--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks.append(content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return HttpResponse(b"".join(chunks), content_type=f"multipart/mixed; boundary={boundary}")
