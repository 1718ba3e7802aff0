import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from learnloop.core.tasks import ATTEMPT_KWARG, durable_task, retry_delay

CALLS: list[int] = []


@durable_task(max_attempts=3)
def flaky(succeed_on: int) -> str:
    CALLS.append(1)
    if len(CALLS) < succeed_on:
        raise RuntimeError(f"attempt {len(CALLS)} failed")
    return "done"


def _run_all_due() -> None:
    # Retries are scheduled in the future; make them due so the test does not wait.
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    call_command("worker", "--batch", verbosity=0)


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_retried_until_it_succeeds_and_every_attempt_stays_visible() -> None:
    flaky.enqueue(succeed_on=2)
    _run_all_due()
    _run_all_due()
    statuses = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))
    assert statuses == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert "attempt 1 failed" in failed.traceback
    retry = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert retry.args_kwargs["kwargs"][ATTEMPT_KWARG] == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_failing_stops_after_its_last_attempt_and_stays_failed() -> None:
    flaky.enqueue(succeed_on=99)
    for _ in range(5):
        _run_all_due()
    assert len(CALLS) == 3
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_retries_back_off() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 120, 480]
