"""The main menu in a real browser: short on a phone and a laptop, its groups open by keyboard and
mouse, pass axe-core open and closed, and fall back to plain links without JavaScript."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learnloop.core.testing import Personas

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _sign_in(page: Any, person: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(person.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")


def _rows(page: Any) -> int:
    """How many rows the top level of the menu takes."""
    tops = page.eval_on_selector_all(
        ".main-nav > ul > li", "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
    )
    return len(set(tops))


def test_the_menu_is_one_row_on_a_laptop_and_two_on_a_phone(page: Any, personas: Personas) -> None:
    _sign_in(page, personas.otto)  # an org admin sees every entry, Admin included
    page.set_viewport_size(LAPTOP)
    page.goto("/")
    assert _rows(page) == 1
    # The account menu sits on the same row as the menu.
    nav = page.locator(".main-nav").bounding_box()
    account = page.locator(".account-menu").bounding_box()
    assert account["y"] < nav["y"] + nav["height"]
    page.set_viewport_size(PHONE)
    page.goto("/")
    assert _rows(page) <= 2


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_group_opens_and_closes_by_keyboard(page: Any, personas: Personas, viewport: dict[str, int]) -> None:
    _sign_in(page, personas.alice)
    page.set_viewport_size(viewport)
    page.goto("/")
    menu = page.get_by_role("navigation", name="Main")
    growth = menu.get_by_role("button", name="Growth")
    expect(growth).to_have_attribute("aria-expanded", "false")
    expect(menu.get_by_role("link", name="Pathways")).to_be_hidden()
    growth.focus()
    page.keyboard.press("Enter")
    expect(growth).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Pathways")).to_be_visible()
    assert Axe().run(page, options=WCAG_AA).violations_count == 0
    page.keyboard.press("Tab")  # into the group's first link
    expect(menu.get_by_role("link", name="Plan")).to_be_focused()
    page.keyboard.press("Escape")
    expect(growth).to_have_attribute("aria-expanded", "false")
    expect(growth).to_be_focused()
    page.keyboard.press(" ")
    expect(growth).to_have_attribute("aria-expanded", "true")
    page.mouse.click(viewport["width"] - 5, viewport["height"] - 5)  # a click elsewhere closes it
    expect(growth).to_have_attribute("aria-expanded", "false")
    growth.click()
    menu.get_by_role("link", name="Skills").click()
    page.wait_for_url("/skills/")
    # The group holding the current page is marked; inside it, the page's link is the current one.
    expect(growth).to_have_class("nav-disclosure nav-holds-current")
    growth.click()
    expect(menu.get_by_role("link", name="Skills")).to_have_attribute("aria-current", "page")


def test_without_javascript_every_link_shows(browser: Any, live_server: Any, personas: Personas) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, personas.alice)
        menu = page.get_by_role("navigation", name="Main")
        expect(menu.get_by_role("link", name="Learning time")).to_be_visible()
        expect(menu.get_by_role("button", name="Growth")).to_be_hidden()
    finally:
        context.close()
