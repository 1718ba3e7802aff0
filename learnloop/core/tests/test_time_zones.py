"""Pages render in the signed-in person's time zone; storage, the API and anonymous pages stay in UTC."""

import datetime as dt
import zoneinfo

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from learnloop.core.middleware import PersonTimezoneMiddleware
from learnloop.core.templatetags.dates import moment
from learnloop.core.testing import Personas

pytestmark = pytest.mark.django_db


def _zone_seen_by_view(user, path: str = "/") -> tuple[str, str]:
    seen = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get(path)
    request.user = user

    def view_step(request: HttpRequest) -> HttpResponse:
        # As Django's handler does: every middleware's view hook, then the view, inside the middleware.
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware = PersonTimezoneMiddleware(view_step)
    middleware(request)
    return seen[0], timezone.get_current_timezone_name()


def test_a_signed_in_person_gets_their_zone_for_the_request_only(personas: Personas) -> None:
    personas.alice.time_zone = "Asia/Kolkata"
    assert _zone_seen_by_view(personas.alice) == ("Asia/Kolkata", "UTC")
    # The APIs answer alike for a token and a browser session: in UTC.
    assert _zone_seen_by_view(personas.alice, "/api/v1/me") == ("UTC", "UTC")
    assert _zone_seen_by_view(personas.alice, "/xapi/statements") == ("UTC", "UTC")


def test_anonymous_visitors_and_unknown_zones_get_the_default(personas: Personas) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert _zone_seen_by_view(AnonymousUser()) == ("UTC", "UTC")
    personas.alice.time_zone = "Mars/Base"  # validated on save; a stale name must not break pages
    assert _zone_seen_by_view(personas.alice) == ("UTC", "UTC")


def test_times_on_pages_are_local(client, personas: Personas) -> None:
    from learnloop.accounts.services import token_create

    token = token_create(actor=personas.alice, person=personas.alice, name="laptop")
    personas.alice.time_zone = "Asia/Kolkata"
    personas.alice.save(update_fields=["time_zone"])
    client.force_login(personas.alice)
    page = client.get("/accounts/tokens/").content.decode()
    created = token.token.created_at
    with timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        assert moment(created) in page
    with timezone.override(dt.UTC):
        assert moment(created) not in page  # not UTC
