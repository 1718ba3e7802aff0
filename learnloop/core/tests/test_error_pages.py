"""Missing, forbidden and failing pages answer with the site's friendly pages, never Django's debug pages."""

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client, override_settings

from learnloop.core.testing import Personas

ROOT = Path(__file__).resolve().parents[3]
TECHNICAL = ("URLconf", "Traceback", "Request Method", "a stack that must not be shown", "a reason that must")


def _assert_friendly(answer: Any, status: int, heading: str) -> str:
    page = answer.content.decode()
    assert answer.status_code == status
    assert heading in page and f"Error {status}" in page
    assert not [word for word in TECHNICAL if word in page], page
    assert 'name="viewport"' in page and "learnloop/app.css" in page  # the site's layout, readable on a phone
    return page


def test_debug_is_off_in_tests() -> None:
    assert settings.DEBUG is False


def test_a_missing_page_is_the_friendly_404_with_a_way_on(db: None, personas: Personas) -> None:
    anonymous = _assert_friendly(Client().get("/no-such-page/"), 404, "This page is not here")
    assert 'href="/accounts/login/"' in anonymous
    client = Client()
    client.force_login(personas.alice)
    # An employee opening the admin area: denied objects are "not here", so nothing leaks.
    signed_in = _assert_friendly(client.get("/admin-area/"), 404, "This page is not here")
    assert "Go to your home page" in signed_in and "Browse the catalog" in signed_in
    assert client.get("/api/v1/no-such-thing").json()["error"]["code"] == "not_found"


@override_settings(ROOT_URLCONF="learnloop.core.tests.error_urls")
def test_a_forbidden_page_is_the_friendly_403(db: None, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    _assert_friendly(client.get("/test-forbidden/"), 403, "You may not do this")


def test_a_form_without_its_token_is_the_friendly_403(db: None) -> None:
    answer = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    page = _assert_friendly(answer, 403, "This form has expired")
    assert "Nothing was saved" in page and "CSRF cookie not set" not in page


@override_settings(ROOT_URLCONF="learnloop.core.tests.error_urls")
def test_a_failing_page_is_the_friendly_500(db: None, personas: Personas) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(personas.alice)
    _assert_friendly(client.get("/test-broken/"), 500, "Something went wrong on our side")


def _in_demo_settings(code: str, var_dir: Path) -> list[str]:
    dropped = ("LEARNLOOP_ENV", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "STATIC_ROOT")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env |= {
        "LEARNLOOP_ENV": "demo",
        "LEARNLOOP_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "learnloop.config.settings",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_the_demo_runs_as_production_does(tmp_path: Path) -> None:
    """`make demo` (LEARNLOOP_ENV=demo): no debug, a secret key of its own kept across restarts, local hosts
    only, collected static files served by whitenoise, and the friendly 404 instead of the URL map."""
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: export LEARNLOOP_ENV := demo" in makefile and "collectstatic" in makefile
    show = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECRET_KEY, ','.join(s.ALLOWED_HOSTS), s.STORAGES['staticfiles']['BACKEND'], "
        "'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)"
    )
    debug, key, hosts, storage, whitenoise = _in_demo_settings(show, tmp_path)
    assert debug == "False" and hosts == "127.0.0.1,localhost,[::1]" and whitenoise == "True"
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    kept = tmp_path / "secret_key"
    assert len(key) >= 50 and kept.read_text().strip() == key and "insecure" not in key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert _in_demo_settings(show, tmp_path)[1] == key  # the same after a restart
    assert _in_demo_settings(show, tmp_path / "elsewhere")[1] != key  # but not shared between installs

    page = (
        "from django.core.management import call_command; call_command('collectstatic', '--noinput', verbosity=0); "
        "from django.test import Client; c = Client(HTTP_HOST='127.0.0.1'); a = c.get('/no-such-page/'); "
        "css = c.get('/static/learnloop/app.css'); "
        "print(a.status_code, 'URLconf' in a.content.decode(), 'This page is not here' in a.content.decode(), "
        "css.status_code, Client(HTTP_HOST='evil.example').get('/').status_code)"
    )
    assert _in_demo_settings(page, tmp_path) == ["404", "False", "True", "200", "400"]
