"""Cached answers for hot, read-only GET routes (the people directory API, for example).

A route registers what its answer depends on: the data versions (see `DataVersion`) and a key part
for the viewer, because what a person may see differs (a manager sees a report's employment data).
`ResponseCacheMiddleware` authenticates the caller the same way the view would, reads the versions in
one query, and answers from the cache when it can. On a miss the view runs as usual and a 200 answer
is stored under the versions read *before* the view ran, so an answer computed while data changed is
never served after the change. Writes bump versions inside their transaction (signals for single
rows, explicit `version_bump` after bulk writes), and every entry also expires after
RESPONSE_CACHE_SECONDS, bounding staleness from any write path that forgot to bump.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse

DIRECTORY = "directory"


def version_bump(name: str) -> None:
    from learnloop.core.models import DataVersion

    if not DataVersion.objects.filter(name=name).update(value=F("value") + 1):
        DataVersion.objects.get_or_create(name=name, defaults={"value": 1})


def versions_get(names: tuple[str, ...]) -> tuple[int, ...]:
    from learnloop.core.models import DataVersion

    found = dict(DataVersion.objects.filter(name__in=names).values_list("name", "value"))
    return tuple(found.get(name, 0) for name in names)


@dataclass(frozen=True)
class CachedRoute:
    # The Django route pattern, as in `request.resolver_match.route` ("api/v1/people/<int:person_id>").
    route: str
    versions: tuple[str, ...]
    # The viewer's part of the key: everything about the viewer that can change the answer.
    viewer_key: Callable[[Any], str]


_ROUTES: dict[str, CachedRoute] = {}


def register(route: CachedRoute) -> None:
    _ROUTES[route.route] = route


def same_for_everyone(viewer: Any) -> str:
    """For answers every signed-in person sees alike (the route's owner tests that its policy says so)."""
    return ""


def by_person(viewer: Any) -> str:
    return str(viewer.pk)


def _viewer(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        from learnloop.accounts.services import token_authenticate

        return token_authenticate(header.removeprefix("Bearer ").strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class ResponseCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_response_cache_key", None)
        if key and response.status_code == 200 and not response.streaming:
            cache.set(key, (bytes(response.content), response["Content-Type"]), timeout=settings.RESPONSE_CACHE_SECONDS)
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if request.method != "GET" or not settings.RESPONSE_CACHE_SECONDS or request.resolver_match is None:
            return None
        route = _ROUTES.get(request.resolver_match.route)
        if route is None:
            return None
        viewer = _viewer(request)
        if viewer is None:
            return None
        versions = versions_get(route.versions)
        raw = f"{route.route}|{versions}|{route.viewer_key(viewer)}|{sorted(kwargs.items())}|{request.GET.urlencode()}"
        key = "rc:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        request._response_cache_key = key  # type: ignore[attr-defined]
        return None
