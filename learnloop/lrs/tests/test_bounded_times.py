"""A timestamp far outside the years people learn in is a 400 naming it, never an overflow (500) on
its way to UTC."""

import pytest

from learnloop.lrs.tests.conftest import Lrs, statement

pytestmark = pytest.mark.django_db

FAR = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]


@pytest.mark.parametrize("moment", FAR)
def test_a_statement_timestamp_outside_the_supported_years_is_refused(lrs: Lrs, moment: str) -> None:
    answer = lrs.post(statement(timestamp=moment))
    assert answer.status_code == 400
    assert "timestamp" in answer.content.decode()


@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("moment", [*FAR, "0001-01-01T00:00:00"])
def test_a_query_time_outside_the_supported_years_is_refused(lrs: Lrs, name: str, moment: str) -> None:
    answer = lrs.get(params={name: moment})
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {name: ["must be a timestamp between the years 1900 and 2999"]}
    state = lrs.get(
        "/xapi/activities/state",
        {"activityId": "http://example.com/a", "agent": '{"mbox": "mailto:a@example.com"}', name: moment},
    )
    assert state.status_code == 400


def test_a_huge_limit_is_the_servers_maximum(lrs: Lrs) -> None:
    assert lrs.get(params={"limit": "9" * 30}).status_code == 200
