"""Changing the number of proficiency levels: the default mapping, the rules a mapping must keep, every
stored level moved in one transaction with one audit event, and nothing written on bad input."""

import datetime as dt
import io
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection, models, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import JobRoleFactory, Personas, racing_writers
from learnloop.learning.models import ItemSkill
from learnloop.learning.services import item_create
from learnloop.people.models import Person
from learnloop.plans.models import Goal
from learnloop.plans.services import goal_create
from learnloop.plans.tests.helpers import plan_of
from learnloop.skills import services
from learnloop.skills.charts import heat_shade, level_history
from learnloop.skills.forms import RatingForm, RequirementForm
from learnloop.skills.models import ProficiencyLevel, RoleRequirement, Skill, SkillAssessment
from learnloop.skills.scale import (
    LevelColumn,
    NewLevel,
    carried_over,
    level_columns,
    proportional,
    proportional_mapping,
)
from learnloop.skills.tests.helpers import default_scale

FOUR = [
    NewLevel("Beginner", "Follows a worked example with help."),
    NewLevel("Practitioner", "Does the everyday work alone."),
    NewLevel("Expert", "Handles the hard cases and coaches others."),
    NewLevel("Authority", "Sets how the organization does it."),
]
SHIFT_DOWN = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


@pytest.mark.parametrize(
    ("new_top", "expected"),
    [
        (5, {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}),
        (4, {1: 1, 2: 2, 3: 3, 4: 3, 5: 4}),
        (3, {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}),
        (2, {1: 1, 2: 1, 3: 2, 4: 2, 5: 2}),
        (7, {1: 1, 2: 3, 3: 4, 4: 6, 5: 7}),
        (10, {1: 1, 2: 3, 3: 6, 4: 8, 5: 10}),
    ],
)
def test_the_proposed_mapping_keeps_each_levels_relative_place(new_top: int, expected: dict[int, int]) -> None:
    # round(1 + (l - 1) * (N - 1) / 4), halves up: 5 -> 3 sends 2 (1.5) to 2 and 4 (2.5) to 3.
    assert proportional_mapping(old_top=5, new_top=new_top) == expected


@given(old_top=st.integers(2, 10), new_top=st.integers(2, 10))
def test_the_proposed_mapping_is_ordered_and_keeps_the_ends(old_top: int, new_top: int) -> None:
    mapping = proportional_mapping(old_top=old_top, new_top=new_top)
    targets = [mapping[level] for level in range(1, old_top + 1)]
    assert targets == sorted(targets) and targets[0] == 1 and targets[-1] == new_top
    assert all(1 <= target <= new_top for target in targets)
    if old_top == new_top:
        assert targets == list(range(1, old_top + 1))


def test_names_carry_over_where_a_new_level_matches_an_old_one() -> None:
    # Growing 5 -> 7 opens two new levels (2 and 5) between the old ones; they start empty.
    assert carried_over(old_top=5, new_top=7) == {1: 1, 3: 2, 4: 3, 6: 4, 7: 5}
    # Shrinking 5 -> 3: Aware, Proficient and Expert name the three new levels.
    assert carried_over(old_top=5, new_top=3) == {1: 1, 2: 3, 3: 5}
    # Shrinking 5 -> 4 (docs/skills.md): Aware, Developing, Advanced, Expert; Proficient merges into Advanced.
    assert carried_over(old_top=5, new_top=4) == {1: 1, 2: 2, 3: 4, 4: 5}
    assert carried_over(old_top=2, new_top=2) == {1: 1, 2: 2}
    assert proportional(1, old_top=1, new_top=4) == 1


@pytest.fixture
def stored(personas: Personas) -> dict[str, Any]:
    """One value at each level 1-5 in every column that stores a level, and a second rating at 3."""
    skill = services.skill_create(actor=None, name="Code review")
    plan = plan_of(personas.alice)
    rows: dict[str, Any] = {"skill": skill, "ratings": [], "requirements": [], "items": [], "goals": []}
    for level in range(1, 6):
        rows["ratings"].append(
            services.assessment_record(
                actor=personas.alice, person=personas.alice, skill=skill, source="self", level=level
            )
        )
        role = JobRoleFactory.create(name=f"Role at {level}")
        rows["requirements"].append(services.requirement_set(actor=None, job_role=role, skill=skill, level=level))
        item = item_create(
            actor=None, kind="book", title=f"Book {level}", summary="x", author="A", skills=[(skill, level)]
        )
        rows["items"].append(item)
        rows["goals"].append(
            goal_create(actor=personas.alice, plan=plan, kind="skill", skill=skill, target_level=level)
        )
    services.assessment_record(actor=personas.bob, person=personas.alice, skill=skill, source="manager", level=3)
    goal_create(actor=personas.alice, plan=plan, kind="outcome", outcome="Ship it", measure="By June")
    return rows


def _levels_stored() -> dict[str, list[int]]:
    return {
        "ratings": sorted(SkillAssessment.objects.values_list("level", flat=True)),
        "requirements": sorted(RoleRequirement.objects.values_list("level", flat=True)),
        "item_targets": sorted(ItemSkill.objects.values_list("target_level", flat=True)),
        "goal_targets": sorted(level for level in Goal.objects.values_list("target_level", flat=True) if level),
    }


def _scale() -> list[tuple[int, str]]:
    return list(ProficiencyLevel.objects.values_list("level", "name"))


def test_a_resize_moves_every_stored_level_and_records_one_event(personas: Personas, stored: dict[str, Any]) -> None:
    before = list(ProficiencyLevel.objects.values("level", "name", "descriptor"))
    result = services.scale_resize(actor=personas.lena, levels=FOUR, mapping=SHIFT_DOWN)
    assert _scale() == [(1, "Beginner"), (2, "Practitioner"), (3, "Expert"), (4, "Authority")]
    assert [level.descriptor for level in result.levels] == [level.descriptor for level in FOUR]
    assert _levels_stored() == {
        "ratings": [1, 1, 2, 2, 3, 4],
        "requirements": [1, 1, 2, 3, 4],
        "item_targets": [1, 1, 2, 3, 4],
        "goal_targets": [1, 1, 2, 3, 4],
    }
    # Each row moved to its own new level: the rating at 4 is now at 3, the requirement at 5 at 4.
    assert SkillAssessment.objects.get(pk=stored["ratings"][3].pk).level == 3
    assert RoleRequirement.objects.get(pk=stored["requirements"][4].pk).level == 4
    assert Goal.objects.get(pk=stored["goals"][2].pk).target_level == 2
    assert Goal.objects.get(kind="outcome").target_level is None
    # Level 1 stays where it is, so 4 of 5 values move (and both ratings at 3).
    assert result.rewritten == {"ratings": 5, "requirements": 4, "item_targets": 4, "goal_targets": 4}
    event = AuditEvent.objects.get(action="proficiency_scale.resize")
    assert (event.actor_id, event.source, event.object_type) == (personas.lena.pk, "web", "skills.proficiencylevel")
    assert event.changes["levels"] == [5, 4]
    assert event.changes["scale"][0] == before
    assert [level["name"] for level in event.changes["scale"][1]] == [level.name for level in FOUR]
    assert event.changes["mapping"] == [None, {"1": 1, "2": 1, "3": 2, "4": 3, "5": 4}]
    assert event.changes["rewritten"] == [None, result.rewritten]


def test_a_growing_scale_adds_levels_and_then_accepts_them(personas: Personas, stored: dict[str, Any]) -> None:
    seven = [NewLevel(f"Step {n}", f"What someone at step {n} does.") for n in range(1, 8)]
    services.scale_resize(actor=personas.lena, levels=seven, mapping=proportional_mapping(old_top=5, new_top=7))
    assert services.scale_top() == 7 and ProficiencyLevel.objects.count() == 7
    assert _levels_stored()["requirements"] == [1, 3, 4, 6, 7]
    skill = stored["skill"]
    rating = services.assessment_record(
        actor=personas.bob, person=personas.alice, skill=skill, source="manager", level=7
    )
    assert rating.level == 7
    with pytest.raises(ValidationError) as error:
        services.assessment_record(actor=personas.bob, person=personas.alice, skill=skill, source="manager", level=8)
    assert error.value.message_dict == {"level": ["Choose a level from 1 to 7."]}


def test_after_shrinking_every_write_and_form_refuses_the_old_top(personas: Personas, stored: dict[str, Any]) -> None:
    services.scale_resize(actor=personas.lena, levels=FOUR, mapping=SHIFT_DOWN)
    skill, plan = stored["skill"], plan_of(personas.alice)
    refused = [
        lambda: services.assessment_record(
            actor=personas.alice, person=personas.alice, skill=skill, source="self", level=5
        ),
        lambda: services.requirement_set(actor=None, job_role=JobRoleFactory.create(), skill=skill, level=5),
        lambda: goal_create(actor=personas.alice, plan=plan, kind="skill", skill=skill, target_level=5),
        lambda: item_create(actor=None, kind="book", title="Late", summary="x", author="A", skills=[(skill, 5)]),
    ]
    for write in refused:
        with pytest.raises(ValidationError, match="from 1 to 4"):
            write()
    for form in (RatingForm({"skill": skill.pk, "level": 5}), RequirementForm({"skill": skill.pk, "level": 5})):
        assert form.errors["level"] == ["Choose a level from 1 to 4."]
        assert 'max="4"' in str(form["level"])
    assert RatingForm({"skill": skill.pk, "level": 4}).is_valid()


BAD: list[tuple[dict[str, Any], str]] = [
    ({"levels": FOUR[:1]}, "levels"),
    ({"levels": [NewLevel(f"L{n}", "Does it.") for n in range(11)]}, "levels"),
    ({"levels": [FOUR[0], NewLevel("  ", "Does it."), *FOUR[2:]]}, "levels.1.name"),
    ({"levels": [FOUR[0], NewLevel("x" * 61, "Does it."), *FOUR[2:]]}, "levels.1.name"),
    ({"levels": [*FOUR[:3], NewLevel("beginner", "Does it.")]}, "levels.3.name"),
    ({"levels": [*FOUR[:3], NewLevel("Authority", "")]}, "levels.3.descriptor"),
    ({"mapping": {1: 1, 2: 1, 3: 2, 4: 3}}, "mapping.5"),
    ({"mapping": {**SHIFT_DOWN, 6: 4}}, "mapping.6"),
    ({"mapping": {**{str(k): v for k, v in SHIFT_DOWN.items()}, "six": 4}}, "mapping.six"),
    ({"mapping": {**SHIFT_DOWN, 5: 5}}, "mapping.5"),
    ({"mapping": {**SHIFT_DOWN, 2: 0}}, "mapping.2"),
    ({"mapping": {**SHIFT_DOWN, 3: True}}, "mapping.3"),
    ({"mapping": {1: 1, 2: 3, 3: 2, 4: 3, 5: 4}}, "mapping.3"),
    ({"mapping": [1, 1, 2, 3, 4]}, "mapping"),
]


@pytest.mark.parametrize(("change", "field"), BAD, ids=[field for _, field in BAD])
def test_bad_input_names_the_field_and_writes_nothing(
    personas: Personas, stored: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    before = (_scale(), _levels_stored(), AuditEvent.objects.count())
    arguments: dict[str, Any] = {"levels": FOUR, "mapping": SHIFT_DOWN, **change}
    with pytest.raises(ValidationError) as error:
        services.scale_resize(actor=personas.lena, **arguments)
    assert list(error.value.message_dict) == [field]
    assert (_scale(), _levels_stored(), AuditEvent.objects.count()) == before


def test_the_order_error_says_which_levels_cross(personas: Personas) -> None:
    with pytest.raises(ValidationError) as error:
        services.scale_resize(actor=personas.lena, levels=FOUR, mapping={1: 2, 2: 1, 3: 2, 4: 3, 5: 4})
    assert error.value.message_dict == {
        "mapping.2": ["Keep the order: today's level 1 becomes 2, so level 2 cannot become the lower 1."]
    }


def test_a_failure_halfway_leaves_everything_as_it_was(
    personas: Personas, stored: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ratings, requirements and targets are rewritten before a later column fails: all roll back."""
    broken = LevelColumn("broken", "broken", SkillAssessment, "no_such_field")
    monkeypatch.setattr(services, "level_columns", lambda: [*level_columns(), broken])
    before = (_scale(), _levels_stored(), AuditEvent.objects.count())
    with pytest.raises(Exception, match="no_such_field"):
        services.scale_resize(actor=personas.lena, levels=FOUR, mapping=SHIFT_DOWN)
    assert (_scale(), _levels_stored(), AuditEvent.objects.count()) == before


def test_only_those_who_may_change_the_scale_resize_it(personas: Personas, stored: dict[str, Any]) -> None:
    from django.http import Http404

    for person in (personas.alice, personas.bob, personas.pat):
        with pytest.raises(Http404):
            services.scale_resize(actor=person, levels=FOUR, mapping=SHIFT_DOWN)
    assert ProficiencyLevel.objects.count() == 5
    services.scale_resize(actor=personas.otto, levels=FOUR, mapping=SHIFT_DOWN)
    assert ProficiencyLevel.objects.count() == 4


def test_values_outside_todays_scale_move_with_its_nearest_end(personas: Personas, stored: dict[str, Any]) -> None:
    skill = stored["skill"]
    stray_high = RoleRequirement.objects.create(job_role=JobRoleFactory.create(), skill=skill, level=9)
    stray_low = RoleRequirement.objects.create(job_role=JobRoleFactory.create(), skill=skill, level=0)
    result = services.scale_resize(actor=personas.lena, levels=FOUR, mapping=SHIFT_DOWN)
    stray_high.refresh_from_db()
    stray_low.refresh_from_db()
    assert (stray_high.level, stray_low.level) == (4, 1)
    assert result.rewritten["requirements"] == 6


def test_the_same_scale_with_the_same_mapping_changes_nothing(personas: Personas, stored: dict[str, Any]) -> None:
    same = [NewLevel(level.name, level.descriptor) for level in ProficiencyLevel.objects.all()]
    result = services.scale_resize(actor=personas.lena, levels=same, mapping=proportional_mapping(old_top=5, new_top=5))
    assert result.rewritten == {"ratings": 0, "requirements": 0, "item_targets": 0, "goal_targets": 0}
    assert not AuditEvent.objects.filter(action="proficiency_scale.resize").exists()


def test_a_level_cannot_be_renamed_to_another_levels_name(personas: Personas) -> None:
    level = ProficiencyLevel.objects.get(level=2)
    with pytest.raises(ValidationError) as error:
        services.proficiency_level_update(actor=None, level=level, name="EXPERT", descriptor="Does it.")
    assert error.value.message_dict == {"name": ["Level 5 is already called “Expert”: give each level its own name."]}


def test_a_registered_level_column_is_listed_with_its_details() -> None:
    from learnloop.skills import scale

    column = LevelColumn("test_levels", "test levels", SkillAssessment, "level")
    scale.register_level_column(column)
    try:
        assert column in level_columns()
    finally:
        del scale._COLUMNS["test_levels"]


def test_every_column_that_stores_a_level_is_moved_by_a_resize() -> None:
    """A new model field holding a level on the scale must register a LevelColumn (see scale.py), or a
    resize would leave it meaning something else."""
    found = {
        (model, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("learnloop.") and model is not ProficiencyLevel
        for field in model._meta.get_fields()
        if isinstance(field, models.IntegerField) and (field.name == "level" or field.name.endswith("_level"))
    }
    registered = {(column.model, column.field) for column in level_columns()}
    assert found == registered
    assert {column.key for column in level_columns()} == {"ratings", "requirements", "item_targets", "goal_targets"}


def test_a_resize_retires_cached_answers_at_once(personas: Personas, stored: dict[str, Any]) -> None:
    role = RoleRequirement.objects.get(level=5).job_role
    Person.objects.filter(pk=personas.alice.pk).update(job_role=role)
    bob = Client()
    bob.force_login(personas.bob)
    catalog = Client(
        headers={"Authorization": f"Bearer {token_create(actor=personas.bob, person=personas.bob, name='t').secret}"}
    )

    def targets() -> list[int]:
        items = catalog.get("/api/v1/catalog?limit=10").json()["items"]
        return sorted(taught["target_level"] for item in items for taught in item["skills"])

    for _ in range(2):  # the second answers come from the cache
        assert '<span class="needed"> / 5</span>' in bob.get("/skills/team/").content.decode()
        assert targets() == [1, 2, 3, 4, 5]
    services.scale_resize(actor=personas.lena, levels=FOUR, mapping=SHIFT_DOWN)
    assert '<span class="needed"> / 4</span>' in bob.get("/skills/team/").content.decode()
    # Catalog answers are not retired by any change to the scale's own rows: only by the resize itself.
    assert targets() == [1, 1, 2, 3, 4]


@racing_writers
@pytest.mark.django_db(transaction=True)
def test_a_rating_checked_before_a_resize_is_moved_by_it(personas: Personas) -> None:
    """A rating checked against the five-level scale commits while the scale becomes four levels: the
    resize waits for it and moves it, so no 5 is left on a four-level scale."""
    default_scale()
    skill = Skill.objects.create(name="Code review", search_text="code review")
    checked, go = threading.Event(), threading.Event()

    def rate() -> None:
        try:
            with transaction.atomic():
                top = services.scale_top(hold=True)
                checked.set()
                go.wait(timeout=60)
                SkillAssessment.objects.create(
                    person=personas.alice, skill=skill, source="self", level=top, assessed_at=timezone.now()
                )
        finally:
            connection.close()

    def resize() -> None:
        try:
            services.scale_resize(actor=personas.lena, levels=FOUR, mapping=SHIFT_DOWN)
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        rating = pool.submit(rate)
        assert checked.wait(timeout=60)
        resizing = pool.submit(resize)
        # Let the rating go on once the resize waits for its lock (or, without one, has finished).
        while not resizing.done() and not _someone_waits_for_an_advisory_lock():
            time.sleep(0.01)
        go.set()
        rating.result(timeout=60)
        resizing.result(timeout=60)
    assert list(SkillAssessment.objects.values_list("level", flat=True)) == [4]
    assert services.scale_top() == 4


def _someone_waits_for_an_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return bool(cursor.fetchone()[0])


@pytest.mark.parametrize(
    ("level", "top", "shade"),
    [
        (None, 5, "none"),
        (1.0, 5, "1"),
        (3.0, 5, "3"),
        (5.0, 5, "5"),
        (4.0, 4, "5"),
        (2.5, 4, "3"),
        (1.0, 10, "1"),
        (6.0, 10, "3"),
        (10.0, 10, "5"),
        (7.0, 4, "5"),
    ],
)
def test_the_team_matrix_shades_run_from_the_bottom_to_the_top_of_any_scale(
    level: float | None, top: int, shade: str
) -> None:
    assert heat_shade(level, top=top) == shade


@pytest.mark.parametrize(
    ("top", "labels"), [(4, ["1", "2", "3", "4"]), (5, ["1", "2", "3", "4", "5"]), (10, ["1", "3", "5", "7", "9"])]
)
def test_the_growth_chart_draws_every_level_and_labels_as_many_as_fit(top: int, labels: list[str]) -> None:
    start = timezone.now()
    chart = str(level_history([(start, 1.0), (start + dt.timedelta(days=30), 2.5)], skill="Coaching", top=top))
    assert chart.count('class="chart-grid"') == top
    assert re.findall(r'class="chart-label">(\d+)</text>', chart) == labels
    assert f"on a scale of 1 to {top}." in chart


def test_the_demo_fills_a_resized_scale_without_leaving_it(db: None) -> None:
    """The demo's numbers are written for five levels; on a four-level scale they land proportionally."""
    services.scale_resize(actor=None, levels=FOUR, mapping=SHIFT_DOWN)
    call_command("demo", "--people", "80", stdout=io.StringIO(), stderr=io.StringIO())
    stored = _levels_stored()
    assert all(values for values in stored.values())
    assert max(max(values) for values in stored.values()) == 4
    assert min(min(values) for values in stored.values()) == 1
