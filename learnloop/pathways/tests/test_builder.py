"""The pathway builder: a bounded catalog search to add steps and build stages, and ordering by up and down."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.learning.models import CatalogItem
from learnloop.pathways import services
from learnloop.pathways.models import Pathway, Stage, Step
from learnloop.pathways.tests.factories import item, pathway


def _lena(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.lena)
    return client


def _titles(built: Pathway) -> list[str]:
    return list(Stage.objects.filter(pathway=built).order_by("position").values_list("title", flat=True))


def _steps(stage: Stage) -> list[str]:
    return [s.item.title for s in Step.objects.filter(stage=stage).select_related("item").order_by("position", "id")]


def test_steps_move_up_and_down_within_their_stage(personas: Personas) -> None:
    a, b, c = item("A"), item("B"), item("C")
    built = pathway([("Only", [a, b, c], None)], publish=False)
    stage = built.stages.get()
    step_c = Step.objects.get(item=c)
    services.step_move(actor=personas.lena, step=step_c, direction="up")
    assert _steps(stage) == ["A", "C", "B"]
    services.step_move(actor=personas.lena, step=step_c, direction="up")
    assert _steps(stage) == ["C", "A", "B"]
    with pytest.raises(ValidationError) as first:
        services.step_move(actor=personas.lena, step=step_c, direction="up")
    assert first.value.message_dict == {"position": ["This is already the first step."]}
    services.step_move(actor=personas.lena, step=Step.objects.get(item=a), direction="down")
    assert _steps(stage) == ["C", "B", "A"]
    with pytest.raises(ValidationError):
        services.step_move(actor=personas.lena, step=Step.objects.get(item=a), direction="down")
    with pytest.raises(ValidationError) as sideways:
        services.step_move(actor=personas.lena, step=step_c, direction="left")
    assert "direction" in sideways.value.message_dict
    assert AuditEvent.objects.filter(action="pathway_step.move").count() == 3


def test_steps_with_equal_positions_are_put_in_order_before_moving(personas: Personas) -> None:
    a, b, c = item("A"), item("B"), item("C")
    built = pathway([("Only", [a, b, c], None)], publish=False)
    Step.objects.filter(stage__pathway=built).update(position=0)  # as rows made before positions were kept
    stage = built.stages.get()
    services.step_move(actor=personas.lena, step=Step.objects.get(item=b), direction="down")
    assert _steps(stage) == ["A", "C", "B"]
    assert list(Step.objects.filter(stage=stage).order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_stages_move_down_unless_a_prerequisite_would_point_forward(personas: Personas) -> None:
    a, b, c = item("A"), item("B"), item("C")
    built = pathway([("First", [a], None), ("Second", [b], None), ("Third", [c], None)], publish=False)
    first = built.stages.get(title="First")
    services.stage_move(actor=personas.lena, stage=first, direction="down")
    assert _titles(built) == ["Second", "First", "Third"]
    step_a, step_c = Step.objects.get(item=a), Step.objects.get(item=c)
    services.step_set_prerequisites(actor=personas.lena, step=step_c, prerequisites=[step_a])
    with pytest.raises(ValidationError) as refused:
        services.stage_move(actor=personas.lena, stage=first, direction="down")
    assert "“Third” waits for a step in “First”" in refused.value.message_dict["position"][0]
    with pytest.raises(ValidationError):
        services.stage_move(actor=personas.lena, stage=built.stages.get(title="Third"), direction="up")
    assert _titles(built) == ["Second", "First", "Third"]
    with pytest.raises(ValidationError) as last:
        services.stage_move(actor=personas.lena, stage=built.stages.get(title="Third"), direction="down")
    assert last.value.message_dict == {"position": ["This is already the last stage."]}


def test_moves_over_htmx_answer_the_stage_list_with_the_outcome(personas: Personas) -> None:
    a, b = item("Alpha"), item("Beta")
    built = pathway([("Only", [a, b], None)], publish=False)
    step_b = Step.objects.get(item=b)
    client = _lena(personas)
    partial = client.post(f"/pathways/steps/{step_b.pk}/move/", {"direction": "up"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html and 'id="builder-stages"' in html
    assert "“Beta” moved up: now step 1 of 2 in “Only”." in html and 'hx-swap-oob="true"' in html
    assert _steps(built.stages.get()) == ["Beta", "Alpha"]
    # At the top already: the list comes back with the reason, nothing moves.
    again = client.post(f"/pathways/steps/{step_b.pk}/move/", {"direction": "up"}, headers={"HX-Request": "true"})
    assert "This is already the first step." in again.content.decode()
    # Without htmx: back to the edit page, at the step.
    plain = client.post(f"/pathways/steps/{step_b.pk}/move/", {"direction": "down"})
    assert plain.status_code == 302 and plain["Location"] == f"/pathways/{built.pk}/edit/#step-{step_b.pk}"
    stage = built.stages.get()
    moved = client.post(f"/pathways/stages/{stage.pk}/move/", {"direction": "down"})
    assert moved.status_code == 302 and moved["Location"].endswith(f"#stage-{stage.pk}")


def test_the_builder_never_lists_the_whole_catalog(personas: Personas) -> None:
    for number in range(30):
        item(f"Course {number:02d}")
    built = pathway([("Only", [CatalogItem.objects.get(title="Course 00")], None)], publish=False)
    stage = built.stages.get()
    client = _lena(personas)
    page = client.get(f"/pathways/{built.pk}/edit/").content.decode()
    assert "Course 29" not in page and "<select" not in page.split('id="builder-stages"')[1]
    found = client.get(f"/pathways/{built.pk}/items/", {"stage": str(stage.pk), "find": "course"}).content.decode()
    assert found.count('<li class="step-row">') == 20 and "The 20 best matches" in found
    assert (
        "already a step of this pathway"
        in client.get(f"/pathways/{built.pk}/items/", {"stage": str(stage.pk), "find": "course 00"}).content.decode()
    )
    picks = client.get(f"/pathways/{built.pk}/items/", {"mode": "pick", "find": "course 1"}).content.decode()
    assert picks.count('name="items"') == 10
    assert client.get(f"/pathways/{built.pk}/items/", {"find": "course"}).status_code == 404  # no stage
    # Without JavaScript the same search is a GET of the edit page, answered in the stage's card.
    plain = client.get(f"/pathways/{built.pk}/edit/", {"stage": str(stage.pk), "find": "course 2"}).content.decode()
    assert "Course 25" in plain and 'value="course 2"' in plain


def test_without_javascript_a_new_stage_finds_items_and_keeps_the_ticked_ones(personas: Personas) -> None:
    chosen, other = item("Chosen course"), item("Other course")
    built = pathway([("First", [item("First course")], None)], publish=False)
    client = _lena(personas)
    found = client.post(
        f"/pathways/{built.pk}/stages/new/",
        {"title": "Second", "items": [chosen.pk], "find": "other", "find_items": "1"},
    )
    html = found.content.decode()
    assert found.status_code == 200 and f'value="{chosen.pk}" checked' in html and "Other course" in html
    assert 'value="Second"' in html and not Stage.objects.filter(title="Second").exists()
    created = client.post(f"/pathways/{built.pk}/stages/new/", {"title": "Second", "items": [chosen.pk, other.pk]})
    assert created.status_code == 302
    assert _steps(Stage.objects.get(title="Second")) == ["Chosen course", "Other course"]
    empty = client.post(f"/pathways/{built.pk}/stages/new/", {"title": "Third"})
    assert empty.status_code == 400 and "Choose at least one catalog item for this stage." in empty.content.decode()
