import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learnloop.core import schedule
from learnloop.core.models import AuditEvent
from learnloop.lrs.models import Statement
from learnloop.notifications.models import Notification
from learnloop.plans import selectors, services
from learnloop.plans.models import TransferCheck
from learnloop.plans.reminders import goal_reminders_send
from learnloop.plans.tests.helpers import enrol, goal_of, item
from learnloop.plans.transfer import transfer_checks_create

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _completed(person, title="Coaching basics", days_ago=31):
    catalog_item = item(title)
    goal_of(person, catalog_item)
    return enrol(person, catalog_item, status="completed", progress=100, completed_at=NOW - dt.timedelta(days=days_ago))


def test_it_asks_the_person_and_their_manager_at_30_60_and_90_days(personas):
    enrollment = _completed(personas.alice, days_ago=29)
    assert transfer_checks_create(now=NOW) == 0
    assert transfer_checks_create(now=NOW + dt.timedelta(days=1)) == 2
    checks = TransferCheck.objects.filter(enrollment=enrollment)
    assert {(c.offset_days, c.respondent_id) for c in checks} == {(30, personas.alice.pk), (30, personas.bob.pk)}
    assert all(c.goal is not None and c.learner == personas.alice for c in checks)
    notes = Notification.objects.filter(kind="transfer_check")
    assert {n.recipient_id for n in notes} == {personas.alice.pk, personas.bob.pk}
    assert "Alice Adams" in notes.get(recipient=personas.bob).title
    assert transfer_checks_create(now=NOW + dt.timedelta(days=31)) == 2  # the 60-day checks
    assert transfer_checks_create(now=NOW + dt.timedelta(days=61)) == 2  # the 90-day checks
    assert transfer_checks_create(now=NOW + dt.timedelta(days=200)) == 0
    assert TransferCheck.objects.count() == 6
    assert AuditEvent.objects.filter(action="transfer_check.create").count() == 6


def test_the_job_is_idempotent_and_catches_up_with_the_latest_check_only(personas):
    _completed(personas.alice, days_ago=95)  # the worker was down: only the 90-day question is still asked
    assert transfer_checks_create(now=NOW) == 2
    assert transfer_checks_create(now=NOW) == 0
    assert set(TransferCheck.objects.values_list("offset_days", flat=True)) == {90}
    assert Notification.objects.filter(kind="transfer_check").count() == 2


COMPLETED_ON = dt.date(2031, 3, 1)


@pytest.mark.parametrize(
    ("day", "offset"),
    [(0, None), (29, None), (30, 30), (59, 30), (60, 60), (89, 60), (90, 90), (400, 90)],
)
def test_each_check_is_due_from_its_own_day(day, offset):
    from learnloop.plans.transfer import offset_due

    assert offset_due(completed_on=COMPLETED_ON, today=COMPLETED_ON + dt.timedelta(days=day)) == offset


def test_checks_are_staggered_day_by_day(personas):
    """Completed on 1 March: nothing on day 29, the 30-day check on day 30, the 60-day one on day 60 (not
    on 59), the 90-day one on day 90 (not on 89); the person sees one question about the item at a time."""
    enrollment = _completed(personas.alice, days_ago=0)
    completed_on = timezone.localdate(enrollment.completed_at)
    made = []
    for day in (29, 30, 31, 59, 60, 89, 90, 91):
        today = completed_on + dt.timedelta(days=day)
        made.append(transfer_checks_create(today=today))
        pending = selectors.transfer_checks_for(actor=personas.alice, today=today)["pending"]
        assert len(pending) <= 1
        assert selectors.transfer_open_count(person=personas.alice, today=today) == len(pending)
    assert made == [0, 2, 0, 0, 2, 0, 2, 0]
    day_90 = selectors.transfer_checks_for(actor=personas.alice, today=completed_on + dt.timedelta(days=90))
    assert [c.offset_days for c in day_90["pending"]] == [90]  # the unanswered 30- and 60-day ones stay quiet


def test_a_check_is_shown_only_once_it_is_due(personas):
    enrollment = _completed(personas.alice, days_ago=0)
    completed_on = timezone.localdate(enrollment.completed_at)
    TransferCheck.objects.create(
        enrollment=enrollment,
        learner=personas.alice,
        respondent=personas.alice,
        offset_days=60,
        due_on=completed_on + dt.timedelta(days=60),
    )
    assert (
        selectors.transfer_checks_for(actor=personas.alice, today=completed_on + dt.timedelta(days=59))["pending"] == []
    )
    assert (
        len(selectors.transfer_checks_for(actor=personas.alice, today=completed_on + dt.timedelta(days=60))["pending"])
        == 1
    )


def test_only_learning_tied_to_a_goal_is_checked(personas):
    enrol(personas.oscar, item("Unrelated"), status="completed", progress=100, completed_at=NOW - dt.timedelta(days=40))
    # An item on someone else's goal does not count for oscar.
    goal_of(personas.alice, item("Unrelated"))
    assert transfer_checks_create(now=NOW) == 0
    # Oscar has no manager: only he is asked.
    _completed(personas.oscar, title="Oscar's item")
    assert transfer_checks_create(now=NOW) == 1


def test_the_job_is_registered_with_the_scheduler():
    assert "plans.transfer_checks" in [job.name for job in schedule.jobs()]


def test_answers_are_kept_and_a_learners_yes_is_a_statement(client, personas):
    _completed(personas.alice)
    transfer_checks_create(now=NOW)
    mine = TransferCheck.objects.get(respondent=personas.alice)
    client.force_login(personas.alice)
    url = reverse("plans:transfer_answer", kwargs={"check_id": mine.pk})
    assert client.post(url, {}).status_code == 400  # an answer is needed
    response = client.post(url, {"applied": "partly", "how": "Used the GROW model in two 1:1s."})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.applied == "partly" and mine.answered_at is not None
    applied = Statement.objects.filter(verb_id="https://learnloop.dev/xapi/verbs/applied", person=personas.alice)
    assert applied.count() == 1
    # The manager's answer is kept too, without a statement in the learner's name.
    theirs = TransferCheck.objects.get(respondent=personas.bob)
    services.transfer_check_answer(actor=personas.bob, check=theirs, applied="yes", how="Visible in her 1:1s")
    assert applied.count() == 1
    with pytest.raises(ValidationError):
        services.transfer_check_answer(actor=personas.bob, check=theirs, applied="maybe")
    history = client.get(reverse("plans:transfer_list")).content.decode()
    assert "Used the GROW model" in history


ANSWERED = "https://learnloop.dev/xapi/verbs/answered-transfer-check"


def test_every_answer_is_a_statement_by_whoever_answered(personas):
    _completed(personas.alice)
    transfer_checks_create(now=NOW)
    mine = TransferCheck.objects.get(respondent=personas.alice)
    theirs = TransferCheck.objects.get(respondent=personas.bob)
    services.transfer_check_answer(actor=personas.alice, check=mine, applied="not_yet", how="No 1:1s yet.")
    services.transfer_check_answer(actor=personas.bob, check=theirs, applied="yes", how="Visible in her 1:1s")

    answered = Statement.objects.filter(verb_id=ANSWERED)
    by_alice = answered.get(person=personas.alice)
    by_bob = answered.get(person=personas.bob)
    assert by_bob.data["actor"]["account"]["name"] == personas.bob.username
    # The words are the respondent's own: no statement carries them, every LRS reader would see them.
    assert "result" not in by_bob.data and "Visible" not in str(by_bob.data)
    extensions = by_bob.data["context"]["extensions"]
    assert extensions["https://learnloop.dev/xapi/extensions/learner"]["account"]["name"] == personas.alice.username
    assert extensions["https://learnloop.dev/xapi/extensions/applied"] == "yes"
    assert extensions["https://learnloop.dev/xapi/extensions/days-after-completion"] == 30
    assert by_bob.data["object"]["id"].endswith(f"/xapi/activities/transfer-check/{theirs.pk}")
    # Nothing the manager wrote is in the learner's name; a "not yet" is no `applied` event.
    assert not any("Visible" in str(s.data) for s in Statement.objects.filter(person=personas.alice))
    assert "No 1:1s yet" not in str(by_alice.data)
    assert not Statement.objects.filter(verb_id="https://learnloop.dev/xapi/verbs/applied").exists()

    # A revised answer is a new statement marked as a revision; the first one stays (statements are immutable).
    services.transfer_check_answer(actor=personas.alice, check=mine, applied="yes", how="Ran my first one.")
    revised = answered.filter(person=personas.alice).order_by("-seq").first()
    assert revised is not None and revised.pk != by_alice.pk
    assert revised.data["context"]["extensions"]["https://learnloop.dev/xapi/extensions/revision"] is True
    assert by_alice.data["context"]["extensions"]["https://learnloop.dev/xapi/extensions/revision"] is False


def test_the_ld_summary_counts_application_per_item(client, personas):
    _completed(personas.alice, title="Coaching basics")
    _completed(personas.oscar, title="Retro facilitation")
    transfer_checks_create(now=NOW)
    answers = {personas.alice.pk: "yes", personas.bob.pk: "not_yet", personas.oscar.pk: "partly"}
    for check in TransferCheck.objects.all():
        services.transfer_check_answer(actor=check.respondent, check=check, applied=answers[check.respondent_id])
    summary = {row["title"]: row for row in selectors.transfer_summary(actor=personas.lena)}
    assert summary["Coaching basics"]["rate"] == 50
    assert (summary["Coaching basics"]["yes"], summary["Coaching basics"]["not_yet"]) == (1, 1)
    assert summary["Retro facilitation"]["rate"] == 100
    client.force_login(personas.lena)
    html = client.get(reverse("plans:transfer_insights")).content.decode()
    assert "<svg" in html and "Coaching basics: 50% applied" in html


def test_goal_reminders_go_once_per_goal_and_due_date(personas):
    goal = goal_of(personas.alice)
    today = timezone.localdate(NOW)
    goal.due_on = today + dt.timedelta(days=10)
    goal.save(update_fields=["due_on"])
    assert goal_reminders_send(now=NOW) == 0
    goal.due_on = today + dt.timedelta(days=3)
    goal.save(update_fields=["due_on"])
    assert goal_reminders_send(now=NOW) == 1
    assert goal_reminders_send(now=NOW) == 0
    assert goal_reminders_send(now=NOW + dt.timedelta(days=4)) == 1  # now overdue
    assert set(Notification.objects.values_list("kind", flat=True)) == {"due_soon", "overdue"}
    services.goal_complete(actor=personas.alice, goal=goal)
    goal.due_on = today
    goal.save(update_fields=["due_on"])
    assert goal_reminders_send(now=NOW + dt.timedelta(days=5)) == 0  # achieved goals are left alone
