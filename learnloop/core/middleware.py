import zoneinfo
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.utils import timezone


class HtmxMiddleware:
    """Sets `request.htmx` when htmx made the request, so a view can answer with just a partial."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.htmx = request.headers.get("HX-Request") == "true"  # type: ignore[attr-defined]
        response = self.get_response(request)
        if request.htmx:  # type: ignore[attr-defined]
            response.setdefault("Vary", "HX-Request")
        return response


class PersonTimezoneMiddleware:
    """Renders the request in the signed-in person's own time zone (Person.time_zone), so every `|date`
    of a moment shows their local time; forms read typed times in it too. Settings.TIME_ZONE (UTC) stays
    the zone of storage, anonymous pages and the APIs, which answer the same whether a token or a
    browser session signed the request in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            if getattr(request, "_person_zone_active", False):
                timezone.deactivate()

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        # A view hook, placed after the response cache: a cached page (already rendered in its
        # viewer's zone, and keyed by viewer) is served without loading the signed-in account.
        if request.path.startswith(("/api/", "/xapi/")):
            return
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        try:
            viewer_zone = zoneinfo.ZoneInfo(zone) if zone else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            viewer_zone = None  # the model validates zones; a stale name falls back to the default
        if viewer_zone is not None:
            timezone.activate(viewer_zone)
            request._person_zone_active = True  # type: ignore[attr-defined]


_CSP_OVERRIDES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


class StaticCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the header built once. learnloop's policy is the same for every
    answer (no nonces, no per-view changes); building it per response cost a quarter of a bare request.
    A response that does carry per-view changes, or a request that used a nonce, takes django-csp's path."""

    _headers: tuple[str, str] | None = None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) or any(hasattr(response, name) for name in _CSP_OVERRIDES):
            return super().process_response(request, response)
        if StaticCSPMiddleware._headers is None:
            StaticCSPMiddleware._headers = (build_policy(), build_policy(report_only=True))
        enforced, report_only = StaticCSPMiddleware._headers
        if enforced and HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[HEADER] = enforced
        if report_only and HEADER_REPORT_ONLY not in response and not getattr(response, "_csp_exempt_ro", False):
            response[HEADER_REPORT_ONLY] = report_only
        return response


# Pages and forms use GET, HEAD and POST only; the JSON APIs have their own methods.
PAGE_METHODS = ("GET", "HEAD", "POST")
_API_PREFIXES = ("/api/", "/xapi/")


class PageMethodsMiddleware:
    """PUT, PATCH, DELETE, OPTIONS and anything else sent to a page answer 405 in one place: a page view that
    declares no methods would otherwise treat them like a GET (200) or even a form without data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in PAGE_METHODS and not request.path.startswith(_API_PREFIXES):
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)


class NoStoreMiddleware:
    """Answers to a signed-in caller (a session cookie or an Authorization header) carry
    `Cache-Control: no-store`, so no browser, proxy or shared cache keeps personal data. Answers that set
    their own Cache-Control (static files, served before this runs; a calendar feed) keep it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        cookie = settings.SESSION_COOKIE_NAME
        if "Cache-Control" not in response and (
            "Authorization" in request.headers or cookie in request.COOKIES or cookie in response.cookies
        ):
            response["Cache-Control"] = "no-store"
        return response
