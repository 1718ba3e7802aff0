"""Learning time in a real Chromium: book a session and plan a block, see both; axe on every page."""

import datetime as dt
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.learning.models import Booking, CatalogItem, Session
from learnloop.learningtime.tests.factories import block

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _violations(page: Any) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


def _session(days: float) -> Session:
    item = CatalogItem.objects.create(kind="live_session", title="Negotiation workshop", summary="Practise.")
    start = (timezone.now() + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return Session.objects.create(
        item=item, starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=5, time_zone="Europe/Berlin"
    )


def test_book_a_session_plan_a_block_and_see_both(page: Any, personas: Personas) -> None:
    session = _session(3)
    sign_in(page, personas.alice.username)
    page.goto(f"/catalog/{session.item_id}/")
    page.get_by_role("button", name="Book a seat").click()
    expect(page.get_by_role("status")).to_contain_text("You have a seat")
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="Growth").click()
    menu.get_by_role("link", name="Learning time").click()
    page.get_by_role("link", name="Plan a learning block").click()
    page.get_by_label("Title").fill("Read the negotiation pre-reading")
    page.get_by_label("Day").fill((timezone.now() + dt.timedelta(days=2)).date().isoformat())
    page.get_by_label("From").fill("09:00")
    page.get_by_label("Until").fill("10:30")
    page.get_by_role("button", name="Plan it").click()
    expect(page.get_by_role("status")).to_contain_text("is in your learning time")
    coming = page.get_by_role("region", name="Coming up")
    expect(coming).to_contain_text("Read the negotiation pre-reading")
    expect(coming).to_contain_text("Negotiation workshop")
    expect(coming).to_contain_text("Session booked")
    expect(page.get_by_role("region", name="This week")).to_contain_text("Budget")
    # A second block on top of the first is refused on the field, with the reason.
    page.get_by_role("link", name="Plan a learning block").click()
    page.get_by_label("Title").fill("Overlapping")
    page.get_by_label("Day").fill((timezone.now() + dt.timedelta(days=2)).date().isoformat())
    page.get_by_label("From").fill("10:00")
    page.get_by_label("Until").fill("11:00")
    page.get_by_role("button", name="Plan it").click()
    expect(page.get_by_text("overlaps your block")).to_be_visible()


def test_learning_time_and_session_pages_are_accessible(page: Any, personas: Personas) -> None:
    mine = block(personas.alice, timezone.now() + dt.timedelta(days=1), 45, "Read a chapter")
    block(personas.alice, timezone.now() - dt.timedelta(hours=3), 30, "Earlier block")
    upcoming = _session(2)
    Booking.objects.create(session=upcoming, person=personas.alice, status="booked", queued_at=timezone.now())
    sign_in(page, personas.alice.username)
    for url in ("/", "/learning-time/", "/learning-time/blocks/new/", f"/learning-time/blocks/{mine.pk}/edit/"):
        page.goto(url)
        assert _violations(page) == "", url
    page.goto("/learning-time/")
    page.get_by_role("button", name="Make my calendar address").click()
    expect(page.get_by_label("Your calendar address")).to_be_visible()
    assert _violations(page) == "", "calendar address shown"

    page.context.clear_cookies()
    sign_in(page, personas.bob.username)
    for url in ("/learning-time/team/", f"/learning-time/people/{personas.alice.pk}/budget/"):
        page.goto(url)
        assert _violations(page) == "", url

    started = _session(-0.05)
    Booking.objects.create(session=started, person=personas.alice, status="booked", queued_at=timezone.now())
    page.context.clear_cookies()
    sign_in(page, personas.lena.username)
    for url in (f"/catalog/{started.item_id}/", f"/catalog/sessions/{started.pk}/roster/"):
        page.goto(url)
        assert _violations(page) == "", url
    page.get_by_role("button", name=re.compile(r"^Attended\W+Alice Adams$")).click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    assert Booking.objects.get(session=started).status == "attended"
