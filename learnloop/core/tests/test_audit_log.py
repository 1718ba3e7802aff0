"""The audit log page and its CSV export: filters, paging, times, query count, injection-safe cells."""

import csv
import datetime as dt
import io

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learnloop.core.audit import audit_record, field_changes
from learnloop.core.models import AuditEvent
from learnloop.core.selectors import audit_event_list, audit_event_page
from learnloop.core.testing import Personas, PersonFactory
from learnloop.people.models import Person

UTC = dt.UTC


def signed_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _event(
    actor: Person, target: Person, *, action: str = "person.update", at: dt.datetime, **changes: object
) -> AuditEvent:
    event = audit_record(actor=actor, action=action, target=target, changes=changes)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=at)
    event.created_at = at
    return event


def _events(personas: Personas, count: int, *, start: dt.datetime) -> None:
    people = PersonFactory.create_batch(count)
    for n, person in enumerate(people):
        _event(personas.pat, person, at=start + dt.timedelta(minutes=n), title=["Engineer", f"Lead {n}"])


def _body(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_it_lists_each_object_type_once_however_many_events_there_are(personas: Personas) -> None:
    _events(personas, 30, start=dt.datetime(2026, 3, 1, tzinfo=UTC))
    _event(personas.pat, personas.alice, action="role.grant", at=dt.datetime(2026, 3, 2, tzinfo=UTC))
    AuditEvent.objects.create(action="job.run", object_type="core.importjob", object_id="9")
    page = _body(signed_in(personas.pat).get("/admin-area/audit/"))
    assert page.count('<option value="people.person"') == 1
    assert page.count('<option value="core.importjob"') == 1
    assert page.count('<option value="person.update"') == 1 and '<option value="role.grant"' in page


def test_it_shows_times_in_the_viewers_zone_and_says_so(personas: Personas) -> None:
    Person.objects.filter(pk=personas.pat.pk).update(time_zone="America/New_York")
    _event(personas.pat, personas.alice, at=dt.datetime(2026, 3, 10, 18, 0, 5, tzinfo=UTC))
    page = _body(signed_in(personas.pat).get("/admin-area/audit/"))
    assert "When (America/New_York)" in page and "When (UTC)" not in page
    assert "March 10, 2026, 2:00:05 p.m." in page  # 18:00:05 UTC is 14:00:05 in New York (EDT)
    assert "your time zone, America/New_York" in page


def test_it_filters_by_who_action_and_days_in_the_viewers_zone(personas: Personas) -> None:
    Person.objects.filter(pk=personas.pat.pk).update(time_zone="Europe/Berlin")
    _event(personas.pat, personas.alice, at=dt.datetime(2026, 5, 1, 21, 30, tzinfo=UTC), title=["a", "By Pat late"])
    _event(personas.otto, personas.bob, at=dt.datetime(2026, 5, 2, 8, 0, tzinfo=UTC), title=["a", "By Otto"])
    _event(personas.pat, personas.bob, action="role.grant", at=dt.datetime(2026, 5, 3, 8, tzinfo=UTC), role=["", "x"])
    client = signed_in(personas.pat)

    def rows(**params: str | int) -> str:
        return _body(client.get("/admin-area/audit/", params)).split("<tbody>")[1]

    assert "By Otto" in rows(actor=personas.otto.pk) and "By Pat late" not in rows(actor=personas.otto.pk)
    assert "role.grant" not in rows(action="person.update") and "By Otto" in rows(action="person.update")
    # 21:30 UTC on 1 May is 23:30 on 1 May in Berlin: "to 1 May" includes the whole Berlin day, and
    # "from 2 May" starts at Berlin's midnight.
    assert "By Pat late" in rows(until="2026-05-01") and "By Otto" not in rows(until="2026-05-01")
    assert "By Pat late" not in rows(since="2026-05-02") and "By Otto" in rows(since="2026-05-02", until="2026-05-02")
    bad = client.get("/admin-area/audit/", {"since": "2026-05-03", "until": "2026-05-01"})
    assert bad.status_code == 400 and "To:" in _body(bad)
    assert client.get("/admin-area/audit/", {"since": "0001-01-01"}).status_code == 400


def test_who_suggestions_are_bounded_and_each_filters_the_log(personas: Personas) -> None:
    PersonFactory.create_batch(15, last_name="Zebrowski")
    client = signed_in(personas.pat)
    answer = _body(client.get("/admin-area/audit/actors/", {"actor_q": "zebrow", "action": "person."}))
    assert answer.count("<li>") == 10
    assert "action=person.&amp;actor=" in answer
    nobody = _body(client.get("/admin-area/audit/actors/", {"actor_q": "nobody-here"}))
    assert "No one matches" in nobody
    # Without JavaScript, the page itself lists who matches what was typed.
    typed = _body(client.get("/admin-area/audit/", {"actor_q": "zebrow"}))
    assert (
        "Zebrowski" in typed and "match these filters" not in typed and "No events yet" in typed
    )  # typing alone filters nothing
    assert client.get("/admin-area/audit/actors/", {"actor_q": "x" * 101}).status_code == 400


def test_pages_keep_their_place_newest_first_while_events_arrive(personas: Personas) -> None:
    start = dt.datetime(2026, 4, 1, tzinfo=UTC)
    _events(personas, 7, start=start)
    # Two events in the same instant: the id decides, so neither is skipped nor shown twice.
    same = start + dt.timedelta(minutes=3)
    _event(personas.pat, personas.alice, at=same, title=["x", "twin"])
    events = audit_event_list(actor=personas.pat)
    first = audit_event_page(events, size=3)
    assert [e.created_at for e in first] == sorted((e.created_at for e in first), reverse=True)
    assert not first.has_newer and first.has_older
    _event(personas.pat, personas.bob, at=start + dt.timedelta(days=1), title=["x", "newest"])
    seen = [e.pk for e in first]
    page = first
    while page.has_older:
        page = audit_event_page(events, before=page.older_cursor, size=3)
        seen += [e.pk for e in page]
    expected = [pk for pk in events.values_list("pk", flat=True)][1:]  # all but the one that arrived later
    assert seen == expected and len(seen) == 8
    back = audit_event_page(events, after=seen[3], size=3)
    assert [e.pk for e in back] == seen[:3] and back.has_newer  # the newest arrived meanwhile


def test_page_query_count_stays_flat_as_events_grow(personas: Personas) -> None:
    client = signed_in(personas.pat)
    params: dict[str, str | int] = {
        "action": "person.",
        "actor": personas.pat.pk,
        "since": "2026-01-01",
        "actor_q": "park",
    }
    _events(personas, 3, start=dt.datetime(2026, 2, 1, tzinfo=UTC))
    client.get("/admin-area/audit/", params)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin-area/audit/", params).status_code == 200
    _events(personas, 120, start=dt.datetime(2026, 3, 1, tzinfo=UTC))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/admin-area/audit/", params)
    assert page.status_code == 200 and "123 events match these filters" in _body(page)
    assert len(many) == len(few)


def test_export_is_filtered_csv_safe_from_formulas_and_audited(personas: Personas) -> None:
    _event(personas.pat, personas.alice, at=dt.datetime(2026, 6, 1, 12, tzinfo=UTC), title=["x", "=HYPERLINK(1)"])
    _event(personas.otto, personas.bob, at=dt.datetime(2026, 6, 2, 12, tzinfo=UTC), title=["x", "by otto"])
    AuditEvent.objects.filter(actor=personas.pat).update(object_label="@SUM(A1)", actor_label="+pat")
    answer = signed_in(personas.pat).get("/admin-area/audit/export.csv", {"actor": personas.pat.pk})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert answer.streaming
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0][0] == "when_utc"
    assert len(rows) == 2  # the header and Pat's one event: Otto's is filtered out
    assert rows[1][0] == "2026-06-01T12:00:00Z"
    assert rows[1][2] == "'+pat" and rows[1][6] == "'@SUM(A1)"
    assert "=HYPERLINK(1)" in rows[1][7]  # inside the JSON of changes, which starts with "{"
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == personas.pat and export.changes == {"filters": [None, f"actor={personas.pat.pk}"]}


def test_a_formula_anywhere_at_the_start_of_a_cell_is_defused() -> None:
    from learnloop.core.views import csv_cell

    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "ok", None, 3)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "ok",
        "",
        "3",
    ]


def test_secrets_stay_masked_on_the_page_and_in_the_export(personas: Personas) -> None:
    changes = field_changes(before={"password": "old-secret"}, after={"password": "new-secret"})
    audit_record(actor=personas.pat, action="password.change", target=personas.alice, changes=changes)
    client = signed_in(personas.otto)
    page = _body(client.get("/admin-area/audit/"))
    export = b"".join(client.get("/admin-area/audit/export.csv").streaming_content).decode()  # type: ignore[attr-defined]
    for text in (page, export):
        assert "***" in text and "new-secret" not in text and "old-secret" not in text


def test_only_people_and_org_admins_may_export(personas: Personas) -> None:
    assert signed_in(personas.lena).get("/admin-area/audit/export.csv").status_code == 404
    assert signed_in(personas.alice).get("/admin-area/audit/export.csv").status_code == 404
    assert not AuditEvent.objects.filter(action="audit.export").exists()
