"""The team skills page: gaps first, counted per skill and per person, with a legend."""

import re

from django.test import Client

from learnloop.core.testing import JobRoleFactory, Personas, PersonFactory
from learnloop.people.models import Person
from learnloop.skills import services
from learnloop.skills.tests.helpers import default_scale


def _team_page(manager: Person) -> str:
    client = Client()
    client.force_login(manager)
    response = client.get("/skills/team/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_matrix_puts_the_skills_with_most_gaps_first_and_counts_them(personas: Personas) -> None:
    default_scale()
    role = JobRoleFactory.create(name="Engineer")
    carol = PersonFactory.create(first_name="Carol", last_name="Cole", manager=personas.bob, job_role=role)
    Person.objects.filter(pk=personas.alice.pk).update(job_role=role)
    names = ["Accessibility", "Code review", "Testing"]
    skills = {name: services.skill_create(actor=None, name=name) for name in names}
    for name in names:
        services.requirement_set(actor=None, job_role=role, skill=skills[name], level=3)

    def rate(person: Person, name: str, level: int) -> None:
        services.assessment_record(actor=personas.bob, person=person, skill=skills[name], source="manager", level=level)

    # Testing: both below 3; Code review: Alice below; Accessibility: both meet it.
    rate(personas.alice, "Testing", 1)
    rate(carol, "Testing", 2)
    rate(personas.alice, "Code review", 2)
    rate(carol, "Code review", 3)
    rate(personas.alice, "Accessibility", 3)
    rate(carol, "Accessibility", 4)
    page = _team_page(personas.bob)
    headers = re.findall(r'class="skill-head"><a [^>]*><span>([^<]+)</span>', page)
    assert headers == ["Testing", "Code review", "Accessibility"]
    footer = page.split("<tfoot>")[1]
    assert re.findall(r'class="gap-count">(?:<span class="tag tag-failed">)?(\d+)', footer) == ["2", "1", "0", "3"]
    assert "3 levels below what a role needs" in page
    widest = page.split('id="widest-heading"')[1].split("</section>")[0]
    assert "Testing</a>: 2 of 2 who need it" in widest and "Accessibility" not in widest
    rows = {
        name: re.findall(r'class="gap-count">(?:<span class="tag tag-failed">)?(\d+)', row)
        for name, row in re.findall(r">(Alice Adams|Carol Cole)</a>(.*?)</tr>", page, flags=re.S)
    }
    assert rows == {"Alice Adams": ["2"], "Carol Cole": ["1"]}
    # The legend names every level of the scale, each in its shade, and the gap marker.
    legend = page.split('class="heat-legend"')[1].split("</div>")[0]
    assert len(re.findall(r"heat-swatch heat-\d", legend)) == 5 and "below what the role needs" in legend


def test_a_team_without_gaps_says_so(personas: Personas) -> None:
    default_scale()
    role = JobRoleFactory.create(name="Engineer")
    Person.objects.filter(pk=personas.alice.pk).update(job_role=role)
    skill = services.skill_create(actor=None, name="Testing")
    services.requirement_set(actor=None, job_role=role, skill=skill, level=2)
    services.assessment_record(actor=personas.bob, person=personas.alice, skill=skill, source="manager", level=2)
    page = _team_page(personas.bob)
    assert "with no one below what their role needs" in page and 'id="widest-heading"' not in page
