"""`learnloop demo` starts again on the same database, whatever was added in between and on any later day."""

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from learnloop.core.cli import ProgressLine
from learnloop.core.seeding import DEMO_SEED, DemoContext
from learnloop.core.testing import PersonFactory
from learnloop.learningtime.models import LearningBlock, PersonBudget
from learnloop.lrs.demo import academy_statements
from learnloop.lrs.models import Client, Statement
from learnloop.lrs.services import secret_hash
from learnloop.people.models import Person
from learnloop.people.services import person_create
from learnloop.plans.models import Plan, TransferCheck
from learnloop.skills.models import SkillAssessment

# A Friday late in the year; the second run is on the first Monday of the next year, so every "today",
# "this week" and "this year" the demo knows has moved on.
FIRST_RUN = dt.datetime(2026, 12, 18, 16, 45, tzinfo=dt.UTC)
LATER_RUN = dt.datetime(2027, 1, 4, 7, 30, tzinfo=dt.UTC)


def _demo() -> str:
    out = io.StringIO()
    call_command("demo", "--people", "60", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _academy() -> dict[str, Any]:
    return {
        str(statement_id): data
        for statement_id, data in Statement.objects.filter(client__key="fernhill-academy").values_list(
            "statement_id", "data"
        )
    }


@pytest.mark.django_db
def test_the_demo_seeds_again_a_year_later_after_new_people_and_accounts_were_added() -> None:
    with time_machine.travel(FIRST_RUN):
        _demo()
    academy = _academy()
    assert academy
    demo_people = set(Person.objects.values_list("pk", flat=True))
    ratings = SkillAssessment.objects.exclude(source="evidence").count()
    blocks = LearningBlock.objects.count()

    # What a newcomer does in between: a superuser, a new hire whose employee id sorts before the demo's
    # (in Jonas's team, the role the demo rates and plans for), an account with no id, an xAPI client.
    call_command(
        "createsuperuser", interactive=False, username="root@example.com", email="root@example.com", verbosity=0
    )
    jonas = Person.objects.get(username="jonas.weber@fernhill.example")
    maya = Person.objects.get(username="maya.okafor@fernhill.example")
    first = person_create(
        actor=None,
        email="aaron.first@example.com",
        first_name="Aaron",
        last_name="First",
        employee_id="A0001",
        manager=jonas,
        org_unit=maya.org_unit,
        job_role=maya.job_role,
        location=maya.location,
        time_zone=maya.time_zone,
    )
    no_id = PersonFactory.create(email="temp@example.com", employee_id=None, manager=jonas)
    Client.objects.create(key="our-lms", name="Our LMS", secret_hash=secret_hash("another-client-secret"))
    added = {first.pk, no_id.pk, Person.objects.get(username="root@example.com").pk}

    with time_machine.travel(LATER_RUN):
        out = _demo()
    assert "Sign in as" in out
    # The demo's records are as they were: the course player's statements to the byte, ratings and blocks
    # not drawn again; this year's plans are new (their completions add evidence), only for demo people.
    assert _academy() == academy
    assert SkillAssessment.objects.exclude(source="evidence").count() == ratings
    assert LearningBlock.objects.count() == blocks
    assert Plan.objects.filter(period="2027").exists()
    # People added beside the demo get none of its data, and no demo password.
    assert not Statement.objects.filter(person__in=added).exists()
    assert not SkillAssessment.objects.filter(person__in=added).exists()
    assert not Plan.objects.filter(person__in=added).exists()
    assert not PersonBudget.objects.filter(person__in=added).exists()
    assert not TransferCheck.objects.filter(learner__in=added).exists()
    assert not first.has_usable_password() and not Person.objects.get(pk=first.pk).check_password("learnloop-demo")
    assert set(Person.objects.values_list("pk", flat=True)) == demo_people | added

    with time_machine.travel(LATER_RUN + dt.timedelta(days=1)):
        _demo()
    assert _academy() == academy


@pytest.mark.django_db
def test_a_demo_persons_statements_do_not_depend_on_who_else_is_walked() -> None:
    ctx = DemoContext(people=60, seed=DEMO_SEED, progress=ProgressLine(io.StringIO()))
    maya = PersonFactory.create(employee_id="F0001", username="maya@example.com")
    jonas = PersonFactory.create(employee_id="F0002", username="jonas@example.com")
    before = PersonFactory.create(employee_id="A0001", username="first@example.com")
    alone = academy_statements(ctx, [maya, jonas])
    walked_after_another = academy_statements(ctx, [before, maya, jonas])
    assert alone and [s for s in walked_after_another if s["actor"]["account"]["name"] != before.username] == alone
