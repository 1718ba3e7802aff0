"""Pathways in a real Chromium: a manager assigns, the employee sees it with progress; axe on every page."""

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone, translation
from playwright.sync_api import expect

from learnloop.core.templatetags.dates import day
from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.pathways import services
from learnloop.pathways.models import Assignment, Step
from learnloop.pathways.tests.factories import complete, item, pathway

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _violations(page: Any) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


def _onboarding() -> Any:
    first, second = item("Team rituals"), item("Code review basics")
    choices = [item("Pairing"), item("Writing design docs"), item("On-call shadowing")]
    return pathway(
        [("Settle in", [first, second], None), ("Pick two", choices, 2)],
        title="Engineering onboarding",
        certification_months=12,
    ), first


def test_a_manager_assigns_a_pathway_and_the_employee_sees_it_with_progress(page: Any, personas: Personas) -> None:
    _built, first = _onboarding()
    complete(personas.alice, first)
    sign_in(page, personas.bob.username)
    menu = page.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="Growth").click()
    menu.get_by_role("link", name="Pathways").click()
    page.get_by_role("link", name="Assign a pathway").click()
    page.get_by_role("combobox", name="Pathway", exact=True).select_option(label="Engineering onboarding")
    page.get_by_role("combobox", name="Person", exact=True).select_option(
        label=f"Alice Adams ({personas.alice.username})"
    )
    page.get_by_role("combobox", name="Required or voluntary").select_option(label="Required")
    due = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_role("main").get_by_label("Due date", exact=True).fill(due.isoformat())
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Alice Adams now has “Engineering onboarding”")
    expect(page.get_by_role("table")).to_contain_text("Alice Adams")
    assert Assignment.objects.get(person=personas.alice).due_on == due

    page.context.clear_cookies()
    sign_in(page, personas.alice.username)
    expect(page.get_by_role("heading", name="My pathways")).to_be_visible()
    page.goto("/pathways/mine/")
    row = page.get_by_role("row", name="Engineering onboarding")
    expect(row).to_contain_text("0 of 2 stages done")
    expect(row).to_contain_text("In progress")
    with translation.override("en"):  # the browser asks for en-US: dates read the reader's way
        expect(row).to_contain_text(day(due))
    row.get_by_role("link", name="Engineering onboarding").click()
    stage = page.get_by_role("listitem").filter(has_text="Stage 1: Settle in")
    expect(stage.get_by_role("listitem").filter(has_text="Team rituals")).to_contain_text("Done")
    expect(stage.get_by_role("listitem").filter(has_text="Code review basics")).to_contain_text("To do")
    choice = page.get_by_role("listitem").filter(has_text="Stage 2: Pick two")
    expect(choice).to_contain_text("Any 2 of these 3")
    expect(choice.get_by_role("listitem").filter(has_text="Pairing")).to_contain_text("Locked")


def test_pathway_pages_are_accessible(page: Any, personas: Personas) -> None:
    built, first = _onboarding()
    complete(personas.alice, first)
    assignment = services.assignment_create(
        actor=personas.bob, pathway=built, person=personas.alice, required=True, due_on=timezone.localdate()
    )
    step = Step.objects.filter(stage__pathway=built).order_by("stage__position", "position").last()
    assert step is not None
    sign_in(page, personas.lena.username)
    page.wait_for_url("/")
    urls = [
        "/pathways/",
        f"/pathways/{built.pk}/",
        f"/pathways/{built.pk}/overview/",
        f"/pathways/{built.pk}/edit/",
        f"/pathways/{built.pk}/stages/new/",
        f"/pathways/stages/{step.stage_id}/edit/",
        f"/pathways/steps/{step.pk}/edit/",
        "/pathways/new/",
        "/pathways/assign/",
        "/pathways/mine/",
    ]
    for url in urls:
        page.goto(url)
        assert _violations(page) == "", url
    page.context.clear_cookies()
    sign_in(page, personas.bob.username)
    page.wait_for_url("/")
    for url in ("/pathways/assign/", f"/pathways/{built.pk}/overview/", f"/pathways/people/{personas.alice.pk}/"):
        page.goto(url)
        assert _violations(page) == "", url
    page.context.clear_cookies()
    sign_in(page, personas.alice.username)
    page.wait_for_url("/")
    assert assignment.pk
    for url in ("/", "/pathways/mine/", f"/pathways/{built.pk}/"):
        page.goto(url)
        assert _violations(page) == "", url


def test_past_the_limit_a_team_is_found_by_typing_its_name(page: Any, personas: Personas, monkeypatch: Any) -> None:
    monkeypatch.setattr("learnloop.core.forms.PICK_LIMIT", 2)  # the personas' three units stand in for 1,100 teams
    _onboarding()
    sign_in(page, personas.lena.username)
    page.goto("/pathways/assign/")
    page.get_by_role("combobox", name="Pathway", exact=True).select_option(label="Engineering onboarding")
    team = page.get_by_role("combobox", name="Or a whole team")
    team.press_sequentially("atl")
    # The suggestions arrive by htmx into the field's datalist.
    expect(page.locator('#team-options option[value="Acme / Atlas"]')).to_be_attached()
    expect(page.locator("#team-options option")).to_have_count(1)
    assert _violations(page) == ""
    team.fill("Acme / Atlas")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Assigned “Engineering onboarding” to Alice Adams, Bob Brown")
    page.get_by_role("combobox", name="Pathway", exact=True).select_option(label="Engineering onboarding")
    page.get_by_role("combobox", name="Or a whole team").fill("Acme /")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Several teams match “Acme /”: Acme / Atlas; Acme / Beacon.")).to_be_visible()
    assert _violations(page) == ""
