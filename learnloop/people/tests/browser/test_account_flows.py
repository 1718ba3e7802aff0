"""Account control in a real browser: a people admin edits profiles, but not an org admin's sign-in."""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.testing import Personas

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
# Set LEARNLOOP_SCREENSHOTS=/some/dir to keep screenshots of the pages at 1366 and 390 px.
SCREENSHOTS = os.environ.get("LEARNLOOP_SCREENSHOTS", "")


def sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")


def _shoot(page: Any, name: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        # Nothing scrolls sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_people_admin_edits_an_org_admins_profile_but_not_their_sign_in(page: Any, personas: Personas) -> None:
    sign_in(page, personas.pat.username)
    page.goto(f"/people/{personas.otto.pk}/")
    expect(page.get_by_role("link", name="Deactivate")).to_have_count(0)
    page.goto(f"/people/{personas.otto.pk}/edit/")
    email = page.get_by_label("Email")
    expect(email).to_be_disabled()
    expect(page.get_by_role("main")).to_contain_text("holds a role you do not hold")
    _shoot(page, "edit-org-admin-as-people-admin")
    page.get_by_label("Title").fill("Head of IT")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Otto Ortiz")
    personas.otto.refresh_from_db()
    assert personas.otto.title == "Head of IT" and personas.otto.email.endswith("@example.com")


def test_a_people_admin_changes_an_employees_email_and_the_old_address_is_told(page: Any, personas: Personas) -> None:
    old = personas.alice.email
    sign_in(page, personas.pat.username)
    page.goto(f"/people/{personas.alice.pk}/edit/")
    email = page.get_by_label("Email")
    expect(email).to_be_enabled()
    email.fill("alice.adams@newmail.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Adams")
    personas.alice.refresh_from_db()
    assert personas.alice.email == personas.alice.username == "alice.adams@newmail.example"
    from django_tasks_db.models import DBTaskResult

    (queued,) = [t for t in DBTaskResult.objects.all() if "sign-in email" in str(t.args_kwargs)]
    assert queued.args_kwargs["kwargs"]["to"] == [old]
