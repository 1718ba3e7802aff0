"""The calibration rule (docs/skills.md, "Assessments and the calibrated level") checked against the
documented numbers, not the module's own constants, and with ratings in the order the database hands
them over (`SkillAssessment.Meta.ordering`: newest first, then highest id). Pure: no database."""

import datetime as dt

import pytest

from learnloop.skills.calibration import Rating, calibrate, counted

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
DOCUMENTED_HALF_LIFE = dt.timedelta(days=180)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("source", "weight"),
    [("evidence", 3.0), ("manager", 2.0), ("peer", 1.5), ("self", 1.0)],
)
def test_each_source_has_its_documented_weight(source: str, weight: float) -> None:
    # Next to a fresh rating of 1 with weight 1 (someone else's self-rating), a 5 gives (1 + 5w) / (1 + w).
    ratings = [Rating(source, 5, NOW, rater_id=1), Rating("self", 1, NOW, rater_id=99)]
    result = calibrate(ratings, at=NOW)
    assert result.level == round((1 + 5 * weight) / (1 + weight), 1)
    assert {c.rating.level: c.weight for c in result.contributions}[5] == weight


def test_a_managers_5_stays_5_after_a_completed_level_4_item() -> None:
    # Evidence at or below what the rest gives is left out: 4 is below the manager's 5, so 5.0, not 4.4.
    result = calibrate(
        [Rating("evidence", 4, NOW, evidence="Completed"), Rating("manager", 5, NOW, rater_id=2)], at=NOW
    )
    assert result.level == 5.0
    assert [c.counts for c in result.contributions if c.rating.source == "evidence"] == [False]


def test_evidence_below_a_fresh_self_rating_is_left_out() -> None:
    # The self-rating alone weighs exactly 1: the comparison must still run.
    result = calibrate([Rating("self", 5, NOW, rater_id=1), Rating("evidence", 2, NOW)], at=NOW)
    assert result.level == 5.0


def test_evidence_at_exactly_the_level_of_the_rest_is_shown_but_not_counted() -> None:
    result = calibrate([Rating("manager", 3, NOW, rater_id=2), Rating("evidence", 3, NOW)], at=NOW)
    assert result.level == 3.0
    assert [c.counts for c in result.contributions] == [True, False]
    assert result.explanation() == (
        "Weighted average of manager 3 (weight 2.00) = 3.0. Not counted, because evidence shows a level was "
        "reached at least and cannot pull the level down: evidence 3 (weight 3.00)."
    )


def test_evidence_just_above_the_rest_counts() -> None:
    result = calibrate([Rating("manager", 3, NOW, rater_id=2), Rating("evidence", 4, NOW)], at=NOW)
    assert result.level == round((3 * 2 + 4 * 3) / 5, 1) == 3.6
    assert all(c.counts for c in result.contributions)


def test_evidence_is_taken_from_the_highest_level_down() -> None:
    # self 1 and evidence 2 and 5: the 5 counts ((1 + 15) / 4 = 4.0), then the 2 is below 4.0 and is left out.
    # Taken lowest first, the 2 would count too and give (1 + 6 + 15) / 7 = 3.1.
    ratings = [Rating("evidence", 2, NOW), Rating("self", 1, NOW, rater_id=1), Rating("evidence", 5, NOW)]
    result = calibrate(ratings, at=NOW)
    assert result.level == 4.0
    assert {c.rating.level: c.counts for c in result.contributions} == {2: False, 1: True, 5: True}


def test_evidence_alone_counts_from_its_highest_piece() -> None:
    result = calibrate([Rating("evidence", 3, NOW), Rating("evidence", 5, NOW), Rating("evidence", 4, NOW)], at=NOW)
    assert result.level == 5.0
    assert {c.rating.level: c.counts for c in result.contributions} == {3: False, 5: True, 4: False}


def test_only_the_latest_rating_of_each_rater_counts_with_ratings_newest_first() -> None:
    newest_first = [
        Rating("self", 2, days_ago(1), rater_id=1),
        Rating("manager", 4, days_ago(2), rater_id=2),
        Rating("self", 5, days_ago(30), rater_id=1),
        Rating("manager", 1, days_ago(40), rater_id=2),
    ]
    result = calibrate(newest_first, at=NOW)
    assert sorted((c.rating.source, c.rating.level) for c in result.contributions) == [("manager", 4), ("self", 2)]
    assert calibrate(list(reversed(newest_first)), at=NOW).contributions == result.contributions


def test_two_ratings_by_one_rater_at_the_same_moment_keep_the_one_the_database_gives_first() -> None:
    # Same assessed_at: the database orders by -id, so the first one is the later one saved.
    result = calibrate([Rating("self", 4, NOW, rater_id=1), Rating("self", 1, NOW, rater_id=1)], at=NOW)
    assert result.level == 4.0


def test_one_person_rating_as_peer_and_later_as_manager_counts_twice() -> None:
    # The latest rating per (source, rater): the peer rating is not replaced by the manager rating.
    result = calibrate([Rating("manager", 4, NOW, rater_id=7), Rating("peer", 1, days_ago(1), rater_id=7)], at=NOW)
    assert sorted(c.rating.source for c in result.contributions) == ["manager", "peer"]


def test_every_piece_of_evidence_counts_even_from_the_same_source() -> None:
    ratings = [Rating("evidence", 4, NOW, assessment_id=2), Rating("evidence", 4, days_ago(3), assessment_id=1)]
    assert len(counted(ratings)) == 2


def test_counted_ratings_come_newest_first() -> None:
    ratings = [Rating("peer", 3, days_ago(5), rater_id=3), Rating("self", 2, NOW, rater_id=1)]
    assert [r.level for r in counted(ratings)] == [2, 3]


def test_a_ratings_weight_halves_every_180_days() -> None:
    # manager 4 today (weight 2) and self 1 from 180 days ago (weight 0.5): (8 + 0.5) / 2.5 = 3.4.
    result = calibrate(
        [Rating("manager", 4, NOW, rater_id=2), Rating("self", 1, NOW - DOCUMENTED_HALF_LIFE, rater_id=1)], at=NOW
    )
    assert result.level == 3.4
    factors = {c.rating.source: c.age_factor for c in result.contributions}
    assert factors == {"manager": 1.0, "self": pytest.approx(0.5)}
    twice = calibrate([Rating("self", 1, NOW - 2 * DOCUMENTED_HALF_LIFE, rater_id=1)], at=NOW)
    assert twice.contributions[0].age_factor == pytest.approx(0.25)


def test_a_rating_counts_from_the_moment_it_was_made() -> None:
    rating = Rating("self", 3, NOW, rater_id=1)
    assert calibrate([rating], at=NOW).level == 3.0
    assert calibrate([rating], at=NOW - dt.timedelta(microseconds=1)).level is None


def test_history_is_the_same_rule_at_an_earlier_moment() -> None:
    ratings = [Rating("self", 5, NOW, rater_id=1), Rating("self", 2, days_ago(10), rater_id=1)]
    assert calibrate(ratings, at=NOW).level == 5.0
    assert calibrate(ratings, at=days_ago(5)).level == 2.0
    assert calibrate(ratings, at=days_ago(5)).contributions[0].age_factor == pytest.approx(0.5 ** (5 / 180))


def test_the_level_is_the_weighted_average_to_one_decimal() -> None:
    # (1*1 + 2*2 + 2*1.5) / 4.5 = 1.777... shown as 1.8.
    ratings = [
        Rating("self", 1, NOW, rater_id=1),
        Rating("manager", 2, NOW, rater_id=2),
        Rating("peer", 2, NOW, rater_id=3),
    ]
    assert calibrate(ratings, at=NOW).level == 1.8


def test_no_ratings_and_ratings_too_old_to_weigh_anything_give_no_level() -> None:
    assert calibrate([], at=NOW).level is None
    assert calibrate([], at=NOW).explanation() == "No ratings yet."
    ancient = Rating("self", 3, dt.datetime(1, 1, 1, tzinfo=dt.UTC), rater_id=1)  # 0.5 ** 4,100 is 0.0
    assert calibrate([ancient], at=NOW).level is None


def test_the_explanation_lists_each_counted_rating_and_its_age_newest_first() -> None:
    result = calibrate(
        [Rating("self", 3, days_ago(1), rater_id=1), Rating("manager", 4, days_ago(90), rater_id=2)], at=NOW
    )
    # A day old is 99.6 %: not worth a mention; 90 days is 71 %.
    assert result.explanation() == (
        "Weighted average of self 3 (weight 1.00); manager 4 (weight 1.41, 71% for age) = 3.6."
    )
    two_days = calibrate([Rating("peer", 2, days_ago(2), rater_id=3)], at=NOW)
    assert two_days.explanation() == "Weighted average of peer 2 (weight 1.49, 99% for age) = 2.0."
