import datetime as dt
import uuid

from learnloop.core.testing import Personas
from learnloop.learning.models import CatalogItem, Enrollment
from learnloop.learningtime.models import LearningBlock
from learnloop.learningtime.selectors import team_overview, weekly_summary
from learnloop.learningtime.services import person_budget_set
from learnloop.learningtime.tests.factories import local, session_with_booking

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # a Wednesday


def _block(person, start: dt.datetime, minutes: int, status: str = "planned") -> LearningBlock:
    return LearningBlock.objects.create(
        person=person,
        title="Learn",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        time_zone=person.time_zone,
        status=status,
    )


def _completed(person, kind: str, minutes: int, when: dt.datetime) -> None:
    item = CatalogItem.objects.create(kind=kind, title=f"{kind} {minutes}", summary="x", duration_minutes=minutes)
    Enrollment.objects.create(
        person=person,
        item=item,
        registration=uuid.uuid4(),
        enrolled_at=when,
        status="completed",
        completed_at=when,
        progress=100,
    )


def test_planned_and_used_per_week_in_the_persons_time_zone(personas: Personas) -> None:
    alice = personas.alice  # Europe/Berlin
    _block(alice, local(alice, 2026, 11, 16, 0, 30), 60, "done")  # Monday 00:30 Berlin: Sunday 23:30 UTC
    _block(alice, local(alice, 2026, 11, 15, 23, 30), 20, "done")  # Sunday night: the week before
    _block(alice, local(alice, 2026, 11, 19, 9, 0), 30)  # planned, not yet used
    _block(alice, local(alice, 2026, 11, 17, 9, 0), 40, "skipped")  # planned, never used
    _block(alice, local(alice, 2026, 11, 17, 14, 0), 300, "cancelled")  # neither
    session_with_booking(alice, dt.datetime(2026, 11, 17, 15, 0, tzinfo=UTC), 90, status="attended")
    session_with_booking(alice, dt.datetime(2026, 11, 17, 18, 0, tzinfo=UTC), 60, status="no_show")
    _completed(alice, "self_paced", 45, dt.datetime(2026, 11, 17, 8, 0, tzinfo=UTC))
    _completed(alice, "book", 600, dt.datetime(2026, 11, 17, 8, 0, tzinfo=UTC))  # a book is not timed learning
    _completed(alice, "self_paced", 25, dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC))  # outside the range

    weeks = weekly_summary(alice, weeks=3, now=NOW)
    assert [w.start for w in weeks] == [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    this, last = weeks[-1], weeks[-2]
    assert this.planned == 60 + 30 + 40
    assert this.used == 60 + 90 + 45
    assert this.budget == 120
    assert (last.planned, last.used) == (20, 20)
    assert (weeks[0].planned, weeks[0].used) == (0, 0)


def test_team_overview_shows_direct_reports_this_week_and_the_four_before(personas: Personas) -> None:
    alice = personas.alice
    person_budget_set(actor=personas.bob, person=alice, weekly_minutes=200)
    _block(alice, local(alice, 2026, 11, 18, 9, 0), 50, "done")
    _block(alice, local(alice, 2026, 11, 3, 9, 0), 70, "done")
    _block(alice, local(alice, 2026, 10, 1, 9, 0), 500, "done")  # more than four weeks back
    (row,) = team_overview(manager=personas.bob, now=NOW)
    assert row.person == alice and row.budget.minutes == 200
    assert (row.this_week.planned, row.this_week.used) == (50, 50)
    assert row.used_last_four == 70 and row.planned_last_four == 70
    assert [p.person for p in team_overview(manager=personas.mona, now=NOW)] == [personas.bob]
    assert team_overview(manager=personas.alice, now=NOW) == []
