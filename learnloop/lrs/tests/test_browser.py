"""An org admin decides, in a real Chromium, which activities an LRS client's statements may move
learning for."""

import os
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_accessibility import WCAG_AA
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.lrs.models import Client

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
# Set to a folder to keep screenshots of the pages at both widths (for looking at them).
SCREENSHOTS = os.environ.get("LEARNLOOP_SCREENSHOTS", "")


def _looks_right(page: Any, name: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {size['width']} px"
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{label}.png", full_page=True)
    page.set_viewport_size(LAPTOP)


def test_an_org_admin_trusts_a_client_for_its_courses_and_changes_it(page: Any, personas: Personas) -> None:
    sign_in(page, personas.otto.username)
    page.goto("/learning-record/clients/")
    page.get_by_label("Name").fill("Academy course player")
    page.get_by_label("Trusted for activities starting with").fill("https://academy.example/courses/")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_role("status")).to_contain_text("Academy course player")
    row = page.get_by_role("row").filter(has_text="Academy course player")
    expect(row).to_contain_text("https://academy.example/courses/")
    _looks_right(page, "lrs-clients")

    row.get_by_role("link", name="Change what Academy course player is trusted for").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What “Academy course player” is trusted for")
    field = page.get_by_label("Trusted for activities starting with")
    expect(field).to_have_value("https://academy.example/courses/")
    field.fill("https://")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is not an absolute IRI with a host")).to_be_visible()
    _looks_right(page, "lrs-client-trust")
    page.get_by_label("Trusted for activities starting with").fill(
        "https://academy.example/courses/\nhttps://lms.example/content/"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved what Academy course player is trusted for.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Academy course player")).to_contain_text(
        "https://lms.example/content/"
    )
    assert Client.objects.get(name="Academy course player").trusted_activity_prefixes == [
        "https://academy.example/courses/",
        "https://lms.example/content/",
    ]
