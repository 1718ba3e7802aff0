"""Scheduling in a real Chromium: an L&D admin schedules a session from the item's page and moves it; the
booked person sees it on their home. Every page on the way passes axe-core's WCAG 2.2 AA rules."""

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.learning.models import Session
from learnloop.learning.services import item_create
from learnloop.learning.sessions import session_book
from learnloop.notifications.models import Notification

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _violations(page: Any) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


def test_an_ld_admin_schedules_a_session_and_moves_it(page: Any, personas: Personas) -> None:
    item = item_create(actor=None, kind="lunch_and_learn", title="Testing in production", summary="Safely.")
    day = timezone.localdate() + dt.timedelta(days=9)
    sign_in(page, personas.lena.username)
    page.goto(f"/catalog/{item.pk}/")
    page.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions: Testing in production")
    assert _violations(page) == ""
    page.get_by_label("Starts").fill(f"{day}T12:00")
    page.get_by_label("Ends").fill(f"{day}T11:00")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Seats").fill("20")
    page.get_by_label("Place").fill("London, Thames room")
    page.get_by_label("Presenter").select_option(label=f"Oscar Olsen ({personas.oscar.username})")
    page.get_by_role("button", name="Schedule").click()
    # The end before the start is explained on the field, and what was typed stays.
    expect(page.get_by_text("A session ends after it starts.")).to_be_visible()
    expect(page.get_by_label("Place")).to_have_value("London, Thames room")
    assert _violations(page) == ""
    page.get_by_label("Ends").fill(f"{day}T13:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("status")).to_contain_text("Session scheduled")
    table = page.get_by_role("table")
    expect(table).to_contain_text("London, Thames room")
    expect(table).to_contain_text("Oscar Olsen")
    expect(table).to_contain_text("0 of 20")
    session = Session.objects.get(item=item)
    session_book(actor=personas.alice, session=session)

    table.get_by_role("link", name="Change or cancel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change a session")
    assert _violations(page) == ""
    page.get_by_label("Starts").fill(f"{day}T12:30")
    page.get_by_label("Ends").fill(f"{day}T13:30")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Everyone booked was told")
    assert Notification.objects.filter(recipient=personas.alice, kind="session_change").count() == 1

    page.context.clear_cookies()
    sign_in(page, personas.alice.username)
    panel = page.get_by_role("region", name="Upcoming sessions")
    expect(panel).to_contain_text("Testing in production")
    expect(panel).to_contain_text("booked")
    assert _violations(page) == ""
    panel.get_by_role("link", name="Testing in production").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Testing in production")


def test_booking_a_session_that_clashes_is_refused_naming_the_other_one(page: Any, personas: Personas) -> None:
    start = dt.datetime(2999, 1, 7, 9, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Alice's Berlin
    booked = item_create(actor=None, kind="live_session", title="Negotiation lab", summary="Practise.")
    session_book(
        actor=personas.alice,
        session=Session.objects.create(
            item=booked, starts_at=start, ends_at=start + dt.timedelta(hours=2), time_zone="UTC", capacity=5
        ),
    )
    other = item_create(actor=None, kind="live_session", title="Coaching workshop", summary="Practise.")
    Session.objects.create(
        item=other,
        starts_at=start + dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=3),
        time_zone="UTC",
        capacity=5,
    )
    sign_in(page, personas.alice.username)
    page.goto(f"/catalog/{other.pk}/")
    page.get_by_role("button", name="Book a seat").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("This overlaps your session “Negotiation lab”")
    expect(status).to_contain_text("Mon 7 Jan 2999, 10:00\N{EN DASH}12:00 your time")
    # Nothing was booked: the button is still there.
    expect(page.get_by_role("button", name="Book a seat")).to_be_visible()
    assert _violations(page) == ""
