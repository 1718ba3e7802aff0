"""Pathway progress (docs/pathways.md, "Stages open in order", "Progress is derived") on a pathway built in
memory: `pathway_progress` only reads the structure it is given, so no database is needed."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from learnloop.learning.models import Enrollment
from learnloop.pathways.progress import DONE, IN_PROGRESS, LOCKED, TODO, pathway_progress

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
Status = Enrollment.Status


class _All(list[Any]):
    """A prefetched relation: `.all()` gives its rows."""

    def all(self) -> list[Any]:
        return list(self)


@dataclass
class _Step:
    pk: int
    item_id: int
    prerequisites: _All = field(default_factory=_All)


@dataclass
class _Stage:
    steps: _All
    required_count: int | None = None


@dataclass
class _Pathway:
    stages: _All


def build(*stages: tuple[list[int], int | None]) -> Any:
    """Stages of steps, each step named by its item id (the step's pk is the same number)."""
    return _Pathway(
        stages=_All(_Stage(steps=_All(_Step(pk=i, item_id=i) for i in items), required_count=n) for items, n in stages)
    )


def step(pathway: Any, pk: int) -> _Step:
    return next(s for stage in pathway.stages for s in stage.steps if s.pk == pk)


def enrolment(status: str, completed_at: dt.datetime | None = None, progress: int = 0) -> Enrollment:
    return Enrollment(status=status, completed_at=completed_at, progress=progress)


def statuses(progress: Any) -> list[list[str]]:
    return [[s.status for s in stage.steps] for stage in progress.stages]


def test_without_enrolments_the_first_stage_is_to_do_and_the_rest_locked() -> None:
    pathway = build(([1, 2], None), ([3], None))
    stages = list(pathway.stages)
    progress = pathway_progress(pathway, {})
    assert progress.pathway is pathway and [s.stage for s in progress.stages] == stages
    assert statuses(progress) == [[TODO, TODO], [LOCKED]]
    assert [s.status for s in progress.stages] == [TODO, LOCKED]
    assert [s.label for s in progress.stages] == ["To do", "Locked"]
    assert (progress.stages_done, progress.stages_total, progress.percent, progress.status) == (0, 2, 0, TODO)
    assert progress.completed_at is None and not progress.is_complete


def test_started_steps_are_in_progress_and_enrolled_only_or_dropped_ones_to_do() -> None:
    pathway = build(([1, 2, 3, 4], None))
    enrolments = {
        1: enrolment(Status.ENROLLED, progress=1),
        2: enrolment(Status.IN_PROGRESS),
        3: enrolment(Status.DROPPED),
        4: enrolment(Status.ENROLLED, progress=0),  # enrolling alone is not starting
    }
    progress = pathway_progress(pathway, enrolments)
    assert statuses(progress) == [[IN_PROGRESS, IN_PROGRESS, TODO, TODO]]
    assert progress.stages[0].status == IN_PROGRESS and progress.status == IN_PROGRESS
    assert [s.label for s in progress.stages[0].steps] == ["In progress", "In progress", "To do", "To do"]
    assert progress.stages[0].steps[0].enrollment is enrolments[1]


def test_a_stage_opens_when_every_stage_before_it_is_done() -> None:
    pathway = build(([1], None), ([2], None), ([3], None))
    progress = pathway_progress(pathway, {1: enrolment(Status.COMPLETED, NOW)})
    assert statuses(progress) == [[DONE], [TODO], [LOCKED]]
    assert [s.status for s in progress.stages] == [DONE, TODO, LOCKED]
    assert (progress.stages_done, progress.percent) == (1, 33)
    assert progress.status == IN_PROGRESS


def test_work_done_in_a_locked_stage_counts_but_does_not_open_the_next() -> None:
    pathway = build(([1], None), ([2], None), ([3], None))
    progress = pathway_progress(pathway, {2: enrolment(Status.COMPLETED, NOW), 3: enrolment(Status.IN_PROGRESS)})
    assert statuses(progress) == [[TODO], [DONE], [IN_PROGRESS]]
    assert [s.status for s in progress.stages] == [TODO, DONE, LOCKED]
    assert (progress.stages_done, progress.percent, progress.is_complete) == (1, 33, False)


def test_any_n_of_m_is_done_at_exactly_n() -> None:
    pathway = build(([1, 2, 3], 2), ([4], None))
    one = pathway_progress(pathway, {1: enrolment(Status.COMPLETED, NOW)})
    assert one.stages[0].status == IN_PROGRESS and one.stages[0].done_count == 1 and one.stages[0].needed == 2
    assert one.stages[0].is_choice and not one.stages[1].is_choice
    two = pathway_progress(pathway, {1: enrolment(Status.COMPLETED, NOW), 3: enrolment(Status.COMPLETED, NOW)})
    assert [s.status for s in two.stages] == [DONE, TODO]
    assert statuses(two) == [[DONE, TODO, DONE], [TODO]]


def test_a_stage_without_a_count_or_with_too_big_a_count_needs_every_step() -> None:
    for required in (None, 0, 5):
        pathway = build(([1, 2], required))
        progress = pathway_progress(pathway, {1: enrolment(Status.COMPLETED, NOW)})
        assert progress.stages[0].needed == 2 and progress.stages[0].status == IN_PROGRESS
        assert not progress.stages[0].is_choice
    done = pathway_progress(
        build(([1, 2], 5)), {1: enrolment(Status.COMPLETED, NOW), 2: enrolment(Status.COMPLETED, NOW)}
    )
    assert done.is_complete


def test_a_step_waits_for_its_prerequisites_until_they_are_done() -> None:
    pathway = build(([1, 2], None))
    step(pathway, 2).prerequisites.append(step(pathway, 1))
    waiting = pathway_progress(pathway, {1: enrolment(Status.IN_PROGRESS)})
    assert statuses(waiting) == [[IN_PROGRESS, LOCKED]]
    assert [s.pk for s in waiting.stages[0].steps[1].waiting_for] == [1]
    ready = pathway_progress(pathway, {1: enrolment(Status.COMPLETED, NOW)})
    assert statuses(ready) == [[DONE, TODO]] and ready.stages[0].steps[1].waiting_for == []


def test_a_step_someone_already_started_stays_in_progress_while_it_waits() -> None:
    pathway = build(([1], None), ([2, 3], None))
    step(pathway, 3).prerequisites.append(step(pathway, 2))
    progress = pathway_progress(pathway, {3: enrolment(Status.IN_PROGRESS), 1: enrolment(Status.COMPLETED, NOW)})
    assert statuses(progress) == [[DONE], [TODO, IN_PROGRESS]]
    assert [s.pk for s in progress.stages[1].steps[1].waiting_for] == [2]


def test_a_renewal_counts_completions_from_its_start_on() -> None:
    pathway = build(([1, 2], None))
    enrolments = {
        1: enrolment(Status.COMPLETED, NOW),
        2: enrolment(Status.COMPLETED, NOW - dt.timedelta(microseconds=1)),
    }
    assert statuses(pathway_progress(pathway, enrolments, counts_from=NOW)) == [[DONE, TODO]]
    assert statuses(pathway_progress(pathway, enrolments)) == [[DONE, DONE]]
    undated = {1: enrolment(Status.COMPLETED, None)}
    assert statuses(pathway_progress(pathway, undated, counts_from=NOW)) == [[TODO, TODO]]
    assert statuses(pathway_progress(pathway, undated)) == [[DONE, TODO]]


def test_the_pathway_is_complete_when_the_last_needed_step_is_done_and_dated_by_it() -> None:
    pathway = build(([1], None), ([2, 3], 1))
    enrolments = {
        1: enrolment(Status.COMPLETED, NOW - dt.timedelta(days=3)),
        2: enrolment(Status.COMPLETED, NOW),
        3: enrolment(Status.ENROLLED),
    }
    progress = pathway_progress(pathway, enrolments)
    assert progress.is_complete and progress.percent == 100 and progress.status == DONE
    assert progress.completed_at == NOW
    assert [s.label for s in progress.stages] == ["Done", "Done"]


def test_an_empty_pathway_is_never_complete() -> None:
    progress = pathway_progress(build(), {})
    assert (progress.percent, progress.is_complete, progress.status, progress.completed_at) == (0, False, TODO, None)
    empty_stage = pathway_progress(build(([], None), ([1], None)), {1: enrolment(Status.COMPLETED, NOW)})
    # A stage without steps is never done, so the pathway cannot be, whatever follows it.
    assert [s.status for s in empty_stage.stages] == [TODO, DONE] and not empty_stage.is_complete
