"""Pages load in Chromium without a console error or a Content Security Policy violation (htmx's own
inline indicator style was one, on every page), and the error pages fit a phone."""

from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in

pytestmark = pytest.mark.browser
# Recorded by the page itself, before any of its own scripts run (init scripts are not subject to the CSP).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile || ""}`);
});
"""


def _watch(page: Any, *, expected_status_of: str = "") -> list[str]:
    """Console errors and uncaught exceptions (but the browser's note on a page it asked to be a 404)."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error" and not (
            expected_status_of and message.location["url"].endswith(expected_status_of)
        ):
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(WATCH_CSP)
    return problems


def _assert_clean(page: Any, problems: list[str], url: str) -> None:
    page.wait_for_load_state("load")
    violations = page.evaluate("window.__csp")
    assert not violations and not problems, (url, violations, problems)


def test_pages_load_without_console_errors_or_csp_violations(page: Any, personas: Personas) -> None:
    problems = _watch(page)
    page.goto("/accounts/login/")
    _assert_clean(page, problems, "/accounts/login/")
    sign_in(page, personas.bob.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Bob")
    for url in ("/", "/people/", "/catalog/", "/skills/mine/", "/plans/", "/learning-time/", "/learning-record/"):
        page.goto(url)
        _assert_clean(page, problems, url)
    # htmx is working (a live search swaps the results) and its indicators are styled by app.css.
    page.goto("/people/")
    page.get_by_role("searchbox", name="Search people").fill("alice")
    expect(page.locator("#results")).to_contain_text("1 person")
    hidden = page.evaluate(
        "() => { const e = document.createElement('span'); e.className = 'htmx-indicator'; document.body.append(e);"
        " return getComputedStyle(e).visibility; }"
    )
    assert hidden == "hidden"
    assert page.locator("head style").count() == 0
    _assert_clean(page, problems, "/people/ after a search")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_friendly_404_fits_the_screen(browser: Any, live_server: Any, personas: Personas, width: int) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
    page = context.new_page()
    problems = _watch(page, expected_status_of="/no-such-page/")
    answer = page.goto("/no-such-page/")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not here")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _assert_clean(page, problems, "/no-such-page/")
    context.close()
