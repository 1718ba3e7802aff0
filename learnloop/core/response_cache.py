"""Cached answers for hot, read-only GET routes: the people directory API and "my home".

A route registers what its answer depends on: data versions (see `DataVersion`; a name may contain
`{person}`, the viewer's id, for data about one person) and the viewer's part of the key, because what
a person may see differs (a manager sees a report's employment data). `ResponseCacheMiddleware`
identifies the caller the same way the view would, reads the versions in one query, and answers from
the cache when it can. On a miss the view runs as usual and a 200 answer is stored under the versions
read *before* the view ran, so an answer computed while data changed is never served after the change.

Writes bump versions inside their transaction: `track(Model, version=...)` bumps on every save and
delete of a row, and bulk writes call `version_bump` themselves. Every entry also expires (the route's
`seconds`, never more than RESPONSE_CACHE_SECONDS), which bounds staleness from any write path that
forgot to bump and from answers that depend on the clock ("due this week").

Pages are cached per browser session and CSRF cookie (the page carries the CSRF token), and never
while a flash message waits to be shown.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

DIRECTORY = "directory"
PERSON = "person:{person}"
# Part of every key: bumped after writes too broad to track row by row (`learnloop demo`, say).
EVERYTHING = "everything"
# Part of every key too: the viewer's own rights. Bumped when a role is granted or taken away, so every
# answer cached for that person retires at once (a removed L&D admin stops seeing drafts on the next
# request, not after the entry expires); other people's entries stay.
ACCESS = "access:{person}"


def version_bump(name: str) -> None:
    from learnloop.core.models import DataVersion

    if not DataVersion.objects.filter(name=name).update(value=F("value") + 1):
        DataVersion.objects.get_or_create(name=name, defaults={"value": 1})


def versions_get(names: tuple[str, ...]) -> tuple[int, ...]:
    # Plain SQL: this runs on every cached answer, and building the ORM query costs more than running it.
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, value FROM core_dataversion WHERE name IN ({placeholders})", list(names))  # noqa: S608
        found = dict(cursor.fetchall())
    return tuple(int(found.get(name, 0)) for name in names)


def person_version(person_id: int | None) -> str | None:
    return PERSON.format(person=person_id) if person_id is not None else None


def access_version(person_id: int | None) -> str | None:
    return ACCESS.format(person=person_id) if person_id is not None else None


_paused = threading.local()


@contextlib.contextmanager
def tracking_paused() -> Iterator[None]:
    """Skip per-row version bumps inside the block, for bulk work that retires everything itself at the
    end (`learnloop demo` bumps EVERYTHING): thousands of saves would each bump a version for nothing."""
    _paused.active = True
    try:
        yield
    finally:
        _paused.active = False


def track(
    model: type[Model],
    *,
    version: Callable[[Any], str | list[str | None] | None],
    ignore_fields: frozenset[str] = frozenset(),
) -> None:
    """Bump the version(s) `version(instance)` names whenever a row of `model` is saved or deleted.
    Saves that touch only `ignore_fields` (say, `last_login`) change nothing a cached answer shows."""

    def changed(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if getattr(_paused, "active", False):
            return
        if update_fields is not None and ignore_fields and set(update_fields) <= ignore_fields:
            return
        names = version(instance)
        for name in names if isinstance(names, list) else [names]:
            if name:
                version_bump(name)

    uid = f"response-cache-{model._meta.label_lower}-{id(version)}"
    post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save", weak=False)
    post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete", weak=False)


@dataclass(frozen=True)
class CachedRoute:
    # The Django route pattern, as in `request.resolver_match.route` ("api/v1/people/<person_id>").
    route: str
    versions: tuple[str, ...] | Callable[[], tuple[str, ...]]
    # The viewer's part of the key: everything about the viewer that can change the answer.
    viewer_key: Callable[[Any], str]
    seconds: int = 300
    # Pages carry a CSRF token and flash messages, so they are cached per browser session.
    page: bool = False
    # Query parameters whose answer depends on who asks even when the rest does not (`?manager=` lists a
    # team only for those who may see it): with one of them present the answer is keyed by viewer.
    per_viewer_params: tuple[str, ...] = ()


_ROUTES: dict[str, CachedRoute] = {}


def register(route: CachedRoute) -> None:
    _ROUTES[route.route] = route


def same_for_everyone(viewer: Any) -> str:
    """For answers every signed-in person sees alike (the route's owner tests that its policy says so)."""
    return ""


def by_person(viewer: Any) -> str:
    return str(viewer.pk)


@dataclass(frozen=True)
class Viewer:
    """Who is asking, by token or browser session: all a cached answer's key needs (keys use only `pk`)."""

    pk: int


def _viewer(request: HttpRequest) -> Any:
    from learnloop.accounts.services import session_person_id

    # Loading the whole account through the ORM costs more than serving the cached answer.
    person_id = session_person_id(request)
    if person_id is not None:
        return Viewer(pk=person_id)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _token_viewer_and_versions(secret: str, names: tuple[str, ...]) -> tuple[Viewer, tuple[int, ...]] | None:
    """The token's viewer and the values of the versions `names` ("team:{person}" naming the viewer), in
    one round trip to the database: an API answer served from the cache then costs one query, not two."""
    from learnloop.accounts.services import TOKEN_PREFIX, token_check_sql, token_used

    if not secret.startswith(TOKEN_PREFIX):
        return None
    token_sql, params = token_check_sql(secret)
    fixed = [name for name in names if "{person}" not in name]
    conditions = [f"d.name IN ({', '.join(['%s'] * len(fixed))})"] if fixed else []
    params += fixed
    for template in names:
        if "{person}" in template:
            prefix, _, suffix = template.partition("{person}")
            conditions.append("d.name IN (SELECT %s || CAST(tok.person_id AS TEXT) || %s FROM tok)")
            params += [prefix, suffix]
    # Only placeholders are joined in; every value travels as a parameter.
    where = " OR ".join(conditions)
    sql = (
        f"WITH tok AS ({token_sql}) "  # noqa: S608
        "SELECT 0, tok.token_id, tok.person_id, tok.stale, NULL FROM tok "
        f"UNION ALL SELECT 1, d.value, NULL, NULL, d.name FROM core_dataversion d WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    token = next((row for row in rows if row[0] == 0), None)
    if token is None:
        return None
    _, token_id, person_id, stale, _ = token
    token_used(token_id, stale=bool(stale))
    found = {row[4]: int(row[1]) for row in rows if row[0] == 1}
    return Viewer(pk=int(person_id)), tuple(found.get(name.format(person=person_id), 0) for name in names)


def _page_key(request: HttpRequest) -> str | None:
    """The browser session and CSRF cookie a cached page belongs to; None when it must not be cached."""
    session = getattr(request, "session", None)
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if session is None or not session.session_key or not csrf:
        return None
    if "_messages" in session or "messages" in request.COOKIES:
        return None
    return f"{session.session_key}|{csrf}"


def _identify(request: HttpRequest, route: CachedRoute) -> tuple[Any, tuple[int, ...], str] | None:
    """Who asks, the versions the answer depends on, and the browser session a page belongs to; None
    when the answer must not come from (or go to) the cache."""
    names = (EVERYTHING, ACCESS, *(route.versions() if callable(route.versions) else route.versions))
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and not route.page:
        found = _token_viewer_and_versions(header.removeprefix("Bearer ").strip(), names)
        return None if found is None else (*found, "")
    viewer = _viewer(request)
    if viewer is None:
        return None
    page_key = _page_key(request) if route.page else ""
    if page_key is None:
        return None
    return viewer, versions_get(tuple(name.format(person=viewer.pk) for name in names)), page_key


class ResponseCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_response_cache", None)
        if pending and response.status_code == 200 and not response.streaming:
            key, seconds = pending
            cache.set(key, (bytes(response.content), response["Content-Type"]), timeout=seconds)
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if request.method != "GET" or not settings.RESPONSE_CACHE_SECONDS or request.resolver_match is None:
            return None
        route = _ROUTES.get(request.resolver_match.route)
        if route is None or getattr(request, "htmx", False):
            return None
        identified = _identify(request, route)
        if identified is None:
            return None
        viewer, versions, page_key = identified
        raw = "|".join(
            (
                route.route,
                str(versions),
                by_person(viewer)
                if any(p in request.GET for p in route.per_viewer_params)
                else route.viewer_key(viewer),
                page_key,
                str(sorted(kwargs.items())),
                request.GET.urlencode(),
            )
        )
        key = "rc:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        request._response_cache = (key, min(route.seconds, settings.RESPONSE_CACHE_SECONDS))  # type: ignore[attr-defined]
        return None
