"""The one boundary every request crosses before a view sees it.

Text from outside is refused, with a 400 that names the parameter or field, when nothing a person types
could contain it and storing it would fail or mislead later: invalid UTF-8 and lone surrogates (neither
SQLite nor PostgreSQL can store them; encoding them is a 500), NUL (PostgreSQL text cannot hold it), other
control characters (they hide text in titles and logs; tab, line feed and carriage return stay allowed in
bodies), JSON nested past `MAX_JSON_DEPTH` (the standard parser recurses: 50,000 `[` is a RecursionError),
and text longer than the ceilings below (a 300,000-character search is a "LIKE pattern too complex").

Fields then apply their own, smaller bounds: `core.bounds.Line` / `Text` in API schemas, `max_length` in
forms. The LRS at /xapi/ answers in xAPI's own error format, so it calls `json_loads` and `check_text`
itself (lrs/http.py) instead of going through the middleware.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse

MAX_JSON_DEPTH = 64
# The longest text any one field may hold (a reflection, a write-up); fields set smaller bounds of their own.
MAX_TEXT = 100_000
# The longest value of one query-string parameter (a search, a filter, an xAPI agent as JSON).
MAX_PARAM = 4_096

# C0 controls and DEL, except tab, line feed and carriage return; with them for one-line values.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Bodies read as text: everything but file uploads and binary documents.
_BINARY_TYPES = ("multipart/form-data", "application/octet-stream")


class InputError(ValueError):
    """Input refused at the boundary; `field` names where it was (a parameter, `body`, or a JSON path)."""

    def __init__(self, field: str, message: str, *, status: int = 400) -> None:
        self.field = field
        self.message = message
        self.status = status
        super().__init__(f"{field}: {message}")


def text_problem(value: str, *, single_line: bool = False, max_length: int = MAX_TEXT) -> str | None:
    """What is wrong with one piece of text from outside, in words for the person who sent it, or None."""
    if len(value) > max_length:
        return f"is {len(value):,} characters long; the most allowed is {max_length:,}."
    if "\x00" in value:
        return "contains a NUL character, which is not allowed."
    if _SURROGATE.search(value):
        return "contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode."
    if (_CONTROL_LINE if single_line else _CONTROL).search(value):
        kind = "a line break or control character" if single_line else "a control character"
        return f"contains {kind}, which is not allowed here."
    return None


def check_text(value: str, field: str, *, single_line: bool = False, max_length: int = MAX_TEXT) -> str:
    problem = text_problem(value, single_line=single_line, max_length=max_length)
    if problem:
        raise InputError(field, problem)
    return value


def json_loads(raw: bytes | str, *, exact_numbers: bool = False) -> Any:
    """Parse a JSON document from outside, refusing what `check_json` refuses. orjson reads it first: it is
    strict (invalid UTF-8, lone surrogates, NaN and Infinity are errors) and does not recurse without
    bound. `exact_numbers` reads it again with the standard parser, which keeps integers past 64 bits
    exact (orjson turns them into floats): the LRS stores documents as sent."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "surrogate" not in str(exc) and "infinity" not in str(exc):
            raise InputError("body", f"is not valid JSON ({exc}).") from exc
        # Well-formed JSON that orjson will not hold: half a surrogate pair (read it again to name the
        # field that has it) or a number past a double's range (valid JSON; the field's bounds judge it).
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError) as again:
            raise InputError("body", f"is not valid JSON ({exc}).") from again
    check_json(value)
    if exact_numbers:
        value = json.loads(raw)
    return value


def check_json(value: Any, path: str = "body") -> None:
    """Walk a parsed document without recursion: nesting depth and every string (keys too)."""
    stack: list[tuple[Any, str, int]] = [(value, path, 1)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, str):
            check_text(node, where)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise InputError(where, f"is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(node, dict):
            for key, child in node.items():
                name = f"{where}.{key}" if where != "body" else str(key)
                check_text(key, name)
                stack.append((child, name, depth + 1))
        else:
            for index, child in enumerate(node):
                stack.append((child, f"{where}[{index}]", depth + 1))


def _params_problem(request: HttpRequest) -> InputError | None:
    for name, values in request.GET.lists():
        label = name.replace("\x00", "")[:100] or "parameter"
        problem = text_problem(name, single_line=True, max_length=200)
        for value in values:
            problem = problem or text_problem(value, max_length=MAX_PARAM)
        if problem:
            return InputError(label, problem)
    return None


def _body_problem(request: HttpRequest) -> InputError | None:
    content_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type.startswith("multipart/"):
        if "boundary=" not in (request.META.get("CONTENT_TYPE") or ""):
            return InputError("Content-Type", "is multipart but names no boundary.")
        return None
    if content_type in _BINARY_TYPES:
        return None
    length = _content_length(request)
    if length is None:
        return InputError("Content-Length", "is not a number.")
    if length == 0:
        return None
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return InputError("body", f"is {length:,} bytes; the most allowed is {limit:,}.", status=413)
    raw = request.body
    if content_type == "application/x-www-form-urlencoded":
        for name, values in request.POST.lists():
            for value in values:
                problem = text_problem(name, single_line=True, max_length=200) or text_problem(value)
                if problem:
                    return InputError(name.replace("\x00", "")[:100] or "field", problem)
        return None
    if request.path.startswith("/api/") or content_type.endswith("json"):
        # The API reads every body as JSON, whatever it is labelled (text/plain included).
        try:
            json_loads(raw)
        except InputError as exc:
            return exc
        return None
    try:
        check_text(raw.decode("utf-8"), "body")
    except UnicodeDecodeError:
        return InputError("body", "is not valid UTF-8.")
    except InputError as exc:
        return exc
    return None


def _content_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 15):
        return None
    return int(raw)


class InputGuardMiddleware:
    """Refuses, before any view runs, what `text_problem` and `json_loads` refuse: in the query string on
    every path, and in bodies read as text. The API answers with its error body, pages with plain text;
    /xapi/ is left to the LRS, which answers in xAPI's form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/xapi/"):
            problem = _params_problem(request)
            if problem is None and request.method in ("POST", "PUT", "PATCH", "DELETE"):
                problem = _body_problem(request)
            if problem is not None:
                return refuse(request, problem)
        return self.get_response(request)


def refuse(request: HttpRequest, problem: InputError) -> HttpResponse:
    message = f"{problem.field} {problem.message}"
    status = problem.status
    if request.path.startswith("/api/"):
        from learnloop.core.api import error_response

        return error_response(status, "invalid", message, {problem.field: [message]})
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
