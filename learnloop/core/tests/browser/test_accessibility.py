"""Every page of the foundation passes axe-core's WCAG 2.2 A and AA rules in a real browser."""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from learnloop.core.testing import Personas

pytestmark = pytest.mark.browser
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def _violations(page: Any) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


def test_signed_out_pages_are_accessible(page: Any, db: None) -> None:
    for url in ("/accounts/login/", "/accounts/password/reset/"):
        page.goto(url)
        assert _violations(page) == "", url


def test_signed_in_pages_are_accessible(page: Any, personas: Personas) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(personas.pat.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")
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
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(personas.otto.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")
    for url in ("/learning-record/clients/", "/admin-area/tasks/"):
        page.goto(url)
        assert _violations(page) == "", url


def test_skills_pages_are_accessible(page: Any, personas: Personas) -> None:
    from learnloop.core.testing import JobRoleFactory
    from learnloop.skills import services

    role = JobRoleFactory.create(name="Engineer")
    skill = services.skill_create(actor=None, name="Code review", synonyms=["PR review"])
    services.requirement_set(actor=None, job_role=role, skill=skill, level=3)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(personas.lena.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")
    for url in (
        "/skills/",
        f"/skills/{skill.pk}/",
        "/skills/roles/",
        f"/skills/roles/{role.pk}/",
        "/skills/scale/",
        "/skills/import/",
    ):
        page.goto(url)
        assert _violations(page) == "", url
