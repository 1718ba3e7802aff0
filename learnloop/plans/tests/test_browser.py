"""Plan flows in a real Chromium: write a goal and get SMART advice live; complete learning attached to a
goal and see the plan's progress move; and every plans page passes axe-core's WCAG 2.2 AA rules."""

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.learning.services import item_create
from learnloop.plans import services
from learnloop.plans.tests.helpers import YEAR, check_for, enrol, goal_of, item, objective, plan_of

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _violations(page: Any) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


def test_write_a_plan_goal_and_get_smart_advice_as_you_type(page: Any, personas: Personas) -> None:
    objective()
    item("Retro masterclass", minutes=900)
    due = timezone.localdate() + dt.timedelta(days=14)
    sign_in(page, personas.alice.username)
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="Growth").click()
    menu.get_by_role("link", name="Plan").click()
    page.get_by_role("link", name="Start your plan").click()
    page.get_by_label("Period").fill(str(YEAR))
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", name="A new goal")).to_be_visible()
    page.get_by_label("Achieve an outcome").check()
    advice = page.locator("#smart-advice")
    page.get_by_label("Outcome", exact=True).fill("Get better at retrospectives")
    expect(advice).to_contain_text("How will you and your manager know")
    expect(advice).to_contain_text("Link the goal to an org objective")
    page.get_by_label("How it will be measured").fill("Improve them")
    expect(advice).to_contain_text("hard to check")
    page.get_by_label("How it will be measured").fill("Run 3 retrospectives with a written action list")
    page.get_by_label("Org objective").select_option(label=f"Grow our coaching culture ({YEAR})")
    page.get_by_label("Due date").fill(f"{YEAR}-12-15")
    expect(advice).not_to_contain_text("Measurable")
    expect(advice).not_to_contain_text("Relevant")
    # Attaching more learning than two hours a week allows until the due date is worth a word.
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_label("Search the catalog for more").fill("masterclass")
    page.get_by_label("Retro masterclass (Self-paced · 15 h)").check()
    expect(advice).to_contain_text("Achievable")
    expect(advice).to_contain_text("about 15 hours")
    # Advice never blocks: the goal saves as written.
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_role("status").first).to_contain_text("Goal saved")
    expect(page.get_by_role("article")).to_contain_text("Get better at retrospectives")
    expect(page.get_by_role("article")).to_contain_text("Retro masterclass")


def test_complete_an_item_attached_to_a_goal_and_see_progress_move(page: Any, personas: Personas) -> None:
    alice = personas.alice
    first = item_create(actor=None, kind="self_paced", title="Retro facilitation", summary="Run a good retro.")
    second = item("Retro formats")
    goal_of(alice, first, second)
    enrol(alice, second, status="in_progress", progress=50)
    sign_in(page, alice.username)
    plan = plan_of(alice)
    page.goto(f"/plans/{plan.pk}/")
    expect(page.get_by_role("progressbar", name="Goal progress: 25% done")).to_be_visible()
    page.get_by_role("link", name="Retro facilitation").click()
    page.get_by_role("button", name="Enrol").click()
    page.get_by_role("link", name="Mark complete").click()
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_role("status")).to_contain_text("Well done")
    page.goto(f"/plans/{plan.pk}/")
    expect(page.get_by_role("progressbar", name="Goal progress: 75% done")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Plan progress: 75% done")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("region", name=f"My plan: {YEAR}")).to_contain_text("75%")


def test_plans_pages_are_accessible(page: Any, personas: Personas) -> None:
    alice, bob, lena = personas.alice, personas.bob, personas.lena
    catalog_item = item("Retro facilitation")
    goal = goal_of(alice, catalog_item)
    plan = goal.plan
    services.plan_comment_add(actor=bob, plan=plan, body="Good start.")
    check = check_for(alice)
    services.transfer_check_answer(actor=alice, check=check, applied="partly", how="Once so far.")
    sign_in(page, alice.username)
    for url in (
        "/",
        "/plans/",
        "/plans/new/",
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/?advice={goal.pk}",
        f"/plans/{plan.pk}/edit/",
        f"/plans/{plan.pk}/goals/new/",
        f"/plans/goals/{goal.pk}/edit/",
        "/plans/transfer/",
        f"/plans/transfer/{check.pk}/",
    ):
        page.goto(url)
        assert _violations(page) == "", url
    page.context.clear_cookies()
    sign_in(page, bob.username)
    for url in ("/plans/team/", f"/plans/{plan.pk}/", f"/plans/people/{alice.pk}/"):
        page.goto(url)
        assert _violations(page) == "", url
    page.context.clear_cookies()
    sign_in(page, lena.username)
    objective_id = objective().pk
    for url in (
        "/plans/objectives/",
        "/plans/objectives/new/",
        f"/plans/objectives/{objective_id}/edit/",
        "/plans/transfer/insights/",
    ):
        page.goto(url)
        assert _violations(page) == "", url
