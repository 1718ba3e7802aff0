"""Growth flows in a real Chromium: learn something from the catalog; a manager reads the team matrix."""

from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.testing import JobRoleFactory, Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.learning.services import item_create
from learnloop.skills import services as skill_services

pytestmark = pytest.mark.browser


def test_find_a_course_enrol_and_complete_it_with_a_reflection(page: Any, personas: Personas) -> None:
    coaching = skill_services.skill_create(actor=None, name="Coaching")
    item_create(
        actor=None,
        kind="self_paced",
        title="Coaching conversations",
        summary="Ask, listen, then advise.",
        delivery="lesson",
        lesson="## Try it\n\nAsk one open question today.",
        skills=[(coaching, 3)],
    )
    item_create(actor=None, kind="book", title="Unrelated book", summary="Something else.", author="A. Writer")
    sign_in(page, personas.alice.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.get_by_role("searchbox", name="Search the catalog").fill("coach")
    results = page.locator("#results")
    expect(results).to_contain_text("1 item")
    results.get_by_role("link", name="Coaching conversations").click()
    expect(page.get_by_role("article", name="Lesson")).to_contain_text("Ask one open question today")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("status")).to_contain_text("You are enrolled")
    page.get_by_role("link", name="Mark complete").click()
    page.get_by_label("What did you learn?").fill("Open questions first")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_role("status")).to_contain_text("counts as evidence")
    page.goto("/skills/mine/")
    expect(page.get_by_role("main")).to_contain_text("Coaching")
    expect(page.get_by_role("main")).to_contain_text("3.0")


def test_a_manager_reads_the_team_skills_matrix(page: Any, personas: Personas) -> None:
    role = JobRoleFactory.create(name="Engineer")
    personas.alice.job_role = role
    personas.alice.save(update_fields=["job_role"])
    review = skill_services.skill_create(actor=None, name="Code review")
    skill_services.requirement_set(actor=None, job_role=role, skill=review, level=4)
    skill_services.assessment_record(actor=personas.alice, person=personas.alice, skill=review, source="self", level=2)
    sign_in(page, personas.bob.username)
    page.get_by_role("link", name="Team skills matrix").click()
    matrix = page.get_by_role("table", name="Team skills matrix")
    expect(matrix).to_contain_text("Alice Adams")
    expect(matrix.get_by_role("cell", name="2.0 / 4 (below what the role needs)")).to_be_visible()


def test_book_the_last_seat_and_the_next_person_joins_the_waitlist(page: Any, personas: Personas) -> None:
    import datetime as dt

    from django.utils import timezone

    from learnloop.learning.sessions import session_book, session_create

    item = item_create(actor=None, kind="live_session", title="Feedback workshop", summary="Practise feedback.")
    start = timezone.now() + dt.timedelta(days=5)
    session = session_create(
        actor=personas.lena,
        item=item,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Berlin",
        capacity=2,
        location="Berlin, room Spree",
    )
    session_book(actor=personas.bob, session=session)
    sign_in(page, personas.alice.username)
    page.goto(f"/catalog/{item.pk}/")
    sessions = page.get_by_role("region", name="Upcoming sessions")
    expect(sessions).to_contain_text("1 seat left")
    sessions.get_by_role("button", name="Book a seat").click()
    expect(page.get_by_role("status")).to_contain_text("You have a seat")
    expect(page.get_by_role("region", name="Upcoming sessions")).to_contain_text("Booked")
    page.context.clear_cookies()
    sign_in(page, personas.oscar.username)
    page.goto(f"/catalog/{item.pk}/")
    page.get_by_role("region", name="Upcoming sessions").get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("status")).to_contain_text("on the waitlist")
