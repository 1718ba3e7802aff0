"""One view, two answers: the whole page, or only the fragment htmx asked for."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page_or_partial(
    request: HttpRequest, *, page: str, partial: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    template = partial if getattr(request, "htmx", False) else page
    return render(request, template, context, status=status)
