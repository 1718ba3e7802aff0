"""The foundation's main flows, in a real Chromium: sign in, find a colleague, open the org chart."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.testing import Personas

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def sign_in(page: Any, username: str) -> None:
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    page.get_by_label("Email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_signs_in_and_lands_on_their_home(page: Any, personas: Personas) -> None:
    sign_in(page, personas.bob.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Bob")
    expect(page.get_by_role("heading", name="Your team")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Alice Adams")).to_be_visible()


def test_a_wrong_password_is_explained_on_the_page(page: Any, personas: Personas) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(personas.alice.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("email and password do not match")


def test_find_a_colleague_by_typing_and_open_their_profile(page: Any, personas: Personas) -> None:
    sign_in(page, personas.alice.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Mona Meyer")
    # htmx replaces the results as the person types; no button press needed.
    page.get_by_role("searchbox", name="Search people").fill("oscar")
    expect(results).to_contain_text("1 person")
    expect(results).not_to_contain_text("Mona Meyer")
    results.get_by_role("link", name="Oscar Olsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oscar Olsen")
    expect(page.get_by_role("main")).to_contain_text("Beacon")
    # The search stays in the address bar, so the back button returns to the same results.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/people/\?q=oscar"))


def test_open_the_org_chart_and_expand_a_unit(page: Any, personas: Personas) -> None:
    sign_in(page, personas.alice.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Org chart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Org chart")
    tree = page.get_by_role("list", name="Organization")
    expect(tree).to_contain_text("Acme")
    atlas = tree.locator("summary", has_text="Atlas")
    expect(atlas).to_contain_text("2 people")
    atlas.click()
    page.get_by_role("link", name="People in Atlas").click()
    expect(page.locator("#results")).to_contain_text("Alice Adams")
    expect(page.locator("#results")).to_contain_text("Bob Brown")


def test_the_keyboard_reaches_the_main_content_first(page: Any, personas: Personas) -> None:
    sign_in(page, personas.alice.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
