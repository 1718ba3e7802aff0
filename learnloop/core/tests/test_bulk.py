import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learnloop.core.bulk import rows_update
from learnloop.core.testing import PersonFactory
from learnloop.people.models import Person
from learnloop.skills.models import Skill

pytestmark = pytest.mark.django_db


def test_rows_update_writes_each_fields_value_as_save_would() -> None:
    boss = PersonFactory.create()
    people = PersonFactory.create_batch(3)
    for n, person in enumerate(people):
        person.title, person.hire_date, person.manager, person.is_active = f"T{n}", dt.date(2020, 1, n + 1), boss, False
    people[2].hire_date, people[2].manager = None, None
    untouched = PersonFactory.create(title="Keep")
    assert rows_update(people, ["title", "hire_date", "manager", "is_active"]) == 3
    stored = {p.pk: p for p in Person.objects.filter(pk__in=[p.pk for p in people])}
    assert [stored[p.pk].title for p in people] == ["T0", "T1", "T2"]
    assert [stored[p.pk].hire_date for p in people] == [dt.date(2020, 1, 1), dt.date(2020, 1, 2), None]
    assert [stored[p.pk].manager_id for p in people] == [boss.pk, boss.pk, None]
    assert not any(p.is_active for p in stored.values())
    assert Person.objects.get(pk=untouched.pk).title == "Keep"


def test_rows_update_stores_json_fields() -> None:
    skill = Skill.objects.create(name="Kubernetes", synonyms=["k8s"])
    skill.synonyms = ["K8s", "kube", "Übersetzung"]
    rows_update([skill], ["synonyms"])
    assert Skill.objects.get(pk=skill.pk).synonyms == ["K8s", "kube", "Übersetzung"]


def test_rows_update_with_nothing_sends_nothing() -> None:
    with CaptureQueriesContext(connection) as captured:
        assert rows_update([], ["title"]) == 0
    assert len(captured) == 0
