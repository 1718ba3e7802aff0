"""The proficiency scale's shape: how many levels it may have, which stored columns hold a level on it,
and the default way to carry levels from one size of scale to another.

Every rating, role requirement, item target and goal target is a plain number on the scale, so changing
the number of levels rewrites them all (`services.scale_resize`). Each app that stores a level registers
its column here when it starts, so the rewrite and its preview reach every one of them, and a test finds
a new level column that forgot to register:

    register_level_column(LevelColumn("goal_targets", "goal targets", Goal, "target_level"))
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

MIN_LEVELS = 2
MAX_LEVELS = 10
DEFAULT_TOP = 5  # the scale learnloop starts with (migration 0002), and the one the demo's numbers use


@dataclass(frozen=True)
class LevelColumn:
    """A stored column whose value is a level on the proficiency scale."""

    key: str  # in counts and the API: "ratings"
    label: str  # in sentences: "ratings"
    model: type[models.Model]
    field: str


@dataclass(frozen=True)
class NewLevel:
    """One level of a scale being written: its number is its place in the list, from 1."""

    name: str
    descriptor: str


_COLUMNS: dict[str, LevelColumn] = {}


def register_level_column(column: LevelColumn) -> None:
    _COLUMNS[column.key] = column


def level_columns() -> list[LevelColumn]:
    return list(_COLUMNS.values())


def proportional(level: int, *, old_top: int, new_top: int) -> int:
    """Where `level` of a 1..old_top scale lands on a 1..new_top scale, keeping its relative place:
    round(1 + (level - 1) * (new_top - 1) / (old_top - 1)), halves rounded up. Exact integer arithmetic,
    so 2.5 is always 3 (Python's round() would give 2)."""
    if old_top <= 1:
        return 1
    spread = (level - 1) * (new_top - 1)
    return 1 + (2 * spread + old_top - 1) // (2 * (old_top - 1))


def proportional_mapping(*, old_top: int, new_top: int) -> dict[int, int]:
    """The mapping an admin starts from: every level of today's scale to its proportional place."""
    return {level: proportional(level, old_top=old_top, new_top=new_top) for level in range(1, old_top + 1)}


def carried_over(*, old_top: int, new_top: int) -> dict[int, int]:
    """The new levels that correspond one to one to an old level, as {new: old}: the new level's name and
    descriptor start as the old one's. New levels in between (a scale that grows) start empty, to be
    written; where several old levels merge, the one nearest the new level's place on the old scale names
    it (five to four: Aware, Developing, Advanced, Expert)."""
    forward = proportional_mapping(old_top=old_top, new_top=new_top)
    pairs = {}
    for new in range(1, new_top + 1):
        old = proportional(new, old_top=new_top, new_top=old_top)
        if forward.get(old) == new:
            pairs[new] = old
    return pairs
