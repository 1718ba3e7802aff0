"""What a locked-out sign-in sees: a page for people, 429 with Retry-After for API clients."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


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
