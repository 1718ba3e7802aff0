"""A person reads their learning record as a timeline and narrows it, in a real Chromium."""

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from learnloop.core.testing import Personas
from learnloop.core.tests.browser.test_main_flows import sign_in
from learnloop.lrs.events import activity_iri, record_event

pytestmark = pytest.mark.browser


def test_read_the_timeline_and_filter_it_by_kind(page: Any, personas: Personas) -> None:
    for verb, name, month in (("completed", "Writing well", 11), ("progressed", "Negotiation", 10)):
        record_event(
            person=personas.alice,
            verb=verb,
            activity_id=activity_iri("catalog-item", month),
            activity_name=name,
            activity_type="catalog-item",
            timestamp=dt.datetime(2026, month, 12, 10, tzinfo=dt.UTC),
        )
    sign_in(page, personas.alice.username)
    page.goto("/learning-record/")
    expect(page.get_by_role("heading", name="November 2026")).to_be_visible()
    expect(page.get_by_role("heading", name="October 2026")).to_be_visible()
    expect(page.get_by_role("img", name="Learning events per month")).to_be_visible()
    page.get_by_label("Kind").select_option(label="completed")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("status")).to_have_text("1 of 2 events matches these filters.")
    expect(page.get_by_role("main")).to_contain_text("You completed Writing well.")
    expect(page.get_by_role("heading", name="October 2026")).to_have_count(0)
