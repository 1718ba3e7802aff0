import datetime as dt
import zoneinfo

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.accounts.services import token_create
from learnloop.core.testing import Personas, PersonFactory
from learnloop.learningtime.models import LearningBlock
from learnloop.learningtime.services import team_budget_set
from learnloop.learningtime.tests.factories import block, session_with_booking
from learnloop.people.models import Person


def _signed_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _api(person: Person) -> Client:
    secret = token_create(actor=person, person=person, name="test").secret
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _soon(days: int = 2, hour: int = 9) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_my_page_shows_budget_chart_blocks_and_booked_sessions(personas: Personas) -> None:
    block(personas.alice, _soon(), 45, "Read chapter 3")
    session_with_booking(personas.alice, _soon(3))
    page = _signed_in(personas.alice).get("/learning-time/").content.decode()
    assert "2 h a week" in page and "the company default" in page
    assert '<svg class="learning-time-chart"' in page and 'role="img"' in page
    assert "Read chapter 3" in page and "Facilitation workshop" in page and "Session booked" in page
    assert "Learning time this week" in _signed_in(personas.alice).get("/").content.decode()
    assert 'href="/learning-time/"' in _signed_in(personas.oscar).get("/").content.decode()  # the menu entry


def test_the_block_form_plans_and_shows_errors_on_fields(personas: Personas) -> None:
    client = _signed_in(personas.alice)
    day = _soon().date().isoformat()
    made = client.post(
        "/learning-time/blocks/new/", {"title": "Practise", "day": day, "starts_at": "09:00", "ends_at": "10:00"}
    )
    assert made.status_code == 302
    created = LearningBlock.objects.get(person=personas.alice)
    assert created.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).hour == 9  # the person's local time
    clash = client.post(
        "/learning-time/blocks/new/", {"title": "Again", "day": day, "starts_at": "09:30", "ends_at": "11:00"}
    )
    assert clash.status_code == 400 and "overlaps your block" in clash.content.decode()
    backwards = client.post(
        "/learning-time/blocks/new/", {"title": "Back", "day": day, "starts_at": "15:00", "ends_at": "14:00"}
    )
    assert backwards.status_code == 400 and "ends after it starts" in backwards.content.decode()
    assert LearningBlock.objects.count() == 1
    moved = client.post(
        f"/learning-time/blocks/{created.pk}/edit/",
        {"title": "Practise", "day": day, "starts_at": "13:00", "ends_at": "14:00"},
    )
    assert moved.status_code == 302 and LearningBlock.objects.get(pk=created.pk).sequence == 1


def test_a_new_calendar_address_is_shown_once(personas: Personas) -> None:
    client = _signed_in(personas.alice)
    shown = client.post("/learning-time/feed/new/").content.decode()
    assert "/learning-time/feed/" in shown and ".ics" in shown
    url = shown.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    assert Client().get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    later = client.get("/learning-time/").content.decode()
    assert url not in later and "Turn off the address" in later
    client.post("/learning-time/feed/revoke/")
    assert Client().get(url.removeprefix("http://127.0.0.1:8000")).status_code == 404


def test_managers_see_their_team_and_set_the_default(personas: Personas) -> None:
    block(personas.alice, timezone.now() - dt.timedelta(hours=3), 30)
    client = _signed_in(personas.bob)
    assert "Alice Adams" in client.get("/learning-time/team/").content.decode()
    assert client.post("/learning-time/team/", {"weekly_minutes": "180"}).status_code == 302
    assert "3 h" in client.get("/learning-time/team/").content.decode()
    bad = client.post("/learning-time/team/", {"weekly_minutes": "-5"})
    assert bad.status_code == 400
    assert "No one reports to you" in _signed_in(personas.oscar).get("/learning-time/team/").content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_my_page_queries_do_not_grow(personas: Personas) -> None:
    alice = personas.alice
    client = _signed_in(alice)
    block(alice, _soon(1), 30)
    block(alice, timezone.now() - dt.timedelta(days=1, hours=2), 30)
    session_with_booking(alice, _soon(2))
    few = _queries(client, "/learning-time/")
    for day in range(3, 15):
        block(alice, _soon(day), 30)
        block(alice, timezone.now() - dt.timedelta(days=day, hours=2), 30)
        session_with_booking(alice, _soon(day, 15))
    assert _queries(client, "/learning-time/") == few


def test_team_view_queries_do_not_grow(personas: Personas) -> None:
    client = _signed_in(personas.bob)
    team_budget_set(actor=personas.bob, weekly_minutes=150)
    block(personas.alice, timezone.now() - dt.timedelta(days=2, hours=3), 30)
    few = _queries(client, "/learning-time/team/")
    for n in range(6):
        report = PersonFactory.create(manager=personas.bob, time_zone=["Asia/Kolkata", "America/Chicago"][n % 2])
        for day in range(1, 10):
            block(report, timezone.now() - dt.timedelta(days=day * 3, hours=3), 45)
    assert _queries(client, "/learning-time/team/") == few


def test_api_blocks_summary_budget_and_feed(personas: Personas) -> None:
    api = _api(personas.alice)
    start = _soon(4)
    made = api.post(
        "/api/v1/learning-time/blocks",
        {"title": "Read", "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=1)).isoformat()},
        content_type="application/json",
    )
    assert made.status_code == 201
    body = made.json()
    assert body["sequence"] == 0 and body["time_zone"] == "Europe/Berlin" and body["minutes"] == 60
    clash = api.post(
        "/api/v1/learning-time/blocks",
        {"title": "Clash", "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat()},
        content_type="application/json",
    )
    assert clash.status_code == 400 and "starts_at" in clash.json()["error"]["fields"]
    # A time without an offset is the person's local time.
    naive = api.post(
        "/api/v1/learning-time/blocks",
        {"title": "Local", "starts_at": "2030-03-04T09:00:00", "ends_at": "2030-03-04T10:00:00"},
        content_type="application/json",
    ).json()
    assert dt.datetime.fromisoformat(naive["starts_at"]) == dt.datetime(2030, 3, 4, 8, tzinfo=dt.UTC)  # 09:00 Berlin
    moved = api.patch(
        f"/api/v1/learning-time/blocks/{body['id']}",
        {
            "starts_at": (start + dt.timedelta(hours=3)).isoformat(),
            "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
        },
        content_type="application/json",
    ).json()
    assert moved["sequence"] == 1 and moved["uid"] == body["uid"]
    early_done = api.patch(
        f"/api/v1/learning-time/blocks/{body['id']}", {"status": "done"}, content_type="application/json"
    )
    assert early_done.status_code == 400 and "status" in early_done.json()["error"]["fields"]
    assert api.delete(f"/api/v1/learning-time/blocks/{body['id']}").json()["status"] == "cancelled"
    listed = api.get("/api/v1/learning-time/blocks").json()
    assert listed["count"] == 2
    weeks = api.get("/api/v1/learning-time/summary?weeks=8").json()
    assert len(weeks) == 8 and all(w["budget"] == 120 for w in weeks)
    assert api.get("/api/v1/learning-time/budget").json() == {
        "person_id": personas.alice.pk,
        "weekly_minutes": 120,
        "source": "site",
    }
    set_by_manager = _api(personas.bob).put(
        f"/api/v1/learning-time/budget/{personas.alice.pk}", {"weekly_minutes": 200}, content_type="application/json"
    )
    assert set_by_manager.json()["source"] == "person" and set_by_manager.json()["weekly_minutes"] == 200
    feed = api.post("/api/v1/learning-time/feed")
    assert feed.status_code == 201
    path = feed.json()["url"].removeprefix("http://testserver")  # the address the request came to
    assert b"BEGIN:VCALENDAR" in Client().get(path).content
    assert api.delete("/api/v1/learning-time/feed").status_code == 204
    assert Client().get(path).status_code == 404
