import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas, PersonFactory
from learnloop.learning.models import Enrollment
from learnloop.lrs.events import VERBS
from learnloop.lrs.models import Statement
from learnloop.notifications.models import Notification
from learnloop.pathways import jobs, selectors, services
from learnloop.pathways.models import Assignment, Certificate, Stage, Step
from learnloop.pathways.progress import DONE, IN_PROGRESS, LOCKED, TODO
from learnloop.pathways.tests.factories import complete, enrol, item, pathway, tomorrow

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_stages():
    """Basics (all of two), a choice (any 2 of 3), then a capstone."""
    basics = [item("One-to-ones"), item("Feedback basics")]
    choice = [item("Coaching"), item("Delegation"), item("Hiring")]
    capstone = [item("Lead a retro")]
    built = pathway(
        [("Basics", basics, None), ("Pick two", choice, 2), ("Capstone", capstone, None)], certification_months=12
    )
    return built, basics, choice, capstone


def _progress(person, built):
    structured = selectors.pathway_get(actor=person, pathway_id=built.pk)
    return selectors.progress_of(person=person, pathway=structured)[1]


def _statuses(progress):
    return [[s.status for s in stage.steps] for stage in progress.stages]


def test_stages_open_in_order_and_a_choice_needs_any_n(personas: Personas, three_stages) -> None:
    built, basics, choice, capstone = three_stages
    alice = personas.alice
    assert _statuses(_progress(alice, built)) == [[TODO, TODO], [LOCKED] * 3, [LOCKED]]
    complete(alice, basics[0])
    started = enrol(alice, basics[1])
    # Enrolling is not starting: the step is still to do until some progress is recorded.
    assert _statuses(_progress(alice, built)) == [[DONE, TODO], [LOCKED] * 3, [LOCKED]]
    Enrollment.objects.filter(pk=started.pk).update(progress=10)
    progress = _progress(alice, built)
    assert _statuses(progress) == [[DONE, IN_PROGRESS], [LOCKED] * 3, [LOCKED]]
    assert (progress.stages_done, progress.stages_total, progress.percent) == (0, 3, 0)
    complete(alice, basics[1])
    complete(alice, choice[0])
    progress = _progress(alice, built)
    assert _statuses(progress) == [[DONE, DONE], [DONE, TODO, TODO], [LOCKED]]
    assert progress.stages[1].status == IN_PROGRESS
    complete(alice, choice[2])
    progress = _progress(alice, built)
    assert [s.status for s in progress.stages] == [DONE, DONE, TODO]
    assert (progress.stages_done, progress.percent, progress.is_complete) == (2, 67, False)
    complete(alice, capstone[0], learned="Listen first")
    progress = _progress(alice, built)
    assert progress.is_complete and progress.percent == 100
    assert progress.stages[2].steps[0].enrollment.learned == "Listen first"


def test_a_step_waits_for_its_prerequisites(personas: Personas) -> None:
    first, second = item("Read the guide"), item("Apply the guide")
    built = pathway([("Only", [first, second], None)])
    steps = {s.item_id: s for s in Step.objects.filter(stage__pathway=built)}
    services.step_set_prerequisites(actor=personas.lena, step=steps[second.pk], prerequisites=[steps[first.pk]])
    assert _statuses(_progress(personas.alice, built)) == [[TODO, LOCKED]]
    complete(personas.alice, first)
    assert _statuses(_progress(personas.alice, built)) == [[DONE, TODO]]


def test_any_n_of_m_cannot_need_more_steps_than_it_has(personas: Personas) -> None:
    built = pathway([], publish=False)
    with pytest.raises(ValidationError) as error:
        services.stage_add(
            actor=personas.lena, pathway=built, title="Pick", items=[item("A"), item("B")], required_count=3
        )
    assert "cannot need 3" in error.value.message_dict["required_count"][0]
    assert not Stage.objects.filter(pathway=built).exists()
    stage = services.stage_add(actor=personas.lena, pathway=built, title="Pick", items=[item("C"), item("D")])
    with pytest.raises(ValidationError) as error:
        services.stage_update(actor=personas.lena, stage=stage, title="Pick", required_count=5)
    assert "required_count" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.stage_update(actor=personas.lena, stage=stage, title="Pick", required_count=0)
    stage.refresh_from_db()
    assert stage.required_count is None


def test_the_editor_shows_a_bad_choice_on_the_field(client: Client, personas: Personas) -> None:
    built = pathway([], publish=False)
    client.force_login(personas.lena)
    a, b = item("A"), item("B")
    response = client.post(
        reverse("pathways:stage_create", kwargs={"pathway_id": built.pk}),
        {"title": "Pick", "items": [a.pk, b.pk], "required_count": "3"},
    )
    assert response.status_code == 400
    assert "it cannot need 3" in response.content.decode()
    assert not Stage.objects.exists()


def test_prerequisites_cannot_loop_or_point_forward(personas: Personas) -> None:
    a, b, c, later = item("A"), item("B"), item("C"), item("Later")
    built = pathway([("First", [a, b, c], None), ("Second", [later], None)])
    steps = {s.item_id: s for s in Step.objects.filter(stage__pathway=built)}
    services.step_set_prerequisites(actor=None, step=steps[b.pk], prerequisites=[steps[a.pk]])
    services.step_set_prerequisites(actor=None, step=steps[c.pk], prerequisites=[steps[b.pk]])
    with pytest.raises(ValidationError) as error:
        services.step_set_prerequisites(actor=None, step=steps[a.pk], prerequisites=[steps[c.pk]])
    assert "circle" in error.value.message_dict["prerequisites"][0]
    with pytest.raises(ValidationError) as error:
        services.step_set_prerequisites(actor=None, step=steps[a.pk], prerequisites=[steps[a.pk]])
    assert "itself" in error.value.message_dict["prerequisites"][0]
    with pytest.raises(ValidationError) as error:
        services.step_set_prerequisites(actor=None, step=steps[a.pk], prerequisites=[steps[later.pk]])
    assert "later stage" in error.value.message_dict["prerequisites"][0]
    assert list(steps[a.pk].prerequisites.all()) == []


def test_a_pathway_is_published_only_with_stages(personas: Personas) -> None:
    built = pathway([], publish=False)
    with pytest.raises(ValidationError) as error:
        services.pathway_update(actor=personas.lena, pathway=built, is_published=True)
    assert "is_published" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.pathway_create(actor=personas.lena, title="X", description="Y", certification_months=0)


def test_a_manager_assigns_a_report_who_is_told(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    assignment = services.assignment_create(
        actor=personas.bob, pathway=built, person=personas.alice, required=True, due_on=tomorrow()
    )
    note = Notification.objects.get(recipient=personas.alice)
    assert note.kind == "assignment" and "Bob Brown" in note.body
    assert AuditEvent.objects.filter(action="pathway_assignment.create", object_id=str(assignment.pk)).exists()
    statement = Statement.objects.get(person=personas.alice, verb_id=VERBS["assigned"].iri)
    assert statement.object_ref.endswith(f"/xapi/activities/pathway/{built.pk}")
    with pytest.raises(ValidationError) as error:
        services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
    assert "already has" in error.value.message_dict["person"][0]


def test_the_skip_level_manager_may_assign_too(personas: Personas, three_stages) -> None:
    services.assignment_create(actor=personas.mona, pathway=three_stages[0], person=personas.alice, required=False)
    assert Assignment.objects.filter(person=personas.alice, assigned_by=personas.mona).exists()


def test_nobody_assigns_people_they_do_not_manage(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    for actor in (personas.bob, personas.alice, personas.pat):
        with pytest.raises(ValidationError) as error:
            services.assignment_create(actor=actor, pathway=built, person=personas.oscar, required=True)
        assert "report to you" in error.value.message_dict["person"][0]
    assert not Assignment.objects.exists()
    assert not Notification.objects.exists()


def test_the_due_date_cannot_be_in_the_past(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.assignment_create(
            actor=personas.bob, pathway=built, person=personas.alice, required=True, due_on=yesterday
        )
    assert "due_on" in error.value.message_dict
    assignment = services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
    with pytest.raises(ValidationError):
        services.assignment_set_due(actor=personas.bob, assignment=assignment, due_on=yesterday)
    services.assignment_set_due(actor=personas.bob, assignment=assignment, due_on=tomorrow())
    assignment.refresh_from_db()
    assert assignment.due_on == tomorrow()
    assert AuditEvent.objects.filter(action="pathway_assignment.due").count() == 1


def test_drafts_cannot_be_assigned(personas: Personas) -> None:
    draft = pathway([("Only", [item("A")], None)], publish=False)
    with pytest.raises(ValidationError) as error:
        services.assignment_create(actor=personas.lena, pathway=draft, person=personas.alice, required=True)
    assert "pathway" in error.value.message_dict


def test_people_pick_voluntary_pathways_for_themselves(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    with pytest.raises(ValidationError) as error:
        services.assignment_create(actor=personas.alice, pathway=built, person=personas.alice, required=True)
    assert "voluntary" in error.value.message_dict["required"][0]
    assignment = services.assignment_create(actor=personas.alice, pathway=built, person=personas.alice, required=False)
    assert not Notification.objects.exists()  # nobody needs telling what they just did
    services.assignment_delete(actor=personas.alice, assignment=assignment)
    assert not Assignment.objects.exists()
    assert AuditEvent.objects.filter(action="pathway_assignment.delete").exists()


def test_a_required_assignment_is_not_the_persons_to_remove(client: Client, personas: Personas, three_stages) -> None:
    assignment = services.assignment_create(
        actor=personas.bob, pathway=three_stages[0], person=personas.alice, required=True
    )
    client.force_login(personas.alice)
    response = client.post(reverse("pathways:unassign", kwargs={"assignment_id": assignment.pk}))
    assert response.status_code == 404
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_a_manager_assigns_their_whole_team(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    carol = PersonFactory.create(manager=personas.bob, org_unit=personas.team)
    services.assignment_create(actor=personas.bob, pathway=built, person=carol, required=True)
    result = services.assignment_create_for_team(
        actor=personas.bob, pathway=built, team=personas.team, required=True, due_on=tomorrow()
    )
    assert [a.person for a in result.assigned] == [personas.alice]
    assert result.already == [carol]
    assert not Assignment.objects.filter(person=personas.bob).exists()
    assert Assignment.objects.get(person=personas.alice).team == personas.team
    with pytest.raises(ValidationError) as error:
        services.assignment_create_for_team(actor=personas.bob, pathway=built, team=personas.other_team, required=True)
    assert "do not manage everyone" in error.value.message_dict["team"][0]


def test_ld_admins_assign_any_team(personas: Personas, three_stages) -> None:
    result = services.assignment_create_for_team(
        actor=personas.lena, pathway=three_stages[0], team=personas.other_team, required=False
    )
    assert {a.person for a in result.assigned} == {personas.oscar, personas.lena, personas.pat, personas.otto}


def _api(person):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=person, person=person, name='t').secret}"}


def test_the_api_names_the_field_when_assigning_someone_not_managed(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    client = Client()
    response = client.post(
        "/api/v1/pathways/assignments",
        json.dumps({"pathway_id": built.pk, "person_id": personas.oscar.pk, "required": True}),
        content_type="application/json",
        **_api(personas.bob),
    )
    assert response.status_code == 400
    assert "report to you" in response.json()["error"]["fields"]["person"][0]
    response = client.post(
        "/api/v1/pathways/assignments",
        json.dumps({"pathway_id": built.pk, "person_id": personas.alice.pk, "due_on": "2001-01-01"}),
        content_type="application/json",
        **_api(personas.bob),
    )
    assert response.status_code == 400 and "due_on" in response.json()["error"]["fields"]
    draft = pathway([("Only", [item("Z")], None)], title="Secret", publish=False)
    response = client.post(
        "/api/v1/pathways/assignments",
        json.dumps({"pathway_id": draft.pk, "person_id": personas.alice.pk}),
        content_type="application/json",
        **_api(personas.bob),
    )
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_the_api_gives_my_assignments_with_progress(personas: Personas, three_stages) -> None:
    built, basics, *_ = three_stages
    services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
    complete(personas.alice, basics[0])
    response = Client().get("/api/v1/pathways/assignments/mine", **_api(personas.alice))
    (row,) = response.json()["items"]
    assert row["state"] == "in_progress" and row["stages_total"] == 3 and row["stages_done"] == 0
    assert [s["status"] for s in row["steps"]][:3] == ["done", "todo", "locked"]
    detail = Client().get(f"/api/v1/pathways/{built.pk}", **_api(personas.alice)).json()
    assert [s["required_count"] for s in detail["stages"]] == [None, 2, None]


def _due(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_reminders_before_and_after_the_due_date_once_each(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    soon = services.assignment_create(
        actor=personas.lena, pathway=built, person=personas.alice, required=True, due_on=_due(5)
    )
    services.assignment_create(actor=personas.lena, pathway=built, person=personas.bob, required=True, due_on=_due(20))
    services.assignment_create(
        actor=personas.lena, pathway=built, person=personas.oscar, required=False, due_on=_due(2)
    )
    now = timezone.now()
    assert jobs.due_reminders_send(now=now) == 1
    assert jobs.due_reminders_send(now=now) == 0
    assert Notification.objects.get(kind="due_soon").recipient == personas.alice
    later = now + dt.timedelta(days=6)
    assert jobs.due_reminders_send(now=later) == 1
    assert (
        Notification.objects.get(kind="overdue", recipient=personas.alice).dedupe_key
        == f"pathway-overdue-{soon.pk}-{soon.due_on}"
    )
    assert jobs.due_reminders_send(now=later) == 0


def test_no_reminder_once_the_pathway_is_done(personas: Personas) -> None:
    only = item("Only step")
    built = pathway([("Only", [only], None)])
    services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True, due_on=_due(3))
    complete(personas.alice, only)
    assert jobs.due_reminders_send() == 0


def test_completing_the_pathway_issues_a_certificate(personas: Personas, three_stages) -> None:
    built, basics, choice, capstone = three_stages
    assignment = services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
    for course in (*basics, choice[0], choice[1]):
        complete(personas.alice, course)
    assert jobs.completions_record() == 0
    complete(personas.alice, capstone[0])
    assert jobs.completions_record() == 1
    assert jobs.completions_record() == 0
    assignment.refresh_from_db()
    certificate = Certificate.objects.get(person=personas.alice)
    assert assignment.completed_at == certificate.issued_at
    assert certificate.expires_at == services.add_months(certificate.issued_at, 12)
    verbs = set(Statement.objects.filter(person=personas.alice).values_list("verb_id", flat=True))
    assert {VERBS["completed"].iri, VERBS["earned"].iri} <= verbs
    response = Client()
    response.force_login(personas.alice)
    page = response.get(reverse("pathways:mine")).content.decode()
    assert "valid until" in page and built.title in page


def test_months_are_added_by_the_calendar() -> None:
    moment = dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
    assert services.add_months(moment, 1) == dt.datetime(2026, 2, 28, 9, tzinfo=dt.UTC)
    assert services.add_months(moment, 13) == dt.datetime(2027, 2, 28, 9, tzinfo=dt.UTC)
    assert services.add_months(moment, 24) == dt.datetime(2028, 1, 31, 9, tzinfo=dt.UTC)


def test_recertification_reminds_and_assigns_again(personas: Personas) -> None:
    first = item("Safety basics")
    built = pathway([("Only", [first], None)], certification_months=12)
    services.assignment_create(actor=personas.lena, pathway=built, person=personas.alice, required=True)
    complete(personas.alice, first)
    jobs.completions_record()
    certificate = Certificate.objects.get()
    assert jobs.recertification_send(now=certificate.expires_at - dt.timedelta(days=60)) == 0
    soon = certificate.expires_at - dt.timedelta(days=20)
    assert jobs.recertification_send(now=soon) == 1
    assert jobs.recertification_send(now=soon) == 0
    assignment = Assignment.objects.get(person=personas.alice)
    assert assignment.completed_at is None and assignment.required
    assert assignment.counts_from == soon and assignment.due_on == timezone.localdate(certificate.expires_at)
    # The old completion does not count for the renewal.
    structured = selectors.pathway_get(actor=personas.alice, pathway_id=built.pk)
    assert not selectors.progress_of(person=personas.alice, pathway=structured)[1].is_complete
    assert jobs.recertification_send(now=certificate.expires_at + dt.timedelta(days=1)) == 1
    kinds = list(Notification.objects.filter(kind="recertification").values_list("title", flat=True))
    assert len(kinds) == 2 and any("has expired" in t for t in kinds)
    assert Assignment.objects.count() == 1


def test_home_panel_shows_open_pathways_only(personas: Personas, three_stages) -> None:
    assert selectors.home_panel(personas.alice) is None
    services.assignment_create(actor=personas.bob, pathway=three_stages[0], person=personas.alice, required=True)
    panel = selectors.home_panel(personas.alice)
    assert panel is not None and panel["rows"][0].progress.stages_total == 3
    client = Client()
    client.force_login(personas.alice)
    assert "My pathways" in client.get("/").content.decode()


def _assign_many(count: int, built, manager) -> None:
    for _ in range(count):
        person = PersonFactory.create(manager=manager)
        manager = type(manager).objects.get(pk=manager.pk)  # report_ids is cached per instance
        services.assignment_create(actor=manager, pathway=built, person=person, required=True, due_on=tomorrow())
        enrol(person, built.stages.first().steps.first().item)


def test_my_pathways_queries_do_not_grow(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.alice)
    counts = []
    for n in (1, 6):
        for i in range(n):
            courses = [item(f"{n}-{i}-{k}") for k in range(3)]
            built = pathway(
                [("A", courses[:2], 1), ("B", courses[2:], None)], title=f"Path {n}-{i}", certification_months=6
            )
            services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
            complete(personas.alice, courses[0])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pathways:mine")).status_code == 200
        counts.append(len(queries))
    jobs.completions_record()
    assert counts[0] == counts[1]


def test_the_assignment_overview_queries_do_not_grow(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    client = Client()
    client.force_login(personas.lena)
    counts = []
    for n in (2, 12):
        _assign_many(n, built, personas.bob)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("pathways:overview", kwargs={"pathway_id": built.pk}))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "<svg" in response.content.decode()


def test_the_api_lists_do_not_grow(personas: Personas) -> None:
    headers = _api(personas.alice)
    Client().get("/api/v1/pathways", **headers)  # the token's first use is recorded once
    counts = []
    for n in (1, 5):
        for i in range(n):
            built = pathway([("A", [item(f"x{n}{i}")], None)], title=f"P{n}{i}")
            services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
        with CaptureQueriesContext(connection) as queries:
            assert Client().get("/api/v1/pathways/assignments/mine", **headers).status_code == 200
            assert Client().get("/api/v1/pathways", **headers).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_managers_see_only_their_people_in_the_overview(client: Client, personas: Personas, three_stages) -> None:
    built = three_stages[0]
    services.assignment_create(actor=personas.lena, pathway=built, person=personas.alice, required=True)
    services.assignment_create(actor=personas.lena, pathway=built, person=personas.oscar, required=True)
    client.force_login(personas.bob)
    page = client.get(reverse("pathways:overview", kwargs={"pathway_id": built.pk})).content.decode()
    assert "Alice Adams" in page and "Oscar Olsen" not in page


def test_the_catalog_filters_by_job_role(client: Client, personas: Personas) -> None:
    from learnloop.core.testing import JobRoleFactory

    engineer, designer = JobRoleFactory.create(name="Engineer"), JobRoleFactory.create(name="Designer")
    pathway([("A", [item("a")], None)], title="For engineers", job_role=engineer)
    pathway([("B", [item("b")], None)], title="For designers", job_role=designer)
    pathway([("C", [item("c")], None)], title="Hidden draft", publish=False)
    client.force_login(personas.alice)
    page = client.get(reverse("pathways:catalog"), {"job_role": engineer.pk}).content.decode()
    assert "For engineers" in page and "For designers" not in page
    assert "Hidden draft" not in client.get(reverse("pathways:catalog")).content.decode()


def test_a_manager_sees_a_reports_pathways_and_certificates(client: Client, personas: Personas) -> None:
    only = item("Safety basics")
    built = pathway([("Only", [only], None)], title="Safety", certification_months=12)
    services.assignment_create(actor=personas.bob, pathway=built, person=personas.alice, required=True)
    complete(personas.alice, only)
    jobs.completions_record()
    client.force_login(personas.bob)
    page = client.get(reverse("pathways:person", kwargs={"person_id": personas.alice.pk})).content.decode()
    assert "Safety" in page and "valid until" in page and "1 of 1 stage done" in page
    client.force_login(personas.oscar)
    assert client.get(reverse("pathways:person", kwargs={"person_id": personas.alice.pk})).status_code == 404


def test_stages_move_up_unless_a_prerequisite_would_point_forward(personas: Personas) -> None:
    a, b = item("A"), item("B")
    built = pathway([("First", [a], None), ("Second", [b], None)], publish=False)
    first, second = built.stages.order_by("position")
    services.stage_move_up(actor=personas.lena, stage=second)
    assert list(built.stages.order_by("position").values_list("title", flat=True)) == ["Second", "First"]
    services.stage_move_up(actor=personas.lena, stage=first)
    step_a, step_b = Step.objects.get(item=a), Step.objects.get(item=b)
    services.step_set_prerequisites(actor=personas.lena, step=step_b, prerequisites=[step_a])
    with pytest.raises(ValidationError) as error:
        services.stage_move_up(actor=personas.lena, stage=second)
    assert "position" in error.value.message_dict
    assert list(built.stages.order_by("position").values_list("title", flat=True)) == ["First", "Second"]


def test_removing_a_step_keeps_any_n_of_m_possible(personas: Personas) -> None:
    a, b, c = item("A"), item("B"), item("C")
    built = pathway([("Pick", [a, b, c], 2)])
    services.step_remove(actor=personas.lena, step=Step.objects.get(item=c))
    with pytest.raises(ValidationError) as error:
        services.step_remove(actor=personas.lena, step=Step.objects.get(item=b))
    assert "needs 2" in error.value.message_dict["item"][0]
    with pytest.raises(ValidationError) as error:
        services.step_add(actor=personas.lena, stage=built.stages.get(), item=a)
    assert "already a step" in error.value.message_dict["items"][0]
    assert Step.objects.filter(stage__pathway=built).count() == 2


def test_can_and_scope_agree_on_assignments(personas: Personas, three_stages) -> None:
    from learnloop.core import policy

    built = three_stages[0]
    people = [personas.alice, personas.bob, personas.oscar, personas.lena]
    for index, person in enumerate(people):
        Assignment.objects.create(pathway=built, person=person, required=index % 2 == 0, assigned_at=timezone.now())
    everyone = [personas.alice, personas.bob, personas.mona, personas.oscar, personas.lena, personas.pat, personas.otto]
    for actor in everyone:
        for action in ("view", "change"):
            scoped = set(policy.scope(actor, action, Assignment.objects.all()).values_list("pk", flat=True))
            allowed = {a.pk for a in Assignment.objects.all() if policy.can(actor, action, a)}
            assert scoped == allowed, (actor, action)
    assert {a.person for a in policy.scope(personas.alice, "change", Assignment.objects.all())} == set()
    assert {a.person for a in policy.scope(personas.bob, "change", Assignment.objects.all())} == {
        personas.alice,
        personas.bob,
    }


def test_the_api_assigns_a_team_and_changes_the_due_date(personas: Personas, three_stages) -> None:
    built = three_stages[0]
    headers = _api(personas.bob)
    response = Client().post(
        "/api/v1/pathways/assignments",
        json.dumps({"pathway_id": built.pk, "org_unit_id": personas.team.pk, "due_on": tomorrow().isoformat()}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert [a["person_id"] for a in body["assigned"]] == [personas.alice.pk]
    assert body["already_assigned_person_ids"] == []
    assignment_id = body["assigned"][0]["id"]
    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = Client().patch(
        f"/api/v1/pathways/assignments/{assignment_id}",
        json.dumps({"due_on": later}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200 and response.json()["due_on"] == later
    assert Client().delete(f"/api/v1/pathways/assignments/{assignment_id}", **headers).status_code == 204
    assert not Assignment.objects.exists()


def test_a_renewed_certificate_silences_the_old_one(personas: Personas) -> None:
    built = pathway([("Only", [item("Safety")], None)], certification_months=12)
    issued = timezone.now() - dt.timedelta(days=350)
    old = Certificate.objects.create(
        pathway=built, person=personas.alice, issued_at=issued, expires_at=services.add_months(issued, 12)
    )
    Certificate.objects.create(
        pathway=built,
        person=personas.alice,
        issued_at=timezone.now(),
        expires_at=services.add_months(timezone.now(), 12),
    )
    assert jobs.recertification_send(now=old.expires_at - dt.timedelta(days=5)) == 0
    assert not Assignment.objects.exists()
    old.refresh_from_db()
    assert old.renewal_assigned_at is None


def test_the_assign_page_shows_a_past_due_date_on_its_field(client: Client, personas: Personas, three_stages) -> None:
    client.force_login(personas.bob)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        reverse("pathways:assign"),
        {"pathway": three_stages[0].pk, "person": personas.alice.pk, "required": "1", "due_on": yesterday.isoformat()},
    )
    assert response.status_code == 400
    assert 'id="id_due_on_error"' in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_renewal_completes_when_the_items_are_taken_again(personas: Personas) -> None:
    from learnloop.learning.enrollment import enrollment_complete, enrollment_retake
    from learnloop.learning.models import Enrollment

    first = item("Safety basics")
    built = pathway([("Only", [first], None)], certification_months=12)
    services.assignment_create(actor=personas.lena, pathway=built, person=personas.alice, required=True)
    complete(personas.alice, first)
    jobs.completions_record()
    certificate = Certificate.objects.get()
    jobs.recertification_send(now=certificate.expires_at - dt.timedelta(days=20))
    # The renewal starts now (the job set it at the reminder's time; the reminder came today).
    Assignment.objects.filter(person=personas.alice).update(counts_from=timezone.now())
    enrollment = Enrollment.objects.get(person=personas.alice, item=first)
    enrollment_complete(actor=personas.alice, enrollment=enrollment)  # already complete: nothing changes

    def renewed() -> bool:
        structured = selectors.pathway_get(actor=personas.alice, pathway_id=built.pk)
        return selectors.progress_of(person=personas.alice, pathway=structured)[1].is_complete

    assert not renewed()
    again = enrollment_retake(actor=personas.alice, enrollment=enrollment)
    assert not renewed()
    enrollment_complete(actor=personas.alice, enrollment=again)
    assert renewed()


def test_with_many_people_the_assign_page_asks_for_an_email(
    client: Client, personas: Personas, three_stages, monkeypatch
) -> None:
    monkeypatch.setattr("learnloop.core.forms.PICK_LIMIT", 2)
    client.force_login(personas.lena)
    page = client.get(reverse("pathways:assign")).content.decode()
    assert 'type="email" name="person"' in page and personas.oscar.username not in page
    unknown = client.post(
        reverse("pathways:assign"),
        {"pathway": three_stages[0].pk, "person": "nobody@example.com", "required": "1"},
    )
    assert unknown.status_code == 400 and "No one you may assign has this email." in unknown.content.decode()
    assigned = client.post(
        reverse("pathways:assign"),
        {"pathway": three_stages[0].pk, "person": personas.alice.username, "required": "1"},
    )
    assert assigned.status_code == 302
    assert Assignment.objects.filter(person=personas.alice, pathway=three_stages[0]).exists()
