"""The calibrated level: one number per person and skill, from every rating, with its explanation.

The rule (shown to people next to the number):

1. Each source has a weight: evidence 3, manager 2, peer 1.5, self 1. Evidence and a manager's view
   weigh more than a self-rating, because they are harder to inflate.
2. Only the latest rating from each rater counts (a new self-rating replaces the last one); every
   piece of evidence counts on its own.
3. Older ratings count less: a rating's weight halves every 180 days.
4. The calibrated level is the weighted average, on the proficiency scale, to one decimal.

The function is pure: it takes the ratings and a moment, so the same inputs always give the same
answer, and history ("what was my level last spring?") is the same computation at an earlier moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

SOURCE_WEIGHTS = {"evidence": 3.0, "manager": 2.0, "peer": 1.5, "self": 1.0}
HALF_LIFE_DAYS = 180.0


@dataclass(frozen=True)
class Rating:
    source: str
    level: int
    assessed_at: dt.datetime
    rater_id: int | None = None
    evidence: str = ""
    assessment_id: int | None = None


@dataclass(frozen=True)
class Contribution:
    rating: Rating
    source_weight: float
    age_factor: float

    @property
    def weight(self) -> float:
        return self.source_weight * self.age_factor


@dataclass
class Calibrated:
    level: float | None
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def rounded(self) -> int | None:
        return None if self.level is None else int(self.level + 0.5)

    def explanation(self) -> str:
        if self.level is None:
            return "No ratings yet."
        parts = [
            f"{c.rating.source} {c.rating.level} (weight {c.weight:.2f}"
            + (f", {c.age_factor:.0%} for age" if c.age_factor < 0.995 else "")
            + ")"
            for c in self.contributions
        ]
        return f"Weighted average of {'; '.join(parts)} = {self.level:.1f}."


def counted(ratings: Iterable[Rating]) -> list[Rating]:
    """The ratings that count: the latest per (source, rater), and every piece of evidence."""
    latest: dict[tuple[str, int | None], Rating] = {}
    evidence: list[Rating] = []
    for rating in ratings:
        if rating.source == "evidence":
            evidence.append(rating)
            continue
        key = (rating.source, rating.rater_id)
        if key not in latest or rating.assessed_at > latest[key].assessed_at:
            latest[key] = rating
    return sorted([*latest.values(), *evidence], key=lambda r: r.assessed_at, reverse=True)


def calibrate(ratings: Iterable[Rating], *, at: dt.datetime) -> Calibrated:
    """The calibrated level at moment `at`, counting only ratings made by then."""
    usable = counted(r for r in ratings if r.assessed_at <= at)
    contributions = []
    for rating in usable:
        age_days = max(0.0, (at - rating.assessed_at).total_seconds() / 86400)
        contributions.append(
            Contribution(
                rating=rating,
                source_weight=SOURCE_WEIGHTS[rating.source],
                age_factor=0.5 ** (age_days / HALF_LIFE_DAYS),
            )
        )
    total = sum(c.weight for c in contributions)
    if not contributions or total == 0:
        return Calibrated(level=None)
    level = sum(c.weight * c.rating.level for c in contributions) / total
    return Calibrated(level=round(level, 1), contributions=contributions)
