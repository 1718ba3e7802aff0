"""A people admin finds who changed what in the audit log, in a real Chromium, and downloads it as CSV."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.audit import audit_record
from learnloop.core.models import AuditEvent
from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in

pytestmark = pytest.mark.browser


def test_filter_the_trail_by_who_from_suggestions_and_download_it(page: Any, personas: Personas) -> None:
    for n, (actor, target) in enumerate([(personas.otto, personas.alice), (personas.pat, personas.bob)]):
        event = audit_record(actor=actor, action="person.update", target=target, changes={"title": ["a", f"T{n}"]})
        AuditEvent.objects.filter(pk=event.pk).update(created_at=dt.datetime(2026, 5, 1 + n, 12, tzinfo=dt.UTC))
    sign_in(page, personas.pat.username)
    page.goto("/admin-area/audit/")
    expect(page.get_by_role("columnheader", name="When (Europe/Berlin)")).to_be_visible()
    page.get_by_label("Who").fill("ortiz")
    suggestion = page.locator("#audit-actor-suggestions").get_by_role("link", name="Otto Ortiz")
    expect(suggestion).to_be_visible()
    suggestion.click()
    rows = page.locator("#audit-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Alice Adams")
    expect(page.get_by_role("status")).to_have_text("1 event matches these filters")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this event (CSV, times in UTC)").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("when_utc,") and len(lines) == 2 and "2026-05-01T12:00:00Z" in lines[1]
    assert AuditEvent.objects.filter(action="audit.export", actor=personas.pat).count() == 1
