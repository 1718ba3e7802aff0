"""Absolute addresses: from the request when there is one, else from the configured SITE_URL, which
`learnloop serve --port` (and so `make demo`) sets to where it listens when nothing else configured it."""

import io
import os
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from learnloop.core.http import absolute_url
from learnloop.core.management.commands import serve


@override_settings(SITE_URL="https://learn.example.com")
def test_an_address_follows_the_request_else_the_configured_site() -> None:
    request = RequestFactory().get("/", HTTP_HOST="localhost:9000")
    assert absolute_url("/xapi/", request) == "http://localhost:9000/xapi/"
    assert absolute_url("/xapi/") == "https://learn.example.com/xapi/"


@pytest.mark.parametrize(
    ("arguments", "site"),
    [
        (["--port", "9000"], "http://127.0.0.1:9000"),
        (["--host", "0.0.0.0", "--port", "9001"], "http://127.0.0.1:9001"),  # noqa: S104
        (["--host", "::1", "--port", "9002"], "http://[::1]:9002"),
    ],
)
def test_serve_sets_the_site_to_where_it_listens_unless_configured(
    monkeypatch: pytest.MonkeyPatch, arguments: list[str], site: str
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        serve._Gunicorn, "run", lambda self: seen.update(site=settings.SITE_URL, bind=self.options["bind"])
    )
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("SITE_URL_FILE", raising=False)
    with override_settings(SITE_URL="http://127.0.0.1:8000"):
        call_command("serve", *arguments, stdout=io.StringIO())
        assert seen["site"] == site
        # The worker started beside it (a new process) reads the same from its environment.
        assert os.environ["SITE_URL"] == site

    monkeypatch.setenv("SITE_URL", "https://learn.example.com")
    with override_settings(SITE_URL="https://learn.example.com"):
        call_command("serve", *arguments, stdout=io.StringIO())
        assert seen["site"] == "https://learn.example.com"
