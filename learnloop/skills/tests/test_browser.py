"""The proficiency scale in a real Chromium: an L&D admin changes it to four levels, watching the preview
follow the mapping, and the resize page passes axe-core's WCAG 2.2 AA rules with its errors showing."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from learnloop.core.testing import JobRoleFactory, Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.skills import services
from learnloop.skills.models import ProficiencyLevel, RoleRequirement
from learnloop.skills.tests.helpers import default_scale

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def test_an_admin_resizes_the_scale_to_four_levels(page: Any, personas: Personas) -> None:
    default_scale()
    skill = services.skill_create(actor=None, name="Code review")
    for number in range(1, 6):
        role = JobRoleFactory.create(name=f"Engineer {number}")
        services.requirement_set(actor=None, job_role=role, skill=skill, level=number)
    sign_in(page, personas.lena.username)
    page.goto("/skills/scale/")
    expect(page.get_by_role("main")).to_contain_text("The scale has 5 levels")
    page.get_by_role("spinbutton", name="Number of levels").fill("4")
    page.get_by_role("button", name="Plan the new scale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the number of levels")
    level_four = page.get_by_role("group", name="Level 4")
    expect(level_four.get_by_label("Name")).to_have_value("Expert")
    preview = page.get_by_role("region", name="The new scale after the move")
    # Proposed: 4 and 5 move down (to 3 and 4), so two role requirements change.
    expect(preview).to_contain_text("2 role requirements")
    page.get_by_label("New level for today's 4. Advanced").select_option("4")
    expect(preview).to_contain_text("1 role requirements")  # htmx redrew it: only 5 moves now
    page.get_by_role("group", name="Level 3").get_by_label("Name").fill("Senior")
    page.keyboard.press("Tab")  # the preview follows once the field is left (a change event)
    expect(preview.get_by_role("row", name="3. Senior")).to_be_visible()
    page.get_by_role("button", name="Change the scale to 4 levels").click()
    expect(page.get_by_text("Tick this box to confirm")).to_be_visible()
    assert ProficiencyLevel.objects.count() == 5
    # What was typed and chosen survives the round trip.
    expect(page.get_by_label("New level for today's 4. Advanced")).to_have_value("4")
    page.get_by_label("I have checked where today's levels go").check()
    page.get_by_role("button", name="Change the scale to 4 levels").click()
    expect(page.get_by_role("status")).to_contain_text("The scale has 4 levels now")
    expect(page.get_by_role("main")).to_contain_text("The scale has 4 levels, from 1 to 4")
    expect(page.get_by_role("main").locator("ol > li")).to_have_count(4)
    expect(page.get_by_role("heading", name="3. Senior")).to_be_visible()
    assert sorted(RoleRequirement.objects.values_list("level", flat=True)) == [1, 2, 3, 4, 4]


def test_the_resize_page_is_accessible_with_its_errors(page: Any, personas: Personas) -> None:
    default_scale()
    sign_in(page, personas.lena.username)
    page.goto("/skills/scale/resize/?levels=7")
    expect(page.get_by_role("region", name="The new scale after the move")).to_contain_text("(not named yet)")
    page.get_by_label("I have checked where today's levels go").check()
    page.get_by_role("button", name="Change the scale to 7 levels").click()
    # Levels 2 and 5 are new and start empty: each needs a name and a descriptor.
    expect(page.get_by_role("group", name="Level 2").get_by_text("This field is required.").first).to_be_visible()
    assert ProficiencyLevel.objects.count() == 5
    results = Axe().run(page, options=WCAG_AA)
    assert not results.violations_count, results.generate_report()
