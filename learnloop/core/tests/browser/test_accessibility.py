"""Every page of the foundation passes axe-core's WCAG 2.2 A and AA rules in a real browser."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from learnloop.core.testing import Personas

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _sign_in(page: Any, person: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(person.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")


def _violations(page: Any) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


def test_signed_out_pages_are_accessible(page: Any, db: None) -> None:
    for url in ("/accounts/login/", "/accounts/password/reset/"):
        page.goto(url)
        assert _violations(page) == "", url


def test_signed_in_pages_are_accessible(page: Any, personas: Personas) -> None:
    _sign_in(page, personas.pat)
    urls = [
        "/",
        "/people/",
        "/people/?q=alice",
        f"/people/{personas.alice.pk}/",
        f"/people/{personas.alice.pk}/edit/",
        f"/people/{personas.bob.pk}/team/",
        "/people/org-chart/",
        "/people/import/",
        "/people/new/",
        "/admin-area/",
        "/admin-area/audit/",
        "/accounts/tokens/",
        "/accounts/password/",
        "/learning-record/",
        "/notifications/",
        "/notifications/settings/",
    ]
    for url in urls:
        page.goto(url)
        assert _violations(page) == "", url


def test_org_admin_pages_are_accessible(page: Any, personas: Personas) -> None:
    _sign_in(page, personas.otto)
    for url in ("/learning-record/clients/", "/admin-area/tasks/"):
        page.goto(url)
        assert _violations(page) == "", url


def test_skills_pages_are_accessible(page: Any, personas: Personas) -> None:
    from learnloop.core.testing import JobRoleFactory
    from learnloop.skills import services

    role = JobRoleFactory.create(name="Engineer")
    skill = services.skill_create(actor=None, name="Code review", synonyms=["PR review"])
    services.requirement_set(actor=None, job_role=role, skill=skill, level=3)
    _sign_in(page, personas.lena)
    for url in (
        "/skills/",
        f"/skills/{skill.pk}/",
        "/skills/roles/",
        f"/skills/roles/{role.pk}/",
        "/skills/scale/",
        "/skills/scale/resize/?levels=4",
        "/skills/import/",
        "/skills/new/",
        f"/skills/{skill.pk}/edit/",
        "/skills/categories/",
    ):
        page.goto(url)
        assert _violations(page) == "", url


def test_the_skill_edit_page_is_accessible_with_a_field_error(page: Any, personas: Personas) -> None:
    from learnloop.skills import services

    services.skill_create(actor=None, name="Facilitation")
    skill = services.skill_create(actor=None, name="Code review", synonyms=["PR review"])
    _sign_in(page, personas.lena)
    page.goto(f"/skills/{skill.pk}/edit/")
    page.get_by_role("textbox", name="Name", exact=True).fill("FACILITATION")
    page.get_by_role("button", name="Save").click()
    assert "already exists" in page.locator(".field-error").inner_text()
    assert _violations(page) == "", "edit page with an error"
    page.get_by_role("textbox", name="Name", exact=True).fill("Code review")
    page.get_by_label("Other names").fill("PR review\nPull request review")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"/skills/{skill.pk}/")
    assert "Pull request review" in page.content()
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("button", name="Retire Code review").click()
    page.wait_for_url(f"/skills/{skill.pk}/")
    assert "retired" in page.locator("h1").inner_text()
    assert _violations(page) == "", "a retired skill's page"


def test_closing_a_stretch_assignment_is_accessible(page: Any, personas: Personas) -> None:
    from learnloop.learning.enrollment import enrollment_enrol
    from learnloop.learning.services import item_create
    from learnloop.skills import services

    facilitation = services.skill_create(actor=None, name="Facilitation")
    item = item_create(
        actor=None,
        kind="stretch",
        title="Run the planning session",
        summary="Plan and run it.",
        scope="One session, two teams.",
        sponsor=personas.oscar,
        skills=[(facilitation, 3)],
    )
    enrollment_enrol(actor=personas.alice, person=personas.alice, item=item)
    _sign_in(page, personas.alice)
    page.goto(f"/catalog/{item.pk}/complete/")
    assert _violations(page) == "", "stretch completion form"
    page.get_by_label("What did you learn?").fill("Timeboxes keep a big room moving.")
    page.get_by_role("button", name="Mark complete").click()
    assert "achieved for the sponsor" in page.locator(".field-error .error").inner_text()
    assert _violations(page) == "", "stretch completion form with an error"
    page.get_by_label("What was the outcome for the sponsor?").fill("Both teams left with one shared plan.")
    page.get_by_label("Facilitation").check()
    page.get_by_role("button", name="Mark complete").click()
    page.wait_for_url(f"/catalog/{item.pk}/")
    assert "Both teams left with one shared plan." in page.locator("#reflections-heading + p + article").inner_text()
    assert _violations(page) == "", "item page with its closing reflection"
