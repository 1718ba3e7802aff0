import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learnloop.core.home import panels_for
from learnloop.core.models import AuditEvent
from learnloop.core.testing import JobRoleFactory, PersonFactory
from learnloop.lrs.models import Statement
from learnloop.notifications.models import Notification
from learnloop.plans import selectors, services
from learnloop.plans.models import Goal, Objective, Plan
from learnloop.plans.tests.helpers import YEAR, enrol, goal_of, item, objective, plan_of
from learnloop.skills.models import CareerPath, Skill, SkillAssessment

pytestmark = pytest.mark.django_db


def _new_plan(person, period=str(YEAR)):
    return services.plan_create(
        actor=person, person=person, period=period, starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31)
    )


def test_it_keeps_one_plan_per_person_and_period(personas):
    _new_plan(personas.alice)
    with pytest.raises(ValidationError) as exc:
        _new_plan(personas.alice)
    assert "already a plan for" in exc.value.message_dict["period"][0]
    _new_plan(personas.bob)  # another person, same period
    assert Plan.objects.count() == 2


def test_it_validates_dates_and_ownership(personas):
    with pytest.raises(ValidationError) as exc:
        services.plan_create(
            actor=personas.alice,
            person=personas.alice,
            period="2026-H2",
            starts_on=dt.date(2026, 12, 31),
            ends_on=dt.date(2026, 7, 1),
        )
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=personas.bob,
            person=personas.alice,
            period="2026",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
        )
    assert not Plan.objects.exists()


def test_goal_hard_rules_refuse_and_write_nothing(personas):
    plan = _new_plan(personas.alice)
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=personas.alice, plan=plan, kind="skill")
    assert "skill" in exc.value.message_dict
    skill = Skill.objects.create(name="Coaching")
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=personas.alice, plan=plan, kind="skill", skill=skill, target_level=9)
    assert "target_level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=personas.alice, plan=plan, kind="outcome", outcome="")
    assert "outcome" in exc.value.message_dict
    retired = Objective.objects.create(title="Old", period="2020", is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=personas.alice, plan=plan, kind="outcome", outcome="x", objective=retired)
    assert "objective" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.goal_create(
            actor=personas.alice, plan=plan, kind="outcome", outcome="x", role=JobRoleFactory.create(name="CEO")
        )
    assert "role" in exc.value.message_dict
    assert not Goal.objects.exists()


def test_role_path_is_own_role_or_a_next_role(personas):
    engineer, senior, ceo = (JobRoleFactory.create(name=n) for n in ("Engineer", "Senior Engineer", "CEO"))
    CareerPath.objects.create(from_role=engineer, to_role=senior)
    alice = personas.alice
    alice.job_role = engineer
    alice.save(update_fields=["job_role"])
    assert services.role_path_options(alice) == [engineer, senior]
    plan = _new_plan(alice)
    goal = services.goal_create(actor=alice, plan=plan, kind="outcome", outcome="Lead a design", role=senior)
    assert goal.role == senior
    with pytest.raises(ValidationError):
        services.goal_update(actor=alice, goal=goal, role=ceo)


def test_a_closed_plan_takes_no_new_goals(personas):
    plan = _new_plan(personas.alice)
    services.plan_close(actor=personas.alice, plan=plan)
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=personas.alice, plan=plan, kind="outcome", outcome="x")
    assert "closed" in exc.value.message_dict["plan"][0]


def test_progress_comes_from_the_attached_items_enrolments(personas):
    alice = personas.alice
    done, half, dropped, untouched = (item(t) for t in ("Done", "Half", "Dropped", "Untouched"))
    first = goal_of(alice, done, half)
    plan = first.plan
    second = Goal.objects.create(plan=plan, kind="outcome", outcome="Second")
    second.items.add(dropped, untouched)
    Goal.objects.create(plan=plan, kind="outcome", outcome="No learning yet")
    enrol(alice, done, status="completed", progress=100, completed_at=timezone.now())
    enrol(alice, half, status="in_progress", progress=40)
    enrol(alice, dropped, status="dropped", progress=80)
    enrol(personas.bob, untouched, status="completed", progress=100)  # someone else's enrolment never counts
    (plan,) = selectors.with_progress([Plan.objects.get(pk=plan.pk)])
    progress = {g.outcome: g.progress for g in plan.goals.all()}  # type: ignore[attr-defined]
    assert progress == {"Run our team retrospectives": 70, "Second": 0, "No learning yet": None}
    # The plan averages the goals that have learning attached.
    assert plan.progress == 35  # type: ignore[attr-defined]


def test_writing_a_goal_on_the_page_saves_and_then_shows_advice(client, personas):
    plan = _new_plan(personas.alice)
    client.force_login(personas.alice)
    response = client.post(
        reverse("plans:goal_create", kwargs={"plan_id": plan.pk}),
        {"kind": "outcome", "outcome": "Get better at retrospectives", "measure": ""},
    )
    assert response.status_code == 302
    goal = Goal.objects.get(plan=plan)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "How will you and your manager know" in html
    assert "Give the goal a due date" in html
    assert "Link the goal to an org objective" in html
    assert f"/plans/goals/{goal.pk}/edit/" in html


def test_the_smart_check_endpoint_answers_as_people_type(client, personas):
    plan = _new_plan(personas.alice)
    client.force_login(personas.alice)
    url = reverse("plans:smart_check", kwargs={"plan_id": plan.pk})
    vague = client.post(url, {"kind": "outcome", "outcome": "Improve my stuff", "measure": "feel better"})
    assert vague.status_code == 200
    assert "hard to check" in vague.content.decode()
    good = client.post(
        url,
        {
            "kind": "outcome",
            "outcome": "Run the team's retrospectives",
            "measure": "3 retros by June",
            "objective": objective().pk,
            "due_on": f"{YEAR}-12-01",
        },
    )
    body = good.content.decode()
    assert "suggestions" not in body and "Nice" in body


def test_skill_advice_uses_the_calibrated_level(personas):
    alice = personas.alice
    skill = Skill.objects.create(name="Coaching")
    SkillAssessment.objects.create(person=alice, skill=skill, source="manager", level=3, assessed_at=timezone.now())
    plan = _new_plan(alice)
    advice = selectors.goal_advice(plan=plan, kind="skill", skill=skill, target_level=3, objective=objective())
    assert any("already 3.0" in a.message for a in advice)
    advice = selectors.goal_advice(plan=plan, kind="skill", skill=skill, target_level=4, objective=objective())
    assert not any(a.rule == "measurable" for a in advice)


def test_a_goal_follows_the_number_of_levels_the_scale_has(client, personas):
    from learnloop.skills.scale import NewLevel
    from learnloop.skills.services import scale_resize

    levels = [NewLevel(f"Stage {n}", f"Does what stage {n} asks.") for n in range(1, 5)]
    scale_resize(actor=personas.lena, levels=levels, mapping={1: 1, 2: 2, 3: 3, 4: 3, 5: 4})
    skill = Skill.objects.create(name="Coaching")
    plan = _new_plan(personas.alice)
    client.force_login(personas.alice)
    form = client.get(reverse("plans:goal_create", kwargs={"plan_id": plan.pk})).content.decode()
    assert 'name="target_level" min="1" max="4"' in form and "Stage 4" in form
    url = reverse("plans:smart_check", kwargs={"plan_id": plan.pk})
    advice = client.post(url, {"kind": "skill", "skill": skill.pk, "target_level": 5}).content.decode()
    assert "The proficiency scale goes from 1 to 4" in advice
    saved = client.post(
        reverse("plans:goal_create", kwargs={"plan_id": plan.pk}),
        {"kind": "skill", "skill": skill.pk, "target_level": 5},
    )
    assert saved.status_code == 400 and saved.context["form"].errors["target_level"] == ["Choose a level from 1 to 4."]
    assert not Goal.objects.filter(plan=plan).exists()


def test_effort_advice_reads_the_weekly_learning_time(personas, settings):
    settings.LEARNING_TIME_DEFAULT_WEEKLY_MINUTES = 60
    plan = _new_plan(personas.alice)
    long_course = item("Long course", minutes=600)
    today = dt.date(YEAR, 3, 2)
    kwargs = {"plan": plan, "kind": "outcome", "outcome": "x", "measure": "3", "objective": objective()}
    advice = selectors.goal_advice(**kwargs, due_on=dt.date(YEAR, 3, 30), items=[long_course], today=today)
    assert [a.rule for a in advice] == ["achievable"]
    settings.LEARNING_TIME_DEFAULT_WEEKLY_MINUTES = 300
    assert selectors.goal_advice(**kwargs, due_on=dt.date(YEAR, 3, 30), items=[long_course], today=today) == []


def test_managers_up_the_line_see_and_comment_and_the_owner_hears(client, personas):
    plan = plan_of(personas.alice)
    for manager in (personas.bob, personas.mona):
        client.force_login(manager)
        assert client.get(reverse("plans:plan", kwargs={"plan_id": plan.pk})).status_code == 200
        client.post(reverse("plans:comment", kwargs={"plan_id": plan.pk}), {"body": f"Good start, {manager.pk}"})
    notes = Notification.objects.filter(recipient=personas.alice, kind="plan_comment")
    assert notes.count() == 2
    assert notes.first().url == f"/plans/{plan.pk}/"
    # The owner's own comment notifies nobody.
    services.plan_comment_add(actor=personas.alice, plan=plan, body="Thanks!")
    assert Notification.objects.filter(kind="plan_comment").count() == 2
    # A peer sees nothing.
    client.force_login(personas.oscar)
    assert client.get(reverse("plans:plan", kwargs={"plan_id": plan.pk})).status_code == 404


def test_every_write_is_audited(personas):
    alice, lena = personas.alice, personas.lena
    goal_objective = services.objective_create(actor=lena, title="Ship safely", period=str(YEAR))
    services.objective_update(actor=lena, objective=goal_objective, description="Fewer incidents")
    plan = _new_plan(alice)
    services.plan_update(actor=alice, plan=plan, ends_on=dt.date(YEAR, 11, 30))
    goal = services.goal_create(actor=alice, plan=plan, kind="outcome", outcome="x", objective=goal_objective)
    services.goal_update(actor=alice, goal=goal, items=[item()])
    services.goal_complete(actor=alice, goal=goal)
    services.plan_comment_add(actor=personas.bob, plan=plan, body="Nice")
    services.goal_delete(actor=alice, goal=goal)
    services.plan_close(actor=alice, plan=plan)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "objective.create",
        "objective.update",
        "plan.create",
        "plan.update",
        "goal.create",
        "goal.update",
        "goal.complete",
        "plan.comment",
        "goal.delete",
        "plan.close",
    } <= actions
    update = AuditEvent.objects.get(action="goal.update")
    assert update.changes["items"][0] == []


def test_completing_a_goal_is_an_xapi_statement(personas):
    goal = goal_of(personas.alice)
    services.goal_complete(actor=personas.alice, goal=goal)
    services.goal_complete(actor=personas.alice, goal=goal)  # twice is once
    statements = Statement.objects.filter(verb_id="http://adlnet.gov/expapi/verbs/completed", person=personas.alice)
    assert statements.count() == 1
    assert statements.get().object_ref.endswith(f"/xapi/activities/plan-goal/{goal.pk}")


def test_a_goal_achieved_in_bulk_gets_the_statement_completing_it_records_dated_then(personas):
    goal = goal_of(personas.alice)
    assert services.goal_history(goal) == []  # not achieved
    services.goal_complete(actor=personas.alice, goal=goal)
    achieved = Goal.objects.select_related("plan__person", "skill").get(pk=goal.pk)
    (built,) = services.goal_history(achieved)
    stored = Statement.objects.get(person=personas.alice).data
    ignored = ("id", "timestamp", "stored", "authority", "version")
    assert {k: v for k, v in built.items() if k not in ignored} == {k: v for k, v in stored.items() if k not in ignored}
    assert dt.datetime.fromisoformat(built["timestamp"]) == achieved.completed_at


def test_objectives_cannot_sit_under_themselves(personas):
    top = services.objective_create(actor=personas.lena, title="Top", period="2026")
    child = services.objective_create(actor=personas.lena, title="Child", period="2026", parent=top)
    with pytest.raises(ValidationError) as exc:
        services.objective_update(actor=personas.lena, objective=top, parent=child)
    assert "parent" in exc.value.message_dict


def test_home_panel_shows_the_current_plan_or_nothing(client, personas):
    assert "plan" not in [panel.key for panel, _ in panels_for(personas.alice)]
    goal = goal_of(personas.alice, item("Coaching basics"))
    enrol(personas.alice, item("Coaching basics"), status="in_progress", progress=50)
    client.force_login(personas.alice)
    html = client.get(reverse("core:home")).content.decode()
    assert f"My plan: {goal.plan.period}" in html
    assert 'value="50"' in html


def test_team_plans_lists_everyone_below(client, personas):
    plan_of(personas.alice)
    plan_of(personas.bob)
    plan_of(personas.oscar)
    client.force_login(personas.mona)
    html = client.get(reverse("plans:team")).content.decode()
    assert "Alice Adams" in html and "Bob Brown" in html and "Oscar" not in html


def _fill(manager, n):
    """n reports under `manager`, each with a plan of two goals with items and enrolments."""
    for i in range(n):
        person = PersonFactory.create(manager=manager)
        catalog_item = item(f"Item {manager.pk}-{n}-{i}")
        goal = goal_of(person, catalog_item)
        Goal.objects.create(plan=goal.plan, kind="outcome", outcome="Second").items.add(catalog_item)
        enrol(person, catalog_item, status="in_progress", progress=30)


def test_plan_and_team_pages_queries_do_not_grow(client, personas):
    bob = personas.bob
    client.force_login(bob)
    counts: dict[str, list[int]] = {"team": [], "plan": [], "api": []}
    plan = plan_of(personas.alice)
    for n in (2, 12):
        _fill(bob, n)
        for index in range(n):
            goal = Goal.objects.create(plan=plan, kind="outcome", outcome=f"Goal {n}-{index}")
            goal.items.add(item(f"Alice item {n}-{index}"))
            services.plan_comment_add(actor=bob, plan=plan, body=f"Comment {n}-{index}")
        for key, url in (
            ("team", reverse("plans:team")),
            ("plan", reverse("plans:plan", kwargs={"plan_id": plan.pk})),
            ("api", "/api/v1/plans/team"),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[key].append(len(queries))
    assert all(small == large for small, large in counts.values()), counts


def test_api_goal_create_returns_advice_and_clear_errors(client, personas):
    plan = plan_of(personas.alice)
    client.force_login(personas.alice)
    url = f"/api/v1/plans/{plan.pk}/goals"
    ok = client.post(url, {"kind": "outcome", "outcome": "Be better"}, content_type="application/json")
    assert ok.status_code == 201
    assert {a["rule"] for a in ok.json()["advice"]} == {"measurable", "time_bound", "relevant"}
    bad = client.post(url, {"kind": "skill"}, content_type="application/json")
    assert bad.status_code == 400
    assert "skill" in bad.json()["error"]["fields"]
    missing = client.post(
        url, {"kind": "outcome", "outcome": "x", "item_ids": [99999]}, content_type="application/json"
    )
    assert missing.status_code == 400
    assert Goal.objects.filter(plan=plan).count() == 1


def test_the_goal_form_suggests_items_for_the_role_path_and_searches_the_rest(client, personas):
    from learnloop.learning.models import ItemSkill
    from learnloop.skills.models import RoleRequirement

    role = JobRoleFactory.create(name="Engineer")
    alice = personas.alice
    alice.job_role = role
    alice.save(update_fields=["job_role"])
    review = Skill.objects.create(name="Code review")
    RoleRequirement.objects.create(job_role=role, skill=review, level=3)
    suggested = item("Reviewing code well")
    ItemSkill.objects.create(item=suggested, skill=review, target_level=3)
    other = item("Negotiation basics")
    plan = plan_of(alice)
    client.force_login(alice)
    form = client.get(reverse("plans:goal_create", kwargs={"plan_id": plan.pk})).content.decode()
    assert "Reviewing code well" in form and "Negotiation basics" not in form
    found = client.get(reverse("plans:item_search", kwargs={"plan_id": plan.pk}), {"item_q": "negotiation"})
    assert f'value="{other.pk}"' in found.content.decode()
    # An item found by search can be attached, and stays shown when the goal is edited.
    response = client.post(
        reverse("plans:goal_create", kwargs={"plan_id": plan.pk}),
        {"kind": "outcome", "outcome": "Agree scope with stakeholders", "items": [other.pk]},
    )
    goal = Goal.objects.get(plan=plan)
    assert response.status_code == 302 and list(goal.items.all()) == [other]
    edit = client.get(reverse("plans:goal_edit", kwargs={"goal_id": goal.pk})).content.decode()
    assert "Negotiation basics" in edit and "checked" in edit


def test_api_objectives_and_comments(client, personas):
    client.force_login(personas.lena)
    bad = client.post(
        "/api/v1/objectives", {"title": "Child", "period": "2026", "parent_id": 9999}, content_type="application/json"
    )
    assert bad.status_code == 400 and "parent" in bad.json()["error"]["fields"]
    blank = client.post("/api/v1/objectives", {"title": " ", "period": "2026"}, content_type="application/json")
    assert blank.status_code == 400 and "title" in blank.json()["error"]["fields"]
    made = client.post("/api/v1/objectives", {"title": "Top", "period": "2026"}, content_type="application/json")
    assert made.status_code == 201
    changed = client.patch(
        f"/api/v1/objectives/{made.json()['id']}", {"is_active": False}, content_type="application/json"
    )
    assert changed.json()["is_active"] is False
    assert client.get("/api/v1/objectives").json()["count"] == 0
    assert client.get("/api/v1/objectives?include_inactive=true").json()["count"] == 1

    plan = plan_of(personas.alice)
    client.force_login(personas.bob)
    posted = client.post(f"/api/v1/plans/{plan.pk}/comments", {"body": "Go!"}, content_type="application/json")
    assert posted.status_code == 201
    empty = client.post(f"/api/v1/plans/{plan.pk}/comments", {"body": "  "}, content_type="application/json")
    assert empty.status_code == 400
    listed = client.get(f"/api/v1/plans/{plan.pk}/comments").json()
    assert [c["body"] for c in listed["items"]] == ["Go!"]
    team = client.get("/api/v1/plans/team").json()
    assert [p["person_id"] for p in team["items"]] == [personas.alice.pk]


def test_home_panel_queries_do_not_grow(client, personas, settings):
    settings.RESPONSE_CACHE_SECONDS = 0  # the view's own queries, not the cached page's
    alice = personas.alice
    client.force_login(alice)
    plan = plan_of(alice)
    counts = []
    for n in (2, 15):
        for index in range(n):
            goal = Goal.objects.create(plan=plan, kind="outcome", outcome=f"Goal {n}-{index}")
            catalog_item = item(f"Home item {n}-{index}")
            goal.items.add(catalog_item)
            enrol(alice, catalog_item, status="in_progress", progress=20)
        with CaptureQueriesContext(connection) as queries:
            assert "My plan" in client.get(reverse("core:home")).content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
