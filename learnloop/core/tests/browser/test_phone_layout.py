"""The pages that were widest on a phone fit it: wide tables scroll inside their own labelled region with
the first column in place, and the team skills matrix shows every skill at once on a laptop."""

from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.testing import JobRoleFactory, Personas
from learnloop.people.models import Person

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 800}
# Fifteen skills with long names, as in the demo, where the matrix showed five of them on a laptop.
SKILLS = [
    f"{name} practice"
    for name in (
        "Asynchronous collaboration",
        "Coaching",
        "Code review",
        "Continuous delivery",
        "Giving feedback",
        "Incident response",
        "Knowledge sharing",
        "Observability",
        "Python",
        "SQL",
        "Stakeholder management",
        "Strategic thinking",
        "System design",
        "Test automation",
        "Written communication",
    )
]


def _sign_in(page: Any, person: Any) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(person.username)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("/")


@pytest.fixture
def team(personas: Personas) -> Personas:
    """Bob's team: Alice needs fifteen skills and has a pathway Bob assigned."""
    from learnloop.pathways.services import assignment_create
    from learnloop.pathways.tests.factories import item, pathway
    from learnloop.skills import services
    from learnloop.skills.tests.helpers import default_scale

    default_scale()
    role = JobRoleFactory.create(name="Software Engineer II")
    Person.objects.filter(pk=personas.alice.pk).update(job_role=role)
    for level, name in enumerate(SKILLS):
        skill = services.skill_create(actor=None, name=name)
        services.requirement_set(actor=None, job_role=role, skill=skill, level=1 + level % 5)
        services.assessment_record(actor=personas.bob, person=personas.alice, skill=skill, source="manager", level=2)
    built = pathway([("Basics", [item("Running one-to-ones"), item("Giving feedback well")], None)])
    assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
    return personas


def _width(page: Any) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


@pytest.mark.parametrize(
    "url", ["/learning-time/", "/pathways/assign/", "/skills/team/", "/plans/team/", "/learning-time/team/", "/"]
)
def test_the_widest_pages_fit_a_phone(page: Any, team: Personas, url: str) -> None:
    _sign_in(page, team.bob)
    page.set_viewport_size(PHONE)
    page.goto(url)
    assert _width(page) <= PHONE["width"], url


def test_the_team_matrix_scrolls_in_its_own_region_on_a_phone_and_fits_a_laptop(page: Any, team: Personas) -> None:
    _sign_in(page, team.bob)
    page.set_viewport_size(PHONE)
    page.goto("/skills/team/")
    region = page.get_by_role("region", name="Team skills matrix")
    assert region.evaluate("box => box.scrollWidth > box.clientWidth")
    person = page.get_by_role("rowheader", name="Alice Adams")
    left = person.bounding_box()["x"]
    # Keyboard users reach the region and scroll it; the person's name stays where it was.
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Scrolling by keyboard may be animated: wait until it has moved.
    page.wait_for_function("() => document.querySelector('[aria-label=\"Team skills matrix\"]').scrollLeft > 0")
    assert person.bounding_box()["x"] == pytest.approx(left, abs=1)
    assert _width(page) <= PHONE["width"]
    page.set_viewport_size(LAPTOP)
    page.goto("/skills/team/")
    assert region.evaluate("box => box.scrollWidth <= box.clientWidth")  # all fifteen skills at once
    expect(page.get_by_role("columnheader")).to_have_count(len(SKILLS) + 2)  # person, skills, gaps


def test_the_learning_time_chart_scrolls_in_its_own_region(page: Any, team: Personas) -> None:
    _sign_in(page, team.bob)
    page.set_viewport_size(PHONE)
    page.goto("/learning-time/")
    chart = page.get_by_role("region", name="Chart of planned and used learning time")
    assert chart.evaluate("box => box.scrollWidth > box.clientWidth")
    assert chart.get_attribute("tabindex") == "0"
