from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
