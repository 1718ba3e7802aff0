"""Authoring a catalog item in a real Chromium: each format shows only its own fields, a skill is picked from
the suggestions with a level from the scale, every problem is listed at once. axe-core finds nothing."""

import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.learning.models import CatalogItem
from learnloop.skills.services import skill_create
from learnloop.skills.tests.helpers import default_scale

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _violations(page: Any) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


def fits_and_shoot(page: Any, name: str) -> None:
    """The page does not scroll sideways at a phone's 390 px; with LEARNLOOP_SCREENSHOTS set to a folder,
    the page is saved there at 1366 and 390 px wide."""
    folder = os.environ.get("LEARNLOOP_SCREENSHOTS")
    size = page.viewport_size
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} is wider than {width} px"
        if folder:
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def _visible_groups(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".format-group:visible legend").all_inner_texts()]


def test_an_ld_admin_creates_items_of_two_formats_seeing_only_their_fields(page: Any, personas: Personas) -> None:
    default_scale()  # a browser test's database may have been emptied by a test that committed
    skill_create(actor=None, name="Coaching")
    skill_create(actor=None, name="Coaching psychology")
    skill_create(actor=None, name="Facilitation")
    sign_in(page, personas.lena.username)
    page.goto("/catalog/new/")
    assert _visible_groups(page) == []
    form = page.get_by_role("main")
    form.get_by_label("Format").select_option(label="Book")
    assert _visible_groups(page) == ["The book"]
    expect(form.get_by_label("ISBN")).to_be_visible()
    expect(form.get_by_label("Sponsor")).to_be_hidden()
    form.get_by_label("Title").fill("The Coaching Habit")
    form.get_by_label("Summary").fill("Seven questions that make coaching a daily habit.")
    form.get_by_label("Language").select_option(label="English")
    form.get_by_label("Author").fill("Michael Bungay Stanier")
    # Pick a skill from the suggestions, and a level by its name on the scale.
    skill = form.get_by_role("combobox", name="Skill 1", exact=True)
    skill.press_sequentially("coach")
    expect(page.locator('#skill-options option[value="Coaching"]')).to_be_attached()
    expect(page.locator("#skill-options option")).to_have_count(2)
    skill.fill("Coaching")
    form.get_by_label("Level for skill 1").select_option(label="3 · Proficient")
    # A third row, added and removed with the keyboard.
    add = form.get_by_role("button", name="Add another skill")
    add.focus()
    page.keyboard.press("Enter")
    expect(form.get_by_role("combobox", name="Skill 3", exact=True)).to_be_focused()
    form.get_by_role("button", name="Remove skill 3").click()
    expect(form.get_by_role("combobox", name="Skill 3", exact=True)).to_have_count(0)
    assert _violations(page) == ""
    fits_and_shoot(page, "catalog-item-book")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Coaching Habit")
    book = CatalogItem.objects.get(title="The Coaching Habit")
    assert (book.kind, book.language, book.author) == ("book", "en", "Michael Bungay Stanier")
    assert [(s.skill.name, s.target_level) for s in book.skills_taught.all()] == [("Coaching", 3)]

    # A stretch assignment: its scope and sponsor, nothing of a book's. Mistakes are listed all at once.
    page.goto("/catalog/new/")
    form.get_by_label("Format").select_option(label="Stretch assignment")
    assert _visible_groups(page) == ["The assignment"]
    expect(form.get_by_label("ISBN")).to_be_hidden()
    form.get_by_label("Title").fill("Run the team retrospective")
    form.get_by_label("Summary").fill("Facilitate a retrospective for a team that is not yours.")
    form.get_by_label("Duration (minutes)").fill("0")
    form.get_by_role("combobox", name="Skill 1", exact=True).fill("Facilitaton")
    form.get_by_label("Level for skill 1").select_option(label="4 · Advanced")
    form.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("3 things to fix")
    expect(summary).to_contain_text("Describe the work and its bounds")
    expect(summary).to_contain_text("Give a duration from one minute to a year.")
    expect(summary).to_contain_text("Row 1: no skill is called “Facilitaton”")
    expect(summary).to_be_focused()
    assert _visible_groups(page) == ["The assignment"]
    assert _violations(page) == ""
    fits_and_shoot(page, "catalog-item-stretch-errors")
    form.get_by_label("Scope").fill("One retrospective, with the team's lead; no follow-up actions are yours.")
    form.get_by_label("Sponsor").select_option(label=f"Mona Meyer ({personas.mona.username})")
    form.get_by_label("Duration (minutes)").fill("90")
    form.get_by_role("combobox", name="Skill 1", exact=True).fill("Facilitation")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Run the team retrospective")
    stretch = CatalogItem.objects.get(title="Run the team retrospective")
    assert (stretch.sponsor_id, stretch.isbn) == (personas.mona.pk, "")
    assert [(s.skill.name, s.target_level) for s in stretch.skills_taught.all()] == [("Facilitation", 4)]
