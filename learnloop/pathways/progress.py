"""Progress through a pathway, derived from the person's enrolments; nothing here is stored.

A step is done when its item's enrolment is completed (after `counts_from`, when a certification is
being renewed), in progress once the person has started it (some progress recorded; enrolling alone is
not starting), and otherwise to do, or locked when its stage has not opened yet or a prerequisite step
is not done. Stages open in order: a stage opens when
every stage before it is done. A stage is done when enough of its steps are (all, or "any N of M").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from learnloop.learning.models import Enrollment
from learnloop.pathways.models import Pathway, Stage, Step

LOCKED, TODO, IN_PROGRESS, DONE = "locked", "todo", "in_progress", "done"
LABELS = {LOCKED: "Locked", TODO: "To do", IN_PROGRESS: "In progress", DONE: "Done"}


@dataclass
class StepProgress:
    step: Step
    status: str
    enrollment: Enrollment | None = None
    waiting_for: list[Step] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.status]


@dataclass
class StageProgress:
    stage: Stage
    steps: list[StepProgress]
    needed: int
    done_count: int
    status: str

    @property
    def is_choice(self) -> bool:
        return self.needed < len(self.steps)

    @property
    def label(self) -> str:
        return LABELS[self.status]


@dataclass
class PathwayProgress:
    pathway: Pathway
    stages: list[StageProgress]

    @property
    def stages_done(self) -> int:
        return sum(1 for s in self.stages if s.status == DONE)

    @property
    def stages_total(self) -> int:
        return len(self.stages)

    @property
    def percent(self) -> int:
        return round(100 * self.stages_done / self.stages_total) if self.stages else 0

    @property
    def is_complete(self) -> bool:
        return bool(self.stages) and self.stages_done == self.stages_total

    @property
    def status(self) -> str:
        if self.is_complete:
            return DONE
        if any(step.status in (DONE, IN_PROGRESS) for stage in self.stages for step in stage.steps):
            return IN_PROGRESS
        return TODO

    @property
    def completed_at(self) -> dt.datetime | None:
        """When the last step that counted was completed: the moment the pathway was done."""
        if not self.is_complete:
            return None
        moments = [
            s.enrollment.completed_at
            for stage in self.stages
            for s in stage.steps
            if s.status == DONE and s.enrollment is not None and s.enrollment.completed_at is not None
        ]
        return max(moments) if moments else None


def pathway_progress(
    pathway: Pathway, enrollments: dict[int, Enrollment], counts_from: dt.datetime | None = None
) -> PathwayProgress:
    """Progress for one person; `pathway` comes with its structure prefetched (see selectors.structure),
    `enrollments` maps item ids to that person's enrolments."""
    raw: dict[int, str] = {}
    for stage in pathway.stages.all():
        for step in stage.steps.all():
            enrollment = enrollments.get(step.item_id)
            if (
                enrollment is not None
                and enrollment.status == Enrollment.Status.COMPLETED
                and (counts_from is None or (enrollment.completed_at and enrollment.completed_at >= counts_from))
            ):
                raw[step.pk] = DONE
            elif enrollment is not None and (
                enrollment.status == Enrollment.Status.IN_PROGRESS
                or (enrollment.status == Enrollment.Status.ENROLLED and enrollment.progress > 0)
            ):
                # Started: enrolling alone is not progress ("In progress" at 0 of 3 stages misled people).
                raw[step.pk] = IN_PROGRESS
            else:
                raw[step.pk] = TODO
    stages: list[StageProgress] = []
    open_ = True
    for stage in pathway.stages.all():
        steps = []
        for step in stage.steps.all():
            status = raw[step.pk]
            waiting = [p for p in step.prerequisites.all() if raw.get(p.pk) != DONE]
            if status == TODO and (not open_ or waiting):
                status = LOCKED
            steps.append(
                StepProgress(step=step, status=status, enrollment=enrollments.get(step.item_id), waiting_for=waiting)
            )
        needed = min(stage.required_count or len(steps), len(steps))
        done_count = sum(1 for s in steps if s.status == DONE)
        if steps and done_count >= needed:
            status = DONE
        elif not open_:
            status = LOCKED
        elif any(s.status in (DONE, IN_PROGRESS) for s in steps):
            status = IN_PROGRESS
        else:
            status = TODO
        stages.append(StageProgress(stage=stage, steps=steps, needed=needed, done_count=done_count, status=status))
        open_ = open_ and status == DONE
    return PathwayProgress(pathway=pathway, stages=stages)
