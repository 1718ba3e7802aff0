"""Building a pathway in a real Chromium: items found by searching the catalog, stages and steps put in
order with the keyboard while focus stays on the button pressed. axe-core finds nothing on the way."""

from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.learning.tests.test_authoring_browser import fits_and_shoot
from learnloop.pathways.models import Pathway, Stage, Step
from learnloop.pathways.tests.browser.test_pathway_flows import _violations
from learnloop.pathways.tests.factories import item

pytestmark = pytest.mark.browser


def _order(pathway: Pathway) -> list[list[str]]:
    return [
        [s.item.title for s in Step.objects.filter(stage=stage).select_related("item").order_by("position", "id")]
        for stage in Stage.objects.filter(pathway=pathway).order_by("position")
    ]


def test_an_ld_admin_builds_a_pathway_with_search_and_keyboard_reordering(page: Any, personas: Personas) -> None:
    for title in ("Team rituals", "Code review basics", "Pairing", "Writing design docs", "On-call shadowing"):
        item(title)
    for number in range(40):
        item(f"Unrelated course {number}")
    sign_in(page, personas.lena.username)
    page.wait_for_url("/")
    page.goto("/pathways/new/")
    main = page.get_by_role("main")
    main.get_by_label("Title").fill("Engineering onboarding")
    main.get_by_label("Description").fill("The first month of an engineer.")
    main.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Engineering onboarding")
    pathway = Pathway.objects.get(title="Engineering onboarding")

    # A first stage: its items are found by searching, ticked, and kept while searching again.
    new_stage = page.locator("form").filter(has=page.get_by_role("button", name="Add stage"))
    new_stage.get_by_label("Title").fill("Settle in")
    search = main.get_by_role("searchbox", name="Search the catalog")
    search.press_sequentially("rituals")
    main.get_by_role("checkbox", name="Team rituals").check()
    search.fill("")
    search.press_sequentially("code review")
    main.get_by_role("checkbox", name="Code review basics").check()
    expect(main.get_by_role("checkbox", name="Team rituals")).to_be_checked()
    main.get_by_role("button", name="Add stage").click()
    expect(page.get_by_role("heading", name="Stage 1 of 1: Settle in")).to_be_visible()

    # A second stage, then more steps added to it from its own search.
    new_stage.get_by_label("Title").fill("Practise")
    main.get_by_role("searchbox", name="Search the catalog").press_sequentially("pairing")
    main.get_by_role("checkbox", name="Pairing").check()
    main.get_by_role("button", name="Add stage").click()
    practise = page.locator("section.card").filter(has=page.get_by_role("heading", name="Stage 2 of 2: Practise"))
    practise.get_by_role("searchbox", name="Add a catalog item to “Practise”").press_sequentially("design docs")
    practise.get_by_role("button", name="Add “Writing design docs” to Practise").click()
    practise = page.locator("section.card").filter(has=page.get_by_role("heading", name="Stage 2 of 2: Practise"))
    practise.get_by_role("searchbox", name="Add a catalog item to “Practise”").press_sequentially("rituals")
    expect(practise.get_by_text("already a step of this pathway")).to_be_visible()
    assert _order(pathway) == [["Team rituals", "Code review basics"], ["Pairing", "Writing design docs"]]
    assert _violations(page) == ""

    # Keyboard reordering: Enter on a move button; focus stays on it, or on its partner at the end of the list.
    down = page.get_by_role("button", name="Move “Team rituals” down")
    down.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="moved down")).to_contain_text(
        "“Team rituals” moved down: now step 2 of 2 in “Settle in”."
    )
    expect(page.get_by_role("button", name="Move “Team rituals” up")).to_be_focused()
    assert _order(pathway)[0] == ["Code review basics", "Team rituals"]
    stage_down = page.get_by_role("button", name="Move stage “Settle in” down")
    stage_down.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Stage 2 of 2: Settle in")).to_be_visible()
    expect(page.get_by_role("button", name="Move stage “Settle in” up")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Stage 1 of 2: Settle in")).to_be_visible()
    expect(page.get_by_role("button", name="Move stage “Settle in” down")).to_be_focused()
    assert _order(pathway) == [["Code review basics", "Team rituals"], ["Pairing", "Writing design docs"]]
    assert _violations(page) == ""
    fits_and_shoot(page, "pathway-builder")
    page.goto(f"/pathways/{pathway.pk}/stages/new/")
    fits_and_shoot(page, "pathway-stage-new")
