"""A crawl of every page each demo persona reaches from the menu and the pages' links (GET only, same
origin, one page per address pattern, at most 60 per persona; see crawl.py), at 1366 and 390 px: no console
error, no serious or critical axe-core violation, and no page wider than a 390 px phone."""

import io
import os
import re
from typing import Any

import pytest
from django.core.management import call_command

from learnloop.core.seeding import DEMO_PASSWORD
from learnloop.core.tests.browser.crawl import crawl, sign_in

pytestmark = pytest.mark.browser
PERSONAS = ("Employee", "Manager", "L&D admin", "People admin", "Org admin")


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="pages are the same on PostgreSQL; CI crawls once")
@pytest.mark.django_db(transaction=True)
def test_every_page_each_demo_persona_reaches_is_clean(browser: Any, live_server: Any) -> None:
    out = io.StringIO()
    call_command("demo", "--people", "60", stdout=out, stderr=io.StringIO())
    logins = dict(re.findall(rf"^\s+({'|'.join(PERSONAS)})\s+(\S+@\S+)$", out.getvalue(), flags=re.M))
    assert set(logins) == set(PERSONAS)
    problems, visited = [], {}
    for persona in PERSONAS:
        context = browser.new_context()
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            sign_in(page, live_server.url, logins[persona], DEMO_PASSWORD)
            visits = crawl(page, live_server.url)
        finally:
            context.close()
        visited[persona] = len(visits)
        problems += [f"{persona} {visit.path}: {problem}" for visit in visits for problem in visit.problems()]
    # Each persona reaches a good part of the product (the menu alone has about ten entries).
    assert min(visited.values()) >= 20, visited
    assert problems == []
