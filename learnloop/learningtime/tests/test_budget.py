import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.learningtime.selectors import budget_for, weekly_budget_minutes
from learnloop.learningtime.services import person_budget_set, team_budget_set


@override_settings(LEARNING_TIME_DEFAULT_WEEKLY_MINUTES=90)
def test_the_person_value_beats_the_team_default_which_beats_the_site_default(personas: Personas) -> None:
    alice = personas.alice
    assert weekly_budget_minutes(alice) == 90 and budget_for(alice).source == "site"
    team_budget_set(actor=personas.bob, weekly_minutes=180)
    assert weekly_budget_minutes(alice) == 180 and budget_for(alice).source == "team"
    # The team default is for bob's direct reports only, not for bob himself or mona's other people.
    assert weekly_budget_minutes(personas.bob) == 90
    person_budget_set(actor=personas.bob, person=alice, weekly_minutes=240)
    assert weekly_budget_minutes(alice) == 240 and budget_for(alice).source == "person"
    person_budget_set(actor=personas.pat, person=alice, weekly_minutes=None)
    assert weekly_budget_minutes(alice) == 180
    team_budget_set(actor=personas.bob, weekly_minutes=None)
    assert weekly_budget_minutes(alice) == 90


def test_only_managers_and_people_admins_set_someones_budget(personas: Personas) -> None:
    for actor in (personas.alice, personas.oscar, personas.lena):
        with pytest.raises(ValidationError) as caught:
            person_budget_set(actor=actor, person=personas.alice, weekly_minutes=60)
        assert "person" in caught.value.message_dict
    person_budget_set(actor=personas.mona, person=personas.alice, weekly_minutes=60)  # skip-level manager
    assert AuditEvent.objects.filter(action="learningtime.person_budget_set", actor=personas.mona).count() == 1


def test_bad_budgets_are_refused_with_a_field_error(personas: Personas) -> None:
    for minutes in (-1, 40 * 60 + 1):
        with pytest.raises(ValidationError) as caught:
            person_budget_set(actor=personas.bob, person=personas.alice, weekly_minutes=minutes)
        assert "weekly_minutes" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        team_budget_set(actor=personas.oscar, weekly_minutes=60)  # oscar has no reports
    assert "no direct reports" in caught.value.message_dict["weekly_minutes"][0]
    assert weekly_budget_minutes(personas.alice) == 120
