"""Periodic jobs: reminders and sweeps that run every so often, from whichever worker gets there first.

A domain registers a job in its AppConfig.ready():

    schedule.register("plans.transfer_checks", every=timedelta(hours=1), run=transfer_checks_send)

`learnloop worker` calls `run_due()` between polls. Each job has a row in `PeriodicRun`; the row is locked
while the job is claimed, so two workers never start the same job in the same period. Jobs must be
idempotent (a notification carries a dedupe key, for example), because a job that fails is simply tried
again at its next turn.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


_JOBS: dict[str, Job] = {}


def register(name: str, *, every: dt.timedelta, run: Callable[[], object]) -> None:
    _JOBS[name] = Job(name=name, every=every, run=run)


def jobs() -> list[Job]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def _claim(job: Job, now: dt.datetime) -> bool:
    """Mark `job` as started now if its period has passed; False when it is not due or another worker has it."""
    from learnloop.core.models import PeriodicRun

    with transaction.atomic():
        PeriodicRun.objects.get_or_create(name=job.name)
        run = PeriodicRun.objects.select_for_update().get(name=job.name)
        if run.last_started_at is not None and now - run.last_started_at < job.every:
            return False
        run.last_started_at = now
        run.save(update_fields=["last_started_at"])
    return True


def run_due(*, now: dt.datetime | None = None, only: str | None = None) -> list[str]:
    """Run every job whose period has passed. Returns the names of the jobs that ran."""
    from learnloop.core.models import PeriodicRun

    now = now or timezone.now()
    ran = []
    for job in jobs():
        if only is not None and job.name != only:
            continue
        if not _claim(job, now):
            continue
        try:
            job.run()
        except Exception as exc:
            logger.exception("Periodic job %s failed", job.name)
            PeriodicRun.objects.filter(name=job.name).update(last_error=f"{type(exc).__name__}: {exc}"[:500])
        else:
            PeriodicRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_error="")
            ran.append(job.name)
    return ran
