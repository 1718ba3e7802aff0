"""The main menu in a real browser: one row on a laptop, folded behind a Menu button on a phone, its
groups open by keyboard and mouse, pass axe-core open and closed, and fall back to plain links without
JavaScript."""

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
    page.locator("input[name=username]").fill(person.username)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("/")


def _rows(page: Any, selector: str) -> int:
    """How many rows the elements take (by their vertical middles: a row's items differ in height)."""
    middles = page.eval_on_selector_all(
        selector, "items => items.map(i => { const r = i.getBoundingClientRect(); return (r.top + r.bottom) / 2; })"
    )
    rows: list[float] = []
    for middle in sorted(middles):
        if not rows or middle - rows[-1] > 8:
            rows.append(middle)
    return len(rows)


def _no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_the_menu_is_one_row_on_a_laptop(page: Any, personas: Personas) -> None:
    _sign_in(page, personas.otto)  # an org admin sees every entry, Admin included
    page.set_viewport_size(LAPTOP)
    page.goto("/")
    assert _rows(page, ".main-nav > ul > li") == 1
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    # The account menu sits on the same row as the menu.
    nav = page.locator(".main-nav").bounding_box()
    account = page.locator(".account-menu").bounding_box()
    assert account["y"] < nav["y"] + nav["height"]


def test_on_a_phone_the_header_is_one_row_and_the_menu_opens_from_a_button(page: Any, personas: Personas) -> None:
    _sign_in(page, personas.bob)  # a manager: Growth and My team
    page.set_viewport_size(PHONE)
    page.goto("/")
    toggle = page.get_by_role("button", name="Menu")
    menu = page.get_by_role("navigation", name="Main")
    assert _rows(page, ".site-header > .brand, .site-header > .menu-toggle, .site-header > .account-menu") == 1
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    assert _no_sideways_scroll(page)
    # Keyboard: Enter opens it, Tab walks into it, Escape closes it and returns to the button.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Home")).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Home")).to_be_focused()
    assert _rows(page, ".main-nav > ul > li") == len(page.locator(".main-nav > ul > li").all())  # one per row
    assert _no_sideways_scroll(page)
    assert Axe().run(page, options=WCAG_AA).violations_count == 0
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(menu).to_be_hidden()
    # A group opens in place inside the open menu; a first Escape closes the group, a second the menu.
    toggle.click()
    team = page.locator("button[aria-controls=nav-team]")
    team.click()
    expect(menu.get_by_role("link", name="Team skills")).to_be_visible()
    assert _no_sideways_scroll(page)
    page.keyboard.press("Escape")
    expect(team).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    # A click outside the header closes it too.
    toggle.click()
    page.get_by_role("heading", level=1).click(position={"x": 5, "y": 5})
    expect(toggle).to_have_attribute("aria-expanded", "false")


def _open_menu_on_a_phone(page: Any, viewport: dict[str, int]) -> None:
    if viewport == PHONE:
        page.get_by_role("button", name="Menu").click()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_group_opens_and_closes_by_keyboard(page: Any, personas: Personas, viewport: dict[str, int]) -> None:
    _sign_in(page, personas.alice)
    page.set_viewport_size(viewport)
    page.goto("/")
    _open_menu_on_a_phone(page, viewport)
    menu = page.get_by_role("navigation", name="Main")
    growth = page.locator("button[aria-controls=nav-growth]")  # found while the phone's menu is folded too
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
    page.get_by_role("heading", level=1).click(position={"x": 5, "y": 5})  # a click elsewhere closes it
    expect(growth).to_have_attribute("aria-expanded", "false")
    _open_menu_on_a_phone(page, viewport)
    growth.click()
    menu.get_by_role("link", name="Skills").click()
    page.wait_for_url("/skills/mine/")  # My skills; the whole taxonomy is one link further
    expect(page.get_by_role("heading", level=1)).to_have_text("My skills")
    # The group holding the current page is marked; inside it, the page's link is the current one.
    _open_menu_on_a_phone(page, viewport)
    expect(growth).to_have_class("nav-disclosure nav-holds-current")
    growth.click()
    expect(menu.get_by_role("link", name="Skills")).to_have_attribute("aria-current", "page")
    page.keyboard.press("Escape")
    page.get_by_role("navigation", name="Skills").get_by_role("link", name="All skills").click()
    page.wait_for_url("/skills/")


def test_without_javascript_every_link_shows(browser: Any, live_server: Any, personas: Personas) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in(page, personas.alice)
        menu = page.get_by_role("navigation", name="Main")
        expect(menu.get_by_role("link", name="Learning time")).to_be_visible()
        expect(menu.get_by_role("button", name="Growth")).to_be_hidden()
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    finally:
        context.close()
