"""The confirm step in a real Chromium: backing out of and confirming a destructive action, in the dialog
(with JavaScript) and on the confirm page (without)."""

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import PASSWORD, sign_in
from learnloop.plans.models import Goal, Plan

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _goal(person: Any) -> Goal:
    plan = Plan.objects.create(
        person=person, period="2999", starts_on=dt.date(2999, 1, 1), ends_on=dt.date(2999, 12, 31)
    )
    return Goal.objects.create(plan=plan, kind=Goal.Kind.OUTCOME, outcome="Run our retrospectives", measure="3 by June")


def test_back_out_of_removing_a_goal_then_remove_it_in_the_dialog(page: Any, personas: Personas) -> None:
    goal = _goal(personas.alice)
    sign_in(page, personas.alice.username)
    page.goto(f"/plans/{goal.plan_id}/")
    remove = page.get_by_role("link", name="Remove Run our retrospectives")
    remove.click()
    dialog = page.get_by_role("dialog", name="Remove this goal?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("“Run our retrospectives” leaves your plan")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    assert Axe().run(page, options=WCAG_AA).violations_count == 0
    page.keyboard.press("Enter")  # on the focused "Cancel"
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(remove).to_be_focused()
    assert Goal.objects.filter(pk=goal.pk).exists()
    # Escape backs out too.
    remove.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    remove.click()
    page.get_by_role("dialog").get_by_role("button", name="Remove the goal").click()
    expect(page.get_by_role("status")).to_contain_text("Goal removed")
    expect(page.get_by_role("article")).to_have_count(0)
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_without_javascript_the_confirm_page_backs_out_and_confirms(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    goal = _goal(personas.alice)
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(personas.alice.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"/plans/{goal.plan_id}/")
        page.get_by_role("link", name="Close plan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Close this plan?")
        expect(page.get_by_text("cannot be reopened")).to_be_visible()
        expect(page.get_by_role("link", name="Cancel")).to_be_focused()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("link", name="Cancel").click()
        expect(page).to_have_url(f"{live_server.url}/plans/{goal.plan_id}/")
        assert Plan.objects.get(pk=goal.plan_id).status == "open"
        page.get_by_role("link", name="Close plan").click()
        page.get_by_role("button", name="Close the plan").click()
        expect(page.get_by_role("status")).to_contain_text("plan is closed")
        assert Plan.objects.get(pk=goal.plan_id).status == "closed"
    finally:
        context.close()
