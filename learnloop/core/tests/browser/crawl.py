"""A bounded crawl of what one signed-in person can reach: from the menu and each page's links, GET only,
same origin, one page per address pattern. Each page is checked at a laptop and a phone width for console
errors, axe-core's serious and critical violations, and sideways scrolling on the phone.

Used by test_crawl.py, and by hand against a running demo:

    .venv/bin/python -m learnloop.core.tests.browser.crawl http://127.0.0.1:8000 maya.okafor@fernhill.example
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from axe_playwright_python.sync_playwright import Axe

LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
# Addresses a crawl must not follow: they end the session, stream files or belong to machines.
SKIPPED = re.compile(r"^/(accounts/logout|api/|xapi/|static/|media/)|export|download|feed|\.csv$|\.ics$|\.json$")
# The same page for another object or another page of a list: one visit per pattern is enough.
NUMBER = re.compile(r"/\d+(?=/|$)")


@dataclass
class Visit:
    path: str
    console: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    phone_width: int = 0

    def problems(self) -> list[str]:
        found = [f"console: {message}" for message in self.console]
        found += [f"axe: {violation}" for violation in self.violations]
        if self.phone_width > PHONE["width"]:
            found.append(f"{self.phone_width} px wide at {PHONE['width']} px")
        return found


def pattern(path_and_query: str) -> str:
    """The address with its ids and query values left out: /skills/12/?q=x -> /skills/N/?q."""
    parts = urlsplit(path_and_query)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} - {"page"})
    return NUMBER.sub("/N", parts.path) + ("?" + "&".join(keys) if keys else "")


def serious_violations(page: Any) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def crawl(page: Any, origin: str, *, limit: int = 60, start: str = "/") -> list[Visit]:
    """Visit up to `limit` address patterns reachable from `start` by a signed-in `page`."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    queue: deque[str] = deque([start])
    seen = {pattern(start)}
    visits: list[Visit] = []
    while queue and len(visits) < limit:
        path = queue.popleft()
        console.clear()
        page.set_viewport_size(LAPTOP)
        response = page.goto(origin + path)
        if response is None or not response.ok or urlsplit(page.url).path.startswith("/accounts/login"):
            visits.append(Visit(path, console=[f"{response.status if response else 'no'} response"]))
            continue
        visit = Visit(path)
        visit.violations += serious_violations(page)
        page.set_viewport_size(PHONE)
        visit.phone_width = page.evaluate("document.scrollingElement.scrollWidth")
        visit.violations += [f"at 390 px: {v}" for v in serious_violations(page)]
        visit.console = list(console)
        visits.append(visit)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIPPED.search(parts.path) or pattern(target) in seen:
                continue
            seen.add(pattern(target))
            queue.append(target)
    return visits


def sign_in(page: Any, origin: str, username: str, password: str) -> None:
    page.goto(origin + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(origin + "/")


def main(origin: str, *usernames: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for username in usernames:
            context = browser.new_context()
            page = context.new_page()
            sign_in(page, origin, username, "learnloop-demo")
            visits = crawl(page, origin)
            print(f"{username}: {len(visits)} pages")
            for visit in visits:
                for problem in visit.problems():
                    print(f"  {visit.path}: {problem}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
