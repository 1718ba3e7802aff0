"""What a locked-out sign-in sees: a page for people, 429 with Retry-After for API clients."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The address lockout counts failures by. Behind TRUSTED_PROXY_COUNT reverse proxies, each of which
    appends the address it received the request from to X-Forwarded-For, the client is the address that
    many places from the end of that chain (REMOTE_ADDR being the last proxy). Entries further left were
    written by the client itself and are ignored, so a forged header cannot choose the address."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, *([remote] if remote else [])]
    if not chain:
        return remote
    return chain[-(proxies + 1)] if len(chain) > proxies else chain[0]


def retry_after_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    retry_after = retry_after_seconds()
    minutes = max(1, retry_after // 60)
    message = f"Too many failed sign-in attempts. Try again in {minutes} minutes, or reset your password."
    if request.path.startswith("/api/"):
        resp: HttpResponse = JsonResponse(
            {"error": {"code": "locked_out", "message": message, "fields": {}}}, status=429
        )
    else:
        resp = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    resp["Retry-After"] = str(retry_after)
    return resp
