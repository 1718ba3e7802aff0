import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from learnloop.core.testing import JobRoleFactory, Personas, PersonFactory
from learnloop.people.models import Person
from learnloop.skills import selectors, services
from learnloop.skills.calibration import HALF_LIFE_DAYS, Rating, calibrate
from learnloop.skills.models import Skill, SkillAssessment

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_evidence_and_managers_weigh_more_than_a_self_rating() -> None:
    result = calibrate([Rating("self", 5, NOW, rater_id=1), Rating("manager", 2, NOW, rater_id=2)], at=NOW)
    assert result.level == pytest.approx((5 * 1 + 2 * 2) / 3, abs=0.05)
    with_evidence = calibrate([Rating("self", 2, NOW, rater_id=1), Rating("evidence", 5, NOW)], at=NOW)
    assert with_evidence.level == pytest.approx((2 + 5 * 3) / 4, abs=0.05)
    assert "evidence 5" in with_evidence.explanation()


def test_completing_an_easier_item_never_lowers_the_level() -> None:
    # The audit's case: rated 3, then completed an item whose target level is 2.
    rated = [Rating("manager", 3, NOW - dt.timedelta(days=1), rater_id=2), Rating("self", 3, NOW, rater_id=1)]
    before = calibrate(rated, at=NOW)
    after = calibrate([*rated, Rating("evidence", 2, NOW, evidence="Completed an intro course")], at=NOW)
    assert before.level == after.level == 3.0
    assert [c.counts for c in after.contributions if c.rating.source == "evidence"] == [False]
    assert "Not counted" in after.explanation() and "evidence 2" in after.explanation()
    assert "Not counted" not in before.explanation()


def test_evidence_alone_gives_the_highest_level_shown() -> None:
    result = calibrate([Rating("evidence", 2, NOW), Rating("evidence", 4, NOW), Rating("evidence", 3, NOW)], at=NOW)
    assert result.level == 4.0


def test_evidence_counts_only_while_it_raises_the_level() -> None:
    # manager 1, evidence 3 and 2: the 2 would pull (2*1 + 3*3) / 5 = 2.2 down to 2.1, so it is left out.
    result = calibrate(
        [Rating("manager", 1, NOW, rater_id=2), Rating("evidence", 3, NOW), Rating("evidence", 2, NOW)], at=NOW
    )
    assert result.level == 2.2
    assert {c.rating.level: c.counts for c in result.contributions if c.rating.source == "evidence"} == {
        3: True,
        2: False,
    }


RAW_RATINGS = st.lists(
    st.tuples(
        st.sampled_from(["self", "manager", "peer", "evidence"]),
        st.integers(1, 5),
        st.integers(0, 1000),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=12,
)


@given(raw=RAW_RATINGS, level=st.integers(1, 5), days=st.integers(0, 1000))
def test_a_new_piece_of_evidence_never_lowers_the_level(
    raw: list[tuple[str, int, int, int]], level: int, days: int
) -> None:
    ratings = [Rating(s, lvl, NOW - dt.timedelta(days=d), rater_id=rater) for s, lvl, d, rater in raw]
    before = calibrate(ratings, at=NOW).level
    after = calibrate([*ratings, Rating("evidence", level, NOW - dt.timedelta(days=days))], at=NOW).level
    assert before is not None and after is not None and after >= before


def test_only_each_raters_latest_rating_counts_but_every_piece_of_evidence_does() -> None:
    earlier = NOW - dt.timedelta(days=1)
    ratings = [
        Rating("self", 1, earlier, rater_id=1),
        Rating("self", 4, NOW, rater_id=1),
        Rating("evidence", 3, earlier),
        Rating("evidence", 3, NOW),
    ]
    result = calibrate(ratings, at=NOW)
    assert [c.rating.level for c in result.contributions if c.rating.source == "self"] == [4]
    assert len([c for c in result.contributions if c.rating.source == "evidence"]) == 2


def test_older_ratings_count_less() -> None:
    old = Rating("manager", 1, NOW - dt.timedelta(days=HALF_LIFE_DAYS), rater_id=2)
    new = Rating("peer", 5, NOW, rater_id=3)
    result = calibrate([old, new], at=NOW)
    assert result.level == pytest.approx((1 * 1.0 + 5 * 1.5) / 2.5, abs=0.05)
    assert calibrate([old, new], at=NOW - dt.timedelta(days=HALF_LIFE_DAYS)).level == 1.0  # history: before the peer
    assert calibrate([], at=NOW).level is None


@given(RAW_RATINGS)
def test_the_calibrated_level_always_stays_within_the_ratings(raw: list[tuple[str, int, int, int]]) -> None:
    ratings = [Rating(s, level, NOW - dt.timedelta(days=days), rater_id=rater) for s, level, days, rater in raw]
    result = calibrate(ratings, at=NOW)
    levels = [c.rating.level for c in result.contributions]
    assert result.level is not None and min(levels) - 0.05 <= result.level <= max(levels) + 0.05


@pytest.fixture
def profile(personas: Personas) -> dict[str, object]:
    role = JobRoleFactory.create(name="Engineer")
    for person in (personas.alice, personas.bob):
        person.job_role = role
        person.save(update_fields=["job_role"])
    review = services.skill_create(actor=None, name="Code review")
    design = services.skill_create(actor=None, name="System design")
    services.requirement_set(actor=None, job_role=role, skill=review, level=3)
    services.requirement_set(actor=None, job_role=role, skill=design, level=4)
    return {"role": role, "review": review, "design": design}


def test_who_may_give_which_rating(personas: Personas, profile: dict[str, Skill]) -> None:
    skill = profile["review"]
    services.assessment_record(actor=personas.alice, person=personas.alice, skill=skill, source="self", level=2)
    services.assessment_record(actor=personas.bob, person=personas.alice, skill=skill, source="manager", level=3)
    services.assessment_record(actor=personas.oscar, person=personas.alice, skill=skill, source="peer", level=4)
    for actor, source in (
        (personas.alice, "manager"),
        (personas.oscar, "manager"),
        (personas.alice, "peer"),
        (personas.bob, "self"),
        (personas.alice, "evidence"),
    ):
        with pytest.raises(ValidationError):
            services.assessment_record(
                actor=actor, person=personas.alice, skill=skill, source=source, level=3, evidence="x"
            )
    with pytest.raises(ValidationError):
        services.assessment_record(actor=personas.alice, person=personas.alice, skill=skill, source="self", level=9)
    services.assessment_record(
        actor=None,
        person=personas.alice,
        skill=skill,
        source="evidence",
        level=3,
        evidence="Completed 'Reviewing code kindly'",
    )
    assert SkillAssessment.objects.filter(person=personas.alice).count() == 4


def test_my_profile_shows_calibrated_levels_gaps_and_history(personas: Personas, profile: dict[str, Skill]) -> None:
    review = profile["review"]
    services.assessment_record(
        actor=personas.alice,
        person=personas.alice,
        skill=review,
        source="self",
        level=2,
        assessed_at=timezone.now() - dt.timedelta(days=30),
    )
    services.assessment_record(actor=personas.bob, person=personas.alice, skill=review, source="manager", level=3)
    rows = {r["skill"].name: r for r in selectors.person_skill_profile(actor=personas.alice, person=personas.alice)}
    assert rows["System design"]["gap"] == 4.0 and rows["System design"]["calibrated"].level is None
    assert 2 < rows["Code review"]["calibrated"].level < 3
    assert len(rows["Code review"]["history"]) == 2
    client = Client()
    client.force_login(personas.alice)
    page = client.get("/skills/mine/", follow=True).content.decode()
    assert "System design" in page and "Weighted average" in page and "<svg" in page


def test_the_skill_history_chart_has_dated_axes_levels_and_a_text_alternative(
    personas: Personas, profile: dict[str, Skill]
) -> None:
    review = profile["review"]
    for days_ago, level in ((200, 2), (90, 3), (10, 4)):
        services.assessment_record(
            actor=None,
            person=personas.alice,
            skill=review,
            source="evidence",
            level=level,
            evidence="Completed a review course",
            assessed_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    # The chart reads in the viewer's own zone: near midnight UTC, their day is not the server's.
    first = timezone.localtime(timezone.now() - dt.timedelta(days=200), ZoneInfo(personas.alice.time_zone))
    client = Client()
    client.force_login(personas.alice)
    page = client.get(f"/skills/people/{personas.alice.pk}/").content.decode()
    chart = page[page.index('<svg class="level-chart"') :]
    chart = chart[: chart.index("</svg>")]
    labels = re.findall(r'class="chart-label">([^<]+)<', chart)
    assert labels[:5] == ["1", "2", "3", "4", "5"]  # the levels up the side
    assert labels[5] == f"{first.day} {first:%b %y}" and len(labels) == 8  # first, middle and last date
    assert f'aria-label="Code review: calibrated level from 2.0 on {first.day} {first:%B %Y}' in chart
    assert chart.count("<circle") == 3 and "<desc>Level after each rating:" in chart


def test_where_a_person_could_go_next_is_worded_for_the_viewer(personas: Personas, profile: dict[str, Any]) -> None:
    senior = JobRoleFactory.create(name="Senior Engineer")
    services.career_path_set(actor=None, from_role=profile["role"], to_role=senior, typical_months=24)
    client = Client()
    client.force_login(personas.alice)
    assert "Where you could go next" in client.get(f"/skills/people/{personas.alice.pk}/").content.decode()
    client.force_login(personas.bob)
    page = client.get(f"/skills/people/{personas.alice.pk}/").content.decode()
    assert "Where Alice Adams could go next" in page and "Where you could" not in page


def test_peers_rate_without_seeing_the_ratings(personas: Personas, profile: dict[str, Skill]) -> None:
    client = Client()
    client.force_login(personas.oscar)
    assert client.get(f"/skills/people/{personas.alice.pk}/").status_code == 404
    response = client.post(
        f"/skills/people/{personas.alice.pk}/rate/",
        {"skill": profile["review"].pk, "level": 4, "note": "Great reviews on my PRs"},
    )
    assert response.status_code == 302 and response["Location"] == f"/people/{personas.alice.pk}/"
    assert SkillAssessment.objects.get().source == "peer"
    bad = client.post(f"/skills/people/{personas.alice.pk}/rate/", {"skill": profile["review"].pk, "level": 0})
    assert bad.status_code == 400


def test_managers_see_a_team_matrix_marking_gaps(personas: Personas, profile: dict[str, Skill]) -> None:
    services.assessment_record(
        actor=personas.bob, person=personas.alice, skill=profile["review"], source="manager", level=2
    )
    matrix = selectors.team_matrix(actor=personas.bob, manager=personas.bob)
    assert [s.name for s in matrix["skills"]] == ["Code review", "System design"]
    (row,) = matrix["rows"]
    assert [(c["level"], c["required"], c["short"]) for c in row["cells"]] == [(2.0, 3, True), (None, 4, True)]
    client = Client()
    client.force_login(personas.bob)
    assert 'class="heat heat-2 short"' in client.get("/skills/team/").content.decode()


@pytest.mark.parametrize("team_size", [2, 12])
def test_the_team_matrix_costs_the_same_queries_for_any_team(
    personas: Personas, profile: dict[str, Skill], team_size: int
) -> None:
    members = [PersonFactory.create(manager=personas.mona, job_role=profile["role"]) for _ in range(team_size)]
    mona = Person.objects.get(pk=personas.mona.pk)  # a fresh request sees her new reports
    for member in members:
        services.assessment_record(actor=mona, person=member, skill=profile["review"], source="manager", level=3)
    with CaptureQueriesContext(connection) as queries:
        selectors.team_matrix(actor=mona, manager=mona)
    assert len(queries) == 3  # members, requirements, ratings


def test_completing_an_item_below_the_rated_level_keeps_the_level(personas: Personas) -> None:
    from learnloop.learning.services import item_create
    from learnloop.pathways.tests.factories import complete

    security = services.skill_create(actor=None, name="Application security")
    services.assessment_record(actor=personas.bob, person=personas.alice, skill=security, source="manager", level=3)
    intro = item_create(actor=None, kind="self_paced", title="Security basics", summary="x", skills=[(security, 2)])
    complete(personas.alice, intro)
    assert SkillAssessment.objects.filter(person=personas.alice, skill=security, source="evidence").count() == 1
    rows = {r["skill"].name: r for r in selectors.person_skill_profile(actor=personas.alice, person=personas.alice)}
    assert rows["Application security"]["calibrated"].level == 3.0
