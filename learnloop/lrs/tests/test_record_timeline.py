"""The learning record as a person reads it: newest first by when things happened, dates in the reader's
format, filters by kind, item and period, a timeline by month and a chart of activity per month."""

import datetime as dt
import re

from django.test import Client as HttpClient

from learnloop.core.testing import Personas
from learnloop.lrs.events import activity_iri, record_event
from learnloop.lrs.models import Statement
from learnloop.people.models import Person

UTC = dt.UTC


def _record(person: Person, name: str, at: dt.datetime, *, verb: str = "completed", item: int = 1) -> None:
    record_event(
        person=person,
        verb=verb,
        activity_id=activity_iri("catalog-item", item),
        activity_name=name,
        activity_type="catalog-item",
        timestamp=at,
    )


def _page(person: Person, params: dict[str, str] | None = None, *, language: str = "") -> tuple[int, str]:
    client = HttpClient(headers={"Accept-Language": language} if language else {})
    client.force_login(person)
    answer = client.get("/learning-record/", params or {})
    return answer.status_code, answer.content.decode()


def _timeline(html: str) -> str:
    return html.split("<main", 1)[-1]


def test_it_is_newest_first_by_when_things_happened_not_when_they_were_stored(personas: Personas) -> None:
    # Stored in this order (a course reporting old work late), shown by when each happened.
    _record(personas.alice, "Stored first, happened in December", dt.datetime(2026, 12, 6, 9, tzinfo=UTC))
    _record(personas.alice, "Stored second, happened in January", dt.datetime(2026, 1, 20, 9, tzinfo=UTC), item=2)
    _record(personas.alice, "Stored third, happened in November", dt.datetime(2026, 11, 6, 9, tzinfo=UTC), item=3)
    assert list(Statement.objects.order_by("seq").values_list("timestamp__month", flat=True)) == [12, 1, 11]
    _, html = _page(personas.alice)
    order = [html.index(f"happened in {m}</strong>") for m in ("December", "November", "January")]
    assert order == sorted(order)
    headings = re.findall(r"<h2>([A-Z][a-z]+ \d{4})</h2>", html)
    assert headings == ["December 2026", "November 2026", "January 2026"]


def test_dates_read_in_the_readers_format_and_no_sentence_holds_an_iso_date(personas: Personas) -> None:
    Person.objects.filter(pk=personas.alice.pk).update(time_zone="Europe/Berlin")
    _record(personas.alice, "Writing well", dt.datetime(2026, 11, 26, 23, 30, tzinfo=UTC))  # 27 Nov in Berlin
    _, british = _page(personas.alice, language="en-GB,en;q=0.8")
    _, american = _page(personas.alice, language="en-US,en;q=0.8")
    assert "Fri 27 Nov 2026" in british and '<html lang="en-gb">' in british
    assert "Fri Nov. 27, 2026" in american
    for html in (british, american):
        text = re.sub(r'datetime="[^"]*"', "", _timeline(html))
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
        assert "You completed <strong>Writing well</strong>" in html


def test_it_filters_by_kind_item_and_period(personas: Personas) -> None:
    _record(personas.alice, "Negotiation", dt.datetime(2026, 3, 10, 12, tzinfo=UTC), item=1)
    _record(personas.alice, "Negotiation", dt.datetime(2026, 4, 2, 12, tzinfo=UTC), verb="progressed", item=1)
    _record(personas.alice, "Coaching", dt.datetime(2026, 4, 30, 22, 30, tzinfo=UTC), item=2)  # 1 May in Berlin
    _record(personas.bob, "Bob's own", dt.datetime(2026, 4, 3, 12, tzinfo=UTC), item=3)
    completed = "http://adlnet.gov/expapi/verbs/completed"
    status, html = _page(personas.alice, {"kind": completed})
    assert status == 200 and "progressed in" not in _timeline(html).split("</form>")[-1]
    assert "2 of 3 events match" in html
    _, html = _page(personas.alice, {"item": activity_iri("catalog-item", 2)})
    assert "Coaching</strong>" in html and "Negotiation</strong>" not in html
    # Days are the reader's (Berlin): "to 30 April" ends at Berlin's midnight, so Coaching is left out.
    _, html = _page(personas.alice, {"since": "2026-04-01", "until": "2026-04-30"})
    assert "Negotiation</strong>" in html and "Coaching</strong>" not in html and "1 of 3 events" in html
    # Only kinds and items from the person's own record are offered; others are refused, naming the field.
    assert "Bob&#x27;s own" not in html
    status, html = _page(personas.alice, {"item": activity_iri("catalog-item", 3)})
    assert status == 400 and "Item:" in html
    status, html = _page(personas.alice, {"since": "2026-05-01", "until": "2026-04-01"})
    assert status == 400 and "To:" in html


def test_the_chart_counts_each_month_and_says_it_in_words(personas: Personas) -> None:
    for day in (3, 17):
        _record(personas.alice, "Course", dt.datetime(2026, 9, day, 12, tzinfo=UTC))
    _record(personas.alice, "Course", dt.datetime(2026, 11, 2, 12, tzinfo=UTC))
    _record(personas.alice, "Too old", dt.datetime(2025, 11, 30, 12, tzinfo=UTC))  # outside the 12 months
    _, html = _page(personas.alice, {"until": "2026-11-30"})
    label = re.search(r'<svg class="record-chart"[^>]*aria-label="([^"]*)"', html)
    assert label is not None
    words = label.group(1)
    assert "December 2025 to November 2026" in words
    assert "September 2026: 2" in words and "October 2026: 0" in words and "November 2026: 1" in words
    assert "November 2025" not in words
    assert 'role="img"' in html


def test_it_is_paged_and_bounded(personas: Personas) -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(55):
        _record(personas.alice, f"Lesson {n:02d}", start + dt.timedelta(days=n), item=n)
    _, first = _page(personas.alice)
    assert (
        first.count("<li>\n      <time") == 50 and "Lesson 54</strong>" in first and "Lesson 04</strong>" not in first
    )
    assert "Page 1 of 2" in first
    _, second = _page(personas.alice, {"page": "2"})
    assert second.count("<li>\n      <time") == 5 and "Lesson 00</strong>" in second
    for odd in ("²", "9" * 30, "-1"):
        assert _page(personas.alice, {"page": odd})[0] == 200


def test_assigned_reads_as_a_sentence(personas: Personas) -> None:
    _record(personas.alice, "Onboarding", dt.datetime(2026, 2, 1, tzinfo=UTC), verb="assigned")
    _, html = _page(personas.alice)
    assert "You were assigned <strong>Onboarding</strong>" in html and "You was" not in html


def test_session_names_in_the_record_spell_the_day_out(personas: Personas) -> None:
    from learnloop.learning.models import Session
    from learnloop.pathways.tests.factories import item

    session = Session(
        item=item("Conflict resolution workshop"),
        starts_at=dt.datetime(2026, 12, 8, 12, 0, tzinfo=UTC),
        ends_at=dt.datetime(2026, 12, 8, 13, 0, tzinfo=UTC),
        time_zone="Europe/Berlin",
    )
    assert str(session) == "Conflict resolution workshop, 8 December 2026 at 13:00 (Europe/Berlin)"
    assert not re.search(r"\d{4}-\d{2}-\d{2}", str(session))
