"""How long a browser sign-in lasts: an idle timeout and an absolute lifetime.

A signed-in session records when it started and when it was last used. A session idle for longer than
SESSION_IDLE_TIMEOUT, or older than SESSION_MAX_LIFETIME whatever its use, is ended (flushed) before the
request is handled, so the request is anonymous: pages redirect to sign in, the API answers 401. The
last use is written at most once a minute, so an active session does not cost a write on every request.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

STARTED_KEY = "_ll_started"
SEEN_KEY = "_ll_seen"
SEEN_RESOLUTION_SECONDS = 60


def session_expired(started: float, seen: float, now: float) -> bool:
    return (
        now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
        or now - started > settings.SESSION_MAX_LIFETIME.total_seconds()
    )


def session_started(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """At sign-in (Django's user_logged_in): the clocks of the new session start."""
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = time.time()
            started = float(session.get(STARTED_KEY) or now)
            seen = float(session.get(SEEN_KEY) or now)
            if session_expired(started, seen, now):
                session.flush()
            else:
                if STARTED_KEY not in session:
                    session[STARTED_KEY] = started
                if SEEN_KEY not in session or now - seen >= SEEN_RESOLUTION_SECONDS:
                    session[SEEN_KEY] = now
        return self.get_response(request)
