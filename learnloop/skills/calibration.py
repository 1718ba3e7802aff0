"""The calibrated level: one number per person and skill, from every rating, with its explanation.

The rule (shown to people next to the number):

1. Each source has a weight: evidence 3, manager 2, peer 1.5, self 1. Evidence and a manager's view
   weigh more than a self-rating, because they are harder to inflate.
2. Only the latest rating from each rater counts (a new self-rating replaces the last one); every
   piece of evidence counts on its own.
3. Older ratings count less: a rating's weight halves every 180 days.
4. The calibrated level is the weighted average, on the proficiency scale, to one decimal.
5. Evidence (a completed item, a project) shows that a person reached *at least* its level, so it can
   raise the level but never pull it down: evidence at or below the average of everything else that
   counts is shown but left out. Precisely, the evidence that counts is the set that gives the highest
   average; taking the pieces from the highest level down while each is above the average so far finds
   it. So completing an easier item never lowers anyone's level, and a new piece of evidence never
   lowers it either (one more piece to choose from cannot make the best choice worse).

The function is pure: it takes the ratings and a moment, so the same inputs always give the same
answer, and history ("what was my level last spring?") is the same computation at an earlier moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

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
    counts: bool = True
    """False for evidence at or below the level the other ratings give: it shows nothing new (rule 5)."""

    @property
    def weight(self) -> float:
        return self.source_weight * self.age_factor


@dataclass
class Calibrated:
    level: float | None
    contributions: list[Contribution] = field(default_factory=list)

    def explanation(self) -> str:
        if self.level is None:
            return "No ratings yet."
        parts = [_describe(c) for c in self.contributions if c.counts]
        text = f"Weighted average of {'; '.join(parts)} = {self.level:.1f}."
        left_out = [_describe(c) for c in self.contributions if not c.counts]
        if left_out:
            text += (
                f" Not counted, because evidence shows a level was reached at least and cannot pull the"
                f" level down: {'; '.join(left_out)}."
            )
        return text


def _describe(contribution: Contribution) -> str:
    c = contribution
    age = f", {c.age_factor:.0%} for age" if c.age_factor < 0.995 else ""
    return f"{c.rating.source} {c.rating.level} (weight {c.weight:.2f}{age})"


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
    if not contributions:
        return Calibrated(level=None)
    contributions = _evidence_only_raises(contributions)
    counting = [c for c in contributions if c.counts]
    total = sum(c.weight for c in counting)
    if total == 0:
        return Calibrated(level=None)
    level = sum(c.weight * c.rating.level for c in counting) / total
    return Calibrated(level=round(level, 1), contributions=contributions)


def _evidence_only_raises(contributions: list[Contribution]) -> list[Contribution]:
    """Rule 5: mark the evidence that would not raise the average as not counted.

    Evidence is taken from the highest level down and counts while its level is above the average so
    far; once one piece is not, no lower piece can be. That set gives the highest average possible."""
    total = weighted = 0.0
    for c in contributions:
        if c.rating.source != "evidence":
            total += c.weight
            weighted += c.weight * c.rating.level
    left_out: set[int] = set()
    evidence = [c for c in contributions if c.rating.source == "evidence"]
    for c in sorted(evidence, key=lambda c: (-c.rating.level, -c.weight)):
        if total > 0 and c.rating.level <= weighted / total:
            left_out.add(id(c))
            continue
        total += c.weight
        weighted += c.weight * c.rating.level
    return [replace(c, counts=False) if id(c) in left_out else c for c in contributions]
