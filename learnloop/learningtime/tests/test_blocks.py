import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from learnloop.core.testing import Personas, racing_writers
from learnloop.learningtime.models import LearningBlock
from learnloop.learningtime.services import block_cancel, block_create, block_set_status, block_update
from learnloop.learningtime.tests.factories import block
from learnloop.people.models import Person


def _next_week() -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)


def test_a_block_gets_a_uid_the_persons_zone_and_sequence_zero(personas: Personas) -> None:
    planned = block(personas.alice, _next_week(), 45)
    assert planned.sequence == 0 and planned.time_zone == "Europe/Berlin" and planned.minutes == 45
    assert planned.uid is not None and planned.status == "planned"


def test_every_change_raises_the_sequence_and_keeps_the_uid(personas: Personas) -> None:
    start = _next_week()
    planned = block(personas.alice, start)
    uid = planned.uid
    moved = block_update(
        actor=personas.alice,
        block=planned,
        title="Read",
        starts_at=start + dt.timedelta(hours=2),
        ends_at=start + dt.timedelta(hours=3),
    )
    assert moved.sequence == 1 and moved.uid == uid
    same = block_update(
        actor=personas.alice, block=moved, title="Read", starts_at=moved.starts_at, ends_at=moved.ends_at
    )
    assert same.sequence == 1  # nothing changed, nothing to tell calendars
    cancelled = block_cancel(actor=personas.alice, block=same)
    assert cancelled.sequence == 2 and cancelled.status == "cancelled"


def test_blocks_may_not_overlap_but_may_touch(personas: Personas) -> None:
    start = _next_week()
    first = block(personas.alice, start, 60, "First")
    with pytest.raises(ValidationError) as caught:
        block(personas.alice, start + dt.timedelta(minutes=30), 60, "Second")
    assert "“First”" in caught.value.message_dict["starts_at"][0]
    block(personas.alice, start + dt.timedelta(minutes=60), 30, "Right after")  # touching is fine
    block(personas.bob, start, 60)  # someone else's time is their own
    block_cancel(actor=personas.alice, block=first)
    block(personas.alice, start, 30, "In the freed slot")
    with pytest.raises(ValidationError):  # moving onto another block is refused too
        block_update(
            actor=personas.alice,
            block=LearningBlock.objects.get(title="Right after"),
            title="Right after",
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=20),
        )


def test_bad_blocks_name_the_field_and_write_nothing(personas: Personas) -> None:
    start = _next_week()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"title": " ", "starts_at": start, "ends_at": start + dt.timedelta(hours=1)}, "title"),
        ({"title": "x", "starts_at": start, "ends_at": start}, "ends_at"),
        ({"title": "x", "starts_at": start, "ends_at": start - dt.timedelta(hours=1)}, "ends_at"),
        ({"title": "x", "starts_at": start, "ends_at": start + dt.timedelta(hours=13)}, "ends_at"),
        ({"title": "x", "starts_at": None, "ends_at": start}, "starts_at"),
        ({"title": "x", "starts_at": start.replace(tzinfo=None), "ends_at": start}, "starts_at"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as caught:
            block_create(actor=personas.alice, **fields)
        assert field in caught.value.message_dict, fields
    assert not LearningBlock.objects.exists()


def test_done_and_skipped_only_once_started_and_only_by_the_owner(personas: Personas) -> None:
    future = block(personas.alice, _next_week())
    with pytest.raises(ValidationError):
        block_set_status(actor=personas.alice, block=future, status="done")
    past = block(personas.alice, timezone.now() - dt.timedelta(hours=3))
    with pytest.raises(ValidationError):
        block_set_status(actor=personas.bob, block=past, status="done")
    with pytest.raises(ValidationError):
        block_set_status(actor=personas.alice, block=past, status="cancelled")
    done = block_set_status(actor=personas.alice, block=past, status="done")
    assert done.status == "done" and done.sequence == 1
    with pytest.raises(ValidationError):
        block_update(actor=personas.bob, block=done, title="Mine now", starts_at=done.starts_at, ends_at=done.ends_at)


@racing_writers
@pytest.mark.django_db(transaction=True)
def test_overlapping_blocks_planned_at_once_leave_exactly_one(personas: Personas) -> None:
    start = _next_week()
    offsets = [0, 5, 10, 15, 20, 25]
    together = threading.Barrier(len(offsets))

    def plan(offset: int) -> bool:
        try:
            alice = Person.objects.get(pk=personas.alice.pk)
            together.wait(timeout=10)  # everyone checks for overlaps at the same moment
            block(alice, start + dt.timedelta(minutes=offset), 60, f"Block {offset}")
            return True
        except ValidationError:
            return False
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(plan, offsets))
    assert results.count(True) == 1
    assert LearningBlock.objects.filter(person=personas.alice).count() == 1
