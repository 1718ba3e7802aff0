import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from learnloop.core.testing import Personas, make_personas

# `make mutation` runs every test once per mutant under a tracer: the same examples each time, and no
# clock-based checks that a loaded machine fails (docs/testing.md).
settings.register_profile(
    "mutation",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
    max_examples=30,
)

# Debian's Chromium, never a downloaded browser. CHROMIUM_PATH points elsewhere if needed.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: data versions restart when a test's transaction rolls back,
    so an answer cached by one test must never be served in the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        message = "Chromium is not installed (Debian: apt-get install chromium); browser tests need it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + ". In CI a missing browser is a failure, not a skip.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body
    # are still synchronous and safe, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
